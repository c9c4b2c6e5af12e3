package httpapi_test

import (
	"net/http"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/payment/internal/httpapi"
	"github.com/rocketmart/rocketmart/services/platform/dbtest"
)

func TestDeclineThenTopUpThenCharge(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		e := newEnv(t, db)
		status, _, body := e.charge("CAROL-1", "carol", 5000)
		wantError(t, "charge beyond the balance", status, body, http.StatusPaymentRequired, "INSUFFICIENT_FUNDS")
		details := decode[errorBody](t, body).Error.Details
		if details["balanceCents"] != float64(1500) || details["amountCents"] != float64(5000) {
			t.Errorf("details %v, want balanceCents 1500 and amountCents 5000", details)
		}
		if s := e.state(); len(s.Charges) != 0 || s.balance("carol") != 1500 {
			t.Fatalf("a decline changed state: %+v", s)
		}

		status, body = e.do(http.MethodPost, "/api/v1/wallet/top-ups", asUser("carol").with("Idempotency-Key", "t1"), `{"amountCents":4000}`)
		if status != http.StatusCreated {
			t.Fatalf("top-up: %d %s", status, body)
		}
		if got := decode[httpapi.TopUpResponse](t, body); got.BalanceCents != 5500 || got.AmountCents != 4000 || got.UserID != "carol" {
			t.Errorf("top-up answer %+v", got)
		}

		status, c, body := e.charge("CAROL-1", "carol", 5000)
		if status != http.StatusCreated || c.Status != "SUCCEEDED" || c.OrderNo != "CAROL-1" || c.AmountCents != 5000 {
			t.Fatalf("charge after top-up: %d %s", status, body)
		}
		if time.Since(c.CreatedAt) > time.Minute || c.CreatedAt.Location() != time.UTC {
			t.Errorf("createdAt %v is not a recent UTC time", c.CreatedAt)
		}
		status, body = e.do(http.MethodGet, "/api/v1/wallet", asUser("carol"), "")
		w := decode[httpapi.WalletResponse](t, body)
		if status != http.StatusOK || w.UserID != "carol" || w.BalanceCents != 500 || len(w.Charges) != 1 || !same(w.Charges[0], c) {
			t.Errorf("wallet: %d %+v", status, w)
		}
	})
}

func TestTopUpIdempotency(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		e := newEnv(t, db)
		post := func(user, key, body string) (int, []byte) {
			h := asUser(user)
			if key != "" {
				h = h.with("Idempotency-Key", key)
			}
			return e.do(http.MethodPost, "/api/v1/wallet/top-ups", h, body)
		}
		status, body := post("bob", "k1", `{"amountCents":1000}`)
		if status != http.StatusCreated {
			t.Fatalf("first: %d %s", status, body)
		}
		first := decode[httpapi.TopUpResponse](t, body)
		if first.TopUpID == "" || first.BalanceCents != 251_000 {
			t.Errorf("first top-up %+v", first)
		}

		status, body = post("bob", "k1", `{"amountCents":1000}`)
		if got := decode[httpapi.TopUpResponse](t, body); status != http.StatusOK || got != first {
			t.Errorf("replay: %d %+v, want 200 %+v", status, got, first)
		}
		status, body = post("bob", "k1", `{"amountCents":999}`)
		wantError(t, "same key, other amount", status, body, http.StatusUnprocessableEntity, "IDEMPOTENCY_KEY_REUSED")
		status, body = post("bob", "", `{"amountCents":1000}`)
		wantError(t, "no key", status, body, http.StatusBadRequest, "IDEMPOTENCY_KEY_REQUIRED")

		// Keys are per user: alice's k1 is a new top-up.
		status, body = post("alice", "k1", `{"amountCents":999}`)
		if status != http.StatusCreated || decode[httpapi.TopUpResponse](t, body).TopUpID == first.TopUpID {
			t.Errorf("alice's k1: %d %s", status, body)
		}
		s := e.state()
		if s.balance("bob") != 251_000 || s.balance("alice") != 1_000_999 || s.TopUps != 2 {
			t.Errorf("after the run: bob %d, alice %d, %d top-ups", s.balance("bob"), s.balance("alice"), s.TopUps)
		}
		checkConservation(t, s)
	})
}

func TestChargeReplayAndMismatch(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		e := newEnv(t, db)
		_, first, _ := e.charge("O-1", "alice", 900)
		status, again, _ := e.charge("O-1", "alice", 900)
		if status != http.StatusOK || !same(again, first) {
			t.Errorf("replay: %d %+v, want 200 %+v", status, again, first)
		}
		for _, tt := range []struct {
			user   string
			amount int64
		}{{"alice", 901}, {"bob", 900}} {
			status, _, body := e.charge("O-1", tt.user, tt.amount)
			wantError(t, "mismatch "+tt.user, status, body, http.StatusConflict, "CHARGE_MISMATCH")
		}
		status, body := e.do(http.MethodGet, "/api/v1/charges/O-1", asAdmin(), "")
		if got := decode[httpapi.Charge](t, body); status != http.StatusOK || !same(got, first) {
			t.Errorf("get: %d %+v", status, got)
		}
		status, body = e.do(http.MethodGet, "/api/v1/charges/O-404", asAdmin(), "")
		wantError(t, "get unknown", status, body, http.StatusNotFound, "CHARGE_NOT_FOUND")
		status, body = e.do(http.MethodPost, "/api/v1/charges/O-404/refund", asAdmin(), `{"reason":"x"}`)
		wantError(t, "refund unknown", status, body, http.StatusNotFound, "CHARGE_NOT_FOUND")
		status, _, body = e.charge("O-2", "mallory", 1)
		wantError(t, "unknown user", status, body, http.StatusNotFound, "WALLET_NOT_FOUND")

		status, body = e.do(http.MethodPost, "/api/v1/charges/O-1/refund", asAdmin(), `{"reason":"changed my mind"}`)
		refunded := decode[httpapi.Charge](t, body)
		if status != http.StatusOK || refunded.Status != "REFUNDED" || refunded.RefundedAt == nil || refunded.RefundReason != "changed my mind" {
			t.Fatalf("refund: %d %s", status, body)
		}
		// The order service retrying its charge after the refund gets the
		// refunded charge, and nothing is debited.
		status, after, _ := e.charge("O-1", "alice", 900)
		if status != http.StatusOK || !same(after, refunded) {
			t.Errorf("charge after refund: %d %+v, want 200 %+v", status, after, refunded)
		}
		if got := e.state().balance("alice"); got != 1_000_000 {
			t.Errorf("alice's balance %d", got)
		}
	})
}

func TestCancelBeforeChargeRefusesTheCharge(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		e := newEnv(t, db)
		if _, err := e.svc.OrderCancelled(t.Context(), cancelRef(1), "LATE"); err != nil {
			t.Fatal(err)
		}
		before := e.state()
		status, _, body := e.charge("LATE", "bob", 100)
		wantError(t, "charge of a cancelled order", status, body, http.StatusConflict, "ORDER_CANCELLED")
		if after := e.state(); !after.equal(before) {
			t.Errorf("the refused charge changed state:\n before %+v\n after  %+v", before, after)
		}
	})
}

func TestAdminViews(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		e := newEnv(t, db)
		e.charge("V-1", "bob", 300)
		e.charge("V-2", "alice", 200)
		e.do(http.MethodPost, "/api/v1/wallet/top-ups", asUser("bob").with("Idempotency-Key", "x"), `{"amountCents":50}`)
		s := e.state()
		want := []httpapi.AdminWallet{
			{UserID: "alice", InitialCents: 1_000_000, BalanceCents: 999_800},
			{UserID: "bob", InitialCents: 250_000, TopUpsCents: 50, BalanceCents: 249_750},
			{UserID: "carol", InitialCents: 1_500, BalanceCents: 1_500},
		}
		if len(s.Wallets) != len(want) {
			t.Fatalf("wallets %+v", s.Wallets)
		}
		for i := range want {
			if s.Wallets[i] != want[i] {
				t.Errorf("wallet %d = %+v, want %+v", i, s.Wallets[i], want[i])
			}
		}
		if len(s.Charges) != 2 || s.Charges[0].OrderNo != "V-1" || s.Charges[1].OrderNo != "V-2" {
			t.Errorf("charges %+v, want V-1 then V-2", s.Charges)
		}
		_, body := e.do(http.MethodGet, "/api/v1/admin/charges", asAdmin(), "")
		raw := decode[map[string][]map[string]any](t, body)["charges"][0]
		for _, k := range []string{"orderNo", "userId", "amountCents", "status", "createdAt"} {
			if _, ok := raw[k]; !ok {
				t.Errorf("charge JSON lacks %s: %v", k, raw)
			}
		}
		for _, k := range []string{"refundedAt", "refundReason"} {
			if _, ok := raw[k]; ok {
				t.Errorf("unrefunded charge JSON has %s: %v", k, raw)
			}
		}
	})
}
