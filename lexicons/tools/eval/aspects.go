package eval

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/vocproject/voc/nlp"
)

// AspectDir is the 之江杯 2019 aspect set under the data directory.
const AspectDir = "aspects/zhijiang2019"

// Analyze returns the aspects voc finds in one raw review (normalization,
// masking, segmentation and clause splitting included). It must be safe to
// call from one goroutine at a time; Aspects calls it sequentially.
type Analyze func(text string) []nlp.Aspect

// ZhijiangCategories maps the categories of the 之江杯 labels to voc's
// taxonomy categories. 成分 (ingredients) and 其他 have no voc category and
// are left out on both sides; voc categories that no label maps to (质量,
// 售后, 外观, 口味) are not scored.
var ZhijiangCategories = map[string]string{
	"物流": "物流", "包装": "包装", "价格": "价格", "服务": "服务", "真伪": "真伪",
	"整体": "整体", "使用体验": "使用体验", "功效": "功能", "气味": "气味", "尺寸": "尺寸", "新鲜度": "新鲜度",
}

// MainAspectCategories are the categories whose micro-F1 is the headline
// figure.
var MainAspectCategories = []string{"物流", "包装", "价格", "服务", "真伪"}

var zhijiangPolarities = map[string]string{"正面": nlp.Positive, "负面": nlp.Negative, "中性": nlp.Neutral}

// Count holds the (category, polarity) pair counts of one category.
type Count struct {
	Category     string
	TP, FP, FN   int
	Gold, Chosen int // reviews with a gold / predicted pair of the category
}

// Precision is TP/(TP+FP), 0 when nothing was predicted.
func (c Count) Precision() float64 { return ratio(c.TP, c.TP+c.FP) }

// Recall is TP/(TP+FN), 0 when nothing was to be found.
func (c Count) Recall() float64 { return ratio(c.TP, c.TP+c.FN) }

// F1 is the harmonic mean of precision and recall.
func (c Count) F1() float64 { return ratio(2*c.TP, 2*c.TP+c.FP+c.FN) }

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func (c *Count) add(o Count) {
	c.TP += o.TP
	c.FP += o.FP
	c.FN += o.FN
	c.Gold += o.Gold
	c.Chosen += o.Chosen
}

// AspectSplit is the evaluation of one half of the set.
type AspectSplit struct {
	Name    string
	Reviews int
	// Main holds MainAspectCategories in order, Others the other mapped
	// categories that have gold labels or predictions, by name.
	Main, Others           []Count
	MainMicro, OthersMicro Count
	// Terms counts the labelled aspect terms (every category, 成分 and 其他
	// included) that voc names: an aspect of its output, opinion or topic
	// mention, whose term contains the labelled one or lies inside it.
	Terms TermCount
	// Mistakes lists the reviews whose main-category pairs differ from the
	// gold ones, in id order.
	Mistakes []AspectMistake
}

// TermCount is the coverage of labelled aspect terms: how many voc names at
// all and, of those, how many with the labelled polarity.
type TermCount struct {
	Labelled, Named, SamePolarity int
}

// Recall is the share of labelled terms voc names.
func (t TermCount) Recall() float64 { return ratio(t.Named, t.Labelled) }

// PolarityAccuracy is the share of named terms whose polarity is the
// labelled one.
func (t TermCount) PolarityAccuracy() float64 { return ratio(t.SamePolarity, t.Named) }

type goldTerm struct{ term, pol string }

// countTerms adds the labelled terms of one review to t.
func (t *TermCount) countTerms(gold []goldTerm, pred []nlp.Aspect) {
	for _, g := range gold {
		t.Labelled++
		named, same := false, false
		for _, a := range pred {
			if a.Aspect == "" || !(strings.Contains(a.Aspect, g.term) || strings.Contains(g.term, a.Aspect)) {
				continue
			}
			named = true
			if a.Polarity == g.pol {
				same = true
			}
		}
		if named {
			t.Named++
		}
		if same {
			t.SamePolarity++
		}
	}
}

// AspectMistake is one review whose predicted pairs differ from the gold.
type AspectMistake struct {
	ID, Text      string
	Missed, Extra []string // "category/polarity"
}

// AspectReport is the evaluation of the aspect matcher on 之江杯 2019.
type AspectReport struct {
	// Dev is the half read while tuning the taxonomy; HeldOut the other
	// half, only ever scored. A review belongs to Dev when the FNV-1a hash
	// of its id is even (see DevReview).
	Dev, HeldOut AspectSplit
}

// DevReview reports whether the review with this id is in the dev half.
func DevReview(id string) bool {
	h := fnv.New32a()
	h.Write([]byte(id))
	return h.Sum32()%2 == 0
}

type pair struct{ cat, pol string }

// Aspects evaluates an on the 之江杯 2019 set in dir (reviews.csv and
// labels.csv): for every review, the set of (category, polarity) pairs of
// the gold labels against that of the predicted aspects, both restricted
// to the mapped categories. It returns an error wrapping ErrNoData when the
// files are missing.
func Aspects(ctx context.Context, dir string, an Analyze) (*AspectReport, error) {
	reviews, err := readCSV(filepath.Join(dir, "reviews.csv"), "id", "Reviews")
	if err != nil {
		return nil, err
	}
	labels, err := readCSV(filepath.Join(dir, "labels.csv"), "id", "Categories", "Polarities", "AspectTerms")
	if err != nil {
		return nil, err
	}
	gold := map[string]map[pair]bool{}
	terms := map[string][]goldTerm{}
	for i, l := range labels {
		pol, ok := zhijiangPolarities[l[2]]
		if !ok {
			return nil, fmt.Errorf("eval: aspects: labels.csv row %d: unknown polarity %q", i+2, l[2])
		}
		if l[3] != "" && l[3] != "_" {
			terms[l[0]] = append(terms[l[0]], goldTerm{l[3], pol})
		}
		cat, ok := ZhijiangCategories[l[1]]
		if !ok {
			continue
		}
		if gold[l[0]] == nil {
			gold[l[0]] = map[pair]bool{}
		}
		gold[l[0]][pair{cat, pol}] = true
	}
	mapped := map[string]bool{}
	for _, v := range ZhijiangCategories {
		mapped[v] = true
	}
	main := map[string]bool{}
	for _, c := range MainAspectCategories {
		main[c] = true
	}
	rep := &AspectReport{Dev: AspectSplit{Name: "dev"}, HeldOut: AspectSplit{Name: "held-out"}}
	counts := [2]map[string]*Count{{}, {}}
	for _, r := range reviews {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		id, text := r[0], r[1]
		half, sp := 1, &rep.HeldOut
		if DevReview(id) {
			half, sp = 0, &rep.Dev
		}
		sp.Reviews++
		pred := map[pair]bool{}
		out := an(text)
		sp.Terms.countTerms(terms[id], out)
		for _, a := range out {
			// a topic mention is no opinion: the set labels opinions only
			if mapped[a.Category] && !a.IsMention() {
				pred[pair{a.Category, a.Polarity}] = true
			}
		}
		g := gold[id]
		cnt := func(cat string) *Count {
			c := counts[half][cat]
			if c == nil {
				c = &Count{Category: cat}
				counts[half][cat] = c
			}
			return c
		}
		var missed, extra []string
		goldCats, predCats := map[string]bool{}, map[string]bool{}
		for p := range g {
			goldCats[p.cat] = true
			if pred[p] {
				cnt(p.cat).TP++
			} else {
				cnt(p.cat).FN++
				if main[p.cat] {
					missed = append(missed, p.cat+"/"+p.pol)
				}
			}
		}
		for p := range pred {
			predCats[p.cat] = true
			if !g[p] {
				cnt(p.cat).FP++
				if main[p.cat] {
					extra = append(extra, p.cat+"/"+p.pol)
				}
			}
		}
		for c := range goldCats {
			cnt(c).Gold++
		}
		for c := range predCats {
			cnt(c).Chosen++
		}
		if len(missed)+len(extra) > 0 {
			slices.Sort(missed)
			slices.Sort(extra)
			sp.Mistakes = append(sp.Mistakes, AspectMistake{ID: id, Text: text, Missed: missed, Extra: extra})
		}
	}
	for half, sp := range []*AspectSplit{&rep.Dev, &rep.HeldOut} {
		for _, c := range MainAspectCategories {
			x := Count{Category: c}
			if p := counts[half][c]; p != nil {
				x = *p
			}
			sp.Main = append(sp.Main, x)
			sp.MainMicro.add(x)
		}
		var others []string
		for c := range counts[half] {
			if !main[c] {
				others = append(others, c)
			}
		}
		slices.Sort(others)
		for _, c := range others {
			x := *counts[half][c]
			sp.Others = append(sp.Others, x)
			sp.OthersMicro.add(x)
		}
		sp.MainMicro.Category, sp.OthersMicro.Category = "micro", "micro"
	}
	return rep, nil
}

// openData opens a data file: ErrNoData (wrapped) when it is missing,
// other errors behind prefix.
func openData(path, prefix string) (*os.File, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s missing", ErrNoData, path)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", prefix, err)
	}
	return f, nil
}

// readCSV reads the named columns of a CSV file with a header row.
func readCSV(path string, cols ...string) ([][]string, error) {
	f, err := openData(path, "eval: aspects")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	head, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("eval: aspects: read %s header: %w", path, err)
	}
	if len(head) > 0 {
		head[0] = strings.TrimPrefix(head[0], "\uFEFF")
	}
	idx := make([]int, len(cols))
	for i, c := range cols {
		idx[i] = slices.Index(head, c)
		if idx[i] < 0 {
			return nil, fmt.Errorf("eval: aspects: %s: no column %q (have %s)", path, c, strings.Join(head, ","))
		}
	}
	var out [][]string
	for line := 2; ; line++ {
		rec, err := r.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("eval: aspects: read %s: %w", path, err)
		}
		row := make([]string, len(cols))
		for i, k := range idx {
			if k >= len(rec) {
				return nil, fmt.Errorf("eval: aspects: %s:%d: %d fields, want column %d", path, line, len(rec), k+1)
			}
			row[i] = strings.TrimSpace(rec[k])
		}
		out = append(out, row)
	}
}

// Markdown renders the report: per-category precision, recall and F1 of
// the main categories and of the others, for both halves.
func (r *AspectReport) Markdown() string {
	var b strings.Builder
	b.WriteString("## Pain points (之江杯 2019 aspects)\n\n")
	b.WriteString("Per review, the set of (category, polarity) pairs found against the labelled ones. ")
	b.WriteString("The set is split by review id (FNV-1a hash of the id even: dev, odd: held-out); ")
	b.WriteString("only the dev half was read while tuning the taxonomy (its seed vocabulary predates the split).\n\n")
	b.WriteString("| category | dev P | dev R | dev F1 | held-out P | held-out R | held-out F1 | held-out gold pairs |\n")
	b.WriteString("|---|---:|---:|---:|---:|---:|---:|---:|\n")
	row := func(d, h Count, bold bool) {
		name := d.Category
		if bold {
			name = "**" + name + "**"
		}
		fmt.Fprintf(&b, "| %s | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f | %d |\n",
			name, d.Precision(), d.Recall(), d.F1(), h.Precision(), h.Recall(), h.F1(), h.TP+h.FN)
	}
	for i := range r.Dev.Main {
		row(r.Dev.Main[i], r.HeldOut.Main[i], false)
	}
	d, h := r.Dev.MainMicro, r.HeldOut.MainMicro
	d.Category = "micro (" + strings.Join(MainAspectCategories, ", ") + ")"
	row(d, h, true)
	others := map[string][2]Count{}
	var names []string
	for i, sp := range []AspectSplit{r.Dev, r.HeldOut} {
		for _, c := range sp.Others {
			if _, ok := others[c.Category]; !ok {
				names = append(names, c.Category)
			}
			x := others[c.Category]
			x[i] = c
			x[i].Category = c.Category
			others[c.Category] = x
		}
	}
	slices.Sort(names)
	for _, n := range names {
		x := others[n]
		x[0].Category = n
		row(x[0], x[1], false)
	}
	if len(names) > 0 {
		d, h := r.Dev.OthersMicro, r.HeldOut.OthersMicro
		d.Category = "micro (other mapped categories)"
		row(d, h, false)
	}
	fmt.Fprintf(&b, "\nReviews: %d dev, %d held-out. Label categories map to voc's (功效 → 功能); 成分 and 其他 are not scored.\n",
		r.Dev.Reviews, r.HeldOut.Reviews)
	b.WriteString("\nAspect terms (every labelled term, all categories): how many voc names in an opinion or topic mention " +
		"(its term contains the labelled one or lies inside it), and of those how many with the labelled polarity.\n\n")
	b.WriteString("| half | labelled terms | named | term recall | polarity right |\n|---|---:|---:|---:|---:|\n")
	for _, sp := range []AspectSplit{r.Dev, r.HeldOut} {
		fmt.Fprintf(&b, "| %s | %d | %d | %.3f | %.3f |\n", sp.Name, sp.Terms.Labelled, sp.Terms.Named,
			sp.Terms.Recall(), sp.Terms.PolarityAccuracy())
	}
	return b.String()
}
