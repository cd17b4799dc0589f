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
	// One selection: a pack the named ones only require runs its tests with
	// its own selection (electronics reads ecommerce's 手机很卡 as 性能), the
	// named pack's with the whole selection.
	for _, pack := range []string{"electronics", "food", "hotel"} {
		out, err := runLexicon(t, "test", "-v", "--pack", pack)
		if err != nil || !strings.Contains(out, " 0 failed") || !strings.Contains(out, "embedded/packs/ecommerce/taxonomy.tsv:") ||
			!strings.Contains(out, "embedded/packs/"+pack+"/taxonomy.tsv:") {
			t.Errorf("test --pack %s: %v\n%.2000s", pack, err, out)
		}
	}
	// The other packs alone: cars builds on none, so the root file's tests
	// run with its ten categories only (a root test of 性能 fails there).
	for _, pack := range []string{"cars", "service"} {
		out, err := runLexicon(t, "test", "--pack", pack)
		if err != nil || !strings.Contains(out, " 0 failed") {
			t.Errorf("test --pack %s: %v\n%.2000s", pack, err, out)
		}
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

// TestLexiconPackWalkthrough runs the commands of the guide
// docs/extending-lexicons.md on the lexicon directory it builds
// (testdata/mylex, pack mycars: the walkthrough's DIR) and checks what the
// guide shows of their output; then the shipped car pack, which the
// walkthrough retraces, through the same commands.
func TestLexiconPackWalkthrough(t *testing.T) {
	pack := filepath.Join(walkDir, "packs", "mycars")

	// 4. validate: clean with the pack's domain_words.txt and sentiment.tsv,
	// and without them the warnings the guide fixes with them.
	out, err := runLexicon(t, "validate", "--pack", "mycars", walkDir)
	if err != nil || !strings.Contains(out, walkDir+" over the shipped lexicons: 0 errors, 0 warnings;") ||
		!strings.Contains(out, "packs mycars, 10 categories,") {
		t.Errorf("validate --pack mycars %s: %v\n%s", walkDir, err, out)
	}
	bare := t.TempDir()
	bareDir := filepath.Join(bare, "packs", "mycars")
	if err := os.MkdirAll(bareDir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"pack.tsv", "taxonomy.tsv"} {
		b, err := os.ReadFile(filepath.Join(pack, f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(bareDir, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out, err = runLexicon(t, "validate", "--pack", "mycars", bare)
	for _, want := range []string{
		`warning: segmentation: aspect "全时四驱" (操控) does not match in 全时四驱棒: the segmenter, not knowing the words, cuts it 全时|四|驱棒 ("驱棒" crosses the term's edge); add "全时四驱" to domain_words.txt`,
		`warning: polarity: "感人" is a - term (油耗/油耗高) but weighs +1 in sentiment.tsv:`,
		" over the shipped lexicons: 0 errors, ",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("validate without domain_words.txt and sentiment.tsv: output lacks %q (%v):\n%s", want, err, out)
		}
	}
	if err != nil {
		t.Errorf("validate without domain_words.txt and sentiment.tsv: %v (warnings only)", err)
	}

	// 5. test: every test line of the pack passes, run against the pack.
	out, err = runLexicon(t, "test", "-v", "--pack", "mycars", walkDir)
	if err != nil || !strings.Contains(out, " 0 failed") {
		t.Errorf("test --pack mycars %s: %v\n%s", walkDir, err, out)
	}
	if n := strings.Count(out, filepath.Join(pack, "taxonomy.tsv")+":"); n < 20 {
		t.Errorf("%d test lines of the mycars taxonomy ran, want at least 20:\n%s", n, out)
	}

	// 6. analyze held-out forum posts with the pack: opinions of the
	// taxonomy, topic mentions, open opinions; side off keeps a mention in
	// a negative clause neutral.
	posts := "保养不贵，就是维修的配件贵，前几天到4s店去做保养。看到一个变速箱电磁阀坏掉。要1万多\n" +
		"现在这车提速慢，油耗增高，不知是什么原因，\n" +
		"斯巴鲁车子空调制冷效果都很好，制冷快。\n" +
		"和我的一样，2.0的。有点烧厉害，换中缸还是换个二手发动机考虑中\n"
	out, err = runAnalyze(t, []byte(posts), "--lexicons", walkDir, "--pack", "mycars", "--input", "text", "--format", "text")
	if err != nil {
		t.Fatalf("analyze: %v\n%s", err, out)
	}
	for _, want := range []string{
		"  pain: ?/配件 [配件+贵]\n  topic: 动力 [变速箱]\n",
		"  pain: 动力/动力弱 [提速+慢]\n  topic: 油耗 [油耗]\n",
		"  praise: 舒适性/舒适 [制冷+快]\n",
		"换中缸还是换个二手发动机考虑中\n  topic: 动力 [发动机]\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("analyze --lexicons %s --pack mycars: output lacks %q:\n%s", walkDir, want, out)
		}
	}

	// The shipped car pack: no errors, every test line passes.
	out, err = runLexicon(t, "validate", "--pack", "cars")
	if err != nil || !strings.Contains(out, "the shipped lexicons: 0 errors,") || !strings.Contains(out, "packs cars, 10 categories,") {
		t.Errorf("validate --pack cars: %v\n%s", err, out)
	}
	out, err = runLexicon(t, "test", "-v", "--pack", "cars")
	if err != nil || !strings.Contains(out, " 0 failed") {
		t.Errorf("test --pack cars: %v\n%s", err, out)
	}
	if n := strings.Count(out, "embedded/packs/cars/taxonomy.tsv:"); n < 50 {
		t.Errorf("%d test lines of the shipped car pack ran, want at least 50", n)
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
