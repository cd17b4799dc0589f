// Package fielderr holds the errors of one invalid configuration field:
// Error names the field relative to the configuration that holds it
// ("windows[1]", "new_pain_point.lookback"), so that an enclosing
// configuration can name it relative to itself; ValueError also shows the
// field's value, in the words of the package that reports it.
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

// A Layout words a ValueError: Layout returns a fmt format taking the field,
// the value and the error, e.g. "kafka: config %s=%v: %v". Each package
// that reports such errors declares its layout as an empty struct type, so
// that its errors are a type of their own (errors.As tells them apart).
type Layout interface{ Layout() string }

// ValueError names the offending field and shows its value, worded by L.
type ValueError[L Layout] struct {
	Field string
	Value any
	Err   error
}

func (e *ValueError[L]) Error() string {
	var l L
	return fmt.Sprintf(l.Layout(), e.Field, e.Value, e.Err)
}

func (e *ValueError[L]) Unwrap() error { return e.Err }
