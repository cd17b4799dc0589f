// Package gen is voc's one source of test data. It generates a
// deterministic, realistic feed of Chinese customer feedback (reviews,
// chats, calls, emails, social posts, surveys) for voc demo, end-to-end
// tests and benchmarks, with ground-truth labels and injectable pain-point
// spikes; turns that feed into what the alert tests need (records.go:
// pipeline records analysed from the ground truth, hourly cubes, extra
// noise); gives the NLP benchmarks their texts (benchdata.go: the
// repository's reviews, sized inputs, the shared public data sets); and
// builds malformed messages for the dead-letter path (poison.go).
//
// Generation works a day at a time. For each day the generator first plans
// how many mentions of every topic (pain point, praise point, request) each
// product gets, by randomised rounding of the expected count — so a day
// never holds more than ceil(expected) mentions of a topic for a product —
// and raises the planned count of spiked topics. Then it turns the planned
// mentions into messages (sometimes two complaints in one message), gives
// them times within the day and emits them in created_at order. Every day
// has its own random stream derived from the seed, so a day's plan and
// messages do not depend on how many were read before.
package gen

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"sort"
	"strings"
	"time"

	"github.com/vocproject/voc/feedback"
)

// Channels of generated messages.
const (
	ChannelEcommerce = "ecommerce" // 电商评价
	ChannelAppStore  = "appstore"  // 应用商店
	ChannelChat      = "chat"      // 在线客服
	ChannelCall      = "call"      // 电话
	ChannelEmail     = "email"     // 邮件
	ChannelSocial    = "social"    // 社交媒体
	ChannelSurvey    = "survey"    // 问卷 (kind survey; share set by SurveyShare)
)

// DefaultProducts are the products of the default catalogue.
var DefaultProducts = []string{"SKU-1001 保温杯", "SKU-1002 电动牙刷", "SKU-1003 蓝牙耳机", "SKU-1004 空气炸锅", "SKU-1005 洗面奶"}

// DefaultChannels are all channels but survey.
var DefaultChannels = []string{ChannelEcommerce, ChannelAppStore, ChannelChat, ChannelCall, ChannelEmail, ChannelSocial}

// DefaultStart is the default first day.
var DefaultStart = time.Date(2025, 3, 3, 0, 0, 0, 0, time.FixedZone("CST", 8*3600))

// Spike raises one product's mentions of one pain point on one day.
type Spike struct {
	Day                   int    // 0-based day index
	Product               string // one of Config.Products
	Category, Subcategory string // a pain point, e.g. 质量 / 漏液
	// Factor: the day holds at least Factor times as many mentions as
	// any day without the spike (default 5).
	Factor float64
}

// Config configures a Generator. The zero value means defaults.
type Config struct {
	Seed int64
	// Start is the first day (its date; default DefaultStart, 2025-03-03 +08:00).
	Start time.Time
	// Days is the number of days (default 28).
	Days int
	// PerDay is the mean number of topic mentions per day (default 200);
	// weekends get ~15% more. Messages are slightly fewer than mentions
	// since some messages hold two complaints.
	PerDay int
	// Products are "SKU name" strings; the text after the first space is
	// used in texts (default DefaultProducts). Earlier products sell more.
	Products []string
	// Channels to draw from (default DefaultChannels).
	Channels []string
	// ChatShare is the share of chat transcripts, when chat is among
	// Channels (default 0.2).
	ChatShare float64
	// SurveyShare is the share of survey answers with NPS (default 0.05;
	// negative disables).
	SurveyShare float64
	// PIIShare is the share of messages with a phone number or email in the
	// text (default 0.04; negative disables).
	PIIShare float64
	// Spikes to inject. Their Day must be in [0, Days).
	Spikes []Spike
}

func (c Config) withDefaults() Config {
	if c.Start.IsZero() {
		c.Start = DefaultStart
	}
	y, m, d := c.Start.Date()
	c.Start = time.Date(y, m, d, 0, 0, 0, 0, c.Start.Location())
	if c.Days == 0 {
		c.Days = 28
	}
	if c.PerDay == 0 {
		c.PerDay = 200
	}
	if len(c.Products) == 0 {
		c.Products = DefaultProducts
	}
	if len(c.Channels) == 0 {
		c.Channels = DefaultChannels
	}
	if c.ChatShare == 0 {
		c.ChatShare = 0.2
	}
	if c.SurveyShare == 0 {
		c.SurveyShare = 0.05
	}
	if c.PIIShare == 0 {
		c.PIIShare = 0.04
	}
	c.Spikes = append([]Spike(nil), c.Spikes...)
	for i := range c.Spikes {
		if c.Spikes[i].Factor == 0 {
			c.Spikes[i].Factor = 5
		}
	}
	return c
}

// Validate reports a bad field.
func (c Config) Validate() error {
	if c.Days < 0 || c.PerDay < 0 {
		return fmt.Errorf("gen: config: days %d and per-day %d must not be negative", c.Days, c.PerDay)
	}
	if c.ChatShare < 0 || c.ChatShare > 1 || c.SurveyShare > 1 || c.PIIShare > 1 {
		return errors.New("gen: config: chat, survey and PII shares must be at most 1 (chat share in 0-1)")
	}
	d := c.withDefaults()
	products := map[string]bool{}
	for _, p := range d.Products {
		if strings.TrimSpace(p) == "" {
			return errors.New("gen: config: empty product")
		}
		products[p] = true
	}
	for _, ch := range d.Channels {
		switch ch {
		case ChannelEcommerce, ChannelAppStore, ChannelChat, ChannelCall, ChannelEmail, ChannelSocial:
		default:
			return fmt.Errorf("gen: config: unknown channel %q", ch)
		}
	}
	for i, s := range d.Spikes {
		if s.Day < 0 || s.Day >= d.Days {
			return fmt.Errorf("gen: config: spike %d: day %d is outside 0-%d", i, s.Day, d.Days-1)
		}
		if !products[s.Product] {
			return fmt.Errorf("gen: config: spike %d: unknown product %q", i, s.Product)
		}
		if k := topicIndex(s.Category, s.Subcategory); k < 0 || topics[k].Polarity != "negative" {
			return fmt.Errorf("gen: config: spike %d: %s/%s is not a pain point (see PainPoints)", i, s.Category, s.Subcategory)
		}
		if s.Factor < 1 || math.IsInf(s.Factor, 0) || math.IsNaN(s.Factor) {
			return fmt.Errorf("gen: config: spike %d: factor %v is below 1", i, s.Factor)
		}
	}
	return nil
}

// PainPoints returns the pain points the generator writes about.
func PainPoints() []Topic { return topicsOf("negative") }

// PraisePoints returns the praise points the generator writes about.
func PraisePoints() []Topic { return topicsOf("positive") }

func topicsOf(pol string) []Topic {
	var out []Topic
	for _, t := range topics {
		if t.Polarity == pol {
			out = append(out, t.Topic)
		}
	}
	return out
}

func topicIndex(cat, sub string) int {
	for i, t := range topics {
		if t.Category == cat && t.Subcategory == sub {
			return i
		}
	}
	return -1
}

// Truth is the ground truth of one generated message.
type Truth struct {
	Day int
	// Topics the text mentions, primary first.
	Topics []Topic
	// Sentiment is negative when the message has a pain point, positive
	// when it has only praise, neutral otherwise.
	Sentiment string
	// PII lists the kinds of personal data put in the text (PHONE, EMAIL).
	PII []string
	// Spike is set when the message was added by a spike.
	Spike bool
}

// Has reports whether the message mentions category/subcategory.
func (t Truth) Has(category, subcategory string) bool {
	for _, tp := range t.Topics {
		if tp.Category == category && tp.Subcategory == subcategory {
			return true
		}
	}
	return false
}

// Item is a generated message with its ground truth.
type Item struct {
	Msg   feedback.Message
	Truth Truth
}

// Generator generates the feed. It is not safe for concurrent use.
type Generator struct {
	cfg      Config
	prodW    []float64 // product weights, sum 1
	topicW   [][]float64
	dayScale []float64 // per weekday (time.Weekday) scale of PerDay
	maxScale float64

	day   int
	queue []Item
}

// New returns a generator for cfg.
func New(cfg Config) (*Generator, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	g := &Generator{cfg: cfg}
	sum := 0.0
	for i := range cfg.Products {
		w := 1 / math.Sqrt(float64(i+1))
		g.prodW = append(g.prodW, w)
		sum += w
	}
	for i := range g.prodW {
		g.prodW[i] /= sum
	}
	for _, p := range cfg.Products {
		noun := productNoun(p)
		ws := make([]float64, len(topics))
		tot := 0.0
		for k, t := range topics {
			if t.only == nil || containsAny(noun, t.only) {
				ws[k] = t.weight
			}
			tot += ws[k]
		}
		for k := range ws {
			ws[k] /= tot
		}
		g.topicW = append(g.topicW, ws)
	}
	// Weekends busier; mean over a week is 1.
	g.dayScale = []float64{1.15, 0.95, 0.9, 0.9, 0.95, 1.0, 1.15}
	g.maxScale = 1.15
	return g, nil
}

// Config returns the configuration with defaults filled in.
func (g *Generator) Config() Config { return g.cfg }

// Spikes returns the injected spikes (with default factors filled in).
func (g *Generator) Spikes() []Spike { return append([]Spike(nil), g.cfg.Spikes...) }

// Baseline returns the expected daily mentions of category/subcategory for
// product on days without a spike (0 for unknown names).
func (g *Generator) Baseline(product, category, subcategory string) float64 {
	p, k := g.productIndex(product), topicIndex(category, subcategory)
	if p < 0 || k < 0 {
		return 0
	}
	return float64(g.cfg.PerDay) * g.prodW[p] * g.topicW[p][k]
}

// SpikeTarget is the number of mentions a spike day holds: at least Factor
// times the most any day without the spike can hold (ceil of the expected
// count on the busiest weekday), and at least Factor.
func (g *Generator) SpikeTarget(s Spike) int {
	p, k := g.productIndex(s.Product), topicIndex(s.Category, s.Subcategory)
	if p < 0 || k < 0 {
		return 0
	}
	most := math.Ceil(float64(g.cfg.PerDay) * g.maxScale * g.prodW[p] * g.topicW[p][k])
	return int(math.Ceil(s.Factor * math.Max(most, 1)))
}

// Planned returns the planned mentions of category/subcategory for product
// on day: exactly the number of generated messages of that day whose Truth
// has the topic.
func (g *Generator) Planned(day int, product, category, subcategory string) int {
	p, k := g.productIndex(product), topicIndex(category, subcategory)
	if p < 0 || k < 0 || day < 0 || day >= g.cfg.Days {
		return 0
	}
	plan, _ := g.plan(day, g.rng(day))
	return plan[p][k]
}

// Total returns the number of messages the generator will emit in all.
func (g *Generator) Total() int {
	n := 0
	for d := 0; d < g.cfg.Days; d++ {
		n += len(g.generateDay(d))
	}
	return n
}

func (g *Generator) productIndex(p string) int {
	for i, q := range g.cfg.Products {
		if q == p {
			return i
		}
	}
	return -1
}

// Next returns the next message in created_at order; false after the last.
func (g *Generator) Next() (feedback.Message, bool) {
	it, ok := g.NextItem()
	return it.Msg, ok
}

// NextItem is Next with the ground truth.
func (g *Generator) NextItem() (Item, bool) {
	for len(g.queue) == 0 {
		if g.day >= g.cfg.Days {
			return Item{}, false
		}
		g.queue = g.generateDay(g.day)
		g.day++
	}
	it := g.queue[0]
	g.queue[0] = Item{}
	g.queue = g.queue[1:]
	return it, true
}

// Items returns every message with its truth, from the first day,
// independently of Next.
func (g *Generator) Items() []Item {
	var out []Item
	for d := 0; d < g.cfg.Days; d++ {
		out = append(out, g.generateDay(d)...)
	}
	return out
}

// All returns every message in created_at order, independently of Next.
func (g *Generator) All() []feedback.Message {
	items := g.Items()
	out := make([]feedback.Message, len(items))
	for i, it := range items {
		out[i] = it.Msg
	}
	return out
}

// Day returns the messages of one day (0-based) with their truth.
func (g *Generator) Day(day int) []Item {
	if day < 0 || day >= g.cfg.Days {
		return nil
	}
	return g.generateDay(day)
}

func (g *Generator) rng(day int) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(g.cfg.Seed), uint64(day)*0x9E3779B97F4A7C15+1))
}

// plan returns mentions per product and topic for day, and which of them
// come from spikes.
func (g *Generator) plan(day int, r *rand.Rand) (plan, spiked [][]int) {
	date := g.cfg.Start.AddDate(0, 0, day)
	total := float64(g.cfg.PerDay) * g.dayScale[date.Weekday()]
	plan = make([][]int, len(g.cfg.Products))
	spiked = make([][]int, len(g.cfg.Products))
	for p := range plan {
		plan[p] = make([]int, len(topics))
		spiked[p] = make([]int, len(topics))
		for k := range topics {
			lambda := total * g.prodW[p] * g.topicW[p][k]
			n := math.Floor(lambda)
			if r.Float64() < lambda-n {
				n++
			}
			plan[p][k] = int(n)
		}
	}
	for _, s := range g.cfg.Spikes {
		if s.Day != day {
			continue
		}
		p, k := g.productIndex(s.Product), topicIndex(s.Category, s.Subcategory)
		if t := g.SpikeTarget(s); t > plan[p][k] {
			spiked[p][k] += t - plan[p][k]
			plan[p][k] = t
		}
	}
	return plan, spiked
}

type slot struct {
	topics []int
	spike  bool
}

// generateDay builds the messages of one day in created_at order.
func (g *Generator) generateDay(day int) []Item {
	r := g.rng(day)
	plan, spiked := g.plan(day, r)
	date := g.cfg.Start.AddDate(0, 0, day)
	var items []Item
	for p := range plan {
		var slots []slot
		for k, n := range plan[p] {
			for i := range n {
				slots = append(slots, slot{topics: []int{k}, spike: i >= n-spiked[p][k]})
			}
		}
		r.Shuffle(len(slots), func(i, j int) { slots[i], slots[j] = slots[j], slots[i] })
		// Merge some pairs of different topics into one message: two
		// complaints, or praise then a complaint ("虽然…但是…").
		var merged []slot
		for i := 0; i < len(slots); i++ {
			s := slots[i]
			if i+1 < len(slots) && r.Float64() < 0.18 {
				a, b := topics[s.topics[0]], topics[slots[i+1].topics[0]]
				if a.Polarity != "neutral" && b.Polarity != "neutral" && a.Topic != b.Topic &&
					(a.Polarity == "negative" || b.Polarity == "negative") {
					s = slot{topics: []int{s.topics[0], slots[i+1].topics[0]}, spike: s.spike || slots[i+1].spike}
					// Negative first: the primary topic is the complaint.
					if a.Polarity != "negative" {
						s.topics[0], s.topics[1] = s.topics[1], s.topics[0]
					}
					i++
				}
			}
			merged = append(merged, s)
		}
		for _, s := range merged {
			at := date.Add(timeOfDay(r))
			items = append(items, g.message(r, p, s, at, day))
		}
	}
	sort.SliceStable(items, func(i, j int) bool { return items[i].Msg.CreatedAt.Before(items[j].Msg.CreatedAt) })
	for i := range items {
		items[i].Msg.ID = fmt.Sprintf("fb-%d-%03d-%05d", g.cfg.Seed, day, i)
	}
	return items
}

// hourWeights is the share of messages per hour of day (peaks late morning
// and evening).
var hourWeights = []float64{2, 1, 0.5, 0.3, 0.3, 0.5, 1, 2, 4, 6, 7, 7, 6, 5, 5, 5, 5, 5, 5, 6, 8, 9, 8, 5}

func timeOfDay(r *rand.Rand) time.Duration {
	h := pick(r, hourWeights)
	return time.Duration(h)*time.Hour + time.Duration(r.IntN(3600))*time.Second
}

func pick(r *rand.Rand, w []float64) int {
	sum := 0.0
	for _, x := range w {
		sum += x
	}
	v := r.Float64() * sum
	for i, x := range w {
		if v < x {
			return i
		}
		v -= x
	}
	return len(w) - 1
}

func one[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

func productNoun(p string) string {
	if i := strings.IndexByte(p, ' '); i >= 0 && strings.TrimSpace(p[i+1:]) != "" {
		return strings.TrimSpace(p[i+1:])
	}
	return "产品"
}

func containsAny(s string, subs []string) bool {
	for _, x := range subs {
		if strings.Contains(s, x) {
			return true
		}
	}
	return false
}

// WriteJSONL writes msgs as JSON Lines.
func WriteJSONL(w io.Writer, msgs []feedback.Message) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for i := range msgs {
		if err := enc.Encode(&msgs[i]); err != nil {
			return fmt.Errorf("gen: write message %s: %w", msgs[i].ID, err)
		}
	}
	return nil
}
