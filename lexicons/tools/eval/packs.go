package eval

import (
	"bufio"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/vocproject/voc/lexicons"
	"github.com/vocproject/voc/nlp"
	"github.com/vocproject/voc/nlp/analyzer"
	"github.com/vocproject/voc/nlp/normalize"
)

// PackSamplesDir holds the hand-labelled topic samples, one file per pack,
// relative to the repository root (see its GUIDELINE.md).
const PackSamplesDir = "testdata/aspect-eval"

// Signs of a label's polarity in the sample files.
const (
	SignPositive = "+"
	SignNegative = "-"
	SignNeutral  = "0"
)

// Label is one (category, polarity) pair of a text.
type Label struct {
	Category string
	Sign     string // SignPositive, SignNegative or SignNeutral
}

func (l Label) String() string { return l.Category + ":" + l.Sign }

// PackText is one labelled text of a sample file.
type PackText struct {
	ID, Text string
	Line     int     // line number in the file
	Labels   []Label // sorted; empty: none of the categories is talked about
}

// PackSample is one sample file: the texts and the pack selection to
// evaluate them with.
type PackSample struct {
	Name  string   // the "# pack:" header, else the file name without .tsv
	Path  string   // as given to ReadPackSample
	Packs []string // the "# packs:" header, unresolved
	// Conversational is set by "# kind: chat" (call, email): the texts are a
	// customer's words to the company and are analysed as such.
	Conversational bool
	Texts          []PackText
}

// Labels returns the number of labels of the sample.
func (s *PackSample) Labels() int {
	n := 0
	for _, t := range s.Texts {
		n += len(t.Labels)
	}
	return n
}

// ReadPackSample reads a sample file: "#" lines are comments, except
// "# packs: a,b" (required: the pack selection) and "# pack: NAME"; every
// other non-empty line is id TAB text TAB labels, the labels
// space-separated CATEGORY:POLARITY with polarity + - 0. Errors name the
// file and line.
func ReadPackSample(path string) (*PackSample, error) {
	f, err := openData(path, "eval")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	s := &PackSample{Name: strings.TrimSuffix(filepath.Base(path), ".tsv"), Path: path}
	var (
		errs     []error
		havePack bool
		ids      = map[string]int{}
	)
	fail := func(line int, format string, a ...any) {
		errs = append(errs, fmt.Errorf("%s:%d: %s", path, line, fmt.Sprintf(format, a...)))
	}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64*1024), 16*1024*1024)
	for no := 1; sc.Scan(); no++ {
		line := strings.TrimSuffix(sc.Text(), "\r")
		if no == 1 {
			line = strings.TrimPrefix(line, "\uFEFF")
		}
		if strings.TrimSpace(line) == "" {
			continue
		}
		if strings.HasPrefix(line, "#") {
			key, val, ok := strings.Cut(strings.TrimSpace(strings.TrimPrefix(line, "#")), ":")
			if !ok {
				continue
			}
			val = strings.TrimSpace(val)
			switch strings.TrimSpace(key) {
			case "packs":
				if havePack {
					fail(no, "second \"# packs:\" header")
				}
				havePack = true
				s.Packs = lexicons.SplitPacks(val)
				if len(s.Packs) == 0 {
					fail(no, "\"# packs:\" names no pack")
				}
			case "pack":
				if val != "" {
					s.Name = val
				}
			case "kind":
				switch val {
				case "chat", "call", "email":
					s.Conversational = true
				case "review", "survey":
				default:
					fail(no, "\"# kind:\" %q: want review, survey, chat, call or email", val)
				}
			}
			continue
		}
		fields := strings.Split(line, "\t")
		if len(fields) < 2 || len(fields) > 3 {
			fail(no, "malformed row: %d tab-separated fields, want id, text, labels", len(fields))
			continue
		}
		t := PackText{ID: strings.TrimSpace(fields[0]), Text: fields[1], Line: no}
		if t.ID == "" || strings.TrimSpace(t.Text) == "" {
			fail(no, "malformed row: empty id or text")
			continue
		}
		if prev, dup := ids[t.ID]; dup {
			fail(no, "id %s again (first on line %d)", t.ID, prev)
			continue
		}
		ids[t.ID] = no
		if len(fields) == 3 {
			labels, err := parseLabels(fields[2])
			if err != nil {
				fail(no, "%v", err)
				continue
			}
			t.Labels = labels
		}
		s.Texts = append(s.Texts, t)
	}
	if err := sc.Err(); err != nil {
		errs = append(errs, fmt.Errorf("eval: read %s: %w", path, err))
	}
	if !havePack {
		errs = append(errs, fmt.Errorf("%s: no \"# packs:\" header naming the pack selection", path))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return s, nil
}

// parseLabels parses a labels field.
func parseLabels(field string) ([]Label, error) {
	var out []Label
	seen := map[Label]bool{}
	for _, f := range strings.Fields(field) {
		i := strings.LastIndexByte(f, ':')
		if i <= 0 {
			return nil, fmt.Errorf("malformed label %q: want CATEGORY:POLARITY", f)
		}
		l := Label{Category: f[:i], Sign: f[i+1:]}
		switch l.Sign {
		case SignPositive, SignNegative, SignNeutral:
		default:
			return nil, fmt.Errorf("label %q: unknown polarity %q (want + - 0)", f, l.Sign)
		}
		if seen[l] {
			return nil, fmt.Errorf("label %q twice", f)
		}
		seen[l] = true
		out = append(out, l)
	}
	for _, l := range out {
		if l.Sign == SignNeutral && (seen[Label{l.Category, SignPositive}] || seen[Label{l.Category, SignNegative}]) {
			return nil, fmt.Errorf("label %q beside a + or - label of %s (see GUIDELINE.md)", l, l.Category)
		}
	}
	sortLabels(out)
	return out, nil
}

func sortLabels(ls []Label) {
	slices.SortFunc(ls, func(a, b Label) int {
		return cmp.Or(strings.Compare(a.Category, b.Category), strings.Compare(a.Sign, b.Sign))
	})
}

// PredictedLabels returns the (category, polarity) pairs of voc's aspects:
// every aspect with a category (open opinions are left out), positive as
// +, negative as -, neutral (mentions, asked or hedged opinions) as 0; a
// category that has + or - loses its 0. Sorted.
func PredictedLabels(aspects []nlp.Aspect) []Label {
	seen := map[Label]bool{}
	for _, a := range aspects {
		if a.IsUnmapped() {
			continue
		}
		sign := SignNeutral
		switch a.Polarity {
		case nlp.Positive:
			sign = SignPositive
		case nlp.Negative:
			sign = SignNegative
		}
		seen[Label{a.Category, sign}] = true
	}
	var out []Label
	for l := range seen {
		if l.Sign == SignNeutral && (seen[Label{l.Category, SignPositive}] || seen[Label{l.Category, SignNegative}]) {
			continue
		}
		out = append(out, l)
	}
	sortLabels(out)
	return out
}

// BaselineLabels returns the labels of the baseline: category:0 for every
// category whose name occurs in the normalized text. Sorted.
func BaselineLabels(text string, categories []string) []Label {
	norm := normalize.Normalize(text).S
	var out []Label
	for _, c := range categories {
		if c != "" && strings.Contains(norm, c) {
			out = append(out, Label{c, SignNeutral})
		}
	}
	sortLabels(out)
	return out
}

// PackScore is the score of one method on a sample.
type PackScore struct {
	// Mentions are the labelled (text, category) pairs, any polarity;
	// MentionHits those the method predicts with any polarity.
	Mentions, MentionHits int
	// Pairs counts the (text, category, polarity) triples.
	Pairs Count
}

// MentionRecall is MentionHits/Mentions (0 when nothing is labelled).
func (s PackScore) MentionRecall() float64 { return ratio(s.MentionHits, s.Mentions) }

// PackCategory is the evaluation of one category of a sample.
type PackCategory struct {
	Category string
	// InTaxonomy is whether the selection's taxonomy declares it; a
	// labelled category it does not declare can only be missed.
	InTaxonomy bool
	Gold       int // labels of the category
	// Voc and Baseline count the category's (text, category, polarity)
	// triples and its mentions (Mentions: texts labelled with it).
	Voc, Baseline PackScore
}

// PackMistake is a text whose predicted labels differ from the gold ones.
type PackMistake struct {
	ID, Text                       string
	Line                           int
	Gold, Predicted, Missed, Extra []Label
}

// PackResult is the evaluation of one sample file.
type PackResult struct {
	Name  string
	Path  string
	Packs []string // the selection, resolved (required packs first)
	// Lexicons is the version (content hash) of the lexicons evaluated.
	Lexicons      string
	Texts, Labels int
	Voc, Baseline PackScore
	// Categories has every category labelled or predicted by voc, most
	// labels first.
	Categories []PackCategory
	// Mistakes lists voc's texts whose labels differ from the gold, in file
	// order.
	Mistakes []PackMistake
}

// ScorePackSample scores the sample with an (voc) and with the baseline
// over the category names categories (the selection's taxonomy).
func ScorePackSample(ctx context.Context, s *PackSample, an Analyze, categories []string) (*PackResult, error) {
	r := &PackResult{Name: s.Name, Path: s.Path, Packs: s.Packs, Texts: len(s.Texts), Labels: s.Labels()}
	known := map[string]bool{}
	for _, c := range categories {
		known[c] = true
	}
	cats := map[string]*PackCategory{}
	cat := func(name string) *PackCategory {
		c := cats[name]
		if c == nil {
			c = &PackCategory{Category: name, InTaxonomy: known[name]}
			cats[name] = c
		}
		return c
	}
	for _, t := range s.Texts {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		pred := PredictedLabels(an(t.Text))
		base := BaselineLabels(t.Text, categories)
		for _, l := range t.Labels {
			cat(l.Category).Gold++
		}
		score(&r.Voc, t.Labels, pred, func(c string) *PackScore { return &cat(c).Voc })
		score(&r.Baseline, t.Labels, base, func(c string) *PackScore { return &cat(c).Baseline })
		if missed, extra := diffLabels(t.Labels, pred); len(missed)+len(extra) > 0 {
			r.Mistakes = append(r.Mistakes, PackMistake{ID: t.ID, Text: t.Text, Line: t.Line,
				Gold: t.Labels, Predicted: pred, Missed: missed, Extra: extra})
		}
	}
	for _, c := range cats {
		if c.Gold == 0 && c.Voc.Pairs.FP == 0 {
			continue // only the baseline predicted it
		}
		r.Categories = append(r.Categories, *c)
	}
	slices.SortFunc(r.Categories, func(a, b PackCategory) int {
		return cmp.Or(cmp.Compare(b.Gold, a.Gold), cmp.Compare(b.Voc.Pairs.FP, a.Voc.Pairs.FP), strings.Compare(a.Category, b.Category))
	})
	r.Voc.Pairs.Category, r.Baseline.Pairs.Category = "micro", "micro"
	return r, nil
}

// score adds the comparison of one text's gold and predicted labels to
// total and to the categories' scores.
func score(total *PackScore, gold, pred []Label, per func(cat string) *PackScore) {
	predSet, predCats := map[Label]bool{}, map[string]bool{}
	for _, l := range pred {
		predSet[l] = true
		predCats[l.Category] = true
	}
	goldSet, goldCats := map[Label]bool{}, map[string]bool{}
	for _, l := range gold {
		goldSet[l] = true
		c := per(l.Category)
		if predSet[l] {
			total.Pairs.TP++
			c.Pairs.TP++
		} else {
			total.Pairs.FN++
			c.Pairs.FN++
		}
		if !goldCats[l.Category] {
			goldCats[l.Category] = true
			total.Mentions++
			c.Mentions++
			if predCats[l.Category] {
				total.MentionHits++
				c.MentionHits++
			}
		}
	}
	for _, l := range pred {
		if !goldSet[l] {
			total.Pairs.FP++
			per(l.Category).Pairs.FP++
		}
	}
}

// diffLabels returns the gold labels not predicted and the predicted ones
// not in gold.
func diffLabels(gold, pred []Label) (missed, extra []Label) {
	for _, l := range gold {
		if !slices.Contains(pred, l) {
			missed = append(missed, l)
		}
	}
	for _, l := range pred {
		if !slices.Contains(gold, l) {
			extra = append(extra, l)
		}
	}
	return missed, extra
}

// PackSampleFiles returns the sample files (*.tsv) of dir, sorted. It
// returns an error wrapping ErrNoData when dir is missing or holds none.
func PackSampleFiles(dir string) ([]string, error) {
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return nil, fmt.Errorf("%w: %s is not a directory", ErrNoData, dir)
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.tsv"))
	if err != nil {
		return nil, fmt.Errorf("eval: %w", err)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("%w: no *.tsv samples in %s", ErrNoData, dir)
	}
	slices.Sort(files)
	return files, nil
}

// PackConfig configures PackSamples.
type PackConfig struct {
	Dir string // the sample files (PackSamplesDir)
	// Lexicons are the lexicon files (lexicons.Dir; nil: the embedded ones).
	Lexicons fs.FS
	Logger   *slog.Logger // default discards
}

// PackSamples evaluates every sample file of cfg.Dir with the production
// analyzer over its pack selection. The files sharing a selection share an
// analyzer; the analyzers (each with its segmenter) are built one after the
// other and each is released before the next is built. It returns an error
// wrapping ErrNoData when the directory is missing or holds no sample; a
// malformed file or a selection that does not load is an error.
func PackSamples(ctx context.Context, cfg PackConfig) ([]*PackResult, error) {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	fsys := cfg.Lexicons
	if fsys == nil {
		fsys = lexicons.Embedded()
	}
	files, err := PackSampleFiles(cfg.Dir)
	if err != nil {
		return nil, err
	}
	var samples []*PackSample
	var errs []error
	for _, f := range files {
		s, err := ReadPackSample(f)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		samples = append(samples, s)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	// Group by selection, in the order of first appearance.
	var keys []string
	groups := map[string][]int{}
	for i, s := range samples {
		k := strings.Join(s.Packs, ",")
		if _, ok := groups[k]; !ok {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], i)
	}
	out := make([]*PackResult, len(samples))
	for _, k := range keys {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if err := scoreGroup(ctx, fsys, samples, groups[k], out, log); err != nil {
			return nil, err
		}
		runtime.GC() // the group's analyzer and segmenter are garbage now
	}
	return out, nil
}

// scoreGroup scores the samples idx, which share a pack selection, with
// one analyzer.
func scoreGroup(ctx context.Context, fsys fs.FS, samples []*PackSample, idx []int, out []*PackResult, log *slog.Logger) error {
	packs := samples[idx[0]].Packs
	start := time.Now()
	set, err := lexicons.LoadPacks(fsys, packs)
	if err != nil {
		return fmt.Errorf("eval: %s: packs %s: %w", samples[idx[0]].Path, strings.Join(packs, ","), err)
	}
	an, err := analyzer.New(set, nil)
	if err != nil {
		return fmt.Errorf("eval: packs %s: %w", strings.Join(packs, ","), err)
	}
	cats := make([]string, len(set.Taxonomy.Categories))
	for i, c := range set.Taxonomy.Categories {
		cats[i] = c.Name
	}
	for _, i := range idx {
		opts := nlp.Options{Conversational: samples[i].Conversational}
		analyze := func(text string) []nlp.Aspect { return an.Analyze(text, opts).Aspects }
		r, err := ScorePackSample(ctx, samples[i], analyze, cats)
		if err != nil {
			return err
		}
		r.Packs, r.Lexicons = set.Packs, set.Version
		out[i] = r
		log.Info("eval: pack sample", "sample", r.Name, "packs", strings.Join(set.Packs, ","), "texts", r.Texts,
			"mention_recall", round3(r.Voc.MentionRecall()), "f1", round3(r.Voc.Pairs.F1()))
	}
	log.Info("eval: pack selection done", "packs", strings.Join(set.Packs, ","), "took", time.Since(start).Round(time.Millisecond))
	return nil
}

func round3(x float64) float64 { return float64(int(x*1000+0.5)) / 1000 }

// PackMarkdown renders the evaluations: the summary table, then per sample
// its categories; with mistakes, also every text voc got wrong.
func PackMarkdown(rs []*PackResult, mistakes bool) string {
	var b strings.Builder
	b.WriteString("## Topics per pack (hand-labelled samples, testdata/aspect-eval)\n\n")
	b.WriteString("Per text, the labelled (category, polarity) pairs against voc's (an aspect with a category: positive +, ")
	b.WriteString("negative −, mention or hedged 0; a category with + or − loses its 0). Mention recall: labelled ")
	b.WriteString("categories of a text that are predicted with any polarity. Baseline: the category's name occurs in ")
	b.WriteString("the text, polarity 0. One annotator (see GUIDELINE.md): differences of a few points are noise.\n\n")
	b.WriteString("| sample | packs | texts | labels | voc mention recall | voc P | voc R | voc micro-F1 | baseline mention recall | baseline micro-F1 |\n")
	b.WriteString("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, r := range rs {
		fmt.Fprintf(&b, "| %s | %s | %d | %d | %.3f | %.3f | %.3f | **%.3f** | %.3f | %.3f |\n",
			r.Name, strings.Join(r.Packs, " "), r.Texts, r.Labels, r.Voc.MentionRecall(),
			r.Voc.Pairs.Precision(), r.Voc.Pairs.Recall(), r.Voc.Pairs.F1(),
			r.Baseline.MentionRecall(), r.Baseline.Pairs.F1())
	}
	for _, r := range rs {
		fmt.Fprintf(&b, "\n### %s: categories\n\n", r.Name)
		b.WriteString("| category | labels | voc mention recall | TP | FP | FN | P | R | F1 | baseline F1 |\n")
		b.WriteString("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
		for _, c := range r.Categories {
			name := c.Category
			if !c.InTaxonomy {
				name += " (not in the taxonomy)"
			}
			fmt.Fprintf(&b, "| %s | %d | %.3f | %d | %d | %d | %.3f | %.3f | %.3f | %.3f |\n",
				name, c.Gold, c.Voc.MentionRecall(), c.Voc.Pairs.TP, c.Voc.Pairs.FP, c.Voc.Pairs.FN,
				c.Voc.Pairs.Precision(), c.Voc.Pairs.Recall(), c.Voc.Pairs.F1(), c.Baseline.Pairs.F1())
		}
		if mistakes && len(r.Mistakes) > 0 {
			fmt.Fprintf(&b, "\n%d texts differ from the labels (missed: labelled, not predicted; extra: predicted, not labelled):\n\n", len(r.Mistakes))
			b.WriteString("| id | text | labels | voc | missed | extra |\n|---|---|---|---|---|---|\n")
			for _, m := range r.Mistakes {
				fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n", m.ID, mdCell(m.Text),
					joinLabels(m.Gold), joinLabels(m.Predicted), joinLabels(m.Missed), joinLabels(m.Extra))
			}
		}
	}
	return b.String()
}

func mdCell(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ", "\r", " ").Replace(s)
}

func joinLabels(ls []Label) string {
	s := make([]string, len(ls))
	for i, l := range ls {
		s[i] = l.String()
	}
	return strings.Join(s, " ")
}

// PackMistakesTSV renders the mistakes of every sample as TSV: sample, id,
// line, text, labels, voc, missed, extra.
func PackMistakesTSV(rs []*PackResult) string {
	var b strings.Builder
	b.WriteString("sample\tid\tline\ttext\tlabels\tvoc\tmissed\textra\n")
	clean := strings.NewReplacer("\t", " ", "\n", " ", "\r", " ")
	for _, r := range rs {
		for _, m := range r.Mistakes {
			fmt.Fprintf(&b, "%s\t%s\t%d\t%s\t%s\t%s\t%s\t%s\n", r.Name, m.ID, m.Line, clean.Replace(m.Text),
				joinLabels(m.Gold), joinLabels(m.Predicted), joinLabels(m.Missed), joinLabels(m.Extra))
		}
	}
	return b.String()
}

// PackSummary is the one-line JSON of a sample's evaluation.
type PackSummary struct {
	Sample   string        `json:"sample"`
	Packs    []string      `json:"packs"`
	Lexicons string        `json:"lexicons"`
	Texts    int           `json:"texts"`
	Labels   int           `json:"labels"`
	Voc      PackScoreJSON `json:"voc"`
	Baseline PackScoreJSON `json:"baseline"`
}

// PackScoreJSON is a PackScore as JSON.
type PackScoreJSON struct {
	MentionRecall float64 `json:"mention_recall"`
	Precision     float64 `json:"precision"`
	Recall        float64 `json:"recall"`
	F1            float64 `json:"f1"`
	TP            int     `json:"tp"`
	FP            int     `json:"fp"`
	FN            int     `json:"fn"`
}

func scoreJSON(s PackScore) PackScoreJSON {
	return PackScoreJSON{
		MentionRecall: round4(s.MentionRecall()), Precision: round4(s.Pairs.Precision()),
		Recall: round4(s.Pairs.Recall()), F1: round4(s.Pairs.F1()),
		TP: s.Pairs.TP, FP: s.Pairs.FP, FN: s.Pairs.FN,
	}
}

func round4(x float64) float64 { return float64(int(x*10000+0.5)) / 10000 }

// Summary returns the closing numbers of r.
func (r *PackResult) Summary() PackSummary {
	return PackSummary{Sample: r.Name, Packs: r.Packs, Lexicons: r.Lexicons, Texts: r.Texts, Labels: r.Labels,
		Voc: scoreJSON(r.Voc), Baseline: scoreJSON(r.Baseline)}
}

// PackJSONLines renders one JSON object per sample, one a line.
func PackJSONLines(rs []*PackResult) string {
	var b strings.Builder
	for _, r := range rs {
		j, _ := json.Marshal(r.Summary()) // plain fields: cannot fail
		b.Write(j)
		b.WriteByte('\n')
	}
	return b.String()
}
