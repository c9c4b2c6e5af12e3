package mq_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/rocketmart/rocketmart/services/minirmq"
	"github.com/rocketmart/rocketmart/services/platform/apperr"
	"github.com/rocketmart/rocketmart/services/platform/mq"
	"github.com/rocketmart/rocketmart/services/platform/testkit"
)

type env struct {
	cfg   mq.Config
	admin *httptest.Server
}

func start(t *testing.T) env {
	t.Helper()
	c := minirmq.DefaultConfig()
	c.ListenAddr = "127.0.0.1:0"
	c.TxCheckAfter, c.TxCheckInterval = 300*time.Millisecond, 500*time.Millisecond
	c.DelayLevels = []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 300 * time.Millisecond}
	c.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	srv, err := minirmq.Start(c)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	admin := httptest.NewServer(srv.AdminHandler())
	t.Cleanup(admin.Close)
	return env{cfg: mq.Config{NameServer: srv.Addr(), Service: "test", Logger: c.Logger, ClientLogLevel: "error"}, admin: admin}
}

// txStates counts the broker's half messages by state.
func (e env) txStates(t *testing.T) map[string]int {
	resp, err := http.Get(e.admin.URL + "/api/v1/transactions")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Transactions []struct{ State, Keys string }
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, tx := range out.Transactions {
		if tx.Keys != "warm-up" {
			got[tx.State]++
		}
	}
	return got
}

// caughtUp reports whether a consumer group has no lag left.
func (e env) caughtUp(t *testing.T, group string) bool {
	resp, err := http.Get(e.admin.URL + "/api/v1/consumer-groups/" + group)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var g struct {
		Lag    int64
		Queues []struct{}
	}
	json.NewDecoder(resp.Body).Decode(&g)
	return resp.StatusCode == 200 && len(g.Queues) > 0 && g.Lag == 0
}

type inbox struct {
	mu   sync.Mutex
	got  []mq.Delivery
	errs map[string]int // msg id → errors still to return
}

func (in *inbox) handler(_ context.Context, d mq.Delivery) error {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.got = append(in.got, d)
	if in.errs[d.Key] > 0 {
		in.errs[d.Key]--
		return errors.New("transient failure")
	}
	return nil
}

func (in *inbox) keys() map[string]int {
	in.mu.Lock()
	defer in.mu.Unlock()
	got := map[string]int{}
	for _, d := range in.got {
		got[d.Key]++
	}
	return got
}

func consume(t *testing.T, e env, group, topic string, h mq.Handler, opts mq.ConsumerOptions) {
	t.Helper()
	c, err := mq.StartConsumer(context.Background(), e.cfg, group, topic, h, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
}

func TestPublishDeliversExactlyTheCommitted(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	durable := sync.Map{} // what a real service keeps in its database: tx id → outcome
	check := func(_ context.Context, c mq.Check) mq.TxState {
		if v, ok := durable.Load(c.TransactionID); ok {
			return v.(mq.TxState)
		}
		return mq.Unknown
	}
	p, err := mq.NewTxProducer(ctx, e.cfg, "pg-visibility", "T_TX", check)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()

	cases := []struct {
		key   string
		local mq.TxState
		later mq.TxState // what durable state says when the broker checks
		want  bool       // delivered?
	}{
		{"commit", mq.Commit, 0, true},
		{"rollback", mq.Rollback, 0, false},
		{"unknown-then-commit", mq.Unknown, mq.Commit, true},
		{"unknown-then-rollback", mq.Unknown, mq.Rollback, false},
		{"panic", 0, mq.Rollback, false},
	}
	for _, c := range cases {
		res, err := p.Publish(ctx, mq.Message{Topic: "T_TX", Key: c.key, Body: []byte(c.key), TraceID: "trace-" + c.key},
			func(_ context.Context, txID string) mq.TxState {
				if c.later != 0 {
					durable.Store(txID, c.later)
				}
				if c.local == 0 {
					panic("local transaction blew up")
				}
				return c.local
			})
		if err != nil {
			t.Fatalf("%s: %v", c.key, err)
		}
		want := c.local
		if want == 0 {
			want = mq.Unknown // a panic answers unknown
		}
		if res.State != want || res.TransactionID == "" {
			t.Errorf("%s: result %+v, want state %v and a transaction id", c.key, res, want)
		}
	}
	testkit.Eventually(t, 10*time.Second, "every half decided", func() bool { return e.txStates(t)["pending"] == 0 })

	in := &inbox{}
	consume(t, e, "cg-visibility", "T_TX", in.handler, mq.ConsumerOptions{})
	testkit.Eventually(t, 20*time.Second, "consumer caught up", func() bool { return e.caughtUp(t, "cg-visibility") })
	got := in.keys()
	for _, c := range cases {
		if want := map[bool]int{true: 1, false: 0}[c.want]; got[c.key] != want {
			t.Errorf("%s delivered %d times, want %d", c.key, got[c.key], want)
		}
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	for _, d := range in.got {
		if d.TraceID != "trace-"+d.Key || d.Topic != "T_TX" {
			t.Errorf("delivery %+v lost its topic or trace id", d)
		}
	}
}

// A half left undecided by a producer that went away is answered by another
// instance of the same group; the warm-up send is what makes that possible.
func TestCheckReachesAnotherInstance(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	unknown := func(context.Context, mq.Check) mq.TxState { return mq.Unknown }
	a, err := mq.NewTxProducer(ctx, e.cfg, "pg-failover", "T_FO", unknown)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Publish(ctx, mq.Message{Topic: "T_FO", Key: "k", Body: []byte("x")},
		func(context.Context, string) mq.TxState { return mq.Unknown }); err != nil {
		t.Fatal(err)
	}
	a.Close()

	var checks atomic.Int32
	b, err := mq.NewTxProducer(ctx, e.cfg, "pg-failover", "T_FO", func(_ context.Context, c mq.Check) mq.TxState {
		checks.Add(1)
		return mq.Commit
	})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	testkit.Eventually(t, 15*time.Second, "half committed by the other instance", func() bool { return e.txStates(t)["committed"] == 1 })
	if checks.Load() < 1 {
		t.Errorf("instance B answered %d checks", checks.Load())
	}
}

func TestConsumerOutcomes(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	p, err := mq.NewProducer(ctx, e.cfg, "pg-plain")
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	var mu sync.Mutex
	outcomes := map[string]int{}
	in := &inbox{errs: map[string]int{"flaky": 2}}
	h := func(ctx context.Context, d mq.Delivery) error {
		switch d.Key {
		case "poison":
			in.handler(ctx, d)
			return mq.Poison(errors.New("cannot decode"))
		case "dup":
			in.handler(ctx, d)
			return fmt.Errorf("claim: %w", apperr.ErrAlreadyApplied)
		}
		return in.handler(ctx, d)
	}
	consume(t, e, "cg-outcomes", "T_OUT", h, mq.ConsumerOptions{RetryDelayLevel: 1, Observe: func(_, outcome string) {
		mu.Lock()
		outcomes[outcome]++
		mu.Unlock()
	}})
	for _, k := range []string{"ok", "flaky", "poison", "dup"} {
		if _, err := p.Send(ctx, mq.Message{Topic: "T_OUT", Key: k, Body: []byte(k)}); err != nil {
			t.Fatal(err)
		}
	}
	testkit.Eventually(t, 20*time.Second, "flaky message processed after two failures", func() bool { return in.keys()["flaky"] == 3 })
	testkit.Eventually(t, 20*time.Second, "consumer caught up", func() bool { return e.caughtUp(t, "cg-outcomes") })
	got := in.keys()
	for k, want := range map[string]int{"ok": 1, "flaky": 3, "poison": 1, "dup": 1} {
		if got[k] != want {
			t.Errorf("%s handled %d times, want %d", k, got[k], want)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if outcomes["processed"] != 2 || outcomes["failed"] != 2 || outcomes["poison"] != 1 || outcomes["duplicate"] != 1 {
		t.Errorf("outcomes = %v, want processed 2, failed 2, poison 1, duplicate 1", outcomes)
	}
}

func TestResolveNameServer(t *testing.T) {
	got, err := mq.ResolveNameServer(context.Background(), "localhost:9876")
	if err != nil || got != "127.0.0.1:9876" {
		t.Errorf("localhost → %q, %v; want 127.0.0.1:9876", got, err)
	}
	if _, err := mq.ResolveNameServer(context.Background(), "no-port"); err == nil {
		t.Error("address without port accepted")
	}
}

// A message that always fails is tried 1 + MaxReconsumeTimes times, then
// lands in the group's dead-letter queue; the metrics count every outcome.
func TestConsumerDeadLettersAfterMaxAttempts(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	p, err := mq.NewProducer(ctx, e.cfg, "pg-dlq")
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	in := &inbox{errs: map[string]int{"broken": 1000}}
	reg := prometheus.NewRegistry()
	consume(t, e, "cg-dlq", "T_DLQ", in.handler, mq.ConsumerOptions{
		MaxReconsumeTimes: 2, RetryDelayLevel: 1, Metrics: mq.NewConsumerMetrics(reg)})
	for _, k := range []string{"broken", "fine"} {
		if _, err := p.Send(ctx, mq.Message{Topic: "T_DLQ", Key: k, Body: []byte(k)}); err != nil {
			t.Fatal(err)
		}
	}
	testkit.Eventually(t, 20*time.Second, "the broken message in %DLQ%cg-dlq", func() bool {
		resp, err := http.Get(e.admin.URL + "/api/v1/dead-letters/cg-dlq")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out struct{ Messages []struct{ Keys string } }
		json.NewDecoder(resp.Body).Decode(&out)
		return len(out.Messages) == 1 && out.Messages[0].Keys == "broken"
	})
	if got := in.keys(); got["broken"] != 3 || got["fine"] != 1 {
		t.Errorf("attempts = %v, want broken 3 (1 + 2 retries), fine 1", got)
	}
	count := func(outcome string) float64 {
		families, err := reg.Gather()
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range families {
			for _, m := range f.GetMetric() {
				labels := map[string]string{}
				for _, l := range m.GetLabel() {
					labels[l.GetName()] = l.GetValue()
				}
				if f.GetName() == "rocketmart_consumer_deliveries_total" && labels["group"] == "cg-dlq" &&
					labels["topic"] == "T_DLQ" && labels["outcome"] == outcome {
					return m.GetCounter().GetValue()
				}
			}
		}
		return 0
	}
	for outcome, want := range map[string]float64{mq.OutcomeFailed: 2, mq.OutcomeDeadLettered: 1, mq.OutcomeProcessed: 1} {
		if got := count(outcome); got != want {
			t.Errorf("rocketmart_consumer_deliveries_total{outcome=%q} = %v, want %v", outcome, got, want)
		}
	}
}

func TestSplitNameServers(t *testing.T) {
	got := mq.SplitNameServers(" ns-0:9876; ns-1:9876,,ns-2:9876 ;")
	if want := []string{"ns-0:9876", "ns-1:9876", "ns-2:9876"}; !slices.Equal(got, want) {
		t.Errorf("SplitNameServers = %q, want %q", got, want)
	}
}

// A host name works as the name server (resolved by the adapter, since the
// client takes IP literals only), and Ping accepts a list with a dead entry.
func TestHostNameServer(t *testing.T) {
	e := start(t)
	_, port, _ := net.SplitHostPort(e.cfg.NameServer)
	cfg := e.cfg
	cfg.NameServer = "localhost:" + port
	ctx := context.Background()
	p, err := mq.NewProducer(ctx, cfg, "pg-hostname")
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if _, err := p.Send(ctx, mq.Message{Topic: "T_HOST", Key: "k", Body: []byte("x")}); err != nil {
		t.Fatalf("send through a host-name name server: %v", err)
	}
	if err := mq.Ping(ctx, "127.0.0.1:1;localhost:"+port); err != nil {
		t.Errorf("Ping with one live name server: %v", err)
	}
	if err := mq.Ping(ctx, "127.0.0.1:1"); err == nil {
		t.Error("Ping of a dead name server succeeded")
	}
}
