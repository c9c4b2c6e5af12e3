package httpapi

import (
	"time"

	"github.com/rocketmart/rocketmart/services/logistics/internal/shipping"
)

// Shipment is the parcel of one paid order with its tracking events, oldest
// first.
type Shipment struct {
	OrderNo    string         `json:"orderNo" example:"RM20300101-K3QF9XZ2B7M4"`
	UserID     string         `json:"userId" example:"alice"`
	Status     string         `json:"status" enums:"AWAITING_SHIPMENT,SHIPPED,DELIVERED,CANCELLED,RETURNED" example:"SHIPPED"`
	Address    Address        `json:"address"`
	Lines      []ShipmentLine `json:"lines"`
	TotalCents int64          `json:"totalCents" example:"31998"`
	// Carrier is empty until the shipment is shipped.
	Carrier string `json:"carrier" example:"RocketPost"`
	// TrackingNo is empty until the shipment is shipped.
	TrackingNo string          `json:"trackingNo" example:"RP7K3QF9XZ2B7M4A"`
	PaidAt     time.Time       `json:"paidAt" example:"2030-01-01T12:00:00Z" format:"date-time"`
	CreatedAt  time.Time       `json:"createdAt" example:"2030-01-01T12:00:01Z" format:"date-time"`
	UpdatedAt  time.Time       `json:"updatedAt" example:"2030-01-02T09:30:00Z" format:"date-time"`
	Events     []TrackingEvent `json:"events"`
}

// Address is where the parcel goes, as the order gave it.
type Address struct {
	Name       string `json:"name" example:"Alice Rich"`
	Line1      string `json:"line1" example:"1 Launch Pad Road"`
	Line2      string `json:"line2" example:"Hangar 3"`
	City       string `json:"city" example:"Cape Town"`
	PostalCode string `json:"postalCode" example:"8001"`
	Country    string `json:"country" example:"ZA"`
	Phone      string `json:"phone" example:"+27 21 555 0100"`
}

// ShipmentLine is one product in the parcel.
type ShipmentLine struct {
	SKU      string `json:"sku" example:"RM-LAMP-ROCKET"`
	Name     string `json:"name" example:"Limited Edition Rocket Lamp"`
	Quantity int    `json:"quantity" example:"2"`
}

// TrackingEvent is one step of a shipment.
type TrackingEvent struct {
	Status string    `json:"status" enums:"AWAITING_SHIPMENT,SHIPPED,DELIVERED,CANCELLED,RETURNED" example:"SHIPPED"`
	Note   string    `json:"note" example:"Handed to RocketPost, tracking number RP7K3QF9XZ2B7M4A"`
	At     time.Time `json:"at" example:"2030-01-02T09:30:00Z" format:"date-time"`
}

// ShipmentList is a list of shipments, newest first.
type ShipmentList struct {
	Shipments []Shipment `json:"shipments"`
}

// ShipRequest optionally names the carrier and the tracking number. An empty
// body (or {}) ships with RocketPost and a generated tracking number.
type ShipRequest struct {
	// Carrier: 1 to 32 letters, digits, spaces, '-' and '.'; default RocketPost.
	Carrier string `json:"carrier" example:"RocketPost"`
	// TrackingNo: 1 to 64 characters of A-Z, a-z, 0-9 and '-'; generated when absent.
	TrackingNo string `json:"trackingNo" example:"RP7K3QF9XZ2B7M4A"`
}

func toShipment(s shipping.Shipment) Shipment {
	a := s.Address
	out := Shipment{
		OrderNo: s.OrderNo, UserID: s.UserID, Status: string(s.Status),
		Address: Address{Name: a.Name, Line1: a.Line1, Line2: a.Line2, City: a.City,
			PostalCode: a.PostalCode, Country: a.Country, Phone: a.Phone},
		Lines: make([]ShipmentLine, 0, len(s.Lines)), TotalCents: s.TotalCents,
		Carrier: s.Carrier, TrackingNo: s.TrackingNo,
		PaidAt: s.PaidAt.UTC(), CreatedAt: s.CreatedAt.UTC(), UpdatedAt: s.UpdatedAt.UTC(),
		Events: make([]TrackingEvent, 0, len(s.Events)),
	}
	for _, l := range s.Lines {
		out.Lines = append(out.Lines, ShipmentLine{SKU: l.SKU, Name: l.Name, Quantity: l.Quantity})
	}
	for _, e := range s.Events {
		out.Events = append(out.Events, TrackingEvent{Status: string(e.Status), Note: e.Note, At: e.At.UTC()})
	}
	return out
}

func toList(list []shipping.Shipment) ShipmentList {
	out := ShipmentList{Shipments: make([]Shipment, 0, len(list))}
	for _, s := range list {
		out.Shipments = append(out.Shipments, toShipment(s))
	}
	return out
}
