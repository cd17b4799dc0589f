// Package analyzer composes voc's NLP stages into one call:
//
//	normalize → PII mask → segment → clause split → sentiment → aspects → intent
//
// PII is masked on the normalized text, so that full-width or spaced digits
// are already folded when the masker looks for them and the placeholders
// (<PHONE>, <ID>, ...) reach the segmenter, which keeps each one whole.
// Result.Text is the normalized, masked text; every span of the result is a
// rune offset into it, and no stage ever sees the unmasked text after the
// mask step.
package analyzer

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/vocproject/voc/lexicons"
	"github.com/vocproject/voc/nlp"
	"github.com/vocproject/voc/nlp/aspect"
	"github.com/vocproject/voc/nlp/clause"
	"github.com/vocproject/voc/nlp/intent"
	"github.com/vocproject/voc/nlp/normalize"
	"github.com/vocproject/voc/nlp/pii"
	"github.com/vocproject/voc/nlp/segment"
	"github.com/vocproject/voc/nlp/sentiment"
)

// Roles of nlp.Turn.Role.
const (
	RoleCustomer = "customer"
	RoleAgent    = "agent"
)

// Analyzer runs normalize → PII mask → segment → clause split → sentiment →
// aspects → intent. It is immutable after New except for the segmenter,
// which is read from its Holder once per call, so a segmenter swapped in
// while texts are being analysed takes effect for the next call. Safe for
// concurrent use; holds no I/O.
type Analyzer struct {
	version string
	seg     *segment.Holder
	markers clause.Markers
	scorer  *sentiment.Scorer
	aspects *aspect.Matcher
	intents *intent.Classifier
	// sarcasm cues (呵呵, 真是服了) and the pain point of each category:
	// in a negative text with such a cue a praise point is scorn
	sarcasm []string
	pains   map[string]string
	praises map[string]string
	overall string  // the category of verdicts on the whole ("整体"), "" if none
	side    float64 // lexicons.Set.Side
	keep    bool    // lexicons.Set.KeepIncidental
	basic   bool    // Config.TaxonomyOnly
}

// New returns an Analyzer over the lexicons of set. seg holds the segmenter,
// which the caller builds from set.Domain (and may swap later); nil means
// build one with segment.New(set.Domain). New does not retain set beyond
// what the stages keep.
func New(set *lexicons.Set, seg *segment.Holder) (*Analyzer, error) {
	return NewWithConfig(set, seg, Config{})
}

// Config changes what an Analyzer does; the zero value is the full analysis.
type Config struct {
	// TaxonomyOnly restricts the aspects to the taxonomy's opinions: no
	// topic mentions, no open extraction, no sides from clause sentiment
	// (the analysis before those existed; benchmarks compare with it).
	TaxonomyOnly bool
}

// NewWithConfig is New with a Config.
func NewWithConfig(set *lexicons.Set, seg *segment.Holder, cfg Config) (*Analyzer, error) {
	if set == nil || set.Sentiment == nil || set.Taxonomy == nil || set.Intents == nil {
		return nil, errors.New("analyzer: incomplete lexicon set")
	}
	if seg == nil {
		s, err := segment.New(set.Domain)
		if err != nil {
			return nil, fmt.Errorf("analyzer: %w", err)
		}
		seg = segment.NewHolder(s)
	} else if seg.Load() == nil {
		return nil, errors.New("analyzer: segment holder is empty")
	}
	opts := []aspect.Option{aspect.WithOpinionWords(set.Sentiment.Words)}
	if cfg.TaxonomyOnly {
		opts = []aspect.Option{aspect.WithoutMentions()}
	}
	m, err := aspect.New(set.Taxonomy, opts...)
	if err != nil {
		return nil, fmt.Errorf("analyzer: %w", err)
	}
	return &Analyzer{
		version: set.Version,
		seg:     seg,
		markers: sentiment.Markers(set.Sentiment),
		scorer:  sentiment.NewWithConfig(set.Sentiment, sentiment.Config{Inquiries: inquiries(set.Intents)}),
		aspects: m,
		intents: intent.New(set.Intents),
		sarcasm: sarcasmCues(set.Sentiment),
		pains:   painPoints(set.Taxonomy, lexicons.Category.PainPoint),
		praises: painPoints(set.Taxonomy, lexicons.Category.PraisePoint),
		overall: m.Overall(),
		side:    set.Side,
		keep:    set.KeepIncidental,
		basic:   cfg.TaxonomyOnly,
	}, nil
}

func sarcasmCues(s *lexicons.Sentiment) []string {
	var out []string
	for _, c := range s.Cues {
		if c.Sarcasm && c.Weight < 0 {
			out = append(out, c.Text)
		}
	}
	return out
}

// painPoints maps each category to the subcategory of its point (the
// generic pain or praise point).
func painPoints(t *lexicons.Taxonomy, point func(lexicons.Category) string) map[string]string {
	out := make(map[string]string, len(t.Categories))
	for _, c := range t.Categories {
		_, out[c.Name], _ = strings.Cut(point(c), "/")
	}
	return out
}

// scorn turns the praise points of a negative text that holds a sarcasm
// cue into the pain points of their categories: 呵呵，真是好质量 blames the
// quality. A text the scorer does not find negative keeps its praise (呵呵
// is friendly in most reviews).
func (a *Analyzer) scorn(text string, sent nlp.Sentiment, aspects []nlp.Aspect) {
	if sent.Label != nlp.Negative {
		return
	}
	cue := false
	for _, c := range a.sarcasm {
		for rest := text; !cue; {
			i := strings.Index(rest, c)
			if i < 0 {
				break
			}
			rest = rest[i+len(c):]
			cue = sentiment.CueStands(c, rest)
		}
	}
	if !cue {
		return
	}
	for i := range aspects {
		if x := &aspects[i]; x.Polarity == nlp.Positive {
			x.Polarity = nlp.Negative
			if x.Category != "" {
				x.Subcategory = a.pains[x.Category]
			}
		}
	}
}

// Version returns the version (content hash) of the lexicons in use.
func (a *Analyzer) Version() string { return a.version }

// prepared is a text after the text-level stages (normalize, mask, cut,
// split), before the opinion stages.
type prepared struct {
	text    string
	runes   int
	pii     []string
	tokens  []segment.Token
	clauses []clause.Clause
}

// prepare normalizes and masks s; when cut is set it also segments the
// masked text and splits it into clauses.
func (a *Analyzer) prepare(seg *segment.Segmenter, s string, cut bool) prepared {
	masked, types := pii.Mask(normalize.Normalize(s).S)
	p := prepared{text: masked, pii: types}
	if cut && masked != "" {
		p.tokens = seg.Cut(masked)
		p.clauses = boundClauses(clause.Split(masked, a.markers), p.tokens, masked)
	}
	return p
}

// MaxClauseRunes bounds a clause: a longer run of text with no punctuation
// (pasted logs, spam, a transcript without punctuation) is cut at word
// boundaries into clauses of at most about this many characters, which
// keeps the aspect matcher's per-clause work small.
const MaxClauseRunes = 120

func boundClauses(cs []clause.Clause, tokens []segment.Token, text string) []clause.Clause {
	long := false
	for _, c := range cs {
		if c.End-c.Start > MaxClauseRunes {
			long = true
			break
		}
	}
	if !long {
		return cs
	}
	rs := []rune(text)
	out := make([]clause.Clause, 0, len(cs)+4)
	ti := 0
	for _, c := range cs {
		if c.End-c.Start <= MaxClauseRunes {
			out = append(out, c)
			continue
		}
		start := c.Start
		first := true
		for start < c.End {
			end := min(start+MaxClauseRunes, c.End)
			if end < c.End {
				// move back to the start of the token holding end
				for ti < len(tokens) && tokens[ti].End <= end {
					ti++
				}
				if ti < len(tokens) && tokens[ti].Start > start && tokens[ti].Start < end {
					end = tokens[ti].Start
				}
			}
			part := clause.Clause{Start: start, End: end, Text: string(rs[start:end])}
			if first {
				part.Lead, part.Kind = c.Lead, c.Kind
				first = false
			}
			out = append(out, part)
			start = end
		}
	}
	return out
}

// opinion runs the opinion stages (sentiment, aspects, intent) over p.
func (a *Analyzer) opinion(p prepared, opts nlp.Options) *nlp.Result {
	sent, clauses := a.scorer.Score(p.tokens, p.clauses, opts)
	aspects := a.aspects.Match(p.text, p.tokens, p.clauses)
	if !opts.Conversational && !a.basic {
		aspects = a.sides(p.text, aspects, clauses, sent)
	}
	a.scorn(p.text, sent, aspects)
	sent = agree(sent, aspects, a.scorer.Band())
	in, esc := a.intents.Classify(p.text, p.tokens, sent, aspects)
	if aspects == nil {
		aspects = []nlp.Aspect{}
	}
	piiTypes := p.pii
	if piiTypes == nil {
		piiTypes = []string{}
	}
	if len(clauses) == 0 {
		clauses = nil
	}
	return &nlp.Result{
		Text:       p.text,
		Sentiment:  sent,
		Aspects:    aspects,
		Intent:     in,
		Escalation: esc,
		PII:        piiTypes,
		Clauses:    clauses,
		Tokens:     p.tokens,
	}
}

// Analyze analyses one text. opts.Rating, when set, is a prior of the
// sentiment. Aspects and PII are never nil, so that they encode as [].
func (a *Analyzer) Analyze(text string, opts nlp.Options) *nlp.Result {
	return a.opinion(a.prepare(a.seg.Load(), text, true), opts)
}

// IsCustomer reports whether a chat turn of this role is the customer's
// ("customer", any case). Turns of any other role (agent, bot, system) are
// not the customer's opinion.
func IsCustomer(role string) bool {
	return strings.EqualFold(strings.TrimSpace(role), RoleCustomer)
}

// AnalyzeChat analyses a chat transcript turn by turn, in order.
//
// Customer turns get the full analysis (sentiment, aspects, intent,
// escalation). Other turns (agents) are normalized and masked only: their
// Result has the masked text and PII types, a neutral sentiment, no aspects,
// no intent and no escalation — what an agent says is not the customer's
// opinion.
//
// The overall Result is over the customer's turns: its Text is the masked
// texts of the non-empty customer turns joined with "\n" and its spans index
// that text; aspects may draw on an aspect named in an earlier customer turn
// (快递呢？\n太慢了). It escalates if any customer turn does; its PII lists
// the types masked in customer turns. opts.Rating is a prior of the overall
// sentiment only: a rating is given to the whole conversation, not to a
// turn. Customer turns and the overall result are scored as conversational
// (nlp.Options.Conversational): a question with no opinion word is an
// inquiry.
func (a *Analyzer) AnalyzeChat(turns []nlp.Turn, opts nlp.Options) *nlp.ChatResult {
	seg := a.seg.Load() // one segmenter for the whole chat
	out := &nlp.ChatResult{Turns: make([]nlp.TurnResult, len(turns))}
	var (
		joined strings.Builder
		all    prepared
		esc    bool
	)
	for i, t := range turns {
		tr := &out.Turns[i]
		tr.Role = t.Role
		if !IsCustomer(t.Role) {
			p := a.prepare(seg, t.Text, false)
			tr.Result = agentResult(p)
			continue
		}
		p := a.prepare(seg, t.Text, true)
		tr.Result = *a.opinion(p, nlp.Options{Conversational: true})
		esc = esc || tr.Escalation
		all.pii = append(all.pii, p.pii...)
		if p.text == "" {
			continue
		}
		// Append the turn to the overall text, shifting its offsets.
		if joined.Len() > 0 {
			joined.WriteByte('\n')
			all.runes++
		}
		joined.WriteString(p.text)
		off := all.runes
		for _, tk := range p.tokens {
			tk.Start += off
			tk.End += off
			all.tokens = append(all.tokens, tk)
		}
		for _, c := range p.clauses {
			c.Start += off
			c.End += off
			all.clauses = append(all.clauses, c)
		}
		all.runes += utf8.RuneCountInString(p.text)
	}
	all.text = joined.String()
	slices.Sort(all.pii)
	all.pii = slices.Compact(all.pii)
	opts.Conversational = true
	out.Result = *a.opinion(all, opts)
	out.Escalation = out.Escalation || esc
	return out
}

// agentResult is the Result of a turn that is not the customer's.
func agentResult(p prepared) nlp.Result {
	types := p.pii
	if types == nil {
		types = []string{}
	}
	return nlp.Result{
		Text:      p.text,
		Sentiment: nlp.Sentiment{Label: nlp.Neutral},
		Aspects:   []nlp.Aspect{},
		PII:       types,
	}
}

// inquiries returns the cues of the 咨询 intent: in a conversation, a
// question with no opinion word is an inquiry, not a complaint.
func inquiries(in *lexicons.Intents) []string {
	if in == nil {
		return nil
	}
	var out []string
	for _, c := range in.Cues {
		if c.Intent == nlp.IntentInquiry {
			out = append(out, c.Term)
		}
	}
	return out
}

// agree gives a text the side of its aspects when they all take one (all
// pain points, or all praise points) and the score does not lean the other
// way by more than the learned bias: 有股怪味道 holds no scored word but a
// pain point, 好评 a praise point and too little weight to leave the
// neutral band, and the bias (−0.55 in log-odds: the training sets hold
// more complaints) with words such as 座椅 or 触屏 (not opinions) pushes
// short praise below it (味道还好, 触屏灵敏, 手机不错 scored negative or
// neutral). A score beyond overruled keeps its label. The score moves to
// the edge of the band, with the confidence of one piece of evidence.
func agree(s nlp.Sentiment, aspects []nlp.Aspect, band float64) nlp.Sentiment {
	pain, praise := nlp.PainPraise(aspects)
	switch {
	case pain > 0 && praise == 0 && s.Label != nlp.Negative && s.Score < overruled:
		s.Label, s.Score = nlp.Negative, -band
	case praise > 0 && pain == 0 && s.Label != nlp.Positive && s.Score > -overruled:
		s.Label, s.Score = nlp.Positive, band
	default:
		return s
	}
	s.Confidence = max(s.Confidence, math.Abs(s.Score)/2)
	return s
}

// overruled is the largest |score| that the side of a text's aspects
// overrules: tanh(0.62/2), a lean about the size of the learned bias.
const overruled = 0.3

// verdictScore is the least |score| of a text whose verdict goes to the
// overall category.
const verdictScore = 0.5

// judged drops the neutral aspects (topic mentions, hedged opinions) of a
// review that takes a side on something: a review's topics are what it
// judges, the rest is context (回来装了系统感觉很超值 praises the price, not
// the system; 希望物流快一点 beside 质量很好 is a passing wish). A topic
// asked about stays (屏幕很好，请问电池多大): the customer raises it. A
// review that judges nothing keeps them all: its questions and facts are
// its topics. The pack setting "incidental keep" turns this off for
// forum posts, whose topics count whatever else they judge.
func judged(aspects []nlp.Aspect) []nlp.Aspect {
	if !slices.ContainsFunc(aspects, func(x nlp.Aspect) bool { return x.Polarity != nlp.Neutral }) {
		return aspects
	}
	return slices.DeleteFunc(aspects, func(x nlp.Aspect) bool { return x.Polarity == nlp.Neutral && !x.Asked })
}

// doubtWords make a clause uncertain: 还在更新不知道效果怎么样 judges
// nothing, whatever its score (不知 covers 不知道).
var doubtWords = []string{"不知", "不清楚", "不确定", "是否", "会不会", "能不能", "有没有", "是不是"}

// conditionWords make a clause a supposition: 如果质量不好我会退货 blames
// nothing yet. 要是 counts only where it opens the clause (主要是 is no
// supposition).
var conditionWords = []string{"如果", "假如", "假设", "万一", "倘若", "若是", "如若"}

// doubts reports whether clause holds a doubt word or supposes.
func doubts(clause []rune) bool {
	s := string(clause)
	for _, w := range doubtWords {
		if strings.Contains(s, w) {
			return true
		}
	}
	return supposes(clause)
}

// supposes reports whether clause holds a condition word. 如果可以 (if I
// could: 如果可以一颗星都不想给) supposes nothing.
func supposes(clause []rune) bool {
	s := strings.TrimSpace(string(clause))
	for _, w := range conditionWords {
		if i := strings.Index(s, w); i >= 0 && !strings.HasPrefix(s[i+len(w):], "可以") {
			return true
		}
	}
	return strings.HasPrefix(s, "要是")
}

// sides reads what the matcher could not pin on a word, from the scored
// clauses of a review:
//   - a topic mention in a clause with a clear side takes that side with the
//     clause as its opinion (只是苹果的个头和品质，只能呵呵 blames the quality),
//     and an overall verdict right after it was the topic's (物流我是很满意的
//     gives no 整体 point);
//   - a text with a clear verdict and no aspect that takes a side gets the
//     verdict as an opinion on the whole (无法用语言形容我内心的愤怒), in its
//     strongest clause, when the taxonomy has an overall category.
//
// Conversations are left alone: a chat turn's side is mostly about the
// exchange, not the topics it names.
func (a *Analyzer) sides(text string, aspects []nlp.Aspect, clauses []nlp.Clause, sent nlp.Sentiment) []nlp.Aspect {
	if len(clauses) == 0 {
		return aspects
	}
	var rs []rune
	runes := func() []rune {
		if rs == nil {
			rs = []rune(text)
		}
		return rs
	}
	sided := false
	for _, x := range aspects {
		sided = sided || !x.IsMention() && x.Polarity != nlp.Neutral
	}
	// consequence reports whether clause i follows a supposition in its
	// sentence (如果找不到网络，我只有去把它退了): it supposes too
	consequence := func(i int) bool {
		if i == 0 || clauses[i-1].Span[1] > clauses[i].Span[0] || !supposes(runes()[clauses[i-1].Span[0]:clauses[i-1].Span[1]]) {
			return false
		}
		for _, r := range runes()[clauses[i-1].Span[1]:clauses[i].Span[0]] {
			if strings.ContainsRune("。.!！?？;；\n", r) {
				return false
			}
		}
		return true
	}
	// a clause whose score disagrees with an opinion the matcher found in it
	// is not to be trusted (一小碗南瓜粥30多真有点贵 scores positive)
	opined := func(c nlp.Clause) bool {
		for _, x := range aspects {
			if !x.IsMention() && x.Polarity != nlp.Neutral && c.Span[0] <= x.Span[0] && x.Span[0] < c.Span[1] &&
				(x.Polarity == nlp.Positive) != (c.Sentiment.Score > 0) {
				return true
			}
		}
		return false
	}
	var drop []bool // overall verdicts that were a mention's
	for i := range aspects {
		x := &aspects[i]
		if !x.IsMention() || x.Asked {
			continue
		}
		for ci, c := range clauses {
			if c.Span[0] > x.Span[0] || x.Span[0] >= c.Span[1] || math.Abs(c.Sentiment.Score) < a.side || c.Sentiment.Label == nlp.Neutral || opined(c) || doubts(runes()[c.Span[0]:c.Span[1]]) || consequence(ci) {
				continue
			}
			if c.Sentiment.Score > 0 {
				x.Polarity, x.Subcategory = nlp.Positive, a.praises[x.Category]
			} else {
				x.Polarity, x.Subcategory = nlp.Negative, a.pains[x.Category]
			}
			term := x.Span[1]
			x.Opinion = strings.TrimSpace(string(runes()[c.Span[0]:c.Span[1]]))
			x.Span = [2]int{min(x.Span[0], c.Span[0]), max(x.Span[1], c.Span[1])}
			sided = true
			// the verdict right after the topic was the topic's (物流我是很
			// 满意的): no second, overall point
			for j, y := range aspects {
				if y.Category == a.overall && a.overall != "" && x.Category != a.overall && !y.IsMention() && y.Aspect == "" &&
					y.Polarity == x.Polarity && term <= y.Span[0] && y.Span[0]-term <= 3 && y.Span[1] <= c.Span[1] {
					if drop == nil {
						drop = make([]bool, len(aspects))
					}
					drop[j] = true
				}
			}
			break
		}
	}
	if drop != nil {
		kept := aspects[:0]
		for i, x := range aspects {
			if !drop[i] {
				kept = append(kept, x)
			}
		}
		aspects = kept
	}
	if !a.keep {
		aspects = judged(aspects)
	}
	if sided || a.overall == "" || sent.Label == nlp.Neutral || math.Abs(sent.Score) < verdictScore {
		return aspects
	}
	best := -1
	for i, c := range clauses {
		if (c.Sentiment.Score > 0) == (sent.Score > 0) && (best < 0 || math.Abs(c.Sentiment.Score) > math.Abs(clauses[best].Sentiment.Score)) &&
			!supposes(runes()[c.Span[0]:c.Span[1]]) && !consequence(i) {
			best = i
		}
	}
	if best < 0 || math.Abs(clauses[best].Sentiment.Score) < verdictScore/2 {
		return aspects
	}
	c := clauses[best]
	v := nlp.Aspect{Category: a.overall, Polarity: nlp.Positive, Subcategory: a.praises[a.overall],
		Opinion: strings.TrimSpace(string(runes()[c.Span[0]:c.Span[1]])), Span: c.Span}
	if sent.Score < 0 {
		v.Polarity, v.Subcategory = nlp.Negative, a.pains[a.overall]
	}
	if v.Opinion == "" {
		return aspects
	}
	out := append(aspects, v)
	slices.SortStableFunc(out, func(p, q nlp.Aspect) int { return p.Span[0] - q.Span[0] })
	return out
}
