package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runLexicon runs `voc lexicon args...` and returns stdout and the error
// of Run.
func runLexicon(t *testing.T, args ...string) (string, error) {
	t.Helper()
	testAnalyzer(t) // the dictionary loads once per test binary
	var out, errOut bytes.Buffer
	c := &lexiconCmd{env: env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errOut, Getenv: func(string) string { return "" }}}
	err := c.Run(context.Background(), args)
	return out.String(), err
}

// normalizeValidate makes validate output independent of where dir is and
// of what varies with the shipped files and the machine (after the first
// ';' of the summary).
func normalizeValidate(out, dir string) string {
	out = strings.ReplaceAll(out, dir+string(filepath.Separator), "")
	out = strings.ReplaceAll(out, dir, "DIR")
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	last := lines[len(lines)-1]
	if i := strings.Index(last, ";"); i >= 0 {
		lines[len(lines)-1] = last[:i]
	}
	return strings.Join(lines, "\n") + "\n"
}

// TestLexiconValidateBad runs `voc lexicon validate` on every directory of
// lexicons/testdata/bad and compares the output with its expected file
// (refresh with -update); the exit status must match the error count.
func TestLexiconValidateBad(t *testing.T) {
	dirs, err := filepath.Glob("../../lexicons/testdata/bad/*")
	if err != nil || len(dirs) < 8 {
		t.Fatalf("bad lexicon cases: %v, %v", dirs, err)
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			out, err := runLexicon(t, "validate", dir)
			got := normalizeValidate(out, dir)
			golden := filepath.Join(dir, "expected")
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, rerr := os.ReadFile(golden)
			if rerr != nil {
				t.Fatal(rerr)
			}
			if got != string(want) {
				t.Errorf("output:\n%s\nwant:\n%s", got, want)
			}
			hasErrors := !strings.Contains(got, ": 0 errors,")
			if (err != nil) != hasErrors {
				t.Errorf("Run error %v with output claiming errors=%v", err, hasErrors)
			}
			if err != nil && errors.Is(err, errUsage) {
				t.Errorf("a bad lexicon is no usage error: %v", err)
			}
		})
	}
}

// TestLexiconValidateShipped: the shipped lexicons have warnings at most,
// and --format json lists them with file and line.
func TestLexiconValidateShipped(t *testing.T) {
	out, err := runLexicon(t, "validate")
	if err != nil {
		t.Fatalf("shipped lexicons: %v\n%s", err, out)
	}
	if !strings.Contains(out, "the shipped lexicons: 0 errors,") {
		t.Errorf("summary: %s", out)
	}
	js, err := runLexicon(t, "validate", "--format", "json", "embedded")
	if err != nil || !strings.HasPrefix(js, "[") || !strings.Contains(js, `"file": "embedded/taxonomy.tsv"`) {
		t.Errorf("json: %v\n%.300s", err, js)
	}
}

// TestLexiconTest runs the shipped test lines (make test covers them here)
// and an overlay whose tests fail.
func TestLexiconTest(t *testing.T) {
	out, err := runLexicon(t, "test")
	if err != nil {
		t.Fatalf("shipped lexicon tests: %v\n%s", err, out)
	}
	if !strings.Contains(out, " 0 failed") {
		t.Errorf("summary: %s", out)
	}

	dir := t.TempDir()
	tests := "# source: test\n" +
		"#test\t快递太慢了\t物流/配送慢-\tsentiment=negative\n" +
		"#test\t快递太慢了\t物流/配送快+\n" +
		"#test\t包装很好\tsentiment=negative\ttodo\n" +
		"#test\t包装很好\n"
	if err := os.WriteFile(filepath.Join(dir, "tests.txt"), []byte(tests), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err = runLexicon(t, "test", "--run", "tests.txt", dir)
	if err == nil || err.Error() != "2 tests failed" {
		t.Errorf("error %v, want 2 tests failed", err)
	}
	p := filepath.Join(dir, "tests.txt")
	for _, want := range []string{
		p + ":5: FAIL test: want #test, TAB, text, TAB, expectations (no TAB after the text)\n",
		p + ":3: FAIL 快递太慢了\n\twant 物流/配送快+\n\tgot: 物流/配送慢-@快递 (太慢了), sentiment=negative",
		": 1 passed, 2 failed, 1 todo",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "taxonomy.tsv") {
		t.Errorf("--run tests.txt ran other files:\n%s", out)
	}
}

// TestLexiconCarsExample validates and tests the overlay of the guide
// docs/extending-lexicons.md.
func TestLexiconCarsExample(t *testing.T) {
	dir := "../../docs/examples/cars"
	out, err := runLexicon(t, "validate", dir)
	if err != nil || !strings.Contains(out, dir+" over the shipped lexicons: 0 errors, 0 warnings") {
		t.Errorf("validate %s: %v\n%s", dir, err, out)
	}
	out, err = runLexicon(t, "test", "-v", dir)
	if err != nil || !strings.Contains(out, " 0 failed") {
		t.Errorf("test %s: %v\n%s", dir, err, out)
	}
	if n := strings.Count(out, filepath.Join(dir, "taxonomy.tsv")+":"); n < 15 {
		t.Errorf("%d test lines of the car taxonomy ran, want at least 15", n)
	}
}

func TestLexiconUsage(t *testing.T) {
	for _, args := range [][]string{nil, {"frobnicate"}, {"validate", "a", "b"}, {"validate", "/no/such/dir"}, {"test", "--run", "("}} {
		_, err := runLexicon(t, args...)
		if err == nil {
			t.Errorf("%q: no error", args)
		}
	}
	if _, err := runLexicon(t, "validate", "a", "b"); !errors.Is(err, errUsage) {
		t.Errorf("two directories: %v, want a usage error", err)
	}
}
