// Package feedback defines voc's input message schema (version 1) and its
// decoding. Decoding errors carry a machine-readable Reason so that the
// pipeline can route the message to the dead-letter topic.
package feedback

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/vocproject/voc/nlp/normalize"
)

// SchemaVersion is the version of the message schema documented in README.
const SchemaVersion = 1

// DefaultMaxBytes is the default limit on one encoded message.
const DefaultMaxBytes = 64 << 10

// Kinds of feedback.
const (
	KindReview = "review"
	KindChat   = "chat"
	KindSurvey = "survey"
	KindEmail  = "email"
	KindCall   = "call"
)

// Reasons of a DecodeError, also used as the dead-letter reason header.
const (
	ReasonBadJSON  = "bad_json"
	ReasonNotUTF8  = "not_utf8"
	ReasonOversize = "oversize"
	ReasonNoText   = "no_text"
	ReasonBadField = "bad_field"
	ReasonAnalysis = "analysis_failed"
)

// DecodeError is a permanent error about one message.
type DecodeError struct {
	Reason string // one of the Reason constants
	Field  string // the offending field, when there is one
	Err    error
}

func (e *DecodeError) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%s: field %q: %v", e.Reason, e.Field, e.Err)
	}
	return fmt.Sprintf("%s: %v", e.Reason, e.Err)
}

func (e *DecodeError) Unwrap() error { return e.Err }

// Customer identifies the author of a review.
type Customer struct {
	ID   string `json:"id,omitempty"`
	Tier string `json:"tier,omitempty"` // normal, vip, enterprise
}

// Turn is one turn of a chat transcript.
type Turn struct {
	Role string    `json:"role"` // customer or agent
	Text string    `json:"text"`
	At   time.Time `json:"at,omitzero"`
}

// Message is one feedback message (schema version 1). Unknown fields are kept
// in Extra and pass through to the output.
type Message struct {
	ID        string    `json:"id"`
	Kind      string    `json:"kind,omitempty"`
	Channel   string    `json:"channel,omitempty"`
	Product   string    `json:"product,omitempty"`
	Rating    int       `json:"rating,omitempty"` // 1-5 stars
	CSAT      int       `json:"csat,omitempty"`   // 1-5
	NPS       *int      `json:"nps,omitempty"`    // 0-10
	Text      string    `json:"text,omitempty"`
	CreatedAt time.Time `json:"created_at,omitzero"`
	Customer  Customer  `json:"customer,omitzero"`
	Region    string    `json:"region,omitempty"`
	Lang      string    `json:"lang,omitempty"`
	AgentID   string    `json:"agent_id,omitempty"`
	Turns     []Turn    `json:"turns,omitempty"`

	// Extra holds the fields not named above, as they came.
	Extra map[string]json.RawMessage `json:"-"`
}

var known = map[string]bool{"id": true, "kind": true, "channel": true, "product": true, "rating": true,
	"csat": true, "nps": true, "text": true, "created_at": true, "customer": true, "region": true,
	"lang": true, "agent_id": true, "turns": true}

// IsChat reports whether the message is a chat transcript.
func (m *Message) IsChat() bool { return len(m.Turns) > 0 }

// IsConversational reports whether the message is a customer's message to
// the company — a chat, a call or an email — rather than a review or a
// survey answer (see nlp.Options.Conversational).
func (m *Message) IsConversational() bool {
	return ConversationalKind(m.Kind) || m.IsChat()
}

// ConversationalKind reports whether messages of kind are a customer's
// messages to the company: chat, call and email.
func ConversationalKind(kind string) bool {
	switch kind {
	case KindChat, KindCall, KindEmail:
		return true
	}
	return false
}

// Decode parses and validates one message. maxBytes <= 0 means
// DefaultMaxBytes. On error it still returns the id when one could be read,
// so that an error can be reported against it.
func Decode(data []byte, maxBytes int) (*Message, string, error) {
	if maxBytes <= 0 {
		maxBytes = DefaultMaxBytes
	}
	if len(data) > maxBytes {
		return nil, peekID(data), &DecodeError{Reason: ReasonOversize, Err: fmt.Errorf("message is %d bytes, limit %d", len(data), maxBytes)}
	}
	if !utf8.Valid(data) {
		return nil, peekID(data), &DecodeError{Reason: ReasonNotUTF8, Err: errors.New("message is not valid UTF-8")}
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, "", &DecodeError{Reason: ReasonBadJSON, Err: err}
	}
	var m Message
	if err := json.Unmarshal(data, &m); err != nil {
		var ute *json.UnmarshalTypeError
		if errors.As(err, &ute) {
			return nil, peekID(data), &DecodeError{Reason: ReasonBadField, Field: ute.Field, Err: err}
		}
		return nil, peekID(data), &DecodeError{Reason: ReasonBadJSON, Err: err}
	}
	for k, v := range raw {
		if !known[k] {
			if m.Extra == nil {
				m.Extra = map[string]json.RawMessage{}
			}
			m.Extra[k] = v
		}
	}
	if err := m.Validate(); err != nil {
		return nil, m.ID, err
	}
	return &m, m.ID, nil
}

// Validate checks field values and that there is text to analyse: a text
// or a turn that is not blank once normalized (nlp/normalize.Blank: not
// only whitespace, HTML tags, control or zero-width characters).
func (m *Message) Validate() error {
	bad := func(field, format string, a ...any) error {
		return &DecodeError{Reason: ReasonBadField, Field: field, Err: fmt.Errorf(format, a...)}
	}
	if m.Rating != 0 && (m.Rating < 1 || m.Rating > 5) {
		return bad("rating", "rating %d is outside 1-5", m.Rating)
	}
	if m.CSAT != 0 && (m.CSAT < 1 || m.CSAT > 5) {
		return bad("csat", "csat %d is outside 1-5", m.CSAT)
	}
	if m.NPS != nil && (*m.NPS < 0 || *m.NPS > 10) {
		return bad("nps", "nps %d is outside 0-10", *m.NPS)
	}
	switch m.Customer.Tier {
	case "", "normal", "vip", "enterprise":
	default:
		return bad("customer.tier", "tier %q is not normal, vip or enterprise", m.Customer.Tier)
	}
	for i, t := range m.Turns {
		if t.Role != "customer" && t.Role != "agent" {
			return bad(fmt.Sprintf("turns[%d].role", i), "role %q is not customer or agent", t.Role)
		}
	}
	if normalize.Blank(m.Text) {
		has, blank := false, strings.TrimSpace(m.Text) != ""
		for _, t := range m.Turns {
			if !normalize.Blank(t.Text) {
				has = true
				break
			}
			blank = blank || strings.TrimSpace(t.Text) != ""
		}
		if !has {
			err := errors.New("no text and no turn with text")
			if blank {
				err = errors.New("no text left once markup, control and zero-width characters are removed")
			}
			return &DecodeError{Reason: ReasonNoText, Field: "text", Err: err}
		}
	}
	return nil
}

// peekID extracts a top-level "id" string from a message that failed to
// decode, best effort.
func peekID(data []byte) string {
	data = bytes.ToValidUTF8(data, []byte("\uFFFD"))
	var v struct {
		ID json.RawMessage `json:"id"`
	}
	if json.Unmarshal(data, &v) == nil && len(v.ID) > 0 {
		var s string
		if json.Unmarshal(v.ID, &s) == nil {
			return s
		}
		return strings.Trim(string(v.ID), `"`)
	}
	return ""
}

// MarshalWith encodes the message with its Extra fields and the given
// additional fields (which win over existing ones).
func (m *Message) MarshalWith(add map[string]any) ([]byte, error) {
	base, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	var out map[string]json.RawMessage
	if err := json.Unmarshal(base, &out); err != nil {
		return nil, err
	}
	for k, v := range m.Extra {
		if _, ok := out[k]; !ok {
			out[k] = v
		}
	}
	for k, v := range add {
		b, err := json.Marshal(v)
		if err != nil {
			return nil, fmt.Errorf("marshal %s: %w", k, err)
		}
		out[k] = b
	}
	return json.Marshal(out)
}
