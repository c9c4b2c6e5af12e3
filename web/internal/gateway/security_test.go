package gateway

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestForgedIdentityHeadersAreReplaced(t *testing.T) {
	h := newHarness(t, nil, "")
	alice := h.signIn(t, "alice")
	resp, body := h.do(t, req{path: "/api/cart/cart", cookie: alice, header: map[string]string{
		"X-User-ID": "bob", "X-Admin-Token": "rocketmart-admin", "Authorization": "Bearer x",
	}})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d %s", resp.StatusCode, body)
	}
	got := h.ups["cart"].last(t)
	if ids := got.Header.Values("X-User-ID"); len(ids) != 1 || ids[0] != "alice" {
		t.Errorf("upstream saw X-User-ID %q, want only alice", ids)
	}
	for _, name := range []string{"X-Admin-Token", "Cookie", "Authorization"} {
		if v := got.Header.Values(name); len(v) != 0 {
			t.Errorf("upstream saw %s %q from the browser", name, v)
		}
	}
	if got.Header.Get("X-Request-ID") == "" {
		t.Error("upstream got no X-Request-ID to correlate logs")
	}
}

// A browser listing X-User-ID in Connection asks proxies to drop that
// header as hop-by-hop. The gateway sets X-User-ID after hop-by-hop headers
// are removed (Rewrite, not Director), so the service still learns the user.
func TestConnectionHeaderCannotStripIdentity(t *testing.T) {
	h := newHarness(t, nil, "")
	alice := h.signIn(t, "alice")
	conn, err := net.Dial("tcp", strings.TrimPrefix(h.srv.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "GET /api/cart/cart HTTP/1.1\r\nHost: x\r\nCookie: %s=%s\r\nConnection: close, X-User-ID, X-Request-ID\r\nX-User-ID: bob\r\n\r\n",
		alice.Name, alice.Value)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if ids := h.ups["cart"].last(t).Header.Values("X-User-ID"); len(ids) != 1 || ids[0] != "alice" {
		t.Errorf("upstream saw X-User-ID %q, want alice", ids)
	}
}

func TestUserScopedPathsNeedASession(t *testing.T) {
	h := newHarness(t, nil, "")
	for _, r := range []req{
		{path: "/api/cart/cart"},
		{method: "POST", path: "/api/cart/cart/items", body: `{"sku":"X","quantity":1}`},
		{method: "POST", path: "/api/order/orders", body: `{}`, header: map[string]string{"Idempotency-Key": "k"}},
		{method: "POST", path: "/api/order/orders/ORD-1/pay"},
		{path: "/api/order/orders/ORD-1"},
		{path: "/api/payment/wallet"},
		{path: "/api/points/points"},
		{path: "/api/logistics/shipments"},
		{path: "/api/inventory/reservations/ORD-1"},
		{method: "POST", path: "/api/inventory/products"},
		{path: "/api/progress/ORD-1"},
	} {
		r.header = mergeHeader(r.header, "X-User-ID", "alice") // a forged id is no session
		resp, body := h.do(t, r)
		if resp.StatusCode != http.StatusUnauthorized || errorCode(t, body) != "SIGN_IN_REQUIRED" {
			t.Errorf("%s %s without a session: %d %s, want 401 SIGN_IN_REQUIRED", r.method, r.path, resp.StatusCode, body)
		}
	}
	h.noUpstreamCalls(t)
}

func TestTamperedOrExpiredCookieIs401(t *testing.T) {
	h := newHarness(t, nil, "")
	good := h.signIn(t, "alice")
	payload, mac, _ := strings.Cut(good.Value, ".")
	bobPayload := strings.Replace(payload, "YWxpY2", "Ym9i", 1) // not a valid forgery either way: the MAC no longer matches
	cases := []struct {
		name, value, code string
	}{
		{"payload changed", bobPayload + "." + mac, "INVALID_SESSION"},
		{"mac changed", payload + "." + strings.ToUpper(mac[:4]) + mac[4:] + "x", "INVALID_SESSION"},
		{"garbage", "not-a-session", "INVALID_SESSION"},
	}
	for _, tc := range cases {
		resp, body := h.do(t, req{path: "/api/cart/cart", cookie: &http.Cookie{Name: good.Name, Value: tc.value}})
		if resp.StatusCode != http.StatusUnauthorized || errorCode(t, body) != tc.code {
			t.Errorf("%s: %d %s, want 401 %s", tc.name, resp.StatusCode, body, tc.code)
		}
		if !clearsCookie(resp) {
			t.Errorf("%s: the bad cookie was not cleared", tc.name)
		}
	}

	h.clock.add(time.Hour)
	resp, body := h.do(t, req{path: "/api/order/orders", cookie: good})
	if resp.StatusCode != http.StatusUnauthorized || errorCode(t, body) != "SESSION_EXPIRED" {
		t.Errorf("expired: %d %s, want 401 SESSION_EXPIRED", resp.StatusCode, body)
	}
	if resp, _ := h.do(t, req{path: "/api/session", cookie: good}); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("GET /api/session with an expired cookie: %d, want 401", resp.StatusCode)
	}
	h.noUpstreamCalls(t)
}

func clearsCookie(resp *http.Response) bool {
	for _, c := range resp.Cookies() {
		if c.Name == "rm_session" && c.MaxAge < 0 {
			return true
		}
	}
	return false
}

func TestAdminPathsAreNotProxied(t *testing.T) {
	h := newHarness(t, nil, "")
	alice := h.signIn(t, "alice")
	for _, path := range []string{
		"/api/order/admin/orders",
		"/api/inventory/admin/stock",
		"/api/payment/ADMIN/wallets",
		"/api/cart/%61dmin/carts/alice",
		"/api/logistics/admin/shipments/ORD-1",
		"/api/points/admin/points/ledger?orderNo=ORD-1",
		"/api/order/orders/../admin/orders",
		"/api/order/orders/%2e%2e/admin/orders",
		"/api/order//admin/orders",
		"/api/order/./admin/orders",
	} {
		resp, body := h.do(t, req{path: path, cookie: alice, header: map[string]string{"X-Admin-Token": "rocketmart-admin"}})
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d %s, want 404", path, resp.StatusCode, body)
		} else {
			errorCode(t, body)
		}
	}
	h.noUpstreamCalls(t)
}

func TestCrossOriginWritesRefused(t *testing.T) {
	h := newHarness(t, nil, "")
	alice := h.signIn(t, "alice")
	resp, body := h.do(t, req{method: "POST", path: "/api/order/orders/ORD-1/pay", cookie: alice,
		header: map[string]string{"Origin": "http://localhost:3000"}})
	if resp.StatusCode != http.StatusForbidden || errorCode(t, body) != "CROSS_ORIGIN" {
		t.Fatalf("%d %s, want 403 CROSS_ORIGIN", resp.StatusCode, body)
	}
	h.noUpstreamCalls(t)

	u, _ := url.Parse(h.srv.URL)
	resp, body = h.do(t, req{method: "POST", path: "/api/order/orders/ORD-1/pay", cookie: alice,
		header: map[string]string{"Origin": "http://" + u.Host}})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("same origin: %d %s", resp.StatusCode, body)
	}
}

func mergeHeader(m map[string]string, k, v string) map[string]string {
	out := map[string]string{k: v}
	for key, val := range m {
		out[key] = val
	}
	return out
}
