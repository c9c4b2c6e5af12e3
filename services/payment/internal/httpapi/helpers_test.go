package httpapi_test

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"reflect"
	"testing"

	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/payment/internal/httpapi"
	"github.com/rocketmart/rocketmart/services/payment/internal/payment"
	"github.com/rocketmart/rocketmart/services/payment/internal/store"
	"github.com/rocketmart/rocketmart/services/platform/faults"
	"github.com/rocketmart/rocketmart/services/platform/httpserver"
	"github.com/rocketmart/rocketmart/services/platform/httpserver/servetest"
)

const adminToken = "test-admin"

// env is the payment API on a real database, served in-process, with its
// training fault points on faults (nothing armed unless a test arms it).
type env struct {
	t      *testing.T
	h      http.Handler
	svc    *payment.Service
	db     *gorm.DB
	faults *faults.Set
}

// newEnv migrates db, seeds the demo users plus extra wallets (reachable
// through the admin charge routes only: they are no demo users) and mounts
// the API on a platform server, so middleware and error mapping are real.
func newEnv(t *testing.T, db *gorm.DB, extra ...contracts.DemoUser) env {
	t.Helper()
	if err := store.Migrate(db); err != nil {
		t.Fatal(err)
	}
	svc := payment.NewService(store.New(db))
	users := append(append([]contracts.DemoUser(nil), contracts.DemoUsers...), extra...)
	if err := svc.SeedDemoWallets(t.Context(), users); err != nil {
		t.Fatal(err)
	}
	srv := httpserver.New(httpserver.Config{ServiceName: "payment-test", BodyLimit: 4 << 10}, nil)
	set := faults.New("payment", slog.New(slog.DiscardHandler))
	httpapi.Register(srv.Router(), svc, adminToken, set)
	return env{t: t, h: srv.Handler(), svc: svc, db: db, faults: set}
}

// hdr is a request's headers.
type hdr map[string]string

func asUser(id string) hdr { return hdr{httpserver.HeaderUserID: id} }

func asAdmin() hdr { return hdr{httpserver.HeaderAdminToken: adminToken} }

func (h hdr) with(k, v string) hdr {
	out := hdr{k: v}
	for kk, vv := range h {
		out[kk] = vv
	}
	return out
}

// pairs returns h as name, value pairs; never nil, so that no headers stays
// no headers in servetest.RunHostile.
func (h hdr) pairs() []string {
	out := []string{}
	for k, v := range h {
		out = append(out, k, v)
	}
	return out
}

// do sends one request; safe for concurrent use.
func (e env) do(method, path string, h hdr, body string) (int, []byte) {
	r := servetest.Do(e.h, method, path, body, h.pairs()...)
	return r.Status, r.Body
}

// decode unmarshals body into a new T, failing the test on bad JSON.
func decode[T any](t testing.TB, body []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("decode %T from %s: %v", v, body, err)
	}
	return v
}

// errorBody is the shared error shape.
type errorBody struct {
	Error struct {
		Code    string         `json:"code"`
		Message string         `json:"message"`
		Details map[string]any `json:"details"`
	} `json:"error"`
}

// wantError checks status and the shared error shape with code.
func wantError(t testing.TB, what string, status int, body []byte, wantStatus int, wantCode string) {
	t.Helper()
	if status != wantStatus {
		t.Errorf("%s: status %d, want %d (%s)", what, status, wantStatus, body)
		return
	}
	var eb errorBody
	if err := json.Unmarshal(body, &eb); err != nil || eb.Error.Code == "" || eb.Error.Message == "" {
		t.Errorf("%s: body %s is not the error shape", what, body)
		return
	}
	if wantCode != "" && eb.Error.Code != wantCode {
		t.Errorf("%s: code %s, want %s (%s)", what, eb.Error.Code, wantCode, body)
	}
}

// charge posts a charge as the admin.
func (e env) charge(orderNo, userID string, amount int64) (int, httpapi.Charge, []byte) {
	body, _ := json.Marshal(httpapi.ChargeRequest{OrderNo: orderNo, UserID: userID, AmountCents: amount})
	status, out := e.do(http.MethodPost, "/api/v1/charges", asAdmin(), string(body))
	var c httpapi.Charge
	if status < 300 {
		c = decode[httpapi.Charge](e.t, out)
	}
	return status, c, out
}

// state is everything the API can change, read through the admin views
// plus the tables they do not show.
type state struct {
	Wallets []httpapi.AdminWallet
	Charges []httpapi.Charge
	TopUps  int64
	Voids   int64
	Bulks   int64 // bulk top-ups and their lines
}

func (e env) state() state {
	e.t.Helper()
	_, wb := e.do(http.MethodGet, "/api/v1/admin/wallets", asAdmin(), "")
	_, cb := e.do(http.MethodGet, "/api/v1/admin/charges", asAdmin(), "")
	s := state{
		Wallets: decode[httpapi.WalletsResponse](e.t, wb).Wallets,
		Charges: decode[httpapi.ChargesResponse](e.t, cb).Charges,
	}
	if err := e.db.Table("top_ups").Count(&s.TopUps).Error; err != nil {
		e.t.Fatal(err)
	}
	if err := e.db.Table("voided_orders").Count(&s.Voids).Error; err != nil {
		e.t.Fatal(err)
	}
	var lines int64
	if err := e.db.Table("bulk_top_ups").Count(&s.Bulks).Error; err != nil {
		e.t.Fatal(err)
	}
	if err := e.db.Table("bulk_top_up_lines").Count(&lines).Error; err != nil {
		e.t.Fatal(err)
	}
	s.Bulks += lines
	return s
}

func (s state) equal(o state) bool { return reflect.DeepEqual(s, o) }

func (s state) balance(user string) int64 {
	for _, w := range s.Wallets {
		if w.UserID == user {
			return w.BalanceCents
		}
	}
	return -1
}

// checkConservation asserts, per wallet, initial + top-ups = balance +
// charges - refunds (refunded charges cancel out), and no negative balance.
func checkConservation(t *testing.T, s state) {
	t.Helper()
	charged := map[string]int64{}
	for _, c := range s.Charges {
		if c.Status == string(payment.StatusSucceeded) {
			charged[c.UserID] += c.AmountCents
		}
	}
	for _, w := range s.Wallets {
		if w.BalanceCents < 0 {
			t.Errorf("%s: negative balance %d", w.UserID, w.BalanceCents)
		}
		if in, out := w.InitialCents+w.TopUpsCents, w.BalanceCents+charged[w.UserID]; in != out {
			t.Errorf("%s: initial %d + top-ups %d = %d, but balance %d + net charges %d = %d",
				w.UserID, w.InitialCents, w.TopUpsCents, in, w.BalanceCents, charged[w.UserID], out)
		}
	}
}

// cancelRef is an ORDER_CANCELLED event reference for the consumer's use case.
func cancelRef(i int) payment.EventRef {
	return payment.EventRef{Consumer: contracts.ConsumerPaymentOrderCancelled, EventID: fmt.Sprint("event-", i)}
}

// same compares charges by their JSON, since RefundedAt is a pointer.
func same(a, b httpapi.Charge) bool {
	ja, errA := json.Marshal(a)
	jb, errB := json.Marshal(b)
	return errA == nil && errB == nil && string(ja) == string(jb)
}
