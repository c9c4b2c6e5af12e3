package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/minirmq"
	"github.com/rocketmart/rocketmart/services/platform/mq"
)

func TestLoadConfigDefaults(t *testing.T) {
	got, err := loadConfig(func(string) string { return "" })
	want := config{Addr: ":8085", DB: "sqlite:data/points.db", NameServer: "127.0.0.1:9876", ClientLogLevel: "warn",
		MaxReconsume: 16, AdminToken: "rocketmart-admin", LogLevel: "info"}
	if err != nil || got != want {
		t.Errorf("defaults %+v, %v; want %+v", got, err, want)
	}

	env := map[string]string{
		"POINTS_ADDR": "127.0.0.1:9000", "POINTS_DB": "mysql://u:p@tcp(db:3306)/points",
		"ROCKETMQ_NAMESERVER": "ns-0:9876;ns-1:9876", "ROCKETMQ_CLIENT_LOG_LEVEL": "error",
		"POINTS_MAX_RECONSUME": " 3 ", "ADMIN_TOKEN": "s3cret", "LOG_LEVEL": "debug",
	}
	got, err = loadConfig(func(k string) string { return env[k] })
	want = config{Addr: "127.0.0.1:9000", DB: env["POINTS_DB"], NameServer: env["ROCKETMQ_NAMESERVER"], ClientLogLevel: "error",
		MaxReconsume: 3, AdminToken: "s3cret", LogLevel: "debug"}
	if err != nil || got != want {
		t.Errorf("from env %+v, %v; want %+v", got, err, want)
	}
}

func TestBadSettingsAreRefusedByName(t *testing.T) {
	tests := []struct {
		name, variable, value string
	}{
		{"addr without port", "POINTS_ADDR", "localhost"},
		{"addr named port", "POINTS_ADDR", ":http"},
		{"db scheme", "POINTS_DB", "postgres://x"},
		{"sqlite without path", "POINTS_DB", "sqlite:"},
		{"mysql without database", "POINTS_DB", "mysql://u:p@tcp(h:3306)/"},
		{"name server without host", "ROCKETMQ_NAMESERVER", ":9876"},
		{"name server port", "ROCKETMQ_NAMESERVER", "h:99999"},
		{"name server list with a bad entry", "ROCKETMQ_NAMESERVER", "a:9876;b"},
		{"client log level", "ROCKETMQ_CLIENT_LOG_LEVEL", "chatty"},
		{"max reconsume not a number", "POINTS_MAX_RECONSUME", "many"},
		{"max reconsume 0", "POINTS_MAX_RECONSUME", "0"},
		{"max reconsume negative", "POINTS_MAX_RECONSUME", "-1"},
		{"max reconsume too large", "POINTS_MAX_RECONSUME", "33"},
		{"token with space", "ADMIN_TOKEN", "a b"},
		{"log level", "LOG_LEVEL", "loud"},
	}
	for _, tt := range tests {
		_, err := loadConfig(func(k string) string {
			if k == tt.variable {
				return tt.value
			}
			return ""
		})
		if err == nil || !strings.Contains(err.Error(), tt.variable) {
			t.Errorf("%s: %v, want an error naming %s", tt.name, err, tt.variable)
		}
		if err != nil && strings.Count(err.Error(), tt.variable) != 1 {
			t.Errorf("%s: %q reports %s more than once", tt.name, err, tt.variable)
		}
	}
	// Every bad setting is reported at once.
	env := map[string]string{"POINTS_ADDR": "x", "POINTS_MAX_RECONSUME": "x", "LOG_LEVEL": "x"}
	_, err := loadConfig(func(k string) string { return env[k] })
	for name := range env {
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("several bad settings: %v does not name %s", err, name)
		}
	}
}

func TestRunRefusesBadConfig(t *testing.T) {
	t.Setenv("POINTS_DB", "oracle://nope")
	err := run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "POINTS_DB") {
		t.Errorf("run with a bad DSN: %v", err)
	}
}

// syncBuffer collects the service's logs; serve writes from many goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// serve wires everything: it migrates a fresh database, serves the API, the
// Swagger document, /readyz and /metrics, credits an ORDER_PAID published to
// the broker, and stops cleanly when its context ends.
func TestServeCreditsPublishedOrders(t *testing.T) {
	mc := minirmq.DefaultConfig()
	mc.ListenAddr = "127.0.0.1:0"
	mc.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	broker, err := minirmq.Start(mc)
	if err != nil {
		t.Fatal(err)
	}
	defer broker.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cfg := config{Addr: addr, DB: "sqlite:" + filepath.Join(t.TempDir(), "sub", "points.db"), NameServer: broker.Addr(),
		ClientLogLevel: "error", MaxReconsume: 3, AdminToken: "run-test", LogLevel: "info"}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	logs := &syncBuffer{}
	go func() { done <- serve(ctx, cfg, []byte(`{"swagger":"2.0","info":{"title":"points test"}}`), logs) }()
	defer func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("serve: %v", err)
			}
		case <-time.After(20 * time.Second):
			t.Error("serve did not return after cancel")
		}
	}()

	base := "http://" + addr
	get := func(path string, h ...string) (int, []byte) {
		req, _ := http.NewRequest(http.MethodGet, base+path, nil)
		for i := 0; i+1 < len(h); i += 2 {
			req.Header.Set(h[i], h[i+1])
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, nil
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}
	poll := func(what string, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for !cond() {
			select {
			case err := <-done:
				t.Fatalf("serve returned early: %v", err)
			default:
			}
			if time.Now().After(deadline) {
				t.Fatalf("timed out: %s", what)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	poll("ready", func() bool { status, _ := get("/readyz"); return status == http.StatusOK })

	p, err := mq.NewProducer(ctx, mq.Config{NameServer: broker.Addr(), Service: "points-run-test", ClientLogLevel: "error"}, "points-run-test")
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	body, _ := json.Marshal(contracts.OrderPaid{EventID: "ev-run", OrderNo: "RM-RUN", UserID: "bob", TotalCents: 2_500,
		Lines: []contracts.OrderLine{{SKU: "RM-KETTLE-GOOSE", Quantity: 1, UnitPriceCents: 2_500}}})
	if _, err := p.Send(ctx, mq.Message{Topic: contracts.TopicOrderPaid, Key: "RM-RUN", Body: body}); err != nil {
		t.Fatal(err)
	}
	var st struct {
		Balance int64
		Ledger  []struct{ OrderNo string }
	}
	poll("bob credited 25 points", func() bool {
		status, b := get("/api/v1/points", "X-User-ID", "bob")
		return status == http.StatusOK && json.Unmarshal(b, &st) == nil && st.Balance == 25 && len(st.Ledger) == 1
	})

	if status, b := get("/api/v1/admin/points/accounts", "X-Admin-Token", "run-test"); status != http.StatusOK || !strings.Contains(string(b), `"ledgerSum":25`) {
		t.Errorf("admin accounts: %d %s", status, b)
	}
	if status, b := get("/swagger/doc.json"); status != http.StatusOK || !strings.Contains(string(b), "points test") {
		t.Errorf("swagger doc: %d %s", status, b)
	}
	want := `rocketmart_consumer_deliveries_total{group="points-order-paid",outcome="processed",topic="ORDER_PAID"} 1`
	if status, b := get("/metrics"); status != http.StatusOK || !strings.Contains(string(b), want) {
		t.Errorf("metrics: %d, no %s", status, want)
	}
	logs.mu.Lock()
	defer logs.mu.Unlock()
	if !strings.Contains(logs.buf.String(), `"msg":"points credited"`) || !strings.Contains(logs.buf.String(), `"order_no":"RM-RUN"`) {
		t.Errorf("logs lack the credit:\n%s", logs.buf.String())
	}
}
