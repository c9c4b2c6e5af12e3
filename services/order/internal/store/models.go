// Package store keeps the order service's data with gorm, on SQLite or
// MySQL. Status changes are conditional updates that write the transaction
// log in the same database transaction.
package store

import (
	"time"

	"github.com/rocketmart/rocketmart/services/platform/database"
	"github.com/rocketmart/rocketmart/services/platform/inbox"
	"github.com/rocketmart/rocketmart/services/platform/txlog"
	"gorm.io/gorm"
)

// orderRow is one order. The address is a few columns rather than JSON so
// that it reads well in any SQL client during a workshop.
type orderRow struct {
	OrderNo         string    `gorm:"primaryKey;size:64"`
	UserID          string    `gorm:"size:64;not null;index:idx_orders_user,priority:1"`
	Status          string    `gorm:"size:32;not null;index:idx_orders_status_deadline,priority:1"`
	TotalCents      int64     `gorm:"not null"`
	ShipName        string    `gorm:"size:200;not null"`
	ShipLine1       string    `gorm:"size:200;not null"`
	ShipLine2       string    `gorm:"size:200;not null"`
	ShipCity        string    `gorm:"size:200;not null"`
	ShipPostalCode  string    `gorm:"size:200;not null"`
	ShipCountry     string    `gorm:"size:200;not null"`
	ShipPhone       string    `gorm:"size:200;not null"`
	PaymentDeadline time.Time `gorm:"not null;index:idx_orders_status_deadline,priority:2"`
	PaidTxID        string    `gorm:"size:64;not null"`
	CancelReason    string    `gorm:"size:200;not null"`
	CreatedAt       time.Time `gorm:"not null;index:idx_orders_user,priority:2"`
	UpdatedAt       time.Time `gorm:"not null"`
}

func (orderRow) TableName() string { return "orders" }

// lineRow is one line of an order.
type lineRow struct {
	OrderNo        string `gorm:"primaryKey;size:64"`
	SKU            string `gorm:"primaryKey;size:64"`
	Position       int    `gorm:"not null"`
	Name           string `gorm:"size:200;not null"`
	Quantity       int    `gorm:"not null"`
	UnitPriceCents int64  `gorm:"not null"`
}

func (lineRow) TableName() string { return "order_lines" }

// historyRow is one status change.
type historyRow struct {
	ID         int64     `gorm:"primaryKey;autoIncrement"`
	OrderNo    string    `gorm:"size:64;not null;index"`
	FromStatus string    `gorm:"size:32;not null"`
	ToStatus   string    `gorm:"size:32;not null"`
	Reason     string    `gorm:"size:200;not null"`
	At         time.Time `gorm:"not null"`
}

func (historyRow) TableName() string { return "order_status_history" }

// keyRow is an Idempotency-Key a user sent with a checkout.
type keyRow struct {
	UserID      string    `gorm:"primaryKey;size:64"`
	IdemKey     string    `gorm:"primaryKey;size:128"`
	RequestHash string    `gorm:"size:64;not null"`
	OrderNo     string    `gorm:"size:64;not null"`
	CreatedAt   time.Time `gorm:"not null"`
}

func (keyRow) TableName() string { return "idempotency_keys" }

// Migrate creates or updates the tables (gorm AutoMigrate, at start-up).
func Migrate(db *gorm.DB) error {
	if err := database.Migrate(db, &orderRow{}, &lineRow{}, &historyRow{}, &keyRow{}, &pointsSplitRow{}); err != nil {
		return err
	}
	if err := txlog.Migrate(db); err != nil {
		return err
	}
	return inbox.Migrate(db)
}
