// Package broker runs an embedded Kafka-protocol broker (franz-go's kfake)
// for `voc demo` and for tests: one node on a loopback port, its log, topics
// and consumer-group offsets persisted under a directory so that a restart
// resumes where the previous run stopped.
//
// It is a convenience for single-machine use, not a production Kafka: there
// is one node, no replication and no retention beyond the disk.
package broker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/twmb/franz-go/pkg/kfake"
)

// Config configures an embedded broker. The zero value is valid: an
// in-memory broker on a free port with no topics.
type Config struct {
	// Dir holds the broker's data (log segments, topics, group offsets). It
	// is created when missing and locked while the broker runs, so two
	// brokers cannot share it. Default "" keeps everything in memory.
	Dir string
	// Port is the loopback TCP port to listen on. Default 0: a free port
	// chosen by the system (see Broker.Addrs).
	Port int
	// Partitions is the partition count of the topics created from Topics.
	// Default 4.
	Partitions int
	// Topics are created at start when missing; existing topics (from Dir)
	// keep their partition count. Default none.
	Topics []string
	// SyncWrites fsyncs every produced batch before acknowledging it, so a
	// machine crash loses nothing acknowledged. Default false: the data is
	// in the page cache on acknowledgement and on disk after Close, which
	// survives a crash of the process but not of the machine.
	SyncWrites bool
	// Logger receives the broker's warnings and errors. Default: discard.
	Logger *slog.Logger
}

// DefaultPartitions is the default partition count of created topics.
const DefaultPartitions = 4

// Validate reports an invalid field.
func (c Config) Validate() error {
	if c.Port < 0 || c.Port > 65535 {
		return fmt.Errorf("broker: config port=%d: must be in 0..65535", c.Port)
	}
	if c.Partitions < 0 {
		return fmt.Errorf("broker: config partitions=%d: must not be negative", c.Partitions)
	}
	for i, t := range c.Topics {
		if t == "" {
			return fmt.Errorf("broker: config topics[%d]: empty topic name", i)
		}
	}
	return nil
}

// Broker is a running embedded broker.
type Broker struct {
	cluster *kfake.Cluster
	addrs   []string
	lock    *os.File

	once     sync.Once
	closeErr error
}

// Start starts a broker and returns once it accepts connections and every
// topic of cfg.Topics exists. ctx bounds the start only; stop the broker
// with Close.
func Start(ctx context.Context, cfg Config) (*Broker, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.Partitions == 0 {
		cfg.Partitions = DefaultPartitions
	}
	b := &Broker{}
	opts := []kfake.Opt{
		kfake.NumBrokers(1),
		kfake.Ports(cfg.Port),
		kfake.ClusterID("voc"),
		kfake.DefaultNumPartitions(cfg.Partitions),
	}
	if cfg.Logger != nil {
		opts = append(opts, kfake.WithLogger(slogLogger{cfg.Logger}))
	}
	if len(cfg.Topics) > 0 {
		opts = append(opts, kfake.SeedTopics(int32(cfg.Partitions), cfg.Topics...))
	}
	if cfg.Dir != "" {
		if err := os.MkdirAll(cfg.Dir, 0o755); err != nil {
			return nil, fmt.Errorf("broker: start: %w", err)
		}
		lock, err := lockDir(cfg.Dir)
		if err != nil {
			return nil, err
		}
		b.lock = lock
		opts = append(opts, kfake.DataDir(cfg.Dir))
		if cfg.SyncWrites {
			opts = append(opts, kfake.SyncWrites())
		}
	}
	c, err := kfake.NewCluster(opts...)
	if err != nil {
		b.unlock()
		return nil, fmt.Errorf("broker: start: %w", err)
	}
	b.cluster = c
	b.addrs = c.ListenAddrs()
	if err := b.ensureTopics(ctx, cfg.Topics, cfg.Partitions); err != nil {
		b.Close()
		return nil, err
	}
	return b, nil
}

// lockDir takes an exclusive advisory lock on dir/LOCK.
func lockDir(dir string) (*os.File, error) {
	f, err := os.OpenFile(filepath.Join(dir, "LOCK"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("broker: lock data dir: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("broker: data dir %s is in use by another broker", dir)
		}
		return nil, fmt.Errorf("broker: lock data dir %s: %w", dir, err)
	}
	return f, nil
}

func (b *Broker) unlock() {
	if b.lock != nil {
		b.lock.Close() // releases the flock
		b.lock = nil
	}
}

// ensureTopics creates the topics that a persisted state lacks (seeding
// applies only to a fresh data directory).
func (b *Broker) ensureTopics(ctx context.Context, topics []string, partitions int) error {
	if len(topics) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	client := &kafka.Client{Addr: kafka.TCP(b.addrs...)}
	req := &kafka.CreateTopicsRequest{}
	for _, t := range topics {
		req.Topics = append(req.Topics, kafka.TopicConfig{Topic: t, NumPartitions: partitions, ReplicationFactor: 1})
	}
	resp, err := client.CreateTopics(ctx, req)
	if err != nil {
		return fmt.Errorf("broker: create topics: %w", err)
	}
	for t, err := range resp.Errors {
		if err != nil && !errors.Is(err, kafka.TopicAlreadyExists) {
			return fmt.Errorf("broker: create topic %s: %w", t, err)
		}
	}
	return nil
}

// Addrs returns the broker's host:port addresses, for clients' bootstrap
// lists.
func (b *Broker) Addrs() []string { return append([]string(nil), b.addrs...) }

// Port returns the TCP port the broker listens on.
func (b *Broker) Port() int {
	_, p, err := net.SplitHostPort(b.addrs[0])
	if err != nil {
		return 0
	}
	n, _ := strconv.Atoi(p)
	return n
}

// Close stops the broker: it stops accepting connections, writes its state
// to the data directory (when there is one) and releases the directory.
// Committed group offsets and produced messages are on disk after Close.
// Further calls return the first result.
func (b *Broker) Close() error {
	b.once.Do(func() {
		b.cluster.Close()
		b.unlock()
	})
	return b.closeErr
}

// slogLogger adapts slog to kfake's logger; kfake's info and debug levels
// log every request and are dropped.
type slogLogger struct{ l *slog.Logger }

func (s slogLogger) Logf(level kfake.LogLevel, format string, args ...any) {
	var l slog.Level
	switch level {
	case kfake.LogLevelError:
		l = slog.LevelError
	case kfake.LogLevelWarn:
		l = slog.LevelWarn
	default:
		return
	}
	s.l.Log(context.Background(), l, "broker: "+fmt.Sprintf(format, args...))
}
