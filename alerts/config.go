package alerts

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/vocproject/voc/alerts/detect"
	"github.com/vocproject/voc/alerts/notify"
	"github.com/vocproject/voc/internal/fielderr"
)

// Kinds of alerts: the detector's (detect.KindSpike, detect.KindNewPainPoint,
// detect.KindSentimentDrop) and the immediate ones.
const (
	KindSpike         = detect.KindSpike
	KindNewPainPoint  = detect.KindNewPainPoint
	KindSentimentDrop = detect.KindSentimentDrop
	// KindVIP is a negative message from a customer of a watched tier.
	KindVIP = "vip"
	// KindEscalation is a message with escalation language (12315, 曝光,
	// 律师 …), flagged by the analyzer.
	KindEscalation = "escalation"
)

// Kinds lists every alert kind.
var Kinds = []string{KindSpike, KindNewPainPoint, KindSentimentDrop, KindVIP, KindEscalation}

// Config configures alerting: detection, routing and channels. It is the
// `alerts:` section of voc's YAML configuration. The zero value of each
// field means its default.
type Config struct {
	// Enabled runs the alert service inside `voc run`. Default false.
	Enabled bool `yaml:"enabled"`
	// Interval is the time between evaluations. Default 1m.
	Interval time.Duration `yaml:"interval"`
	// DashboardURL is the drill-down view alerts link to, with the
	// alert's filters as query parameters (kind, category, subcategory,
	// product, channel, from, to, alert). Default none: no link.
	DashboardURL string `yaml:"dashboard_url"`
	// Timezone is the IANA zone of the times shown in messages. Default
	// "Asia/Shanghai".
	Timezone string `yaml:"timezone"`
	// Samples is the number of masked sample verbatims per alert, 1-5.
	// Default 3.
	Samples int `yaml:"samples"`
	// Detector configures anomaly detection.
	Detector detect.Config `yaml:"detector"`
	// Cooldown is the least time between two alerts on related series.
	// Default 6h.
	Cooldown time.Duration `yaml:"cooldown"`
	// ResolveAfter resolves an alert once its series stayed quiet this
	// long. Default 2h.
	ResolveAfter time.Duration `yaml:"resolve_after"`
	// NotifyResolved also sends a message when an alert resolves.
	// Default false.
	NotifyResolved bool `yaml:"notify_resolved"`
	// Immediate configures the alerts on single messages.
	Immediate Immediate `yaml:"immediate"`
	// Channels are the places alerts are sent to.
	Channels []notify.Config `yaml:"channels"`
	// Teams own alerts and name the channels they read.
	Teams []Team `yaml:"teams"`
	// Routes map alerts to teams, first match wins.
	Routes []Route `yaml:"routes"`
	// DefaultTeam receives the alerts no route matches. Default none:
	// such alerts are recorded (alert_state, alert_events) but not sent.
	DefaultTeam string `yaml:"default_team"`
	// Retry configures the retries of a failed send.
	Retry notify.Retry `yaml:"retry"`
	// ClaimSettle is how long a process waits between claiming an alert
	// and reading back the claims of other processes (see docs/alerts.md).
	// It must exceed the ClickHouse server's one-second timestamp
	// resolution plus insert latency. Default 2s.
	ClaimSettle time.Duration `yaml:"claim_settle"`
}

// Immediate configures alerts on single messages.
type Immediate struct {
	// Disabled turns immediate alerts off. Default false.
	Disabled bool `yaml:"disabled"`
	// Tiers are the customer tiers whose negative messages (negative
	// sentiment or intent 投诉) alert at once. Default ["vip"].
	Tiers []string `yaml:"tiers"`
	// IgnoreEscalation turns off the alerts on messages with escalation
	// language (12315, 曝光, 律师 …). Default false: they alert.
	IgnoreEscalation bool `yaml:"ignore_escalation"`
	// MaxAge skips messages created longer ago than this (backfills).
	// Default 24h.
	MaxAge time.Duration `yaml:"max_age"`
	// MaxPerEvaluation caps the messages alerted per evaluation; the rest
	// wait for the next one, oldest first. Default 20.
	MaxPerEvaluation int `yaml:"max_per_evaluation"`
}

// Team owns alerts.
type Team struct {
	// Name identifies the team in routes. Required.
	Name string `yaml:"name"`
	// Channels receive the team's alerts. Required.
	Channels []string `yaml:"channels"`
}

// Route sends matching alerts to a team. Empty matchers match anything.
type Route struct {
	// Kinds restricts the route to these alert kinds (spike,
	// new_pain_point, sentiment_drop, vip, escalation). Default all.
	Kinds []string `yaml:"kinds"`
	// Category matches the alert's pain point by category (物流) or
	// category/subcategory (物流/配送慢). An alert without a pain point
	// (complaints, sentiment) matches only routes without a category.
	// Default any.
	Category string `yaml:"category"`
	// Product matches the alert's product exactly. Default any.
	Product string `yaml:"product"`
	// FeedbackChannel matches the alert's feedback channel (ecommerce,
	// chat …) exactly. Default any.
	FeedbackChannel string `yaml:"feedback_channel"`
	// Team owns the matching alerts; its channels receive them.
	Team string `yaml:"team"`
	// Channels receive the matching alerts besides the team's.
	Channels []string `yaml:"channels"`
}

// ConfigError names the offending field of an invalid Config, e.g.
// alerts.routes[2].channels[0].
type ConfigError struct {
	Field string
	Err   error
}

func (e *ConfigError) Error() string { return "alerts." + e.Field + ": " + e.Err.Error() }
func (e *ConfigError) Unwrap() error { return e.Err }

func configErr(field string, format string, a ...any) error {
	return &ConfigError{Field: field, Err: fmt.Errorf(format, a...)}
}

// nestedErr reports err, the error of validating the section at field (the
// detector, a channel, the retry policy), naming the section's offending
// field relative to Config when err names one.
func nestedErr(field string, err error) error {
	var fe *fielderr.Error
	if errors.As(err, &fe) {
		return &ConfigError{Field: field + "." + fe.Field, Err: fe.Err}
	}
	return &ConfigError{Field: field, Err: err}
}

// WithDefaults returns c with defaults filled in.
func (c Config) WithDefaults() Config {
	if c.Interval == 0 {
		c.Interval = time.Minute
	}
	if c.Timezone == "" {
		c.Timezone = "Asia/Shanghai"
	}
	if c.Samples == 0 {
		c.Samples = 3
	}
	c.Detector = c.Detector.WithDefaults()
	p := c.policy()
	c.Cooldown, c.ResolveAfter = p.Cooldown, p.ResolveAfter
	if len(c.Immediate.Tiers) == 0 {
		c.Immediate.Tiers = []string{"vip"}
	}
	if c.Immediate.MaxAge == 0 {
		c.Immediate.MaxAge = 24 * time.Hour
	}
	if c.Immediate.MaxPerEvaluation == 0 {
		c.Immediate.MaxPerEvaluation = 20
	}
	c.Retry = c.Retry.WithDefaults()
	if c.ClaimSettle == 0 {
		c.ClaimSettle = 2 * time.Second
	}
	return c
}

func (c Config) policy() detect.Policy {
	return detect.Policy{Cooldown: c.Cooldown, ResolveAfter: c.ResolveAfter}.WithDefaults()
}

// Validate reports the first invalid field.
func (c Config) Validate() error {
	if c.Interval < 0 || (c.Interval > 0 && c.Interval < time.Second) {
		return configErr("interval", "%s is below 1s", c.Interval)
	}
	if c.DashboardURL != "" {
		u, err := url.Parse(c.DashboardURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return configErr("dashboard_url", "want an http or https URL, got %q", c.DashboardURL)
		}
	}
	if c.Timezone != "" {
		if _, err := loadLocation(c.Timezone); err != nil {
			return configErr("timezone", "unknown time zone %q", c.Timezone)
		}
	}
	if c.Samples < 0 || c.Samples > 5 {
		return configErr("samples", "%d is outside 1-5", c.Samples)
	}
	if err := c.Detector.Validate(); err != nil {
		return nestedErr("detector", err)
	}
	if c.Cooldown < 0 {
		return configErr("cooldown", "must not be negative")
	}
	if c.ResolveAfter < 0 {
		return configErr("resolve_after", "must not be negative")
	}
	im := c.Immediate
	for i, t := range im.Tiers {
		if strings.TrimSpace(t) == "" {
			return configErr(fmt.Sprintf("immediate.tiers[%d]", i), "empty tier")
		}
	}
	if im.MaxAge < 0 {
		return configErr("immediate.max_age", "must not be negative")
	}
	if im.MaxPerEvaluation < 0 {
		return configErr("immediate.max_per_evaluation", "must not be negative")
	}
	channels := map[string]bool{}
	for i, ch := range c.Channels {
		if err := ch.Validate(); err != nil {
			return nestedErr(fmt.Sprintf("channels[%d]", i), err)
		}
		if channels[ch.Name] {
			return configErr(fmt.Sprintf("channels[%d].name", i), "duplicate channel %q", ch.Name)
		}
		channels[ch.Name] = true
	}
	checkChannels := func(field string, names []string) error {
		for j, n := range names {
			if !channels[n] {
				return configErr(fmt.Sprintf("%s[%d]", field, j), "unknown channel %q", n)
			}
		}
		return nil
	}
	teams := map[string]bool{}
	for i, t := range c.Teams {
		if strings.TrimSpace(t.Name) == "" {
			return configErr(fmt.Sprintf("teams[%d].name", i), "required")
		}
		if teams[t.Name] {
			return configErr(fmt.Sprintf("teams[%d].name", i), "duplicate team %q", t.Name)
		}
		teams[t.Name] = true
		if len(t.Channels) == 0 {
			return configErr(fmt.Sprintf("teams[%d].channels", i), "required")
		}
		if err := checkChannels(fmt.Sprintf("teams[%d].channels", i), t.Channels); err != nil {
			return err
		}
	}
	for i, r := range c.Routes {
		f := fmt.Sprintf("routes[%d]", i)
		for j, k := range r.Kinds {
			if !slices.Contains(Kinds, k) {
				return configErr(fmt.Sprintf("%s.kinds[%d]", f, j), "unknown kind %q (want one of %s)", k, strings.Join(Kinds, ", "))
			}
		}
		if r.Category != "" {
			cat, sub, hasSub := strings.Cut(r.Category, "/")
			if cat == "" || (hasSub && (sub == "" || strings.Contains(sub, "/"))) {
				return configErr(f+".category", "want category or category/subcategory, got %q", r.Category)
			}
		}
		if r.Team == "" && len(r.Channels) == 0 {
			return configErr(f, "needs a team or channels")
		}
		if r.Team != "" && !teams[r.Team] {
			return configErr(f+".team", "unknown team %q", r.Team)
		}
		if err := checkChannels(f+".channels", r.Channels); err != nil {
			return err
		}
	}
	if c.DefaultTeam != "" && !teams[c.DefaultTeam] {
		return configErr("default_team", "unknown team %q", c.DefaultTeam)
	}
	if err := c.Retry.Validate(); err != nil {
		return nestedErr("retry", err)
	}
	if c.ClaimSettle < 0 || (c.ClaimSettle > 0 && c.ClaimSettle < time.Second) || c.ClaimSettle > time.Minute {
		return configErr("claim_settle", "%s is outside 1s-1m", c.ClaimSettle)
	}
	return nil
}

// Load reads a YAML document holding the alerts configuration (the
// content of the `alerts:` section), rejecting unknown fields, and
// validates it. An empty document is the default configuration.
func Load(r io.Reader) (Config, error) {
	var c Config
	dec := yaml.NewDecoder(r)
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil && !errors.Is(err, io.EOF) {
		return Config{}, fmt.Errorf("alerts: config: %w", err)
	}
	if err := c.Validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}

// FromNode decodes and validates the `alerts:` node of a larger YAML
// document (as internal/config keeps it). A nil or empty node is the
// default configuration.
func FromNode(n *yaml.Node) (Config, error) {
	if n == nil || n.Kind == 0 {
		return Config{}, nil
	}
	data, err := yaml.Marshal(n)
	if err != nil {
		return Config{}, fmt.Errorf("alerts: config: %w", err)
	}
	return Load(bytes.NewReader(data))
}

// loadLocation loads an IANA zone; Asia/Shanghai falls back to a fixed
// +08:00 zone where the system has no zone database.
func loadLocation(name string) (*time.Location, error) {
	loc, err := time.LoadLocation(name)
	if err != nil && (name == "Asia/Shanghai" || name == "PRC") {
		return time.FixedZone("CST", 8*3600), nil
	}
	return loc, err
}
