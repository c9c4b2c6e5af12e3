package gateway

import (
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/web/internal/shoptest"
)

const trainerToken = "the-trainer-typed-this"

// trainerHarness is a gateway in front of fake services, a fake minirmq
// admin API and a fake control API.
type trainerHarness struct {
	*harness
	broker, control *upstream
}

func newTrainerHarness(t *testing.T, withControl bool) *trainerHarness {
	t.Helper()
	th := &trainerHarness{broker: newUpstream(t), control: newUpstream(t)}
	th.harness = newHarnessWith(t, nil, func(c *Config) {
		c.BrokerAdminURL = th.broker.srv.URL
		if withControl {
			c.ControlURL = th.control.srv.URL
		}
	})
	return th
}

// The trainer's fault routes reach exactly the program's fault API with the
// trainer's token, and nothing else of the browser's identity.
func TestTrainerFaultRoutes(t *testing.T) {
	h := newTrainerHarness(t, false)
	alice := h.signIn(t, "alice")
	const arm = `{"point":"charge","action":"delay","delay":"2s","count":1}`
	cases := []struct {
		method, path, body string
		up                 *upstream
		wantPath           string
	}{
		{"GET", "/api/trainer/faults/order", "", h.ups["order"], "/api/v1/admin/faults"},
		{"POST", "/api/trainer/faults/payment", arm, h.ups["payment"], "/api/v1/admin/faults"},
		{"DELETE", "/api/trainer/faults/order/pay.after-half", "", h.ups["order"], "/api/v1/admin/faults/pay.after-half"},
		{"DELETE", "/api/trainer/faults/points", "", h.ups["points"], "/api/v1/admin/faults"},
		{"GET", "/api/trainer/faults/minirmq", "", h.broker, "/api/v1/faults"},
		{"DELETE", "/api/trainer/faults/minirmq/deliver.points-order-paid", "", h.broker, "/api/v1/faults/deliver.points-order-paid"},
	}
	for _, tc := range cases {
		before := len(tc.up.requests())
		resp, body := h.do(t, req{method: tc.method, path: tc.path, body: tc.body, cookie: alice,
			header: map[string]string{"X-Admin-Token": trainerToken, "X-User-ID": "bob"}})
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s %s: %d %s", tc.method, tc.path, resp.StatusCode, body)
			continue
		}
		reqs := tc.up.requests()
		if len(reqs) != before+1 {
			t.Errorf("%s %s: the program got %d requests, want 1", tc.method, tc.path, len(reqs)-before)
			continue
		}
		got := reqs[len(reqs)-1]
		if got.Method != tc.method || got.Path != tc.wantPath || got.Body != tc.body {
			t.Errorf("%s %s reached the program as %s %s %q, want %s %s %q", tc.method, tc.path, got.Method, got.Path, got.Body,
				tc.method, tc.wantPath, tc.body)
		}
		if tok := got.Header.Values("X-Admin-Token"); len(tok) != 1 || tok[0] != trainerToken {
			t.Errorf("%s %s: the program saw X-Admin-Token %q, want the trainer's", tc.method, tc.path, tok)
		}
		for _, name := range []string{"X-User-ID", "Cookie"} {
			if v := got.Header.Values(name); len(v) != 0 {
				t.Errorf("%s %s: the program saw %s %q", tc.method, tc.path, name, v)
			}
		}
	}

	// The program's own answers, 400 with the field named included, pass
	// through unchanged.
	const refusal = `{"error":{"code":"INVALID_ACTION","message":"charge does not allow crash","details":{"field":"action"}}}`
	h.ups["payment"].setRespond(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		io.WriteString(w, refusal)
	})
	resp, body := h.do(t, req{method: "POST", path: "/api/trainer/faults/payment", body: `{"point":"charge","action":"crash"}`,
		header: map[string]string{"X-Admin-Token": trainerToken}})
	if resp.StatusCode != http.StatusBadRequest || body != refusal {
		t.Errorf("a refused arming came back as %d %s", resp.StatusCode, body)
	}
}

func TestTrainerFaultRoutesRefuse(t *testing.T) {
	h := newTrainerHarness(t, false)
	tok := map[string]string{"X-Admin-Token": trainerToken}
	cases := []struct {
		method, path, body string
		header             map[string]string
		status             int
		code               string
	}{
		{"GET", "/api/trainer/faults/nosuch", "", tok, 404, "UNKNOWN_PROGRAM"},
		{"GET", "/api/trainer/faults/web", "", tok, 404, "UNKNOWN_PROGRAM"},
		{"GET", "/api/trainer/faults", "", tok, 404, "UNKNOWN_SERVICE"}, // the router falls back to /api/{service}/…
		{"DELETE", "/api/trainer/faults/order/a/b", "", tok, 404, "ROUTE_NOT_FOUND"},
		{"DELETE", "/api/trainer/faults/order/..", "", tok, 404, "ROUTE_NOT_FOUND"},
		{"DELETE", "/api/trainer/faults/order/%2e%2e", "", tok, 404, "ROUTE_NOT_FOUND"},
		{"DELETE", "/api/trainer/faults/order/.hidden", "", tok, 404, "ROUTE_NOT_FOUND"},
		{"DELETE", "/api/trainer/faults/order/a%2Fb", "", tok, 404, "ROUTE_NOT_FOUND"},
		{"GET", "/api/trainer/faults/order/pay.local", "", tok, 405, "METHOD_NOT_ALLOWED"},
		{"PUT", "/api/trainer/faults/order", "{}", tok, 405, "METHOD_NOT_ALLOWED"},
		{"POST", "/api/trainer/faults/order", `{"point":"` + strings.Repeat("x", trainerBodyLimit) + `"}`, tok, 413, "BODY_TOO_LARGE"},
		{"POST", "/api/trainer/faults/order", `{}`, mergeHeader(tok, "Origin", "http://evil.example"), 403, "CROSS_ORIGIN"},
		{"DELETE", "/api/trainer/faults/order", "", mergeHeader(tok, "Origin", "http://127.0.0.1:1"), 403, "CROSS_ORIGIN"},
		{"GET", "/api/trainer/control/programs", "", tok, 503, "CONTROL_NOT_AVAILABLE"},
	}
	for _, tc := range cases {
		resp, body := h.do(t, req{method: tc.method, path: tc.path, body: tc.body, header: tc.header})
		if resp.StatusCode != tc.status || errorCode(t, body) != tc.code {
			t.Errorf("%s %s: %d %s, want %d %s", tc.method, tc.path, resp.StatusCode, body, tc.status, tc.code)
		}
	}
	for name, u := range h.ups {
		if n := len(u.requests()); n != 0 && name != "order" {
			t.Errorf("%s received %d requests, want none", name, n)
		}
	}
	// The body limit cuts the stream: the order service may have seen the
	// start of one request, never a complete oversized body.
	for _, r := range h.ups["order"].requests() {
		if len(r.Body) > trainerBodyLimit {
			t.Errorf("order received a %d byte body", len(r.Body))
		}
	}
	if n := len(h.broker.requests()); n != 0 {
		t.Errorf("minirmq received %d requests", n)
	}

	// Without a broker admin API (Apache RocketMQ) there is no minirmq program.
	h2 := newHarness(t, nil, "")
	resp, body := h2.do(t, req{path: "/api/trainer/faults/minirmq", header: tok})
	if resp.StatusCode != 404 || errorCode(t, body) != "UNKNOWN_PROGRAM" {
		t.Errorf("minirmq without a broker admin URL: %d %s", resp.StatusCode, body)
	}
}

// The browser's token reaches only the trainer routes: the normal service
// routes strip it, as before.
func TestTrainerTokenStaysOnTrainerRoutes(t *testing.T) {
	h := newTrainerHarness(t, true)
	alice := h.signIn(t, "alice")
	h.do(t, req{method: "POST", path: "/api/order/orders", body: `{}`, cookie: alice,
		header: map[string]string{"X-Admin-Token": trainerToken, "Idempotency-Key": "k1"}})
	if v := h.ups["order"].last(t).Header.Values("X-Admin-Token"); len(v) != 0 {
		t.Errorf("the order route passed on X-Admin-Token %q", v)
	}
}

func TestTrainerControlRoutes(t *testing.T) {
	h := newTrainerHarness(t, true)
	resp, body := h.do(t, req{method: "POST", path: "/api/trainer/control/programs/payment/crash",
		header: map[string]string{"X-Admin-Token": trainerToken}})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("crash through the gateway: %d %s", resp.StatusCode, body)
	}
	got := h.control.last(t)
	if got.Method != "POST" || got.Path != "/api/v1/programs/payment/crash" || got.Header.Get("X-Admin-Token") != trainerToken {
		t.Errorf("the control API got %s %s with token %q", got.Method, got.Path, got.Header.Get("X-Admin-Token"))
	}
	resp, body = h.do(t, req{method: "POST", path: "/api/trainer/control/programs/../reset"})
	if resp.StatusCode != http.StatusNotFound || errorCode(t, body) != "ROUTE_NOT_FOUND" || len(h.control.requests()) != 1 {
		t.Errorf("a dot-dot control path: %d %s after %d control calls", resp.StatusCode, body, len(h.control.requests()))
	}
	h.control.srv.Close()
	resp, body = h.do(t, req{path: "/api/trainer/control/programs", header: map[string]string{"X-Admin-Token": trainerToken}})
	if resp.StatusCode != http.StatusServiceUnavailable || errorCode(t, body) != "DEPENDENCY_UNAVAILABLE" {
		t.Errorf("control API down: %d %s", resp.StatusCode, body)
	}
}

// GET /api/faults: every program's armed faults with the program named,
// read with the gateway's own token and no sign-in; a program that does not
// answer is listed as unreachable, not an error.
func TestArmedFaults(t *testing.T) {
	h := newTrainerHarness(t, false)
	listing := func(armed string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"program":"x","points":[],"armed":[`+armed+`]}`)
		}
	}
	for _, name := range contracts.ServiceNames() {
		h.ups[name].setRespond(listing(""))
	}
	h.ups["order"].setRespond(listing(`{"point":"pay.after-half","action":"crash","count":1,"left":1,"hits":0}`))
	h.broker.setRespond(listing(`{"point":"deliver","action":"pause","hits":3}`))
	h.ups["cart"].setRespond(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, `{"error":{"code":"ROUTE_NOT_FOUND","message":"no such route"}}`)
	})
	h.ups["payment"].srv.Close()

	resp, body := h.do(t, req{path: "/api/faults", header: map[string]string{"X-Admin-Token": "browser-forged"}})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /api/faults: %d %s", resp.StatusCode, body)
	}
	var got ArmedFaults
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatal(err)
	}
	wantPrograms := append([]string{"minirmq"}, contracts.ServiceNames()...)
	if !slices.Equal(got.Programs, wantPrograms) {
		t.Errorf("programs %v, want %v", got.Programs, wantPrograms)
	}
	var armed []string
	for _, a := range got.Armed {
		armed = append(armed, a["program"].(string)+" "+a["point"].(string)+" "+a["action"].(string))
	}
	if want := []string{"minirmq deliver pause", "order pay.after-half crash"}; !slices.Equal(armed, want) {
		t.Errorf("armed %v, want %v", armed, want)
	}
	if got.Armed[1]["left"] != 1.0 {
		t.Errorf("order's entry lost its fields: %v", got.Armed[1])
	}
	wantUnreachable := []Unreachable{
		{"payment", "did not answer"},
		{"cart", "has no fault switches (ROUTE_NOT_FOUND)"},
	}
	if !slices.Equal(got.Unreachable, wantUnreachable) {
		t.Errorf("unreachable %v, want %v", got.Unreachable, wantUnreachable)
	}
	for _, u := range append([]*upstream{h.broker}, h.ups["order"], h.ups["cart"]) {
		r := u.last(t)
		if r.Path != "/api/v1/admin/faults" && r.Path != "/api/v1/faults" || r.Header.Get("X-Admin-Token") != shoptest.AdminToken {
			t.Errorf("the gateway read %s with token %q, want its own", r.Path, r.Header.Get("X-Admin-Token"))
		}
	}
}

// Every open page polls GET /api/faults: within the cache's interval the
// programs are read once, however many pages ask; a change made through
// the trainer routes makes the next poll read again.
func TestArmedFaultsAreReadOncePerInterval(t *testing.T) {
	h := newTrainerHarness(t, true)
	reads := func() int { return len(h.ups["order"].requests()) }
	for range 5 {
		if resp, body := h.do(t, req{path: "/api/faults"}); resp.StatusCode != http.StatusOK {
			t.Fatalf("GET /api/faults: %d %s", resp.StatusCode, body)
		}
	}
	if n := reads(); n != 1 {
		t.Errorf("five polls read order %d times, want once", n)
	}
	for _, change := range []req{
		{method: "POST", path: "/api/trainer/faults/order", body: `{"point":"pay.local","action":"fail"}`},
		{method: "DELETE", path: "/api/trainer/faults/order/pay.local"},
		{method: "POST", path: "/api/trainer/control/reset"},
	} {
		before := reads()
		change.header = map[string]string{"X-Admin-Token": trainerToken}
		h.do(t, change)
		h.do(t, req{path: "/api/faults"})
		// The change itself may have gone to order; the poll after it reads again.
		if got := h.ups["order"].requests(); len(got) < before+1 || got[len(got)-1].Method != "GET" || got[len(got)-1].Path != "/api/v1/admin/faults" {
			t.Errorf("after %s %s the next poll did not read order again", change.method, change.path)
		}
	}
}
