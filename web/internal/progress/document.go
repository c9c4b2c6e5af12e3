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
)

// Document is one snapshot of an order's journey across the services.
type Document struct {
	// Order is the order exactly as the order service returned it to its owner.
	Order json.RawMessage `json:"order"`
	// Payment says where the payment stands.
	Payment Payment `json:"payment"`
	// Effects are the four things ORDER_PAID causes downstream.
	Effects Effects `json:"effects"`
	// Complete is true when all four effects are done.
	Complete bool `json:"complete"`
	// Final is true when nothing more will change by itself: complete, or
	// cancelled with no stock reserved any more (released, or never reserved).
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
	// Reservation is the reservation's status (RESERVED, RELEASED, SOLD), or
	// empty when inventory has none for the order.
	Reservation string `json:"reservation,omitempty"`
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
	// Points is the sum of the order's ledger entries.
	Points int64 `json:"points"`
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
