package pipeline_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/vocproject/voc/pipeline"
)

func pos(topic string, part int, off int64) pipeline.Position {
	return pipeline.Position{Topic: topic, Partition: part, Offset: off}
}

func TestCheckpointer(t *testing.T) {
	type op struct {
		ack    bool // track otherwise
		revoke bool
		pos    pipeline.Position
	}
	tr := func(p pipeline.Position) op { return op{pos: p} }
	ack := func(p pipeline.Position) op { return op{ack: true, pos: p} }
	rev := func(topic string, part int) op { return op{revoke: true, pos: pos(topic, part, 0)} }
	tests := []struct {
		name    string
		ops     []op
		want    []pipeline.Position
		pending int
	}{
		{name: "nothing acked", ops: []op{tr(pos("a", 0, 0)), tr(pos("a", 0, 1))}, want: []pipeline.Position{}, pending: 2},
		{name: "in order", ops: []op{tr(pos("a", 0, 0)), tr(pos("a", 0, 1)), ack(pos("a", 0, 0)), ack(pos("a", 0, 1))},
			want: []pipeline.Position{pos("a", 0, 1)}},
		{name: "gap holds commit back", ops: []op{tr(pos("a", 0, 5)), tr(pos("a", 0, 6)), tr(pos("a", 0, 7)),
			ack(pos("a", 0, 5)), ack(pos("a", 0, 7))}, want: []pipeline.Position{pos("a", 0, 5)}, pending: 1},
		{name: "out of order then filled", ops: []op{tr(pos("a", 0, 0)), tr(pos("a", 0, 1)), tr(pos("a", 0, 2)),
			ack(pos("a", 0, 2)), ack(pos("a", 0, 1)), ack(pos("a", 0, 0))}, want: []pipeline.Position{pos("a", 0, 2)}},
		{name: "first unacked blocks all", ops: []op{tr(pos("a", 0, 0)), tr(pos("a", 0, 1)), ack(pos("a", 0, 1))},
			want: []pipeline.Position{}, pending: 1},
		{name: "non-contiguous offsets", ops: []op{tr(pos("a", 0, 10)), tr(pos("a", 0, 13)), tr(pos("a", 0, 20)),
			ack(pos("a", 0, 13)), ack(pos("a", 0, 10))}, want: []pipeline.Position{pos("a", 0, 13)}, pending: 1},
		{name: "partitions independent", ops: []op{
			tr(pos("a", 1, 0)), tr(pos("a", 0, 0)), tr(pos("b", 0, 7)), tr(pos("a", 0, 1)), tr(pos("a", 1, 1)),
			ack(pos("a", 0, 1)), ack(pos("a", 1, 0)), ack(pos("b", 0, 7)), ack(pos("a", 1, 1))},
			want: []pipeline.Position{pos("a", 1, 1), pos("b", 0, 7)}, pending: 1},
		{name: "revoke drops pending and committable", ops: []op{
			tr(pos("a", 0, 0)), tr(pos("a", 1, 0)), ack(pos("a", 0, 0)), ack(pos("a", 1, 0)), tr(pos("a", 0, 1)),
			rev("a", 0)}, want: []pipeline.Position{pos("a", 1, 0)}},
		{name: "revoke then track from lower offset", ops: []op{
			tr(pos("a", 0, 5)), tr(pos("a", 0, 6)), ack(pos("a", 0, 6)), rev("a", 0),
			tr(pos("a", 0, 3)), ack(pos("a", 0, 3))}, want: []pipeline.Position{pos("a", 0, 3)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := pipeline.NewCheckpointer()
			for _, o := range tt.ops {
				var err error
				switch {
				case o.revoke:
					c.Revoke(o.pos.Topic, o.pos.Partition)
				case o.ack:
					err = c.Ack(o.pos)
				default:
					err = c.Track(o.pos)
				}
				if err != nil {
					t.Fatalf("%+v: %v", o, err)
				}
			}
			if got := c.Committable(); !slices.Equal(got, tt.want) {
				t.Errorf("Committable() = %v, want %v", got, tt.want)
			}
			if got := c.Pending(); got != tt.pending {
				t.Errorf("Pending() = %d, want %d", got, tt.pending)
			}
		})
	}
}

func TestCheckpointerErrors(t *testing.T) {
	c := pipeline.NewCheckpointer()
	if err := c.Ack(pos("a", 0, 0)); !errors.Is(err, pipeline.ErrNotTracked) {
		t.Errorf("ack of unknown partition: %v, want ErrNotTracked", err)
	}
	for _, off := range []int64{3, 4} {
		if err := c.Track(pos("a", 0, off)); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.Track(pos("a", 0, 4)); err == nil {
		t.Error("tracking offset 4 twice: no error")
	}
	if err := c.Track(pos("a", 0, 2)); err == nil {
		t.Error("tracking a lower offset: no error")
	}
	if err := c.Track(pos("a", 1, -1)); err == nil {
		t.Error("tracking a negative offset: no error")
	}
	if err := c.Ack(pos("a", 0, 5)); !errors.Is(err, pipeline.ErrNotTracked) {
		t.Errorf("ack of untracked offset: %v, want ErrNotTracked", err)
	}
	if err := c.Ack(pos("a", 0, 4)); err != nil {
		t.Fatal(err)
	}
	if err := c.Ack(pos("a", 0, 4)); !errors.Is(err, pipeline.ErrNotTracked) {
		t.Errorf("second ack: %v, want ErrNotTracked", err)
	}
	c.Reset()
	if got := c.Committable(); len(got) != 0 || c.Pending() != 0 {
		t.Errorf("after Reset: committable %v, pending %d", got, c.Pending())
	}
}

// TestCheckpointerLong acks a long stream in a scrambled order within a
// sliding window and checks the committable offset never passes an
// unacknowledged one.
func TestCheckpointerLong(t *testing.T) {
	c := pipeline.NewCheckpointer()
	const n, window = 5000, 37
	acked := make([]bool, n)
	next := 0 // next to track
	for i := 0; i < n; i += window {
		for next < min(n, i+window) {
			if err := c.Track(pos("t", 0, int64(next))); err != nil {
				t.Fatal(err)
			}
			next++
		}
		// ack the window backwards, checking after each ack
		for j := next - 1; j >= i; j-- {
			if err := c.Ack(pos("t", 0, int64(j))); err != nil {
				t.Fatal(err)
			}
			acked[j] = true
			want := int64(-1)
			for k := 0; k < n && acked[k]; k++ {
				want = int64(k)
			}
			got := c.Committable()
			if want < 0 {
				if len(got) != 0 {
					t.Fatalf("committable %v before offset 0 was acked", got)
				}
				continue
			}
			if len(got) != 1 || got[0].Offset != want {
				t.Fatalf("after acking %d: committable %v, want offset %d", j, got, want)
			}
		}
	}
}

func TestDefaultID(t *testing.T) {
	if got, want := pipeline.DefaultID(pos("voc.feedback", 3, 1234)), "kafka:voc.feedback:3:1234"; got != want {
		t.Errorf("DefaultID = %q, want %q", got, want)
	}
}
