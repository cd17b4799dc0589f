package lexicons

import (
	"fmt"
	"io/fs"
	"strconv"
)

// ComplianceFile holds the agent compliance rules (合规) and the cues of
// conversation signals in chats (see data/FORMAT.md, section "Compliance").
// It is optional: without it chats get service metrics but no compliance
// check and no cue-based signals.
const ComplianceFile = "compliance.tsv"

// Kinds of ComplianceRule.Kind: phrases an agent must not say, should not
// say, and must say.
const (
	RuleForbidden   = "forbidden"
	RuleDiscouraged = "discouraged"
	RuleRequired    = "required"
)

// Kinds of ChatCue.Kind: what a phrase in a chat turn signals.
const (
	// CueResolved: the customer confirms or thanks (好的，谢谢; 解决了).
	CueResolved = "resolved"
	// CueUnresolved: the customer says the problem remains (没解决, 算了).
	CueUnresolved = "unresolved"
	// CueTransfer: a hand-over to another agent or team (帮您转接, 转人工).
	CueTransfer = "transfer"
	// CueDemand: a demand of the customer; a group repeated in a later
	// turn is a repeated demand (退款 … 退款).
	CueDemand = "demand"
)

// Moments of ComplianceRule.When: where a required phrase must appear.
const (
	WhenStart     = "start"     // in the agent's first turns (greeting)
	WhenComplaint = "complaint" // in the agent's turns after the customer's first complaint (apology)
	WhenEnd       = "end"       // in the agent's last turns (closing)
)

// AllTeams as the team of a rule applies it to every team.
const AllTeams = "*"

// Roles of ChatCue.Role; AnyRole matches turns of every role.
const (
	RoleCustomer = "customer"
	RoleAgent    = "agent"
	AnyRole      = "*"
)

// DefaultWithin is the default number of agent turns in which a required
// phrase must appear.
const DefaultWithin = 2

// ComplianceRule is one rule about what agents say.
type ComplianceRule struct {
	Kind  string // RuleForbidden, RuleDiscouraged or RuleRequired
	Team  string // the team it applies to, AllTeams for every team
	Name  string // the rule's name, stored with violations (推诿, 问候)
	Terms []string
	// When and Within apply to required rules: one of Terms must appear in
	// the agent's first (WhenStart) or last (WhenEnd) Within turns, or in
	// the Within agent turns after the customer's first complaint.
	When   string
	Within int
	Line   int // line in ComplianceFile, for messages
}

// ChatCue is a group of phrases that signal something about a chat.
type ChatCue struct {
	Kind  string // CueResolved, CueUnresolved, CueTransfer or CueDemand
	Role  string // RoleCustomer, RoleAgent or AnyRole
	Name  string // the group's name (退款, 转接)
	Terms []string
}

// Compliance holds the compliance rules and conversation cues. It is
// immutable once loaded. The zero value has none.
type Compliance struct {
	Rules []ComplianceRule
	Cues  []ChatCue
}

// String describes the lexicon's size, for logs.
func (c *Compliance) String() string {
	return fmt.Sprintf("%d compliance rules, %d conversation cue groups", len(c.Rules), len(c.Cues))
}

var (
	ruleKinds = map[string]bool{RuleForbidden: true, RuleDiscouraged: true, RuleRequired: true}
	cueKinds  = map[string]bool{CueResolved: true, CueUnresolved: true, CueTransfer: true, CueDemand: true}
	cueRoles  = map[string]bool{RoleCustomer: true, RoleAgent: true, AnyRole: true}
	whens     = map[string]bool{WhenStart: true, WhenComplaint: true, WhenEnd: true}
)

// loadCompliance reads ComplianceFile; a missing file gives an empty
// Compliance.
func loadCompliance(fsys fs.FS) (*Compliance, error) {
	c := &Compliance{}
	type key struct{ kind, scope, term string }
	seen := map[key]int{}
	err := ReadLines(fsys, ComplianceFile, true, func(l Line) error {
		f := l.Fields
		if len(f) < 4 || len(f) > 5 {
			return l.Errorf("want kind, team or role, name, terms[, options]")
		}
		kind, scope, name := f[0], f[1], f[2]
		isRule := ruleKinds[kind]
		if !isRule && !cueKinds[kind] {
			return l.Errorf("unknown kind %q (want forbidden, discouraged, required, resolved, unresolved, transfer or demand)", kind)
		}
		if scope == "" {
			return l.Errorf("empty team or role (use %q for all)", AllTeams)
		}
		if !isRule && !cueRoles[scope] {
			return l.Errorf("role %q of a %s cue is not customer, agent or *", scope, kind)
		}
		if name == "" {
			return l.Errorf("empty name")
		}
		terms, err := splitPlainTerms(l, f[3], "term")
		if err != nil {
			return err
		}
		for _, t := range terms {
			k := key{kind, scope, t}
			if prev, ok := seen[k]; ok {
				return l.Errorf("term %q of %s %s already listed at line %d", t, kind, scope, prev)
			}
			seen[k] = l.No
		}
		var opts map[string]string
		if len(f) == 5 {
			keys := []string{}
			if kind == RuleRequired {
				keys = []string{"when", "within"}
			}
			if len(keys) == 0 && f[4] != "" {
				return l.Errorf("%s lines take no options", kind)
			}
			if opts, err = parseOptions(l, f[4:], keys...); err != nil {
				return err
			}
		}
		if !isRule {
			c.Cues = append(c.Cues, ChatCue{Kind: kind, Role: scope, Name: name, Terms: terms})
			return nil
		}
		r := ComplianceRule{Kind: kind, Team: scope, Name: name, Terms: terms, Line: l.No}
		if kind == RuleRequired {
			r.When, r.Within = opts["when"], DefaultWithin
			if !whens[r.When] {
				return l.Errorf("required rule needs when=start, when=complaint or when=end, not %q", r.When)
			}
			if w, ok := opts["within"]; ok {
				n, err := strconv.Atoi(w)
				if err != nil || n < 1 || n > 20 {
					return l.Errorf("within=%q is not a number of agent turns in [1, 20]", w)
				}
				r.Within = n
			}
		}
		c.Rules = append(c.Rules, r)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}
