package main

import (
	"bytes"
	"context"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vocproject/voc/internal/gen"
)

// TestDemo runs `voc demo` with its default feed (28 days, 200 a day, seed
// 1): it must process everything, dead-letter every malformed message and
// find the injected spike, first among what changed.
func TestDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("starts clickhouse-server")
	}
	var out, errOut bytes.Buffer
	o := demoOptions{dir: filepath.Join(t.TempDir(), "demo"), days: 28, perDay: 200, partitions: 3, seed: 1,
		listen: "127.0.0.1:0", timeout: 5 * time.Minute}
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()
	if err := runDemo(ctx, o, &out, &errOut); err != nil {
		t.Fatalf("demo: %v\nstdout:\n%s\nstderr:\n%s", err, out.String(), errOut.String())
	}
	s := out.String()
	m := regexp.MustCompile(`produced +(\d+) feedback messages`).FindStringSubmatch(s)
	p := regexp.MustCompile(`processed +(\d+) records`).FindStringSubmatch(s)
	if m == nil || p == nil || m[1] != p[1] {
		t.Errorf("produced %v, processed %v:\n%s", m, p, s)
	}
	if want := len(gen.Poison()); !strings.Contains(s, "dead letters        "+itoa(want)+" in voc.deadletter") {
		t.Errorf("want %d dead letters:\n%s", want, s)
	}
	// The injected spike is listed among the daily spikes with its day.
	spikes := s[strings.Index(s, "== Daily spikes"):]
	head := strings.SplitN(spikes, "\n", 2)[0]
	day := regexp.MustCompile(`on (\d{4}-\d{2}-\d{2})`).FindStringSubmatch(head)
	// It is the first thing that changed, on its day: for the product, or
	// for the channel that holds two thirds of its excess (which one
	// depends on the day the demo runs).
	changed := s[strings.Index(s, "== What changed"):]
	if day == nil || !regexp.MustCompile(`^== What changed.*\n  1\. 质量/漏液 · SKU-1001 保温杯( · [a-z_]+)?: \d+ records on `+day[1][5:]).MatchString(changed) {
		t.Errorf("the injected spike is not the first change:\n%s", changed)
	}
	if day == nil || !regexp.MustCompile(day[1]+`\s+SKU-1001 保温杯\s+质量/漏液`).MatchString(spikes) {
		t.Errorf("injected spike not detected:\n%s", spikes)
	}
	if !regexp.MustCompile(`Drill-down.*, [1-9]\d* verbatims`).MatchString(s) || !strings.Contains(s, "漏") {
		t.Errorf("drill-down found no verbatims:\n%s", s)
	}
	if strings.Contains(errOut.String(), "level=ERROR") {
		t.Errorf("errors logged:\n%s", errOut.String())
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
