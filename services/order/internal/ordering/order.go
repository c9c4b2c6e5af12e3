// Package ordering is the order service's domain: orders and their state
// machine, placing an order against reserved stock, paying it through a
// transactional ORDER_PAID message, cancelling it (by the user or at its
// payment deadline) through a transactional ORDER_CANCELLED message, and
// answering the broker's check-backs from durable state.
package ordering

import (
	"slices"
	"time"

	"github.com/rocketmart/rocketmart/services/contracts"
)

// Status is where an order is in its life.
type Status string

// The order states. PENDING_PAYMENT moves to PAID or CANCELLED, never back.
// After payment (SPEC §2.6): PAID → SHIPPED → COMPLETED as logistics
// reports the shipment (a delivery may move PAID straight to COMPLETED);
// a paid order not shipped yet may be refunded, PAID → REFUNDING, and a
// completed one returned, COMPLETED → RETURN_REQUESTED → REFUNDING; every
// refund ends REFUNDED. No state moves back.
const (
	PendingPayment  Status = "PENDING_PAYMENT"
	Paid            Status = "PAID"
	Cancelled       Status = "CANCELLED"
	Shipped         Status = "SHIPPED"
	Completed       Status = "COMPLETED"
	ReturnRequested Status = "RETURN_REQUESTED"
	Refunding       Status = "REFUNDING"
	Refunded        Status = "REFUNDED"
)

// Statuses lists every order state, in the order an order reaches them.
var Statuses = []Status{PendingPayment, Paid, Cancelled, Shipped, Completed, ReturnRequested, Refunding, Refunded}

// Charged reports whether an order in status s was paid: its charge stands
// (or is being refunded through ORDER_REFUNDED, never by the pay flow).
func (s Status) Charged() bool {
	switch s {
	case Paid, Shipped, Completed, ReturnRequested, Refunding, Refunded:
		return true
	}
	return false
}

// RefundStarted reports whether an order in status s is being or has been
// refunded.
func (s Status) RefundStarted() bool { return s == Refunding || s == Refunded }

// Line is one product of an order, priced when its stock was reserved.
type Line struct {
	SKU            string
	Name           string
	Quantity       int
	UnitPriceCents int64
}

// TotalCents is the line's price.
func (l Line) TotalCents() int64 { return int64(l.Quantity) * l.UnitPriceCents }

// StatusChange is one entry of an order's history.
type StatusChange struct {
	From   Status // empty for the creation
	To     Status
	Reason string
	At     time.Time
}

// Order is a customer's order.
type Order struct {
	No              string
	UserID          string
	Status          Status
	Lines           []Line
	TotalCents      int64
	Address         contracts.Address
	PaymentDeadline time.Time
	// PaidTxID is the transaction id of the ORDER_PAID half message whose
	// local transaction made the order PAID.
	PaidTxID string
	// PointsApplied is the points part of its payment, fixed by its first
	// pay attempt (points.go): for a PAID order what it was paid with in
	// points; the rest, ChargedCents, was charged.
	PointsApplied int64
	// PointsAttemptedAt is when the latest pay attempt with PointsApplied
	// started; zero before the first (points.go).
	PointsAttemptedAt time.Time
	CancelReason      string
	CreatedAt         time.Time
	UpdatedAt         time.Time
	History           []StatusChange
}

// paid returns o as the transition c to PAID by transaction txID, with
// points applied, left it in the store (PointsAttemptedAt as it was read).
func (o *Order) paid(txID string, points int64, c StatusChange) *Order {
	p := *o
	p.Status, p.PaidTxID, p.PointsApplied, p.UpdatedAt = c.To, txID, points, c.At
	p.History = append(slices.Clip(o.History), c)
	return &p
}

// ChargedCents is the part of the total not paid with points.
func (o *Order) ChargedCents() int64 {
	return o.TotalCents - contracts.PointsValueCents(o.PointsApplied)
}

// contractLines converts the lines for an event.
func (o *Order) contractLines() []contracts.OrderLine {
	out := make([]contracts.OrderLine, len(o.Lines))
	for i, l := range o.Lines {
		out[i] = contracts.OrderLine{SKU: l.SKU, Name: l.Name, Quantity: l.Quantity, UnitPriceCents: l.UnitPriceCents}
	}
	return out
}

// sumLines totals lines.
func sumLines(lines []Line) int64 {
	var total int64
	for _, l := range lines {
		total += l.TotalCents()
	}
	return total
}
