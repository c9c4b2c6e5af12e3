package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	apidocs "github.com/rocketmart/rocketmart/api-docs"
	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/minirmq"
	"github.com/rocketmart/rocketmart/services/platform/dbtest"
	"github.com/rocketmart/rocketmart/services/platform/mq"
	"github.com/rocketmart/rocketmart/services/platform/testkit"
)

// get fetches url with headers (name, value pairs) and returns status and body.
func get(t *testing.T, method, url string, headers ...string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// The whole service as main wires it, on each database and a real broker:
// it becomes ready, turns an ORDER_PAID message into a shipment the user
// sees, counts the delivery on /metrics, serves the API document, reports
// the broker going away on /readyz, and stops cleanly when ctx is cancelled.
func TestServe(t *testing.T) {
	dbtest.EachDSN(t, func(t *testing.T, dsn string) {
		mc := minirmq.DefaultConfig()
		mc.ListenAddr = "127.0.0.1:0"
		mc.Logger = slog.New(slog.DiscardHandler)
		broker, err := minirmq.Start(mc)
		if err != nil {
			t.Fatal(err)
		}
		brokerClosed := false
		t.Cleanup(func() {
			if !brokerClosed {
				broker.Close()
			}
		})
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := loadConfig(env(map[string]string{"LOGISTICS_DB": dsn, "ROCKETMQ_NAMESERVER": broker.Addr(),
			"ROCKETMQ_CLIENT_LOG_LEVEL": "fatal", "ADMIN_TOKEN": "t0ken"}))
		if err != nil {
			t.Fatal(err)
		}
		cfg.listener, cfg.logOut = ln, io.Discard
		spec, err := apidocs.Spec(serviceName)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		done := make(chan error, 1)
		go func() { done <- run(ctx, cfg) }()

		base := "http://" + ln.Addr().String()
		testkit.Eventually(t, 15*time.Second, "/readyz 200", func() bool {
			status, _ := get(t, "GET", base+"/readyz")
			return status == http.StatusOK
		})

		producer, err := mq.NewProducer(t.Context(), mq.Config{NameServer: broker.Addr(), Service: "serve-test",
			Logger: slog.New(slog.DiscardHandler), ClientLogLevel: "fatal"}, "serve-test-producer")
		if err != nil {
			t.Fatal(err)
		}
		defer producer.Close()
		body, _ := json.Marshal(contracts.OrderPaid{EventID: "ev-1", OrderNo: "RM-SERVE-1", UserID: "alice", TotalCents: 1800,
			Lines:  []contracts.OrderLine{{SKU: "RM-MUG-STONE", Name: "Stoneware Mug", Quantity: 1, UnitPriceCents: 1800}},
			PaidAt: time.Now().UTC()})
		if _, err := producer.Send(t.Context(), mq.Message{Topic: contracts.TopicOrderPaid, Key: "RM-SERVE-1", Body: body}); err != nil {
			t.Fatal(err)
		}
		testkit.Eventually(t, 30*time.Second, "alice's shipment", func() bool {
			status, b := get(t, "GET", base+"/api/v1/shipments", "X-User-ID", "alice")
			return status == http.StatusOK && strings.Contains(b, `"orderNo":"RM-SERVE-1"`)
		})
		if status, b := get(t, "POST", base+"/api/v1/admin/shipments/RM-SERVE-1/ship", "X-Admin-Token", "t0ken"); status != http.StatusOK || !strings.Contains(b, `"status":"SHIPPED"`) {
			t.Errorf("ship = %d %s", status, b)
		}
		if _, b := get(t, "GET", base+"/metrics"); !strings.Contains(b, `rocketmart_consumer_deliveries_total{group="logistics-order-paid",outcome="processed",topic="ORDER_PAID"} 1`) {
			t.Errorf("/metrics does not count the processed delivery")
		}
		if _, b := get(t, "GET", base+"/swagger/doc.json"); b != string(spec) {
			t.Errorf("/swagger/doc.json = %q, want the logistics API document", b)
		}

		broker.Close()
		brokerClosed = true
		testkit.Eventually(t, 15*time.Second, "/readyz to report the broker down", func() bool {
			status, b := get(t, "GET", base+"/readyz")
			return status == http.StatusServiceUnavailable && strings.Contains(b, `"broker"`) && strings.Contains(b, `"database":"ok"`)
		})

		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("run() = %v, want nil after cancel", err)
			}
		case <-time.After(30 * time.Second):
			t.Fatal("run did not return after cancel")
		}
	})
}
