package ch

import "strings"

// Where is the conditions of a WHERE clause with the arguments of their
// placeholders, in order: the filters of the dashboard queries
// (store/ch/query) and of the alert store's reads.
type Where struct {
	Conds []string
	Args  []any
}

// Add appends cond and the arguments of its placeholders.
func (w *Where) Add(cond string, args ...any) {
	w.Conds = append(w.Conds, cond)
	w.Args = append(w.Args, args...)
}

// Eq adds "col = ?" with v, unless v is empty (no filter).
func (w *Where) Eq(col, v string) {
	if v != "" {
		w.Add(col+" = ?", v)
	}
}

// String joins the conditions with AND ("" when there are none).
func (w Where) String() string { return strings.Join(w.Conds, " AND ") }
