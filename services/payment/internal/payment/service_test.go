package payment

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/platform/apperr"
)

// fakeStore records what the service asked for and answers what a test set.
// The store's atomicity is tested against real databases in package store;
// here only the rules the service applies around it.
type fakeStore struct {
	Store // unused methods panic through the nil interface

	seeded    []Wallet
	charge    Charge
	chargeNew bool
	topUp     TopUp
	topUpNew  bool
	calls     int
}

func (f *fakeStore) SeedWallets(_ context.Context, ws []Wallet) error {
	f.seeded = ws
	return nil
}

func (f *fakeStore) Charge(_ context.Context, c Charge, _ time.Time) (Charge, bool, error) {
	f.calls++
	if f.chargeNew {
		return c, true, nil
	}
	return f.charge, false, nil
}

func (f *fakeStore) TopUp(_ context.Context, t TopUp) (TopUp, bool, error) {
	f.calls++
	if f.topUpNew {
		return t, true, nil
	}
	return f.topUp, false, nil
}

func (f *fakeStore) Refund(_ context.Context, orderNo, reason string, at time.Time) (Charge, error) {
	f.calls++
	return Charge{OrderNo: orderNo, Status: StatusRefunded, RefundReason: reason, RefundedAt: &at}, nil
}

func (f *fakeStore) ChargeByOrder(_ context.Context, orderNo string) (Charge, error) {
	f.calls++
	return Charge{OrderNo: orderNo}, nil
}

func (f *fakeStore) CancelOrder(context.Context, EventRef, string, time.Time) (CancelOutcome, error) {
	f.calls++
	return CancelVoided, nil
}

func code(err error) string {
	if e, ok := apperr.As(err); ok {
		return e.Code
	}
	if err == nil {
		return ""
	}
	return "untyped: " + err.Error()
}

func TestChargeValidation(t *testing.T) {
	tests := []struct {
		name  string
		req   ChargeRequest
		field string
	}{
		{"empty order", ChargeRequest{OrderNo: "", UserID: "alice", AmountCents: 100}, "orderNo"},
		{"long order", ChargeRequest{OrderNo: strings.Repeat("x", MaxIDLen+1), UserID: "alice", AmountCents: 100}, "orderNo"},
		{"order with space", ChargeRequest{OrderNo: "O 1", UserID: "alice", AmountCents: 100}, "orderNo"},
		{"order with newline", ChargeRequest{OrderNo: "O\n1", UserID: "alice", AmountCents: 100}, "orderNo"},
		{"empty user", ChargeRequest{OrderNo: "O1", UserID: "", AmountCents: 100}, "userId"},
		{"zero amount", ChargeRequest{OrderNo: "O1", UserID: "alice", AmountCents: 0}, "amountCents"},
		{"negative amount", ChargeRequest{OrderNo: "O1", UserID: "alice", AmountCents: -5}, "amountCents"},
		{"huge amount", ChargeRequest{OrderNo: "O1", UserID: "alice", AmountCents: MaxChargeCents + 1}, "amountCents"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeStore{chargeNew: true}
			_, _, err := NewService(f).Charge(t.Context(), tt.req)
			e, ok := apperr.As(err)
			if !ok || e.Kind != apperr.Invalid || e.Details["field"] != tt.field {
				t.Fatalf("err = %v, want Invalid naming %s", err, tt.field)
			}
			if f.calls != 0 {
				t.Errorf("store called %d times for bad input", f.calls)
			}
		})
	}
	f := &fakeStore{chargeNew: true}
	got, created, err := NewService(f).Charge(t.Context(), ChargeRequest{OrderNo: "O1", UserID: "alice", AmountCents: MaxChargeCents})
	if err != nil || !created || got.Status != StatusSucceeded || got.CreatedAt.Location() != time.UTC {
		t.Errorf("largest charge: %+v, %v, %v", got, created, err)
	}
}

func TestChargeReplay(t *testing.T) {
	existing := Charge{OrderNo: "O1", UserID: "alice", AmountCents: 100, Status: StatusRefunded}
	tests := []struct {
		name string
		req  ChargeRequest
		want string // error code, "" for the existing charge
	}{
		{"same user and amount", ChargeRequest{OrderNo: "O1", UserID: "alice", AmountCents: 100}, ""},
		{"other amount", ChargeRequest{OrderNo: "O1", UserID: "alice", AmountCents: 101}, CodeChargeMismatch},
		{"other user", ChargeRequest{OrderNo: "O1", UserID: "bob", AmountCents: 100}, CodeChargeMismatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, created, err := NewService(&fakeStore{charge: existing}).Charge(t.Context(), tt.req)
			if code(err) != tt.want {
				t.Fatalf("code = %q, want %q", code(err), tt.want)
			}
			if tt.want == "" && (created || got != existing) {
				t.Errorf("got %+v created=%v, want the existing charge as is", got, created)
			}
		})
	}
}

func TestTopUpRules(t *testing.T) {
	existing := TopUp{ID: "tu_1", UserID: "carol", Key: "k", AmountCents: 500, BalanceCents: 2000}
	tests := []struct {
		name   string
		key    string
		amount int64
		want   string
	}{
		{"replay", "k", 500, ""},
		{"other amount", "k", 501, CodeIdempotencyKeyReused},
		{"no key", "", 500, CodeIdempotencyKeyRequired},
		{"long key", strings.Repeat("k", MaxKeyLen+1), 500, CodeInvalidIdempotencyKey},
		{"longest unicode key", strings.Repeat("ключ", MaxKeyLen/4), 500, ""},
		{"control in key", "k\x00", 500, CodeInvalidIdempotencyKey},
		{"trailing space", "k ", 500, CodeInvalidIdempotencyKey},
		{"zero", "k", 0, CodeValidation},
		{"too much", "k", MaxTopUpCents + 1, CodeValidation},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeStore{topUp: existing}
			got, created, err := NewService(f).TopUp(t.Context(), "carol", tt.key, tt.amount)
			if code(err) != tt.want {
				t.Fatalf("code = %q, want %q", code(err), tt.want)
			}
			if tt.want == "" && (created || got != existing) {
				t.Errorf("got %+v created=%v, want the original top-up", got, created)
			}
		})
	}
	if e, _ := apperr.As(func() error {
		_, _, err := NewService(&fakeStore{topUp: existing}).TopUp(t.Context(), "carol", "k", 1)
		return err
	}()); e == nil || e.Kind.Status() != 422 {
		t.Errorf("key reuse should be 422, got %v", e)
	}
}

func TestRefundAndLookupValidation(t *testing.T) {
	svc := NewService(&fakeStore{})
	tests := []struct {
		name    string
		orderNo string
		reason  string
		field   string
	}{
		{"blank reason", "O1", "  ", "reason"},
		{"long reason", "O1", strings.Repeat("é", MaxReasonLen+1), "reason"},
		{"control in reason", "O1", "a\x07b", "reason"},
		{"bad order", "O 1", "why", "orderNo"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := svc.Refund(t.Context(), tt.orderNo, tt.reason)
			if e, ok := apperr.As(err); !ok || e.Kind != apperr.Invalid || e.Details["field"] != tt.field {
				t.Errorf("err = %v, want Invalid naming %s", err, tt.field)
			}
		})
	}
	if got, err := svc.Refund(t.Context(), "O1", strings.Repeat("é", MaxReasonLen)); err != nil || got.Status != StatusRefunded {
		t.Errorf("longest reason refused: %v", err)
	}
	if _, err := svc.ChargeByOrder(t.Context(), strings.Repeat("x", 65)); apperr.KindOf(err) != apperr.Invalid {
		t.Errorf("lookup of an impossible order number: %v", err)
	}
	if _, err := svc.OrderCancelled(t.Context(), EventRef{"c", "e"}, ""); apperr.KindOf(err) != apperr.Invalid {
		t.Errorf("cancel without order number: %v", err)
	}
}

func TestSeedUsesInitialBalances(t *testing.T) {
	f := &fakeStore{}
	if err := NewService(f).SeedDemoWallets(t.Context(), contracts.DemoUsers); err != nil {
		t.Fatal(err)
	}
	if got, want := len(f.seeded), len(contracts.DemoUsers); got != want {
		t.Fatalf("seeded %d wallets, want %d", got, want)
	}
	for i, u := range contracts.DemoUsers {
		w := f.seeded[i]
		if w.UserID != u.ID || w.InitialCents != u.InitialBalanceCents || w.BalanceCents != u.InitialBalanceCents || w.TopUpsCents != 0 {
			t.Errorf("wallet %d = %+v, want %s with %d", i, w, u.ID, u.InitialBalanceCents)
		}
	}
}

func TestErrorsCarryStatus(t *testing.T) {
	tests := []struct {
		err  error
		want int
	}{
		{InsufficientFundsError(10, 20), 402},
		{OrderCancelledError("O1"), 409},
		{WalletNotFoundError("x"), 404},
		{ChargeNotFoundError("O1"), 404},
	}
	for _, tt := range tests {
		if got := apperr.KindOf(tt.err).Status(); got != tt.want {
			t.Errorf("%v: status %d, want %d", tt.err, got, tt.want)
		}
	}
	e, _ := apperr.As(InsufficientFundsError(10, 20))
	if e.Details["balanceCents"] != int64(10) || e.Details["amountCents"] != int64(20) {
		t.Errorf("details = %v", e.Details)
	}
}
