// Package chserver runs a throwaway clickhouse-server as a child process for
// tests and for `voc demo`. The server listens on 127.0.0.1 only, keeps all
// its files (data, logs, generated config) under one directory, and keeps
// its memory modest. Starting again on the same directory keeps the data.
package chserver

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
)

// DefaultBinary is where Debian installs the server.
const DefaultBinary = "/usr/sbin/clickhouse-server"

// ErrNotInstalled is returned by Start when no clickhouse-server binary is found.
var ErrNotInstalled = errors.New("chserver: clickhouse-server is not installed (apt-get install clickhouse-server)")

// Config configures Start.
type Config struct {
	// Dir holds the data, logs and generated config; created if missing.
	// Required.
	Dir string
	// TCPPort is the native protocol port; 0 picks a free loopback port.
	TCPPort int
	// StartTimeout bounds the wait for the server to answer a ping.
	// Default 60 s.
	StartTimeout time.Duration
	// Logger receives start/stop messages. Default: discard.
	Logger *slog.Logger
}

// Server is a running clickhouse-server child process.
type Server struct {
	dir     string
	port    int
	logger  *slog.Logger
	cmd     *exec.Cmd
	exited  chan struct{}
	waitErr error

	stopOnce sync.Once
	stopErr  error
}

// Binary returns the path of clickhouse-server: from PATH, else
// DefaultBinary. It returns ErrNotInstalled when neither exists.
func Binary() (string, error) {
	if p, err := exec.LookPath("clickhouse-server"); err == nil {
		return p, nil
	}
	if st, err := os.Stat(DefaultBinary); err == nil && !st.IsDir() {
		return DefaultBinary, nil
	}
	return "", ErrNotInstalled
}

// Start writes config.xml and users.xml into cfg.Dir, starts the server and
// waits until it answers a native-protocol ping. A server left running on
// the same directory by an earlier process (found through its pid file) is
// stopped first. On failure the error includes the tail of the server's
// error log.
func Start(ctx context.Context, cfg Config) (*Server, error) {
	if cfg.Dir == "" {
		return nil, errors.New("chserver: start: Config.Dir is required")
	}
	if cfg.TCPPort < 0 || cfg.TCPPort > 65535 {
		return nil, fmt.Errorf("chserver: start: Config.TCPPort %d is out of range", cfg.TCPPort)
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	timeout := cfg.StartTimeout
	if timeout <= 0 {
		timeout = 60 * time.Second
	}
	bin, err := Binary()
	if err != nil {
		return nil, err
	}
	dir, err := filepath.Abs(cfg.Dir)
	if err != nil {
		return nil, fmt.Errorf("chserver: start: %w", err)
	}
	for _, sub := range []string{"data", "tmp", "user_files", "format_schemas", "log"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			return nil, fmt.Errorf("chserver: start: %w", err)
		}
	}
	stopStale(dir, logger)

	port := cfg.TCPPort
	if port == 0 {
		if port, err = freePort(); err != nil {
			return nil, fmt.Errorf("chserver: start: pick tcp port: %w", err)
		}
	} else if l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port))); err != nil {
		// Checked up front: the readiness ping would otherwise reach
		// whatever already listens there.
		return nil, fmt.Errorf("chserver: start: tcp port %d is not free: %w", port, err)
	} else {
		l.Close()
	}
	httpPort, err := freePort()
	if err != nil {
		return nil, fmt.Errorf("chserver: start: pick http port: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "config.xml"), []byte(configXML(dir, port, httpPort)), 0o644); err != nil {
		return nil, fmt.Errorf("chserver: start: write config: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "users.xml"), []byte(usersXML), 0o644); err != nil {
		return nil, fmt.Errorf("chserver: start: write users: %w", err)
	}
	// Truncate the error log so that a failure shows this run's errors.
	_ = os.WriteFile(filepath.Join(dir, "log", "clickhouse-server.err.log"), nil, 0o644)

	out, err := os.OpenFile(filepath.Join(dir, "log", "stdout.log"), os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return nil, fmt.Errorf("chserver: start: %w", err)
	}
	cmd := exec.Command(bin, "--config-file="+filepath.Join(dir, "config.xml"))
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = out, out
	// Own process group: a Ctrl-C on the terminal must not stop the server
	// before voc has flushed its sinks. Pdeathsig stops it if we die.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		out.Close()
		return nil, fmt.Errorf("chserver: start %s: %w", bin, err)
	}
	out.Close()
	s := &Server{dir: dir, port: port, logger: logger, cmd: cmd, exited: make(chan struct{})}
	go func() {
		s.waitErr = cmd.Wait()
		close(s.exited)
	}()
	_ = os.WriteFile(s.pidFile(), []byte(strconv.Itoa(cmd.Process.Pid)), 0o644)
	logger.Info("clickhouse-server starting", "dir", dir, "addr", s.Addr(), "pid", cmd.Process.Pid)

	if err := s.waitReady(ctx, timeout); err != nil {
		_ = s.Stop()
		return nil, err
	}
	logger.Info("clickhouse-server ready", "addr", s.Addr())
	return s, nil
}

// Addr is the native protocol address, host:port.
func (s *Server) Addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(s.port)) }

// Pid is the server's process id (benchmarks read its CPU time).
func (s *Server) Pid() int { return s.cmd.Process.Pid }

// Dir is the server's directory.
func (s *Server) Dir() string { return s.dir }

// Stop sends SIGTERM, waits up to 30 s, then kills the server. It is safe to
// call more than once.
func (s *Server) Stop() error {
	s.stopOnce.Do(func() {
		select {
		case <-s.exited:
		default:
			_ = s.cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-s.exited:
			case <-time.After(30 * time.Second):
				s.logger.Warn("clickhouse-server did not stop in 30 s, killing", "pid", s.cmd.Process.Pid)
				_ = s.cmd.Process.Kill()
				<-s.exited
				s.stopErr = fmt.Errorf("chserver: stop: server ignored SIGTERM for 30 s and was killed")
			}
		}
		_ = os.Remove(s.pidFile())
		s.logger.Info("clickhouse-server stopped", "addr", s.Addr())
	})
	return s.stopErr
}

func (s *Server) pidFile() string { return filepath.Join(s.dir, "clickhouse-server.pid") }

func (s *Server) waitReady(ctx context.Context, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	conn, err := clickhouse.Open(&clickhouse.Options{
		Addr:        []string{s.Addr()},
		DialTimeout: time.Second,
	})
	if err != nil {
		return fmt.Errorf("chserver: open client: %w", err)
	}
	defer conn.Close()
	var last error
	for {
		pctx, pcancel := context.WithTimeout(ctx, 2*time.Second)
		last = conn.Ping(pctx)
		pcancel()
		if last == nil {
			return nil
		}
		select {
		case <-s.exited:
			return fmt.Errorf("chserver: clickhouse-server exited during start (%v); log tail:\n%s", s.waitErr, s.logTail())
		case <-ctx.Done():
			return fmt.Errorf("chserver: clickhouse-server did not answer on %s within %s (last error: %v); log tail:\n%s", s.Addr(), timeout, last, s.logTail())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// logTail returns the last lines of the error log and of stdout/stderr.
func (s *Server) logTail() string {
	var b strings.Builder
	for _, name := range []string{"clickhouse-server.err.log", "stdout.log"} {
		data, err := os.ReadFile(filepath.Join(s.dir, "log", name))
		if err != nil || len(bytes.TrimSpace(data)) == 0 {
			continue
		}
		lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
		if len(lines) > 20 {
			lines = lines[len(lines)-20:]
		}
		fmt.Fprintf(&b, "--- %s ---\n%s\n", name, strings.Join(lines, "\n"))
	}
	if b.Len() == 0 {
		return "(logs are empty)"
	}
	return b.String()
}

// stopStale stops a server that an earlier process started on dir and left
// running (for example after kill -9 of voc demo). Only a process whose
// command line names this directory's config is signalled.
func stopStale(dir string, logger *slog.Logger) {
	data, err := os.ReadFile(filepath.Join(dir, "clickhouse-server.pid"))
	if err != nil {
		return
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil || pid <= 0 {
		return
	}
	cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil || !bytes.Contains(cmdline, []byte(filepath.Join(dir, "config.xml"))) {
		return
	}
	logger.Warn("stopping clickhouse-server left running on the same directory", "pid", pid, "dir", dir)
	_ = syscall.Kill(pid, syscall.SIGTERM)
	for i := 0; i < 300; i++ {
		if syscall.Kill(pid, 0) != nil {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	_ = syscall.Kill(pid, syscall.SIGKILL)
	time.Sleep(200 * time.Millisecond)
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func configXML(dir string, tcpPort, httpPort int) string {
	p := func(sub string) string { return html.EscapeString(filepath.Join(dir, sub)) + "/" }
	return fmt.Sprintf(`<?xml version="1.0"?>
<!-- Generated by voc (internal/testinfra/chserver); rewritten on every start. -->
<yandex>
  <logger>
    <level>warning</level>
    <log>%[1]s</log>
    <errorlog>%[2]s</errorlog>
    <size>10M</size>
    <count>2</count>
  </logger>
  <listen_host>127.0.0.1</listen_host>
  <tcp_port>%[3]d</tcp_port>
  <http_port>%[4]d</http_port>
  <path>%[5]s</path>
  <tmp_path>%[6]s</tmp_path>
  <user_files_path>%[7]s</user_files_path>
  <format_schema_path>%[8]s</format_schema_path>
  <users_config>users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <mark_cache_size>67108864</mark_cache_size>
  <uncompressed_cache_size>67108864</uncompressed_cache_size>
  <max_concurrent_queries>64</max_concurrent_queries>
  <max_server_memory_usage>2147483648</max_server_memory_usage>
  <mlock_executable>false</mlock_executable>
  <query_log>
    <database>system</database>
    <table>query_log</table>
    <flush_interval_milliseconds>1000</flush_interval_milliseconds>
  </query_log>
  <merge_tree>
    <parts_to_delay_insert>300</parts_to_delay_insert>
    <parts_to_throw_insert>600</parts_to_throw_insert>
  </merge_tree>
</yandex>
`, html.EscapeString(filepath.Join(dir, "log", "clickhouse-server.log")),
		html.EscapeString(filepath.Join(dir, "log", "clickhouse-server.err.log")),
		tcpPort, httpPort, p("data"), p("tmp"), p("user_files"), p("format_schemas"))
}

const usersXML = `<?xml version="1.0"?>
<!-- Generated by voc (internal/testinfra/chserver); rewritten on every start. -->
<yandex>
  <profiles>
    <default>
      <max_memory_usage>1000000000</max_memory_usage>
      <max_threads>2</max_threads>
      <poll_interval>1</poll_interval>
    </default>
  </profiles>
  <users>
    <default>
      <password></password>
      <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
      <profile>default</profile>
      <quota>default</quota>
    </default>
  </users>
  <quotas>
    <default>
      <interval>
        <duration>3600</duration>
        <queries>0</queries>
        <errors>0</errors>
        <result_rows>0</result_rows>
        <read_rows>0</read_rows>
        <execution_time>0</execution_time>
      </interval>
    </default>
  </quotas>
</yandex>
`
