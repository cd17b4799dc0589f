// Package notify delivers alert messages to chat tools and webhooks: a
// generic JSON webhook, DingTalk (钉钉) custom robots, Feishu (飞书) custom
// bots, WeCom (企业微信) group robots and Slack incoming webhooks, each in its
// documented message format and with its signing scheme where the service
// has one.
//
// A Sender makes one attempt; Deliver retries retryable failures (network
// errors, HTTP 429 and 5xx, the services' rate-limit codes) with
// exponential backoff and jitter, honouring Retry-After.
package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/vocproject/voc/internal/backoff"
	"github.com/vocproject/voc/internal/fielderr"
)

// Channel types.
const (
	TypeWebhook  = "webhook"
	TypeDingTalk = "dingtalk"
	TypeFeishu   = "feishu"
	TypeWeCom    = "wecom"
	TypeSlack    = "slack"
)

// Types lists the channel types.
var Types = []string{TypeWebhook, TypeDingTalk, TypeFeishu, TypeWeCom, TypeSlack}

// Severities of a Message.
const (
	SeverityCritical = "critical"
	SeverityWarning  = "warning"
	SeverityInfo     = "info"
)

// Field is one labelled line of a message, e.g. 观测: 42 条.
type Field struct {
	Label string `json:"label"`
	Value string `json:"value"`
}

// Message is what a channel renders. Text fields are plain text; each
// format adds its own markup and escaping.
type Message struct {
	// ID identifies the alert (sent as X-Voc-Alert-Id by the webhook).
	ID       string
	Title    string
	Severity string // critical, warning or info
	Fields   []Field
	// Samples are masked verbatims, shown as quotes.
	Samples []string
	// Link and LinkText point to the drill-down view; empty: no link.
	Link, LinkText string
	// Payload is the JSON body of the generic webhook; nil means a JSON
	// object built from the fields above.
	Payload any
}

// Config configures one channel. The zero value of each optional field
// means its default.
type Config struct {
	// Name identifies the channel in teams and routes. Required.
	Name string `yaml:"name"`
	// Type is webhook, dingtalk, feishu, wecom or slack. Required.
	Type string `yaml:"type"`
	// URL is the webhook address (for DingTalk with its access_token, for
	// WeCom with its key). Required; http or https.
	URL string `yaml:"url"`
	// Secret signs requests: DingTalk 加签 (the SEC… string), Feishu
	// 签名校验, and for the generic webhook an HMAC-SHA256 of the body.
	// WeCom and Slack incoming webhooks have no signing. Default none.
	Secret string `yaml:"secret"`
	// Headers are extra HTTP headers (generic webhook only). Default none.
	Headers map[string]string `yaml:"headers"`
	// Format selects the Slack message format: "blocks" (Block Kit with a
	// text fallback) or "text" (mrkdwn text only). Default "blocks".
	Format string `yaml:"format"`
	// Mentions are mobile numbers to @ in DingTalk messages. Default none.
	Mentions []string `yaml:"mentions"`
	// Timeout bounds one HTTP attempt. Default 10s.
	Timeout time.Duration `yaml:"timeout"`
}

// FieldError names the offending field, relative to a Config.
type FieldError = fielderr.Error

var fieldErr = fielderr.New

// Validate reports the first invalid field, naming it relative to the
// channel ("url", "type", ...).
func (c Config) Validate() error {
	if strings.TrimSpace(c.Name) == "" {
		return fieldErr("name", "required")
	}
	switch c.Type {
	case TypeWebhook, TypeDingTalk, TypeFeishu, TypeWeCom, TypeSlack:
	case "":
		return fieldErr("type", "required (one of %s)", strings.Join(Types, ", "))
	default:
		return fieldErr("type", "unknown channel type %q (want one of %s)", c.Type, strings.Join(Types, ", "))
	}
	u, err := url.Parse(c.URL)
	if c.URL == "" {
		return fieldErr("url", "required")
	}
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fieldErr("url", "want an http or https URL, got %q", c.URL)
	}
	if c.Secret != "" && (c.Type == TypeWeCom || c.Type == TypeSlack) {
		return fieldErr("secret", "%s webhooks have no signing; remove the secret", c.Type)
	}
	if len(c.Headers) > 0 && c.Type != TypeWebhook {
		return fieldErr("headers", "only the generic webhook sends extra headers")
	}
	for k := range c.Headers {
		if k == "" || strings.ContainsAny(k, " :\r\n") {
			return fieldErr("headers", "invalid header name %q", k)
		}
	}
	switch c.Format {
	case "":
	case "blocks", "text":
		if c.Type != TypeSlack {
			return fieldErr("format", "only slack channels have a format")
		}
	default:
		return fieldErr("format", "unknown format %q (want blocks or text)", c.Format)
	}
	if len(c.Mentions) > 0 && c.Type != TypeDingTalk {
		return fieldErr("mentions", "only dingtalk channels support mentions")
	}
	if c.Timeout < 0 {
		return fieldErr("timeout", "must not be negative")
	}
	return nil
}

// Sender sends a message to one channel, one attempt per call.
type Sender interface {
	// Send posts m once. The error is an *Error when the service answered.
	Send(ctx context.Context, m *Message) error
	// Name is the channel's configured name; Type its type.
	Name() string
	Type() string
}

// Options are the dependencies of a Sender.
type Options struct {
	// Client sends the requests. Default a client without a global timeout
	// (Config.Timeout bounds each attempt).
	Client *http.Client
	// Now is the clock used for signing timestamps. Default time.Now.
	Now func() time.Time
}

// New returns the Sender for cfg.
func New(cfg Config, opts Options) (Sender, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("notify: channel %q: %w", cfg.Name, err)
	}
	if opts.Client == nil {
		opts.Client = &http.Client{}
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 10 * time.Second
	}
	b := base{cfg: cfg, client: opts.Client, now: opts.Now}
	switch cfg.Type {
	case TypeWebhook:
		return &webhook{b}, nil
	case TypeDingTalk:
		return &dingTalk{b}, nil
	case TypeFeishu:
		return &feishu{b}, nil
	case TypeWeCom:
		return &weCom{b}, nil
	default:
		return &slack{b}, nil
	}
}

// Error is a failed attempt.
type Error struct {
	Channel string
	// StatusCode is the HTTP status; 0 when no response arrived.
	StatusCode int
	// Code and Msg are the service's own error code and message (DingTalk
	// and WeCom errcode/errmsg, Feishu code/msg); 0 and "" otherwise.
	Code int
	Msg  string
	// Retryable tells whether another attempt may succeed.
	Retryable bool
	// RetryAfter is the wait the service asked for (HTTP Retry-After).
	RetryAfter time.Duration
	Err        error
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "notify: channel %s", e.Channel)
	if e.StatusCode != 0 {
		fmt.Fprintf(&b, ": http %d", e.StatusCode)
	}
	if e.Code != 0 || e.Msg != "" {
		fmt.Fprintf(&b, ": code %d %s", e.Code, e.Msg)
	}
	if e.Err != nil {
		fmt.Fprintf(&b, ": %v", e.Err)
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// IsRetryable reports whether err is worth another attempt.
func IsRetryable(err error) bool {
	var e *Error
	if errors.As(err, &e) {
		return e.Retryable
	}
	return false
}

// Retry configures Deliver's backoff. The zero value of each field means
// its default.
type Retry struct {
	// Attempts is the most attempts per message and channel. Default 4.
	Attempts int `yaml:"attempts"`
	// Initial is the wait before the second attempt; it doubles for each
	// further one, with ±20% jitter. Default 1s.
	Initial time.Duration `yaml:"initial"`
	// Max caps the wait, also one asked for by Retry-After. Default 30s.
	Max time.Duration `yaml:"max"`
}

// WithDefaults fills in the defaults.
func (r Retry) WithDefaults() Retry {
	if r.Attempts == 0 {
		r.Attempts = 4
	}
	if r.Initial == 0 {
		r.Initial = time.Second
	}
	if r.Max == 0 {
		r.Max = 30 * time.Second
	}
	return r
}

// Validate reports the first invalid field.
func (r Retry) Validate() error {
	switch {
	case r.Attempts < 0 || r.Attempts > 20:
		return fieldErr("attempts", "%d is outside 0-20", r.Attempts)
	case r.Initial < 0:
		return fieldErr("initial", "must not be negative")
	case r.Max < 0:
		return fieldErr("max", "must not be negative")
	case r.Max != 0 && r.Initial > r.Max:
		return fieldErr("initial", "%s is above max %s", r.Initial, r.Max)
	}
	return nil
}

// Deliver sends m through s, retrying retryable failures with backoff. It
// returns the number of attempts made and the last error (nil on
// success). It stops early when ctx is done.
func Deliver(ctx context.Context, s Sender, m *Message, r Retry) (int, error) {
	r = r.WithDefaults()
	bo := backoff.Backoff{Initial: r.Initial, Max: r.Max, Jitter: 0.2}
	var err error
	for attempt := 1; ; attempt++ {
		err = s.Send(ctx, m)
		if err == nil {
			return attempt, nil
		}
		if attempt >= r.Attempts || !IsRetryable(err) || ctx.Err() != nil {
			return attempt, err
		}
		d := bo.Next()
		var e *Error
		if errors.As(err, &e) && e.RetryAfter > d {
			d = min(e.RetryAfter, r.Max)
		}
		if backoff.Sleep(ctx, d) != nil {
			return attempt, err
		}
	}
}

type base struct {
	cfg    Config
	client *http.Client
	now    func() time.Time
}

func (b *base) Name() string { return b.cfg.Name }
func (b *base) Type() string { return b.cfg.Type }

func (b *base) errorf(status int, retryable bool, format string, a ...any) *Error {
	return &Error{Channel: b.cfg.Name, StatusCode: status, Retryable: retryable, Err: fmt.Errorf(format, a...)}
}

// maxResponse bounds the response body read.
const maxResponse = 64 << 10

// post sends body as JSON to target and returns the status and body of a
// response. Transport errors and HTTP 408, 429 and 5xx are retryable
// *Errors; other non-2xx statuses are permanent ones.
func (b *base) post(ctx context.Context, target string, body []byte, header http.Header) (int, []byte, error) {
	ctx, cancel := context.WithTimeout(ctx, b.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return 0, nil, b.errorf(0, false, "build request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("User-Agent", "voc-alerts/1")
	for k, vs := range header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	resp, err := b.client.Do(req)
	if err != nil {
		return 0, nil, b.errorf(0, true, "post: %w", redactURL(err))
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return resp.StatusCode, nil, b.errorf(resp.StatusCode, true, "read response: %w", err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		retry := resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusRequestTimeout || resp.StatusCode >= 500
		e := &Error{Channel: b.cfg.Name, StatusCode: resp.StatusCode, Retryable: retry,
			RetryAfter: retryAfter(resp.Header.Get("Retry-After"), b.now()),
			Err:        fmt.Errorf("response %q", snippet(data))}
		return resp.StatusCode, data, e
	}
	return resp.StatusCode, data, nil
}

// postJSON encodes payload (marshal) and posts it to target without extra
// headers, returning the response body; errors as post's.
func (b *base) postJSON(ctx context.Context, target string, payload any) ([]byte, error) {
	data, err := marshal(payload)
	if err != nil {
		return nil, b.errorf(0, false, "encode payload: %w", err)
	}
	_, resp, err := b.post(ctx, target, data, nil)
	return resp, err
}

// redactURL drops the URL from a transport error: webhook URLs carry
// their credential (access_token, key, the Slack path).
func redactURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s: %w", ue.Op, ue.Err)
	}
	return err
}

func retryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d
		}
	}
	return 0
}

func snippet(b []byte) string {
	s := string(b)
	if r := []rune(s); len(r) > 200 {
		s = string(r[:200]) + "…"
	}
	return s
}

// marshal encodes v as JSON without HTML escaping (messages hold < > &).
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// truncateRunes shortens s to at most n runes, marking the cut with "…".
func truncateRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:max(n-1, 0)]) + "…"
}
