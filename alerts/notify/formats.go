package notify

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/vocproject/voc/internal/textsafe"
)

// Limits of the services, with room to spare.
const (
	sampleRunes     = 160  // one verbatim
	weComMaxBytes   = 4000 // WeCom markdown content: 4096 bytes
	slackHeaderMax  = 150  // Slack header block text
	slackSectionMax = 3000 // Slack section text
)

// ---- generic webhook ----

type webhook struct{ base }

// Webhook headers.
const (
	HeaderAlertID   = "X-Voc-Alert-Id"
	HeaderTimestamp = "X-Voc-Timestamp"
	HeaderSignature = "X-Voc-Signature"
)

// WebhookSignature returns the X-Voc-Signature value for a body sent at
// timestamp (Unix seconds, the X-Voc-Timestamp header): "sha256=" and the
// hex HMAC-SHA256 of timestamp + "." + body keyed with the secret.
// Receivers recompute it and compare with hmac.Equal.
func WebhookSignature(secret, timestamp string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(timestamp))
	mac.Write([]byte("."))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// defaultPayload is the webhook body when Message.Payload is nil.
type defaultPayload struct {
	ID       string   `json:"id"`
	Title    string   `json:"title"`
	Severity string   `json:"severity"`
	Fields   []Field  `json:"fields"`
	Samples  []string `json:"samples"`
	Link     string   `json:"link,omitempty"`
}

func (w *webhook) Send(ctx context.Context, m *Message) error {
	payload := m.Payload
	if payload == nil {
		payload = defaultPayload{ID: m.ID, Title: m.Title, Severity: m.Severity, Fields: nonNil(m.Fields), Samples: nonNil(m.Samples), Link: m.Link}
	}
	body, err := marshal(payload)
	if err != nil {
		return w.errorf(0, false, "encode payload: %w", err)
	}
	h := http.Header{}
	for k, v := range w.cfg.Headers {
		h.Set(k, v)
	}
	if m.ID != "" {
		h.Set(HeaderAlertID, m.ID)
	}
	if w.cfg.Secret != "" {
		ts := strconv.FormatInt(w.now().Unix(), 10)
		h.Set(HeaderTimestamp, ts)
		h.Set(HeaderSignature, WebhookSignature(w.cfg.Secret, ts, body))
	}
	_, _, err = w.post(ctx, w.cfg.URL, body, h)
	return err
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// ---- DingTalk custom robot ----

type dingTalk struct{ base }

// DingTalkSign returns the sign parameter of a DingTalk robot request
// before URL encoding: base64 of HMAC-SHA256 keyed with the secret over
// timestamp (Unix milliseconds) + "\n" + secret.
func DingTalkSign(secret string, timestampMillis int64) string {
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "%d\n%s", timestampMillis, secret)
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

type dingTalkBody struct {
	MsgType  string `json:"msgtype"`
	Markdown struct {
		Title string `json:"title"`
		Text  string `json:"text"`
	} `json:"markdown"`
	At struct {
		AtMobiles []string `json:"atMobiles"`
		IsAtAll   bool     `json:"isAtAll"`
	} `json:"at"`
}

// errcode/errmsg responses of DingTalk and WeCom.
type errcodeResp struct {
	ErrCode *int   `json:"errcode"`
	ErrMsg  string `json:"errmsg"`
}

func (d *dingTalk) Send(ctx context.Context, m *Message) error {
	var body dingTalkBody
	body.MsgType = "markdown"
	body.Markdown.Title = oneLine(m.Title) // the plain-text preview
	text := markdown(m, "\n\n")
	if len(d.cfg.Mentions) > 0 {
		// Mentions notify only when the text names them.
		text += "\n\n" + "@" + strings.Join(d.cfg.Mentions, " @")
	}
	body.Markdown.Text = text
	body.At.AtMobiles = nonNil(d.cfg.Mentions)
	target := d.cfg.URL
	if d.cfg.Secret != "" {
		ts := d.now().UnixMilli()
		u, err := url.Parse(target)
		if err != nil {
			return d.errorf(0, false, "parse url: %w", err)
		}
		q := u.Query()
		q.Set("timestamp", strconv.FormatInt(ts, 10))
		q.Set("sign", DingTalkSign(d.cfg.Secret, ts))
		u.RawQuery = q.Encode()
		target = u.String()
	}
	resp, err := d.postJSON(ctx, target, body)
	if err != nil {
		return err
	}
	// 130101: sending too fast (20 messages a minute per robot); -1: busy.
	return checkErrcode(&d.base, resp, 130101, -1)
}

func checkErrcode(b *base, resp []byte, retryable ...int) error {
	var r errcodeResp
	if err := json.Unmarshal(resp, &r); err != nil || r.ErrCode == nil {
		return b.errorf(200, false, "unexpected response %q", snippet(resp))
	}
	if *r.ErrCode == 0 {
		return nil
	}
	e := &Error{Channel: b.cfg.Name, StatusCode: 200, Code: *r.ErrCode, Msg: r.ErrMsg}
	for _, c := range retryable {
		if c == *r.ErrCode {
			e.Retryable = true
		}
	}
	return e
}

// ---- Feishu custom bot ----

type feishu struct{ base }

// FeishuSign returns the sign field of a Feishu bot request: base64 of
// HMAC-SHA256 keyed with timestamp (Unix seconds) + "\n" + secret over an
// empty message.
func FeishuSign(secret string, timestamp int64) string {
	mac := hmac.New(sha256.New, []byte(strconv.FormatInt(timestamp, 10)+"\n"+secret))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

type feishuText struct {
	Tag     string `json:"tag"`
	Content string `json:"content"`
}

type feishuElement struct {
	Tag     string          `json:"tag"`
	Text    *feishuText     `json:"text,omitempty"`
	Actions []feishuElement `json:"actions,omitempty"`
	Type    string          `json:"type,omitempty"`
	URL     string          `json:"url,omitempty"`
}

type feishuBody struct {
	Timestamp string `json:"timestamp,omitempty"`
	Sign      string `json:"sign,omitempty"`
	MsgType   string `json:"msg_type"`
	Card      struct {
		Config struct {
			WideScreenMode bool `json:"wide_screen_mode"`
		} `json:"config"`
		Header struct {
			Template string     `json:"template"`
			Title    feishuText `json:"title"`
		} `json:"header"`
		Elements []feishuElement `json:"elements"`
	} `json:"card"`
}

func feishuTemplate(sev string) string {
	switch sev {
	case SeverityCritical:
		return "red"
	case SeverityWarning:
		return "orange"
	}
	return "blue"
}

func (f *feishu) Send(ctx context.Context, m *Message) error {
	var body feishuBody
	if f.cfg.Secret != "" {
		ts := f.now().Unix()
		body.Timestamp = strconv.FormatInt(ts, 10)
		body.Sign = FeishuSign(f.cfg.Secret, ts)
	}
	body.MsgType = "interactive"
	body.Card.Config.WideScreenMode = true
	body.Card.Header.Template = feishuTemplate(m.Severity)
	body.Card.Header.Title = feishuText{Tag: "plain_text", Content: oneLine(m.Title)}
	els := []feishuElement{{Tag: "div", Text: &feishuText{Tag: "lark_md", Content: mdFields(m.Fields, "**", "\n")}}}
	if len(m.Samples) > 0 {
		els = append(els, feishuElement{Tag: "hr"},
			feishuElement{Tag: "div", Text: &feishuText{Tag: "lark_md", Content: mdSamples(m.Samples, "**", "\n")}})
	}
	if link := httpURL(m.Link); link != "" {
		els = append(els, feishuElement{Tag: "action", Actions: []feishuElement{{
			Tag: "button", Text: &feishuText{Tag: "plain_text", Content: oneLine(linkText(m))}, Type: "primary", URL: link,
		}}})
	}
	body.Card.Elements = els
	resp, err := f.postJSON(ctx, f.cfg.URL, body)
	if err != nil {
		return err
	}
	var r struct {
		Code       *int   `json:"code"`
		Msg        string `json:"msg"`
		StatusCode *int   `json:"StatusCode"`
	}
	if err := json.Unmarshal(resp, &r); err != nil || (r.Code == nil && r.StatusCode == nil) {
		return f.errorf(200, false, "unexpected response %q", snippet(resp))
	}
	code := r.Code
	if code == nil {
		code = r.StatusCode
	}
	if *code == 0 {
		return nil
	}
	// 11232: frequency limited; 9499 bad request, 19021 bad signature,
	// 19024 keyword missing are permanent.
	return &Error{Channel: f.cfg.Name, StatusCode: 200, Code: *code, Msg: r.Msg, Retryable: *code == 11232}
}

// ---- WeCom group robot ----

type weCom struct{ base }

type weComBody struct {
	MsgType  string `json:"msgtype"`
	Markdown struct {
		Content string `json:"content"`
	} `json:"markdown"`
}

func (w *weCom) Send(ctx context.Context, m *Message) error {
	var body weComBody
	body.MsgType = "markdown"
	// Drop samples from the end until the content fits.
	mm := *m
	content := markdown(&mm, "\n")
	for len(content) > weComMaxBytes && len(mm.Samples) > 0 {
		mm.Samples = mm.Samples[:len(mm.Samples)-1]
		content = markdown(&mm, "\n")
	}
	if len(content) > weComMaxBytes {
		content = truncateBytes(content, weComMaxBytes)
	}
	body.Markdown.Content = content
	resp, err := w.postJSON(ctx, w.cfg.URL, body)
	if err != nil {
		return err
	}
	// 45009: API frequency limit (20 messages a minute); -1: busy.
	return checkErrcode(&w.base, resp, 45009, -1)
}

func truncateBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	r := []rune(s)
	for len(string(r)) > n-3 {
		r = r[:len(r)-1]
	}
	return string(r) + "…"
}

// ---- Slack incoming webhook ----

type slack struct{ base }

type slackText struct {
	Type  string `json:"type"`
	Text  string `json:"text"`
	Emoji bool   `json:"emoji,omitempty"`
}

type slackBlock struct {
	Type     string       `json:"type"`
	Text     *slackText   `json:"text,omitempty"`
	Elements []slackBlock `json:"elements,omitempty"`
	URL      string       `json:"url,omitempty"`
	Style    string       `json:"style,omitempty"`
}

type slackBody struct {
	Text   string       `json:"text"`
	Blocks []slackBlock `json:"blocks,omitempty"`
}

// slackEscape escapes the three characters Slack's mrkdwn reserves.
func slackEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

func slackFields(fs []Field) string {
	return joinLines(fs, "\n", func(_ int, f Field) string {
		return "*" + slackEscape(f.Label) + "*: " + slackEscape(oneLine(f.Value))
	})
}

func slackSamples(ss []string) string {
	return joinLines(ss, "\n", func(i int, s string) string {
		return ">" + strconv.Itoa(i+1) + ". " + slackEscape(sampleLine(s))
	})
}

func (s *slack) Send(ctx context.Context, m *Message) error {
	var body slackBody
	if s.cfg.Format == "text" {
		parts := []string{"*" + slackEscape(m.Title) + "*", slackFields(m.Fields)}
		if len(m.Samples) > 0 {
			parts = append(parts, slackSamples(m.Samples))
		}
		if m.Link != "" {
			parts = append(parts, "<"+m.Link+"|"+slackEscape(linkText(m))+">")
		}
		body.Text = strings.Join(parts, "\n")
	} else {
		body.Text = m.Title // notification fallback
		body.Blocks = []slackBlock{
			{Type: "header", Text: &slackText{Type: "plain_text", Text: truncateRunes(m.Title, slackHeaderMax), Emoji: true}},
			{Type: "section", Text: &slackText{Type: "mrkdwn", Text: truncateRunes(slackFields(m.Fields), slackSectionMax)}},
		}
		if len(m.Samples) > 0 {
			body.Blocks = append(body.Blocks, slackBlock{Type: "section", Text: &slackText{Type: "mrkdwn", Text: truncateRunes(slackSamples(m.Samples), slackSectionMax)}})
		}
		if m.Link != "" {
			body.Blocks = append(body.Blocks, slackBlock{Type: "actions", Elements: []slackBlock{{
				Type: "button", Text: &slackText{Type: "plain_text", Text: linkText(m)}, URL: m.Link, Style: "primary",
			}}})
		}
	}
	resp, err := s.postJSON(ctx, s.cfg.URL, body)
	if err != nil {
		return err
	}
	if strings.TrimSpace(string(resp)) != "ok" {
		return s.errorf(200, false, "unexpected response %q", snippet(resp))
	}
	return nil
}

// ---- shared markdown (DingTalk, WeCom, Feishu lark_md) ----

// oneLine joins the words of s with single spaces: newlines and tabs go,
// and control characters are escaped (textsafe.Line).
func oneLine(s string) string {
	return strings.Join(strings.Fields(textsafe.Line(s)), " ")
}

func linkText(m *Message) string {
	if m.LinkText != "" {
		return m.LinkText
	}
	return "查看详情"
}

// mdInert makes plain text inert in the markdown of DingTalk (markdown
// message: links, images, emphasis, headings, quotes, <font> HTML), WeCom
// (markdown message: links, **bold**, `code`, quotes, <font>, <@userid>
// mentions) and Feishu (card lark_md: links, emphasis, ~~strike~~, `code`,
// <at id=all>, <font>, <text_tag>): every character that opens a construct
// inline becomes its full-width form (［a］（x） for [a](x), ＜img＞ for <img>,
// ＊＊ for **), and "://" and "www." lose the ASCII character autolinkers
// look for. None of the three documents an escape that works the same on
// desktop and mobile clients (DingTalk and WeCom document no backslash
// escape; Feishu's entities depend on when the client decodes them), so
// full-width forms are the one escaping that is inert under all three.
// Text never starts a line (oneLine keeps it on the line of a label or
// quote marker), so line-start syntax (#, >, -, 1.) needs no escape.
var mdInert = strings.NewReplacer(
	"\\", "＼", "`", "｀", "*", "＊", "_", "＿", "~", "～",
	"[", "［", "]", "］", "(", "（", ")", "）", "!", "！",
	"<", "＜", ">", "＞", "&", "＆", "|", "｜",
)

// mdText returns customer or data text for the chat markdown: one line,
// control characters escaped, markup inert.
func mdText(s string) string {
	return textsafe.Defang(mdInert.Replace(oneLine(s)))
}

// mdLink returns u for the target of a markdown link, "" when it is not an
// absolute http or https URL. Characters that could end the target or
// start markup ( ) < > space ` and quotes are percent-encoded.
func mdLink(u string) string {
	return linkEscaper.Replace(httpURL(u))
}

// httpURL returns u when it is an absolute http or https URL, else "".
func httpURL(u string) string {
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return ""
	}
	return p.String()
}

var linkEscaper = strings.NewReplacer("(", "%28", ")", "%29", "<", "%3C", ">", "%3E", " ", "%20",
	"`", "%60", "\"", "%22", "'", "%27", "\\", "%5C", "[", "%5B", "]", "%5D", "*", "%2A", "_", "%5F")

func mdFields(fs []Field, bold, sep string) string {
	return joinLines(fs, sep, func(_ int, f Field) string {
		return bold + mdText(f.Label) + bold + "：" + mdText(f.Value)
	})
}

func mdSamples(ss []string, bold, sep string) string {
	head := bold + "样例（已脱敏）" + bold
	if len(ss) == 0 {
		return head
	}
	return head + sep + joinLines(ss, sep, func(i int, s string) string {
		return "> " + strconv.Itoa(i+1) + ". " + mdText(sampleLine(s))
	})
}

// sampleLine is a verbatim as every format quotes it: one line of at most
// sampleRunes runes.
func sampleLine(s string) string { return truncateRunes(oneLine(s), sampleRunes) }

// joinLines renders each item with line and joins them with sep: the
// fields and the samples of every format.
func joinLines[T any](items []T, sep string, line func(i int, item T) string) string {
	var b strings.Builder
	for i, it := range items {
		if i > 0 {
			b.WriteString(sep)
		}
		b.WriteString(line(i, it))
	}
	return b.String()
}

// markdown renders m for DingTalk and WeCom: a heading, the fields, the
// samples as quotes and the link, blocks separated by sep. Only the link
// to voc's own view is markup; every text is mdText.
func markdown(m *Message, sep string) string {
	parts := []string{"### " + mdText(m.Title), mdFields(m.Fields, "**", sep)}
	if len(m.Samples) > 0 {
		parts = append(parts, mdSamples(m.Samples, "**", sep))
	}
	if link := mdLink(m.Link); link != "" {
		parts = append(parts, "["+mdText(linkText(m))+"]("+link+")")
	}
	return strings.Join(parts, sep)
}
