package gen

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/vocproject/voc/feedback"
)

// message turns a slot into a message of a random channel.
func (g *Generator) message(r *rand.Rand, p int, s slot, at time.Time, day int) Item {
	product := g.cfg.Products[p]
	noun := productNoun(product)
	tr := Truth{Day: day, Spike: s.spike, Sentiment: "neutral"}
	for _, k := range s.topics {
		tr.Topics = append(tr.Topics, topics[k].Topic)
	}
	neg, pos := false, false
	for _, t := range tr.Topics {
		neg = neg || t.Polarity == "negative"
		pos = pos || t.Polarity == "positive"
	}
	switch {
	case neg:
		tr.Sentiment = "negative"
	case pos:
		tr.Sentiment = "positive"
	}
	m := feedback.Message{
		Product:   product,
		CreatedAt: at,
		Customer:  feedback.Customer{ID: fmt.Sprintf("C%06d", r.IntN(200000)), Tier: tier(r)},
		Region:    one(r, regions),
		Lang:      "zh-CN",
	}
	var pii string
	if g.cfg.PIIShare > 0 && r.Float64() < g.cfg.PIIShare {
		pii, tr.PII = piiPhrase(r)
	}
	if g.cfg.SurveyShare > 0 && r.Float64() < g.cfg.SurveyShare {
		m.Kind, m.Channel = feedback.KindSurvey, ChannelSurvey
		nps := npsFor(r, tr.Sentiment)
		m.NPS = &nps
		m.Text = surveyText(r, noun, s.topics)
	} else {
		switch ch := g.channel(r); ch {
		case ChannelChat:
			m.Kind, m.Channel = feedback.KindChat, ch
			m.AgentID = fmt.Sprintf("A%03d", r.IntN(40))
			m.Turns, m.CSAT = chatTurns(r, noun, s.topics, at, pii)
			pii = ""
		case ChannelCall:
			m.Kind, m.Channel = feedback.KindCall, ch
			m.AgentID = fmt.Sprintf("A%03d", r.IntN(40))
			m.Text = callText(r, noun, s.topics, at)
		case ChannelEmail:
			m.Kind, m.Channel = feedback.KindEmail, ch
			m.Text = emailText(r, noun, s.topics, at)
		case ChannelSocial:
			m.Kind, m.Channel = feedback.KindReview, ch
			m.Text = socialText(r, noun, s.topics)
		default: // ecommerce, appstore
			m.Kind, m.Channel = feedback.KindReview, ch
			m.Rating = ratingFor(r, s.topics)
			m.Text = reviewText(r, noun, s.topics)
		}
	}
	if pii != "" {
		m.Text = strings.TrimRight(m.Text, "。！!") + "，" + pii + "。"
	}
	// A few customers write in traditional characters.
	if m.Text != "" && r.Float64() < 0.02 {
		m.Text, m.Lang = toTraditional(m.Text), "zh-TW"
	}
	return Item{Msg: m, Truth: tr}
}

func (g *Generator) channel(r *rand.Rand) string {
	w := make([]float64, len(g.cfg.Channels))
	hasChat := false
	for i, ch := range g.cfg.Channels {
		switch ch {
		case ChannelChat:
			hasChat = true
		case ChannelEcommerce:
			w[i] = 5
		case ChannelAppStore:
			w[i] = 1.5
		case ChannelCall:
			w[i] = 1
		case ChannelEmail:
			w[i] = 0.7
		case ChannelSocial:
			w[i] = 1.5
		}
	}
	if hasChat {
		rest := 0.0
		for _, x := range w {
			rest += x
		}
		for i, ch := range g.cfg.Channels {
			if ch == ChannelChat {
				if rest == 0 {
					return ch
				}
				w[i] = rest * g.cfg.ChatShare / (1 - min(g.cfg.ChatShare, 0.999))
			}
		}
	}
	return g.cfg.Channels[pick(r, w)]
}

func tier(r *rand.Rand) string {
	switch v := r.Float64(); {
	case v < 0.85:
		return "normal"
	case v < 0.97:
		return "vip"
	}
	return "enterprise"
}

func ratingFor(r *rand.Rand, ks []int) int {
	neg, pos := 0, 0
	for _, k := range ks {
		switch topics[k].Polarity {
		case "negative":
			neg++
		case "positive":
			pos++
		}
	}
	v := r.Float64()
	switch {
	case neg > 0 && pos > 0:
		return 2 + r.IntN(2)
	case neg > 0:
		if v < 0.5 {
			return 1
		} else if v < 0.9 {
			return 2
		}
		return 3
	case pos > 0:
		if v < 0.6 {
			return 5
		} else if v < 0.95 {
			return 4
		}
		return 3
	}
	return 3 + r.IntN(3)
}

func npsFor(r *rand.Rand, sentiment string) int {
	switch sentiment {
	case "negative":
		return r.IntN(7) // 0-6 detractor
	case "positive":
		return 9 + r.IntN(2)
	}
	return 7 + r.IntN(2)
}

// fill replaces the placeholders of a template.
func fill(r *rand.Rand, tpl, noun string) string {
	if !strings.Contains(tpl, "{") {
		return tpl
	}
	var b strings.Builder
	for {
		i := strings.IndexByte(tpl, '{')
		if i < 0 {
			b.WriteString(tpl)
			return b.String()
		}
		j := strings.IndexByte(tpl[i:], '}')
		if j < 0 {
			b.WriteString(tpl)
			return b.String()
		}
		b.WriteString(tpl[:i])
		switch tpl[i+1 : i+j] {
		case "p":
			b.WriteString(noun)
		case "n":
			if r.IntN(2) == 0 {
				b.WriteString(one(r, smallNum))
			} else {
				b.WriteString(strconv.Itoa(2 + r.IntN(8)))
			}
		case "deg":
			b.WriteString(one(r, negDeg))
		case "pdeg":
			b.WriteString(one(r, posDeg))
		default:
			b.WriteString(tpl[i : i+j+1])
		}
		tpl = tpl[i+j+1:]
	}
}

// body is the clauses about the topics, joined: a complaint, maybe an
// elaboration of it, maybe a second complaint, or praise contrasted with a
// complaint.
func body(r *rand.Rand, noun string, ks []int) string {
	first := topics[ks[0]]
	c := fill(r, one(r, first.clauses), noun)
	if first.Polarity == "negative" && r.Float64() < 0.25 {
		// Elaborate with a second phrasing of the same complaint.
		if c2 := fill(r, one(r, first.clauses), noun); c2 != c {
			c += "，" + c2
		}
	}
	if len(ks) < 2 {
		return c
	}
	second := topics[ks[1]]
	c2 := fill(r, one(r, second.clauses), noun)
	if second.Polarity == "positive" {
		// praise first, then the complaint
		return fmt.Sprintf(one(r, contrasts), c2, c)
	}
	return c + "，" + one(r, moreNeg) + c2
}

func polarity(ks []int) string {
	pol := "neutral"
	for _, k := range ks {
		switch topics[k].Polarity {
		case "negative":
			return "negative"
		case "positive":
			pol = "positive"
		}
	}
	return pol
}

func closer(r *rand.Rand, pol string) string {
	switch pol {
	case "negative":
		return one(r, closersNeg)
	case "positive":
		return one(r, closersPos)
	}
	return one(r, closersNeu)
}

func emoji(r *rand.Rand, pol string) string {
	if r.Float64() > 0.25 {
		return ""
	}
	switch pol {
	case "negative":
		return one(r, emojiNeg)
	case "positive":
		return strings.Repeat(one(r, emojiPos), 1+r.IntN(2))
	}
	return ""
}

func endSentence(s string) string {
	if strings.HasSuffix(s, "？") || strings.HasSuffix(s, "。") || strings.HasSuffix(s, "！") {
		return s
	}
	return s + "。"
}

func reviewText(r *rand.Rand, noun string, ks []int) string {
	pol := polarity(ks)
	op := one(r, openers)
	if pol == "positive" && r.Float64() < 0.2 {
		op = one(r, openersPraise)
	}
	var b strings.Builder
	b.WriteString(fill(r, op, noun))
	b.WriteString(endSentence(body(r, noun, ks)))
	b.WriteString(closer(r, pol))
	b.WriteString(emoji(r, pol))
	return b.String()
}

func socialText(r *rand.Rand, noun string, ks []int) string {
	pol := polarity(ks)
	var b strings.Builder
	if r.IntN(2) == 0 {
		b.WriteString("#" + noun + "# ")
	}
	b.WriteString(body(r, noun, ks))
	if pol == "negative" && r.IntN(3) == 0 {
		b.WriteString(" @品牌官方 给个说法")
	}
	b.WriteString(emoji(r, pol))
	return b.String()
}

func surveyText(r *rand.Rand, noun string, ks []int) string {
	b := body(r, noun, ks)
	if polarity(ks) == "negative" && r.IntN(2) == 0 {
		return endSentence(b) + "希望改进。"
	}
	return endSentence(b)
}

func emailText(r *rand.Rand, noun string, ks []int, at time.Time) string {
	bought := at.AddDate(0, 0, -2-r.IntN(10))
	var b strings.Builder
	b.WriteString("您好：\n")
	fmt.Fprintf(&b, "我于%d月%d日在贵店购买了%s，", int(bought.Month()), bought.Day(), noun)
	b.WriteString(endSentence(body(r, noun, ks)))
	switch polarity(ks) {
	case "negative":
		b.WriteString(one(r, []string{"希望尽快给我一个答复。", "请尽快处理，谢谢。", "如果再不处理我会向消费者协会投诉。"}))
	case "positive":
		b.WriteString("特此来信表示感谢。")
	default:
		b.WriteString("盼复，谢谢。")
	}
	b.WriteString("\n顾客 " + one(r, []string{"张女士", "王先生", "李女士", "陈先生", "刘女士"}))
	return b.String()
}

func callText(r *rand.Rand, noun string, ks []int, at time.Time) string {
	bought := at.AddDate(0, 0, -1-r.IntN(10))
	t := fmt.Sprintf("喂你好，我%d号买的那个%s，%s", bought.Day(), noun, body(r, noun, ks))
	if polarity(ks) == "negative" {
		t += "，你们看这个怎么处理吧"
	} else {
		t += "，就是想跟你们说一下"
	}
	if r.Float64() < 0.3 {
		// speech-to-text without punctuation
		t = strings.NewReplacer("，", " ", "。", " ", "？", " ", "！", " ").Replace(t)
		return strings.TrimSpace(t)
	}
	return t + "。"
}

// chatTurns builds a transcript; the customer states the topics, the agent
// answers; csat follows whether the customer ends satisfied.
func chatTurns(r *rand.Rand, noun string, ks []int, at time.Time, pii string) ([]feedback.Turn, int) {
	t := at
	step := func() time.Time {
		t = t.Add(time.Duration(15+r.IntN(120)) * time.Second)
		return t
	}
	agentName := one(r, agentNames)
	turns := []feedback.Turn{{Role: "customer", Text: one(r, chatOpeners), At: at}}
	turns = append(turns, feedback.Turn{Role: "agent", Text: fmt.Sprintf("您好，我是客服%s，请问有什么可以帮您？", agentName), At: step()})
	issue := body(r, noun, ks)
	if r.IntN(2) == 0 {
		issue = "我买的" + noun + "，" + issue
	}
	turns = append(turns, feedback.Turn{Role: "customer", Text: issue + emoji(r, polarity(ks)), At: step()})
	if pii != "" {
		turns = append(turns, feedback.Turn{Role: "customer", Text: pii, At: step()})
	}
	turns = append(turns, feedback.Turn{Role: "agent", Text: one(r, topics[ks[0]].agent), At: step()})
	pol := polarity(ks)
	var csat int
	switch {
	case pol == "negative" && r.Float64() < 0.45:
		turns = append(turns, feedback.Turn{Role: "customer", Text: one(r, chatAngry), At: step()})
		turns = append(turns, feedback.Turn{Role: "agent", Text: "非常理解您的心情，我已经为您升级处理，会有专人跟进。", At: step()})
		csat = 1 + r.IntN(2)
	case pol == "negative":
		turns = append(turns, feedback.Turn{Role: "customer", Text: one(r, chatResolved), At: step()})
		csat = 3 + r.IntN(2)
	default:
		turns = append(turns, feedback.Turn{Role: "customer", Text: one(r, chatResolved), At: step()})
		csat = 4 + r.IntN(2)
	}
	if r.IntN(2) == 0 {
		turns = append(turns, feedback.Turn{Role: "agent", Text: "请问还有其他可以帮您的吗？", At: step()})
	}
	return turns, csat
}

// piiPhrase returns a sentence with a mobile number or an email and the
// kinds of PII in it.
func piiPhrase(r *rand.Rand) (string, []string) {
	tpl := one(r, piiPhrases)
	var kinds []string
	if strings.Contains(tpl, "{phone}") {
		prefix := one(r, []string{"138", "139", "186", "159", "177", "135", "150", "188"})
		tpl = strings.Replace(tpl, "{phone}", fmt.Sprintf("%s%08d", prefix, r.IntN(100000000)), 1)
		kinds = append(kinds, "PHONE")
	}
	if strings.Contains(tpl, "{email}") {
		user := one(r, []string{"zhang", "wang.li", "chen88", "liu_yang", "xiaomei", "hk2024"})
		domain := one(r, []string{"qq.com", "163.com", "example.com", "126.com"})
		tpl = strings.Replace(tpl, "{email}", fmt.Sprintf("%s%d@%s", user, r.IntN(1000), domain), 1)
		kinds = append(kinds, "EMAIL")
	}
	return tpl, kinds
}

func toTraditional(s string) string {
	return strings.Map(func(r rune) rune {
		if t, ok := traditional[r]; ok {
			return t
		}
		return r
	}, s)
}
