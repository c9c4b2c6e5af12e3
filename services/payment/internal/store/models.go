package store

import (
	"time"

	"github.com/rocketmart/rocketmart/services/payment/internal/payment"
)

// walletRow is one user's balance. initial_cents and top_ups_cents never
// decrease, so the audit can check that money was conserved.
type walletRow struct {
	UserID       string `gorm:"primaryKey;size:64"`
	InitialCents int64  `gorm:"not null"`
	TopUpsCents  int64  `gorm:"not null"`
	BalanceCents int64  `gorm:"not null"`
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

func (walletRow) TableName() string { return "wallets" }

func (r walletRow) toDomain() payment.Wallet {
	return payment.Wallet{UserID: r.UserID, InitialCents: r.InitialCents, TopUpsCents: r.TopUpsCents, BalanceCents: r.BalanceCents}
}

// chargeRow is the one charge of an order: order_no is UNIQUE, which is what
// makes charging idempotent by order number.
type chargeRow struct {
	ID           uint64     `gorm:"primaryKey;autoIncrement"`
	OrderNo      string     `gorm:"size:64;not null;uniqueIndex:uq_charges_order_no"`
	UserID       string     `gorm:"size:64;not null;index:ix_charges_user_created,priority:1"`
	AmountCents  int64      `gorm:"not null"`
	Status       string     `gorm:"size:16;not null"`
	CreatedAt    time.Time  `gorm:"not null;index:ix_charges_user_created,priority:2"`
	RefundedAt   *time.Time ``
	RefundReason string     `gorm:"size:200;not null"`
}

func (chargeRow) TableName() string { return "charges" }

func (r chargeRow) toDomain() payment.Charge {
	c := payment.Charge{
		OrderNo: r.OrderNo, UserID: r.UserID, AmountCents: r.AmountCents,
		Status: payment.Status(r.Status), CreatedAt: r.CreatedAt.UTC(), RefundReason: r.RefundReason,
	}
	if r.RefundedAt != nil {
		at := r.RefundedAt.UTC()
		c.RefundedAt = &at
	}
	return c
}

// voidRow marks an order cancelled before it was charged; a charge for it is
// then refused. See CancelOrder for why this is race-free.
type voidRow struct {
	OrderNo  string    `gorm:"primaryKey;size:64"`
	EventID  string    `gorm:"size:128;not null"`
	VoidedAt time.Time `gorm:"not null"`
}

func (voidRow) TableName() string { return "voided_orders" }

// topUpRow is one credit, unique per (user, idempotency key).
type topUpRow struct {
	ID             string    `gorm:"primaryKey;size:32"`
	UserID         string    `gorm:"size:64;not null;uniqueIndex:uq_top_ups_user_key,priority:1"`
	IdempotencyKey string    `gorm:"size:128;not null;uniqueIndex:uq_top_ups_user_key,priority:2"`
	AmountCents    int64     `gorm:"not null"`
	BalanceCents   int64     `gorm:"not null"`
	CreatedAt      time.Time `gorm:"not null"`
}

func (topUpRow) TableName() string { return "top_ups" }

func (r topUpRow) toDomain() payment.TopUp {
	return payment.TopUp{
		ID: r.ID, UserID: r.UserID, Key: r.IdempotencyKey, AmountCents: r.AmountCents,
		BalanceCents: r.BalanceCents, CreatedAt: r.CreatedAt.UTC(),
	}
}
