package pipeline

import (
	"errors"
	"fmt"
	"slices"
	"sync"
)

// ErrNotTracked is returned by Checkpointer.Ack for a position that is not
// pending: never tracked, already acknowledged, or dropped by Revoke.
var ErrNotTracked = errors.New("checkpoint: position not tracked")

// Checkpointer tracks, per (topic, partition), the offsets fetched from a
// source and the acknowledgements that arrive for them in any order, and
// tells which offset may be committed: the highest one with nothing
// unacknowledged before it (Benthos' checkpoint). Offsets of a partition need
// not be contiguous (compaction, transaction markers); only the order in which
// they were tracked matters. It is safe for concurrent use.
type Checkpointer struct {
	mu    sync.Mutex
	parts map[partKey]*partState
}

type partKey struct {
	topic     string
	partition int
}

type partState struct {
	// pending holds tracked offsets in increasing order from head; done
	// marks those acknowledged but still behind an unacknowledged one.
	offsets []int64
	done    []bool
	head    int
	// last is the highest tracked offset (-1 before the first); lastDone
	// is the committable offset when hasDone.
	last     int64
	lastDone int64
	hasDone  bool
}

// NewCheckpointer returns an empty checkpointer.
func NewCheckpointer() *Checkpointer {
	return &Checkpointer{parts: make(map[partKey]*partState)}
}

// Track records that pos was fetched and awaits acknowledgement. Offsets of a
// partition must be tracked in strictly increasing order; a smaller or equal
// offset (a redelivery after a rebalance) is refused with an error, and the
// caller is expected to Revoke the partition and track again.
func (c *Checkpointer) Track(pos Position) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	k := partKey{pos.Topic, pos.Partition}
	p := c.parts[k]
	if p == nil {
		p = &partState{last: -1, lastDone: -1}
		c.parts[k] = p
	}
	if pos.Offset < 0 {
		return fmt.Errorf("checkpoint: track %s[%d]: negative offset %d", pos.Topic, pos.Partition, pos.Offset)
	}
	if pos.Offset <= p.last {
		return fmt.Errorf("checkpoint: track %s[%d] offset %d: not above last tracked offset %d",
			pos.Topic, pos.Partition, pos.Offset, p.last)
	}
	if p.head > 0 && p.head >= len(p.offsets)/2 {
		// Reclaim the consumed front so the slices do not grow forever.
		n := copy(p.offsets, p.offsets[p.head:])
		copy(p.done, p.done[p.head:])
		p.offsets, p.done, p.head = p.offsets[:n], p.done[:n], 0
	}
	p.offsets = append(p.offsets, pos.Offset)
	p.done = append(p.done, false)
	p.last = pos.Offset
	return nil
}

// Ack marks pos as acknowledged. It returns ErrNotTracked (wrapped) when pos
// is not pending.
func (c *Checkpointer) Ack(pos Position) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	p := c.parts[partKey{pos.Topic, pos.Partition}]
	if p == nil {
		return fmt.Errorf("ack %s[%d]@%d: %w", pos.Topic, pos.Partition, pos.Offset, ErrNotTracked)
	}
	q := p.offsets[p.head:]
	i, ok := slices.BinarySearch(q, pos.Offset)
	if !ok || p.done[p.head+i] {
		return fmt.Errorf("ack %s[%d]@%d: %w", pos.Topic, pos.Partition, pos.Offset, ErrNotTracked)
	}
	p.done[p.head+i] = true
	for p.head < len(p.offsets) && p.done[p.head] {
		p.lastDone, p.hasDone = p.offsets[p.head], true
		p.head++
	}
	if p.head == len(p.offsets) {
		p.offsets, p.done, p.head = p.offsets[:0], p.done[:0], 0
	}
	return nil
}

// Committable returns, for every partition with at least one acknowledged
// offset, the position of the highest offset with nothing unacknowledged
// before it. Offset is that last DONE message's offset, not the next offset
// to read: to commit it to Kafka pass it to kafka-go's CommitMessages (which
// commits Offset+1) or add one for a raw OffsetCommit. The result is sorted
// by topic and partition.
func (c *Checkpointer) Committable() []Position {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]Position, 0, len(c.parts))
	for k, p := range c.parts {
		if p.hasDone {
			out = append(out, Position{Topic: k.topic, Partition: k.partition, Offset: p.lastDone})
		}
	}
	slices.SortFunc(out, func(a, b Position) int {
		if a.Topic != b.Topic {
			if a.Topic < b.Topic {
				return -1
			}
			return 1
		}
		return a.Partition - b.Partition
	})
	return out
}

// Pending returns the number of tracked, unacknowledged offsets.
func (c *Checkpointer) Pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, p := range c.parts {
		for _, d := range p.done[p.head:] {
			if !d {
				n++
			}
		}
	}
	return n
}

// Revoke forgets a partition: its pending offsets and its committable
// offset. Use it when the partition is revoked or will be redelivered from
// the committed offset; later acks of its old offsets return ErrNotTracked.
func (c *Checkpointer) Revoke(topic string, partition int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.parts, partKey{topic, partition})
}

// Reset forgets every partition.
func (c *Checkpointer) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.parts)
}
