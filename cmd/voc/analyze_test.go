package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/vocproject/voc/feedback"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata/analyze")

// runAnalyze runs `voc analyze args` with stdin and returns stdout and the
// error of Run.
func runAnalyze(t *testing.T, stdin []byte, args ...string) (string, error) {
	t.Helper()
	testAnalyzer(t) // load the dictionary once, outside the measured command
	var out, errOut bytes.Buffer
	c := &analyzeCmd{env: env{Stdin: bytes.NewReader(stdin), Stdout: &out, Stderr: &errOut, Getenv: func(string) string { return "" }}}
	err := c.Run(context.Background(), args)
	return out.String(), err
}

// TestAnalyzeGolden runs every case of testdata/analyze/<case>: input.jsonl
// or input.txt on stdin, optional args, output compared with expected.jsonl
// (expected.txt with --format text). Refresh with -update.
func TestAnalyzeGolden(t *testing.T) {
	dirs, err := filepath.Glob("testdata/analyze/*")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no golden cases: %v", err)
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			in, err := os.ReadFile(filepath.Join(dir, "input.jsonl"))
			if errors.Is(err, os.ErrNotExist) {
				in, err = os.ReadFile(filepath.Join(dir, "input.txt"))
			}
			if err != nil {
				t.Fatal(err)
			}
			args := []string{"--workers", "3"}
			if b, err := os.ReadFile(filepath.Join(dir, "args")); err == nil {
				args = append(args, strings.Fields(string(b))...)
			}
			text := strings.Contains(strings.Join(args, " "), "--format text")
			golden := filepath.Join(dir, "expected.jsonl")
			if text {
				golden = filepath.Join(dir, "expected.txt")
			}
			got, runErr := runAnalyze(t, in, args...)
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("output differs from %s (run with -update if the change is intended):\n%s", golden, lineDiff(string(want), got))
			}
			// Every non-blank input line has one output (JSON format), and
			// the command fails exactly when some line failed.
			nIn := countNonBlank(string(in))
			failed := 0
			if !text {
				lines := strings.Split(strings.TrimSuffix(got, "\n"), "\n")
				if len(lines) != nIn {
					t.Errorf("%d output lines for %d input lines", len(lines), nIn)
				}
				for _, l := range lines {
					var v map[string]any
					if err := json.Unmarshal([]byte(l), &v); err != nil {
						t.Errorf("output line is not JSON: %v: %s", err, l)
					}
					if _, ok := v["error"]; ok {
						failed++
					}
				}
			} else {
				failed = strings.Count(got, "  error ")
			}
			if failed > 0 {
				want := fmt.Sprintf("%d of %d lines failed", failed, nIn)
				if runErr == nil || runErr.Error() != want {
					t.Errorf("Run error %v, want %q", runErr, want)
				}
			} else if runErr != nil {
				t.Errorf("Run: %v", runErr)
			}
		})
	}
}

func countNonBlank(s string) int {
	n := 0
	for _, l := range strings.Split(s, "\n") {
		if strings.TrimSpace(l) != "" {
			n++
		}
	}
	return n
}

// lineDiff shows the first differing lines of two outputs.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	for i := 0; i < len(w) || i < len(g); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			fmt.Fprintf(&b, "line %d:\n- %s\n+ %s\n", i+1, wl, gl)
			if b.Len() > 4000 {
				break
			}
		}
	}
	return b.String()
}

// TestAnalyzeFields checks the JSON output of one message: the input's
// fields kept in their order, unknown ones included, the analysis added,
// the raw text with its PII replaced.
func TestAnalyzeFields(t *testing.T) {
	in := `{"id":"x1","channel":"jd","rating":1,"text":"快递太慢了，电话13812345678","shop":{"name":"旗舰店"},"tags":["a", "b"]}` + "\n"
	got, err := runAnalyze(t, []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(got, "13812345678") {
		t.Errorf("output leaks the phone number: %s", got)
	}
	var keys []string
	if err := eachField([]byte(got), func(k string, _ json.RawMessage) bool { keys = append(keys, k); return true }); err != nil {
		t.Fatal(err)
	}
	want := []string{"id", "channel", "rating", "text", "shop", "tags", "sentiment", "aspects", "intent", "escalation", "pii", "clauses"}
	if strings.Join(keys, ",") != strings.Join(want, ",") {
		t.Errorf("keys %v, want %v", keys, want)
	}
	var v struct {
		ID        string
		Text      string
		Shop      map[string]string
		Tags      []string
		PII       []string
		Sentiment struct{ Label string }
		Aspects   []struct{ Category, Subcategory, Polarity string }
	}
	if err := json.Unmarshal([]byte(got), &v); err != nil {
		t.Fatal(err)
	}
	if v.ID != "x1" || v.Text != "快递太慢了,电话<PHONE>" || v.Shop["name"] != "旗舰店" || len(v.Tags) != 2 {
		t.Errorf("fields not kept: %+v", v)
	}
	if len(v.PII) != 1 || v.PII[0] != "PHONE" || v.Sentiment.Label != "negative" {
		t.Errorf("analysis: pii %v sentiment %v", v.PII, v.Sentiment)
	}
	if len(v.Aspects) == 0 || v.Aspects[0].Category != "物流" || v.Aspects[0].Polarity != "negative" {
		t.Errorf("aspects %+v, want a negative 物流 one", v.Aspects)
	}
	if !strings.Contains(got, `"<PHONE>`) && !strings.Contains(got, `<PHONE>"`) {
		t.Errorf("placeholder is HTML-escaped: %s", got)
	}
}

func TestAnalyzeRatingFlag(t *testing.T) {
	in := []byte(`{"id":"r","rating":1,"text":"收到了"}` + "\n")
	score := func(args ...string) float64 {
		got, err := runAnalyze(t, in, args...)
		if err != nil {
			t.Fatal(err)
		}
		var v struct{ Sentiment struct{ Score float64 } }
		if err := json.Unmarshal([]byte(got), &v); err != nil {
			t.Fatal(err)
		}
		return v.Sentiment.Score
	}
	with, without := score(), score("--rating=false")
	if !(with < without) {
		t.Errorf("1-star rating: score %v, with --rating=false %v; want lower with the rating", with, without)
	}
}

// TestAnalyzeKindFlag: plain-text lines read as chat utterances treat a
// question as an inquiry; JSON lines keep their own kind.
func TestAnalyzeKindFlag(t *testing.T) {
	in := []byte("请问什么时候发货\n" + `{"id":"j","kind":"review","text":"请问什么时候发货"}` + "\n")
	scores := func(args ...string) []float64 {
		got, err := runAnalyze(t, in, args...)
		if err != nil {
			t.Fatal(err)
		}
		var out []float64
		for _, l := range strings.Split(strings.TrimSpace(got), "\n") {
			var v struct{ Sentiment struct{ Score float64 } }
			if err := json.Unmarshal([]byte(l), &v); err != nil {
				t.Fatal(err)
			}
			out = append(out, v.Sentiment.Score)
		}
		return out
	}
	review, chat := scores(), scores("--kind", "chat")
	if len(review) != 2 || len(chat) != 2 {
		t.Fatalf("lines: %v %v", review, chat)
	}
	if review[0] == 0 || chat[0] != 0 {
		t.Errorf("text line: as review %v, as chat %v; want the learned weights, then none", review[0], chat[0])
	}
	if chat[1] != review[1] || chat[1] == 0 {
		t.Errorf("JSON review line: %v with --kind chat, %v without; want its own kind", chat[1], review[1])
	}
	if _, err := analyzeFlags([]string{"--kind", "blog"}, env{Stderr: io.Discard}); !errors.Is(err, errUsage) {
		t.Errorf("--kind blog: err %v, want a usage error", err)
	}
}

// TestAnalyzeOrder checks that many workers keep the output in input order
// and give the same output as one worker.
func TestAnalyzeOrder(t *testing.T) {
	texts := []string{
		"质量不错，但是物流太慢了，等了一个星期才到。",
		"好",
		strings.Repeat("客服态度非常差，问了三遍都不回复。", 40),
		"这款有没有黑色的？",
		"{bad json",
		"包装破损，里面的东西都碎了，要求退货退款，电话13812345678",
	}
	var in bytes.Buffer
	const n = 300
	for i := range n {
		s := texts[i%len(texts)]
		if strings.HasPrefix(s, "{") {
			in.WriteString(s + "\n")
			continue
		}
		b, _ := json.Marshal(map[string]string{"id": fmt.Sprintf("m%03d", i), "text": s})
		in.Write(append(b, '\n'))
	}
	one, err1 := runAnalyze(t, in.Bytes(), "--workers", "1")
	many, err8 := runAnalyze(t, in.Bytes(), "--workers", "8")
	if one != many {
		t.Errorf("output with 8 workers differs from 1 worker:\n%s", lineDiff(one, many))
	}
	wantErr := fmt.Sprintf("%d of %d lines failed", n/len(texts), n)
	for _, err := range []error{err1, err8} {
		if err == nil || err.Error() != wantErr {
			t.Errorf("Run error %v, want %q", err, wantErr)
		}
	}
	sc := bufio.NewScanner(strings.NewReader(many))
	i := 0
	for sc.Scan() {
		var v struct {
			ID   string
			Line int
		}
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(texts[i%len(texts)], "{") {
			if v.Line != i+1 {
				t.Errorf("output %d: error for line %d, want %d", i, v.Line, i+1)
			}
		} else if want := fmt.Sprintf("m%03d", i); v.ID != want {
			t.Errorf("output %d: id %q, want %q", i, v.ID, want)
		}
		i++
	}
	if i != n {
		t.Errorf("%d output lines, want %d", i, n)
	}
}

// TestAnalyzeFiles reads two files and stdin: errors and text lines name
// their file, line numbers count per file.
func TestAnalyzeFiles(t *testing.T) {
	dir := t.TempDir()
	a := filepath.Join(dir, "a.txt")
	b := filepath.Join(dir, "b.jsonl")
	if err := os.WriteFile(a, []byte("物流很快\n\n包装很好\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(b, []byte(`{"id":"k","text":`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := runAnalyze(t, []byte("客服很好\n"), a, b, "-")
	if err == nil || err.Error() != "1 of 4 lines failed" {
		t.Errorf("Run error %v", err)
	}
	var locs []string
	for _, l := range strings.Split(strings.TrimSpace(got), "\n") {
		var v struct {
			File   string
			Line   int
			ID     string
			Reason string
		}
		if err := json.Unmarshal([]byte(l), &v); err != nil {
			t.Fatal(err)
		}
		locs = append(locs, fmt.Sprintf("%s:%d:%s:%s", filepath.Base(v.File), v.Line, v.ID, v.Reason))
	}
	want := "a.txt:1::,a.txt:3::,b.jsonl:1::bad_json,-:1::"
	if strings.Join(locs, ",") != want {
		t.Errorf("locations %v, want %s", locs, want)
	}
	if _, err := runAnalyze(t, nil, filepath.Join(dir, "missing.txt")); err == nil || !strings.Contains(err.Error(), "open input") {
		t.Errorf("missing file: err %v", err)
	}
}

func TestAnalyzeFlags(t *testing.T) {
	for _, tt := range []struct {
		name string
		args []string
		want string // error substring, "" for success
	}{
		{"defaults", nil, ""},
		{"bad format", []string{"--format", "xml"}, "--format"},
		{"bad input", []string{"--input", "csv"}, "--input"},
		{"zero workers", []string{"--workers", "0"}, "--workers"},
		{"bad max", []string{"--max-bytes", "-1"}, "--max-bytes"},
		{"unknown flag", []string{"--nope"}, "nope"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			o, err := analyzeFlags(tt.args, env{Stderr: io.Discard})
			if tt.want == "" {
				if err != nil || o.workers < 1 || o.format != "json" || o.input != inputAuto || !o.rating || o.maxBytes != feedback.DefaultMaxBytes {
					t.Errorf("analyzeFlags = %+v, %v", o, err)
				}
				return
			}
			if !errors.Is(err, errUsage) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err %v, want a usage error naming %s", err, tt.want)
			}
		})
	}
	if _, err := analyzeFlags([]string{"-h"}, env{Stderr: io.Discard}); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("-h: err %v, want flag.ErrHelp", err)
	}
}

func TestAnalyzeInputModes(t *testing.T) {
	in := []byte("{\"id\":\"j\",\"text\":\"很好\"}\n{好评}\n不是 JSON\n")
	for _, tt := range []struct {
		mode string
		want string // reason or "ok" per line
	}{
		{"auto", "ok,bad_json,ok"},
		{"json", "ok,bad_json,bad_json"},
		{"text", "ok,ok,ok"},
	} {
		t.Run(tt.mode, func(t *testing.T) {
			got, _ := runAnalyze(t, in, "--input", tt.mode)
			var rs []string
			for _, l := range strings.Split(strings.TrimSpace(got), "\n") {
				var v struct{ Reason string }
				if err := json.Unmarshal([]byte(l), &v); err != nil {
					t.Fatal(err)
				}
				if v.Reason == "" {
					v.Reason = "ok"
				}
				rs = append(rs, v.Reason)
			}
			if strings.Join(rs, ",") != tt.want {
				t.Errorf("reasons %v, want %s", rs, tt.want)
			}
		})
	}
	// In text mode a JSON line is analysed as text: its id is not read.
	got, _ := runAnalyze(t, in, "--input", "text")
	if strings.Contains(got, `"id":"j"`) {
		t.Errorf("text mode decoded JSON: %s", got)
	}
}

// A text that normalizes to nothing is a no_text error line, as a JSON
// message and as a plain-text line.
func TestAnalyzeEmptyText(t *testing.T) {
	in := []byte("{\"id\":\"m\",\"text\":\"<b></b>\"}\n" +
		"{\"id\":\"z\",\"text\":\"\\u200b\\u200d\"}\n" +
		"{\"id\":\"n\",\"text\":\"\\u0000\"}\n" +
		"{\"id\":\"c\",\"turns\":[{\"role\":\"customer\",\"text\":\"<p></p>\"}]}\n" +
		"<p><br></p>\n" +
		"\u200b\ufeff\n" +
		"{\"id\":\"k\",\"text\":\"<b>好</b>\"}\n")
	got, err := runAnalyze(t, in)
	if err == nil {
		t.Errorf("no error status with error lines")
	}
	var rs []string
	for _, l := range strings.Split(strings.TrimSpace(got), "\n") {
		var v struct{ ID, Reason string }
		if err := json.Unmarshal([]byte(l), &v); err != nil {
			t.Fatal(err)
		}
		if v.Reason == "" {
			v.Reason = "ok"
		}
		rs = append(rs, v.ID+":"+v.Reason)
	}
	if want := "m:no_text,z:no_text,n:no_text,c:no_text,:no_text,:no_text,k:ok"; strings.Join(rs, ",") != want {
		t.Errorf("lines %v, want %s", rs, want)
	}
}

func TestLineReader(t *testing.T) {
	long := strings.Repeat("长", 50) // 150 bytes
	in := "a\r\nb\n\n" + long + "\nc" + strings.Repeat("x", 200<<10) + "\nlast"
	lr := newLineReader(strings.NewReader(in), 100)
	type line struct {
		n    int
		over bool
	}
	var got []line
	var texts []string
	for {
		b, over, err := lr.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, line{len(b), over})
		texts = append(texts, string(b))
	}
	want := []line{{1, false}, {1, false}, {0, false}, {101, true}, {101, true}, {4, false}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("lines %v, want %v", got, want)
	}
	if texts[0] != "a" || texts[1] != "b" || texts[5] != "last" {
		t.Errorf("texts %q", texts)
	}
}

// TestAnalyzeTextFormat checks the human format's parts on one review.
func TestAnalyzeTextFormat(t *testing.T) {
	got, err := runAnalyze(t, []byte(`{"id":"h","text":"质量不错，但是物流太慢了，打12315投诉你们"}`+"\n"), "--format", "text")
	if err != nil {
		t.Fatal(err)
	}
	for _, re := range []string{
		`^#1 h  negative -0\.\d\d 投诉 ESCALATION\n`,
		`\n  质量不错,但是物流太慢了,打12315投诉你们\n`,
		`\n  pain: 物流/配送慢 \[物流\+[^\]]*慢[^\]]*\]\n`,
		`\n  praise: 质量/质量好 \[质量不错\]\n`,
	} {
		if !regexp.MustCompile(re).MatchString(got) {
			t.Errorf("text output lacks %s:\n%s", re, got)
		}
	}
}

// TestAnalyzeNoRawText checks that the raw text never reaches the output,
// whatever the spelling or repetition of its key.
func TestAnalyzeNoRawText(t *testing.T) {
	for _, in := range []string{
		`{"id":"u1","Text":"快递太慢，电话13812345678"}`,
		`{"id":"u2","text":"快递太慢","text":"电话13812345678"}`,
		`{"id":"u3","text":"电话13812345678","TEXT":"快递太慢"}`,
		`{"id":"u4","turns":[{"role":"customer","text":"电话13812345678"}],"Turns":[{"role":"agent","text":"好的 13812345678"}]}`,
		"\ufeff" + `{"id":"u5","text":"电话13812345678"}`,
	} {
		got, err := runAnalyze(t, []byte(in+"\n"))
		if err != nil {
			t.Errorf("%s: %v", in, err)
			continue
		}
		if strings.Contains(got, "13812345678") {
			t.Errorf("%s: output leaks the phone number: %s", in, got)
		}
		var keys []string
		_ = eachField([]byte(got), func(k string, _ json.RawMessage) bool { keys = append(keys, k); return true })
		for i, k := range keys {
			if slices.Contains(keys[i+1:], k) || (k != "text" && strings.EqualFold(k, "text")) {
				t.Errorf("%s: keys %v: repeated or mis-cased key %q", in, keys, k)
			}
		}
	}
}
