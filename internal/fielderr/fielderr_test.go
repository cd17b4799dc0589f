package fielderr

import (
	"errors"
	"testing"
)

type aLayout struct{}

func (aLayout) Layout() string { return "a: config %s=%v: %v" }

type bLayout struct{}

func (bLayout) Layout() string { return "b: config field %s = %v: %v" }

func TestError(t *testing.T) {
	err := New("windows[1]", "%s is not whole", "90m")
	var fe *Error
	if err.Error() != "windows[1]: 90m is not whole" || !errors.As(err, &fe) || fe.Field != "windows[1]" {
		t.Fatalf("New = %v", err)
	}
}

func TestValueError(t *testing.T) {
	var a error = &ValueError[aLayout]{Field: "group_id", Value: "", Err: errors.New("required")}
	if got := a.Error(); got != "a: config group_id=: required" {
		t.Fatalf("Error() = %q", got)
	}
	var b error = &ValueError[bLayout]{Field: "addrs", Value: []string{}, Err: errors.New("required")}
	if got := b.Error(); got != "b: config field addrs = []: required" {
		t.Fatalf("Error() = %q", got)
	}
	var be *ValueError[bLayout]
	if errors.As(a, &be) || !errors.As(b, &be) || be.Field != "addrs" {
		t.Fatal("errors.As does not tell the layouts apart")
	}
}
