package backoff

import (
	"context"
	"testing"
	"time"
)

func TestNextDoublesUpToMax(t *testing.T) {
	b := Backoff{Initial: 100 * time.Millisecond, Max: 5 * time.Second}
	want := []time.Duration{100, 200, 400, 800, 1600, 3200, 5000, 5000}
	for i, w := range want {
		if got := b.Next(); got != w*time.Millisecond {
			t.Fatalf("wait %d = %v, want %v", i+1, got, w*time.Millisecond)
		}
	}
	if b.Attempts() != len(want) {
		t.Errorf("Attempts = %d, want %d", b.Attempts(), len(want))
	}
	b.Reset()
	if got := b.Next(); got != 100*time.Millisecond || b.Attempts() != 1 {
		t.Errorf("after Reset: wait %v, attempts %d; want 100ms, 1", got, b.Attempts())
	}
}

func TestJitterStaysWithinSpreadAndMax(t *testing.T) {
	for range 200 {
		b := Backoff{Initial: time.Second, Max: 30 * time.Second, Jitter: 0.2}
		if d := b.Next(); d < 800*time.Millisecond || d > 1200*time.Millisecond {
			t.Fatalf("first wait %v outside 1s±20%%", d)
		}
		for range 10 {
			if d := b.Next(); d > 30*time.Second {
				t.Fatalf("wait %v above Max", d)
			}
		}
	}
}

func TestSleepStopsOnCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	start := time.Now()
	if err := Sleep(ctx, time.Hour); err != context.Canceled {
		t.Fatalf("Sleep = %v, want context.Canceled", err)
	}
	if time.Since(start) > time.Second {
		t.Error("Sleep did not return on cancel")
	}
	if err := Sleep(context.Background(), time.Millisecond); err != nil {
		t.Errorf("Sleep = %v, want nil", err)
	}
}
