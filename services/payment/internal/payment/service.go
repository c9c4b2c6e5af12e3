package payment

import (
	"context"
	"crypto/rand"
	"fmt"
	"time"

	"github.com/rocketmart/rocketmart/services/contracts"
)

// Service is payment's use cases. Handlers and consumers call one method
// each; the rules live here and the atomicity in the Store.
type Service struct {
	store Store
	now   func() time.Time
	newID func() string
}

// NewService returns a Service over store.
func NewService(store Store) *Service {
	return &Service{
		store: store,
		now:   time.Now,
		newID: func() string { return "tu_" + rand.Text() },
	}
}

// timestamp is the time recorded in rows: UTC and cut to milliseconds, the
// precision MySQL keeps, so an answer built in memory equals the same row
// read back later.
func (s *Service) timestamp() time.Time {
	return s.now().UTC().Truncate(time.Millisecond)
}

// SeedDemoWallets opens a wallet for every demo user that has none yet, with
// the user's initial balance. Restarts never seed twice.
func (s *Service) SeedDemoWallets(ctx context.Context, users []contracts.DemoUser) error {
	wallets := make([]Wallet, 0, len(users))
	for _, u := range users {
		wallets = append(wallets, Wallet{UserID: u.ID, InitialCents: u.InitialBalanceCents, BalanceCents: u.InitialBalanceCents})
	}
	if err := s.store.SeedWallets(ctx, wallets); err != nil {
		return fmt.Errorf("seed wallets: %w", err)
	}
	return nil
}

// Wallet returns the caller's wallet and recent charges.
func (s *Service) Wallet(ctx context.Context, userID string) (WalletView, error) {
	w, err := s.store.Wallet(ctx, userID)
	if err != nil {
		return WalletView{}, err
	}
	charges, err := s.store.ChargesOf(ctx, userID, RecentChargesMax)
	if err != nil {
		return WalletView{}, err
	}
	return WalletView{Wallet: w, Charges: charges}, nil
}

// TopUp credits the caller's wallet once per idempotency key. Replaying a
// key with the same amount returns the original top-up (created == false);
// with another amount it fails with IDEMPOTENCY_KEY_REUSED.
func (s *Service) TopUp(ctx context.Context, userID, key string, amountCents int64) (TopUp, bool, error) {
	if err := validateKey(key); err != nil {
		return TopUp{}, false, err
	}
	if err := validateAmount("amountCents", amountCents, MaxTopUpCents); err != nil {
		return TopUp{}, false, err
	}
	got, created, err := s.store.TopUp(ctx, TopUp{
		ID: s.newID(), UserID: userID, Key: key, AmountCents: amountCents, CreatedAt: s.timestamp(),
	})
	if err != nil {
		return TopUp{}, false, err
	}
	if !created && got.AmountCents != amountCents {
		return TopUp{}, false, keyReusedError(got)
	}
	return got, created, nil
}

// Charge debits a wallet for an order, at most once per order number. A
// repeat with the same user and amount returns the existing charge, even a
// refunded one (created == false); with another user or amount it fails
// with CHARGE_MISMATCH.
func (s *Service) Charge(ctx context.Context, req ChargeRequest) (Charge, bool, error) {
	if err := req.Validate(); err != nil {
		return Charge{}, false, err
	}
	got, created, err := s.store.Charge(ctx, Charge{
		OrderNo: req.OrderNo, UserID: req.UserID, AmountCents: req.AmountCents,
		Status: StatusSucceeded, CreatedAt: s.timestamp(),
	}, req.NotAfter)
	if err != nil {
		return Charge{}, false, err
	}
	if !created && (got.UserID != req.UserID || got.AmountCents != req.AmountCents) {
		return Charge{}, false, chargeMismatchError(got)
	}
	return got, created, nil
}

// ChargeByOrder returns an order's charge.
func (s *Service) ChargeByOrder(ctx context.Context, orderNo string) (Charge, error) {
	if err := validateID("orderNo", orderNo); err != nil {
		return Charge{}, err
	}
	return s.store.ChargeByOrder(ctx, orderNo)
}

// Refund refunds an order's charge exactly once; refunding a refunded charge
// returns it unchanged.
func (s *Service) Refund(ctx context.Context, orderNo, reason string) (Charge, error) {
	if err := validateID("orderNo", orderNo); err != nil {
		return Charge{}, err
	}
	if err := validateReason(reason); err != nil {
		return Charge{}, err
	}
	return s.store.Refund(ctx, orderNo, reason, s.timestamp())
}

// OrderCancelled handles an ORDER_CANCELLED event once per event id: the
// order's succeeded charge is refunded, or, when the order has no charge, it
// is voided so that a payment still in flight fails with ORDER_CANCELLED.
func (s *Service) OrderCancelled(ctx context.Context, ev EventRef, orderNo string) (CancelOutcome, error) {
	if err := validateID("orderNo", orderNo); err != nil {
		return "", err
	}
	return s.store.CancelOrder(ctx, ev, orderNo, s.timestamp())
}

// RefundReason is the reason recorded when a refunded order's charge is
// refunded by the ORDER_REFUNDED consumer.
const RefundReason = "order refunded"

// OrderRefunded handles an ORDER_REFUNDED event once per event id: the
// order's charge is refunded, exactly once whoever asks first.
func (s *Service) OrderRefunded(ctx context.Context, ev EventRef, orderNo string) (Charge, bool, error) {
	if err := validateID("orderNo", orderNo); err != nil {
		return Charge{}, false, err
	}
	return s.store.RefundClaimed(ctx, ev, orderNo, RefundReason, s.timestamp())
}

// Wallets lists every wallet, for the audit.
func (s *Service) Wallets(ctx context.Context) ([]Wallet, error) { return s.store.Wallets(ctx) }

// Charges lists every charge, for the audit.
func (s *Service) Charges(ctx context.Context) ([]Charge, error) { return s.store.Charges(ctx) }
