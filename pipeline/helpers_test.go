package pipeline_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/vocproject/voc/pipeline"
)

// chanSource is a channel-backed Source: Read returns the next message sent
// to msgs, io.EOF once msgs is closed. It records every ack.
type chanSource struct {
	msgs chan pipeline.Message

	mu    sync.Mutex
	reads int
	acks  map[pipeline.Position][]error // every ack call, in order
	order []pipeline.Position           // positions acked with nil, in ack order
}

func newChanSource(buf int) *chanSource {
	return &chanSource{msgs: make(chan pipeline.Message, buf), acks: map[pipeline.Position][]error{}}
}

// fill queues n messages spread round-robin over parts partitions of topic
// "t", with per-partition increasing offsets, and closes the source when
// closeAfter is set.
func (s *chanSource) fill(n, parts int, closeAfter bool) []pipeline.Message {
	out := make([]pipeline.Message, 0, n)
	offs := make([]int64, parts)
	for i := range n {
		p := i % parts
		m := pipeline.Message{
			Pos:   pipeline.Position{Topic: "t", Partition: p, Offset: offs[p]},
			Value: fmt.Appendf(nil, `{"id":"m%d"}`, i),
		}
		offs[p]++
		out = append(out, m)
		s.msgs <- m
	}
	if closeAfter {
		close(s.msgs)
	}
	return out
}

func (s *chanSource) Read(ctx context.Context) (pipeline.Message, pipeline.AckFunc, error) {
	select {
	case <-ctx.Done():
		return pipeline.Message{}, nil, ctx.Err()
	case m, ok := <-s.msgs:
		if !ok {
			return pipeline.Message{}, nil, io.EOF
		}
		s.mu.Lock()
		s.reads++
		s.mu.Unlock()
		return m, func(_ context.Context, err error) error {
			s.mu.Lock()
			defer s.mu.Unlock()
			s.acks[m.Pos] = append(s.acks[m.Pos], err)
			if err == nil {
				s.order = append(s.order, m.Pos)
			}
			return nil
		}, nil
	}
}

func (s *chanSource) Close() error { return nil }

func (s *chanSource) readCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.reads
}

func (s *chanSource) ackCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.acks)
}

// checkAcks fails unless every position in want was acked exactly once with
// nil and nothing else was acked.
func (s *chanSource) checkAcks(t *testing.T, want []pipeline.Message) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.acks) != len(want) {
		t.Errorf("acked %d positions, want %d", len(s.acks), len(want))
	}
	for _, m := range want {
		got := s.acks[m.Pos]
		if len(got) != 1 || got[0] != nil {
			t.Errorf("acks of %v = %v, want exactly one nil", m.Pos, got)
		}
	}
}

// recSink records what it was given. fail, when set, is asked before each
// write and its error is returned instead of writing.
type recSink struct {
	mu      sync.Mutex
	batches [][]pipeline.Position
	ids     map[pipeline.Position]string
	calls   int
	fail    func(call int, batch []*pipeline.Record) error
	block   chan struct{} // when not nil, writes wait until it is closed
}

func (s *recSink) WriteBatch(ctx context.Context, batch []*pipeline.Record) error {
	if s.block != nil {
		select {
		case <-s.block:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	if s.fail != nil {
		if err := s.fail(s.calls, batch); err != nil {
			return err
		}
	}
	pos := make([]pipeline.Position, len(batch))
	for i, r := range batch {
		pos[i] = r.Msg.Pos
		if s.ids == nil {
			s.ids = map[pipeline.Position]string{}
		}
		s.ids[r.Msg.Pos] = r.ID
	}
	s.batches = append(s.batches, pos)
	return nil
}

func (s *recSink) Close(context.Context) error { return nil }

func (s *recSink) all() []pipeline.Position {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []pipeline.Position
	for _, b := range s.batches {
		out = append(out, b...)
	}
	return out
}

func (s *recSink) sizes() []int {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []int
	for _, b := range s.batches {
		out = append(out, len(b))
	}
	return out
}

// checkOrder fails unless got holds each wanted position once and, per
// partition, in offset order.
func checkOrder(t *testing.T, got []pipeline.Position, want []pipeline.Message) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("sink got %d records, want %d", len(got), len(want))
	}
	last := map[int]int64{}
	seen := map[pipeline.Position]bool{}
	for _, p := range got {
		if seen[p] {
			t.Fatalf("position %v written twice", p)
		}
		seen[p] = true
		if l, ok := last[p.Partition]; ok && p.Offset <= l {
			t.Fatalf("partition %d: offset %d written after %d", p.Partition, p.Offset, l)
		}
		last[p.Partition] = p.Offset
	}
	for _, m := range want {
		if !seen[m.Pos] {
			t.Fatalf("position %v never written", m.Pos)
		}
	}
}

// waitFor polls cond until it holds or a generous deadline passes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func positions(msgs []pipeline.Message) []pipeline.Position {
	out := make([]pipeline.Position, len(msgs))
	for i, m := range msgs {
		out[i] = m.Pos
	}
	return out
}

var errBoom = errors.New("boom")

var _ = slices.Equal[[]int]
