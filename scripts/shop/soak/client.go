package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"sync"
	"time"
)

// The operations a user performs through the gateway, as recorded.
const (
	OpPlace  = "place"
	OpPay    = "pay"
	OpCancel = "cancel"
	OpGet    = "get"
	OpTopUp  = "top-up"
)

// Answer is one answer a user got from the gateway: what was asked, when,
// and what came back. Status 0 means no HTTP answer at all (the gateway
// was not listening or the connection broke).
type Answer struct {
	User    string
	Session string // the browser session (one per shopper) that asked
	Op      string
	Flow    string // the user's intent for the order: pay, cancel or abandon; probe for the soak's own
	OrderNo string
	Status  int
	// Code is the error code of an error answer, the pay outcome of a pay
	// (PAID, ALREADY_PAID, PENDING), the order status of a place or get.
	Code       string
	Start, End time.Time
}

func (a Answer) String() string {
	return fmt.Sprintf("%s %s %s → %d %s", a.User, a.Op, a.OrderNo, a.Status, a.Code)
}

// Recorder keeps every answer, safe for concurrent users.
type Recorder struct {
	mu      sync.Mutex
	answers []Answer
}

func (r *Recorder) add(a Answer) {
	r.mu.Lock()
	r.answers = append(r.answers, a)
	r.mu.Unlock()
}

// Answers returns a copy of what was recorded so far.
func (r *Recorder) Answers() []Answer {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Answer(nil), r.answers...)
}

// user is one signed-in shopper calling the gateway with its own cookie jar.
type user struct {
	id      string
	session string // names the shopper in Answer.Session
	base    string
	http    *http.Client
	rec     *Recorder
}

// callTimeout is above the order service's 30 s pay budget, so a slow pay
// is answered rather than cut off by the user.
const callTimeout = 40 * time.Second

func newUser(id, session, base string, rec *Recorder) (*user, error) {
	jar, err := cookiejar.New(nil)
	if err != nil {
		return nil, err
	}
	return &user{id: id, session: session, base: base, http: &http.Client{Jar: jar, Timeout: callTimeout}, rec: rec}, nil
}

// reply is the part of the gateway's answers the soak reads.
type reply struct {
	OrderNo string `json:"orderNo"`
	Status  string `json:"status"`
	Outcome string `json:"outcome"`
	Order   *struct {
		OrderNo string `json:"orderNo"`
		Status  string `json:"status"`
	} `json:"order"`
	Error *struct {
		Code string `json:"code"`
	} `json:"error"`
	Complete bool `json:"complete"`
}

// code is what Answer.Code records for a reply.
func (r reply) code() string {
	switch {
	case r.Error != nil:
		return r.Error.Code
	case r.Outcome != "":
		return r.Outcome
	case r.Order != nil:
		return r.Order.Status
	}
	return r.Status
}

// do sends one request (JSON in, JSON out) and, unless op is "", records
// the answer. A 401 (the gateway lost the session in a restart) signs in
// again and repeats the request once; both answers are recorded.
func (u *user) do(ctx context.Context, op, flow, orderNo, method, path string, in any, headers ...string) (Answer, reply) {
	a, rep := u.send(ctx, op, flow, orderNo, method, path, in, headers...)
	if a.Status == http.StatusUnauthorized && path != "/api/session" {
		if s, _ := u.send(ctx, "", "", "", http.MethodPost, "/api/session", map[string]string{"userId": u.id}); s.Status == http.StatusOK {
			a, rep = u.send(ctx, op, flow, orderNo, method, path, in, headers...)
		}
	}
	return a, rep
}

func (u *user) send(ctx context.Context, op, flow, orderNo, method, path string, in any, headers ...string) (Answer, reply) {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			panic(err) // only the soak's own literals are marshalled
		}
		body = bytes.NewReader(b)
	}
	a := Answer{User: u.id, Session: u.session, Op: op, Flow: flow, OrderNo: orderNo, Start: time.Now()}
	var rep reply
	req, err := http.NewRequestWithContext(ctx, method, u.base+path, body)
	if err == nil {
		req.Header.Set("Content-Type", "application/json")
		for i := 0; i+1 < len(headers); i += 2 {
			req.Header.Set(headers[i], headers[i+1])
		}
		var resp *http.Response
		if resp, err = u.http.Do(req); err == nil {
			a.Status = resp.StatusCode
			raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
			resp.Body.Close()
			json.Unmarshal(raw, &rep) // a body that is not JSON leaves rep empty; Status says enough
		}
	}
	a.End = time.Now()
	if err != nil {
		a.Code = "NO_ANSWER"
	} else {
		a.Code = rep.code()
	}
	if a.OrderNo == "" {
		a.OrderNo = rep.OrderNo
	}
	if op != "" && ctx.Err() == nil {
		u.rec.add(a)
	}
	return a, rep
}

// signIn starts the user's session at the gateway.
func (u *user) signIn(ctx context.Context) error {
	if a, _ := u.send(ctx, "", "", "", http.MethodPost, "/api/session", map[string]string{"userId": u.id}); a.Status != http.StatusOK {
		return fmt.Errorf("sign in %s: %d %s", u.id, a.Status, a.Code)
	}
	return nil
}

// line is one order line.
type line struct {
	SKU      string `json:"sku"`
	Quantity int    `json:"quantity"`
}

var address = map[string]string{"name": "Soak Tester", "line1": "1 Crash Lane", "city": "London", "postalCode": "N1 7AA", "country": "GB"}

// place orders lines under the idempotency key; the order number is ""
// when none was placed.
func (u *user) place(ctx context.Context, flow, key string, lines []line) (Answer, string) {
	a, r := u.do(ctx, OpPlace, flow, "", http.MethodPost, "/api/order/orders",
		map[string]any{"lines": lines, "address": address}, "Idempotency-Key", key)
	if a.Status == http.StatusCreated || a.Status == http.StatusOK {
		return a, r.OrderNo
	}
	return a, ""
}

func (u *user) pay(ctx context.Context, flow, orderNo string) (Answer, reply) {
	return u.do(ctx, OpPay, flow, orderNo, http.MethodPost, "/api/order/orders/"+orderNo+"/pay", nil)
}

func (u *user) cancel(ctx context.Context, flow, orderNo string) (Answer, reply) {
	return u.do(ctx, OpCancel, flow, orderNo, http.MethodPost, "/api/order/orders/"+orderNo+"/cancel", nil)
}

func (u *user) get(ctx context.Context, flow, orderNo string) (Answer, reply) {
	return u.do(ctx, OpGet, flow, orderNo, http.MethodGet, "/api/order/orders/"+orderNo, nil)
}

// topUp adds money to the user's wallet, once per key.
func (u *user) topUp(ctx context.Context, key string, cents int64) (Answer, reply) {
	return u.do(ctx, OpTopUp, "", "", http.MethodPost, "/api/payment/wallet/top-ups", map[string]int64{"amountCents": cents}, "Idempotency-Key", key)
}
