// Package eval measures voc's sentiment accuracy on public labelled data:
// k-fold cross-validation of the learned model (no evaluated text was
// learned from), a cross-domain run, the shipped lexicons, the hand-written
// lexicons alone, a naive Bayes baseline, and the neutral band's trade-off
// between coverage and accuracy. aspects.go scores the aspect matcher on
// the 之江杯 2019 set; packs.go the topics of each lexicon pack on the
// hand-labelled samples of testdata/aspect-eval.
package eval

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/vocproject/voc/lexicons"
	"github.com/vocproject/voc/lexicons/tools/learn"
	"github.com/vocproject/voc/nlp/normalize"
	"github.com/vocproject/voc/nlp/segment"
	"github.com/vocproject/voc/nlp/sentiment"
)

// ErrNoData is returned when the data directory or its sentiment sets are
// missing.
var ErrNoData = errors.New("eval: no evaluation data")

// Dataset is one labelled file under the data directory.
type Dataset struct {
	Name      string
	Path      string // relative to the data directory
	TextCol   string
	LabelCol  string
	HeldOut   bool // evaluated as a held-out split, not by k-fold
	TrainOnly bool // used for training only
	// OutOfDomain marks a held-out set of a domain none of the training
	// sets covers: no in-domain run.
	OutOfDomain bool
	// Read reads the set (default: learn.ReadFile with TextCol, LabelCol).
	Read func(path string) ([]learn.Example, error)
}

// Datasets are the public sets of /work/shared/data (see its README).
var Datasets = []Dataset{
	{Name: "waimai_10k", Path: "sentiment/waimai_10k.csv", TextCol: "review", LabelCol: "label"},
	{Name: "online_shopping_10_cats", Path: "sentiment/online_shopping_10_cats.csv", TextCol: "review", LabelCol: "label"},
	{Name: "chnsenticorp_train", Path: "sentiment/chnsenticorp_train.tsv", TextCol: "text_a", LabelCol: "label", TrainOnly: true},
	{Name: "chnsenticorp_dev", Path: "sentiment/chnsenticorp_dev.tsv", TextCol: "text_a", LabelCol: "label", HeldOut: true},
	{Name: "zhijiang2019_reviews", Path: AspectDir, HeldOut: true, OutOfDomain: true, Read: ZhijiangSentiment},
}

// ZhijiangSentiment reads the 之江杯 2019 aspect set in dir as review-level
// sentiment: a review whose labelled opinions are all positive is positive,
// all negative negative; mixed and neutral ones are left out. Cosmetics
// reviews, a domain none of the training sets covers.
func ZhijiangSentiment(dir string) ([]learn.Example, error) {
	reviews, err := readCSV(filepath.Join(dir, "reviews.csv"), "id", "Reviews")
	if err != nil {
		return nil, err
	}
	labels, err := readCSV(filepath.Join(dir, "labels.csv"), "id", "Polarities")
	if err != nil {
		return nil, err
	}
	pols := map[string]map[string]bool{}
	for _, l := range labels {
		if pols[l[0]] == nil {
			pols[l[0]] = map[string]bool{}
		}
		pols[l[0]][l[1]] = true
	}
	var ex []learn.Example
	for _, r := range reviews {
		p := pols[r[0]]
		if len(p) != 1 {
			continue
		}
		switch {
		case p["正面"]:
			ex = append(ex, learn.Example{Text: r[1], Label: true})
		case p["负面"]:
			ex = append(ex, learn.Example{Text: r[1], Label: false})
		}
	}
	return ex, nil
}

// Config configures Run. Zero values mean the defaults.
type Config struct {
	DataDir  string
	Datasets []Dataset // default Datasets
	Folds    int       // default 5
	Learn    learn.Config
	Workers  int // segmentation goroutines, default 2
	// Lexicons are the shipped lexicons (required): their learned weights are
	// evaluated as shipped; their hand-written part is used for learning.
	Lexicons *lexicons.Set
	Seg      *segment.Segmenter // required
	Logger   *slog.Logger       // default discards
	// CrossDomain names the set evaluated after learning without it
	// (default "waimai_10k"; "-" for none).
	CrossDomain string
	// SetCap caps each set's weight in training at this many texts, as
	// "voc lexicon learn --set-cap" does (0: learn.DefaultSetCap; < 0: no
	// cap).
	SetCap int
}

// Result is one line of the report.
type Result struct {
	Set, Method string
	N           int
	Confusion   [2][2]int // [gold][predicted], 0 negative, 1 positive
	Note        string
}

// Accuracy is the fraction of correct predictions.
func (r Result) Accuracy() float64 {
	if r.N == 0 {
		return 0
	}
	return float64(r.Confusion[0][0]+r.Confusion[1][1]) / float64(r.N)
}

// MacroF1 is the mean F1 of both classes.
func (r Result) MacroF1() float64 {
	var sum float64
	for c := range 2 {
		tp := float64(r.Confusion[c][c])
		fp := float64(r.Confusion[1-c][c])
		fn := float64(r.Confusion[c][1-c])
		if tp > 0 {
			p, rc := tp/(tp+fp), tp/(tp+fn)
			sum += 2 * p * rc / (p + rc)
		}
	}
	return sum / 2
}

func (r *Result) add(gold bool, raw float64) {
	g, p := 0, 0
	if gold {
		g = 1
	}
	if raw >= 0 {
		p = 1
	}
	r.Confusion[g][p]++
	r.N++
}

// BandRow is the coverage and accuracy at one neutral band.
type BandRow struct {
	Band, Coverage, Accuracy float64
}

// Report is the outcome of Run.
type Report struct {
	Results []Result
	Bands   []BandRow
	Notes   []string
	// Aspects is the aspect-level report in Markdown ("" when not run).
	Aspects string
}

type set struct {
	Dataset
	ex   []learn.Example
	keys []string
	docs []learn.Doc
	prep []learn.Prepared
}

// Run evaluates. It returns ErrNoData (wrapped) when DataDir lacks the data.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	if cfg.Lexicons == nil || cfg.Seg == nil {
		return nil, errors.New("eval: config needs Lexicons and Seg")
	}
	if cfg.Datasets == nil {
		cfg.Datasets = Datasets
	}
	if cfg.Folds == 0 {
		cfg.Folds = 5
	}
	if cfg.Folds < 2 {
		return nil, fmt.Errorf("eval: folds %d < 2", cfg.Folds)
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 2
	}
	if cfg.CrossDomain == "" {
		cfg.CrossDomain = "waimai_10k"
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if st, err := os.Stat(cfg.DataDir); err != nil || !st.IsDir() {
		return nil, fmt.Errorf("%w: %s is not a directory", ErrNoData, cfg.DataDir)
	}

	sets, err := prepareSets(ctx, cfg, log)
	if err != nil {
		return nil, err
	}
	return evaluate(ctx, cfg, sets, log)
}

// prepareSets reads and prepares (normalize, segment, split) the data sets.
func prepareSets(ctx context.Context, cfg Config, log *slog.Logger) ([]*set, error) {
	prep := learn.Prep{Seg: cfg.Seg, Markers: sentiment.Markers(cfg.Lexicons.Sentiment)}
	var sets []*set
	for _, d := range cfg.Datasets {
		p := filepath.Join(cfg.DataDir, d.Path)
		if _, err := os.Stat(p); errors.Is(err, fs.ErrNotExist) {
			log.Warn("eval: data set missing, skipped", "set", d.Name, "path", p)
			continue
		}
		read := d.Read
		if read == nil {
			read = func(p string) ([]learn.Example, error) { return learn.ReadFile(p, d.TextCol, d.LabelCol) }
		}
		ex, err := read(p)
		if err != nil {
			return nil, fmt.Errorf("eval: %w", err)
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		start := time.Now()
		s := &set{Dataset: d, ex: ex}
		texts := make([]string, len(ex))
		for i, e := range ex {
			texts[i] = e.Text
			s.keys = append(s.keys, normalize.Normalize(e.Text).S)
		}
		s.prep = prep.PrepareAll(texts, cfg.Workers)
		log.Info("eval: prepared", "set", d.Name, "texts", len(ex), "took", time.Since(start).Round(time.Millisecond))
		sets = append(sets, s)
	}
	if len(sets) == 0 {
		return nil, fmt.Errorf("%w: no sentiment sets under %s", ErrNoData, cfg.DataDir)
	}
	return sets, nil
}

// evaluate featurizes the prepared sets and runs every evaluation: cross-
// validation of the learned model (pooled and in-domain training) with a
// naive Bayes baseline, the cross-domain run, and the shipped and
// hand-written lexicons through the scorer itself.
func evaluate(ctx context.Context, cfg Config, sets []*set, log *slog.Logger) (*Report, error) {
	// Hand-written lexicons only: the learner fits the learned part.
	handSc := sentiment.New(cfg.Lexicons.Sentiment.HandOnly())
	shipSc := sentiment.New(cfg.Lexicons.Sentiment)
	ev := newEvaluator(cfg, sets, handSc)
	rep := &Report{}
	var pooled []scored // CV predictions for the band table

	for _, s := range sets {
		if s.TrainOnly {
			continue
		}
		for _, inDomain := range []bool{false, true} {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			if inDomain && s.OutOfDomain {
				continue
			}
			start := time.Now()
			total, sc, err := ev.crossValidate(s, inDomain)
			if err != nil {
				return nil, err
			}
			if !inDomain {
				pooled = append(pooled, sc...)
			}
			rep.Results = append(rep.Results, total)
			log.Info("eval: done", "set", s.Name, "method", total.Method, "accuracy", total.Accuracy(), "took", time.Since(start).Round(time.Millisecond))
		}
		if !s.HeldOut {
			rep.Results = append(rep.Results, ev.naiveBayesBaseline(s))
		}
	}

	for _, s := range sets {
		if s.Name != cfg.CrossDomain {
			continue
		}
		r, err := ev.crossDomain(s)
		if err != nil {
			return nil, err
		}
		rep.Results = append(rep.Results, r)
	}

	for _, s := range sets {
		ship, handR := lexiconResults(s, sets, shipSc, handSc)
		rep.Results = append(rep.Results, ship, handR)
	}

	rep.Bands = bands(pooled)
	rep.Notes = append(rep.Notes,
		"Accuracy is the sign of the score (binary); a text never scored 0 counts as positive.",
		"CV: rows of a fold are never learned from, nor any row of any set with the same normalized text; chnsenticorp_dev is never learned from.",
		"Pooled training learns from the other folds plus the other sets; in-domain training from the other folds of the same set only.",
	)
	return rep, nil
}

// evaluator holds the featurized sets, indexed as one list of docs, that
// the learned model is trained and scored on.
type evaluator struct {
	cfg    Config
	sets   []*set
	vocab  *learn.Vocab
	all    []learn.Doc  // the docs of every set, one index
	offset map[*set]int // index in all of each set's first doc
}

// newEvaluator featurizes every set with the hand-written scorer (the
// learner fits the learned part) and weights its docs by set size.
func newEvaluator(cfg Config, sets []*set, handSc *sentiment.Scorer) *evaluator {
	vocab := learn.NewVocab()
	setCap := cfg.SetCap
	if setCap == 0 {
		setCap = learn.DefaultSetCap
	}
	for _, s := range sets {
		s.docs = s.docs[:0]
		w := learn.SetWeight(len(s.ex), setCap)
		for i, e := range s.ex {
			d := vocab.Featurize(handSc, s.prep[i].Tokens, s.prep[i].Clauses, e.Label)
			d.Weight = w
			s.docs = append(s.docs, d)
		}
	}
	ev := &evaluator{cfg: cfg, sets: sets, vocab: vocab, offset: map[*set]int{}}
	for _, s := range sets {
		ev.offset[s] = len(ev.all)
		ev.all = append(ev.all, s.docs...)
	}
	return ev
}

// train fits a model on every doc that exclude does not reject.
func (ev *evaluator) train(exclude func(s *set, i int) bool) (*learn.Model, error) {
	var rows []int
	for _, s := range ev.sets {
		for i := range s.docs {
			if !exclude(s, i) {
				rows = append(rows, ev.offset[s]+i)
			}
		}
	}
	return learn.Train(ev.all, rows, ev.vocab, ev.cfg.Learn)
}

// heldOut scores rows of s with a model trained without them, excluding
// from training every row of any set whose text is one of them.
func (ev *evaluator) heldOut(s *set, rows []int, inDomain bool) (Result, []scored, error) {
	keys := map[string]bool{}
	in := map[int]bool{}
	for _, i := range rows {
		keys[s.keys[i]] = true
		in[i] = true
	}
	m, err := ev.train(func(t *set, i int) bool {
		if t.HeldOut && t != s {
			return true // dev sets are never learned from
		}
		if inDomain && t != s && !(s.HeldOut && t.Name == strings.Replace(s.Name, "_dev", "_train", 1)) {
			return true
		}
		return t == s && in[i] || keys[t.keys[i]]
	})
	if err != nil {
		return Result{}, nil, err
	}
	var r Result
	var sc []scored
	for _, i := range rows {
		raw := m.Raw(s.docs[i])
		r.add(s.ex[i].Label, raw)
		sc = append(sc, scored{s.ex[i].Label, raw})
	}
	return r, sc, nil
}

// crossValidate scores every row of s held out: by k-fold cross-validation,
// or as one fold when s is a held-out split. Training is pooled (the other
// folds plus the other sets) or in-domain (the other folds only). It
// returns the merged result, named, and every row's score.
func (ev *evaluator) crossValidate(s *set, inDomain bool) (Result, []scored, error) {
	var total Result
	var all []scored
	method := "learned, %d-fold CV, pooled training"
	if inDomain {
		method = "learned, %d-fold CV, in-domain training"
	}
	method = fmt.Sprintf(method, ev.cfg.Folds)
	var folds [][]int
	if s.HeldOut {
		method = "learned, held-out split, pooled training"
		if inDomain {
			method = "learned, held-out split, in-domain training"
		}
		every := make([]int, len(s.docs))
		for i := range every {
			every[i] = i
		}
		folds = [][]int{every}
	} else {
		folds = foldsOf(len(s.docs), ev.cfg.Folds)
	}
	for _, rows := range folds {
		r, sc, err := ev.heldOut(s, rows, inDomain)
		if err != nil {
			return Result{}, nil, err
		}
		total = merge(total, r)
		all = append(all, sc...)
	}
	total.Set, total.Method = s.Name, method
	return total, all, nil
}

// naiveBayesBaseline is the naive Bayes baseline on s, in-domain, with the
// folds of crossValidate.
func (ev *evaluator) naiveBayesBaseline(s *set) Result {
	var nb Result
	for _, rows := range foldsOf(len(s.docs), ev.cfg.Folds) {
		nb = merge(nb, naiveBayes(s, rows, ev.vocab))
	}
	nb.Set, nb.Method = s.Name, fmt.Sprintf("baseline: naive Bayes on words, %d-fold CV, in-domain", ev.cfg.Folds)
	return nb
}

// crossDomain scores s with a model learned from the other training sets
// only (none of its texts).
func (ev *evaluator) crossDomain(s *set) (Result, error) {
	keys := map[string]bool{}
	for _, k := range s.keys {
		keys[k] = true
	}
	m, err := ev.train(func(t *set, i int) bool {
		return t == s || t.HeldOut || keys[t.keys[i]]
	})
	if err != nil {
		return Result{}, err
	}
	var r Result
	for i, d := range s.docs {
		r.add(s.ex[i].Label, m.Raw(d))
	}
	var names []string
	for _, t := range ev.sets {
		if t != s && !t.HeldOut {
			names = append(names, t.Name)
		}
	}
	r.Set, r.Method = s.Name, "learned without it (cross-domain): "+strings.Join(names, " + ")
	return r, nil
}

// lexiconResults scores s through the scorer itself with the shipped
// lexicons and with the hand-written ones alone.
func lexiconResults(s *set, sets []*set, shipSc, handSc *sentiment.Scorer) (ship, hand Result) {
	for i, p := range s.prep {
		raw, _ := shipSc.Raw(p.Tokens, p.Clauses)
		ship.add(s.ex[i].Label, raw)
		raw, _ = handSc.Raw(p.Tokens, p.Clauses)
		hand.add(s.ex[i].Label, raw)
	}
	ship.Set, ship.Method = s.Name, "shipped lexicons (learned.tsv + hand-written)"
	ship.Note = shippedNote(s, sets)
	hand.Set, hand.Method = s.Name, "hand-written lexicons and rules only"
	hand.Note = "no learning; an empty text counts as positive"
	return ship, hand
}

// shippedNote says how far the shipped lexicons' result on s is in-sample:
// learned.tsv was learned from every set but the held-out ones, whose texts
// may still occur in the training sets.
func shippedNote(s *set, sets []*set) string {
	if !s.HeldOut {
		return "in-sample: learned.tsv was learned from this set"
	}
	others := map[string]bool{}
	for _, t := range sets {
		if t != s {
			for _, k := range t.keys {
				others[k] = true
			}
		}
	}
	dup := 0
	for _, k := range s.keys {
		if others[k] {
			dup++
		}
	}
	note := fmt.Sprintf("never learned from; %d of its %d texts also occur in the training sets", dup, len(s.keys))
	if 2*dup > len(s.keys) {
		note += ": largely in-sample"
	}
	return note
}

type scored struct {
	gold bool
	raw  float64
}

func merge(a, b Result) Result {
	a.N += b.N
	for i := range 2 {
		for j := range 2 {
			a.Confusion[i][j] += b.Confusion[i][j]
		}
	}
	return a
}

// foldsOf deals 0..n-1 into k folds after a fixed shuffle.
func foldsOf(n, k int) [][]int {
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	rng := rand.New(rand.NewPCG(42, 7))
	rng.Shuffle(n, func(i, j int) { idx[i], idx[j] = idx[j], idx[i] })
	folds := make([][]int, k)
	for i, x := range idx {
		folds[i%k] = append(folds[i%k], x)
	}
	for _, f := range folds {
		slices.Sort(f)
	}
	return folds
}

// bands tabulates coverage and accuracy at neutral bands on score =
// tanh(raw/2).
func bands(sc []scored) []BandRow {
	var out []BandRow
	if len(sc) == 0 {
		return nil
	}
	for _, b := range []float64{0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8} {
		var cov, ok int
		for _, s := range sc {
			score := math.Tanh(s.raw / 2)
			if math.Abs(score) < b {
				continue
			}
			cov++
			if (score >= 0) == s.gold {
				ok++
			}
		}
		r := BandRow{Band: b, Coverage: float64(cov) / float64(len(sc))}
		if cov > 0 {
			r.Accuracy = float64(ok) / float64(cov)
		}
		out = append(out, r)
	}
	return out
}

// naiveBayes is a multinomial naive Bayes over word features (Laplace
// smoothing), learned on s without rows, evaluated on rows.
func naiveBayes(s *set, rows []int, v *learn.Vocab) Result {
	test := map[int]bool{}
	for _, i := range rows {
		test[i] = true
	}
	cnt := [2]map[int32]float64{{}, {}}
	var tot, docs [2]float64
	for i, d := range s.docs {
		if test[i] {
			continue
		}
		c := 0
		if d.Label {
			c = 1
		}
		docs[c]++
		for k, id := range d.Idx {
			if f := v.Feats[id]; f.B == "" && !strings.HasPrefix(f.A, "<") {
				cnt[c][id] += float64(d.Val[k])
				tot[c] += float64(d.Val[k])
			}
		}
	}
	V := float64(len(cnt[0]) + len(cnt[1]))
	var r Result
	for _, i := range rows {
		d := s.docs[i]
		z := math.Log((docs[1] + 1) / (docs[0] + 1))
		for k, id := range d.Idx {
			if f := v.Feats[id]; f.B == "" && !strings.HasPrefix(f.A, "<") {
				x := float64(d.Val[k])
				z += x * (math.Log((cnt[1][id]+1)/(tot[1]+V)) - math.Log((cnt[0][id]+1)/(tot[0]+V)))
			}
		}
		r.add(d.Label, z)
	}
	return r
}

// Markdown renders the report as Markdown tables.
func (r *Report) Markdown() string {
	var b strings.Builder
	b.WriteString("## Sentiment accuracy\n\n")
	b.WriteString("| set | method | n | accuracy | macro-F1 | confusion [[TN FP] [FN TP]] | note |\n")
	b.WriteString("|---|---|---:|---:|---:|---|---|\n")
	for _, x := range r.Results {
		fmt.Fprintf(&b, "| %s | %s | %d | %.4f | %.4f | [[%d %d] [%d %d]] | %s |\n",
			x.Set, x.Method, x.N, x.Accuracy(), x.MacroF1(),
			x.Confusion[0][0], x.Confusion[0][1], x.Confusion[1][0], x.Confusion[1][1], x.Note)
	}
	if len(r.Bands) > 0 {
		b.WriteString("\n## Neutral band (pooled cross-validated scores)\n\n")
		b.WriteString("Texts with |score| below the band are labelled neutral; accuracy is over the rest.\n\n")
		b.WriteString("| band | coverage | accuracy |\n|---:|---:|---:|\n")
		for _, x := range r.Bands {
			fmt.Fprintf(&b, "| %.1f | %.4f | %.4f |\n", x.Band, x.Coverage, x.Accuracy)
		}
	}
	if len(r.Notes) > 0 {
		b.WriteString("\n")
		for _, n := range r.Notes {
			b.WriteString("- " + n + "\n")
		}
	}
	if r.Aspects != "" {
		b.WriteString("\n" + r.Aspects)
	}
	return b.String()
}
