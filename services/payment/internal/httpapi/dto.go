package httpapi

import (
	"time"

	"github.com/rocketmart/rocketmart/services/payment/internal/payment"
)

// Charge is the payment of one order.
type Charge struct {
	OrderNo      string     `json:"orderNo" example:"O20250101120000-4F2A"`
	UserID       string     `json:"userId" example:"alice"`
	AmountCents  int64      `json:"amountCents" example:"2500"`
	Status       string     `json:"status" enums:"SUCCEEDED,REFUNDED" example:"SUCCEEDED"`
	CreatedAt    time.Time  `json:"createdAt" example:"2025-01-01T12:00:00Z"`
	RefundedAt   *time.Time `json:"refundedAt,omitempty" example:"2025-01-01T12:30:00Z"`
	RefundReason string     `json:"refundReason,omitempty" example:"order cancelled"`
}

// WalletResponse is the caller's balance and latest charges, newest first.
type WalletResponse struct {
	UserID       string   `json:"userId" example:"alice"`
	BalanceCents int64    `json:"balanceCents" example:"997500"`
	Charges      []Charge `json:"charges"`
}

// TopUpRequest adds money to the caller's demo wallet.
type TopUpRequest struct {
	AmountCents int64 `json:"amountCents" binding:"min=1,max=10000000" validate:"required" minimum:"1" maximum:"10000000" example:"5000"`
}

// TopUpResponse is a top-up and the balance right after it.
type TopUpResponse struct {
	TopUpID      string `json:"topUpId" example:"tu_5RZQ2KJ7M3XW4YB6N8TD1C9FHA"`
	UserID       string `json:"userId" example:"carol"`
	AmountCents  int64  `json:"amountCents" example:"5000"`
	BalanceCents int64  `json:"balanceCents" example:"6500"`
}

// ChargeRequest asks to debit a user's wallet for an order.
type ChargeRequest struct {
	OrderNo     string `json:"orderNo" binding:"required,max=64" maxLength:"64" example:"O20250101120000-4F2A"`
	UserID      string `json:"userId" binding:"required,max=64" maxLength:"64" example:"alice"`
	AmountCents int64  `json:"amountCents" binding:"min=1,max=100000000" validate:"required" minimum:"1" maximum:"100000000" example:"2500"`
	// NotAfter, when set, is the last moment the charge may be created; a
	// later one is refused with 409 CHARGE_TOO_LATE and nothing is charged.
	// The order service sets it so that its check-back, having found no
	// charge after it, can roll the payment back for good.
	NotAfter *time.Time `json:"notAfter,omitempty" format:"date-time" example:"2026-12-03T07:00:05Z"`
}

// RefundRequest says why a charge is refunded.
type RefundRequest struct {
	Reason string `json:"reason" binding:"required,max=200" minLength:"1" maxLength:"200" example:"customer request"`
}

// AdminWallet is a wallet with the figures the audit's money check needs:
// initialCents + topUpsCents = balanceCents + charges - refunds, where
// topUpsCents counts the user's own top-ups and their bulk top-up lines.
type AdminWallet struct {
	UserID       string `json:"userId" example:"alice"`
	InitialCents int64  `json:"initialCents" example:"1000000"`
	TopUpsCents  int64  `json:"topUpsCents" example:"0"`
	BalanceCents int64  `json:"balanceCents" example:"997500"`
}

// BulkTopUpRequest credits several wallets at once (admin).
type BulkTopUpRequest struct {
	// TopUps are 1..100 lines, one per user.
	TopUps []BulkTopUpLine `json:"topUps"`
}

// BulkTopUpLine is one wallet's credit: 1..100000000 cents.
type BulkTopUpLine struct {
	UserID      string `json:"userId" maxLength:"64" example:"alice"`
	AmountCents int64  `json:"amountCents" minimum:"1" maximum:"100000000" example:"5000000"`
}

// BulkTopUpResponse is a bulk top-up with each wallet's balance right after
// it, by user id.
type BulkTopUpResponse struct {
	BulkTopUpID string                `json:"bulkTopUpId" example:"bt_5RZQ2KJ7M3XW4YB6N8TD1C9FHA"`
	TotalCents  int64                 `json:"totalCents" example:"10000000"`
	CreatedAt   time.Time             `json:"createdAt" example:"2025-01-01T12:00:00Z"`
	TopUps      []BulkTopUpLineResult `json:"topUps"`
}

// BulkTopUpLineResult is one credited wallet.
type BulkTopUpLineResult struct {
	UserID       string `json:"userId" example:"alice"`
	AmountCents  int64  `json:"amountCents" example:"5000000"`
	BalanceCents int64  `json:"balanceCents" example:"5997500"`
}

// WalletsResponse lists every wallet.
type WalletsResponse struct {
	Wallets []AdminWallet `json:"wallets"`
}

// ChargesResponse lists every charge, oldest first.
type ChargesResponse struct {
	Charges []Charge `json:"charges"`
}

func chargeDTO(c payment.Charge) Charge {
	return Charge{
		OrderNo: c.OrderNo, UserID: c.UserID, AmountCents: c.AmountCents, Status: string(c.Status),
		CreatedAt: c.CreatedAt, RefundedAt: c.RefundedAt, RefundReason: c.RefundReason,
	}
}

func chargeDTOs(cs []payment.Charge) []Charge {
	out := make([]Charge, 0, len(cs))
	for _, c := range cs {
		out = append(out, chargeDTO(c))
	}
	return out
}
