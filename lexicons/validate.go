package lexicons

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Problem is one finding of Validate, located at a line of a lexicon file.
type Problem struct {
	File string
	Line int // 1-based; 0 when about the whole file
	// Warning marks a problem the lexicons load and work with (a dead
	// entry, a doubtful term); otherwise it is an error.
	Warning bool
	// Check names the kind of problem: load, syntax, test, duplicate,
	// polarity, unreachable, file, normalization, segmentation.
	Check string
	Msg   string
	// Term is the term the problem is about, "" when about a line or file.
	Term string
}

// String formats p as "file:line: error: check: message".
func (p Problem) String() string {
	sev := "error"
	if p.Warning {
		sev = "warning"
	}
	loc := p.File
	if p.Line > 0 {
		loc = fmt.Sprintf("%s:%d", p.File, p.Line)
	}
	if loc == "" {
		return fmt.Sprintf("%s: %s: %s", sev, p.Check, p.Msg)
	}
	return fmt.Sprintf("%s: %s: %s: %s", loc, sev, p.Check, p.Msg)
}

// SortProblems orders problems by file, line, errors before warnings, then
// message.
func SortProblems(ps []Problem) {
	slices.SortStableFunc(ps, func(a, b Problem) int {
		if c := strings.Compare(a.File, b.File); c != 0 {
			return c
		}
		if a.Line != b.Line {
			return a.Line - b.Line
		}
		if a.Warning != b.Warning {
			if a.Warning {
				return 1
			}
			return -1
		}
		return strings.Compare(a.Msg, b.Msg)
	})
}

// Entry is one term of one line of a lexicon file, with its place.
type Entry struct {
	File string // the file the line is in (packs/cars/taxonomy.tsv)
	// Src is the lexicon the line belongs to (taxonomy.tsv for the core
	// and every pack's taxonomy.tsv; sentiment_voc.tsv for a pack's
	// sentiment.tsv).
	Src  string
	Line int
	// Kind is the role of the term: for TaxonomyFile the line's kind
	// (category, aspect, opinion, implicit, modifier, hedge, conj, negation,
	// ignore); "sentiment" (SentimentFile, SentimentVocFile), "negation"
	// (NegationFile), "degree", "contrast", "emoji", "sarcasm", "intent"
	// and "domain".
	Kind     string
	Term     string
	Category string  // aspect, opinion, implicit: the category ("*" generic)
	Point    string  // opinion, implicit: the point; intent: the intent
	Polarity int     // opinion, implicit: +1 or -1
	Group    string  // aspect, opinion: group=
	Attr     bool    // aspect: attr
	Weight   float64 // sentiment, negation, degree, contrast, cues, intent
}

// Source is the lexicon the entry belongs to: Src, or File when Src is
// not set (entries made by hand).
func (e Entry) Source() string {
	if e.Src != "" {
		return e.Src
	}
	return e.File
}

// Entries returns every term of the lexicon files of fsys that parses,
// in file and line order (the learned weights are left out). Lines that do
// not parse are skipped: Load reports them.
func Entries(fsys fs.FS) []Entry {
	var out []Entry
	add := func(e Entry) { out = append(out, e) }
	_ = ReadLines(fsys, TaxonomyFile, true, func(l Line) error {
		f := l.Fields
		base := Entry{File: l.File, Src: l.Src, Line: l.No, Kind: f[0]}
		switch f[0] {
		case "category":
			if len(f) >= 2 {
				base.Term, base.Category = f[1], f[1]
				add(base)
			}
		case "aspect":
			if len(f) < 3 {
				return nil
			}
			base.Category = f[1]
			for _, o := range optionFields(f[3:]) {
				k, v, _ := strings.Cut(o, "=")
				switch k {
				case "group":
					base.Group = v
				case "attr":
					base.Attr = true
				}
			}
			for _, t := range strings.Fields(f[2]) {
				e := base
				e.Term = t
				add(e)
			}
		case "opinion", "implicit":
			if len(f) < 4 {
				return nil
			}
			cat, _, ok := strings.Cut(f[1], "/")
			if !ok {
				return nil
			}
			base.Category, base.Point = cat, f[1]
			switch f[2] {
			case "+":
				base.Polarity = 1
			case "-":
				base.Polarity = -1
			default:
				return nil
			}
			for _, o := range optionFields(f[4:]) {
				if k, v, _ := strings.Cut(o, "="); k == "group" {
					base.Group = v
				}
			}
			for _, t := range strings.Fields(f[3]) {
				e := base
				e.Term = t
				add(e)
			}
		case "modifier", "hedge", "conj", "negation", "ignore", "generic":
			if len(f) != 3 {
				return nil
			}
			for _, t := range strings.Fields(f[2]) {
				e := base
				e.Term = t
				add(e)
			}
		}
		return nil
	})
	weighted := []struct{ file, kind string }{
		{SentimentFile, "sentiment"}, {SentimentVocFile, "sentiment"}, {NegationFile, "negation"},
		{DegreeFile, "degree"}, {ContrastFile, "contrast"}, {EmojiFile, "emoji"}, {SarcasmFile, "sarcasm"},
	}
	for _, w := range weighted {
		_ = ReadLines(fsys, w.file, true, func(l Line) error {
			f := l.Fields
			e := Entry{File: l.File, Src: l.Src, Line: l.No, Kind: w.kind, Term: f[0], Weight: -1}
			wf := 1
			if w.kind == "contrast" {
				wf = 2
			}
			if len(f) > wf {
				v, err := strconv.ParseFloat(f[wf], 64)
				if err != nil {
					return nil
				}
				e.Weight = v
			} else if w.kind != "negation" {
				return nil
			}
			if e.Term != "" {
				add(e)
			}
			return nil
		})
	}
	_ = ReadLines(fsys, IntentFile, true, func(l Line) error {
		f := l.Fields
		if len(f) < 2 {
			return nil
		}
		for _, t := range strings.Fields(f[1]) {
			add(Entry{File: l.File, Src: l.Src, Line: l.No, Kind: "intent", Term: t, Point: f[0]})
		}
		return nil
	})
	_ = ReadLines(fsys, DomainFile, true, func(l Line) error {
		if l.Fields[0] != "" {
			add(Entry{File: l.File, Src: l.Src, Line: l.No, Kind: "domain", Term: l.Fields[0]})
		}
		return nil
	})
	return out
}

func optionFields(fields []string) []string {
	var out []string
	for _, f := range fields {
		out = append(out, strings.Fields(f)...)
	}
	return out
}

// MatchKey is the form in which the aspect matcher compares terms: ASCII
// lowercased, the number pattern kept.
func MatchKey(term string) string {
	return strings.ReplaceAll(strings.ToLower(term), strings.ToLower(NumberPattern), NumberPattern)
}

// knownFiles are the files the loaders read (FORMAT.md documents them).
var knownFiles = map[string]bool{
	SentimentFile: true, SentimentVocFile: true, LearnedFile: true, NegationFile: true,
	DegreeFile: true, ContrastFile: true, EmojiFile: true, SarcasmFile: true,
	TaxonomyFile: true, IntentFile: true, DomainFile: true, "compliance.tsv": true,
}

// Validation is the outcome of Validate.
type Validation struct {
	// Set is the loaded lexicons. When Load fails it is loaded with the
	// offending lines commented out, so that further checks still run; nil
	// when even that fails (a whole file is unreadable).
	Set *Set
	// Entries are the terms of the lines that load.
	Entries []Entry
	// Problems are sorted by file and line.
	Problems []Problem
}

// Errors counts the problems that are errors.
func (v *Validation) Errors() int {
	n := 0
	for _, p := range v.Problems {
		if !p.Warning {
			n++
		}
	}
	return n
}

// Validate loads the lexicons of fsys and checks them beyond what Load
// rejects: malformed test lines, unread files, duplicates, conflicting
// polarities and entries that another entry always hides. It reports every
// problem found, each naming file and line. Checks that need the segmenter
// and the matcher live in lexicons/tools/check.
func Validate(fsys fs.FS) *Validation { return ValidatePacks(fsys, nil) }

// ValidatePacks is Validate with a pack selection (nil: DefaultPacks).
func ValidatePacks(fsys fs.FS, packs []string) *Validation {
	v := &Validation{}
	cfs, err := compose(fsys, packs)
	if err != nil {
		v.Problems = append(v.Problems, loadProblems(err)...)
		return v
	}
	resolved := packNames(cfs.packs)
	set, err := loadComposed(cfs)
	var checked fs.FS = cfs
	if err != nil {
		v.Problems = append(v.Problems, loadProblems(err)...)
		var efs fs.FS
		if set, efs = loadSkipping(fsys, packs, v.Problems); efs != nil {
			if c, _, err := Compose(efs, packs); err == nil {
				checked = c
			}
		}
	}
	v.Set = set
	if _, err := ReadTests(cfs); err != nil {
		for _, p := range loadProblems(err) {
			p.Check, p.Msg = "test", strings.TrimPrefix(p.Msg, "test: ")
			v.Problems = append(v.Problems, p)
		}
	}
	v.Problems = append(v.Problems, checkFiles(fsys)...)
	v.Problems = append(v.Problems, checkPackFiles(fsys, resolved)...)
	v.Entries = Entries(checked)
	v.Problems = append(v.Problems, CheckEntries(v.Entries)...)
	SortProblems(v.Problems)
	return v
}

// loadProblems flattens the error of Load into problems.
func loadProblems(err error) []Problem {
	var ps []Problem
	var walk func(error)
	walk = func(err error) {
		var es Errors
		var e *Error
		switch {
		case errors.As(err, &es) && isErrors(err):
			for _, e := range es {
				ps = append(ps, Problem{File: e.File, Line: e.Line, Check: "load", Msg: e.Err.Error()})
			}
		case isJoin(err):
			for _, x := range err.(interface{ Unwrap() []error }).Unwrap() {
				walk(x)
			}
		case errors.As(err, &e):
			ps = append(ps, Problem{File: e.File, Line: e.Line, Check: "load", Msg: e.Err.Error()})
		default:
			ps = append(ps, Problem{Check: "load", Msg: err.Error()})
		}
	}
	walk(err)
	return ps
}

func isErrors(err error) bool { _, ok := err.(Errors); return ok }

func isJoin(err error) bool { _, ok := err.(interface{ Unwrap() []error }); return ok }

// loadSkipping loads fsys with the lines of ps (and of the errors found
// next) commented out, and returns the set and the edited file system; nil
// when a problem is about a whole file or the set still does not load.
func loadSkipping(fsys fs.FS, packs []string, ps []Problem) (*Set, fs.FS) {
	skip := map[string]map[int]bool{}
	mark := func(ps []Problem) bool {
		for _, p := range ps {
			if p.File == "" || p.Line == 0 {
				return false
			}
			if skip[p.File] == nil {
				skip[p.File] = map[int]bool{}
			}
			skip[p.File][p.Line] = true
		}
		return true
	}
	if !mark(ps) {
		return nil, nil
	}
	for range 5 {
		efs := editedFS{FS: fsys, files: map[string][]byte{}}
		for name, lines := range skip {
			data, err := ReadFile(fsys, name)
			if err != nil {
				return nil, nil
			}
			efs.files[name] = commentOut(data, lines)
		}
		set, err := LoadPacks(efs, packs)
		if err == nil {
			return set, efs
		}
		if !mark(loadProblems(err)) {
			return nil, nil
		}
	}
	return nil, nil
}

// commentOut prefixes the given 1-based lines of data with '#'.
func commentOut(data []byte, lines map[int]bool) []byte {
	parts := bytes.SplitAfter(data, []byte("\n"))
	var b bytes.Buffer
	for i, p := range parts {
		if lines[i+1] {
			b.WriteByte('#')
		}
		b.Write(p)
	}
	return b.Bytes()
}

// editedFS serves edited copies of some files of FS.
type editedFS struct {
	fs.FS
	files map[string][]byte
}

func (e editedFS) ReadFile(name string) ([]byte, error) {
	if b, ok := e.files[name]; ok {
		return slices.Clone(b), nil
	}
	return fs.ReadFile(e.FS, name)
}

func (e editedFS) ReadDir(name string) ([]fs.DirEntry, error) { return fs.ReadDir(e.FS, name) }

func (e editedFS) Open(name string) (fs.File, error) {
	if b, ok := e.files[name]; ok {
		return &memFile{name: path.Base(name), r: bytes.NewReader(b), size: int64(len(b))}, nil
	}
	return e.FS.Open(name)
}

type memFile struct {
	name string
	r    *bytes.Reader
	size int64
}

func (f *memFile) Stat() (fs.FileInfo, error) { return memInfo{f.name, f.size}, nil }
func (f *memFile) Read(p []byte) (int, error) { return f.r.Read(p) }
func (f *memFile) Close() error               { return nil }

type memInfo struct {
	name string
	size int64
}

func (i memInfo) Name() string       { return i.name }
func (i memInfo) Size() int64        { return i.size }
func (i memInfo) Mode() fs.FileMode  { return 0o444 }
func (i memInfo) ModTime() time.Time { return time.Time{} }
func (i memInfo) IsDir() bool        { return false }
func (i memInfo) Sys() any           { return nil }

var _ io.Reader = (*memFile)(nil)

// checkPackFiles reports files of the selected packs that no loader reads
// and files without provenance.
func checkPackFiles(fsys fs.FS, packs []string) []Problem {
	var names []string
	for _, name := range PackFiles(fsys, packs) {
		if isLexiconFile(path.Base(name)) {
			names = append(names, name)
		}
	}
	return checkFileList(fsys, names, func(name string) bool {
		base := path.Base(name)
		return base == PackFile || base == PackSentimentFile || base == TaxonomyFile || base == DomainFile
	})
}

// fileProblem reports a file no loader reads (known false) or one without
// a "# source:" line.
func fileProblem(name string, data []byte, known bool) *Problem {
	entryLine, source := 0, false
	for i, line := range strings.Split(string(data), "\n") {
		t := strings.TrimSpace(line)
		if strings.HasPrefix(t, "# source:") || strings.HasPrefix(t, "#source:") {
			source = true
		}
		if t != "" && !strings.HasPrefix(t, "#") && entryLine == 0 {
			entryLine = i + 1
		}
	}
	switch {
	case !known && entryLine > 0:
		return &Problem{File: name, Line: entryLine, Warning: true, Check: "file",
			Msg: "no loader reads this file, its entries are ignored (a misspelt name? see FORMAT.md)"}
	case known && !source && entryLine > 0:
		return &Problem{File: name, Line: 1, Warning: true, Check: "file",
			Msg: "no \"# source:\" line: record where the content came from"}
	}
	return nil
}

// checkFiles reports files no loader reads and files without provenance.
func checkFiles(fsys fs.FS) []Problem {
	names, err := topFiles(fsys)
	if err != nil {
		return []Problem{{Check: "file", Msg: err.Error()}}
	}
	return checkFileList(fsys, names, func(name string) bool { return knownFiles[name] })
}

// checkFileList reads the named files and reports the unreadable ones and
// those fileProblem finds; known tells whether a loader reads a file.
func checkFileList(fsys fs.FS, names []string, known func(name string) bool) []Problem {
	var ps []Problem
	for _, name := range names {
		data, err := ReadFile(fsys, name)
		if err != nil {
			e := fileError(name, err)
			ps = append(ps, Problem{File: e.File, Line: e.Line, Check: "file", Msg: e.Err.Error()})
			continue
		}
		if p := fileProblem(name, data, known(name)); p != nil {
			ps = append(ps, *p)
		}
	}
	return ps
}

// topFiles returns the names of the lexicon files (*.tsv, *.txt) at the top
// of fsys, in the order of fs.ReadDir (by name).
func topFiles(fsys fs.FS) ([]string, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() && isLexiconFile(e.Name()) {
			names = append(names, e.Name())
		}
	}
	return names, nil
}

// CheckEntries finds duplicates, conflicting polarities and entries that
// another entry always hides, using the entries alone.
func CheckEntries(entries []Entry) []Problem {
	var ps entryProblems
	ps.checkSyntax(entries)
	ps.checkDuplicateWords(entries)
	byKey, keys := taxonomyByKey(entries)
	for _, k := range keys {
		ps.checkIgnored(byKey[k])
		ps.checkOpinionPairs(byKey[k])
	}
	ps.checkGroups(entries)
	ps.checkWeights(entries, byKey, keys)
	ps.checkCues(entries)
	return ps
}

// entryProblems collects the problems CheckEntries finds, in order.
type entryProblems []Problem

func (ps *entryProblems) warn(e Entry, check, format string, a ...any) {
	*ps = append(*ps, Problem{File: e.File, Line: e.Line, Warning: true, Check: check, Msg: fmt.Sprintf(format, a...), Term: e.Term})
}

func (ps *entryProblems) fail(e Entry, check, format string, a ...any) {
	*ps = append(*ps, Problem{File: e.File, Line: e.Line, Check: check, Msg: fmt.Sprintf(format, a...), Term: e.Term})
}

// entryAt names the place of e: file:line.
func entryAt(e Entry) string {
	return fmt.Sprintf("%s:%d", e.File, e.Line)
}

// lineRef names the place of other as seen from e: "line N" in the same
// file, file:line in another.
func lineRef(e, other Entry) string {
	if e.File == other.File {
		return fmt.Sprintf("line %d", other.Line)
	}
	return entryAt(other)
}

// checkSyntax: a taxonomy term holding '=' is an option that lost its TAB.
func (ps *entryProblems) checkSyntax(entries []Entry) {
	for _, e := range entries {
		if e.Source() == TaxonomyFile && e.Kind != "category" && strings.Contains(e.Term, "=") {
			ps.fail(e, "syntax", "term %q holds '=': an option needs a TAB before it", e.Term)
		}
	}
}

// checkDuplicateWords: in word lists a duplicate is harmless but dead; in
// the sentiment vocabulary a duplicate of the other sign is an error.
func (ps *entryProblems) checkDuplicateWords(entries []Entry) {
	first := map[string]Entry{}
	for _, e := range entries {
		switch e.Kind {
		case "modifier", "hedge", "conj", "negation", "ignore", "degree", "contrast", "emoji", "sarcasm":
		case "sentiment":
			if e.Source() != SentimentVocFile {
				continue // duplicates in sentiment.tsv are load errors
			}
		default:
			continue
		}
		key := e.File + "\x00" + e.Kind + "\x00" + MatchKey(e.Term)
		prev, ok := first[key]
		if !ok {
			first[key] = e
			continue
		}
		if e.Kind == "sentiment" && sign(prev.Weight) != sign(e.Weight) {
			ps.fail(e, "polarity", "%q weighs %+g here and %+g at line %d; the last one wins", e.Term, e.Weight, prev.Weight, prev.Line)
			continue
		}
		if prev.Line == e.Line {
			ps.warn(e, "duplicate", "%s %q listed twice on this line", e.Kind, e.Term)
		} else {
			ps.warn(e, "duplicate", "%s %q already listed at line %d", e.Kind, e.Term, prev.Line)
		}
	}
}

// taxonomyByKey groups the taxonomy's term entries by match key; keys are
// in order of first appearance.
func taxonomyByKey(entries []Entry) (byKey map[string][]Entry, keys []string) {
	byKey = map[string][]Entry{}
	for _, e := range entries {
		if e.Source() != TaxonomyFile {
			continue
		}
		switch e.Kind {
		case "aspect", "opinion", "implicit", "modifier", "hedge", "conj", "negation", "ignore":
			k := MatchKey(e.Term)
			if _, ok := byKey[k]; !ok {
				keys = append(keys, k)
			}
			byKey[k] = append(byKey[k], e)
		}
	}
	return byKey, keys
}

// checkIgnored: entries of one match key that is also an ignore phrase
// never apply.
func (ps *entryProblems) checkIgnored(es []Entry) {
	var ignore *Entry
	for i := range es {
		if es[i].Kind == "ignore" {
			ignore = &es[i]
			break
		}
	}
	if ignore == nil {
		return
	}
	for _, e := range es {
		if e.Kind != "ignore" {
			ps.warn(e, "unreachable", "%s %q%s is also an ignore phrase (%s): ignore wins, this entry never applies",
				e.Kind, e.Term, describe(e), lineRef(e, *ignore))
		}
	}
}

// checkOpinionPairs: of explicit opinions of one match key for the same
// aspects, the first listed always wins (the matcher scores them equal);
// an opinion and an implicit one of opposite polarity make the polarity
// depend on whether the aspect is named.
func (ps *entryProblems) checkOpinionPairs(es []Entry) {
	for i, a := range es {
		for _, b := range es[:i] {
			if a.Kind != "opinion" && a.Kind != "implicit" || b.Kind != "opinion" && b.Kind != "implicit" {
				continue
			}
			if a.Category != b.Category || a.Point == b.Point {
				continue
			}
			switch {
			case a.Kind == "opinion" && b.Kind == "opinion" && a.Group == b.Group:
				if a.Polarity != b.Polarity {
					ps.fail(a, "polarity", "opinion %q is %s for %s here and %s for %s at %s: for the same aspects the first one always wins",
						a.Term, polSign(a.Polarity), a.Point, polSign(b.Polarity), b.Point, lineRef(a, b))
				} else {
					ps.warn(a, "unreachable", "opinion %q (%s) is never chosen: %s lists it for %s first, for the same aspects",
						a.Term, a.Point, lineRef(a, b), b.Point)
				}
			case a.Kind != b.Kind && a.Polarity != b.Polarity && a.Category != AnyCategory:
				op, im := a, b
				if a.Kind == "implicit" {
					op, im = b, a
				}
				if op.Group == "" {
					ps.fail(a, "polarity", "%q is a %s opinion (%s, %s) and a %s implicit one (%s, %s): its polarity depends on whether the aspect is named",
						a.Term, polSign(op.Polarity), op.Point, entryAt(op), polSign(im.Polarity), im.Point, entryAt(im))
				}
			}
		}
	}
}

// checkGroups: explicit opinions of a category with no aspect, and groups
// that no aspect of the category declares, never attach.
func (ps *entryProblems) checkGroups(entries []Entry) {
	groups := map[string]bool{}
	hasAspect := map[string]bool{}
	for _, e := range entries {
		if e.Source() == TaxonomyFile && e.Kind == "aspect" {
			groups[e.Category+"\x00"+e.Group] = true
			hasAspect[e.Category] = true
		}
	}
	reported := map[string]bool{}
	for _, e := range entries {
		if e.Source() != TaxonomyFile || e.Kind != "opinion" || e.Category == AnyCategory {
			continue
		}
		key := fmt.Sprint(e.Line)
		if reported[key] {
			continue
		}
		switch {
		case !hasAspect[e.Category]:
			reported[key] = true
			ps.warn(e, "unreachable", "opinion %s: no aspect of %s is listed, so its explicit opinions never attach (make them implicit?)", e.Point, e.Category)
		case e.Group != "" && !groups[e.Category+"\x00"+e.Group]:
			reported[key] = true
			ps.warn(e, "unreachable", "group=%s: no aspect of %s has this group (misspelt?)", e.Group, e.Category)
		}
	}
}

// checkWeights: the taxonomy polarity of a term against the sentiment
// weight of the same word.
func (ps *entryProblems) checkWeights(entries []Entry, byKey map[string][]Entry, keys []string) {
	weight := map[string]Entry{}
	for _, e := range entries {
		if e.Kind == "sentiment" {
			weight[e.Term] = e // SentimentVocFile comes last and wins, as in Load
		}
	}
	for _, k := range keys {
		pol, first := 0, Entry{}
		for _, e := range byKey[k] {
			if e.Kind != "opinion" && e.Kind != "implicit" {
				continue
			}
			if pol == 0 {
				pol, first = e.Polarity, e
			} else if pol != e.Polarity {
				pol = 2 // both: context decides
			}
		}
		w, ok := weight[first.Term]
		if pol == 2 || pol == 0 || !ok || math.Abs(w.Weight) < 0.5 || sign(w.Weight) == pol {
			continue
		}
		ps.warn(first, "polarity", "%q is a %s term (%s) but weighs %+g in %s: texts tagged with it lean the other way",
			first.Term, polSign(pol), first.Point, w.Weight, entryAt(w))
	}
}

// checkCues: an intent cue that counts for two intents (escalation aside).
func (ps *entryProblems) checkCues(entries []Entry) {
	cue := map[string]Entry{}
	for _, e := range entries {
		if e.Kind != "intent" {
			continue
		}
		if prev, ok := cue[e.Term]; ok && prev.Point != e.Point && prev.Point != Escalation && e.Point != Escalation {
			ps.warn(e, "duplicate", "cue %q counts for %s here and for %s at line %d", e.Term, e.Point, prev.Point, prev.Line)
			continue
		}
		cue[e.Term] = e
	}
}

func describe(e Entry) string {
	switch e.Kind {
	case "opinion", "implicit":
		return " (" + e.Point + ")"
	case "aspect":
		return " (" + e.Category + ")"
	}
	return ""
}

func sign(w float64) int {
	switch {
	case w > 0:
		return 1
	case w < 0:
		return -1
	}
	return 0
}

func polSign(p int) string {
	if p > 0 {
		return "+"
	}
	return "-"
}
