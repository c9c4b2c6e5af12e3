package audit

import (
	"slices"
	"testing"
	"time"
)

// withPoints adds to consistent() alice's RM-4 (a tent, 5000 cents) paid
// with her 89 points and 4911 cents, credited 49 points on the charged
// part, and a redemption of 300 points for bob's cancelled RM-2, returned.
func withPoints() *Snapshot {
	s := consistent()
	tent := []Line{{SKU: "TENT", Quantity: 1}}
	s.Orders = append(s.Orders, Order{OrderNo: "RM-4", UserID: "alice", Status: StatusPaid, TotalCents: 5000, Lines: tent})
	s.Charges = append(s.Charges, Charge{OrderNo: "RM-4", UserID: "alice", AmountCents: 4911, Status: "SUCCEEDED"})
	s.Wallets[0].BalanceCents -= 4911
	s.Stock[1].Available, s.Stock[1].Sold = 1, 2
	s.Reservations = append(s.Reservations, Reservation{OrderNo: "RM-4", Status: "SOLD", Lines: tent})
	s.Shipments = append(s.Shipments, Shipment{OrderNo: "RM-4", UserID: "alice", Status: "AWAITING_SHIPMENT", TotalCents: 5000, Lines: tent})
	s.Checkouts = append(s.Checkouts, Checkout{OrderNo: "RM-4", UserID: "alice"})
	s.Ledger = append(s.Ledger,
		PointsEntry{UserID: "alice", OrderNo: "RM-4", Reason: "ORDER_REDEEMED", Points: -89},
		PointsEntry{UserID: "alice", OrderNo: "RM-4", Reason: "ORDER_PAID", Points: 49},
		PointsEntry{UserID: "bob", OrderNo: "RM-2", Reason: "ORDER_REDEEMED", Points: -300},
		PointsEntry{UserID: "bob", OrderNo: "RM-2", Reason: "REDEMPTION_RETURNED", Points: 300},
	)
	s.Accounts = []PointsAccount{{UserID: "alice", Balance: 49, LedgerSum: 49}, {UserID: "bob", Balance: 0, LedgerSum: 0}}
	return s
}

func TestPointsPaidShopPasses(t *testing.T) {
	s := withPoints()
	// And RM-1 paid with points only (no charge at all), with points
	// earned by an earlier RM-0.
	s.Orders[0].TotalCents = 89
	s.Charges[0].AmountCents, s.Wallets[0].BalanceCents = 0, 100000-4911
	s.Charges = s.Charges[1:]
	s.Shipments[0].TotalCents = 89
	s.Ledger[0] = PointsEntry{UserID: "alice", OrderNo: "RM-1", Reason: "ORDER_PAID", Points: 0}
	s.Ledger = append(s.Ledger, PointsEntry{UserID: "alice", OrderNo: "RM-1", Reason: "ORDER_REDEEMED", Points: -89},
		PointsEntry{UserID: "alice", OrderNo: "RM-0", Reason: "ORDER_PAID", Points: 178})
	s.Orders = append(s.Orders, Order{OrderNo: "RM-0", UserID: "alice", Status: StatusPaid, TotalCents: 17800, Lines: []Line{{SKU: "MUG", Quantity: 1}}})
	s.Charges = append(s.Charges, Charge{OrderNo: "RM-0", UserID: "alice", AmountCents: 17800, Status: "SUCCEEDED"})
	s.Wallets[0].BalanceCents -= 17800
	s.Stock[0].Available, s.Stock[0].Sold = 11, 3
	s.Reservations = append(s.Reservations, Reservation{OrderNo: "RM-0", Status: "SOLD", Lines: []Line{{SKU: "MUG", Quantity: 1}}})
	s.Shipments = append(s.Shipments, Shipment{OrderNo: "RM-0", UserID: "alice", Status: "AWAITING_SHIPMENT", TotalCents: 17800})
	s.Checkouts = append(s.Checkouts, Checkout{OrderNo: "RM-0", UserID: "alice"})
	for _, snap := range []*Snapshot{withPoints(), s} {
		for _, inv := range Check(snap, time.Now()) {
			if !inv.Passed {
				t.Errorf("invariant %d failed: %+v", inv.ID, inv.Violations)
			}
		}
	}
}

// Each corruption of a points row breaks the invariant it belongs to.
func TestPointsCorruptionsAreNamed(t *testing.T) {
	entry := func(s *Snapshot, order, reason string) *PointsEntry {
		for i := range s.Ledger {
			if s.Ledger[i].OrderNo == order && s.Ledger[i].Reason == reason {
				return &s.Ledger[i]
			}
		}
		t.Fatalf("no %s entry of %s", reason, order)
		return nil
	}
	account := func(s *Snapshot, user string, delta int64) {
		for i := range s.Accounts {
			if s.Accounts[i].UserID == user {
				s.Accounts[i].Balance += delta
				s.Accounts[i].LedgerSum += delta
			}
		}
	}
	tests := []struct {
		name    string
		corrupt func(s *Snapshot)
		want    int
		subject string
	}{
		{"a cancelled order's redemption never returned", func(s *Snapshot) {
			s.Ledger = slices.DeleteFunc(s.Ledger, func(e PointsEntry) bool { return e.Reason == "REDEMPTION_RETURNED" })
			account(s, "bob", -300)
		}, idPointsConserved, "order RM-2"},
		{"returned twice", func(s *Snapshot) {
			s.Ledger = append(s.Ledger, *entry(s, "RM-2", "REDEMPTION_RETURNED"))
			account(s, "bob", 300)
		}, idPointsConserved, "order RM-2"},
		{"returned less than redeemed", func(s *Snapshot) {
			entry(s, "RM-2", "REDEMPTION_RETURNED").Points = 299
			account(s, "bob", -1)
		}, idPointsConserved, "order RM-2"},
		{"a paid order's points returned", func(s *Snapshot) {
			s.Ledger = append(s.Ledger, PointsEntry{UserID: "alice", OrderNo: "RM-4", Reason: "REDEMPTION_RETURNED", Points: 89})
			account(s, "alice", 89)
		}, idPointsConserved, "order RM-4"},
		{"redemption for no order", func(s *Snapshot) {
			s.Ledger = append(s.Ledger, PointsEntry{UserID: "alice", OrderNo: "RM-9", Reason: "ORDER_REDEEMED", Points: -9})
			account(s, "alice", -9)
		}, idPointsConserved, "order RM-9"},
		{"redemption of another user's order", func(s *Snapshot) {
			entry(s, "RM-2", "ORDER_REDEEMED").UserID = "alice"
			account(s, "alice", -300)
			account(s, "bob", 300)
		}, idPointsConserved, "order RM-2"},
		{"balance not the sum of its reasons", func(s *Snapshot) { account(s, "alice", 1) }, idPointsConserved, "user alice"},
		{"a clawback the balance does not show", func(s *Snapshot) {
			s.Ledger = append(s.Ledger, PointsEntry{UserID: "alice", OrderNo: "RM-4", Reason: "ORDER_REFUNDED", Points: -49})
		}, idPointsConserved, "user alice"},
		{"a positive redemption", func(s *Snapshot) {
			entry(s, "RM-4", "ORDER_REDEEMED").Points = 89
			account(s, "alice", 178)
		}, idPointsConserved, "user alice, order RM-4"},
		{"unknown reason", func(s *Snapshot) {
			s.Ledger = append(s.Ledger, PointsEntry{UserID: "alice", OrderNo: "RM-4", Reason: "GIFT", Points: 5})
			account(s, "alice", 5)
		}, idPointsConserved, "user alice, order RM-4"},
		{"charge plus points short of the total", func(s *Snapshot) {
			s.Charges[2].AmountCents = 4900
			s.Wallets[0].BalanceCents += 11
		}, idMoneyWithPoints, "order RM-4"},
		{"a completed order charged short", func(s *Snapshot) {
			s.Orders[3].Status = StatusCompleted
			s.Charges[2].AmountCents = 4000
		}, idMoneyWithPoints, "order RM-4"},
		{"charged in full although points paid", func(s *Snapshot) {
			s.Charges[2].AmountCents = 5000
			s.Wallets[0].BalanceCents -= 89
		}, 1, "order RM-4"},
		{"points credited on the total, not the charged part", func(s *Snapshot) {
			entry(s, "RM-4", "ORDER_PAID").Points = 50
			account(s, "alice", 1)
		}, 2, "order RM-4"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := withPoints()
			tt.corrupt(s)
			wantViolation(t, s, tt.want, tt.subject)
		})
	}
}
