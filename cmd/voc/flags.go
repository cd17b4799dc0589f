package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// newFlagSet returns the flag set of a subcommand: errors go to e.Stderr,
// and -h prints the usage lines, then the flags.
func newFlagSet(name string, e env, usage ...string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.Stderr)
	fs.Usage = func() {
		for _, l := range usage {
			fmt.Fprintln(e.Stderr, l)
		}
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args into fs. After -h it returns flag.ErrHelp (voc
// exits 0, the usage printed); any other error is a usage error (exit 2).
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	return nil
}

// parseNoArgs is parseFlags for a command that takes no arguments besides
// its flags.
func parseNoArgs(fs *flag.FlagSet, args []string) error {
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, fs.Arg(0))
	}
	return nil
}

// checkFormat is a usage error unless format (the --format flag) is one of
// want.
func checkFormat(format string, want ...string) error {
	if slices.Contains(want, format) {
		return nil
	}
	return fmt.Errorf("%w: --format %q: want %s", errUsage, format, strings.Join(want, " or "))
}

// parseDate reads a time flag: RFC 3339, or a date (2006-01-02) at
// midnight in loc; "" is the zero time.
func parseDate(s string, loc *time.Location) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	t, err := time.ParseInLocation(time.DateOnly, s, loc)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not RFC 3339 or 2006-01-02", s)
	}
	return t, nil
}

// parseDateFlag is parseDate for the value s of the flag --name; a bad
// value is a usage error.
func parseDateFlag(name, s string, loc *time.Location) (time.Time, error) {
	t, err := parseDate(s, loc)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: --%s: %w", errUsage, name, err)
	}
	return t, nil
}

// writeJSON writes v to w as indented JSON without HTML escaping (the
// --format json and --json output of the commands).
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// writeJSONLines writes each of vs to w as one line of JSON without HTML
// escaping.
func writeJSONLines[T any](w io.Writer, vs []T) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for _, v := range vs {
		if err := enc.Encode(v); err != nil {
			return err
		}
	}
	return nil
}
