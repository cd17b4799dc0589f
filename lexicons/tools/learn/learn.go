// Package learn fits the weights of the sentiment model (nlp/sentiment) on
// labelled texts with L2-regularised logistic regression, and writes them
// as a reviewable lexicon file (lexicons.LearnedFile).
//
// Texts go through the same path as in the analyzer (normalize, PII mask,
// clause split, segment) and the features are the ones Scorer.Features
// reports, so the scorer computes exactly the model that was fit.
package learn

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"

	"github.com/vocproject/voc/lexicons"
	"github.com/vocproject/voc/lexicons/tools/parallel"
	"github.com/vocproject/voc/nlp/clause"
	"github.com/vocproject/voc/nlp/normalize"
	"github.com/vocproject/voc/nlp/pii"
	"github.com/vocproject/voc/nlp/segment"
	"github.com/vocproject/voc/nlp/sentiment"
)

// Prep turns raw text into the tokens and clauses the scorer takes, as the
// analyzer does. It is safe for concurrent use.
type Prep struct {
	Seg     *segment.Segmenter
	Markers clause.Markers
}

// Prepare normalizes, masks, splits and cuts text.
func (p Prep) Prepare(text string) ([]segment.Token, []clause.Clause) {
	s, _ := pii.Mask(normalize.Normalize(text).S)
	return p.Seg.Cut(s), clause.Split(s, p.Markers)
}

// Vocab numbers features. It is not safe for concurrent use.
type Vocab struct {
	ids   map[sentiment.Feature]int32
	Feats []sentiment.Feature // by id
}

// NewVocab returns an empty Vocab.
func NewVocab() *Vocab { return &Vocab{ids: map[sentiment.Feature]int32{}} }

// ID returns the id of f, adding it when new.
func (v *Vocab) ID(f sentiment.Feature) int32 {
	id, ok := v.ids[f]
	if !ok {
		id = int32(len(v.Feats))
		v.ids[f] = id
		v.Feats = append(v.Feats, f)
	}
	return id
}

// Doc is a featurized text: feature ids (ascending, unique) and values.
type Doc struct {
	Idx   []int32
	Val   []float32
	Label bool // true: positive
	// Weight scales the example's gradient (0 means 1).
	Weight float32
}

// Featurize returns the features of a prepared text.
func (v *Vocab) Featurize(sc *sentiment.Scorer, tokens []segment.Token, clauses []clause.Clause, label bool) Doc {
	acc := map[int32]float64{}
	sc.Features(tokens, clauses, func(f sentiment.Feature, x float64) {
		acc[v.ID(f)] += x
	})
	d := Doc{Idx: make([]int32, 0, len(acc)), Val: make([]float32, 0, len(acc)), Label: label}
	for id := range acc {
		d.Idx = append(d.Idx, id)
	}
	slices.Sort(d.Idx)
	for _, id := range d.Idx {
		d.Val = append(d.Val, float32(acc[id]))
	}
	return d
}

// Config tunes Train. The zero value means the defaults.
type Config struct {
	// MinCount drops features found in fewer training texts. Default 3.
	MinCount int
	// L2 is the regularisation strength per example. Default 0.03.
	L2 float64
	// Epochs over the data. Default 4.
	Epochs int
	// Rate is the AdaGrad learning rate. Default 0.1.
	Rate float64
	// Bigrams uses "X+Y" features (default: words and negated words only).
	Bigrams bool
	// Chars uses "字|XY" character-pair features.
	Chars bool
	// Skips uses "X+_+Y" features (words one word apart); only with Bigrams.
	Skips bool
	// Seed orders the examples. Default 1.
	Seed uint64
}

// WithDefaults returns c with its zero fields set to the defaults.
func (c Config) WithDefaults() Config {
	if c.MinCount == 0 {
		c.MinCount = 3
	}
	if c.L2 == 0 {
		c.L2 = 0.03
	}
	if c.Epochs == 0 {
		c.Epochs = 4
	}
	if c.Rate == 0 {
		c.Rate = 0.1
	}
	if c.Seed == 0 {
		c.Seed = 1
	}
	return c
}

// Validate reports a bad Config.
func (c Config) Validate() error {
	switch {
	case c.MinCount < 0:
		return fmt.Errorf("learn: min count %d < 0", c.MinCount)
	case c.L2 < 0 || math.IsNaN(c.L2):
		return fmt.Errorf("learn: l2 %v < 0", c.L2)
	case c.Epochs < 0:
		return fmt.Errorf("learn: epochs %d < 0", c.Epochs)
	case c.Rate < 0 || math.IsNaN(c.Rate):
		return fmt.Errorf("learn: rate %v < 0", c.Rate)
	}
	return nil
}

// DefaultSetCap is the default of SetWeight's cap.
const DefaultSetCap = 30000

// SetWeight returns the example weight for a training set of n texts: 1,
// or cap/n when the set is larger than cap, so that one large set (62,000
// shopping reviews) does not drown the others' domains in the shared
// weights. cap 0 means no cap.
func SetWeight(n, cap int) float32 {
	if cap <= 0 || n <= cap {
		return 1
	}
	return float32(cap) / float32(n)
}

// Model is a fitted logistic regression over a Vocab.
type Model struct {
	Bias    float64
	W       []float64 // by feature id; 0 for unused features
	Support []int32   // training texts holding each feature
}

// Raw returns the log-odds the model gives d.
func (m *Model) Raw(d Doc) float64 {
	z := m.Bias
	for k, id := range d.Idx {
		if int(id) < len(m.W) {
			z += m.W[id] * float64(d.Val[k])
		}
	}
	return z
}

// Train fits a model on docs[rows] (all docs when rows is nil). nfeat is
// the vocabulary size.
func Train(docs []Doc, rows []int, v *Vocab, cfg Config) (*Model, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.WithDefaults()
	if rows == nil {
		rows = make([]int, len(docs))
		for i := range rows {
			rows[i] = i
		}
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("learn: no training texts")
	}
	n := len(v.Feats)
	m := &Model{W: make([]float64, n), Support: make([]int32, n)}
	for _, r := range rows {
		for _, id := range docs[r].Idx {
			m.Support[id]++
		}
	}
	use := make([]bool, n)
	for id, f := range v.Feats {
		special := isSpecial(f)
		bigram := f.B != "" && f.A != sentiment.NegPrefix && f.A != sentiment.CharPrefix && f.A != sentiment.FirstPrefix
		skip := bigram && strings.HasPrefix(f.B, sentiment.SkipMark)
		chars := f.A == sentiment.CharPrefix
		use[id] = special || int(m.Support[id]) >= cfg.MinCount && (cfg.Bigrams || !bigram) && (cfg.Skips || !skip) && (cfg.Chars || !chars)
	}
	g2 := make([]float64, n)
	var gb2 float64
	order := slices.Clone(rows)
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x766f63))
	// The result averages the weights at the end of the later epochs, which
	// smooths the noise of the last updates.
	avg := make([]float64, n)
	var avgBias float64
	navg := 0
	for ep := range cfg.Epochs {
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for _, r := range order {
			d := &docs[r]
			z := m.Bias
			for k, id := range d.Idx {
				if use[id] {
					z += m.W[id] * float64(d.Val[k])
				}
			}
			y := 0.0
			if d.Label {
				y = 1
			}
			g := sigmoid(z) - y
			if d.Weight != 0 {
				g *= float64(d.Weight)
			}
			gb2 += g * g
			m.Bias -= cfg.Rate * g / math.Sqrt(gb2+1e-8)
			for k, id := range d.Idx {
				if !use[id] {
					continue
				}
				gr := g*float64(d.Val[k]) + cfg.L2*m.W[id]
				g2[id] += gr * gr
				m.W[id] -= cfg.Rate * gr / math.Sqrt(g2[id]+1e-8)
			}
		}
		if ep >= cfg.Epochs/2 {
			for i, w := range m.W {
				avg[i] += w
			}
			avgBias += m.Bias
			navg++
		}
	}
	for i := range avg {
		m.W[i] = avg[i] / float64(navg)
	}
	m.Bias = avgBias / float64(navg)
	return m, nil
}

// isSpecial reports whether f is a model coefficient (<lexicon>, <cues> …)
// rather than a word: words never start with "<".
func isSpecial(f sentiment.Feature) bool {
	return f.B == "" && strings.HasPrefix(f.A, "<")
}

func sigmoid(z float64) float64 {
	if z >= 0 {
		return 1 / (1 + math.Exp(-z))
	}
	e := math.Exp(z)
	return e / (1 + e)
}

// Prune tunes which weights are written out.
type Prune struct {
	MinWeight  float64 // drop |weight| below this (default 0.05)
	MinSupport int     // drop features in fewer texts (default 5)
}

// Entries returns the model's weights as lexicon entries, the special terms
// first, then by descending |weight|.
func (m *Model) Entries(v *Vocab, p Prune, provenance string) []lexicons.LearnedEntry {
	if p.MinWeight == 0 {
		p.MinWeight = 0.05
	}
	if p.MinSupport == 0 {
		p.MinSupport = 5
	}
	out := []lexicons.LearnedEntry{{Term: lexicons.TermBias, Weight: m.Bias, Provenance: provenance}}
	var special, words []lexicons.LearnedEntry
	for id, f := range v.Feats {
		if id >= len(m.W) || m.W[id] == 0 {
			continue
		}
		e := lexicons.LearnedEntry{Term: f.Term(), Weight: m.W[id], Support: int(m.Support[id]), Provenance: provenance}
		if isSpecial(f) {
			special = append(special, e)
			continue
		}
		if math.Abs(e.Weight) < p.MinWeight || e.Support < p.MinSupport {
			continue
		}
		words = append(words, e)
	}
	slices.SortFunc(special, func(a, b lexicons.LearnedEntry) int { return cmp.Compare(a.Term, b.Term) })
	slices.SortFunc(words, func(a, b lexicons.LearnedEntry) int {
		if c := cmp.Compare(math.Abs(b.Weight), math.Abs(a.Weight)); c != 0 {
			return c
		}
		return cmp.Compare(a.Term, b.Term)
	})
	return append(append(out, special...), words...)
}

// WriteTSV writes entries in the LearnedFile format, header lines first
// (each prefixed with "# ").
func WriteTSV(w io.Writer, header []string, entries []lexicons.LearnedEntry) error {
	var b strings.Builder
	for _, h := range header {
		b.WriteString("# ")
		b.WriteString(h)
		b.WriteByte('\n')
	}
	for _, e := range entries {
		b.WriteString(e.Term)
		b.WriteByte('\t')
		b.WriteString(strconv.FormatFloat(e.Weight, 'f', 4, 64))
		b.WriteByte('\t')
		b.WriteString(strconv.Itoa(e.Support))
		if e.Provenance != "" {
			b.WriteByte('\t')
			b.WriteString(e.Provenance)
		}
		b.WriteByte('\n')
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("learn: write lexicon: %w", err)
	}
	return nil
}

// Prepared is a text after Prep.Prepare.
type Prepared struct {
	Tokens  []segment.Token
	Clauses []clause.Clause
}

// PrepareAll prepares texts with workers goroutines (segmentation is the
// costly step). ctx-free: it is bounded by len(texts).
func (p Prep) PrepareAll(texts []string, workers int) []Prepared {
	out := make([]Prepared, len(texts))
	_ = parallel.Each(context.Background(), len(texts), workers, func(i int) { // never cancelled
		t, c := p.Prepare(texts[i])
		out[i] = Prepared{t, c}
	})
	return out
}
