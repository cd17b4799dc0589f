package lexicons

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
)

// TestPrefix starts a test line in any lexicon file (see data/FORMAT.md,
// section "Tests"):
//
//	#test	TEXT	EXPECTATION ...
//
// The loaders read it as a comment; ReadTests and "voc lexicon test" run it.
const TestPrefix = "#test"

// The sentiment labels and aspect polarities test lines name: the labels of
// the analysis (nlp.Positive, nlp.Negative, nlp.Neutral), spelled here so
// that the lexicon data imports no analysis package.
const (
	Positive = "positive"
	Negative = "negative"
	Neutral  = "neutral"
)

// TestCase is one test line: a text and what its analysis must show.
type TestCase struct {
	File string
	Line int
	Text string
	// Rating is the star rating given to the analysis (rating=N), 0 none.
	Rating int
	// Aspects are the expected (or, with Not, forbidden) aspects.
	Aspects []AspectExpectation
	// Exact (only, none) means the text has no aspect other than those
	// expected.
	Exact bool
	// Sentiment is the expected label, "" when not checked.
	Sentiment string
	// Intent is the expected intent when CheckIntent is set ("" = none).
	Intent      string
	CheckIntent bool
	// Escalation is the expected escalation flag when CheckEscalation is set.
	Escalation      bool
	CheckEscalation bool
	// Todo marks a known gap: the case runs and is reported, but its
	// failure does not fail the run.
	Todo bool
}

// AspectExpectation is one CATEGORY/SUBCATEGORY[+-~][@ASPECT] item.
type AspectExpectation struct {
	Not         bool   // "!": no such aspect
	Category    string // never empty
	Subcategory string // "*" for any
	Polarity    string // Positive, Negative, Neutral or "" for any
	Aspect      string // the aspect term, "" for any
}

var polaritySigns = map[byte]string{'+': Positive, '-': Negative, '~': Neutral}

func (e AspectExpectation) String() string {
	var b strings.Builder
	if e.Not {
		b.WriteByte('!')
	}
	b.WriteString(e.Category + "/" + e.Subcategory)
	for c, p := range polaritySigns {
		if p == e.Polarity {
			b.WriteByte(c)
		}
	}
	if e.Aspect != "" {
		b.WriteString("@" + e.Aspect)
	}
	return b.String()
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// ReadTests returns the test lines of every lexicon file (*.tsv, *.txt) at
// the top of fsys, ordered by file name and line. Malformed test lines are
// returned as Errors naming file and line; the good ones are returned too.
func ReadTests(fsys fs.FS) ([]TestCase, error) {
	names, err := topFiles(fsys)
	if err != nil {
		return nil, fmt.Errorf("read tests: %w", err)
	}
	var cases []TestCase
	var errs Errors
	for _, name := range names {
		data, err := ReadFile(fsys, name)
		if err != nil {
			errs = append(errs, fileError(name, err))
			continue
		}
		sc := bufio.NewScanner(bytes.NewReader(data))
		sc.Buffer(make([]byte, 0, 64<<10), MaxLineBytes+1)
		file := name
		for no := 1; sc.Scan(); no++ {
			text := strings.TrimPrefix(strings.TrimRight(sc.Text(), "\r"), "\uFEFF")
			if f, ok := strings.CutPrefix(text, fileMarker); ok {
				file, no = f, 0
				continue
			}
			if !IsTestLine(text) {
				continue
			}
			if err := checkText(text); err != nil {
				errs = append(errs, &Error{File: file, Line: no, Err: err})
				continue
			}
			tc, err := ParseTest(file, no, text)
			if err != nil {
				errs = append(errs, err.(*Error))
				continue
			}
			cases = append(cases, tc)
		}
		if err := sc.Err(); err != nil {
			errs = append(errs, &Error{File: name, Err: err})
		}
	}
	if len(errs) > 0 {
		return cases, errs
	}
	return cases, nil
}

// isLexiconFile reports whether name may hold entries or tests.
func isLexiconFile(name string) bool {
	switch path.Ext(name) {
	case ".tsv", ".txt":
		return true
	}
	return false
}

// IsTestLine reports whether a line of a lexicon file is a test line:
// "#test" followed by a TAB or a space (a space is an error ParseTest
// reports; "#tests ..." is a plain comment).
func IsTestLine(line string) bool {
	rest, ok := strings.CutPrefix(strings.TrimLeft(line, " "), TestPrefix)
	return ok && rest != "" && (rest[0] == '\t' || rest[0] == ' ')
}

// ParseTest parses one test line (no is its 1-based line number in file).
// The error is an *Error.
func ParseTest(file string, no int, line string) (TestCase, error) {
	tc := TestCase{File: file, Line: no}
	bad := func(format string, a ...any) (TestCase, error) {
		return TestCase{}, &Error{File: file, Line: no, Err: fmt.Errorf("test: "+format, a...)}
	}
	rest, _ := strings.CutPrefix(strings.TrimLeft(line, " "), TestPrefix)
	if !strings.HasPrefix(rest, "\t") {
		return bad("want #test, TAB, text, TAB, expectations")
	}
	fields := strings.Split(rest[1:], "\t")
	if len(fields) < 2 {
		return bad("want #test, TAB, text, TAB, expectations (no TAB after the text)")
	}
	tc.Text = strings.TrimSpace(fields[0])
	if tc.Text == "" {
		return bad("empty text")
	}
	items := strings.FieldsFunc(strings.Join(fields[1:], " "), func(r rune) bool {
		return r == ' ' || r == '\t' || r == ','
	})
	if len(items) == 0 {
		return bad("no expectations")
	}
	checks := 0
	none := false
	for _, it := range items {
		key, val, isKV := strings.Cut(it, "=")
		switch {
		case it == "only":
			tc.Exact = true
		case it == "none":
			tc.Exact, none = true, true
		case it == "todo":
			tc.Todo = true
		case isKV && key == "sentiment":
			switch val {
			case Positive, Negative, Neutral:
				tc.Sentiment = val
			default:
				return bad("sentiment=%q: want positive, negative or neutral", val)
			}
		case isKV && key == "intent":
			if val == "none" {
				val = ""
			} else if !intentNames[val] || val == Escalation {
				return bad("intent=%q: want 咨询, 投诉, 售后, 建议, 表扬 or none", val)
			}
			tc.Intent, tc.CheckIntent = val, true
		case isKV && key == "escalation":
			switch val {
			case "yes", "true":
				tc.Escalation = true
			case "no", "false":
				tc.Escalation = false
			default:
				return bad("escalation=%q: want yes or no", val)
			}
			tc.CheckEscalation = true
		case isKV && key == "rating":
			n, err := strconv.Atoi(val)
			if err != nil || n < 1 || n > 5 {
				return bad("rating=%q: want 1 to 5", val)
			}
			tc.Rating = n
		case isKV:
			return bad("unknown check %q (want sentiment, intent, escalation or rating)", key)
		default:
			e, err := parseAspectExpectation(it)
			if err != nil {
				return bad("%q: %v", it, err)
			}
			tc.Aspects = append(tc.Aspects, e)
		}
	}
	for _, it := range items {
		if it != "todo" && !strings.HasPrefix(it, "rating=") {
			checks++
		}
	}
	if checks == 0 {
		return bad("no expectations besides %s", strings.Join(items, " "))
	}
	if none && slices.ContainsFunc(tc.Aspects, func(e AspectExpectation) bool { return !e.Not }) {
		return bad("none: but aspects are expected")
	}
	return tc, nil
}

// parseAspectExpectation parses [!]CATEGORY/SUBCATEGORY[+-~][@ASPECT].
func parseAspectExpectation(s string) (AspectExpectation, error) {
	var e AspectExpectation
	if rest, ok := strings.CutPrefix(s, "!"); ok {
		e.Not, s = true, rest
	}
	s, e.Aspect, _ = strings.Cut(s, "@")
	if n := len(s); n > 0 {
		if p, ok := polaritySigns[s[n-1]]; ok {
			e.Polarity, s = p, s[:n-1]
		}
	}
	cat, sub, ok := strings.Cut(s, "/")
	if !ok || cat == "" || sub == "" || strings.Contains(sub, "/") {
		return e, errors.New("want CATEGORY/SUBCATEGORY with an optional polarity + - ~ and @aspect")
	}
	e.Category, e.Subcategory = cat, sub
	return e, nil
}

// String writes the case back in test-line notation (without the text).
func (tc *TestCase) String() string {
	var parts []string
	for _, e := range tc.Aspects {
		parts = append(parts, e.String())
	}
	if tc.Exact {
		if len(tc.Aspects) == 0 {
			parts = append(parts, "none")
		} else {
			parts = append(parts, "only")
		}
	}
	if tc.Sentiment != "" {
		parts = append(parts, "sentiment="+tc.Sentiment)
	}
	if tc.CheckIntent {
		parts = append(parts, "intent="+orNone(tc.Intent))
	}
	if tc.CheckEscalation {
		parts = append(parts, "escalation="+yesNo(tc.Escalation))
	}
	if tc.Rating > 0 {
		parts = append(parts, "rating="+strconv.Itoa(tc.Rating))
	}
	if tc.Todo {
		parts = append(parts, "todo")
	}
	return strings.Join(parts, " ")
}
