package audit

import (
	"strings"
	"testing"
	"time"
)

// consistent is a small shop after alice paid RM-1 (2 mugs + 1 tent,
// 8997 cents), bob's RM-2 was cancelled and carol's RM-3 awaits payment.
func consistent() *Snapshot {
	paidLines := []Line{{SKU: "MUG", Quantity: 2}, {SKU: "TENT", Quantity: 1}}
	return &Snapshot{
		Orders: []Order{
			{OrderNo: "RM-1", UserID: "alice", Status: StatusPaid, TotalCents: 8997, Lines: paidLines},
			{OrderNo: "RM-2", UserID: "bob", Status: StatusCancelled, TotalCents: 2999, Lines: []Line{{SKU: "MUG", Quantity: 1}}},
			{OrderNo: "RM-3", UserID: "carol", Status: StatusPending, TotalCents: 2999, Lines: []Line{{SKU: "MUG", Quantity: 1}}},
		},
		Charges: []Charge{
			{OrderNo: "RM-1", UserID: "alice", AmountCents: 8997, Status: "SUCCEEDED"},
			{OrderNo: "RM-2", UserID: "bob", AmountCents: 2999, Status: "REFUNDED"},
		},
		Wallets: []Wallet{
			{UserID: "alice", InitialCents: 100000, BalanceCents: 100000 - 8997},
			{UserID: "bob", InitialCents: 5000, TopUpsCents: 1000, BalanceCents: 6000},
			{UserID: "carol", InitialCents: 1500, BalanceCents: 1500},
		},
		Stock: []Stock{
			{SKU: "MUG", Initial: 10, Restocked: 5, Available: 12, Reserved: 1, Sold: 2},
			{SKU: "TENT", Initial: 3, Available: 2, Reserved: 0, Sold: 1},
		},
		Reservations: []Reservation{
			{OrderNo: "RM-1", Status: "SOLD", Lines: paidLines},
			{OrderNo: "RM-2", Status: "RELEASED", Lines: []Line{{SKU: "MUG", Quantity: 1}}},
			{OrderNo: "RM-3", Status: "RESERVED", Lines: []Line{{SKU: "MUG", Quantity: 1}}, ExpiresAt: time.Now().Add(time.Hour)},
		},
		Shipments: []Shipment{{OrderNo: "RM-1", UserID: "alice", Status: "AWAITING_SHIPMENT", TotalCents: 8997, Lines: paidLines}},
		Accounts:  []PointsAccount{{UserID: "alice", Balance: 89, LedgerSum: 89}},
		Ledger:    []PointsEntry{{UserID: "alice", OrderNo: "RM-1", Reason: "ORDER_PAID", Points: 89}},
		Checkouts: []Checkout{{OrderNo: "RM-1", UserID: "alice", Removed: []Line{{SKU: "MUG", Quantity: 2}}}},
		Broker:    &BrokerState{Lag: map[string]int64{}, Retrying: map[string]int64{}},
	}
}

func TestConsistentShopPasses(t *testing.T) {
	for _, inv := range Check(consistent(), time.Now()) {
		if !inv.Passed || inv.Checked == 0 && inv.ID != 6 {
			t.Errorf("invariant %d: passed %v after %d checks, violations %+v", inv.ID, inv.Passed, inv.Checked, inv.Violations)
		}
	}
}

// Each corruption breaks the invariant it belongs to, naming the record.
func TestCorruptionsAreNamed(t *testing.T) {
	tests := []struct {
		name    string
		corrupt func(s *Snapshot)
		want    int    // the invariant that must fail
		subject string // in a violation of it
	}{
		{"paid order without charge", func(s *Snapshot) { s.Charges = s.Charges[1:] }, 1, "order RM-1"},
		{"charge of the wrong amount", func(s *Snapshot) { s.Charges[0].AmountCents = 1 }, 1, "order RM-1"},
		{"refunded charge of a paid order", func(s *Snapshot) { s.Charges[0].Status = "REFUNDED" }, 1, "order RM-1"},
		{"live charge of a cancelled order", func(s *Snapshot) { s.Charges[1].Status = "SUCCEEDED" }, 1, "order RM-2"},
		{"charge without order", func(s *Snapshot) {
			s.Charges = append(s.Charges, Charge{OrderNo: "RM-9", UserID: "bob", AmountCents: 5, Status: "REFUNDED"})
		}, 1, "order RM-9"},
		{"paid order without shipment", func(s *Snapshot) { s.Shipments = nil }, 2, "order RM-1"},
		{"two points credits", func(s *Snapshot) { s.Ledger = append(s.Ledger, s.Ledger[0]) }, 2, "order RM-1"},
		{"wrong points", func(s *Snapshot) { s.Ledger[0].Points = 90 }, 2, "order RM-1"},
		{"reservation not sold", func(s *Snapshot) { s.Reservations[0].Status = "RESERVED" }, 2, "order RM-1"},
		{"sold twice", func(s *Snapshot) { s.Stock[0].Sold, s.Stock[0].Available = 4, 10 }, 2, "sku MUG"},
		{"cart not cleaned", func(s *Snapshot) { s.Checkouts = nil }, 2, "order RM-1"},
		{"cart cleaned too much", func(s *Snapshot) { s.Checkouts[0].Removed[0].Quantity = 3 }, 2, "order RM-1"},
		{"points balance off its ledger", func(s *Snapshot) { s.Accounts[0].Balance = 100 }, 2, "user alice"},
		{"shipment of a cancelled order", func(s *Snapshot) {
			s.Shipments = append(s.Shipments, Shipment{OrderNo: "RM-2", UserID: "bob"})
		}, 3, "order RM-2"},
		{"points for a pending order", func(s *Snapshot) {
			s.Ledger = append(s.Ledger, PointsEntry{UserID: "carol", OrderNo: "RM-3", Reason: "ORDER_PAID", Points: 29})
		}, 3, "order RM-3"},
		{"cancelled order still reserved", func(s *Snapshot) {
			s.Reservations[1].Status = "RESERVED"
			s.Stock[0].Reserved, s.Stock[0].Available = 2, 11
		}, 3, "order RM-2"},
		{"expired reservation without order", func(s *Snapshot) {
			s.Reservations = append(s.Reservations, Reservation{OrderNo: "RM-8", Status: "RESERVED", ExpiresAt: time.Now().Add(-time.Hour)})
		}, 3, "order RM-8"},
		{"stock not conserved", func(s *Snapshot) { s.Stock[1].Available = 5 }, 4, "sku TENT"},
		{"reserved units without reservation", func(s *Snapshot) { s.Stock[0].Reserved, s.Stock[0].Available = 2, 11 }, 4, "sku MUG"},
		{"restocked units not counted", func(s *Snapshot) { s.Stock[0].Restocked = 0 }, 4, "sku MUG"},
		{"units counted as restocked that never arrived", func(s *Snapshot) { s.Stock[1].Restocked = 2 }, 4, "sku TENT"},
		{"money created", func(s *Snapshot) { s.Wallets[2].BalanceCents = 9999 }, 5, "user carol"},
		{"undecided half", func(s *Snapshot) {
			s.Broker.PendingHalves = []Half{{TransactionID: "tx-1", Keys: "RM-3", ProducerGroup: "order-paid-tx", CheckCount: 15}}
		}, 6, "half tx-1"},
		{"dead letter not replayed", func(s *Snapshot) {
			s.Broker.DeadLetters = []DeadLetter{{Group: "points-order-paid", MsgID: "m-1", OriginalTopic: "ORDER_PAID"}}
		}, 6, "dead letter m-1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := consistent()
			tt.corrupt(s)
			for _, inv := range Check(s, time.Now()) {
				if inv.ID != tt.want {
					continue
				}
				if inv.Passed {
					t.Fatalf("invariant %d passed", tt.want)
				}
				for _, v := range inv.Violations {
					if v.Subject == tt.subject {
						return
					}
				}
				t.Errorf("invariant %d violations %+v do not name %q", tt.want, inv.Violations, tt.subject)
			}
		})
	}
}

func TestBrokerSkippedWithoutAdminAPI(t *testing.T) {
	s := consistent()
	s.Broker = nil
	inv := Check(s, time.Now())[5]
	if !inv.Skipped || !inv.Passed {
		t.Errorf("invariant 6 without a broker = %+v, want skipped", inv)
	}
}

func TestReportText(t *testing.T) {
	s := consistent()
	s.Shipments = nil
	rep := Report{Quiescent: true, WaitedMs: 1200, Invariants: Check(s, time.Now())}
	var b strings.Builder
	rep.WriteText(&b)
	for _, want := range []string{"FAIL  2.", "order RM-1: paid, but has 0 shipments", "PASS  1.", "RESULT: INCONSISTENT (1 of "} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, b.String())
		}
	}
}
