package lexicons

import (
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"unicode/utf8"
)

// TaxonomyFile is the pain-point taxonomy (see data/FORMAT.md).
const TaxonomyFile = "taxonomy.tsv"

// AnyCategory as the category of an opinion point means "the category of the
// aspect the opinion attaches to" (a generic opinion such as 好 or 差).
const AnyCategory = "*"

// Category is a top-level category of the taxonomy.
type Category struct {
	Name        string
	Description string
	// Praise and Pain are the points a generic opinion resolves to in this
	// category ("物流/满意"); empty means Name+"/满意" and Name+"/不满".
	Praise, Pain string
}

// AspectTerm is a word naming an aspect explicitly (快递, 客服, 包装). A
// word may name aspects of several categories (味道: 气味 and 口味); the
// opinion about it decides, and the first listed serves generic opinions.
type AspectTerm struct {
	Term     string
	Category string
	// Group narrows the aspect within its category (性价比 within 价格), so
	// that opinions can be restricted to it.
	Group string
	// Attr marks an attribute aspect (态度, 速度, 服务): right after another
	// aspect ("快递小哥的态度") it takes that aspect's category.
	Attr bool
	// Lack marks a feature whose absence is a complaint: 没有蓝牙, 不支持
	// otg, 不带导航 is a pain of its category, not a mention.
	Lack bool
}

// OpinionTerm is a word that carries an opinion about an aspect.
type OpinionTerm struct {
	Term     string
	Point    string // "category/name", category may be AnyCategory
	Category string // the part of Point before '/'
	Polarity int    // +1 praise, -1 pain
	// Implicit opinions imply their category when no aspect is present
	// ("漏液" → 质量/漏液); the others need an aspect of their category.
	Implicit bool
	// Group restricts the opinion to aspects of that group ("" = any).
	Group string
	// Opposite is the point of the opinion under negation ("不慢" → 物流/配送快);
	// "" means the category's generic praise or pain point.
	Opposite string
}

// Taxonomy is the pain-point taxonomy: categories, the aspect and opinion
// terms that signal them, and the small word lists the matcher needs around
// opinions. It is immutable once loaded.
type Taxonomy struct {
	Categories []Category
	Aspects    []AspectTerm
	Opinions   []OpinionTerm
	// Modifiers are degree and filler words that may stand between a
	// negation and an opinion (很, 也, 都, 真的).
	Modifiers []string
	// Hedges make the opinion after them uncertain (希望, 是不是).
	Hedges []string
	// Conjunctions join aspects that share an opinion (和, 跟, 、).
	Conjunctions []string
	// Negations flip the opinion after them (不, 没有, 不太).
	Negations []string
	// Ignored are phrases that hold an opinion or aspect term but carry no
	// opinion (还没用 holds 没用, 差不多 holds 差, 价值 holds 价): as the
	// longer match they hide the term.
	Ignored []string
	// Generic are nouns that name no aspect (people, times, generic things:
	// 老公, 时候, 感觉): open extraction pairs no opinion with them.
	Generic []string
	// Headings introduce what a customer dislikes or likes (缺点：, 优点是,
	// 美中不足的是): a topic named after one, in the same sentence, with no
	// opinion of its own takes the heading's side.
	Headings []Heading
}

// Heading is a word that introduces the points of one side.
type Heading struct {
	Term     string
	Polarity int // +1 praise, -1 pain
}

// Category returns the category named name.
func (t *Taxonomy) Category(name string) (Category, bool) {
	for _, c := range t.Categories {
		if c.Name == name {
			return c, true
		}
	}
	return Category{}, false
}

// PraisePoint returns the generic praise point of category cat.
func (c Category) PraisePoint() string {
	if c.Praise != "" {
		return c.Praise
	}
	return c.Name + "/满意"
}

// PainPoint returns the generic pain point of category cat.
func (c Category) PainPoint() string {
	if c.Pain != "" {
		return c.Pain
	}
	return c.Name + "/不满"
}

// maxTermRunes bounds a term's length; longer entries are almost surely a
// missing TAB.
const maxTermRunes = 24

// loadTaxonomy reads taxonomy.tsv of fsys (the base and the selected
// packs' files, composed).
func loadTaxonomy(fsys fs.FS) (*Taxonomy, error) {
	ld := &taxonomyLoader{t: &Taxonomy{}, cats: map[string]catDecl{}, seen: map[string]string{}}
	err := ReadLines(fsys, TaxonomyFile, false, ld.line)
	return ld.finish(err)
}

// taxonomyLoader builds a Taxonomy one line at a time (taxonomy.tsv of the
// base and of every selected pack, packs.go) and checks, once every line is
// read, what needs all of them.
type taxonomyLoader struct {
	t    *Taxonomy
	cats map[string]catDecl
	refs []pointRef        // points checked once all categories are known
	seen map[string]string // entry key → file
	// aspects of a later pack are read first (packs.go): aspectFile is the
	// order of the file of each aspect
	files      []string
	aspectFile []int
}

// catDecl is where a category was declared and its index in Categories.
type catDecl struct {
	file        string
	line, index int
}

// pointRef is a point (or category, as CATEGORY/x) a line names.
type pointRef struct {
	l     Line
	point string
	what  string
}

func (ld *taxonomyLoader) fileIndex(f string) int {
	if i := slices.Index(ld.files, f); i >= 0 {
		return i
	}
	ld.files = append(ld.files, f)
	return len(ld.files) - 1
}

// line reads one entry line.
func (ld *taxonomyLoader) line(l Line) error {
	switch l.Fields[0] {
	case "category":
		return ld.category(l)
	case "aspect":
		return ld.aspect(l)
	case "opinion", "implicit":
		return ld.opinion(l)
	case "heading":
		return ld.heading(l)
	case "modifier", "hedge", "conj", "negation", "ignore", "generic":
		return ld.wordList(l)
	default:
		return l.Errorf("unknown kind %q (want category, aspect, opinion, implicit, modifier, hedge, conj, negation, ignore, generic or heading)", l.Fields[0])
	}
}

// category reads a category line: name, description, its praise and pain
// points; a later pack may declare a category again with the same points.
func (ld *taxonomyLoader) category(l Line) error {
	f, t := l.Fields, ld.t
	if len(f) < 3 || f[1] == "" {
		return l.Errorf("category: want name and description")
	}
	if strings.ContainsAny(f[1], "/* ") {
		return l.Errorf("category %q: name must not hold '/', '*' or spaces", f[1])
	}
	c := Category{Name: f[1], Description: f[2]}
	opts, err := parseOptions(l, f[3:], "praise", "pain")
	if err != nil {
		return err
	}
	c.Praise, c.Pain = opts["praise"], opts["pain"]
	if prev, ok := ld.cats[f[1]]; ok {
		if prev.file == l.File {
			return l.Errorf("category %q already declared at line %d", f[1], prev.line)
		}
		// a later pack adding to a category of a pack it builds on
		old := t.Categories[prev.index]
		if old.PraisePoint() != c.PraisePoint() || old.PainPoint() != c.PainPoint() {
			return l.Errorf("category %q: declared by %s:%d with praise=%s pain=%s; a pack may declare it again only with the same points",
				f[1], prev.file, prev.line, old.PraisePoint(), old.PainPoint())
		}
		return nil
	}
	for _, p := range []string{c.Praise, c.Pain} {
		if p != "" {
			if cat, _, _ := strings.Cut(p, "/"); cat != c.Name {
				return l.Errorf("category %q: point %q is not in the category", c.Name, p)
			}
			ld.refs = append(ld.refs, pointRef{l, p, "point"})
		}
	}
	ld.cats[c.Name] = catDecl{l.File, l.No, len(t.Categories)}
	t.Categories = append(t.Categories, c)
	return nil
}

// aspect reads an aspect line; an aspect term a pack read before lists
// takes the place of this line.
func (ld *taxonomyLoader) aspect(l Line) error {
	f, t := l.Fields, ld.t
	if len(f) < 3 {
		return l.Errorf("aspect: want category and terms")
	}
	opts, err := parseOptions(l, f[3:], "group", "attr", "lack")
	if err != nil {
		return err
	}
	ld.refs = append(ld.refs, pointRef{l, f[1] + "/x", "category"})
	terms, err := splitTerms(l, f[2])
	if err != nil {
		return err
	}
	for _, term := range terms {
		key := "aspect\x00" + f[1] + "\x00" + term
		if file, ok := ld.seen[key]; ok {
			if file == l.File {
				return l.Errorf("aspect term %q listed twice in %s", term, f[1])
			}
			// listed by a pack read before: the later pack's line
			// places it (菜 is 口味 before 温度 with food)
			for i := range t.Aspects {
				if t.Aspects[i].Term == term && t.Aspects[i].Category == f[1] {
					t.Aspects = slices.Delete(t.Aspects, i, i+1)
					ld.aspectFile = slices.Delete(ld.aspectFile, i, i+1)
					break
				}
			}
		}
		ld.seen[key] = l.File
		_, attr := opts["attr"]
		_, lack := opts["lack"]
		t.Aspects = append(t.Aspects, AspectTerm{Term: term, Category: f[1], Group: opts["group"], Attr: attr, Lack: lack})
		ld.aspectFile = append(ld.aspectFile, ld.fileIndex(l.File))
	}
	return nil
}

// opinion reads an opinion or implicit line; an implicit term a pack read
// before lists moves to this line's point.
func (ld *taxonomyLoader) opinion(l Line) error {
	f, t := l.Fields, ld.t
	cat, pol, opts, err := ld.opinionHeader(l)
	if err != nil {
		return err
	}
	implicit := f[0] == "implicit"
	terms, err := splitTerms(l, f[3])
	if err != nil {
		return err
	}
	for _, term := range terms {
		key := f[0] + "\x00" + f[1] + "\x00" + opts["group"] + "\x00" + term
		if file, ok := ld.seen[key]; ok {
			if file == l.File {
				return l.Errorf("term %q listed twice for %s %s", term, f[0], f[1])
			}
			continue // listed by a pack read before
		}
		ld.seen[key] = l.File
		if implicit {
			if file, ok := ld.seen["implicit\x00"+term]; ok {
				if file == l.File {
					return l.Errorf("term %q is implicit in two points; keep one", term)
				}
				// a later pack gives the term its own point (凉了 is 温度 with food)
				t.Opinions = slices.DeleteFunc(t.Opinions, func(o OpinionTerm) bool { return o.Implicit && o.Term == term })
			}
			ld.seen["implicit\x00"+term] = l.File
		}
		t.Opinions = append(t.Opinions, OpinionTerm{Term: term, Point: f[1], Category: cat, Polarity: pol,
			Implicit: implicit, Group: opts["group"], Opposite: opts["opposite"]})
	}
	return nil
}

// opinionHeader checks an opinion or implicit line up to its terms and
// returns the point's category, the polarity (1 or -1) and the options.
func (ld *taxonomyLoader) opinionHeader(l Line) (cat string, pol int, opts map[string]string, err error) {
	f := l.Fields
	if len(f) < 4 {
		return "", 0, nil, l.Errorf("%s: want point, polarity and terms", f[0])
	}
	var name string
	var ok bool
	cat, name, ok = strings.Cut(f[1], "/")
	if !ok || cat == "" || name == "" {
		return "", 0, nil, l.Errorf("%s: point %q is not category/name", f[0], f[1])
	}
	implicit := f[0] == "implicit"
	if cat == AnyCategory && implicit {
		return "", 0, nil, l.Errorf("implicit: point %q: an implicit opinion needs a real category", f[1])
	}
	switch f[2] {
	case "+":
		pol = 1
	case "-":
		pol = -1
	default:
		return "", 0, nil, l.Errorf("%s: polarity %q is not + or -", f[0], f[2])
	}
	opts, err = parseOptions(l, f[4:], "opposite", "group")
	if err != nil {
		return "", 0, nil, err
	}
	if cat != AnyCategory {
		ld.refs = append(ld.refs, pointRef{l, f[1], "point"})
	}
	if o := opts["opposite"]; o != "" {
		ocat, _, _ := strings.Cut(o, "/")
		if (ocat == AnyCategory) != (cat == AnyCategory) {
			return "", 0, nil, l.Errorf("%s: opposite %q: a generic opinion needs a generic opposite and the reverse", f[0], o)
		}
		if ocat != AnyCategory {
			ld.refs = append(ld.refs, pointRef{l, o, "opposite"})
		}
	}
	if opts["group"] != "" && implicit {
		return "", 0, nil, l.Errorf("implicit: group: an implicit opinion has no aspect to restrict")
	}
	return cat, pol, opts, nil
}

// heading reads a heading line: words that introduce one side's points.
func (ld *taxonomyLoader) heading(l Line) error {
	f := l.Fields
	if len(f) != 3 || f[1] != "+" && f[1] != "-" {
		return l.Errorf("heading: want + or - and terms")
	}
	pol := 1
	if f[1] == "-" {
		pol = -1
	}
	terms, err := splitTerms(l, f[2])
	if err != nil {
		return err
	}
	for _, term := range terms {
		if strings.Contains(term, "{N}") {
			return l.Errorf("heading %q: a heading holds no {N}", term)
		}
		ld.t.Headings = append(ld.t.Headings, Heading{Term: term, Polarity: pol})
	}
	return nil
}

// wordList reads a line of one of the word lists (modifier, hedge, conj,
// negation, ignore, generic).
func (ld *taxonomyLoader) wordList(l Line) error {
	f, t := l.Fields, ld.t
	if len(f) != 3 || f[1] != "-" {
		return l.Errorf("%s: want \"-\" and terms", f[0])
	}
	terms, err := splitTerms(l, f[2])
	if err != nil {
		return err
	}
	switch f[0] {
	case "modifier":
		t.Modifiers = append(t.Modifiers, terms...)
	case "hedge":
		t.Hedges = append(t.Hedges, terms...)
	case "negation":
		t.Negations = append(t.Negations, terms...)
	case "ignore":
		t.Ignored = append(t.Ignored, terms...)
	case "generic":
		t.Generic = append(t.Generic, terms...)
	default:
		t.Conjunctions = append(t.Conjunctions, terms...)
	}
	return nil
}

// finish adds to the line errors of ReadLines (err) the points naming an
// unknown category, and orders the aspects of several files: a later
// pack's first.
func (ld *taxonomyLoader) finish(err error) (*Taxonomy, error) {
	t := ld.t
	var errs Errors
	if err != nil {
		if !errors.As(err, &errs) {
			return nil, err
		}
	}
	for _, r := range ld.refs {
		cat, _, _ := strings.Cut(r.point, "/")
		if _, ok := ld.cats[cat]; !ok {
			errs = append(errs, r.l.Errorf("%s %q: unknown category %q", r.what, r.point, cat))
		}
	}
	if len(errs) > 0 {
		sortErrors(errs)
		return nil, errs
	}
	if len(t.Categories) == 0 {
		return nil, Errors{{File: TaxonomyFile, Err: errors.New("no categories (select a pack: FORMAT.md, section \"Packs\")")}}
	}
	if len(ld.files) > 1 {
		idx := make([]int, len(t.Aspects))
		for i := range idx {
			idx[i] = i
		}
		slices.SortStableFunc(idx, func(a, b int) int { return ld.aspectFile[b] - ld.aspectFile[a] })
		sorted := make([]AspectTerm, len(idx))
		for i, j := range idx {
			sorted[i] = t.Aspects[j]
		}
		t.Aspects = sorted
	}
	return t, nil
}

// splitTerms splits a space-separated term list and checks each term.
func splitTerms(l Line, s string) ([]string, error) {
	terms := strings.Fields(s)
	if len(terms) == 0 {
		return nil, l.Errorf("no terms")
	}
	for _, term := range terms {
		if n := utf8.RuneCountInString(term); n > maxTermRunes {
			return nil, l.Errorf("term %q is %d characters, limit %d (missing TAB?)", term, n, maxTermRunes)
		}
		rest := strings.ReplaceAll(term, NumberPattern, "")
		if strings.ContainsAny(rest, "{}") {
			return nil, l.Errorf("term %q: the only pattern is %s", term, NumberPattern)
		}
		if rest == "" {
			return nil, l.Errorf("term %q: a pattern needs text besides %s", term, NumberPattern)
		}
	}
	return terms, nil
}

// splitPlainTerms is splitTerms for the files other than the taxonomy,
// whose terms take no pattern; what names a term in the errors ("term",
// "cue").
func splitPlainTerms(l Line, s, what string) ([]string, error) {
	terms, err := splitTerms(l, s)
	if err != nil {
		return nil, err
	}
	for _, t := range terms {
		if strings.Contains(t, NumberPattern) {
			return nil, l.Errorf("%s %q: patterns are for the taxonomy only", what, t)
		}
	}
	return terms, nil
}

// NumberPattern in a term matches a number: ASCII digits or Chinese numerals.
const NumberPattern = "{N}"

// parseOptions parses key=value (or bare key) fields; only the given keys
// are allowed.
func parseOptions(l Line, fields []string, keys ...string) (map[string]string, error) {
	out := map[string]string{}
	for _, f := range fields {
		for _, kv := range strings.Fields(f) {
			k, v, _ := strings.Cut(kv, "=")
			ok := false
			for _, want := range keys {
				ok = ok || k == want
			}
			if !ok {
				return nil, l.Errorf("unknown option %q (want %s)", k, strings.Join(keys, ", "))
			}
			if _, dup := out[k]; dup {
				return nil, l.Errorf("option %q given twice", k)
			}
			out[k] = v
		}
	}
	return out, nil
}

// sortErrors orders errors by line (they come from one file).
func sortErrors(es Errors) {
	for i := 1; i < len(es); i++ {
		for j := i; j > 0 && es[j].Line < es[j-1].Line; j-- {
			es[j], es[j-1] = es[j-1], es[j]
		}
	}
}

// String describes the taxonomy's size, for logs.
func (t *Taxonomy) String() string {
	return fmt.Sprintf("%d categories, %d aspect terms, %d opinion terms", len(t.Categories), len(t.Aspects), len(t.Opinions))
}
