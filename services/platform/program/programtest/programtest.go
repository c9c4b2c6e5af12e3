// Package programtest starts a service's main package in a test as main
// would run it, on an in-memory broker, a test database and a free port,
// so that each service's run test says only what its own run must serve.
// Tests only (archtest rule 7).
package programtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rocketmart/rocketmart/services/platform/envconf"
	"github.com/rocketmart/rocketmart/services/platform/mqtest"
	"github.com/rocketmart/rocketmart/services/platform/testkit"
)

// Timeout bounds how long a service may take to become ready and to stop.
const Timeout = 30 * time.Second

// Config is what a service's config must offer: a pointer to it reaches the
// embedded envconf.Base.
type Config[C any] interface {
	*C
	BaseConfig() *envconf.Base
}

// Service is one service running in the test.
type Service struct {
	// URL is where it serves: http://127.0.0.1:<port>.
	URL string
	// Broker is its broker, to send it messages or take the broker away.
	Broker *mqtest.Broker

	logs    *syncBuffer
	cancel  context.CancelFunc
	done    chan error
	stopped bool
}

// Start loads the configuration with load from env over the test's own
// settings (ROCKETMQ_NAMESERVER: a fresh mqtest broker;
// ROCKETMQ_CLIENT_LOG_LEVEL: fatal unless env says otherwise), puts the
// database at dsn (dbtest.SQLiteDSN, dbtest.EachDSN), serves on a free port
// with the logs collected, and calls run as main would. It returns once
// /readyz answers 200 and fails the test if run returns first. The service
// is stopped at cleanup if the test did not Stop it.
func Start[C any, P Config[C]](t *testing.T, dsn string, load func(getenv func(string) string) (C, error),
	run func(context.Context, C) error, env map[string]string) *Service {
	t.Helper()
	broker := mqtest.Start(t)
	vars := map[string]string{"ROCKETMQ_NAMESERVER": broker.Config.NameServer, "ROCKETMQ_CLIENT_LOG_LEVEL": "fatal"}
	for k, v := range env {
		vars[k] = v
	}
	cfg, err := load(func(k string) string { return vars[k] })
	if err != nil {
		t.Fatalf("programtest: configuration: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &Service{URL: "http://" + ln.Addr().String(), Broker: broker, logs: &syncBuffer{}, done: make(chan error, 1)}
	base := P(&cfg).BaseConfig()
	base.DB, base.Listener, base.LogOut = dsn, ln, s.logs

	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	go func() { s.done <- run(ctx, cfg) }()
	t.Cleanup(func() { s.Stop(t) })
	s.waitReady(t)
	s.waitBalanced(t)
	return s
}

// waitBalanced polls the broker until every consumer group with a member
// has queues assigned: the consumers' first rebalance is over. A test that
// stops the service sooner shuts the client down while a rebalance it
// started is still asking the broker, which rocketmq-client-go v2.1.2 does
// without a lock (its close flag), and -race reports the client's race.
func (s *Service) waitBalanced(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(Timeout)
	for {
		var out struct {
			Groups []struct {
				Members []json.RawMessage
				Queues  []json.RawMessage
			}
		}
		balanced := false
		if resp, err := http.Get(s.Broker.AdminURL + "/api/v1/consumer-groups"); err == nil {
			err = json.NewDecoder(resp.Body).Decode(&out)
			resp.Body.Close()
			balanced = err == nil
			for _, g := range out.Groups {
				if len(g.Members) > 0 && len(g.Queues) == 0 {
					balanced = false
				}
			}
		}
		if balanced {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("programtest: the consumers did not rebalance within %v", Timeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitReady polls /readyz until it answers 200, failing early when run
// returns before that.
func (s *Service) waitReady(t *testing.T) {
	t.Helper()
	deadline := time.After(Timeout)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		if status, _ := s.Do(t, http.MethodGet, "/readyz", ""); status == http.StatusOK {
			return
		}
		select {
		case err := <-s.done:
			s.stopped = true
			t.Fatalf("programtest: run returned before it was ready: %v\nlogs:\n%s", err, s.Logs())
		case <-deadline:
			t.Fatalf("programtest: not ready after %v\nlogs:\n%s", Timeout, s.Logs())
		case <-tick.C:
		}
	}
}

// Do sends a request with body (none when "") and headers (name, value
// pairs) and returns the status and body; status 0 and the error's text
// when nothing answered.
func (s *Service) Do(t testing.TB, method, path, body string, headers ...string) (int, string) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, s.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// WaitProcessed waits until /metrics counts n processed deliveries of topic
// to group. The consumer adapter counts a delivery after its handler has
// returned, so a test that saw the handler's effect polls for the count.
func (s *Service) WaitProcessed(t testing.TB, group, topic string, n int) {
	t.Helper()
	want := fmt.Sprintf(`rocketmart_consumer_deliveries_total{group=%q,outcome="processed",topic=%q} %d`, group, topic, n)
	testkit.Eventually(t, Timeout, "/metrics to count the delivery: "+want, func() bool {
		status, body := s.Do(t, http.MethodGet, "/metrics", "")
		return status == http.StatusOK && strings.Contains(body, want)
	})
}

// Logs returns the JSON log lines written so far.
func (s *Service) Logs() string { return s.logs.String() }

// Stop cancels run's context and fails the test unless run returns nil
// within Timeout: a clean, graceful shutdown. Stopping twice does nothing.
func (s *Service) Stop(t testing.TB) {
	t.Helper()
	if s.stopped {
		return
	}
	s.stopped = true
	s.cancel()
	select {
	case err := <-s.done:
		if err != nil {
			t.Errorf("run() = %v, want nil after cancel", err)
		}
	case <-time.After(Timeout):
		t.Errorf("run did not return within %v of cancel", Timeout)
	}
}

// syncBuffer collects the logs; run writes from many goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
