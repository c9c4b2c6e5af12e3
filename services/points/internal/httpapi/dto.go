package httpapi

import (
	"time"

	"github.com/rocketmart/rocketmart/services/points/internal/points"
)

// EntryResponse is one ledger entry. Points are signed: credits
// (ORDER_PAID) and returns (REDEMPTION_RETURNED) are positive, redemptions
// (ORDER_REDEEMED) negative.
type EntryResponse struct {
	ID        int64     `json:"id" example:"17"`
	UserID    string    `json:"userId" example:"alice"`
	OrderNo   string    `json:"orderNo" example:"RM20261121-K3QF9XZ2B7M4"`
	Reason    string    `json:"reason" example:"ORDER_PAID" enums:"ORDER_PAID,ORDER_REDEEMED,REDEMPTION_RETURNED,ORDER_REFUNDED"`
	Points    int64     `json:"points" example:"129"`
	EventID   string    `json:"eventId" example:"evt-q7k2m9x4b8n3c5v1z6w0"`
	CreatedAt time.Time `json:"createdAt" example:"2026-11-21T10:15:30.123Z"`
}

// StatementResponse is the caller's balance with their newest entries.
type StatementResponse struct {
	UserID  string `json:"userId" example:"alice"`
	Balance int64  `json:"balance" example:"129"`
	// Ledger holds the newest 50 entries, newest first.
	Ledger []EntryResponse `json:"ledger"`
}

// EntriesResponse is a list of ledger entries.
type EntriesResponse struct {
	Entries []EntryResponse `json:"entries"`
}

// AccountCheckResponse is an account's balance next to the sum of its
// ledger entries as the database computes it; the audit expects them equal.
type AccountCheckResponse struct {
	UserID    string `json:"userId" example:"alice"`
	Balance   int64  `json:"balance" example:"129"`
	LedgerSum int64  `json:"ledgerSum" example:"129"`
}

// AccountsResponse lists every account for the audit.
type AccountsResponse struct {
	Accounts []AccountCheckResponse `json:"accounts"`
}

func entryResponse(e points.Entry) EntryResponse {
	return EntryResponse{
		ID: e.ID, UserID: e.UserID, OrderNo: e.OrderNo, Reason: string(e.Reason),
		Points: e.Points, EventID: e.EventID, CreatedAt: e.CreatedAt,
	}
}

// entryResponses never returns nil, so an empty list is [] in JSON.
func entryResponses(entries []points.Entry) []EntryResponse {
	out := make([]EntryResponse, 0, len(entries))
	for _, e := range entries {
		out = append(out, entryResponse(e))
	}
	return out
}

func accountsResponse(checks []points.AccountCheck) AccountsResponse {
	out := AccountsResponse{Accounts: make([]AccountCheckResponse, 0, len(checks))}
	for _, c := range checks {
		out.Accounts = append(out.Accounts, AccountCheckResponse{UserID: c.UserID, Balance: c.Balance, LedgerSum: c.LedgerSum})
	}
	return out
}
