package gen

// This file gives the NLP benchmarks and smoke tests their texts: the
// hand-written reviews kept in the repository, sized inputs built from
// them, and, when the public data sets are on this machine (a "shared"
// directory beside the repository), real reviews and chats. Tests that use
// the shared data must skip when it is absent.

import (
	"bufio"
	"encoding/csv"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"
)

// BenchSizes are the text lengths (in runes) the stage benchmarks run at.
var BenchSizes = []int{20, 100, 1000}

// Lines returns the non-empty, non-comment lines of the file at path.
func Lines(tb TB, path string) []string {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if l := sc.Text(); l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return out
}

// TB is the part of testing.TB that Lines uses (so that the generator,
// which voc demo links, does not import package testing).
type TB interface {
	Helper()
	Fatal(args ...any)
}

// Sized returns n runes of lines joined end to end.
func Sized(lines []string, n int) string {
	var b strings.Builder
	for b.Len() == 0 || utf8.RuneCountInString(b.String()) < n {
		for _, l := range lines {
			b.WriteString(l)
		}
	}
	return string([]rune(b.String())[:n])
}

// SharedDir returns the public data directory (<repo>/../shared/data), or
// "" when it is not there.
func SharedDir() string {
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			d := filepath.Join(dir, "..", "shared", "data")
			if st, err := os.Stat(d); err == nil && st.IsDir() {
				return d
			}
			return ""
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// Shopping returns up to max reviews of the shared online_shopping_10_cats
// set, or nil when it is absent.
func Shopping(max int) []string {
	d := SharedDir()
	if d == "" {
		return nil
	}
	f, err := os.Open(filepath.Join(d, "sentiment", "online_shopping_10_cats.csv"))
	if err != nil {
		return nil
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	var out []string
	for len(out) < max {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil || len(rec) < 3 || rec[2] == "review" {
			continue
		}
		out = append(out, strings.TrimPrefix(rec[2], "\uFEFF"))
	}
	return out
}
