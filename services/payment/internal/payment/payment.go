// Package payment holds RocketMart's money rules: demo wallets, charges (at
// most one per order), refunds and top-ups. It knows nothing of HTTP, SQL or
// the broker; the store it is given keeps every money change atomic.
package payment

import (
	"context"
	"time"
)

// Status is where a charge stands.
type Status string

// Charge statuses. A charge is born SUCCEEDED (a declined charge is never
// recorded) and can only move to REFUNDED, once.
const (
	StatusSucceeded Status = "SUCCEEDED"
	StatusRefunded  Status = "REFUNDED"
)

// Limits on input. They keep amounts far from int64 overflow and strings
// within their columns.
const (
	MaxChargeCents   = 100_000_000 // one order never costs more than 1 000 000.00
	MaxTopUpCents    = 10_000_000  // one top-up never adds more than 100 000.00
	MaxIDLen         = 64          // order numbers and user ids
	MaxKeyLen        = 128         // Idempotency-Key
	MaxReasonLen     = 200         // refund reason, in characters
	RecentChargesMax = 50          // charges shown with a wallet
)

// CancelRefundReason is the reason recorded when a cancelled order's charge
// is refunded by the ORDER_CANCELLED consumer.
const CancelRefundReason = "order cancelled"

// Wallet is a user's demo balance. Money is conserved per wallet:
// InitialCents + TopUpsCents = BalanceCents + (charges - refunds), where
// TopUpsCents counts the user's own top-ups and their lines of bulk
// top-ups.
type Wallet struct {
	UserID       string
	InitialCents int64
	TopUpsCents  int64
	BalanceCents int64
}

// Charge is the payment of one order; there is at most one per order number.
type Charge struct {
	OrderNo      string
	UserID       string
	AmountCents  int64
	Status       Status
	CreatedAt    time.Time
	RefundedAt   *time.Time // set when Status is REFUNDED
	RefundReason string     // set when Status is REFUNDED
}

// ChargeRequest asks to debit a user's wallet for an order.
type ChargeRequest struct {
	OrderNo     string
	UserID      string
	AmountCents int64
	// NotAfter, when set, is the last moment the charge may be created:
	// the order service's check-back rolls a payment back once it has found
	// no charge after it, so a charge that would commit later is refused
	// (CHARGE_TOO_LATE) instead of landing on an order that is not paid.
	NotAfter time.Time
}

// TopUp is one credit a user made to their own wallet, remembered under its
// idempotency key so a retried request never credits twice.
type TopUp struct {
	ID           string
	UserID       string
	Key          string
	AmountCents  int64
	BalanceCents int64 // the wallet balance right after this top-up
	CreatedAt    time.Time
}

// WalletView is a wallet with its owner's most recent charges, newest first.
type WalletView struct {
	Wallet
	Charges []Charge
}

// EventRef identifies a consumed event for idempotency: a consumer handles
// each event id at most once.
type EventRef struct {
	Consumer string
	EventID  string
}

// CancelOutcome says what cancelling an order did to its payment.
type CancelOutcome string

// Outcomes of OrderCancelled.
const (
	// CancelRefunded: the order had a succeeded charge; it is refunded now.
	CancelRefunded CancelOutcome = "refunded"
	// CancelAlreadyRefunded: the order's charge was refunded before.
	CancelAlreadyRefunded CancelOutcome = "already_refunded"
	// CancelVoided: the order had no charge; a void marker now makes any
	// later charge for it fail with ORDER_CANCELLED.
	CancelVoided CancelOutcome = "voided"
)

// Store keeps wallets, charges, top-ups and void markers. Every method that
// moves money does so in one database transaction with conditional updates,
// never read-then-write.
type Store interface {
	// SeedWallets creates the wallets that do not exist yet and leaves the
	// others untouched.
	SeedWallets(ctx context.Context, wallets []Wallet) error
	// Wallet returns a wallet or a WALLET_NOT_FOUND error.
	Wallet(ctx context.Context, userID string) (Wallet, error)
	// ChargesOf returns up to limit charges of a user, newest first.
	ChargesOf(ctx context.Context, userID string, limit int) ([]Charge, error)
	// TopUp credits t.AmountCents to t.UserID's wallet and records t, unless
	// the user already has a top-up under t.Key: then it changes nothing and
	// returns that one with created == false.
	TopUp(ctx context.Context, t TopUp) (got TopUp, created bool, err error)
	// BulkTopUp credits every line's wallet (b.Lines, sorted by user id)
	// and records b, all or nothing, unless a bulk top-up under b.Key
	// exists: then it changes nothing and returns that one with created ==
	// false. A line without a wallet fails it with WALLET_NOT_FOUND.
	BulkTopUp(ctx context.Context, b BulkTopUp) (got BulkTopUp, created bool, err error)
	// Charge debits c.AmountCents from c.UserID's wallet and records c,
	// unless a charge for c.OrderNo exists: then it changes nothing and
	// returns that one with created == false. It fails with ORDER_CANCELLED
	// when the order was voided, INSUFFICIENT_FUNDS or WALLET_NOT_FOUND, and
	// with CHARGE_TOO_LATE when it would commit after notAfter (zero: no
	// deadline); an existing charge is returned whatever the deadline.
	Charge(ctx context.Context, c Charge, notAfter time.Time) (got Charge, created bool, err error)
	// ChargeByOrder returns the charge of an order or CHARGE_NOT_FOUND.
	ChargeByOrder(ctx context.Context, orderNo string) (Charge, error)
	// Refund moves the order's charge from SUCCEEDED to REFUNDED and
	// credits its amount back, once; a refunded charge is returned as is.
	Refund(ctx context.Context, orderNo, reason string, at time.Time) (Charge, error)
	// CancelOrder claims ev and, in the same transaction, refunds the
	// order's charge or, when there is none, voids the order. A claimed
	// event fails with an error wrapping apperr.ErrAlreadyApplied.
	CancelOrder(ctx context.Context, ev EventRef, orderNo string, at time.Time) (CancelOutcome, error)
	// RefundClaimed claims ev and, in the same transaction, refunds the
	// order's charge as Refund does: once, a refunded charge returned as it
	// is (refunded false). No charge rolls the claim back with
	// CHARGE_NOT_FOUND. A claimed event fails with an error wrapping
	// apperr.ErrAlreadyApplied.
	RefundClaimed(ctx context.Context, ev EventRef, orderNo, reason string, at time.Time) (c Charge, refunded bool, err error)
	// Wallets returns every wallet, by user id.
	Wallets(ctx context.Context) ([]Wallet, error)
	// Charges returns every charge, oldest first.
	Charges(ctx context.Context) ([]Charge, error)
}
