package pipeline

import "strconv"

// DefaultID returns the deterministic record id of a message that carries no
// id of its own: "kafka:<topic>:<partition>:<offset>". The same message read
// again (after a rebalance or a restart) gets the same id, which keeps
// idempotent sinks idempotent.
func DefaultID(pos Position) string {
	b := make([]byte, 0, len("kafka:")+len(pos.Topic)+24)
	b = append(b, "kafka:"...)
	b = append(b, pos.Topic...)
	b = append(b, ':')
	b = strconv.AppendInt(b, int64(pos.Partition), 10)
	b = append(b, ':')
	b = strconv.AppendInt(b, pos.Offset, 10)
	return string(b)
}
