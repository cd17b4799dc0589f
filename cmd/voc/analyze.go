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
	"math"
	"os"
	"runtime"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/vocproject/voc/feedback"
	"github.com/vocproject/voc/lexicons"
	"github.com/vocproject/voc/nlp"
	"github.com/vocproject/voc/nlp/analyzer"
	"github.com/vocproject/voc/nlp/chat"
	"github.com/vocproject/voc/nlp/normalize"
	"github.com/vocproject/voc/pipeline/enrich"
)

// analyzeCmd is `voc analyze`: text lines or JSON Lines in, one analysis
// per line out, in input order.
type analyzeCmd struct{ env env }

// Input modes of --input.
const (
	inputAuto = "auto"
	inputJSON = "json"
	inputText = "text"
)

type analyzeOptions struct {
	format   string // json or text
	input    string // auto, json or text
	lexicons string
	packs    string // comma-separated pack selection, "" for the default
	workers  int
	rating   bool
	kind     string // kind of plain-text lines
	maxBytes int
	files    []string
	chat     *chat.Analyzer // conversation signals of chats (set after loading the lexicons)
}

func analyzeFlags(args []string, e env) (analyzeOptions, error) {
	var o analyzeOptions
	fs := flag.NewFlagSet("voc analyze", flag.ContinueOnError)
	fs.SetOutput(e.Stderr)
	fs.StringVar(&o.format, "format", "json", "output `format`: json (one JSON object per input line) or text (for people)")
	fs.StringVar(&o.input, "input", inputAuto, "input `mode`: json (JSON Lines of feedback messages), text (one text per line) or auto (a line starting with '{' is JSON, any other is text)")
	fs.StringVar(&o.lexicons, "lexicons", "", "lexicon `dir`ectory overlaid on the embedded lexicons")
	fs.StringVar(&o.packs, "pack", "", "lexicon packs, comma-separated (`NAME[,NAME]`: ecommerce, service, electronics, app, food, hotel, cars or a pack of --lexicons), each with the packs it requires; default "+strings.Join(lexicons.DefaultPacks, ","))
	fs.IntVar(&o.workers, "workers", runtime.GOMAXPROCS(0), "number of lines analysed in parallel (output stays in input order)")
	fs.BoolVar(&o.rating, "rating", true, "use a JSON line's rating (1-5 stars) as a sentiment prior")
	fs.IntVar(&o.maxBytes, "max-bytes", feedback.DefaultMaxBytes, "longest line accepted, in bytes; a longer one is an oversize error")
	fs.StringVar(&o.kind, "kind", feedback.KindReview, "`kind` of plain-text lines: review, survey, chat, call or email (chat, call and email lines are a customer's words to the company: a question there is an inquiry, not a complaint)")
	fs.Usage = func() {
		fmt.Fprintln(e.Stderr, "usage: voc analyze [flags] [FILE ...]")
		fmt.Fprintln(e.Stderr, "\nAnalyses each line of the FILEs (or stdin: no FILE, or -) and writes one result per line to stdout,")
		fmt.Fprintln(e.Stderr, "in input order. A JSON line is a feedback message; its fields are kept and the analysis added")
		fmt.Fprintln(e.Stderr, "(text, sentiment, aspects, intent, escalation, pii, clauses; turns and conversation for a chat). A line that cannot")
		fmt.Fprintln(e.Stderr, "be analysed yields {\"line\":N,\"id\":...,\"error\":...,\"reason\":...} and the exit status is 1.")
		fmt.Fprintln(e.Stderr, "Blank lines are skipped.\n\nflags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return o, err
		}
		return o, fmt.Errorf("%w: %w", errUsage, err)
	}
	if err := checkFormat(o.format, "json", "text"); err != nil {
		return o, err
	}
	switch o.input {
	case inputAuto, inputJSON, inputText:
	default:
		return o, fmt.Errorf("%w: --input %q: want auto, json or text", errUsage, o.input)
	}
	if o.workers < 1 {
		return o, fmt.Errorf("%w: --workers %d: want at least 1", errUsage, o.workers)
	}
	if o.maxBytes < 1 {
		return o, fmt.Errorf("%w: --max-bytes %d: want at least 1", errUsage, o.maxBytes)
	}
	switch o.kind {
	case feedback.KindReview, feedback.KindSurvey, feedback.KindChat, feedback.KindCall, feedback.KindEmail:
	default:
		return o, fmt.Errorf("%w: --kind %q: want review, survey, chat, call or email", errUsage, o.kind)
	}
	o.files = fs.Args()
	return o, nil
}

func (c *analyzeCmd) Run(ctx context.Context, args []string) error {
	o, err := analyzeFlags(args, c.env)
	if err != nil {
		return err
	}
	inputs, closeAll, err := openInputs(o.files, c.env.Stdin)
	if err != nil {
		return err
	}
	defer closeAll()
	set, err := lexicons.LoadDefaultPacks(o.lexicons, lexicons.SplitPacks(o.packs))
	if err != nil {
		return fmt.Errorf("load lexicons: %w", err)
	}
	an, err := analyzer.New(set, nil)
	if err != nil {
		return err
	}
	o.chat = chat.New(set.Compliance)
	return analyzeInputs(ctx, an, o, inputs, c.env.Stdout)
}

// input is one named source of lines.
type input struct {
	name string // "" for stdin
	r    io.Reader
}

// openInputs opens the files named on the command line ("-" or none:
// stdin), all before any work starts, so that a wrong name fails at once.
func openInputs(names []string, stdin io.Reader) ([]input, func(), error) {
	if len(names) == 0 {
		names = []string{"-"}
	}
	var ins []input
	var files []*os.File
	closeAll := func() {
		for _, f := range files {
			f.Close()
		}
	}
	for _, n := range names {
		if n == "-" {
			ins = append(ins, input{r: stdin})
			continue
		}
		f, err := os.Open(n)
		if err != nil {
			closeAll()
			return nil, nil, fmt.Errorf("open input: %w", err)
		}
		files = append(files, f)
		ins = append(ins, input{name: n, r: f})
	}
	return ins, closeAll, nil
}

// job is one input line on its way through the workers.
type job struct {
	file string // input name when there are several inputs
	line int    // 1-based line number in its input
	data []byte // the line without its line ending, at most maxBytes+1 bytes
	over bool   // the line was longer than maxBytes
	done chan lineResult
}

// lineResult is the formatted output of one line.
type lineResult struct {
	out    []byte
	failed bool
}

// analyzeInputs analyses every line of inputs with o.workers workers and
// writes the results to w in input order. It returns an error naming the
// number of failed lines if any line failed.
func analyzeInputs(ctx context.Context, an *analyzer.Analyzer, o analyzeOptions, inputs []input, w io.Writer) error {
	// order carries every job to the writer in input order, work the same
	// jobs to the workers; both are bounded, so at most
	// cap(order)+workers lines are in memory.
	order := make(chan *job, 8*o.workers)
	work := make(chan *job, o.workers)
	readErr := make(chan error, 1)
	go func() {
		defer close(order)
		defer close(work)
		readErr <- readLines(ctx, o, inputs, order, work)
	}()
	for range o.workers {
		go func() {
			for j := range work {
				j.done <- analyzeLine(an, o, j)
			}
		}()
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	var total, failed int
	var writeErr error
	for j := range order {
		r := <-j.done
		total++
		if r.failed {
			failed++
		}
		if writeErr != nil {
			continue // keep draining so the reader and workers finish
		}
		if _, err := bw.Write(r.out); err != nil {
			writeErr = err
			continue
		}
		if len(order) == 0 {
			// Nothing else is ready: let an interactive reader see it.
			writeErr = bw.Flush()
		}
	}
	if err := bw.Flush(); writeErr == nil {
		writeErr = err
	}
	if writeErr != nil {
		return fmt.Errorf("write output: %w", writeErr)
	}
	if err := <-readErr; err != nil {
		return err
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d lines failed", failed, total)
	}
	return nil
}

// readLines splits inputs into lines and queues a job per non-blank line.
func readLines(ctx context.Context, o analyzeOptions, inputs []input, order, work chan<- *job) error {
	for _, in := range inputs {
		name := ""
		if len(inputs) > 1 {
			name = in.name
			if name == "" {
				name = "-"
			}
		}
		lr := newLineReader(in.r, o.maxBytes)
		for n := 1; ; n++ {
			data, over, err := lr.next()
			if err == io.EOF {
				break
			}
			if err != nil {
				return fmt.Errorf("read %s: %w", displayName(in.name), err)
			}
			if n == 1 {
				data = bytes.TrimPrefix(data, []byte("\ufeff")) // a byte order mark
			}
			if !over && len(bytes.TrimSpace(data)) == 0 {
				continue
			}
			if err := ctx.Err(); err != nil {
				return err
			}
			j := &job{file: name, line: n, data: data, over: over, done: make(chan lineResult, 1)}
			order <- j
			work <- j
		}
	}
	return nil
}

func displayName(name string) string {
	if name == "" {
		return "stdin"
	}
	return name
}

// lineReader reads lines of any length, keeping at most max+1 bytes of
// each.
type lineReader struct {
	r   *bufio.Reader
	max int
}

func newLineReader(r io.Reader, max int) *lineReader {
	return &lineReader{r: bufio.NewReaderSize(r, 64<<10), max: max}
}

// next returns the next line without "\n" or "\r\n" (a copy the caller
// owns) and whether it was longer than max bytes, in which case only its
// first max+1 bytes are returned. It returns io.EOF after the last line.
func (l *lineReader) next() ([]byte, bool, error) {
	var buf []byte
	over, got := false, false
	for {
		chunk, err := l.r.ReadSlice('\n')
		got = got || len(chunk) > 0
		if !over {
			if room := l.max + 1 - len(buf); len(chunk) > room {
				buf = append(buf, chunk[:room]...)
				over = true
			} else {
				buf = append(buf, chunk...)
			}
		}
		switch {
		case err == bufio.ErrBufferFull:
			continue
		case err == io.EOF && !got:
			return nil, false, io.EOF
		case err != nil && err != io.EOF:
			return nil, false, err
		}
		if !over {
			buf = bytes.TrimSuffix(buf, []byte("\n"))
			buf = bytes.TrimSuffix(buf, []byte("\r"))
			over = len(buf) > l.max
		}
		return buf, over, nil
	}
}

// lineError is a line that could not be analysed.
type lineError struct {
	File   string `json:"file,omitempty"`
	Line   int    `json:"line"`
	ID     string `json:"id,omitempty"`
	Error  string `json:"error"`
	Reason string `json:"reason"`
}

// analyzeLine analyses one line and formats the result. It never panics: a
// panic in the analysis becomes an analysis_failed error line.
func analyzeLine(an *analyzer.Analyzer, o analyzeOptions, j *job) (res lineResult) {
	id := ""
	defer func() {
		if p := recover(); p != nil {
			res = formatError(o, j, id, &feedback.DecodeError{Reason: feedback.ReasonAnalysis, Err: fmt.Errorf("analyzer panic: %v", p)})
		}
	}()
	isJSON := o.input == inputJSON || (o.input == inputAuto && startsJSON(j.data))
	if !isJSON {
		if err := checkTextLine(j.data, j.over, o.maxBytes); err != nil {
			return formatError(o, j, "", err)
		}
		r := an.Analyze(string(j.data), nlp.Options{Conversational: feedback.ConversationalKind(o.kind)})
		return lineResult{out: formatText(o, j, nil, r, nil, nil)}
	}
	if j.over {
		id = peekFirstID(j.data)
		return formatError(o, j, id, &feedback.DecodeError{Reason: feedback.ReasonOversize,
			Err: fmt.Errorf("line is longer than %d bytes", o.maxBytes)})
	}
	m, id, err := feedback.Decode(j.data, o.maxBytes)
	if err != nil {
		return formatError(o, j, id, err)
	}
	opts := nlp.Options{Conversational: m.IsConversational()}
	if o.rating {
		opts.Rating = m.Rating
	}
	if m.IsChat() {
		turns := make([]nlp.Turn, len(m.Turns))
		for i, t := range m.Turns {
			turns[i] = nlp.Turn{Role: t.Role, Text: t.Text}
		}
		cr := an.AnalyzeChat(turns, opts)
		var conv *nlp.Conversation
		if o.chat != nil {
			conv = o.chat.Analyze(enrich.ChatTurns(m, cr.Turns), enrich.ChatOptions(m, &cr.Result))
		}
		return lineResult{out: formatText(o, j, m, &cr.Result, cr.Turns, conv)}
	}
	return lineResult{out: formatText(o, j, m, an.Analyze(m.Text, opts), nil, nil)}
}

func startsJSON(b []byte) bool {
	b = bytes.TrimLeft(b, " \t\r")
	return len(b) > 0 && b[0] == '{'
}

// checkTextLine validates a plain-text line: like the text of a message
// (feedback.Message.Validate), it must not be blank once normalized.
func checkTextLine(b []byte, over bool, max int) error {
	switch {
	case over:
		return &feedback.DecodeError{Reason: feedback.ReasonOversize, Err: fmt.Errorf("line is longer than %d bytes", max)}
	case !utf8.Valid(b):
		return &feedback.DecodeError{Reason: feedback.ReasonNotUTF8, Err: errors.New("line is not valid UTF-8")}
	case normalize.Blank(string(b)):
		return &feedback.DecodeError{Reason: feedback.ReasonNoText,
			Err: errors.New("no text left once markup, control and zero-width characters are removed")}
	}
	return nil
}

// peekFirstID reads the top-level "id" of a JSON object that may be cut
// short, if "id" comes before the cut.
func peekFirstID(b []byte) string {
	id := ""
	_ = eachField(b, func(k string, v json.RawMessage) bool {
		if k != "id" {
			return true
		}
		var s string
		if json.Unmarshal(v, &s) == nil {
			id = s
		} else {
			id = strings.Trim(string(v), `"`)
		}
		return false
	})
	return id
}

// eachField calls fn with the top-level fields of the JSON object b in
// their order, until fn returns false.
func eachField(b []byte, fn func(key string, v json.RawMessage) bool) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return fmt.Errorf("not a JSON object")
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return err
		}
		k, _ := t.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return err
		}
		if !fn(k, v) {
			return nil
		}
	}
	return nil
}

func formatError(o analyzeOptions, j *job, id string, err error) lineResult {
	reason, msg := feedback.ReasonBadJSON, err.Error()
	var de *feedback.DecodeError
	if errors.As(err, &de) {
		reason, msg = de.Reason, de.Err.Error()
		if de.Field != "" {
			msg = fmt.Sprintf("field %q: %s", de.Field, msg)
		}
	}
	le := lineError{File: j.file, Line: j.line, ID: id, Error: msg, Reason: reason}
	if o.format == "text" {
		var b bytes.Buffer
		fmt.Fprintf(&b, "%s", lineLabel(j, id))
		fmt.Fprintf(&b, "  error %s: %s\n\n", reason, msg)
		return lineResult{out: b.Bytes(), failed: true}
	}
	return lineResult{out: appendJSONLine(nil, le), failed: true}
}

// appendJSONLine appends v as one line of JSON, without HTML escaping
// (placeholders such as <PHONE> stay readable).
func appendJSONLine(dst []byte, v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		// Only our own types are encoded here; this is a bug.
		panic(fmt.Sprintf("analyze: encode %T: %v", v, err))
	}
	return append(dst, b.Bytes()...)
}

// turnOut is one turn of a chat in the output: its role and time as they
// came, and its analysis.
type turnOut struct {
	Role string    `json:"role"`
	At   time.Time `json:"at,omitzero"`
	nlp.Result
}

// rounded returns r with scores rounded to 4 decimals, enough for people
// and stable across platforms.
func rounded(r nlp.Result) nlp.Result {
	round := func(s nlp.Sentiment) nlp.Sentiment {
		s.Score = math.Round(s.Score*1e4) / 1e4
		s.Confidence = math.Round(s.Confidence*1e4) / 1e4
		return s
	}
	r.Sentiment = round(r.Sentiment)
	if r.Clauses != nil {
		cs := make([]nlp.Clause, len(r.Clauses))
		for i, c := range r.Clauses {
			c.Sentiment = round(c.Sentiment)
			cs[i] = c
		}
		r.Clauses = cs
	}
	return r
}

// formatText formats the analysis of one line. m is the message of a JSON
// line, nil for a plain-text line; turns are the turn results of a chat.
func formatText(o analyzeOptions, j *job, m *feedback.Message, r *nlp.Result, turns []nlp.TurnResult, conv *nlp.Conversation) []byte {
	if o.format == "text" {
		return formatHuman(j, m, r, turns, conv)
	}
	res := rounded(*r)
	fields := []struct {
		key string
		v   any
	}{
		{"text", res.Text},
		{"sentiment", res.Sentiment},
		{"aspects", res.Aspects},
		{"intent", res.Intent},
		{"escalation", res.Escalation},
		{"pii", res.PII},
		{"clauses", res.Clauses},
	}
	if turns != nil {
		outs := make([]turnOut, len(turns))
		for i, t := range turns {
			outs[i] = turnOut{Role: t.Role, Result: rounded(t.Result)}
			if m != nil && i < len(m.Turns) {
				outs[i].At = m.Turns[i].At
			}
		}
		fields = append(fields, struct {
			key string
			v   any
		}{"turns", outs})
	}
	if conv != nil {
		c := *conv
		c.StartSentiment = math.Round(c.StartSentiment*1e4) / 1e4
		c.EndSentiment = math.Round(c.EndSentiment*1e4) / 1e4
		c.EscalationRisk = math.Round(c.EscalationRisk*1e4) / 1e4
		fields = append(fields, struct {
			key string
			v   any
		}{"conversation", c})
	}
	added := map[string][]byte{}
	for _, f := range fields {
		if f.key == "clauses" && res.Clauses == nil {
			continue
		}
		added[f.key] = bytes.TrimSuffix(appendJSONLine(nil, f.v), []byte("\n"))
	}
	var b bytes.Buffer
	b.WriteByte('{')
	n := 0
	put := func(k string, v []byte) {
		if n > 0 {
			b.WriteByte(',')
		}
		n++
		kb, _ := json.Marshal(k)
		b.Write(kb)
		b.WriteByte(':')
		b.Write(v)
	}
	if m == nil {
		put("line", []byte(fmt.Sprint(j.line)))
		if j.file != "" {
			fb, _ := json.Marshal(j.file)
			put("file", fb)
		}
	} else {
		// The input's fields in their order; the analysis replaces text
		// and turns in place. A repeated key keeps its first place and its last value, the one
		// the decoder used.
		var keys []string
		vals := map[string]json.RawMessage{}
		_ = eachField(j.data, func(k string, v json.RawMessage) bool {
			// The decoder matches keys without regard to case: "Text" is
			// the text, and is replaced like "text".
			for _, f := range fields {
				if strings.EqualFold(k, f.key) {
					k = f.key
				}
			}
			if _, ok := vals[k]; !ok {
				keys = append(keys, k)
			}
			vals[k] = v
			return true
		})
		for _, k := range keys {
			if a, ok := added[k]; ok {
				put(k, a)
				delete(added, k)
				continue
			}
			var c bytes.Buffer
			if json.Compact(&c, vals[k]) == nil {
				put(k, c.Bytes())
			}
		}
	}
	for _, f := range fields {
		if a, ok := added[f.key]; ok {
			put(f.key, a)
		}
	}
	b.WriteString("}\n")
	return b.Bytes()
}

// lineLabel is the first part of a text-format header: #line, file, id.
func lineLabel(j *job, id string) string {
	s := fmt.Sprintf("#%d", j.line)
	if j.file != "" {
		s = j.file + ":" + s[1:]
	}
	if id != "" {
		s += " " + id
	}
	return s
}

// formatHuman formats one result for people.
func formatHuman(j *job, m *feedback.Message, r *nlp.Result, turns []nlp.TurnResult, conv *nlp.Conversation) []byte {
	var b bytes.Buffer
	id := ""
	if m != nil {
		id = m.ID
	}
	b.WriteString(lineLabel(j, id))
	if turns != nil {
		b.WriteString(" chat")
	}
	b.WriteString("  ")
	b.WriteString(summary(r))
	b.WriteByte('\n')
	if turns == nil {
		fmt.Fprintf(&b, "  %s\n", oneLine(r.Text))
		writeAspects(&b, "  ", r.Aspects)
	} else {
		for _, t := range turns {
			fmt.Fprintf(&b, "  %s: ", t.Role)
			if analyzer.IsCustomer(t.Role) {
				fmt.Fprintf(&b, "[%s] ", summary(&t.Result))
			}
			fmt.Fprintf(&b, "%s\n", oneLine(t.Text))
		}
		writeAspects(&b, "  ", r.Aspects)
		if conv != nil {
			fmt.Fprintf(&b, "  conversation: %s, %s, escalation risk %.2f", conv.Resolution, conv.Trajectory, conv.EscalationRisk)
			if len(conv.Violations) > 0 {
				fmt.Fprintf(&b, ", %d agent violations", len(conv.Violations))
			}
			b.WriteByte('\n')
		}
	}
	b.WriteByte('\n')
	return b.Bytes()
}

// summary is "negative -0.97 投诉 ESCALATION pii=PHONE".
func summary(r *nlp.Result) string {
	s := fmt.Sprintf("%s %+.2f", r.Sentiment.Label, r.Sentiment.Score)
	if r.Intent != "" {
		s += " " + r.Intent
	}
	if r.Escalation {
		s += " ESCALATION"
	}
	if len(r.PII) > 0 {
		s += " pii=" + strings.Join(r.PII, ",")
	}
	return s
}

// writeAspects writes pain points, praise points, asked or hedged opinions
// and topic mentions as "pain: category/subcategory [aspect+opinion]", an
// open opinion's point as "?/aspect" (no category in the taxonomy).
func writeAspects(b *bytes.Buffer, indent string, as []nlp.Aspect) {
	for _, a := range as {
		kind := "neutral"
		switch {
		case a.IsMention():
			kind = "topic"
		case a.Polarity == nlp.Negative:
			kind = "pain"
		case a.Polarity == nlp.Positive:
			kind = "praise"
		}
		what := a.Opinion
		if a.Aspect != "" && !strings.Contains(a.Opinion, a.Aspect) {
			what = a.Aspect + "+" + a.Opinion
		}
		if a.IsMention() {
			what = a.Aspect
		}
		fmt.Fprintf(b, "%s%s: %s [%s]\n", indent, kind, a.Point(), what)
	}
}
