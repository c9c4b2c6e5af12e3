package audit

import (
	"testing"
	"time"
)

// afterPayment is consistent() plus alice's RM-4 (1 mug, 2999 cents),
// shipped and delivered, and bob's RM-5 (1 mug), paid and refunded before
// it shipped: charge refunded, 29 points credited and clawed back, the mug
// returned to stock, the shipment cancelled.
func afterPayment() *Snapshot {
	s := consistent()
	mug := []Line{{SKU: "MUG", Quantity: 1}}
	s.Orders = append(s.Orders,
		Order{OrderNo: "RM-4", UserID: "alice", Status: StatusCompleted, TotalCents: 2999, Lines: mug},
		Order{OrderNo: "RM-5", UserID: "bob", Status: StatusRefunded, TotalCents: 2999, Lines: mug})
	s.Charges = append(s.Charges,
		Charge{OrderNo: "RM-4", UserID: "alice", AmountCents: 2999, Status: "SUCCEEDED"},
		Charge{OrderNo: "RM-5", UserID: "bob", AmountCents: 2999, Status: "REFUNDED"})
	s.Wallets[0].BalanceCents -= 2999
	s.Stock[0].Sold, s.Stock[0].Available = 3, 11 // RM-4's mug sold; RM-5's back on the shelf
	s.Reservations = append(s.Reservations,
		Reservation{OrderNo: "RM-4", Status: "SOLD", Lines: mug},
		Reservation{OrderNo: "RM-5", Status: "RETURNED", Lines: mug})
	s.Shipments = append(s.Shipments,
		Shipment{OrderNo: "RM-4", UserID: "alice", Status: "DELIVERED", TotalCents: 2999, Lines: mug},
		Shipment{OrderNo: "RM-5", UserID: "bob", Status: "CANCELLED", TotalCents: 2999, Lines: mug})
	s.Accounts = []PointsAccount{{UserID: "alice", Balance: 118, LedgerSum: 118}, {UserID: "bob", Balance: 0, LedgerSum: 0}}
	s.Ledger = append(s.Ledger,
		PointsEntry{UserID: "alice", OrderNo: "RM-4", Reason: "ORDER_PAID", Points: 29},
		PointsEntry{UserID: "bob", OrderNo: "RM-5", Reason: "ORDER_PAID", Points: 29},
		PointsEntry{UserID: "bob", OrderNo: "RM-5", Reason: "ORDER_REFUNDED", Points: -29})
	s.Checkouts = append(s.Checkouts,
		Checkout{OrderNo: "RM-4", UserID: "alice", Removed: mug},
		Checkout{OrderNo: "RM-5", UserID: "bob", Removed: mug})
	return s
}

func TestAfterPaymentShopPasses(t *testing.T) {
	s := afterPayment()
	for _, inv := range Check(s, time.Now()) {
		if !inv.Passed || inv.Checked == 0 && inv.ID != 6 {
			t.Errorf("invariant %d: passed %v after %d checks, violations %+v", inv.ID, inv.Passed, inv.Checked, inv.Violations)
		}
	}
	// The clawback rule: points spent before the refund leave a negative
	// balance, which is consistent as long as it is the ledger's sum.
	s.Ledger = append(s.Ledger, PointsEntry{UserID: "bob", OrderNo: "RM-9", Reason: "SPENT", Points: -20})
	s.Accounts[1] = PointsAccount{UserID: "bob", Balance: -20, LedgerSum: -20}
	for _, inv := range Check(s, time.Now()) {
		if inv.ID == 7 && !inv.Passed {
			t.Errorf("a negative balance after a clawback fails invariant 7: %+v", inv.Violations)
		}
	}
}

// Each corruption of a refunded or completed order breaks invariant 7 or 8
// and names the record.
func TestAfterPaymentCorruptionsAreNamed(t *testing.T) {
	tests := []struct {
		name    string
		corrupt func(s *Snapshot)
		want    int
		subject string
	}{
		{"refunded order whose charge stands", func(s *Snapshot) { s.Charges[3].Status = "SUCCEEDED"; s.Wallets[1].BalanceCents -= 2999 }, 7, "order RM-5"},
		{"refunded order charged twice", func(s *Snapshot) { s.Charges = append(s.Charges, s.Charges[3]) }, 7, "order RM-5"},
		{"clawback missing", func(s *Snapshot) {
			s.Ledger = s.Ledger[:len(s.Ledger)-1]
			s.Accounts[1].Balance, s.Accounts[1].LedgerSum = 29, 29
		}, 7, "order RM-5"},
		{"clawback of the wrong size", func(s *Snapshot) {
			s.Ledger[len(s.Ledger)-1].Points = -10
			s.Accounts[1].Balance, s.Accounts[1].LedgerSum = 19, 19
		}, 7, "order RM-5"},
		{"clawed back twice", func(s *Snapshot) { s.Ledger = append(s.Ledger, s.Ledger[len(s.Ledger)-1]) }, 7, "order RM-5"},
		{"clawback of a completed order", func(s *Snapshot) {
			s.Ledger = append(s.Ledger, PointsEntry{UserID: "alice", OrderNo: "RM-4", Reason: "ORDER_REFUNDED", Points: -29})
		}, 7, "order RM-4"},
		{"stock of a refunded order still sold", func(s *Snapshot) {
			s.Reservations[4].Status = "SOLD"
			s.Stock[0].Sold, s.Stock[0].Available = 4, 10
		}, 7, "order RM-5"},
		{"stock returned for a completed order", func(s *Snapshot) {
			s.Reservations[3].Status = "RETURNED"
			s.Stock[0].Sold, s.Stock[0].Available = 2, 12
		}, 7, "order RM-4"},
		{"shipment of a refunded order still awaiting", func(s *Snapshot) { s.Shipments[2].Status = "AWAITING_SHIPMENT" }, 7, "order RM-5"},
		{"shipment cancelled for a paid order", func(s *Snapshot) { s.Shipments[0].Status = "CANCELLED" }, 7, "order RM-1"},
		{"refund never confirmed", func(s *Snapshot) { s.Orders[4].Status = StatusRefunding }, 7, "order RM-5"},
		{"completed order whose shipment is not delivered", func(s *Snapshot) { s.Shipments[1].Status = "SHIPPED" }, 8, "order RM-4"},
		{"delivered shipment of an order still paid", func(s *Snapshot) { s.Shipments[0].Status = "DELIVERED" }, 8, "order RM-1"},
		{"completed order without its points", func(s *Snapshot) { s.Ledger = append(s.Ledger[:1], s.Ledger[2:]...) }, 2, "order RM-4"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := afterPayment()
			tt.corrupt(s)
			inv := Check(s, time.Now())
			i := slicesIndex(inv, tt.want)
			if inv[i].Passed {
				t.Fatalf("invariant %d passed", tt.want)
			}
			for _, v := range inv[i].Violations {
				if v.Subject == tt.subject {
					return
				}
			}
			t.Errorf("invariant %d violations %+v do not name %q", tt.want, inv[i].Violations, tt.subject)
		})
	}
}

// slicesIndex finds invariant id.
func slicesIndex(invs []Invariant, id int) int {
	for i, inv := range invs {
		if inv.ID == id {
			return i
		}
	}
	panic("no invariant with that id")
}

// A refunded order paid partly with points: the refund is of the charged
// part only, and the points that paid the rest come back as a return.
func TestRefundOfAPointsPaidOrder(t *testing.T) {
	s := afterPayment()
	s.Charges[len(s.Charges)-1].AmountCents = 1999 // RM-5: 1000 points + 1999 cents
	for i, e := range s.Ledger {
		if e.OrderNo == "RM-5" && e.Reason == "ORDER_PAID" {
			s.Ledger[i].Points = 19
		}
		if e.OrderNo == "RM-5" && e.Reason == "ORDER_REFUNDED" {
			s.Ledger[i].Points = -19
		}
	}
	s.Ledger = append(s.Ledger,
		PointsEntry{UserID: "bob", OrderNo: "RM-5", Reason: "ORDER_REDEEMED", Points: -1000},
		PointsEntry{UserID: "bob", OrderNo: "RM-5", Reason: "REDEMPTION_RETURNED", Points: 1000})
	for _, inv := range Check(s, time.Now()) {
		if !inv.Passed {
			t.Errorf("invariant %d failed: %+v", inv.ID, inv.Violations)
		}
	}

	// Refunding the whole total (points included) to the wallet breaks 7.
	s.Charges[len(s.Charges)-1].AmountCents = 2999
	inv := Check(s, time.Now())[slicesIndex(Check(s, time.Now()), 7)]
	if inv.Passed || len(inv.Violations) == 0 || inv.Violations[0].Subject != "order RM-5" {
		t.Errorf("a refund of the total for a points-paid order: invariant 7 %+v", inv)
	}
	// A points-paid order refunded without its redemption returned breaks 9.
	s.Charges[len(s.Charges)-1].AmountCents = 1999
	s.Ledger = s.Ledger[:len(s.Ledger)-1]
	s.Accounts[1] = PointsAccount{UserID: "bob", Balance: -1000, LedgerSum: -1000}
	inv = Check(s, time.Now())[slicesIndex(Check(s, time.Now()), 9)]
	if inv.Passed {
		t.Errorf("a refunded order's redemption not returned passes invariant 9")
	}
}
