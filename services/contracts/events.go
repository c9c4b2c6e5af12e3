package contracts

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Address is where a paid order ships.
type Address struct {
	Name       string `json:"name"`
	Line1      string `json:"line1"`
	Line2      string `json:"line2,omitempty"`
	City       string `json:"city"`
	PostalCode string `json:"postalCode"`
	Country    string `json:"country"`
	Phone      string `json:"phone,omitempty"`
}

// OrderLine is one product of an order. Money is integer cents.
type OrderLine struct {
	SKU            string `json:"sku"`
	Name           string `json:"name"`
	Quantity       int    `json:"quantity"`
	UnitPriceCents int64  `json:"unitPriceCents"`
}

// OrderPaid says an order moved to PAID; consumers sell the stock, ship,
// credit points and clean the cart.
type OrderPaid struct {
	EventID    string      `json:"eventId"`
	OrderNo    string      `json:"orderNo"`
	UserID     string      `json:"userId"`
	Lines      []OrderLine `json:"lines"`
	TotalCents int64       `json:"totalCents"`
	Address    Address     `json:"address"`
	PaidAt     time.Time   `json:"paidAt"`
	// PointsRedeemed is the part of TotalCents the buyer paid with points
	// (PointsValueCents of it); the rest, ChargedCents, was charged to the
	// wallet. Absent (0) in an order paid without points.
	PointsRedeemed int64 `json:"pointsRedeemed,omitempty"`
}

// CentsPerPoint is what a redeemed point is worth: 100 points pay 1.00.
const CentsPerPoint = 1

// PointsValueCents is the money value of points redeemed.
func PointsValueCents(points int64) int64 { return points * CentsPerPoint }

// ChargedCents is the part of the order charged to the buyer's wallet: the
// total less the value of the points redeemed.
func (e OrderPaid) ChargedCents() int64 { return e.TotalCents - PointsValueCents(e.PointsRedeemed) }

// OrderCancelled says an unpaid order was cancelled; inventory releases its
// reservation.
type OrderCancelled struct {
	EventID     string      `json:"eventId"`
	OrderNo     string      `json:"orderNo"`
	UserID      string      `json:"userId"`
	Lines       []OrderLine `json:"lines"`
	Reason      string      `json:"reason"`
	CancelledAt time.Time   `json:"cancelledAt"`
}

// OrderTimeout asks the order service to cancel an order still unpaid at
// its deadline.
type OrderTimeout struct {
	EventID  string    `json:"eventId"`
	OrderNo  string    `json:"orderNo"`
	UserID   string    `json:"userId"`
	Deadline time.Time `json:"deadline"`
}

// ErrInvalidEvent is wrapped by Decode for bodies that can never be
// processed: consumers acknowledge them rather than retry.
var ErrInvalidEvent = errors.New("invalid event")

// Event is implemented by every payload.
type Event interface {
	validate() error
}

// Decode parses and validates an event body.
func Decode[E Event](body []byte, ev E) error {
	if err := json.Unmarshal(body, ev); err != nil {
		return fmt.Errorf("%w: %v", ErrInvalidEvent, err)
	}
	if err := ev.validate(); err != nil {
		return fmt.Errorf("%w: %v", ErrInvalidEvent, err)
	}
	return nil
}

func requireIDs(eventID, orderNo, userID string) error {
	switch {
	case eventID == "":
		return errors.New("eventId is empty")
	case orderNo == "":
		return errors.New("orderNo is empty")
	case userID == "":
		return errors.New("userId is empty")
	}
	return nil
}

func validateLines(lines []OrderLine) error {
	if len(lines) == 0 {
		return errors.New("no lines")
	}
	for i, l := range lines {
		if l.SKU == "" || l.Quantity <= 0 || l.UnitPriceCents < 0 {
			return fmt.Errorf("line %d: sku, a positive quantity and a non-negative price are required", i)
		}
	}
	return nil
}

func (e *OrderPaid) validate() error {
	if err := requireIDs(e.EventID, e.OrderNo, e.UserID); err != nil {
		return err
	}
	if err := validateLines(e.Lines); err != nil {
		return err
	}
	var sum int64
	for _, l := range e.Lines {
		sum += int64(l.Quantity) * l.UnitPriceCents
	}
	if sum != e.TotalCents {
		return fmt.Errorf("totalCents %d does not match the lines (%d)", e.TotalCents, sum)
	}
	if e.PointsRedeemed < 0 || PointsValueCents(e.PointsRedeemed) > e.TotalCents {
		return fmt.Errorf("pointsRedeemed %d is not between 0 and the total's worth (%d cents)", e.PointsRedeemed, e.TotalCents)
	}
	return nil
}

func (e *OrderCancelled) validate() error {
	if err := requireIDs(e.EventID, e.OrderNo, e.UserID); err != nil {
		return err
	}
	return validateLines(e.Lines)
}

func (e *OrderTimeout) validate() error {
	if err := requireIDs(e.EventID, e.OrderNo, e.UserID); err != nil {
		return err
	}
	if e.Deadline.IsZero() {
		return errors.New("deadline is missing")
	}
	return nil
}

// ShipmentShipped says a paid order's shipment left the warehouse; the
// order service moves the order from PAID to SHIPPED.
type ShipmentShipped struct {
	EventID    string    `json:"eventId"`
	OrderNo    string    `json:"orderNo"`
	UserID     string    `json:"userId"`
	Carrier    string    `json:"carrier"`
	TrackingNo string    `json:"trackingNo"`
	ShippedAt  time.Time `json:"shippedAt"`
}

// ShipmentDelivered says a paid order's shipment reached its recipient; the
// order service completes the order (PAID or SHIPPED → COMPLETED).
type ShipmentDelivered struct {
	EventID     string    `json:"eventId"`
	OrderNo     string    `json:"orderNo"`
	UserID      string    `json:"userId"`
	DeliveredAt time.Time `json:"deliveredAt"`
}

// OrderRefunded says a paid order is being refunded: cancelled before it
// shipped, or returned after delivery. Payment refunds the charge, points
// claws back the order's credit, inventory returns the stock and logistics
// cancels the shipment or records the return.
type OrderRefunded struct {
	EventID    string      `json:"eventId"`
	OrderNo    string      `json:"orderNo"`
	UserID     string      `json:"userId"`
	Lines      []OrderLine `json:"lines"`
	TotalCents int64       `json:"totalCents"`
	Reason     string      `json:"reason"`
	RefundedAt time.Time   `json:"refundedAt"`
	// PointsRedeemed is the part of TotalCents the order was paid with in
	// points (as in its ORDER_PAID); only ChargedCents is refunded in
	// money, and an order paid wholly with points has no charge to refund.
	// Absent (0) in an order paid without points.
	PointsRedeemed int64 `json:"pointsRedeemed,omitempty"`
}

// ChargedCents is the part of the refunded order that was charged to the
// buyer's wallet: the total less the value of the points redeemed.
func (e OrderRefunded) ChargedCents() int64 { return e.TotalCents - PointsValueCents(e.PointsRedeemed) }

func (e *ShipmentShipped) validate() error { return requireIDs(e.EventID, e.OrderNo, e.UserID) }

func (e *ShipmentDelivered) validate() error { return requireIDs(e.EventID, e.OrderNo, e.UserID) }

func (e *OrderRefunded) validate() error {
	if err := requireIDs(e.EventID, e.OrderNo, e.UserID); err != nil {
		return err
	}
	if err := validateLines(e.Lines); err != nil {
		return err
	}
	if e.TotalCents < 0 {
		return errors.New("totalCents is negative")
	}
	if e.PointsRedeemed < 0 || PointsValueCents(e.PointsRedeemed) > e.TotalCents {
		return fmt.Errorf("pointsRedeemed %d is not between 0 and the total's worth (%d cents)", e.PointsRedeemed, e.TotalCents)
	}
	return nil
}
