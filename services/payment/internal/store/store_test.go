package store_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/payment/internal/payment"
	"github.com/rocketmart/rocketmart/services/payment/internal/store"
	"github.com/rocketmart/rocketmart/services/platform/apperr"
	"github.com/rocketmart/rocketmart/services/platform/dbtest"
	"github.com/rocketmart/rocketmart/services/platform/testkit"
)

// setup migrates db and seeds the demo users plus extra wallets.
func setup(t *testing.T, db *gorm.DB, extra ...contracts.DemoUser) *payment.Service {
	t.Helper()
	if err := store.Migrate(db); err != nil {
		t.Fatal(err)
	}
	svc := payment.NewService(store.New(db))
	if err := svc.SeedDemoWallets(t.Context(), append(append([]contracts.DemoUser(nil), contracts.DemoUsers...), extra...)); err != nil {
		t.Fatal(err)
	}
	return svc
}

func balance(t *testing.T, svc *payment.Service, user string) int64 {
	t.Helper()
	w, err := svc.Wallet(t.Context(), user)
	if err != nil {
		t.Fatal(err)
	}
	return w.BalanceCents
}

func count(t *testing.T, db *gorm.DB, table string) int64 {
	t.Helper()
	var n int64
	if err := db.Table(table).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func TestSeedIsInsertIfAbsent(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		svc := setup(t, db)
		if _, _, err := svc.Charge(t.Context(), payment.ChargeRequest{OrderNo: "O1", UserID: "bob", AmountCents: 1000}); err != nil {
			t.Fatal(err)
		}
		svc = setup(t, db) // a restart: migrate and seed again
		if got, want := balance(t, svc, "bob"), int64(250_000-1000); got != want {
			t.Errorf("bob's balance after re-seeding = %d, want %d", got, want)
		}
		ws, err := svc.Wallets(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if len(ws) != len(contracts.DemoUsers) {
			t.Errorf("%d wallets, want %d", len(ws), len(contracts.DemoUsers))
		}
	})
}

func TestChargeRefundLifecycle(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		svc := setup(t, db)
		ctx := t.Context()
		req := payment.ChargeRequest{OrderNo: "O1", UserID: "alice", AmountCents: 2500}
		first, created, err := svc.Charge(ctx, req)
		if err != nil || !created || first.Status != payment.StatusSucceeded {
			t.Fatalf("charge: %+v %v %v", first, created, err)
		}
		again, created, err := svc.Charge(ctx, req)
		if err != nil || created || !again.CreatedAt.Equal(first.CreatedAt) || again.AmountCents != 2500 {
			t.Fatalf("replay: %+v %v %v, want the first charge", again, created, err)
		}
		if got := balance(t, svc, "alice"); got != 1_000_000-2500 {
			t.Fatalf("balance %d after one charge and a replay", got)
		}
		refunded, err := svc.Refund(ctx, "O1", "customer request")
		if err != nil || refunded.Status != payment.StatusRefunded || refunded.RefundedAt == nil || refunded.RefundReason != "customer request" {
			t.Fatalf("refund: %+v %v", refunded, err)
		}
		twice, err := svc.Refund(ctx, "O1", "another reason")
		if err != nil || twice.RefundReason != "customer request" || !twice.RefundedAt.Equal(*refunded.RefundedAt) {
			t.Fatalf("second refund changed the charge: %+v %v", twice, err)
		}
		// A charge request after the refund gets the refunded charge back, and
		// nothing is debited again.
		after, created, err := svc.Charge(ctx, req)
		if err != nil || created || after.Status != payment.StatusRefunded {
			t.Fatalf("charge after refund: %+v %v %v", after, created, err)
		}
		if got := balance(t, svc, "alice"); got != 1_000_000 {
			t.Errorf("balance %d, want the initial 1000000", got)
		}
		if _, err := svc.Refund(ctx, "NOPE", "x"); testkit.CodeOf(err) != payment.CodeChargeNotFound {
			t.Errorf("refund of an unknown order: %v", err)
		}
		if _, err := svc.ChargeByOrder(ctx, "NOPE"); testkit.CodeOf(err) != payment.CodeChargeNotFound {
			t.Errorf("lookup of an unknown order: %v", err)
		}
	})
}

func TestDeclines(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		svc := setup(t, db)
		ctx := t.Context()
		if _, err := svc.OrderCancelled(ctx, payment.EventRef{Consumer: "c", EventID: "e1"}, "VOID"); err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name string
			req  payment.ChargeRequest
			want string
		}{
			{"unknown user", payment.ChargeRequest{OrderNo: "O2", UserID: "mallory", AmountCents: 1}, payment.CodeWalletNotFound},
			{"short balance", payment.ChargeRequest{OrderNo: "O3", UserID: "carol", AmountCents: 1501}, payment.CodeInsufficientFunds},
			{"voided order", payment.ChargeRequest{OrderNo: "VOID", UserID: "alice", AmountCents: 1}, payment.CodeOrderCancelled},
			// Cancelled beats short: the order cannot be paid, a top-up would not help.
			{"voided order, short balance", payment.ChargeRequest{OrderNo: "VOID", UserID: "carol", AmountCents: 5000}, payment.CodeOrderCancelled},
		}
		for _, tt := range tests {
			if _, _, err := svc.Charge(ctx, tt.req); testkit.CodeOf(err) != tt.want {
				t.Errorf("%s: %v, want %s", tt.name, err, tt.want)
			}
		}
		if n := count(t, db, "charges"); n != 0 {
			t.Errorf("%d charges recorded by declines", n)
		}
		// A replay of a charge the balance can no longer cover still gets it.
		req := payment.ChargeRequest{OrderNo: "O4", UserID: "carol", AmountCents: 1500}
		if _, created, err := svc.Charge(ctx, req); err != nil || !created {
			t.Fatalf("charge all of carol's money: %v", err)
		}
		if got, created, err := svc.Charge(ctx, req); err != nil || created || got.OrderNo != "O4" {
			t.Errorf("replay with an empty wallet: %+v %v %v", got, created, err)
		}
	})
}

// Keys are compared exactly on both databases (MySQL's default collation
// would fold case).
func TestKeysAreExact(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		svc := setup(t, db)
		ctx := t.Context()
		longest := strings.Repeat("ключ", payment.MaxKeyLen/4) // 128 characters, 256 bytes
		for _, key := range []string{"key", "KEY", "kEy", longest} {
			if _, created, err := svc.TopUp(ctx, "bob", key, 100); err != nil || !created {
				t.Errorf("top-up with key %q: created=%v %v", key, created, err)
			}
		}
		for _, no := range []string{"o1", "O1"} {
			if _, created, err := svc.Charge(ctx, payment.ChargeRequest{OrderNo: no, UserID: "bob", AmountCents: 10}); err != nil || !created {
				t.Errorf("charge %q: created=%v %v", no, created, err)
			}
		}
		if got, want := balance(t, svc, "bob"), int64(250_000+400-20); got != want {
			t.Errorf("balance %d, want %d", got, want)
		}
	})
}

func TestWalletShowsFiftyNewestCharges(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		svc := setup(t, db)
		for i := range 55 {
			if _, _, err := svc.Charge(t.Context(), payment.ChargeRequest{OrderNo: fmt.Sprintf("O%02d", i), UserID: "alice", AmountCents: 1}); err != nil {
				t.Fatal(err)
			}
		}
		if _, _, err := svc.Charge(t.Context(), payment.ChargeRequest{OrderNo: "BOB", UserID: "bob", AmountCents: 1}); err != nil {
			t.Fatal(err)
		}
		v, err := svc.Wallet(t.Context(), "alice")
		if err != nil {
			t.Fatal(err)
		}
		if len(v.Charges) != payment.RecentChargesMax {
			t.Fatalf("%d charges, want %d", len(v.Charges), payment.RecentChargesMax)
		}
		for i, c := range v.Charges {
			if want := fmt.Sprintf("O%02d", 54-i); c.OrderNo != want {
				t.Fatalf("charge %d is %s, want %s (newest first, only alice's)", i, c.OrderNo, want)
			}
		}
		if _, err := svc.Wallet(t.Context(), "nobody"); testkit.CodeOf(err) != payment.CodeWalletNotFound {
			t.Errorf("wallet of nobody: %v", err)
		}
	})
}

func TestCancelOrder(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		svc := setup(t, db)
		ctx := t.Context()
		ev := func(id string) payment.EventRef {
			return payment.EventRef{Consumer: "payment-order-cancelled", EventID: id}
		}

		if _, _, err := svc.Charge(ctx, payment.ChargeRequest{OrderNo: "PAID", UserID: "bob", AmountCents: 700}); err != nil {
			t.Fatal(err)
		}
		steps := []struct {
			event, order string
			want         payment.CancelOutcome
			dup          bool
		}{
			{"e1", "PAID", payment.CancelRefunded, false},
			{"e1", "PAID", "", true},                             // redelivery
			{"e2", "PAID", payment.CancelAlreadyRefunded, false}, // another event, same order
			{"e3", "UNPAID", payment.CancelVoided, false},
			{"e4", "UNPAID", payment.CancelVoided, false}, // the marker exists already
		}
		for _, s := range steps {
			got, err := svc.OrderCancelled(ctx, ev(s.event), s.order)
			if s.dup != errors.Is(err, apperr.ErrAlreadyApplied) || (!s.dup && err != nil) || got != s.want {
				t.Errorf("%s/%s: %q, %v; want %q (duplicate %v)", s.event, s.order, got, err, s.want, s.dup)
			}
		}
		if got := balance(t, svc, "bob"); got != 250_000 {
			t.Errorf("bob's balance %d, want 250000 (one refund)", got)
		}
		c, err := svc.ChargeByOrder(ctx, "PAID")
		if err != nil || c.Status != payment.StatusRefunded || c.RefundReason != payment.CancelRefundReason {
			t.Errorf("charge after cancel: %+v %v", c, err)
		}
		if n := count(t, db, "voided_orders"); n != 1 {
			t.Errorf("%d void markers, want 1 (UNPAID only)", n)
		}
		if _, _, err := svc.Charge(ctx, payment.ChargeRequest{OrderNo: "UNPAID", UserID: "bob", AmountCents: 1}); testkit.CodeOf(err) != payment.CodeOrderCancelled {
			t.Errorf("charge of a voided order: %v", err)
		}
	})
}

// A charge that would be created after its deadline is refused and debits
// nothing; a charge that exists is returned whatever the deadline, so a
// replay still gets it.
func TestChargeAfterItsDeadline(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		svc := setup(t, db)
		ctx := t.Context()
		past := time.Now().Add(-time.Millisecond)
		_, _, err := svc.Charge(ctx, payment.ChargeRequest{OrderNo: "LATE-1", UserID: "alice", AmountCents: 700, NotAfter: past})
		if testkit.CodeOf(err) != payment.CodeChargeTooLate {
			t.Fatalf("late charge: %v, want %s", err, payment.CodeChargeTooLate)
		}
		if _, err := svc.ChargeByOrder(ctx, "LATE-1"); testkit.CodeOf(err) != payment.CodeChargeNotFound {
			t.Errorf("a refused late charge left a charge: %v", err)
		}
		if got := balance(t, svc, "alice"); got != 1_000_000 {
			t.Errorf("balance %d after a refused late charge, want 1000000", got)
		}

		req := payment.ChargeRequest{OrderNo: "ON-TIME-1", UserID: "alice", AmountCents: 500, NotAfter: time.Now().Add(time.Minute)}
		first, created, err := svc.Charge(ctx, req)
		if err != nil || !created {
			t.Fatalf("charge before its deadline: %+v %v %v", first, created, err)
		}
		req.NotAfter = past
		again, created, err := svc.Charge(ctx, req)
		if err != nil || created || again.OrderNo != "ON-TIME-1" {
			t.Errorf("replay after the deadline: %+v %v %v, want the existing charge", again, created, err)
		}
	})
}
