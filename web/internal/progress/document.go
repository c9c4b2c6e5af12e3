package progress

import "encoding/json"

// Effect states shown to the browser (data-state in the page).
const (
	StateDone      = "done"      // the downstream service recorded the effect
	StateWaiting   = "waiting"   // not yet: the event has not arrived or not been applied
	StateUnknown   = "unknown"   // the service that would know did not answer
	StateCancelled = "cancelled" // the order was cancelled, so the effect will never happen
)

// Payment states.
const (
	PaymentNone          = "none"           // nobody has tried to pay yet (or a try was declined)
	PaymentInFlight      = "in_flight"      // a pay request is running, or the charge is made and the order not yet PAID
	PaymentAwaitingCheck = "awaiting_check" // the ORDER_PAID half message waits for the broker's check-back
	PaymentPaid          = "paid"
	PaymentRefunded      = "refunded"  // cancelled after a successful charge; the charge was refunded
	PaymentCancelled     = "cancelled" // cancelled before anything was charged
)

// Order statuses of the order service that change what progress means.
const (
	orderPaid      = "PAID"
	orderCancelled = "CANCELLED"
	orderShipped   = "SHIPPED"
	orderCompleted = "COMPLETED"
	orderReturnReq = "RETURN_REQUESTED"
	orderRefunding = "REFUNDING"
	orderRefunded  = "REFUNDED"
)

// paidOnce reports whether an order in status was paid at some point: PAID
// and every state after it.
func paidOnce(status string) bool {
	switch status {
	case orderPaid, orderShipped, orderCompleted, orderReturnReq, orderRefunding, orderRefunded:
		return true
	}
	return false
}

// refundStarted reports whether the order's refund was accepted
// (ORDER_REFUNDED was published).
func refundStarted(status string) bool {
	return status == orderRefunding || status == orderRefunded
}

// Document is one snapshot of an order's journey across the services.
type Document struct {
	// Order is the order exactly as the order service returned it to its owner.
	Order json.RawMessage `json:"order"`
	// Payment says where the payment stands.
	Payment Payment `json:"payment"`
	// Effects are the four things ORDER_PAID causes downstream.
	Effects Effects `json:"effects"`
	// AfterPay is what happens after the four effects: the shipment leaving
	// and arriving, and a refund's effects in every service.
	AfterPay AfterPay `json:"afterPay"`
	// Complete is true when all four effects are done.
	Complete bool `json:"complete"`
	// Final is true when nothing more will change by itself: complete (and
	// not being refunded), cancelled with no stock reserved any more
	// (released, or never reserved), or refunded with every refund effect done.
	// The page stops polling then.
	Final bool `json:"final"`
	// CheckedAt is when the gateway asked (RFC 3339, UTC).
	CheckedAt string `json:"checkedAt"`
}

// Payment is the payment's state with what it rests on.
type Payment struct {
	State string `json:"state"`
	// At is when the order became PAID or the charge was refunded.
	At string `json:"at,omitempty"`
	// HalfMessage describes the pending ORDER_PAID half message, if any.
	HalfMessage *HalfMessage `json:"halfMessage,omitempty"`
	// Notes explain what could not be checked (a service or the broker down,
	// broker views disabled), so "none" is never mistaken for certainty.
	Notes []string `json:"notes,omitempty"`
}

// HalfMessage is a half message the broker still holds for the order.
type HalfMessage struct {
	TransactionID string `json:"transactionId"`
	Topic         string `json:"topic"`
	CheckCount    int    `json:"checkCount"`
	BornTime      string `json:"bornTime,omitempty"`
	LastCheckTime string `json:"lastCheckTime,omitempty"`
}

// Effects groups the four downstream effects of ORDER_PAID.
type Effects struct {
	StockSold   StockSold   `json:"stockSold"`
	Shipment    Shipment    `json:"shipment"`
	Points      Points      `json:"points"`
	CartCleaned CartCleaned `json:"cartCleaned"`
}

// AfterPay is the order's life after its payment's effects: delivery
// (logistics' SHIPMENT_SHIPPED and SHIPMENT_DELIVERED) and the refund
// (ORDER_REFUNDED's effects).
type AfterPay struct {
	// Shipped and Delivered come from the shipment's tracking events;
	// cancelled when a refund cancelled the shipment first.
	Shipped   Status `json:"shipped"`
	Delivered Status `json:"delivered"`
	// Refund is there once the order is REFUNDING or REFUNDED.
	Refund *Refund `json:"refund,omitempty"`
}

// Refund is what ORDER_REFUNDED causes in each service.
type Refund struct {
	// Payment: the charge refunded to the wallet (done at once when points
	// paid everything and nothing was charged).
	Payment Status `json:"payment"`
	// Points: the ORDER_PAID credit clawed back and any redemption returned.
	Points RefundPoints `json:"points"`
	// Stock: the reservation SOLD → RETURNED, the units available again.
	Stock Status `json:"stock"`
	// Shipment: cancelled before shipping, or returned.
	Shipment RefundShipment `json:"shipment"`
}

// RefundPoints is the points service's part of a refund.
type RefundPoints struct {
	Status
	ClawedBack int64 `json:"clawedBack"` // the ORDER_REFUNDED entry (negative or 0)
	Returned   int64 `json:"returned"`   // the REDEMPTION_RETURNED entry (positive or 0)
}

// RefundShipment is logistics' part of a refund.
type RefundShipment struct {
	Status
	Shipment string `json:"shipment,omitempty"` // CANCELLED or RETURNED once done
}

// Status is what every effect has: its state, whether it is done, when it
// happened and, for unknown, why.
type Status struct {
	State  string `json:"state"`
	Done   bool   `json:"done"`
	At     string `json:"at,omitempty"`
	Reason string `json:"reason,omitempty"`
}

// StockSold is inventory's effect: the reservation turned into sold stock.
type StockSold struct {
	Status
	// Reservation is the reservation's status (RESERVED, RELEASED, SOLD,
	// RETURNED), or
	// empty when inventory has none for the order.
	Reservation string `json:"reservation,omitempty"`
	updatedAt   string // when the reservation last moved (to RETURNED, for a refund)
}

// Shipment is logistics' effect.
type Shipment struct {
	Status
	Shipment   string `json:"shipment,omitempty"` // the shipment's own status, e.g. AWAITING_SHIPMENT
	Carrier    string `json:"carrier,omitempty"`
	TrackingNo string `json:"trackingNo,omitempty"`
}

// Points is the points service's effect.
type Points struct {
	Status
	// Points is the order's ORDER_PAID credit.
	Points int64 `json:"points"`
	// Redeemed is what the order's ORDER_REDEEMED entry took (positive), 0 without one.
	Redeemed int64 `json:"redeemed,omitempty"`
}

// CartCleaned is the cart service's effect.
type CartCleaned struct {
	Status
	Removed []CartLine `json:"removed,omitempty"`
}

// CartLine is one purchased line the cart consumer removed.
type CartLine struct {
	SKU      string `json:"sku"`
	Quantity int    `json:"quantity"`
}

// status builds the Status of an effect from what its service said: err (a
// reason when it could not be asked), done, and the order's own status.
func status(done bool, at, reason, orderStatus string) Status {
	switch {
	case reason != "":
		return Status{State: StateUnknown, Reason: reason}
	case done:
		return Status{State: StateDone, Done: true, At: at}
	case orderStatus == orderCancelled:
		return Status{State: StateCancelled}
	default:
		return Status{State: StateWaiting}
	}
}

func (e Effects) complete() bool {
	return e.StockSold.Done && e.Shipment.Done && e.Points.Done && e.CartCleaned.Done
}
