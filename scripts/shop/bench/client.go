package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"time"
)

// client calls the services straight, as Swagger and the labs do: the
// caller is whoever X-User-ID names, admin routes take the admin token.
// One keep-alive transport serves every worker, so the benchmark measures
// requests, not TCP handshakes.
type client struct {
	http  *http.Client
	urls  map[string]string // the launcher's Shop.URL
	token string
}

// callTimeout is above the order service's 30 s pay budget.
const callTimeout = 60 * time.Second

func newClient(urls map[string]string, token string) *client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns, tr.MaxIdleConnsPerHost = 1024, 512
	return &client{http: &http.Client{Transport: tr, Timeout: callTimeout}, urls: urls, token: token}
}

// answer is one request's outcome. Status 0 is no HTTP answer.
type answer struct {
	status     int
	code       string // the error code, or the pay outcome
	orderNo    string
	start, end time.Time
}

func (a answer) took() time.Duration { return a.end.Sub(a.start) }

// reply is the part of the services' answers the benchmark reads.
type reply struct {
	OrderNo string `json:"orderNo"`
	Outcome string `json:"outcome"`
	Error   *struct {
		Code string `json:"code"`
	} `json:"error"`
}

// do sends one JSON request; headers are name, value pairs.
func (c *client) do(ctx context.Context, method, url string, in any, headers ...string) answer {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			panic(err) // only the benchmark's own literals are marshalled
		}
		body = bytes.NewReader(b)
	}
	a := answer{start: time.Now()}
	req, err := http.NewRequestWithContext(ctx, method, url, body)
	if err != nil {
		a.end, a.code = time.Now(), err.Error()
		return a
	}
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := c.http.Do(req)
	if err != nil {
		a.end, a.code = time.Now(), "NO_ANSWER"
		return a
	}
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	a.end, a.status = time.Now(), resp.StatusCode
	var r reply
	json.Unmarshal(raw, &r) // a body that is not JSON leaves r empty; the status says enough
	a.orderNo, a.code = r.OrderNo, r.Outcome
	if r.Error != nil {
		a.code = r.Error.Code
	}
	return a
}

var address = map[string]string{"name": "Bench Tester", "line1": "1 Load Lane", "city": "London", "postalCode": "N1 7AA", "country": "GB"}

// place orders one unit of sku as user under an idempotency key.
func (c *client) place(ctx context.Context, user, key, sku string) answer {
	return c.do(ctx, http.MethodPost, c.urls["order"]+"/api/v1/orders",
		map[string]any{"lines": []map[string]any{{"sku": sku, "quantity": 1}}, "address": address},
		"X-User-ID", user, "Idempotency-Key", key)
}

// pay pays user's order.
func (c *client) pay(ctx context.Context, user, orderNo string) answer {
	return c.do(ctx, http.MethodPost, c.urls["order"]+"/api/v1/orders/"+orderNo+"/pay", nil, "X-User-ID", user)
}

// restock adds units to sku once per key.
func (c *client) restock(ctx context.Context, key, sku string, units int) error {
	a := c.do(ctx, http.MethodPost, c.urls["inventory"]+"/api/v1/admin/stock/"+sku+"/restock",
		map[string]int{"quantity": units}, "X-Admin-Token", c.token, "Idempotency-Key", key)
	if a.status/100 != 2 {
		return fmt.Errorf("restock %s: %d %s", sku, a.status, a.code)
	}
	return nil
}

// fund tops up every user's wallet by cents, once per key.
func (c *client) fund(ctx context.Context, key string, users []string, cents int64) error {
	var lines []map[string]any
	for _, u := range users {
		lines = append(lines, map[string]any{"userId": u, "amountCents": cents})
	}
	a := c.do(ctx, http.MethodPost, c.urls["payment"]+"/api/v1/admin/wallets/top-ups",
		map[string]any{"topUps": lines}, "X-Admin-Token", c.token, "Idempotency-Key", key)
	if a.status/100 != 2 {
		return fmt.Errorf("bulk top-up: %d %s", a.status, a.code)
	}
	return nil
}

// getJSON reads an admin or public document.
func (c *client) getJSON(ctx context.Context, hc *http.Client, url string, out any, headers ...string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %d", url, resp.StatusCode)
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

// gatewaySession signs user in at the gateway, for its progress documents.
func (c *client) gatewaySession(ctx context.Context, user string) (*http.Client, error) {
	jar, err := cookiejar.New(nil)
	if err != nil {
		return nil, err
	}
	hc := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	sc := &client{http: hc}
	if a := sc.do(ctx, http.MethodPost, c.urls["web"]+"/api/session", map[string]string{"userId": user}); a.status != http.StatusOK {
		return nil, fmt.Errorf("sign %s in at the gateway: %d %s", user, a.status, a.code)
	}
	return hc, nil
}
