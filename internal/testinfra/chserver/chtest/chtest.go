// Package chtest shares one throwaway clickhouse-server among the tests of a
// package. Use it from TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(chtest.Main(m)) }
//
//	func TestX(t *testing.T) {
//		db := chtest.Start(t) // db.Addr, db.Database (unique per test)
//	}
//
// The server starts on first use and stops when Main returns. When
// clickhouse-server is not installed the tests fail with a clear message,
// unless VOC_SKIP_CLICKHOUSE=1, in which case they are skipped.
package chtest

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vocproject/voc/internal/testinfra/chserver"
)

// SkipEnv names the environment variable that turns a missing server into
// skipped tests.
const SkipEnv = "VOC_SKIP_CLICKHOUSE"

// DB is what a test gets: the server address and a database name of its own
// (not created; the code under test creates it).
type DB struct {
	Addr     string
	Database string
	Server   *chserver.Server
}

var (
	mu       sync.Mutex
	started  bool
	server   *chserver.Server
	tmpDir   string
	startErr error
	seq      atomic.Int64
)

// Main runs the tests and stops the shared server afterwards. It returns
// the exit code for os.Exit.
func Main(m *testing.M) int {
	code := m.Run()
	mu.Lock()
	defer mu.Unlock()
	if server != nil {
		if err := server.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "chtest:", err)
		}
	}
	if tmpDir != "" {
		os.RemoveAll(tmpDir)
	}
	return code
}

// Start returns the shared server (starting it on first use) and a database
// name unique to this test.
func Start(t testing.TB) DB {
	t.Helper()
	s := shared(t)
	return DB{Addr: s.Addr(), Database: DatabaseName(t), Server: s}
}

// StartServer starts a server of the test's own in a temporary directory,
// stopped at the end of the test. Use it for tests that stop or restart the
// server.
func StartServer(t testing.TB, dir string) *chserver.Server {
	t.Helper()
	checkInstalled(t)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	s, err := chserver.Start(ctx, chserver.Config{Dir: dir})
	if err != nil {
		t.Fatalf("chtest: start clickhouse-server: %v", err)
	}
	t.Cleanup(func() { _ = s.Stop() })
	return s
}

var nonIdent = regexp.MustCompile(`[^a-z0-9_]+`)

// DatabaseName derives a valid, unique database name from the test name.
func DatabaseName(t testing.TB) string {
	n := nonIdent.ReplaceAllString(strings.ToLower(t.Name()), "_")
	if len(n) > 40 {
		n = n[:40]
	}
	return fmt.Sprintf("t%d_%d_%s", os.Getpid()%100000, seq.Add(1), strings.Trim(n, "_"))
}

func checkInstalled(t testing.TB) {
	t.Helper()
	if _, err := chserver.Binary(); err != nil {
		if os.Getenv(SkipEnv) == "1" {
			t.Skipf("clickhouse-server not installed and %s=1: %v", SkipEnv, err)
		}
		t.Fatalf("clickhouse-server is required by this test and is not installed (%v); install it (apt-get install clickhouse-server) or set %s=1 to skip", err, SkipEnv)
	}
}

func shared(t testing.TB) *chserver.Server {
	t.Helper()
	checkInstalled(t)
	mu.Lock()
	defer mu.Unlock()
	if !started {
		started = true
		tmpDir, startErr = os.MkdirTemp("", "voc-chtest-")
		if startErr == nil {
			ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
			server, startErr = chserver.Start(ctx, chserver.Config{Dir: tmpDir})
			cancel()
		}
	}
	if startErr != nil {
		t.Fatalf("chtest: start shared clickhouse-server: %v", startErr)
	}
	return server
}
