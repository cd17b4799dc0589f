// Package fielderr is the error of one invalid configuration field, named
// relative to the configuration that holds it ("windows[1]",
// "new_pain_point.lookback"), so that an enclosing configuration can name it
// relative to itself.
package fielderr

import "fmt"

// Error names the offending field.
type Error struct {
	Field string
	Err   error
}

func (e *Error) Error() string { return e.Field + ": " + e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// New returns an *Error on field whose Err is fmt.Errorf(format, a...).
func New(field, format string, a ...any) error {
	return &Error{Field: field, Err: fmt.Errorf(format, a...)}
}
