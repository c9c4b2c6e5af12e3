package gateway

import (
	"net/http"
	"testing"

	"github.com/rocketmart/rocketmart/web/internal/shoptest"
)

// The broker page's routes reach exactly minirmq's admin reads and a dead
// letter's replay, with the admin token and nothing of the browser's identity.
func TestBrokerRoutes(t *testing.T) {
	h := newTrainerHarness(t, false)
	alice := h.signIn(t, "alice")
	tok := map[string]string{"X-Admin-Token": shoptest.AdminToken, "X-User-ID": "bob"}
	for _, tc := range []struct{ method, path, want, query string }{
		{"GET", "/api/trainer/broker/topics", "/api/v1/topics", ""},
		{"GET", "/api/trainer/broker/transactions?state=pending", "/api/v1/transactions", "state=pending"},
		{"GET", "/api/trainer/broker/consumer-groups", "/api/v1/consumer-groups", ""},
		{"GET", "/api/trainer/broker/consumer-groups/points-order-paid", "/api/v1/consumer-groups/points-order-paid", ""},
		{"GET", "/api/trainer/broker/dead-letters", "/api/v1/dead-letters", ""},
		{"GET", "/api/trainer/broker/dead-letters/points-order-paid", "/api/v1/dead-letters/points-order-paid", ""},
		{"GET", "/api/trainer/broker/delayed", "/api/v1/delayed", ""},
		{"GET", "/api/trainer/broker/producer-groups", "/api/v1/producer-groups", ""},
		{"POST", "/api/trainer/broker/dead-letters/points-order-paid/17/replay", "/api/v1/dead-letters/points-order-paid/17/replay", ""},
	} {
		before := len(h.broker.requests())
		resp, body := h.do(t, req{method: tc.method, path: tc.path, cookie: alice, header: tok})
		reqs := h.broker.requests()
		if resp.StatusCode != http.StatusOK || len(reqs) != before+1 {
			t.Errorf("%s %s: %d %s, minirmq got %d requests", tc.method, tc.path, resp.StatusCode, body, len(reqs)-before)
			continue
		}
		adminForwarded(t, h.broker, "minirmq", tc.method, tc.want, tc.query)
	}
}

func TestBrokerRoutesRefuse(t *testing.T) {
	h := newTrainerHarness(t, false)
	tok := map[string]string{"X-Admin-Token": shoptest.AdminToken}
	for _, tc := range []struct {
		method, path string
		header       map[string]string
		status       int
		code         string
	}{
		{"GET", "/api/trainer/broker/topics", nil, 401, "ADMIN_TOKEN_REQUIRED"},
		{"GET", "/api/trainer/broker/topics", map[string]string{"X-Admin-Token": trainerToken}, 403, "INVALID_ADMIN_TOKEN"},
		{"POST", "/api/trainer/broker/dead-letters/g/1/replay", map[string]string{"X-Admin-Token": "guess"}, 403, "INVALID_ADMIN_TOKEN"},
		{"GET", "/api/trainer/broker/faults", tok, 404, "ROUTE_NOT_FOUND"},
		{"DELETE", "/api/trainer/broker/faults", tok, 404, "ROUTE_NOT_FOUND"},
		{"POST", "/api/trainer/broker/consumer-groups/g/redeliver", tok, 404, "ROUTE_NOT_FOUND"},
		{"GET", "/api/trainer/broker/topics/ORDER_PAID/messages", tok, 404, "ROUTE_NOT_FOUND"},
		{"GET", "/api/trainer/broker/consumer-groups/..", tok, 404, "ROUTE_NOT_FOUND"},
		{"GET", "/api/trainer/broker/consumer-groups/.hidden", tok, 404, "ROUTE_NOT_FOUND"},
		{"GET", "/api/trainer/broker/consumer-groups/a%2Fb", tok, 404, "ROUTE_NOT_FOUND"},
		{"POST", "/api/trainer/broker/dead-letters/g/x1/replay", tok, 404, "ROUTE_NOT_FOUND"},
		{"GET", "/api/trainer/broker/dead-letters/g/1/replay", tok, 405, "METHOD_NOT_ALLOWED"},
		{"POST", "/api/trainer/broker/topics", tok, 405, "METHOD_NOT_ALLOWED"},
		{"POST", "/api/trainer/broker/dead-letters/g/1/replay", mergeHeader(tok, "Origin", "http://evil.example"), 403, "CROSS_ORIGIN"},
	} {
		resp, body := h.do(t, req{method: tc.method, path: tc.path, header: tc.header})
		if resp.StatusCode != tc.status || errorCode(t, body) != tc.code {
			t.Errorf("%s %s: %d %s, want %d %s", tc.method, tc.path, resp.StatusCode, body, tc.status, tc.code)
		}
	}
	if n := len(h.broker.requests()); n != 0 {
		t.Errorf("minirmq received %d requests", n)
	}

	// Without a broker admin API (Apache RocketMQ) there is nothing to show.
	h2 := newHarness(t, nil, "")
	resp, body := h2.do(t, req{path: "/api/trainer/broker/topics", header: tok})
	if resp.StatusCode != http.StatusServiceUnavailable || errorCode(t, body) != CodeBrokerNotAvailable {
		t.Errorf("no broker admin URL: %d %s", resp.StatusCode, body)
	}
}
