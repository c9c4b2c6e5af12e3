package gateway

import (
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/platform/testkit"
	"github.com/rocketmart/rocketmart/web"
	"github.com/rocketmart/rocketmart/web/internal/session"
)

func TestPathMappingAndQuery(t *testing.T) {
	h := newHarness(t, nil, "")
	alice := h.signIn(t, "alice")
	cases := []struct {
		method, path, service, wantPath, wantQuery string
	}{
		{"GET", "/api/inventory/products", "inventory", "/api/v1/products", ""},
		{"GET", "/api/inventory/products/RM-TENT-2P", "inventory", "/api/v1/products/RM-TENT-2P", ""},
		{"POST", "/api/order/orders/ORD-1/pay", "order", "/api/v1/orders/ORD-1/pay", ""},
		{"GET", "/api/order/orders?limit=5&q=a%20b", "order", "/api/v1/orders", "limit=5&q=a%20b"},
		{"PUT", "/api/cart/cart/items/RM-MUG", "cart", "/api/v1/cart/items/RM-MUG", ""},
		{"DELETE", "/api/cart/cart/items/A%2FB", "cart", "/api/v1/cart/items/A%2FB", ""},
		{"GET", "/api/payment/wallet", "payment", "/api/v1/wallet", ""},
		{"GET", "/api/logistics/shipments/ORD-1", "logistics", "/api/v1/shipments/ORD-1", ""},
		{"GET", "/api/points/points", "points", "/api/v1/points", ""},
	}
	for _, tc := range cases {
		before := len(h.ups[tc.service].requests())
		resp, body := h.do(t, req{method: tc.method, path: tc.path, cookie: alice})
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s %s: %d %s", tc.method, tc.path, resp.StatusCode, body)
			continue
		}
		reqs := h.ups[tc.service].requests()
		if len(reqs) != before+1 {
			t.Errorf("%s %s: %s got %d requests, want 1", tc.method, tc.path, tc.service, len(reqs)-before)
			continue
		}
		got := reqs[len(reqs)-1]
		if got.Method != tc.method || got.EscapedPath != tc.wantPath || got.RawQuery != tc.wantQuery {
			t.Errorf("%s %s reached %s as %s %s?%s, want %s %s?%s", tc.method, tc.path, tc.service,
				got.Method, got.EscapedPath, got.RawQuery, tc.method, tc.wantPath, tc.wantQuery)
		}
	}
}

func TestBodyAndIdempotencyKeyForwarded(t *testing.T) {
	h := newHarness(t, nil, "")
	alice := h.signIn(t, "alice")
	const payload = `{"address":{"name":"Alice Rich","line1":"1 Market St"}}`
	resp, body := h.do(t, req{method: "POST", path: "/api/order/orders", body: payload, cookie: alice,
		header: map[string]string{"Idempotency-Key": "web-abc123"}})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	got := h.ups["order"].last(t)
	if got.Body != payload || got.Header.Get("Idempotency-Key") != "web-abc123" || got.Header.Get("Content-Type") != "application/json" {
		t.Errorf("upstream got body %q key %q type %q", got.Body, got.Header.Get("Idempotency-Key"), got.Header.Get("Content-Type"))
	}
	if got.Header.Get("X-User-ID") != "alice" {
		t.Errorf("upstream got user %q", got.Header.Get("X-User-ID"))
	}
}

func TestStatusAndErrorBodiesPassThrough(t *testing.T) {
	h := newHarness(t, nil, "")
	alice := h.signIn(t, "alice")
	for _, tc := range []struct {
		status int
		body   string
	}{
		{409, `{"error":{"code":"OUT_OF_STOCK","message":"not enough stock for 1 product","details":{"short":["RM-TENT-2P"]}}}`},
		{402, `{"error":{"code":"INSUFFICIENT_FUNDS","message":"balance 1500 is short of 2598 cents"}}`},
		{202, `{"outcome":"PENDING","order":{"orderNo":"ORD-1"}}`},
		{422, `{"error":{"code":"IDEMPOTENCY_KEY_REUSED","message":"reused"}}`},
		{500, `{"error":{"code":"INTERNAL","message":"internal error"}}`},
	} {
		h.ups["order"].setRespond(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			w.Header().Set("Set-Cookie", "evil=1")
			w.Header().Set("Location", "/api/v1/orders/ORD-1")
			w.WriteHeader(tc.status)
			io.WriteString(w, tc.body)
		})
		resp, body := h.do(t, req{method: "POST", path: "/api/order/orders/ORD-1/pay", cookie: alice})
		if resp.StatusCode != tc.status || body != tc.body {
			t.Errorf("got %d %s, want %d %s", resp.StatusCode, body, tc.status, tc.body)
		}
		if ct := resp.Header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
			t.Errorf("content type %q", ct)
		}
		if resp.Header.Get("Set-Cookie") != "" {
			t.Error("a service's Set-Cookie reached the browser")
		}
		if ids := resp.Header.Values("X-Request-ID"); len(ids) != 1 {
			t.Errorf("X-Request-ID %q, want exactly one", ids)
		}
	}
}

func TestUpstreamDownIs503(t *testing.T) {
	h := newHarness(t, nil, "")
	alice := h.signIn(t, "alice")
	h.ups["payment"].srv.Close()
	resp, body := h.do(t, req{path: "/api/payment/wallet", cookie: alice})
	if resp.StatusCode != http.StatusServiceUnavailable || errorCode(t, body) != "DEPENDENCY_UNAVAILABLE" {
		t.Fatalf("%d %s, want 503 DEPENDENCY_UNAVAILABLE", resp.StatusCode, body)
	}
	if !strings.Contains(body, `"service":"payment"`) || strings.Contains(body, "127.0.0.1") {
		t.Errorf("body %s should name the service and not its address", body)
	}
}

func TestUnknownServiceIs404(t *testing.T) {
	h := newHarness(t, nil, "")
	alice := h.signIn(t, "alice")
	resp, body := h.do(t, req{path: "/api/warehouse/things", cookie: alice})
	if resp.StatusCode != http.StatusNotFound || errorCode(t, body) != "UNKNOWN_SERVICE" {
		t.Fatalf("%d %s, want 404 UNKNOWN_SERVICE", resp.StatusCode, body)
	}
	h.noUpstreamCalls(t)
}

func TestCatalogueAndImagesArePublic(t *testing.T) {
	h := newHarness(t, nil, "")
	resp, body := h.do(t, req{path: "/api/inventory/products", header: map[string]string{"X-User-ID": "bob"}})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("catalogue without a session: %d %s", resp.StatusCode, body)
	}
	if got := h.ups["inventory"].last(t); got.Header.Get("X-User-ID") != "" {
		t.Errorf("anonymous request reached inventory as %q", got.Header.Get("X-User-ID"))
	}

	h.ups["inventory"].setRespond(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/svg+xml")
		io.WriteString(w, "<svg/>")
	})
	resp, body = h.do(t, req{path: "/images/RM-TENT-2P.svg"})
	reqs := h.ups["inventory"].requests()
	if resp.StatusCode != http.StatusOK || body != "<svg/>" || resp.Header.Get("Content-Type") != "image/svg+xml" {
		t.Errorf("image: %d %q %q", resp.StatusCode, body, resp.Header.Get("Content-Type"))
	}
	if p := reqs[len(reqs)-1].Path; p != "/images/RM-TENT-2P.svg" {
		t.Errorf("image reached inventory as %s", p)
	}
	if resp, _ := h.do(t, req{path: "/images/../api/v1/admin/stock"}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("image path with ..: %d, want 404", resp.StatusCode)
	}
}

// The gateway knows while a pay request is running, which the progress
// document reports as in_flight.
func TestPayRequestIsTrackedWhileRunning(t *testing.T) {
	h := newHarness(t, nil, "")
	alice := h.signIn(t, "alice")
	release := make(chan struct{})
	h.ups["order"].setRespond(func(w http.ResponseWriter, r *http.Request) { <-release })
	done := make(chan struct{})
	go func() {
		defer close(done)
		h.do(t, req{method: "POST", path: "/api/order/orders/ORD-9/pay", cookie: alice})
	}()
	testkit.Eventually(t, 5*time.Second, "pay request tracked", func() bool { return h.gw.pays.InFlight("ORD-9") })
	close(release)
	<-done
	if h.gw.pays.InFlight("ORD-9") {
		t.Error("still in flight after the answer")
	}
}

// TestEveryServiceIsProxied: the gateway proxies each service of contracts'
// table to its own upstream, and names the table's services when asked for
// another.
func TestEveryServiceIsProxied(t *testing.T) {
	h := newHarness(t, nil, "")
	alice := h.signIn(t, "alice")
	for _, name := range contracts.ServiceNames() {
		resp, body := h.do(t, req{path: "/api/" + name + "/things", cookie: alice})
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s: %d %s", name, resp.StatusCode, body)
			continue
		}
		if got := h.ups[name].last(t).Path; got != "/api/v1/things" {
			t.Errorf("%s upstream got %s, want /api/v1/things", name, got)
		}
	}
	_, body := h.do(t, req{path: "/api/warehouse/things", cookie: alice})
	var e struct {
		Error struct {
			Details struct{ Services []string }
		}
	}
	if err := json.Unmarshal([]byte(body), &e); err != nil || !slices.Equal(e.Error.Details.Services, contracts.ServiceNames()) {
		t.Errorf("UNKNOWN_SERVICE body %s, want the table's services listed (%v)", body, err)
	}
}

func TestNewNeedsEveryServiceURL(t *testing.T) {
	services := map[string]string{}
	for _, name := range contracts.ServiceNames() {
		services[name] = "http://127.0.0.1:1"
	}
	delete(services, contracts.ServiceCart)
	static, err := web.Static()
	if err != nil {
		t.Fatal(err)
	}
	sessions, err := session.NewManager([]byte(testSecret), time.Hour, contracts.IsDemoUser, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = New(Config{Services: services, Sessions: sessions, Static: static}, http.NotFoundHandler(), nil)
	if err == nil || !strings.Contains(err.Error(), "cart") {
		t.Fatalf("err = %v, want one naming the cart service", err)
	}
}
