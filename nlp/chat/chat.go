// Package chat analyses a customer-service chat as a conversation, on top
// of the per-turn results of nlp/analyzer: the customer's sentiment at the
// start and the end and its trajectory, escalation risk, resolution,
// customer-effort signals (transfers, repeated questions and demands),
// service times from the turns' timestamps, and the agent's compliance
// with the rules of the compliance lexicon (lexicons.ComplianceFile).
//
// The package is pure: no I/O, no globals, deterministic, and an Analyzer is
// safe for concurrent use. Phrases are matched in the turns' normalized,
// masked text, so every span indexes TurnResult.Text.
package chat

import (
	"cmp"
	"math"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/vocproject/voc/lexicons"
	"github.com/vocproject/voc/nlp"
	"github.com/vocproject/voc/nlp/normalize"
)

// Turn is one analysed chat turn: the analyzer's result (role, masked text,
// sentiment, aspects, intent, escalation) and when it was said (zero when
// unknown).
type Turn struct {
	nlp.TurnResult
	At time.Time
}

// Options carries the context of one chat.
type Options struct {
	// Team is the agents' team: rules of this team apply besides the rules
	// for all teams. Empty means only the rules for all teams.
	Team string
	// CSAT is the satisfaction score given with the chat (1-5), 0 when none.
	CSAT int
	// Overall, when set, is the analysis over all customer turns
	// (nlp.ChatResult.Result); its negative aspects are the chat's pain
	// points, which then include those spread over two turns (快递呢？
	// 太慢了). Without it the pain points come from the turns.
	Overall *nlp.Result
}

// Thresholds of the conversation signals.
const (
	// TrajectoryDelta is the change of the customer's sentiment score from
	// start to end that makes a trajectory improved or worsened.
	TrajectoryDelta = 0.3
	// EscalatedRisk is the risk from which Conversation.Escalated is set.
	EscalatedRisk = 0.5
	// NeutralMood: a customer turn whose mood is closer to 0 says nothing
	// about the customer's feelings (it cannot be the start).
	NeutralMood = 0.2
	// ComplaintMood: a customer turn this negative is a complaint even
	// without intent 投诉 or a pain point (我要退款，东西收到就是坏的).
	ComplaintMood = 0.75
	// NegativeEnd: a last customer turn this negative (without a
	// confirmation) leaves the chat unresolved.
	NegativeEnd = 0.5
	// RepeatSimilarity is the share of the shorter question's character
	// bigrams found in the other (overlap coefficient) from which a
	// customer question repeats an earlier one; the shorter needs at least
	// 3 bigrams, else the two must be equal.
	RepeatSimilarity = 0.7
)

// Escalation reasons and their weights in Conversation.EscalationRisk.
const (
	ReasonEscalationLanguage = "escalation_language" // 12315, 投诉你们, 找你们领导 (intent lexicon)
	ReasonRepeatedDemands    = "repeated_demands"    // the same demand in several turns
	ReasonRisingNegativity   = "rising_negativity"   // the customer's sentiment worsened
	ReasonComplaint          = "complaint"           // a turn with intent 投诉
	ReasonRepeatedQuestions  = "repeated_questions"  // a question asked again
	ReasonTransferRequest    = "transfer_request"    // the customer asks for a human or a manager
	ReasonUnresolvedEnd      = "unresolved_end"      // the chat ends unresolved
)

var reasonWeights = []struct {
	reason string
	weight float64
}{
	{ReasonEscalationLanguage, 0.5},
	{ReasonRepeatedDemands, 0.15}, // per repeated demand, at most two
	{ReasonRisingNegativity, 0.25},
	{ReasonComplaint, 0.1},
	{ReasonRepeatedQuestions, 0.1},
	{ReasonTransferRequest, 0.1},
	{ReasonUnresolvedEnd, 0.1},
}

// Resolution reasons of Conversation.ResolutionReason.
const (
	ResolutionConfirmed     = "customer_confirmed" // resolved: the last customer turn confirms or thanks
	ResolutionUnresolvedCue = "unresolved_cue"     // the last customer turn says it is not solved (没解决, 算了)
	ResolutionEscalation    = "escalation"         // the last customer turn threatens escalation
	ResolutionTransferred   = "transferred"        // the agent hands over after the customer's last turn
	ResolutionNegativeEnd   = "negative_end"       // the last customer turn is negative
	ResolutionUnanswered    = "unanswered"         // the customer's last question got no agent turn
	ResolutionNoCustomer    = "no_customer"        // unknown: no customer turn with text
	ResolutionUnclear       = "unclear"            // unknown: the end says neither
)

// item is what a matched term stands for: a rule or a cue group.
type item struct {
	kind   string // a lexicons Rule* or Cue* kind
	scope  string // team of a rule, role of a cue
	name   string
	when   string
	within int
}

// Analyzer computes conversation signals and compliance. It is immutable
// and safe for concurrent use.
type Analyzer struct {
	items     []item
	violation dict // forbidden and discouraged phrases (agent turns)
	agentCues dict // cues of agent turns
	custCues  dict // cues of customer turns
	required  []required
}

// required is a group of required rules with the same name and moment
// (a team's rule may add terms to a rule for all teams).
type required struct {
	name   string
	when   string
	within int
	rules  []int // item ids; a rule applies when its team does
	terms  [][]string
}

// New returns an Analyzer over the compliance lexicon c; nil means no rules
// and no cues (service times, trajectory and the signals of the per-turn
// analysis still work). The analyzer does not retain c.
func New(c *lexicons.Compliance) *Analyzer {
	a := &Analyzer{violation: newDict(), agentCues: newDict(), custCues: newDict()}
	if c == nil {
		return a
	}
	for _, r := range c.Rules {
		id := len(a.items)
		a.items = append(a.items, item{kind: r.Kind, scope: r.Team, name: r.Name, when: r.When, within: r.Within})
		terms := normTerms(r.Terms)
		switch r.Kind {
		case lexicons.RuleForbidden, lexicons.RuleDiscouraged:
			for _, t := range terms {
				a.violation.add(t, id)
			}
		case lexicons.RuleRequired:
			i := slices.IndexFunc(a.required, func(q required) bool { return q.name == r.Name && q.when == r.When })
			if i < 0 {
				a.required = append(a.required, required{name: r.Name, when: r.When})
				i = len(a.required) - 1
			}
			q := &a.required[i]
			q.within = max(q.within, r.Within)
			q.rules = append(q.rules, id)
			q.terms = append(q.terms, terms)
		}
	}
	for _, cue := range c.Cues {
		id := len(a.items)
		a.items = append(a.items, item{kind: cue.Kind, scope: cue.Role, name: cue.Name})
		for _, t := range normTerms(cue.Terms) {
			if cue.Role != lexicons.RoleCustomer {
				a.agentCues.add(t, id)
			}
			if cue.Role != lexicons.RoleAgent {
				a.custCues.add(t, id)
			}
		}
	}
	a.violation.sort()
	a.agentCues.sort()
	a.custCues.sort()
	return a
}

// normTerms normalizes terms as the analyzer normalizes text, so that a
// term written with full-width punctuation or upper case still matches.
func normTerms(ts []string) []string {
	out := make([]string, 0, len(ts))
	for _, t := range ts {
		if n := normalize.Normalize(t).S; n != "" {
			out = append(out, n)
		}
	}
	return out
}

// IsCustomer reports whether a turn of this role is the customer's; every
// other role (agent, bot, system) is treated as the agent side.
func IsCustomer(role string) bool {
	return strings.EqualFold(strings.TrimSpace(role), lexicons.RoleCustomer)
}

// turnInfo is what Analyze derives from one turn.
type turnInfo struct {
	customer  bool
	text      bool // has text
	question  bool
	complaint bool
	level     int // complaint level: 0 none, 1 negative, 2 投诉 or a pain point, 3 escalation language
	mood      float64
	cues      []match
}

// Analyze computes the conversation signals of one chat from its analysed
// turns, in order. It does not retain turns.
func (a *Analyzer) Analyze(turns []Turn, opts Options) *nlp.Conversation {
	c := &nlp.Conversation{
		Team:              opts.Team,
		Turns:             len(turns),
		StartTurn:         -1,
		EndTurn:           -1,
		Trajectory:        nlp.TrajectoryUnknown,
		EscalationReasons: []string{},
		PainPoints:        []string{},
		Violations:        []nlp.Violation{},
	}
	if opts.CSAT >= 1 && opts.CSAT <= 5 {
		c.CSAT = opts.CSAT
	}
	info := make([]turnInfo, len(turns))
	var agentTurns []int
	var buf []match
	for i := range turns {
		t := &turns[i]
		in := &info[i]
		in.customer = IsCustomer(t.Role)
		in.text = strings.TrimSpace(t.Text) != ""
		if in.customer {
			c.CustomerTurns++
			buf = a.custCues.find(t.Text, nil, buf[:0])
			in.question = in.text && isQuestion(t)
			in.level = complaintLevel(t)
		} else {
			c.AgentTurns++
			agentTurns = append(agentTurns, i)
			buf = a.agentCues.find(t.Text, nil, buf[:0])
		}
		// A confirmation right after a negation is none (不好的, 没收到).
		for _, m := range buf {
			if a.items[m.id].kind == lexicons.CueResolved && negatedAt(t.Text, m.byteStart) {
				continue
			}
			in.cues = append(in.cues, m)
		}
		if in.customer {
			// The sentiment model, trained on reviews, reads bare questions
			// (在吗？ 什么时候发货？) and polite confirmations (行，那麻烦你了)
			// as negative: without a complaint they count as at least neutral.
			in.mood = t.Sentiment.Score
			if in.level == 0 && (in.question || a.hasCue(*in, lexicons.CueResolved)) {
				in.mood = max(in.mood, 0)
			}
			if in.level == 0 && in.mood <= -ComplaintMood {
				in.level = 1
			}
			in.complaint = in.level > 0
		}
	}

	a.sentiment(c, turns, info)
	transferRequest := a.effort(c, turns, info)
	a.resolve(c, turns, info)
	a.escalation(c, turns, info, transferRequest)
	timing(c, turns)
	c.PainPoints = painPoints(turns, info, opts.Overall)
	c.Violations = a.compliance(turns, info, agentTurns, opts.Team)
	return c
}

// hasCue reports whether in holds a cue of kind.
func (a *Analyzer) hasCue(in turnInfo, kind string) bool {
	return slices.ContainsFunc(in.cues, func(m match) bool { return a.items[m.id].kind == kind })
}

// sentiment sets the start and end of the customer's sentiment and the
// trajectory between them.
func (a *Analyzer) sentiment(c *nlp.Conversation, turns []Turn, info []turnInfo) {
	first := -1
	for i, in := range info {
		if !in.customer || !in.text {
			continue
		}
		if first < 0 {
			first = i
		}
		if c.StartTurn < 0 && (math.Abs(in.mood) >= NeutralMood || len(turns[i].Aspects) > 0) {
			c.StartTurn = i
		}
		c.EndTurn = i
	}
	if first < 0 {
		return
	}
	if c.StartTurn < 0 {
		c.StartTurn = first
	}
	c.StartSentiment = info[c.StartTurn].mood
	c.EndSentiment = info[c.EndTurn].mood
	switch d := c.EndSentiment - c.StartSentiment; {
	case c.EndTurn <= c.StartTurn:
		c.Trajectory = nlp.TrajectoryFlat
	case d >= TrajectoryDelta:
		c.Trajectory = nlp.TrajectoryImproved
	case d <= -TrajectoryDelta:
		c.Trajectory = nlp.TrajectoryWorsened
	default:
		c.Trajectory = nlp.TrajectoryFlat
	}
}

// effort counts transfers, repeated questions and repeated demands; it
// reports whether the customer asked for a transfer.
func (a *Analyzer) effort(c *nlp.Conversation, turns []Turn, info []turnInfo) (transferRequest bool) {
	var questions [][]string // bigrams of earlier customer questions
	var contents []string
	demands := map[string]bool{}
	for i, in := range info {
		if a.hasCue(in, lexicons.CueTransfer) {
			c.Transfers++
			transferRequest = transferRequest || in.customer
		}
		if !in.customer {
			continue
		}
		repeated := false
		if in.question {
			content := contentOf(turns[i].Text)
			if utf8.RuneCountInString(content) >= 2 {
				bg := bigrams(content)
				for j, q := range questions {
					if content == contents[j] || similar(bg, q) {
						repeated = true
						c.RepeatedQuestions++
						break
					}
				}
				questions = append(questions, bg)
				contents = append(contents, content)
			}
		}
		seen := map[string]bool{}
		for _, m := range in.cues {
			it := a.items[m.id]
			if it.kind != lexicons.CueDemand || seen[it.name] {
				continue
			}
			seen[it.name] = true
			// A question asked again counts once, as a repeated question.
			if demands[it.name] && !repeated {
				c.RepeatedDemands++
			}
		}
		for n := range seen {
			demands[n] = true
		}
	}
	c.Effort = c.Transfers + c.RepeatedQuestions + c.RepeatedDemands
	return transferRequest
}

// resolve decides the resolution from the customer's last turn and what
// follows it.
func (a *Analyzer) resolve(c *nlp.Conversation, turns []Turn, info []turnInfo) {
	set := func(res, reason string) { c.Resolution, c.ResolutionReason = res, reason }
	end := c.EndTurn
	if end < 0 {
		set(nlp.ResolutionUnknown, ResolutionNoCustomer)
		return
	}
	handedOver, answered := false, false
	for i := end + 1; i < len(turns); i++ {
		if !info[i].customer {
			answered = true
			handedOver = handedOver || a.hasCue(info[i], lexicons.CueTransfer)
		}
	}
	switch {
	case turns[end].Escalation:
		set(nlp.Unresolved, ResolutionEscalation)
	case a.hasCue(info[end], lexicons.CueUnresolved):
		set(nlp.Unresolved, ResolutionUnresolvedCue)
	case handedOver:
		set(nlp.Unresolved, ResolutionTransferred)
	case info[end].complaint:
		set(nlp.Unresolved, ResolutionNegativeEnd)
	case a.hasCue(info[end], lexicons.CueResolved):
		set(nlp.Resolved, ResolutionConfirmed)
	case !answered && (info[end].question || c.AgentTurns == 0):
		set(nlp.Unresolved, ResolutionUnanswered)
	case info[end].mood <= -NegativeEnd:
		set(nlp.Unresolved, ResolutionNegativeEnd)
	default:
		set(nlp.ResolutionUnknown, ResolutionUnclear)
	}
}

// escalation adds up the escalation risk.
func (a *Analyzer) escalation(c *nlp.Conversation, turns []Turn, info []turnInfo, transferRequest bool) {
	has := map[string]float64{}
	for i, in := range info {
		if !in.customer {
			continue
		}
		if turns[i].Escalation {
			has[ReasonEscalationLanguage] = 1
		}
		if turns[i].Intent == nlp.IntentComplaint {
			has[ReasonComplaint] = 1
		}
	}
	if c.RepeatedDemands > 0 {
		has[ReasonRepeatedDemands] = float64(min(c.RepeatedDemands, 2))
	}
	if c.Trajectory == nlp.TrajectoryWorsened || c.EndTurn > c.StartTurn &&
		info[c.EndTurn].level > info[c.StartTurn].level && c.EndSentiment <= c.StartSentiment {
		has[ReasonRisingNegativity] = 1
	}
	if c.RepeatedQuestions > 0 {
		has[ReasonRepeatedQuestions] = 1
	}
	if transferRequest {
		has[ReasonTransferRequest] = 1
	}
	if c.Resolution == nlp.Unresolved {
		has[ReasonUnresolvedEnd] = 1
	}
	risk := 0.0
	for _, rw := range reasonWeights {
		if n := has[rw.reason]; n > 0 {
			risk += n * rw.weight
			c.EscalationReasons = append(c.EscalationReasons, rw.reason)
		}
	}
	c.EscalationRisk = math.Round(min(risk, 1)*1000) / 1000
	c.Escalated = c.EscalationRisk >= EscalatedRisk
}

// timing sets the service times from the turns' timestamps. A pair of
// turns with a missing timestamp or going back in time gives no figure.
func timing(c *nlp.Conversation, turns []Turn) {
	ok := func(from, to time.Time) bool { return !from.IsZero() && !to.IsZero() && !to.Before(from) }
	pending := -1 // first customer turn not answered yet
	pairs, n := 0, 0
	var sum time.Duration
	for i, t := range turns {
		if IsCustomer(t.Role) {
			if pending < 0 {
				pending = i
			}
			continue
		}
		if pending < 0 {
			continue
		}
		from := turns[pending].At
		pending = -1
		pairs++
		if !ok(from, t.At) {
			continue
		}
		d := t.At.Sub(from)
		if pairs == 1 {
			c.FirstResponseSec = ptr(d.Seconds())
		}
		sum += d
		n++
	}
	if n > 0 {
		c.AvgResponseSec = ptr(math.Round(sum.Seconds()/float64(n)*1000) / 1000)
	}
	if len(turns) >= 2 && ok(turns[0].At, turns[len(turns)-1].At) {
		c.HandleTimeSec = ptr(turns[len(turns)-1].At.Sub(turns[0].At).Seconds())
	}
}

func ptr(f float64) *float64 { return &f }

// painPoints returns the customer's negative aspects of the taxonomy as
// sorted, unique "category/subcategory" (open opinions have no point).
func painPoints(turns []Turn, info []turnInfo, overall *nlp.Result) []string {
	out := []string{}
	add := func(as []nlp.Aspect) {
		for _, a := range as {
			if a.Polarity == nlp.Negative && !a.IsUnmapped() {
				out = append(out, a.Point())
			}
		}
	}
	if overall != nil {
		add(overall.Aspects)
	} else {
		for i := range turns {
			if info[i].customer {
				add(turns[i].Aspects)
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// applies reports whether a rule of scope team applies to team.
func applies(scope, team string) bool { return scope == lexicons.AllTeams || scope == team }

// compliance checks the agent turns against the rules of team.
func (a *Analyzer) compliance(turns []Turn, info []turnInfo, agentTurns []int, team string) []nlp.Violation {
	out := []nlp.Violation{}
	keep := func(id int) bool { return applies(a.items[id].scope, team) }
	var buf []match
	for _, i := range agentTurns {
		buf = a.violation.find(turns[i].Text, keep, buf[:0])
		for _, m := range buf {
			it := a.items[m.id]
			out = append(out, nlp.Violation{Turn: i, Kind: it.kind, Rule: it.name, Phrase: m.term, Span: [2]int{m.start, m.end}})
		}
	}
	if len(agentTurns) == 0 {
		return out
	}
	complaint := slices.IndexFunc(info, func(in turnInfo) bool { return in.customer && in.complaint })
	for _, q := range a.required {
		var terms []string
		for k, id := range q.rules {
			if keep(id) {
				terms = append(terms, q.terms[k]...)
			}
		}
		if len(terms) == 0 {
			continue
		}
		var window []int
		switch q.when {
		case lexicons.WhenStart:
			window = agentTurns[:min(q.within, len(agentTurns))]
		case lexicons.WhenEnd:
			window = agentTurns[max(0, len(agentTurns)-q.within):]
		case lexicons.WhenComplaint:
			if complaint < 0 {
				continue
			}
			k, _ := slices.BinarySearch(agentTurns, complaint)
			window = agentTurns[k:min(k+q.within, len(agentTurns))]
		}
		if len(window) == 0 {
			continue
		}
		found := slices.ContainsFunc(window, func(i int) bool {
			return slices.ContainsFunc(terms, func(t string) bool { return strings.Contains(turns[i].Text, t) })
		})
		if !found {
			at := window[0]
			if q.when == lexicons.WhenEnd {
				at = window[len(window)-1]
			}
			out = append(out, nlp.Violation{Turn: at, Kind: nlp.ViolationMissing, Rule: q.name})
		}
	}
	slices.SortStableFunc(out, func(x, y nlp.Violation) int {
		return cmp.Or(cmp.Compare(x.Turn, y.Turn), cmp.Compare(x.Span[0], y.Span[0]), cmp.Compare(x.Kind, y.Kind), cmp.Compare(x.Rule, y.Rule))
	})
	return out
}

// complaintLevel grades what a customer turn's analysis says of a
// complaint: 3 escalation language, 2 intent 投诉 or a pain point, else 0.
func complaintLevel(t *Turn) int {
	switch {
	case t.Escalation:
		return 3
	case t.Intent == nlp.IntentComplaint || hasPain(t.Aspects):
		return 2
	}
	return 0
}

func hasPain(as []nlp.Aspect) bool {
	return slices.ContainsFunc(as, func(a nlp.Aspect) bool { return a.Polarity == nlp.Negative })
}

// isQuestion reports whether a customer turn asks something.
func isQuestion(t *Turn) bool {
	s := strings.TrimRightFunc(t.Text, func(r rune) bool { return unicode.IsPunct(r) && r != '?' || unicode.IsSpace(r) })
	if strings.ContainsRune(s, '?') {
		return true
	}
	for _, suf := range []string{"吗", "呢", "么", "嘛"} {
		if strings.HasSuffix(s, suf) {
			return true
		}
	}
	return t.Intent == nlp.IntentInquiry
}

// negatedAt reports whether the text right before byte offset i is a
// negation (不, 没, 别, 未, 无).
func negatedAt(text string, i int) bool {
	r, _ := utf8.DecodeLastRuneInString(text[:i])
	switch r {
	case '不', '没', '别', '未', '无':
		return true
	}
	return false
}

// contentOf keeps the letters and digits of s, the content compared
// between questions.
func contentOf(s string) string {
	var b strings.Builder
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// bigrams returns the sorted, unique rune bigrams of s (s itself when it
// is one rune long).
func bigrams(s string) []string {
	rs := []rune(s)
	if len(rs) < 2 {
		return []string{s}
	}
	out := make([]string, 0, len(rs)-1)
	for i := 0; i+1 < len(rs); i++ {
		out = append(out, string(rs[i:i+2]))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// similar reports whether two sorted bigram sets overlap by at least
// RepeatSimilarity of the smaller one, which has at least 3 bigrams.
func similar(a, b []string) bool {
	n := min(len(a), len(b))
	if n < 3 {
		return false
	}
	i, j, common := 0, 0, 0
	for i < len(a) && j < len(b) {
		switch strings.Compare(a[i], b[j]) {
		case 0:
			common++
			i++
			j++
		case -1:
			i++
		default:
			j++
		}
	}
	return float64(common) >= RepeatSimilarity*float64(n)
}
