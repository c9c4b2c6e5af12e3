// Package points holds RocketMart's loyalty rules: one point per whole
// currency unit paid, credited to the buyer's account once per order and
// reason, every balance change recorded in an append-only ledger. It knows
// nothing of HTTP, SQL or the broker; the Store keeps each change atomic.
package points

import (
	"context"
	"time"
)

// Reason says why a ledger entry exists. The ledger holds at most one entry
// per (order number, reason): that unique key, not the event id, is what
// makes "exactly one credit per paid order" hold when the order service
// publishes a second event for the same order.
type Reason string

// Reasons. Credits are positive, so a refund's clawback (second wave:
// ReasonOrderRefunded = "ORDER_REFUNDED", a negative entry of the same size
// as the order's ORDER_PAID entry, under its own unique key) fits the same
// ledger and balance update without a schema change.
const (
	// ReasonOrderPaid credits ForOrderTotal(totalCents) when an order is paid.
	ReasonOrderPaid Reason = "ORDER_PAID"
)

// Limits on input and on answers.
const (
	MaxIDLen      = 64  // order numbers and user ids
	MaxEventIDLen = 128 // the inbox column's size
	RecentEntries = 50  // entries shown with a balance
	DefaultLimit  = 50  // entries of a ledger query without a limit
	MaxLimit      = 200 // the largest limit a ledger query accepts
)

// ForOrderTotal is the points rule: one point per whole currency unit paid,
// rounded down, so an order under 1.00 earns 0 points. "Paid" is the part
// charged to the wallet: points redeemed for an order earn none
// (OrderPaid.ChargedCents).
func ForOrderTotal(totalCents int64) int64 {
	return totalCents / 100
}

// Account is a user's points balance. It exists from the user's first
// ledger entry on; a user without one has 0 points.
type Account struct {
	UserID  string
	Balance int64
}

// Entry is one line of the append-only ledger. Points is signed: credits
// are positive. A balance is always the sum of its user's entries.
type Entry struct {
	ID        int64
	UserID    string
	OrderNo   string
	Reason    Reason
	Points    int64
	EventID   string // the event that caused the entry
	CreatedAt time.Time
}

// Statement is an account with its newest entries, newest first.
type Statement struct {
	Account
	Ledger []Entry
}

// AccountCheck is an account's balance next to the sum of its ledger
// entries as the database computes it, for the consistency audit. The two
// must be equal.
type AccountCheck struct {
	UserID    string
	Balance   int64
	LedgerSum int64
}

// Filter selects ledger entries. Zero fields select everything.
type Filter struct {
	UserID      string
	OrderNo     string
	Limit       int  // 0: no limit
	NewestFirst bool // otherwise oldest first
}

// Store keeps accounts and the ledger.
type Store interface {
	// Record applies e exactly once, in one transaction: it claims
	// (consumer, e.EventID) in the inbox, appends e to the ledger under the
	// unique (order number, reason), and adds e.Points to the user's balance
	// with an atomic update, creating the account on the first entry. It
	// returns e with its id. When the claim or the ledger key is taken it
	// changes nothing and returns an error wrapping
	// apperr.ErrAlreadyApplied, saying which of the two it was.
	Record(ctx context.Context, consumer string, e Entry) (Entry, error)
	// ClawBack applies e (reason ORDER_REFUNDED, Points ignored) exactly
	// once, in one transaction: it claims (consumer, e.EventID), reads the
	// order's ORDER_PAID entry, appends e with minus its points under the
	// unique (order number, reason) and adds them to that entry's user's
	// balance, which may go negative. A claim or ledger key taken changes
	// nothing and wraps apperr.ErrAlreadyApplied; no ORDER_PAID entry
	// changes nothing and wraps ErrCreditNotYet.
	ClawBack(ctx context.Context, consumer string, e Entry) (Entry, error)
	// Statement returns a user's account and newest limit entries, read
	// in one transaction so the two agree; a user without an account has
	// balance 0 and no entries.
	Statement(ctx context.Context, userID string, limit int) (Statement, error)
	// Entries returns the entries f selects.
	Entries(ctx context.Context, f Filter) ([]Entry, error)
	// Checks returns every account with the sum of its ledger, and every
	// user with ledger entries but no account (balance 0), by user id.
	Checks(ctx context.Context) ([]AccountCheck, error)
	Redemptions
}
