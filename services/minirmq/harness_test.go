package minirmq_test

// Shared harness of the integration suite: every test starts its own broker
// (in-memory unless it tests durability) and drives it with the real
// rocketmq-client-go v2.1.2 client over TCP.

import (
	"cmp"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apache/rocketmq-client-go/v2/primitive"
	"github.com/apache/rocketmq-client-go/v2/rlog"

	"github.com/rocketmart/rocketmart/services/minirmq"
)

func TestMain(m *testing.M) {
	// The client logs every offset commit at info level; MINIRMQ_CLIENT_LOG=info shows it.
	rlog.SetLogLevel(cmp.Or(os.Getenv("MINIRMQ_CLIENT_LOG"), "error"))
	os.Exit(m.Run())
}

// testDelayLevels replaces Apache's table (1s 5s … 2h): level n is n×100ms.
// With the real table a delay test would take minutes and a retry test
// (retries use level 3+reconsumeTimes unless the consumer sets one) hours.
// The broker's scheduling code is the same for any table, and 100ms steps
// are still far above pull and scheduling latency, so ordering assertions hold.
var testDelayLevels = func() []time.Duration {
	levels := make([]time.Duration, 18)
	for i := range levels {
		levels[i] = time.Duration(i+1) * 100 * time.Millisecond
	}
	return levels
}()

type broker struct {
	cfg   minirmq.Config
	srv   *minirmq.Server
	admin *httptest.Server
	logw  *tLogWriter
	// nsAddr, when set, is the name-server address clients are given
	// instead of the broker's own (a proxy in front of it).
	nsAddr string
}

// startBroker starts a broker on a free loopback port with test-friendly
// settings; mutate adjusts the config. It is closed when the test ends.
func startBroker(t *testing.T, mutate ...func(*minirmq.Config)) *broker {
	t.Helper()
	cfg := minirmq.DefaultConfig()
	cfg.ListenAddr = "127.0.0.1:0"
	cfg.DelayLevels = append([]time.Duration(nil), testDelayLevels...)
	for _, m := range mutate {
		m(&cfg)
	}
	b := &broker{cfg: cfg}
	b.start(t)
	t.Cleanup(b.stop)
	return b
}

func (b *broker) start(t *testing.T) {
	t.Helper()
	b.logw = &tLogWriter{t: t}
	cfg := b.cfg
	cfg.Logger = slog.New(slog.NewTextHandler(b.logw, &slog.HandlerOptions{Level: testLogLevel()}))
	srv, err := minirmq.Start(cfg)
	if err != nil {
		t.Fatalf("minirmq.Start: %v", err)
	}
	b.srv = srv
	b.admin = httptest.NewServer(srv.AdminHandler())
}

// stop closes the broker (idempotent); used as cleanup.
func (b *broker) stop() {
	if err := b.close(); err != nil {
		b.logw.t.Errorf("minirmq Server.Close: %v", err)
	}
}

func (b *broker) close() error {
	if b.srv == nil {
		return nil
	}
	b.admin.Close()
	err := b.srv.Close()
	b.srv = nil
	b.logw.finish()
	return err
}

// restart closes the broker and starts a new one on the same DataDir (on a
// new port). Clients of the old instance must have been shut down; create
// new ones afterwards.
func (b *broker) restart(t *testing.T) {
	t.Helper()
	if b.cfg.DataDir == "" {
		t.Fatal("restart needs a DataDir")
	}
	if err := b.close(); err != nil {
		t.Fatalf("minirmq Server.Close before restart: %v", err)
	}
	b.start(t)
}

func (b *broker) nameServer() primitive.NsResolver {
	return primitive.NewPassthroughResolver([]string{cmp.Or(b.nsAddr, b.srv.Addr())})
}

func testLogLevel() slog.Level {
	var l slog.Level
	if err := l.UnmarshalText([]byte(os.Getenv("MINIRMQ_TEST_LOG"))); err != nil {
		return slog.LevelWarn
	}
	return l
}

// tLogWriter sends broker logs to t.Log until the broker is closed (t.Log
// after the test ends panics).
type tLogWriter struct {
	mu   sync.Mutex
	t    *testing.T
	done bool
}

func (w *tLogWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.done {
		w.t.Log("broker: " + strings.TrimRight(string(p), "\n"))
	}
	return len(p), nil
}

func (w *tLogWriter) finish() {
	w.mu.Lock()
	w.done = true
	w.mu.Unlock()
}

var (
	nameSeq  atomic.Int64
	nameJunk = regexp.MustCompile(`[^A-Za-z0-9_-]+`)
)

// uniqueName returns a topic/group/instance name unique in the process.
// Every producer and consumer gets its own instance name: clients with the
// same ClientID share one instance (reference §2.1, §11.9).
func uniqueName(t testing.TB, kind string) string {
	base := nameJunk.ReplaceAllString(t.Name(), "_")
	if len(base) > 48 {
		base = base[len(base)-48:]
	}
	return fmt.Sprintf("%s_%s_%d", kind, base, nameSeq.Add(1))
}

// eventually polls cond until it holds or timeout passes. Arguments of type
// func() string are evaluated at failure time (for current-state diagnostics).
func eventually(t testing.TB, timeout time.Duration, cond func() bool, format string, args ...any) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not within %v: %s", timeout, fmt.Sprintf(format, lazyArgs(args)...))
		}
		<-tick.C
	}
}

// consistently asserts cond holds during the whole window (absence checks).
func consistently(t testing.TB, window time.Duration, cond func() bool, format string, args ...any) {
	t.Helper()
	deadline := time.Now().Add(window)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		if !cond() {
			t.Fatalf("%s", fmt.Sprintf(format, lazyArgs(args)...))
		}
		if time.Now().After(deadline) {
			return
		}
		<-tick.C
	}
}

func lazyArgs(args []any) []any {
	out := make([]any, len(args))
	for i, a := range args {
		if f, ok := a.(func() string); ok {
			a = f()
		}
		out[i] = a
	}
	return out
}
