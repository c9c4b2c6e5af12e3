package audit

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Violation is one offending record.
type Violation struct {
	Subject string `json:"subject"` // e.g. "order RM-…", "sku RM-MUG-STONE", "user alice"
	Detail  string `json:"detail"`
	// SubjectZh and DetailZh are the same in Simplified Chinese (zh.go).
	SubjectZh string `json:"subjectZh"`
	DetailZh  string `json:"detailZh"`
}

// Invariant is one rule of SPEC §3 and what checking it found.
type Invariant struct {
	ID      int    `json:"id"`
	Title   string `json:"title"`
	TitleZh string `json:"titleZh"` // Title in Simplified Chinese (zh.go)
	Passed  bool   `json:"passed"`
	Skipped bool   `json:"skipped,omitempty"` // not checkable here (see the report's notes)
	// Checked counts the records the rule was applied to.
	Checked    int         `json:"checked"`
	Violations []Violation `json:"violations"`
}

func (inv *Invariant) fail(subject, format string, args ...any) {
	inv.Violations = append(inv.Violations, Violation{Subject: subject, Detail: fmt.Sprintf(format, args...),
		SubjectZh: subjectZh(subject), DetailZh: detailZh(format, args...)})
}

// Check applies every invariant to a snapshot taken at now.
func Check(s *Snapshot, now time.Time) []Invariant {
	ix := index(s)
	out := []Invariant{
		checkPayments(s, ix),
		checkPaidEffects(s, ix),
		checkUnpaidHaveNoEffects(s, ix, now),
		checkStock(s),
		checkMoney(s),
		checkBroker(s),
		checkRefunds(s, ix), checkDeliveries(s, ix), // after payment: refund_checks.go
		checkPointsConserved(s, ix), checkMoneyWithPoints(s, ix), // points_checks.go
	}
	for i := range out {
		out[i].TitleZh = titleZh(out[i].Title)
		out[i].Passed = len(out[i].Violations) == 0
		if out[i].Violations == nil {
			out[i].Violations = []Violation{}
		}
	}
	return out
}

// indexes of the snapshot by order number.
type indexes struct {
	orders       map[string]Order
	charges      map[string][]Charge
	reservations map[string]Reservation
	shipments    map[string][]Shipment
	credits      map[string][]PointsEntry // reason ORDER_PAID
	checkouts    map[string][]Checkout
	pointsPaid   map[string]int64 // cents paid with points (points_checks.go)
}

// reasonOrderPaid is the points ledger reason of a paid order's credit.
const reasonOrderPaid = "ORDER_PAID"

func index(s *Snapshot) indexes {
	ix := indexes{orders: map[string]Order{}, charges: map[string][]Charge{}, reservations: map[string]Reservation{},
		shipments: map[string][]Shipment{}, credits: map[string][]PointsEntry{}, checkouts: map[string][]Checkout{},
		pointsPaid: pointsPaid(s)}
	for _, o := range s.Orders {
		ix.orders[o.OrderNo] = o
	}
	for _, c := range s.Charges {
		ix.charges[c.OrderNo] = append(ix.charges[c.OrderNo], c)
	}
	for _, r := range s.Reservations {
		ix.reservations[r.OrderNo] = r
	}
	for _, sh := range s.Shipments {
		ix.shipments[sh.OrderNo] = append(ix.shipments[sh.OrderNo], sh)
	}
	for _, e := range s.Ledger {
		if e.Reason == reasonOrderPaid {
			ix.credits[e.OrderNo] = append(ix.credits[e.OrderNo], e)
		}
	}
	for _, c := range s.Checkouts {
		ix.checkouts[c.OrderNo] = append(ix.checkouts[c.OrderNo], c)
	}
	return ix
}

func orderSubject(no string) string { return "order " + no }

// 1. Every PAID order has exactly one succeeded, unrefunded charge of its
// total less the points paid (none when points paid it all); every
// succeeded charge belongs to a PAID order (a refunded one to an order that
// is not paid).
func checkPayments(s *Snapshot, ix indexes) Invariant {
	inv := Invariant{ID: 1, Title: "Every paid order has exactly one succeeded, unrefunded charge of its total less the points paid; every succeeded charge belongs to a paid order"}
	for _, o := range s.Orders {
		if !standsPaid(o.Status) {
			continue
		}
		inv.Checked++
		cs := ix.charges[o.OrderNo]
		want := o.TotalCents - ix.pointsPaid[o.OrderNo]
		switch {
		case want == 0 && len(cs) == 0:
			// Paid with points only.
		case len(cs) != 1:
			inv.fail(orderSubject(o.OrderNo), "paid, but has %d charges", len(cs))
		case cs[0].Status != "SUCCEEDED":
			inv.fail(orderSubject(o.OrderNo), "paid, but its charge is %s", cs[0].Status)
		case cs[0].AmountCents != want:
			inv.fail(orderSubject(o.OrderNo), "charged %d cents, order total %d less %d paid with points", cs[0].AmountCents, o.TotalCents, ix.pointsPaid[o.OrderNo])
		case cs[0].UserID != o.UserID:
			inv.fail(orderSubject(o.OrderNo), "order of %s charged to %s", o.UserID, cs[0].UserID)
		}
	}
	for _, c := range s.Charges {
		inv.Checked++
		o, ok := ix.orders[c.OrderNo]
		switch {
		case !ok:
			inv.fail(orderSubject(c.OrderNo), "%s charge of %d cents for an order that does not exist", c.Status, c.AmountCents)
		case c.Status == "SUCCEEDED" && !standsPaid(o.Status):
			inv.fail(orderSubject(c.OrderNo), "succeeded charge of %d cents, but the order is %s and the charge was never refunded", c.AmountCents, o.Status)
		}
	}
	return inv
}

// 2. Every PAID order has exactly one shipment, one points credit of the
// right amount, its stock sold, and its purchase taken off the cart.
func checkPaidEffects(s *Snapshot, ix indexes) Invariant {
	inv := Invariant{ID: 2, Title: "Every paid order has exactly one shipment, one points credit of (total − points paid)/100, its stock sold once and its purchase gone from the cart"}
	for _, o := range s.Orders {
		if !standsPaid(o.Status) {
			continue
		}
		inv.Checked++
		subj := orderSubject(o.OrderNo)
		if sh := ix.shipments[o.OrderNo]; len(sh) != 1 {
			inv.fail(subj, "paid, but has %d shipments", len(sh))
		} else if sh[0].UserID != o.UserID {
			inv.fail(subj, "shipment addressed to %s's account, order of %s", sh[0].UserID, o.UserID)
		}
		if cr := ix.credits[o.OrderNo]; len(cr) != 1 {
			inv.fail(subj, "paid, but has %d points credits", len(cr))
		} else if want := (o.TotalCents - ix.pointsPaid[o.OrderNo]) / 100; cr[0].Points != want || cr[0].UserID != o.UserID {
			inv.fail(subj, "credited %d points to %s, want %d to %s", cr[0].Points, cr[0].UserID, want, o.UserID)
		}
		if r, ok := ix.reservations[o.OrderNo]; !ok {
			inv.fail(subj, "paid, but inventory has no reservation")
		} else if r.Status != "SOLD" {
			inv.fail(subj, "paid, but its reservation is %s, not SOLD", r.Status)
		} else if !sameLines(r.Lines, o.Lines) {
			inv.fail(subj, "sold %s, ordered %s", formatLines(r.Lines), formatLines(o.Lines))
		}
		switch co := ix.checkouts[o.OrderNo]; {
		case len(co) != 1:
			inv.fail(subj, "paid, but the cart recorded %d checkouts", len(co))
		case co[0].UserID != o.UserID:
			inv.fail(subj, "checkout took lines off %s's cart, order of %s", co[0].UserID, o.UserID)
		default:
			for _, l := range co[0].Removed {
				if bought := quantityOf(o.Lines, l.SKU); l.Quantity > bought {
					inv.fail(subj, "cart gave up %d of %s, the order bought %d", l.Quantity, l.SKU, bought)
				}
			}
		}
	}
	// Stock sold once: each SKU's sold units are exactly its sold reservations.
	soldBySKU := map[string]int{}
	for _, r := range s.Reservations {
		if r.Status == "SOLD" {
			for _, l := range r.Lines {
				soldBySKU[l.SKU] += l.Quantity
			}
		}
	}
	for _, st := range s.Stock {
		if st.Sold != soldBySKU[st.SKU] {
			inv.fail("sku "+st.SKU, "%d units sold, sold reservations hold %d", st.Sold, soldBySKU[st.SKU])
		}
	}
	for _, a := range s.Accounts {
		if a.Balance != a.LedgerSum {
			inv.fail("user "+a.UserID, "points balance %d, ledger sums to %d", a.Balance, a.LedgerSum)
		}
	}
	return inv
}

// 3. No cancelled or unpaid order has a shipment, points, sold stock or a
// checkout; a cancelled order's reservation is released. Effects for
// orders that do not exist count too.
func checkUnpaidHaveNoEffects(s *Snapshot, ix indexes, now time.Time) Invariant {
	inv := Invariant{ID: 3, Title: "No cancelled or unpaid order has a shipment, points or sold stock; a cancelled order's reservation is released"}
	for _, o := range s.Orders {
		if standsPaid(o.Status) || refundStarted(o.Status) {
			continue
		}
		inv.Checked++
		subj := orderSubject(o.OrderNo)
		if n := len(ix.shipments[o.OrderNo]); n > 0 {
			inv.fail(subj, "%s, but has %d shipments", o.Status, n)
		}
		if n := len(ix.credits[o.OrderNo]); n > 0 {
			inv.fail(subj, "%s, but has %d points credits", o.Status, n)
		}
		if n := len(ix.checkouts[o.OrderNo]); n > 0 {
			inv.fail(subj, "%s, but the cart recorded its checkout", o.Status)
		}
		r, ok := ix.reservations[o.OrderNo]
		switch {
		case ok && r.Status == "SOLD":
			inv.fail(subj, "%s, but its stock is sold", o.Status)
		case o.Status == StatusCancelled && ok && r.Status != "RELEASED":
			inv.fail(subj, "cancelled, but its reservation is still %s", r.Status)
		}
	}
	for no := range ix.shipments {
		if _, ok := ix.orders[no]; !ok {
			inv.fail(orderSubject(no), "shipment for an order that does not exist")
		}
	}
	for no := range ix.credits {
		if _, ok := ix.orders[no]; !ok {
			inv.fail(orderSubject(no), "points credit for an order that does not exist")
		}
	}
	for _, r := range s.Reservations {
		if _, ok := ix.orders[r.OrderNo]; ok {
			continue
		}
		inv.Checked++
		// A reservation whose order was never created is released by the
		// inventory's sweeper once it expires.
		if r.Status == "SOLD" || (r.Status == "RESERVED" && r.ExpiresAt.Before(now.Add(-time.Minute))) {
			inv.fail(orderSubject(r.OrderNo), "reservation %s (expires %s) for an order that does not exist", r.Status, r.ExpiresAt.Format(time.RFC3339))
		}
	}
	return inv
}

// 4. Stock is conserved per SKU, and reserved units are exactly the open
// reservations.
func checkStock(s *Snapshot) Invariant {
	inv := Invariant{ID: 4, Title: "Stock is conserved per SKU: initial + restocked = available + reserved + sold"}
	reserved := map[string]int{}
	for _, r := range s.Reservations {
		if r.Status == "RESERVED" {
			for _, l := range r.Lines {
				reserved[l.SKU] += l.Quantity
			}
		}
	}
	for _, st := range s.Stock {
		inv.Checked++
		subj := "sku " + st.SKU
		if st.Initial+st.Restocked != st.Available+st.Reserved+st.Sold {
			inv.fail(subj, "initial %d + restocked %d ≠ available %d + reserved %d + sold %d",
				st.Initial, st.Restocked, st.Available, st.Reserved, st.Sold)
		}
		if st.Restocked < 0 || st.Available < 0 || st.Reserved < 0 || st.Sold < 0 {
			inv.fail(subj, "negative units: restocked %d, available %d, reserved %d, sold %d", st.Restocked, st.Available, st.Reserved, st.Sold)
		}
		if st.Reserved != reserved[st.SKU] {
			inv.fail(subj, "%d units reserved, open reservations hold %d", st.Reserved, reserved[st.SKU])
		}
	}
	return inv
}

// 5. Money is conserved: initial balances + top-ups = balances + charges −
// refunds, per user and in total.
func checkMoney(s *Snapshot) Invariant {
	inv := Invariant{ID: 5, Title: "Money is conserved: initial balances + top-ups = balances + charges − refunds"}
	kept := map[string]int64{} // succeeded, unrefunded charges per user
	for _, c := range s.Charges {
		if c.Status == "SUCCEEDED" {
			kept[c.UserID] += c.AmountCents
		}
	}
	var in, out int64
	for _, w := range s.Wallets {
		inv.Checked++
		in += w.InitialCents + w.TopUpsCents
		out += w.BalanceCents + kept[w.UserID]
		if w.BalanceCents < 0 {
			inv.fail("user "+w.UserID, "negative balance %d cents", w.BalanceCents)
		}
		if got := w.BalanceCents + kept[w.UserID]; got != w.InitialCents+w.TopUpsCents {
			inv.fail("user "+w.UserID, "initial %d + top-ups %d ≠ balance %d + kept charges %d",
				w.InitialCents, w.TopUpsCents, w.BalanceCents, kept[w.UserID])
		}
	}
	if in != out {
		inv.fail("all wallets", "%d cents in, %d cents accounted for", in, out)
	}
	return inv
}

// 6. No half message is left undecided; every dead letter is listed, and
// one not replayed is a violation (its effect is missing).
func checkBroker(s *Snapshot) Invariant {
	inv := Invariant{ID: 6, Title: "No half message is left undecided; every dead-lettered message is listed and replayed"}
	if s.Broker == nil {
		inv.Skipped = true
		return inv
	}
	for _, h := range s.Broker.PendingHalves {
		inv.Checked++
		inv.fail("half "+h.TransactionID, "undecided after %d checks (producer group %s, keys %s)", h.CheckCount, h.ProducerGroup, h.Keys)
	}
	for _, d := range s.Broker.DeadLetters {
		inv.Checked++
		if !d.Replayed {
			inv.fail("dead letter "+d.MsgID, "group %s gave up on %s message (keys %s, queue offset %d); fix the fault and replay it",
				d.Group, d.OriginalTopic, d.Keys, d.QueueOffset)
		}
	}
	return inv
}

func quantityOf(lines []Line, sku string) int {
	n := 0
	for _, l := range lines {
		if l.SKU == sku {
			n += l.Quantity
		}
	}
	return n
}

func sameLines(a, b []Line) bool {
	return formatLines(a) == formatLines(b)
}

// formatLines renders lines sorted by SKU, merged: "2×RM-MUG, 1×RM-TENT".
func formatLines(lines []Line) string {
	merged := map[string]int{}
	for _, l := range lines {
		merged[l.SKU] += l.Quantity
	}
	skus := make([]string, 0, len(merged))
	for sku := range merged {
		skus = append(skus, sku)
	}
	slices.Sort(skus)
	parts := make([]string, len(skus))
	for i, sku := range skus {
		parts[i] = fmt.Sprintf("%d×%s", merged[sku], sku)
	}
	return strings.Join(parts, ", ")
}
