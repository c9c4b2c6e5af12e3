package httpapi

import (
	"time"

	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/order/internal/ordering"
)

// Address is where an order ships.
type Address struct {
	Name       string `json:"name" example:"Alice Rich"`
	Line1      string `json:"line1" example:"1 Market Street"`
	Line2      string `json:"line2,omitempty" example:"Flat 4"`
	City       string `json:"city" example:"Springfield"`
	PostalCode string `json:"postalCode" example:"12345"`
	Country    string `json:"country" example:"US"`
	Phone      string `json:"phone,omitempty" example:"+1 555 0100"`
}

// LineRequest asks for a quantity of one product.
type LineRequest struct {
	SKU      string `json:"sku" example:"RM-MUG-01"`
	Quantity int    `json:"quantity" example:"2"`
}

// PlaceOrderRequest is a checkout. Without lines, the caller's cart is
// ordered.
type PlaceOrderRequest struct {
	Lines   []LineRequest `json:"lines,omitempty"`
	Address Address       `json:"address"`
}

// LineResponse is one line of an order.
type LineResponse struct {
	SKU            string `json:"sku" example:"RM-MUG-01"`
	Name           string `json:"name" example:"Rocket Mug"`
	Quantity       int    `json:"quantity" example:"2"`
	UnitPriceCents int64  `json:"unitPriceCents" example:"1299"`
	LineTotalCents int64  `json:"lineTotalCents" example:"2598"`
}

// StatusChangeResponse is one entry of an order's history.
type StatusChangeResponse struct {
	From   string    `json:"from,omitempty" example:"PENDING_PAYMENT"`
	To     string    `json:"to" example:"PAID"`
	Reason string    `json:"reason" example:"payment succeeded"`
	At     time.Time `json:"at" example:"2026-11-21T10:02:30Z" format:"date-time"`
}

// OrderResponse is an order.
type OrderResponse struct {
	OrderNo    string         `json:"orderNo" example:"RM20261121-K3QF9XZ2B7M4"`
	UserID     string         `json:"userId" example:"alice"`
	Status     string         `json:"status" enums:"PENDING_PAYMENT,PAID,CANCELLED,SHIPPED,COMPLETED,RETURN_REQUESTED,REFUNDING,REFUNDED" example:"PENDING_PAYMENT"`
	Lines      []LineResponse `json:"lines"`
	TotalCents int64          `json:"totalCents" example:"2598"`
	// PointsApplied is the points part of the payment (100 points = 1.00),
	// fixed by the order's first pay; ChargedCents the rest, charged to the
	// wallet. For a PAID order they are what it was paid with.
	PointsApplied   int64                  `json:"pointsApplied" example:"500"`
	ChargedCents    int64                  `json:"chargedCents" example:"2098"`
	Address         Address                `json:"address"`
	PaymentDeadline time.Time              `json:"paymentDeadline" example:"2026-11-21T10:15:00Z" format:"date-time"`
	CancelReason    string                 `json:"cancelReason,omitempty" example:"payment deadline passed"`
	CreatedAt       time.Time              `json:"createdAt" example:"2026-11-21T10:00:00Z" format:"date-time"`
	UpdatedAt       time.Time              `json:"updatedAt" example:"2026-11-21T10:02:30Z" format:"date-time"`
	History         []StatusChangeResponse `json:"history,omitempty"`
}

// OrderListResponse lists orders, newest first.
type OrderListResponse struct {
	Orders []OrderResponse `json:"orders"`
}

// PayResponse says what a pay request achieved.
type PayResponse struct {
	// PAID: this request paid the order. ALREADY_PAID: it was paid before.
	// PENDING (HTTP 202): not known yet; poll the order.
	Outcome string        `json:"outcome" enums:"PAID,ALREADY_PAID,PENDING" example:"PAID"`
	Order   OrderResponse `json:"order"`
}

func (r PlaceOrderRequest) domain() ordering.PlaceRequest {
	lines := make([]ordering.LineRequest, len(r.Lines))
	for i, l := range r.Lines {
		lines[i] = ordering.LineRequest{SKU: l.SKU, Quantity: l.Quantity}
	}
	a := r.Address
	return ordering.PlaceRequest{Lines: lines, Address: contracts.Address{
		Name: a.Name, Line1: a.Line1, Line2: a.Line2, City: a.City, PostalCode: a.PostalCode, Country: a.Country, Phone: a.Phone,
	}}
}

func orderResponse(o *ordering.Order) OrderResponse {
	a := o.Address
	r := OrderResponse{
		OrderNo: o.No, UserID: o.UserID, Status: string(o.Status), TotalCents: o.TotalCents,
		PointsApplied: o.PointsApplied, ChargedCents: o.ChargedCents(),
		Address:         Address{Name: a.Name, Line1: a.Line1, Line2: a.Line2, City: a.City, PostalCode: a.PostalCode, Country: a.Country, Phone: a.Phone},
		PaymentDeadline: o.PaymentDeadline, CancelReason: o.CancelReason, CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt,
		Lines: make([]LineResponse, len(o.Lines)),
	}
	for i, l := range o.Lines {
		r.Lines[i] = LineResponse{SKU: l.SKU, Name: l.Name, Quantity: l.Quantity, UnitPriceCents: l.UnitPriceCents, LineTotalCents: l.TotalCents()}
	}
	for _, h := range o.History {
		r.History = append(r.History, StatusChangeResponse{From: string(h.From), To: string(h.To), Reason: h.Reason, At: h.At})
	}
	return r
}

func listResponse(orders []ordering.Order) OrderListResponse {
	out := OrderListResponse{Orders: make([]OrderResponse, len(orders))}
	for i := range orders {
		out.Orders[i] = orderResponse(&orders[i])
	}
	return out
}
