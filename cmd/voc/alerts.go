package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/vocproject/voc/alerts"
	"github.com/vocproject/voc/alerts/detect"
	"github.com/vocproject/voc/alerts/notify"
	"github.com/vocproject/voc/internal/textsafe"
	"github.com/vocproject/voc/store/ch"
)

// alertsCmd is "voc alerts": replay the detector over stored data, list
// alerts, acknowledge and resolve them, test a channel.
type alertsCmd struct{ env env }

const alertsUsage = `usage: voc alerts <subcommand> [flags]

subcommands:
  test     replay a time range from ClickHouse and print the alerts that would have fired (sends nothing)
  list     list alerts and their status
  ack      acknowledge alerts: voc alerts ack [--config FILE] ID...
  resolve  resolve alerts: voc alerts resolve [--config FILE] ID...
  ping     send a test message to one channel: voc alerts ping --config FILE --channel NAME

Every subcommand reads the clickhouse: and alerts: sections of --config
(voc's YAML configuration); the ClickHouse password may come from
VOC_CLICKHOUSE_PASSWORD.`

func (c *alertsCmd) Run(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprintln(c.env.Stderr, alertsUsage)
		if len(args) == 0 {
			return fmt.Errorf("%w: missing subcommand", errUsage)
		}
		return nil
	}
	switch args[0] {
	case "test":
		return c.test(ctx, args[1:])
	case "list":
		return c.list(ctx, args[1:])
	case "ack":
		return c.setStatus(ctx, args[1:], detect.StatusAcknowledged)
	case "resolve":
		return c.setStatus(ctx, args[1:], detect.StatusResolved)
	case "ping":
		return c.ping(ctx, args[1:])
	}
	fmt.Fprintln(c.env.Stderr, alertsUsage)
	return fmt.Errorf("%w: unknown subcommand %q", errUsage, args[0])
}

// alertsFile is the part of voc's configuration file the alerts commands
// read.
type alertsFile struct {
	ClickHouse struct {
		Addrs    []string `yaml:"addrs"`
		Database string   `yaml:"database"`
		Username string   `yaml:"username"`
		Password string   `yaml:"password"`
	} `yaml:"clickhouse"`
	Alerts yaml.Node `yaml:"alerts"`
}

// loadAlertsConfig reads path (empty: defaults) into the ClickHouse and
// alerts configurations.
func loadAlertsConfig(path string, e env) (ch.Config, alerts.Config, error) {
	var f alertsFile
	if path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			return ch.Config{}, alerts.Config{}, fmt.Errorf("read config: %w", err)
		}
		if err := yaml.Unmarshal(data, &f); err != nil {
			return ch.Config{}, alerts.Config{}, fmt.Errorf("config %s: %w", path, err)
		}
	}
	ac, err := alerts.FromNode(&f.Alerts)
	if err != nil {
		return ch.Config{}, alerts.Config{}, fmt.Errorf("config %s: %w", path, err)
	}
	cc := ch.Config{Addrs: f.ClickHouse.Addrs, Database: f.ClickHouse.Database, Username: f.ClickHouse.Username, Password: f.ClickHouse.Password}
	if e.Getenv != nil {
		if p := e.Getenv("VOC_CLICKHOUSE_PASSWORD"); p != "" {
			cc.Password = p
		}
	}
	if err := cc.Validate(); err != nil {
		return ch.Config{}, alerts.Config{}, fmt.Errorf("config %s: %w", path, err)
	}
	return cc, ac, nil
}

// openStore reads the configuration at path and opens the alert store it
// names; the caller closes the store.
func (c *alertsCmd) openStore(ctx context.Context, path string) (*alerts.Store, alerts.Config, error) {
	cc, ac, err := loadAlertsConfig(path, c.env)
	if err != nil {
		return nil, alerts.Config{}, err
	}
	store, err := alerts.OpenStore(ctx, cc)
	if err != nil {
		return nil, alerts.Config{}, err
	}
	return store, ac, nil
}

func (c *alertsCmd) flags(name, usage string) (*flag.FlagSet, *string) {
	fs := newFlagSet("voc alerts "+name, c.env, usage)
	path := fs.String("config", "", "configuration `file` (YAML with clickhouse: and alerts: sections); default: built-in defaults")
	return fs, path
}

// alertTime parses RFC 3339, or a date or "date hh:mm" in loc.
func alertTime(s string, loc *time.Location) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	for _, layout := range []string{"2006-01-02 15:04", "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not RFC 3339, 2006-01-02 or 2006-01-02 15:04", s)
}

func location(ac alerts.Config) *time.Location {
	name := ac.WithDefaults().Timezone
	if loc, err := time.LoadLocation(name); err == nil {
		return loc
	}
	return time.FixedZone("CST", 8*3600)
}

func (c *alertsCmd) test(ctx context.Context, args []string) error {
	fs, path := c.flags("test", "usage: voc alerts test [--config FILE] --from TIME [--to TIME] [--step 1h] [--samples] [--json]\n\n"+
		"Replays [from, to) from ClickHouse: evaluates the detector every step with the configured\n"+
		"thresholds and prints the alerts that would have fired, their routes and the VIP and\n"+
		"escalation messages of the range. Sends nothing, writes nothing. Times without a zone\n"+
		"are in alerts.timezone.\n")
	from := fs.String("from", "", "start of the range (required)")
	to := fs.String("to", "", "end of the range (default now)")
	step := fs.Duration("step", time.Hour, "time between evaluations")
	samples := fs.Bool("samples", false, "fetch sample verbatims for each alert")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	immediate := fs.Int("immediate", 20, "print at most this many VIP/escalation messages")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	cc, ac, err := loadAlertsConfig(*path, c.env)
	if err != nil {
		return err
	}
	loc := location(ac)
	if *from == "" {
		return fmt.Errorf("%w: --from is required", errUsage)
	}
	f, err := alertTime(*from, loc)
	if err != nil {
		return fmt.Errorf("%w: --from: %v", errUsage, err)
	}
	t := time.Now()
	if *to != "" {
		if t, err = alertTime(*to, loc); err != nil {
			return fmt.Errorf("%w: --to: %v", errUsage, err)
		}
	}
	if !t.After(f) {
		return fmt.Errorf("%w: --to must be after --from", errUsage)
	}
	if *step < time.Minute {
		return fmt.Errorf("%w: --step must be at least 1m", errUsage)
	}
	store, err := alerts.OpenStore(ctx, cc)
	if err != nil {
		return err
	}
	defer store.Close()
	res, err := alerts.Replay(ctx, store, ac, f, t, alerts.ReplayOptions{Step: *step, Samples: *samples, ImmediateLimit: max(*immediate, 1)})
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(c.env.Stdout, res)
	}
	printReplay(c.env.Stdout, res, loc, *immediate)
	return nil
}

func printReplay(w io.Writer, res *alerts.ReplayResult, loc *time.Location, immediate int) {
	ts := func(t time.Time) string {
		if t.IsZero() {
			return "open"
		}
		return t.In(loc).Format("01-02 15:04")
	}
	fmt.Fprintf(w, "replayed %s – %s (%s) every %s: %d series watched, %d alerts, %d VIP/escalation messages\n",
		res.From.In(loc).Format("2006-01-02 15:04"), res.To.In(loc).Format("2006-01-02 15:04"), loc, res.Step, res.Series, len(res.Alerts), res.ImmediateTotal)
	if len(res.Alerts) > 0 {
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "\nOPENED\tKIND\tSERIES\tWINDOW\tOBSERVED\tEXPECTED\tRATIO\tP\tRESOLVED\tROUTE")
		for _, a := range res.Alerts {
			route := a.Team
			if route == "" {
				route = "(unrouted)"
			}
			if len(a.Channels) > 0 {
				route += " → " + strings.Join(a.Channels, ",")
			}
			route = textsafe.Line(route)
			ratio := "-"
			if a.Ratio > 0 {
				ratio = fmt.Sprintf("%.1f", a.Ratio)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%.2f\t%.2f\t%s\t%.1e\t%s\t%s\n", ts(a.DetectedAt), textsafe.Line(a.Kind), textsafe.Line(a.Series), textsafe.Line(a.Window),
				a.Observed, a.Expected, ratio, a.PValue, ts(a.ResolvedAt), route)
		}
		tw.Flush()
		for _, a := range res.Alerts {
			for _, s := range a.Samples {
				fmt.Fprintf(w, "  %s  %s: %s\n", textsafe.Line(a.ID), textsafe.Line(s.ID), textsafe.Line(s.Text))
			}
		}
	}
	if res.ImmediateTotal > 0 && immediate > 0 {
		fmt.Fprintf(w, "\nVIP/escalation messages (%d", res.ImmediateTotal)
		if res.ImmediateTotal > len(res.Immediate) {
			fmt.Fprintf(w, ", first %d", len(res.Immediate))
		}
		fmt.Fprintln(w, "):")
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		for i, a := range res.Immediate {
			if i >= immediate {
				break
			}
			r := a.Record
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s · %s\t%s\t%s\n", ts(r.CreatedAt), textsafe.Line(a.Kind), textsafe.Line(r.ID),
				textsafe.Line(r.Product), textsafe.Line(r.Channel), textsafe.Line(strings.Join(r.PainPoints, ",")), truncateText(r.Text, 60))
		}
		tw.Flush()
	}
}

// truncateText is s on one line, control characters escaped, cut to n
// runes.
func truncateText(s string, n int) string {
	s = strings.Join(strings.Fields(textsafe.Line(s)), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

func (c *alertsCmd) list(ctx context.Context, args []string) error {
	fs, path := c.flags("list", "usage: voc alerts list [--config FILE] [--all] [--since 168h] [--json]\n\n"+
		"Lists open and acknowledged alerts (with --all also resolved ones) opened within --since.\n")
	all := fs.Bool("all", false, "include resolved alerts")
	since := fs.Duration("since", 7*24*time.Hour, "only alerts opened within this long")
	asJSON := fs.Bool("json", false, "print alerts as JSON Lines")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	store, ac, err := c.openStore(ctx, *path)
	if err != nil {
		return err
	}
	defer store.Close()
	if err := store.Migrate(ctx); err != nil {
		return err
	}
	f := alerts.StateFilter{OpenedSince: time.Now().Add(-*since)}
	if !*all {
		f.Statuses = []string{detect.StatusOpen, detect.StatusAcknowledged}
	}
	sts, err := store.States(ctx, f)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSONLines(c.env.Stdout, sts)
	}
	return printStates(c.env.Stdout, sts, location(ac))
}

// printStates prints alert states as a table; every stored string is
// printed through textsafe.Line (alert ids, titles and series hold
// product and channel names from the data).
func printStates(w io.Writer, sts []*alerts.State, loc *time.Location) error {
	if len(sts) == 0 {
		_, err := fmt.Fprintln(w, "no alerts")
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTATUS\tOPENED\tLAST FIRING\tKIND\tTEAM\tDELIVERED\tTITLE")
	for _, st := range sts {
		delivered := "no"
		if st.Delivered {
			delivered = "yes"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", textsafe.Line(st.ID), textsafe.Line(st.Status), st.OpenedAt.In(loc).Format("01-02 15:04"),
			st.LastFiring.In(loc).Format("01-02 15:04"), textsafe.Line(st.Kind), textsafe.Line(st.Team), delivered, textsafe.Line(st.Title))
	}
	return tw.Flush()
}

func (c *alertsCmd) setStatus(ctx context.Context, args []string, status string) error {
	verb := map[string]string{detect.StatusAcknowledged: "ack", detect.StatusResolved: "resolve"}[status]
	fs, path := c.flags(verb, fmt.Sprintf("usage: voc alerts %s [--config FILE] ID...\n", verb))
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return fmt.Errorf("%w: no alert id", errUsage)
	}
	store, _, err := c.openStore(ctx, *path)
	if err != nil {
		return err
	}
	defer store.Close()
	for _, id := range fs.Args() {
		st, err := store.SetStatus(ctx, id, status, time.Now())
		if err != nil {
			return err
		}
		fmt.Fprintf(c.env.Stdout, "%s %s: %s\n", textsafe.Line(st.ID), textsafe.Line(st.Status), textsafe.Line(st.Title))
	}
	return nil
}

func (c *alertsCmd) ping(ctx context.Context, args []string) error {
	fs, path := c.flags("ping", "usage: voc alerts ping --config FILE --channel NAME\n\nSends a test message to one configured channel.\n")
	name := fs.String("channel", "", "channel name (required)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *name == "" {
		return fmt.Errorf("%w: --channel is required", errUsage)
	}
	_, ac, err := loadAlertsConfig(*path, c.env)
	if err != nil {
		return err
	}
	for _, ch := range ac.Channels {
		if ch.Name != *name {
			continue
		}
		s, err := notify.New(ch, notify.Options{})
		if err != nil {
			return err
		}
		m := &notify.Message{ID: "ping", Title: "【voc】告警通道测试", Severity: notify.SeverityInfo,
			Fields: []notify.Field{{Label: "通道", Value: ch.Name + " (" + ch.Type + ")"}, {Label: "时间", Value: time.Now().In(location(ac)).Format("2006-01-02 15:04:05")}}}
		n, err := notify.Deliver(ctx, s, m, ac.Retry)
		if err != nil {
			return fmt.Errorf("ping %s after %d attempts: %w", ch.Name, n, err)
		}
		fmt.Fprintf(c.env.Stdout, "sent a test message to %s (%s)\n", ch.Name, ch.Type)
		return nil
	}
	return fmt.Errorf("%w: no channel %q in alerts.channels", errUsage, *name)
}
