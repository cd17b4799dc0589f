// Package nlp holds the result types of voc's text analysis (Result,
// Sentiment, Aspect, Conversation, ...) that the stages under it produce and
// the pipeline, sinks and API carry. The stages are its subpackages:
// normalize, pii, segment, clause, sentiment, aspect and intent, composed
// into one call by nlp/analyzer, with nlp/chat on top for conversations.
//
// The packages under nlp/ do no I/O and are deterministic and safe for
// concurrent use. Their one piece of process state is segment's gse
// dictionary (about 230 MB), loaded once per process on first use and
// shared read-only by every Segmenter; the lexicons they run on are passed
// in (package lexicons), never read from globals.
package nlp

// Labels of Sentiment.Label and Aspect.Polarity.
const (
	Positive = "positive"
	Negative = "negative"
	Neutral  = "neutral"
)

// Intents of Result.Intent (seed categories of a customer-service department).
const (
	IntentInquiry    = "咨询"
	IntentComplaint  = "投诉"
	IntentAfterSales = "售后"
	IntentSuggestion = "建议"
	IntentPraise     = "表扬"
)

// Sentiment is a score in [-1, 1] with its label and a confidence in [0, 1].
type Sentiment struct {
	Score      float64 `json:"score"`
	Label      string  `json:"label"`
	Confidence float64 `json:"confidence"`
}

// Aspect is one aspect-level opinion, or one topic mention, found in a text.
// A negative aspect is a pain point (痛点); a positive one is a praise
// point. Span holds character (rune) offsets [start, end) into Result.Text
// covering aspect and opinion.
//
// Three kinds share the type:
//   - an opinion about an aspect of the taxonomy: Category and Subcategory
//     set (物流/配送慢), Opinion the words that carry it; Polarity neutral
//     when it was asked or hedged (希望物流快一点);
//   - a topic mention (IsMention): an aspect term of the taxonomy named
//     without an opinion (请问电池多大): Category set, Subcategory and
//     Opinion empty, Polarity neutral;
//   - an open opinion (IsUnmapped): an aspect the taxonomy does not know,
//     paired with an opinion word (指纹识别很慢): Category and Subcategory
//     empty, Aspect and Opinion set.
type Aspect struct {
	Category    string `json:"category"`
	Subcategory string `json:"subcategory"`
	Aspect      string `json:"aspect"`
	Opinion     string `json:"opinion"`
	Polarity    string `json:"polarity"`
	Span        [2]int `json:"span"`
	// Asked marks a topic mention in a question or after a hedge (会不会
	// 自动续费, 希望续航能再长一点): later stages give it no side. Not
	// encoded.
	Asked bool `json:"-"`
}

// IsMention reports whether a is a topic mention: an aspect named without
// an opinion.
func (a Aspect) IsMention() bool { return a.Opinion == "" && a.Subcategory == "" && a.Category != "" }

// IsUnmapped reports whether a is an opinion about an aspect the taxonomy
// does not know (category empty).
func (a Aspect) IsUnmapped() bool { return a.Category == "" }

// Point names what a says about: "category/subcategory" (物流/配送慢), the
// category of a mention (物流), "?/aspect" for an open opinion (?/指纹识别).
func (a Aspect) Point() string {
	switch {
	case a.IsUnmapped():
		return "?/" + a.Aspect
	case a.IsMention():
		return a.Category
	}
	return a.Category + "/" + a.Subcategory
}

// Clause is one clause of the normalized text with its own sentiment.
type Clause struct {
	Span      [2]int    `json:"span"`
	Sentiment Sentiment `json:"sentiment"`
}

// Options carries per-message context that can inform the analysis.
type Options struct {
	// Rating is a 1-5 star rating used as a prior; 0 means none.
	Rating int
	// Conversational marks a customer's message to the company (a chat
	// turn, a call, an email) rather than a review. There a question is
	// mostly an inquiry (请问什么时候发货？), not the rhetorical complaint
	// it mostly is in reviews (这也叫外卖吗？), so a question clause without
	// negation is scored by its hand-written opinion words and cues only,
	// not by weights learned from reviews.
	Conversational bool
}

// Result is the analysis of one text.
type Result struct {
	// Text is the normalized, PII-masked text; all spans index into it.
	Text       string    `json:"text"`
	Sentiment  Sentiment `json:"sentiment"`
	Aspects    []Aspect  `json:"aspects"`
	Intent     string    `json:"intent"`
	Escalation bool      `json:"escalation"`
	// PII lists the placeholder types masked, e.g. "PHONE", "ID", sorted, unique.
	PII     []string `json:"pii"`
	Clauses []Clause `json:"clauses,omitempty"`
	// Tokens are the words of Text as the segmenter cut it during the
	// analysis (nil when it was not cut, as for agent turns). They are
	// kept for sinks that index Text, so that it is not segmented twice,
	// and are not encoded.
	Tokens []Token `json:"-"`
}

// Token is one word of a segmented text. Start and End are rune offsets
// [Start,End) into the text; Text is that range of the text.
type Token struct {
	Text       string
	Start, End int
	// POS is the part of speech from the dictionary (jieba tags: n, v, a,
	// ...), "eng" for ASCII words, "m" for ASCII numbers, "x" for
	// placeholders such as <PHONE>, "" for words found by the HMM.
	POS string
}

// Turn is one turn of a chat transcript to analyse.
type Turn struct {
	Role string // "customer" or "agent"
	Text string
}

// TurnResult is the analysis of one chat turn.
type TurnResult struct {
	Role string `json:"role"`
	Result
}

// ChatResult is the analysis of a chat: the overall result (over the
// customer's turns) and one result per turn, in order.
type ChatResult struct {
	Result
	Turns []TurnResult `json:"turns"`
}

// PainPraise counts the pain points (negative aspects) and the praise
// points (positive aspects) among aspects.
func PainPraise(aspects []Aspect) (pain, praise int) {
	for _, a := range aspects {
		switch a.Polarity {
		case Negative:
			pain++
		case Positive:
			praise++
		}
	}
	return pain, praise
}
