package query

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/vocproject/voc/store/ch"
)

// Stored records as the API shows them, with their mentions.

// Mention is one stored aspect mention. Start and End are rune offsets
// into the record's text; they are -1 when the mention comes from a chat
// turn whose offsets do not index the stored text and its words were not
// found in it.
type Mention struct {
	Turn        int     `json:"turn"`
	Role        string  `json:"role"`
	Category    string  `json:"category"`
	Subcategory string  `json:"subcategory"`
	Aspect      string  `json:"aspect"`
	Opinion     string  `json:"opinion"`
	Polarity    string  `json:"polarity"`
	Start       int     `json:"start"`
	End         int     `json:"end"`
	Sentiment   float64 `json:"sentiment"`
}

// In returns the words of rs (the runes of the record's text) that m spans,
// and false when its span does not lie in them.
func (m Mention) In(rs []rune) (string, bool) {
	if m.Start < 0 || m.End > len(rs) || m.Start >= m.End {
		return "", false
	}
	return string(rs[m.Start:m.End]), true
}

// Verbatim is a stored record, as the API shows it.
type Verbatim struct {
	ID             string    `json:"id"`
	Kind           string    `json:"kind"`
	Channel        string    `json:"channel"`
	Product        string    `json:"product"`
	CreatedAt      time.Time `json:"created_at"`
	Rating         uint8     `json:"rating"`
	CSAT           uint8     `json:"csat"`
	NPS            int8      `json:"nps"` // -1: none
	Tier           string    `json:"customer_tier"`
	Region         string    `json:"region"`
	Text           string    `json:"text"` // masked
	Sentiment      float64   `json:"sentiment"`
	SentimentLabel string    `json:"sentiment_label"`
	Confidence     float64   `json:"confidence"`
	Intent         string    `json:"intent"`
	Escalation     bool      `json:"escalation"`
	PainPoints     []string  `json:"pain_points"`
	PraisePoints   []string  `json:"praise_points"`
	PII            []string  `json:"pii"`
	LexiconVersion string    `json:"lexicon_version"`
	TurnCount      int       `json:"turn_count"`
	Mentions       []Mention `json:"mentions"`
}

const verbatimColumns = `id, kind, channel, product, created_at, rating, csat, nps, customer_tier, region, text,
    sentiment, sentiment_label, confidence, intent, escalation, pain_points, praise_points, pii, lexicon_version, turn_count`

func scanVerbatim(r ch.Row) (Verbatim, error) {
	var v Verbatim
	var sent, conf float32
	var esc uint8
	var turns uint16
	err := r.Scan(&v.ID, &v.Kind, &v.Channel, &v.Product, &v.CreatedAt, &v.Rating, &v.CSAT, &v.NPS, &v.Tier, &v.Region, &v.Text,
		&sent, &v.SentimentLabel, &conf, &v.Intent, &esc, &v.PainPoints, &v.PraisePoints, &v.PII, &v.LexiconVersion, &turns)
	v.Sentiment, v.Confidence, v.Escalation, v.TurnCount = float64(sent), float64(conf), esc == 1, int(turns)
	v.Mentions = []Mention{}
	return v, err
}

// ErrNotFound is returned for a record that is not stored.
var ErrNotFound = errors.New("clickhouse: record not found")

// Record returns one record by id with all its mentions.
func (s *Store) Record(ctx context.Context, id string) (*Verbatim, error) {
	var out *Verbatim
	q := "SELECT " + verbatimColumns + " FROM " + s.table(ch.TableFeedback) + " WHERE id = ? LIMIT 1"
	err := s.query(ctx, "record", q, []any{id}, func(r ch.Row) error {
		v, err := scanVerbatim(r)
		out = &v
		return err
	})
	if err != nil {
		return nil, err
	}
	if out == nil {
		return nil, fmt.Errorf("%w: %q", ErrNotFound, id)
	}
	vs := []Verbatim{*out}
	if err := s.attachMentions(ctx, vs, out.CreatedAt, out.CreatedAt.Add(time.Second), Filter{}); err != nil {
		return nil, err
	}
	return &vs[0], nil
}

// VerbatimPage is one page of verbatims.
type VerbatimPage struct {
	Total uint64     `json:"total"`
	Items []Verbatim `json:"items"`
}

// verbatimWhere returns the table of records and the condition of f, of
// text (a case-insensitive substring) and of a sentiment label ("" for
// any), with its arguments.
func (s *Store) verbatimWhere(f Filter, text, sentiment string) (source, string, []any) {
	src := source{table: s.table(ch.TableFeedback), time: "created_at", mentions: s.local(ch.TableMentions)}
	where, args := src.conds(f, f.From, f.To, false)
	if text != "" {
		where += " AND positionCaseInsensitiveUTF8(text, ?) > 0"
		args = append(args, text)
	}
	if sentiment != "" {
		where += " AND sentiment_label = ?"
		args = append(args, sentiment)
	}
	return src, where, args
}

// countWhere counts the rows of src's table that hold where into total.
func (s *Store) countWhere(ctx context.Context, src source, where string, args []any, total *uint64) error {
	return s.conn.QueryRow(ctx, "SELECT count() FROM "+src.table+" WHERE "+where, args...).Scan(total)
}

// Verbatims returns the records matching f, newest first, with the
// mentions of f's pain point, or the customer mentions f.Mentions selects
// (all mentions when f has neither). text, when set, must occur in the
// record's text (case-insensitive substring).
func (s *Store) Verbatims(ctx context.Context, f Filter, text, sentiment string, limit, offset int) (*VerbatimPage, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	src, where, args := s.verbatimWhere(f, text, sentiment)
	out := &VerbatimPage{Items: []Verbatim{}}
	if err := s.countWhere(ctx, src, where, args, &out.Total); err != nil {
		return nil, fmt.Errorf("clickhouse: verbatims: count: %w", err)
	}
	q := fmt.Sprintf("SELECT %s FROM %s WHERE %s ORDER BY created_at DESC, id LIMIT %d, %d", verbatimColumns, src.table, where, max(offset, 0), max(limit, 0))
	var err error
	out.Items, err = queryRows(ctx, s, "verbatims", q, args, out.Items, scanVerbatim)
	if err != nil {
		return nil, err
	}
	if err := s.attachMentions(ctx, out.Items, f.From, f.To, f); err != nil {
		return nil, err
	}
	return out, nil
}

// MentionsOf fills the mentions of records already fetched elsewhere (the
// search index) by id; created_at bounds narrow the read.
func (s *Store) MentionsOf(ctx context.Context, vs []Verbatim, from, to time.Time) error {
	return s.attachMentions(ctx, vs, from, to, Filter{})
}

// attachMentions reads the mentions of vs (only those of sel's pain
// point, or the customer rows its MentionFilter selects, when set) and
// computes their offsets into each text.
func (s *Store) attachMentions(ctx context.Context, vs []Verbatim, from, to time.Time, sel Filter) error {
	if len(vs) == 0 {
		return nil
	}
	byID := map[string]int{}
	ids := make([]string, 0, len(vs))
	for i, v := range vs {
		byID[v.ID] = i
		ids = append(ids, v.ID)
	}
	var w ch.Where
	w.Add("has(?, id)", ids)
	w.Add("role != ''") // not a mention hidden by reprocess
	if !from.IsZero() && !to.IsZero() {
		w.Add("created_at >= ?", from.UTC())
		w.Add("created_at < ?", to.UTC())
	}
	w.Eq("category", sel.Category)
	w.Eq("subcategory", sel.Subcategory)
	if !sel.Mentions.IsZero() {
		w.Add("role = 'customer'")
		sel.Mentions.addConds(&w)
	}
	q := `SELECT id, mention, turn, role, category, subcategory, aspect, opinion, polarity, span_start, span_end, sentiment, kind
FROM ` + s.table(ch.TableMentions) + " WHERE " + w.String() + " ORDER BY id, mention"
	last := ""
	lastMention := -1
	return s.query(ctx, "mentions", q, w.Args, func(r ch.Row) error {
		var id, kind string
		var mention, turn uint16
		var st, en uint32
		var sent float32
		var m Mention
		if err := r.Scan(&id, &mention, &turn, &m.Role, &m.Category, &m.Subcategory, &m.Aspect, &m.Opinion, &m.Polarity, &st, &en, &sent, &kind); err != nil {
			return err
		}
		if id == last && int(mention) == lastMention {
			return nil // a duplicate row not merged yet
		}
		last, lastMention = id, int(mention)
		i, ok := byID[id]
		if !ok {
			return nil
		}
		m.Turn, m.Sentiment = int(turn), float64(sent)
		m.Start, m.End = locate(vs[i].Text, m, int(st), int(en), vs[i].TurnCount > 0)
		vs[i].Mentions = append(vs[i].Mentions, m)
		return nil
	})
}

// locate returns the rune span of a mention in text: the stored span when
// it indexes the text (records analysed as one text), else the first
// occurrence of the aspect through the opinion, else of either word.
func locate(text string, m Mention, st, en int, chat bool) (int, int) {
	runes := []rune(text)
	if !chat && st < en && en <= len(runes) {
		return st, en
	}
	find := func(w string) int {
		if w == "" {
			return -1
		}
		i := strings.Index(text, w)
		if i < 0 {
			return -1
		}
		return len([]rune(text[:i]))
	}
	a, o := find(m.Aspect), find(m.Opinion)
	la, lo := len([]rune(m.Aspect)), len([]rune(m.Opinion))
	switch {
	case a >= 0 && o >= 0 && o >= a:
		return a, o + lo
	case a >= 0 && o >= 0:
		return o, max(a+la, o+lo)
	case o >= 0:
		return o, o + lo
	case a >= 0:
		return a, a + la
	}
	return -1, -1
}

// representativePool is how many records Representative ranks.
const representativePool = 500

// Representative returns the records matching f (as Verbatims does) in
// the order of how well they show them, at most limit from offset, with
// the mentions of f (the spans that say why each was tagged), and the
// number ranked (at most representativePool). It ranks a stable
// pseudo-random sample of the period (ordered by a hash of the id, not by
// time): typical records first (sentiment closest to the sample's median,
// of a readable length), varied (a channel and a product not shown yet
// before one that was, and no near-duplicate texts).
func (s *Store) Representative(ctx context.Context, f Filter, text, sentiment string, limit, offset int) (*VerbatimPage, int, error) {
	if err := f.Validate(); err != nil {
		return nil, 0, err
	}
	src, where, args := s.verbatimWhere(f, text, sentiment)
	out := &VerbatimPage{Items: []Verbatim{}}
	if err := s.countWhere(ctx, src, where, args, &out.Total); err != nil {
		return nil, 0, fmt.Errorf("clickhouse: representative verbatims: count: %w", err)
	}
	q := fmt.Sprintf("SELECT %s FROM %s WHERE %s ORDER BY cityHash64(id), id LIMIT %d", verbatimColumns, src.table, where, representativePool)
	pool, err := queryRows(ctx, s, "representative verbatims", q, args, nil, scanVerbatim)
	if err != nil {
		return nil, 0, err
	}
	ranked := rankRepresentative(pool)
	if offset < len(ranked) {
		out.Items = append(out.Items, ranked[offset:min(len(ranked), offset+max(limit, 0))]...)
	}
	if len(out.Items) > 0 {
		byTime := func(a, b Verbatim) int { return a.CreatedAt.Compare(b.CreatedAt) }
		lo, hi := slices.MinFunc(out.Items, byTime).CreatedAt, slices.MaxFunc(out.Items, byTime).CreatedAt
		if err := s.attachMentions(ctx, out.Items, lo, hi.Add(time.Second), f); err != nil {
			return nil, 0, err
		}
	}
	return out, len(ranked), nil
}

// rankRepresentative orders vs by typicality and variety (see
// Representative); near-duplicate texts (the same first 16 runes after
// the first) go last.
func rankRepresentative(vs []Verbatim) []Verbatim {
	if len(vs) == 0 {
		return vs
	}
	sents := make([]float64, len(vs))
	for i, v := range vs {
		sents[i] = v.Sentiment
	}
	slices.Sort(sents)
	median := sents[len(sents)/2]
	score := func(v Verbatim) float64 {
		s := math.Abs(v.Sentiment - median)
		n := utf8.RuneCountInString(v.Text)
		switch {
		case n < 8:
			s += 0.5 // too short to say much
		case n > 160:
			s += 0.3 // too long to read at a glance
		}
		return s
	}
	order := slices.Clone(vs)
	slices.SortStableFunc(order, func(a, b Verbatim) int { return cmp.Compare(score(a), score(b)) })
	key := func(v Verbatim) string {
		r := []rune(v.Text)
		return string(r[:min(len(r), 16)])
	}
	var out, dups []Verbatim
	seenText := map[string]bool{}
	channels, products := map[string]bool{}, map[string]bool{}
	used := make([]bool, len(order))
	for len(out)+len(dups) < len(order) {
		// The best record that adds a channel or a product not shown
		// yet, else the best one left.
		pick := -1
		for i, v := range order {
			if used[i] {
				continue
			}
			if pick < 0 {
				pick = i
			}
			if !channels[v.Channel] || !products[v.Product] {
				pick = i
				break
			}
		}
		used[pick] = true
		v := order[pick]
		if seenText[key(v)] {
			dups = append(dups, v)
			continue
		}
		seenText[key(v)] = true
		channels[v.Channel], products[v.Product] = true, true
		out = append(out, v)
		if allSeen(order, used, channels, products) {
			clear(channels)
			clear(products)
		}
	}
	return append(out, dups...)
}

// allSeen reports whether every unused record's channel and product have
// been shown (a new round of variety starts then).
func allSeen(vs []Verbatim, used []bool, channels, products map[string]bool) bool {
	for i, v := range vs {
		if !used[i] && (!channels[v.Channel] || !products[v.Product]) {
			return false
		}
	}
	return true
}
