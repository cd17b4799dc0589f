package nlp

// Trajectories of Conversation.Trajectory: how the customer's sentiment
// moved from the start of a chat to its end.
const (
	TrajectoryImproved = "improved"
	TrajectoryWorsened = "worsened"
	TrajectoryFlat     = "flat"
	// TrajectoryUnknown: the chat has no customer turn with text.
	TrajectoryUnknown = "unknown"
)

// Resolutions of Conversation.Resolution.
const (
	Resolved          = "resolved"   // the customer confirms or thanks at the end
	Unresolved        = "unresolved" // the customer leaves unhappy, unanswered or handed over
	ResolutionUnknown = "unknown"    // the end says neither
)

// Kinds of Violation.Kind.
const (
	ViolationForbidden   = "forbidden"   // a phrase agents must not say
	ViolationDiscouraged = "discouraged" // a phrase agents should not say
	ViolationMissing     = "missing"     // a required phrase (greeting, apology, closing) is absent
)

// Violation is one breach of an agent compliance rule in a chat.
type Violation struct {
	// Turn is the index of the agent turn in the chat: where the phrase was
	// said, or for a missing phrase the turn that should have held it.
	Turn int `json:"turn"`
	// Kind is ViolationForbidden, ViolationDiscouraged or ViolationMissing.
	Kind string `json:"kind"`
	// Rule names the rule of the compliance lexicon (推诿, 违规承诺, 问候).
	Rule string `json:"rule"`
	// Phrase is the text found; empty for a missing phrase.
	Phrase string `json:"phrase,omitempty"`
	// Span holds rune offsets [start, end) of Phrase in the turn's masked
	// text (TurnResult.Text); [0, 0] for a missing phrase.
	Span [2]int `json:"span"`
}

// Conversation is the conversation-level analysis of a chat: how the
// customer's mood moved, whether the issue got resolved, how much effort it
// took the customer, service times, and the agent's compliance. Every
// sentiment here is the customer's; agents' turns are checked, not scored.
type Conversation struct {
	// Team is the agents' team the compliance rules were chosen for.
	Team string `json:"team,omitempty"`

	Turns         int `json:"turns"`
	CustomerTurns int `json:"customer_turns"`
	AgentTurns    int `json:"agent_turns"`

	// StartTurn and EndTurn are the customer turns whose sentiment is the
	// start and the end (-1 when the chat has no customer turn with text).
	// The start is the first customer turn that says something (an opinion
	// or a pain point), not a bare 在吗; the end is the last customer turn.
	// StartSentiment and EndSentiment are those turns' sentiment scores,
	// except that a turn that only asks or confirms (no 投诉 intent, no
	// escalation, no pain point) counts as at least neutral: the sentiment
	// model, trained on reviews, reads 在吗？ and 行，那麻烦你了 as negative.
	// Trajectory compares the two (a change of 0.3 or more).
	StartTurn      int     `json:"start_turn"`
	EndTurn        int     `json:"end_turn"`
	StartSentiment float64 `json:"start_sentiment"`
	EndSentiment   float64 `json:"end_sentiment"`
	Trajectory     string  `json:"trajectory"`

	// EscalationRisk in [0, 1] adds up the reasons found (escalation
	// language, repeated demands, rising negativity, ...); Escalated is
	// EscalationRisk >= 0.5.
	EscalationRisk    float64  `json:"escalation_risk"`
	EscalationReasons []string `json:"escalation_reasons"`
	Escalated         bool     `json:"escalated"`

	// Resolution is Resolved, Unresolved or ResolutionUnknown, and
	// ResolutionReason says why (customer_confirmed; escalation,
	// unresolved_cue, transferred, negative_end, unanswered; no_customer,
	// unclear).
	Resolution       string `json:"resolution"`
	ResolutionReason string `json:"resolution_reason"`

	// Customer-effort (CES) signals: hand-overs to another agent (and the
	// customer's requests for a human), customer questions asked again,
	// demands made again. Effort is their sum.
	Transfers         int `json:"transfers"`
	RepeatedQuestions int `json:"repeated_questions"`
	RepeatedDemands   int `json:"repeated_demands"`
	Effort            int `json:"effort"`

	// Service times in seconds from the turns' timestamps; nil when the
	// timestamps they need are missing (never 0 for "unknown"). First
	// response: the customer's first message to the agent's first reply
	// after it. Average response (ART): over every agent reply, from the
	// first customer message it answers. Handle time: first to last turn.
	FirstResponseSec *float64 `json:"first_response_sec,omitempty"`
	AvgResponseSec   *float64 `json:"avg_response_sec,omitempty"`
	HandleTimeSec    *float64 `json:"handle_time_sec,omitempty"`

	// CSAT is the customer's satisfaction score 1-5 given with the chat, 0
	// when none.
	CSAT int `json:"csat,omitempty"`

	// PainPoints are the customer's pain points, "category/subcategory",
	// sorted and unique: what a repeat contact is matched on for
	// first-contact resolution.
	PainPoints []string `json:"pain_points"`

	// Violations of the agent compliance rules, in turn and span order.
	Violations []Violation `json:"violations"`
}
