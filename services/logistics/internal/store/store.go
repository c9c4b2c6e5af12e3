// Package store keeps shipments and their tracking events with gorm, on
// SQLite or MySQL/MariaDB. It owns the transactions: a shipment is created
// in the same transaction as its inbox claim, and moves only by conditional
// updates (… WHERE status = ?), never by reading a status and writing a new
// one.
package store

import (
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/logistics/internal/shipping"
	"github.com/rocketmart/rocketmart/services/platform/database"
	"github.com/rocketmart/rocketmart/services/platform/inbox"
	"github.com/rocketmart/rocketmart/services/platform/txlog"
)

// shipmentRow is one shipment. The UNIQUE key on the order number is the
// business key behind "one shipment per paid order": it holds even when two
// different ORDER_PAID events for one order pass the inbox. ID only gives
// listings a stable newest-first order.
type shipmentRow struct {
	ID             uint64    `gorm:"primaryKey;autoIncrement"`
	OrderNo        string    `gorm:"size:64;not null;uniqueIndex:uq_shipments_order_no"`
	UserID         string    `gorm:"size:64;not null;index:idx_shipments_user"`
	Status         string    `gorm:"size:32;not null"`
	ShipName       string    `gorm:"size:200;not null"`
	ShipLine1      string    `gorm:"size:200;not null"`
	ShipLine2      string    `gorm:"size:200;not null"`
	ShipCity       string    `gorm:"size:200;not null"`
	ShipPostalCode string    `gorm:"size:200;not null"`
	ShipCountry    string    `gorm:"size:200;not null"`
	ShipPhone      string    `gorm:"size:200;not null"`
	TotalCents     int64     `gorm:"not null"`
	Carrier        string    `gorm:"size:32;not null"`
	TrackingNo     string    `gorm:"size:64;not null"`
	PaidAt         time.Time `gorm:"not null"`
	CreatedAt      time.Time `gorm:"not null;autoCreateTime:false"`
	UpdatedAt      time.Time `gorm:"not null;autoUpdateTime:false"`
}

func (shipmentRow) TableName() string { return "shipments" }

// lineRow is one product of a shipment, in the order's line order. Lines
// never change after the shipment is created.
type lineRow struct {
	OrderNo  string `gorm:"primaryKey;size:64"`
	Position int    `gorm:"primaryKey;autoIncrement:false"`
	SKU      string `gorm:"size:64;not null"`
	Name     string `gorm:"size:200;not null"`
	Quantity int    `gorm:"not null"`
}

func (lineRow) TableName() string { return "shipment_lines" }

// eventRow is one tracking event. Statuses only move forward, so a shipment
// reaches each at most once: the UNIQUE key makes the database refuse a
// second event for one transition, a second line behind the conditional
// update. ID keeps events in the order they were written.
type eventRow struct {
	ID         uint64    `gorm:"primaryKey;autoIncrement"`
	OrderNo    string    `gorm:"size:64;not null;uniqueIndex:uq_tracking_events_order_status,priority:1"`
	Status     string    `gorm:"size:32;not null;uniqueIndex:uq_tracking_events_order_status,priority:2"`
	Note       string    `gorm:"size:200;not null"`
	OccurredAt time.Time `gorm:"not null"`
}

func (eventRow) TableName() string { return "tracking_events" }

// Migrate creates or extends the logistics tables, including the inbox of
// processed events.
func Migrate(db *gorm.DB) error {
	if err := database.Migrate(db, &shipmentRow{}, &lineRow{}, &eventRow{}); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	if err := inbox.Migrate(db); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	if err := txlog.Migrate(db); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	return nil
}

// Store implements shipping.Store.
type Store struct {
	db *gorm.DB
}

// New returns a Store on a migrated database.
func New(db *gorm.DB) *Store { return &Store{db: db} }

var _ shipping.Store = (*Store)(nil)

func toRow(s shipping.Shipment) shipmentRow {
	return shipmentRow{
		OrderNo: s.OrderNo, UserID: s.UserID, Status: string(s.Status),
		ShipName: s.Address.Name, ShipLine1: s.Address.Line1, ShipLine2: s.Address.Line2, ShipCity: s.Address.City,
		ShipPostalCode: s.Address.PostalCode, ShipCountry: s.Address.Country, ShipPhone: s.Address.Phone,
		TotalCents: s.TotalCents, Carrier: s.Carrier, TrackingNo: s.TrackingNo,
		PaidAt: s.PaidAt, CreatedAt: s.CreatedAt, UpdatedAt: s.UpdatedAt,
	}
}

func fromRow(r shipmentRow) shipping.Shipment {
	return shipping.Shipment{
		OrderNo: r.OrderNo, UserID: r.UserID, Status: shipping.Status(r.Status),
		Address: shipping.Address{Name: r.ShipName, Line1: r.ShipLine1, Line2: r.ShipLine2, City: r.ShipCity,
			PostalCode: r.ShipPostalCode, Country: r.ShipCountry, Phone: r.ShipPhone},
		TotalCents: r.TotalCents, Carrier: r.Carrier, TrackingNo: r.TrackingNo,
		PaidAt: r.PaidAt.UTC(), CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
		Lines: []shipping.Line{}, Events: []shipping.TrackingEvent{},
	}
}
