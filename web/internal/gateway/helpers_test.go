package gateway

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/web"
	"github.com/rocketmart/rocketmart/web/internal/session"
	"github.com/rocketmart/rocketmart/web/internal/shoptest"
)

// seen is one request an upstream received.
type seen struct {
	Method, Path, EscapedPath, RawQuery string
	Header                              http.Header
	Body                                string
}

// upstream is a fake service that records what reaches it and answers with
// respond (by default 200 {"ok":true}).
type upstream struct {
	srv     *httptest.Server
	mu      sync.Mutex
	reqs    []seen
	respond http.HandlerFunc
}

func newUpstream(t *testing.T) *upstream {
	u := &upstream{respond: func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		io.WriteString(w, `{"ok":true}`)
	}}
	u.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		u.mu.Lock()
		u.reqs = append(u.reqs, seen{Method: r.Method, Path: r.URL.Path, EscapedPath: r.URL.EscapedPath(),
			RawQuery: r.URL.RawQuery, Header: r.Header.Clone(), Body: string(body)})
		respond := u.respond
		u.mu.Unlock()
		respond(w, r)
	}))
	t.Cleanup(u.srv.Close)
	return u
}

func (u *upstream) setRespond(fn http.HandlerFunc) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.respond = fn
}

func (u *upstream) requests() []seen {
	u.mu.Lock()
	defer u.mu.Unlock()
	return append([]seen(nil), u.reqs...)
}

// last returns the only request the upstream received, failing otherwise.
func (u *upstream) last(t *testing.T) seen {
	t.Helper()
	reqs := u.requests()
	if len(reqs) != 1 {
		t.Fatalf("upstream received %d requests, want 1", len(reqs))
	}
	return reqs[0]
}

// clock lets tests expire sessions without waiting.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// harness is a gateway in front of fake services.
type harness struct {
	gw       *Gateway
	srv      *httptest.Server
	ups      map[string]*upstream
	clock    *clock
	sessions *session.Manager
	audits   int // calls that reached the audit handler
	mu       sync.Mutex
}

const testSecret = "test-secret-0123456789abcdef"

// newHarness starts a gateway with one recording upstream per service, or
// with the URLs in services when given (e.g. a shoptest.Shop's).
func newHarness(t *testing.T, services map[string]string, broker string) *harness {
	t.Helper()
	return newHarnessWith(t, services, func(c *Config) { c.BrokerAdminURL = broker })
}

// newHarnessWith is newHarness with a last say on the gateway's Config
// (the broker's and the control API's URLs).
func newHarnessWith(t *testing.T, services map[string]string, adjust func(*Config)) *harness {
	t.Helper()
	h := &harness{ups: map[string]*upstream{}, clock: &clock{t: time.Now()}}
	if services == nil {
		services = map[string]string{}
		for _, name := range contracts.ServiceNames() {
			h.ups[name] = newUpstream(t)
			services[name] = h.ups[name].srv.URL
		}
	}
	var err error
	h.sessions, err = session.NewManager([]byte(testSecret), time.Hour, contracts.IsDemoUser, h.clock.now)
	if err != nil {
		t.Fatal(err)
	}
	static, err := web.Static()
	if err != nil {
		t.Fatal(err)
	}
	audit := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.mu.Lock()
		h.audits++
		h.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"passed":true,"quiescent":true,"waitedMs":12,"checkedAt":"2030-01-01T00:00:00Z","notes":[],"invariants":[{"id":1,"title":"paid orders charged once","passed":true,"checked":3,"violations":[]}]}`)
	})
	cfg := Config{Services: services, AdminToken: shoptest.AdminToken, Sessions: h.sessions, Static: static}
	if adjust != nil {
		adjust(&cfg)
	}
	h.gw, err = New(cfg, audit, nil)
	if err != nil {
		t.Fatal(err)
	}
	h.srv = httptest.NewServer(h.gw.Handler())
	t.Cleanup(h.srv.Close)
	return h
}

// req describes one browser request.
type req struct {
	method, path, body string
	cookie             *http.Cookie
	header             map[string]string
}

// do sends r to the gateway without following redirects.
func (h *harness) do(t *testing.T, r req) (*http.Response, string) {
	t.Helper()
	if r.method == "" {
		r.method = http.MethodGet
	}
	var body io.Reader
	if r.body != "" {
		body = strings.NewReader(r.body)
	}
	hr, err := http.NewRequest(r.method, h.srv.URL+r.path, body)
	if err != nil {
		t.Fatal(err)
	}
	if r.body != "" {
		hr.Header.Set("Content-Type", "application/json")
	}
	for k, v := range r.header {
		hr.Header.Set(k, v)
	}
	if r.cookie != nil {
		hr.AddCookie(r.cookie)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(hr)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

// signIn signs user in through the API and returns the session cookie.
func (h *harness) signIn(t *testing.T, user string) *http.Cookie {
	t.Helper()
	resp, body := h.do(t, req{method: "POST", path: "/api/session", body: `{"userId":"` + user + `"}`})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("sign in %s: %d %s", user, resp.StatusCode, body)
	}
	for _, c := range resp.Cookies() {
		if c.Name == session.CookieName {
			return c
		}
	}
	t.Fatalf("sign in %s: no %s cookie", user, session.CookieName)
	return nil
}

// errorOf decodes the shared error shape.
func errorOf(t *testing.T, body string) (code, message string, details map[string]any) {
	t.Helper()
	var e struct {
		Error struct {
			Code    string         `json:"code"`
			Message string         `json:"message"`
			Details map[string]any `json:"details"`
		} `json:"error"`
	}
	if err := json.Unmarshal([]byte(body), &e); err != nil || e.Error.Code == "" || e.Error.Message == "" {
		t.Fatalf("body %q is not the shared error shape (%v)", body, err)
	}
	return e.Error.Code, e.Error.Message, e.Error.Details
}

// errorCode decodes the shared error shape and returns its code.
func errorCode(t *testing.T, body string) string {
	t.Helper()
	code, _, _ := errorOf(t, body)
	return code
}

func (h *harness) auditCalls() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.audits
}

// noUpstreamCalls fails when any fake service was called.
func (h *harness) noUpstreamCalls(t *testing.T) {
	t.Helper()
	for name, u := range h.ups {
		if n := len(u.requests()); n != 0 {
			t.Errorf("%s received %d requests, want none", name, n)
		}
	}
}
