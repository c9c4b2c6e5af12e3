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

// syncBuffer collects the service's logs; run writes from many goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// run wires everything: it migrates a fresh database, serves the API, the
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
	cfg, err := loadConfig(env(map[string]string{"POINTS_DB": "sqlite:" + filepath.Join(t.TempDir(), "sub", "points.db"),
		"ROCKETMQ_NAMESERVER": broker.Addr(), "ROCKETMQ_CLIENT_LOG_LEVEL": "error", "POINTS_MAX_RECONSUME": "3", "ADMIN_TOKEN": "run-test"}))
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	cfg.listener, cfg.logOut = ln, logs

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, cfg) }()
	defer func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("run: %v", err)
			}
		case <-time.After(20 * time.Second):
			t.Error("run did not return after cancel")
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
				t.Fatalf("run returned early: %v", err)
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
	if status, b := get("/swagger/doc.json"); status != http.StatusOK || !strings.Contains(string(b), "RocketMart points API") {
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
