// Package kafka is voc's Kafka source: a pipeline.Source over a
// segmentio/kafka-go consumer group that commits an offset only once every
// message before it was acknowledged by the pipeline.
//
// Delivery is at least once. Messages are fetched with FetchMessage, tracked
// in a pipeline.Checkpointer and committed with CommitMessages in batches (on
// a timer and at Close), per partition up to the highest offset with nothing
// unacknowledged before it. A rebalance, a restart or a failed commit can
// deliver a message again: sinks must be idempotent.
//
// The connection settings (TLS, SASL, dialer) are internal/kafkaconn's,
// which the dead-letter sink (sinks/deadletter) uses too.
package kafka

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	kafkago "github.com/segmentio/kafka-go"

	"github.com/vocproject/voc/internal/backoff"
	"github.com/vocproject/voc/internal/kafkaconn"
	"github.com/vocproject/voc/internal/tick"
	"github.com/vocproject/voc/pipeline"
)

// Option configures a Source.
type Option func(*Source)

// WithLogger sets the logger. Default: discard.
func WithLogger(l *slog.Logger) Option { return func(s *Source) { s.log = l } }

// WithMetrics makes the source set m's consumer lag gauge after each commit.
// Default: none.
func WithMetrics(m *pipeline.Metrics) Option { return func(s *Source) { s.m = m } }

// Source reads a consumer group's topics. Read and the AckFuncs it returns
// may be called from different goroutines; Read itself is not meant for
// concurrent callers (the pipeline runner has one reader).
type Source struct {
	cfg Config
	r   *kafkago.Reader
	cp  *pipeline.Checkpointer
	log *slog.Logger
	m   *pipeline.Metrics

	mu    sync.Mutex
	parts map[topicPartition]*partState
	// epoch counts the group joins seen so far; a partition's offsets are
	// committed only when it was fetched from in the current epoch, i.e.
	// while it is known to be assigned to this consumer.
	epoch     uint64
	seenJoins uint64
	joins     atomic.Uint64 // JoinGroup requests sent, counted by joinCounter
	lastInc   uint64        // source of partState.inc values

	commitMu  sync.Mutex // one commit at a time
	stopLoop  context.CancelFunc
	loopDone  chan struct{}
	closeOnce sync.Once
	closeErr  error
	// fetchBackoff spaces the retries of failed fetches: 100ms doubling (±20%)
	// up to 5s, from the start again after a fetch succeeds.
	fetchBackoff backoff.Backoff
}

type topicPartition struct {
	topic     string
	partition int
}

type partState struct {
	// inc identifies the current tracking of the partition: it changes
	// when the partition is redelivered from an earlier offset, and acks
	// captured with another inc are ignored.
	inc uint64
	// epoch is the Source epoch in which the partition was last fetched.
	epoch uint64
	// next is the offset after the last fetched message; hwm the
	// partition's high watermark then.
	next, hwm int64
	// committed is the highest offset known to be committed: by this
	// source, or by anyone as of the start of a generation (where a
	// partition starts, or restarts after a rebalance). Everything before
	// it was delivered, so committing a lower offset would only cause
	// redeliveries: Commit skips it.
	committed int64
}

var _ pipeline.Source = (*Source)(nil)

// New validates cfg, joins the consumer group in the background and returns
// the source. Nothing is fetched before the first Read. Close it when done.
func New(cfg Config, opts ...Option) (*Source, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	dialer, err := kafkaconn.Dialer(cfg.ClientID, cfg.DialTimeout, cfg.TLS, cfg.SASL)
	if err != nil {
		return nil, err
	}
	s := &Source{cfg: cfg, cp: pipeline.NewCheckpointer(), parts: make(map[topicPartition]*partState),
		fetchBackoff: backoff.Backoff{Initial: 100 * time.Millisecond, Max: 5 * time.Second, Jitter: 0.2}}
	for _, o := range opts {
		o(s)
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	start := kafkago.FirstOffset
	if cfg.StartOffset == "latest" {
		start = kafkago.LastOffset
	}
	rc := kafkago.ReaderConfig{
		Brokers:           cfg.Brokers,
		GroupID:           cfg.GroupID,
		GroupTopics:       cfg.Topics,
		Dialer:            dialer,
		QueueCapacity:     cfg.QueueCapacity,
		MinBytes:          cfg.MinBytes,
		MaxBytes:          cfg.MaxBytes,
		MaxWait:           cfg.MaxWait,
		StartOffset:       start,
		HeartbeatInterval: cfg.HeartbeatInterval,
		SessionTimeout:    cfg.SessionTimeout,
		RebalanceTimeout:  cfg.RebalanceTimeout,
		JoinGroupBackoff:  cfg.JoinBackoff,
		// Synchronous commits: CommitMessages returns once the broker
		// accepted them. The source batches commits itself.
		CommitInterval:        0,
		WatchPartitionChanges: true,
		GroupBalancers:        []kafkago.GroupBalancer{joinCounter{kafkago.RangeGroupBalancer{}, &s.joins}},
		Logger:                kafkaLogger(s.log, slog.LevelDebug),
		ErrorLogger:           kafkaLogger(s.log, slog.LevelWarn),
	}
	if err := rc.Validate(); err != nil {
		return nil, fmt.Errorf("kafka: new source: %w", err)
	}
	s.r = kafkago.NewReader(rc)
	ctx, cancel := context.WithCancel(context.Background())
	s.stopLoop, s.loopDone = cancel, make(chan struct{})
	go s.commitLoop(ctx)
	return s, nil
}

// joinCounter counts the JoinGroup requests of the reader: kafka-go asks
// every balancer for its user data when it builds one. kafka-go stops the
// fetchers of a generation before it joins the next and starts the next
// generation's fetchers after the join, so every message of a new
// generation is fetched after the count went up. (Reader.Stats().Rebalances
// is no substitute: it also counts partition leader changes, which keep the
// assignment.)
type joinCounter struct {
	kafkago.GroupBalancer
	n *atomic.Uint64
}

func (j joinCounter) UserData() ([]byte, error) {
	j.n.Add(1)
	return j.GroupBalancer.UserData()
}

func kafkaLogger(l *slog.Logger, level slog.Level) kafkago.LoggerFunc {
	return func(format string, args ...any) {
		lvl := level
		msg := fmt.Sprintf(format, args...)
		// A fetch on an idle partition that the broker answers after the
		// reader's deadline is retried at once by kafka-go: not a warning.
		if lvl > slog.LevelDebug && strings.HasSuffix(msg, "i/o timeout") {
			lvl = slog.LevelDebug
		}
		if l.Enabled(context.Background(), lvl) {
			l.Log(context.Background(), lvl, "kafka: "+msg)
		}
	}
}

// permanent are the kafka-go errors Read returns; it retries every other
// fetch error (broker down, coordinator moving, rebalance), logging them.
var permanent = []error{
	kafkago.SASLAuthenticationFailed, kafkago.UnsupportedSASLMechanism, kafkago.IllegalSASLState,
	kafkago.TopicAuthorizationFailed, kafkago.GroupAuthorizationFailed, kafkago.ClusterAuthorizationFailed,
	kafkago.InvalidGroupId, kafkago.InvalidSessionTimeout, kafkago.UnsupportedVersion,
}

// Read returns the next message of the group's partitions and its ack. It
// blocks until a message is available, ctx is done (ctx.Err()) or the source
// is closed (io.EOF). Transient errors (broker unreachable, rebalance in
// progress) are logged and retried; authentication and authorisation errors
// are returned.
//
// Messages of one partition come in offset order, except that after a
// rebalance a partition restarts from its committed offset and messages
// already returned may come again.
//
// The AckFunc guarantees: ack(ctx, nil) marks the message delivered; its
// offset is committed (by the commit timer or Close) once every earlier
// message of the partition fetched by this source was acknowledged with nil.
// ack(ctx, err) with a non-nil err holds the partition's commit before the
// message, so the message is delivered again after a restart, or after a
// rebalance that restarts the partition before it. An ack for a partition
// that was redelivered from an earlier offset since the message was read is
// ignored: the message comes again. The AckFunc never blocks on the network
// and returns an error only when called twice.
func (s *Source) Read(ctx context.Context) (pipeline.Message, pipeline.AckFunc, error) {
	var m kafkago.Message
	for {
		var err error
		m, err = s.r.FetchMessage(ctx)
		if err == nil {
			s.fetchBackoff.Reset()
			break
		}
		switch {
		case ctx.Err() != nil:
			return pipeline.Message{}, nil, ctx.Err()
		case errors.Is(err, io.EOF):
			return pipeline.Message{}, nil, io.EOF
		}
		for _, p := range permanent {
			if errors.Is(err, p) {
				return pipeline.Message{}, nil, fmt.Errorf("kafka: fetch: %w", err)
			}
		}
		wait := s.fetchBackoff.Next()
		s.log.Warn("kafka: fetch failed, retrying", "err", err, "attempt", s.fetchBackoff.Attempts(), "backoff", wait)
		if err := backoff.Sleep(ctx, wait); err != nil {
			return pipeline.Message{}, nil, err
		}
	}
	joins := s.joins.Load()
	pos := pipeline.Position{Topic: m.Topic, Partition: m.Partition, Offset: m.Offset}

	s.mu.Lock()
	if joins != s.seenJoins {
		s.seenJoins = joins
		s.epoch++
		s.log.Info("kafka: joined the consumer group", "group", s.cfg.GroupID, "joins", joins)
	}
	k := topicPartition{m.Topic, m.Partition}
	st := s.parts[k]
	if st == nil {
		s.lastInc++
		st = &partState{inc: s.lastInc, committed: m.Offset}
		s.parts[k] = st
	} else if m.Offset < st.next {
		// A new generation restarted the partition at the group's
		// committed offset, below which everything was delivered:
		// forget the old tracking (acks of messages read before are
		// ignored, and a message that failed before no longer holds the
		// commit back); those messages come again.
		//
		// Only a step back tells: after a join, kafka-go may still hand
		// out messages the previous generation buffered, so the first
		// message seen in a new epoch may continue the old tracking, and
		// dropping that tracking could commit past a failed message.
		s.log.Info("kafka: partition redelivered from its committed offset", "topic", m.Topic, "partition", m.Partition,
			"from", m.Offset, "last_read", st.next-1)
		s.cp.Revoke(m.Topic, m.Partition)
		s.lastInc++
		st.inc, st.committed = s.lastInc, max(st.committed, m.Offset)
	}
	st.epoch = s.epoch
	st.next, st.hwm = m.Offset+1, m.HighWaterMark
	inc := st.inc
	err := s.cp.Track(pos)
	s.mu.Unlock()
	if err != nil {
		return pipeline.Message{}, nil, fmt.Errorf("kafka: read: %w", err)
	}

	msg := pipeline.Message{Pos: pos, Key: m.Key, Value: m.Value, Time: m.Time}
	if len(m.Headers) > 0 {
		msg.Headers = make(map[string]string, len(m.Headers))
		for _, h := range m.Headers {
			msg.Headers[h.Key] = string(h.Value)
		}
	}
	ack := func(_ context.Context, err error) error {
		if err != nil {
			// Left pending: the partition's commit stops before it.
			s.log.Debug("kafka: message not delivered, its offset stays uncommitted", "pos", pos, "err", err)
			return nil
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		if st.inc != inc {
			return nil
		}
		if err := s.cp.Ack(pos); err != nil {
			return fmt.Errorf("kafka: ack: %w", err)
		}
		return nil
	}
	return msg, ack, nil
}

// Commit commits, in one request, every partition's highest offset with
// nothing unacknowledged before it, for the partitions fetched since the
// last rebalance. After a rebalance that no Read has seen yet (the group
// was joined again since the last message) it commits nothing: the
// partitions may belong to another member now. It returns once the broker accepted the offsets, ctx is
// done, or the commit failed. The source also calls it every
// CommitInterval and in Close; call it directly only to commit sooner.
func (s *Source) Commit(ctx context.Context) error {
	s.commitMu.Lock()
	defer s.commitMu.Unlock()
	type done struct {
		st   *partState
		next int64
	}
	var (
		msgs  []kafkago.Message
		dones []done
	)
	committable := s.cp.Committable()
	s.mu.Lock()
	if j := s.joins.Load(); j != s.seenJoins {
		// The group was joined again since the last message read: the
		// partitions may have moved to another member, and kafka-go would
		// send the commit with the new generation, which the broker
		// accepts for any partition. Commit nothing until a message of
		// the new generation is read (the partitions kept restart at the
		// committed offset, so nothing acknowledged is lost: it is read
		// again).
		s.mu.Unlock()
		if len(committable) > 0 {
			s.log.Debug("kafka: not committing: the group was joined again since the last read", "joins", j)
		}
		return nil
	}
	for _, p := range committable {
		st := s.parts[topicPartition{p.Topic, p.Partition}]
		if st == nil || p.Offset+1 <= st.committed {
			continue
		}
		if st.epoch != s.epoch {
			s.log.Debug("kafka: not committing a partition not read since the last join",
				"topic", p.Topic, "partition", p.Partition, "offset", p.Offset)
			continue
		}
		// kafka-go commits Offset+1, the next offset to read.
		msgs = append(msgs, kafkago.Message{Topic: p.Topic, Partition: p.Partition, Offset: p.Offset})
		dones = append(dones, done{st, p.Offset + 1})
	}
	s.mu.Unlock()
	if len(msgs) == 0 {
		return nil
	}
	if err := s.r.CommitMessages(ctx, msgs...); err != nil {
		return fmt.Errorf("kafka: commit offsets of %d partitions: %w", len(msgs), err)
	}
	s.mu.Lock()
	for _, d := range dones {
		d.st.committed = max(d.st.committed, d.next)
	}
	s.mu.Unlock()
	return nil
}

func (s *Source) commitLoop(ctx context.Context) {
	defer close(s.loopDone)
	tick.Every(ctx, s.cfg.CommitInterval, func() {
		cctx, cancel := context.WithTimeout(ctx, s.cfg.CloseTimeout)
		if err := s.Commit(cctx); err != nil && ctx.Err() == nil {
			s.log.Warn("kafka: commit failed, will retry", "err", err)
		}
		cancel()
		s.m.SetConsumerLag(s.Lag())
	})
}

// Lag returns the number of messages between the positions read and the
// partitions' high watermarks, summed over the partitions read since the
// last rebalance, as of their last fetch.
func (s *Source) Lag() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	var n int64
	for _, st := range s.parts {
		if st.epoch == s.epoch && st.hwm > st.next {
			n += st.hwm - st.next
		}
	}
	return n
}

// Close stops the commit timer, commits what is committable (bounded by
// CloseTimeout), leaves the group and closes the connections. Call it after
// the pipeline run returned, so that every message read was acknowledged:
// then everything delivered is committed when Close returns nil. A Read in
// progress returns io.EOF. Further calls return the first result.
func (s *Source) Close() error {
	s.closeOnce.Do(func() {
		s.stopLoop()
		<-s.loopDone
		ctx, cancel := context.WithTimeout(context.Background(), s.cfg.CloseTimeout)
		err := s.Commit(ctx)
		cancel()
		if err != nil {
			err = fmt.Errorf("kafka: final commit: %w", err)
		}
		if cerr := s.r.Close(); cerr != nil {
			err = errors.Join(err, fmt.Errorf("kafka: close reader: %w", cerr))
		}
		s.closeErr = err
	})
	return s.closeErr
}
