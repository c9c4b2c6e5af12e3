package gateway

import (
	"net/http"
	"testing"

	"github.com/rocketmart/rocketmart/web/internal/shoptest"
)

// The trainer's order moves reach exactly one admin endpoint each, with the
// trainer's token and nothing of the browser's identity.
func TestTrainerOrderRoutes(t *testing.T) {
	h := newTrainerHarness(t, false)
	alice := h.signIn(t, "alice")
	tok := map[string]string{"X-Admin-Token": shoptest.AdminToken, "X-User-ID": "bob"}
	const no = "RM20301231-ABCD1234"
	for _, tc := range []struct {
		method, path, service, want, query string
	}{
		{"GET", "/api/trainer/orders?status=PAID", "order", "/api/v1/admin/orders", "status=PAID"},
		{"POST", "/api/trainer/orders/" + no + "/ship", "logistics", "/api/v1/admin/shipments/" + no + "/ship", ""},
		{"POST", "/api/trainer/orders/" + no + "/deliver", "logistics", "/api/v1/admin/shipments/" + no + "/deliver", ""},
		{"POST", "/api/trainer/orders/" + no + "/accept-return", "order", "/api/v1/admin/orders/" + no + "/return/accept", ""},
	} {
		up := h.ups[tc.service]
		before := len(up.requests())
		resp, body := h.do(t, req{method: tc.method, path: tc.path, cookie: alice, header: tok})
		reqs := up.requests()
		if resp.StatusCode != http.StatusOK || len(reqs) != before+1 {
			t.Errorf("%s %s: %d %s, %s got %d requests", tc.method, tc.path, resp.StatusCode, body, tc.service, len(reqs)-before)
			continue
		}
		adminForwarded(t, up, tc.service, tc.method, tc.want, tc.query)
	}
}

func TestTrainerOrderRoutesRefuse(t *testing.T) {
	h := newTrainerHarness(t, false)
	tok := map[string]string{"X-Admin-Token": shoptest.AdminToken}
	for _, tc := range []struct {
		method, path string
		status       int
	}{
		{"POST", "/api/trainer/orders/RM1/cancel", 404},
		{"POST", "/api/trainer/orders/RM1/refund", 404},
		{"POST", "/api/trainer/orders/RM%2F1/ship", 405},
		{"POST", "/api/trainer/orders/..%2Fadmin/ship", 405},
		{"GET", "/api/trainer/orders/RM1/ship", 404},
	} {
		resp, body := h.do(t, req{method: tc.method, path: tc.path, header: tok})
		if resp.StatusCode != tc.status {
			t.Errorf("%s %s: %d %s, want %d", tc.method, tc.path, resp.StatusCode, body, tc.status)
		}
	}
	for name, up := range h.ups {
		if n := len(up.requests()); n != 0 {
			t.Errorf("%s got %d requests from refused moves", name, n)
		}
	}
}

// adminForwarded checks that the last request up received is method path
// ?query with the admin token and nothing of the browser's identity: what
// the trainer's admin routes (broker reads, order moves) send.
func adminForwarded(t *testing.T, up *upstream, name, method, path, query string) {
	t.Helper()
	reqs := up.requests()
	got := reqs[len(reqs)-1]
	if got.Method != method || got.Path != path || got.RawQuery != query {
		t.Errorf("%s %s?%s reached %s as %s %s?%s", method, path, query, name, got.Method, got.Path, got.RawQuery)
	}
	if v := got.Header.Values("X-Admin-Token"); len(v) != 1 || v[0] != shoptest.AdminToken {
		t.Errorf("%s %s: %s saw X-Admin-Token %q", method, path, name, v)
	}
	for _, h := range []string{"X-User-ID", "Cookie"} {
		if v := got.Header.Values(h); len(v) != 0 {
			t.Errorf("%s %s: %s saw %s %q", method, path, name, h, v)
		}
	}
}
