package pii

import (
	"bufio"
	"encoding/csv"
	"io"
	"os"
	"strings"
	"testing"
	"unicode/utf8"
)

// benchSizes are the text lengths (in runes) the benchmarks run at.
var benchSizes = []int{20, 100, 1000}

// reviewLines returns the hand-written reviews of ../segment/testdata/reviews.txt.
func reviewLines(tb testing.TB, path string) []string {
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

// sized returns n runes of the reviews joined end to end.
func sized(lines []string, n int) string {
	var b strings.Builder
	for b.Len() == 0 || utf8.RuneCountInString(b.String()) < n {
		for _, l := range lines {
			b.WriteString(l)
		}
	}
	r := []rune(b.String())
	return string(r[:n])
}

// sharedCorpus returns up to max reviews of the shared online-shopping
// corpus, or nil when it is not on this machine (benchmarks only).
func sharedCorpus(max int) []string {
	f, err := os.Open("/work/shared/data/sentiment/online_shopping_10_cats.csv")
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
