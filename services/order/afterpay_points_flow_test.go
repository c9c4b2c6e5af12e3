package main

import (
	"context"
	"net/http"
	"time"

	"github.com/rocketmart/rocketmart/services/audit"
	"github.com/rocketmart/rocketmart/services/contracts"
)

// The after-payment scenarios of orders paid with points (issue 17), run by
// TestAfterPaymentFlows: neither the refund nor the points branch could
// write them alone. A refund gives the wallet back exactly the charged
// part, the points service returns the redemption once and claws back the
// credit earned on the charged part, inventory returns the stock and
// logistics ends the shipment.

// pointsPaid places one unit of p for user, pays it with use points (earning
// them first) and the rest in money, and waits until every ORDER_PAID
// consumer applied it. It returns the order and the balances just before
// paying.
func (w *world) pointsPaid(user string, p product, use int64) (no string, before balances) {
	w.t.Helper()
	w.earnPoints(user, use)
	o := w.place(user, p.SKU, 1)
	no = o["orderNo"].(string)
	before = w.balancesOf(user, p.SKU)
	if status, body := w.payWith(user, no, map[string]any{"pointsToUse": use}); status != http.StatusOK || body["outcome"] != "PAID" {
		w.t.Fatalf("pay %s with %d points: %d %v", no, use, status, body)
	}
	w.eventually(20*time.Second, "ORDER_PAID of "+no+" applied everywhere", func() bool {
		_, n := w.pointsEntries(no)
		return w.shipmentStatus(no) == "AWAITING_SHIPMENT" && n["ORDER_PAID"] == 1 && w.reservationStatus(no) == "SOLD"
	})
	return no, before
}

// balances are a user's money and points and a SKU's available units.
// Taken with the order placed (its unit reserved), so after a refund
// available is one more.
type balances struct {
	money, points int64
	available     int
}

// returned is b once the order's unit is back in stock.
func (b balances) returned() balances { b.available++; return b }

func (w *world) balancesOf(user, sku string) balances {
	w.t.Helper()
	return balances{money: w.balance(user), points: w.pointsBalance(user), available: w.available(sku)}
}

// priced returns a product with plenty of stock priced within [lo, hi] cents.
func (w *world) priced(lo, hi int64) product {
	w.t.Helper()
	for _, p := range w.products() {
		if p.Available >= 20 && p.PriceCents >= lo && p.PriceCents <= hi {
			return p
		}
	}
	w.t.Fatalf("no product with stock priced %d..%d", lo, hi)
	return product{}
}

// waitPointsRefunded waits until the refund of order no, paid with used
// points and total−used cents by user, reached every service, and checks
// each one applied it once: the order REFUNDED, the charge (if any)
// refunded for exactly the charged part, the redemption returned once, the
// credit clawed back by exactly its points, the stock returned and the
// shipment ended (shipment: CANCELLED or RETURNED).
func (w *world) waitPointsRefunded(user, no string, total, used int64, shipment string) {
	w.t.Helper()
	charged := total - used
	w.eventually(30*time.Second, "the refund of "+no+" applied everywhere", func() bool {
		status, _ := w.charge(no)
		_, n := w.pointsEntries(no)
		return w.getOrder(user, no)["status"] == "REFUNDED" && (charged == 0 || status == "REFUNDED") &&
			n["ORDER_REFUNDED"] == 1 && (used == 0 || n["REDEMPTION_RETURNED"] == 1) &&
			w.reservationStatus(no) == "RETURNED" && w.shipmentStatus(no) == shipment
	})
	status, amount := w.charge(no)
	switch {
	case charged == 0 && status != "":
		w.t.Errorf("order %s paid wholly with points has a charge: %s %d", no, status, amount)
	case charged > 0 && amount != charged:
		w.t.Errorf("charge of %s: %d, want the charged part %d (total %d less %d points)", no, amount, charged, total, used)
	}
	o := w.getOrder(user, no)
	if num(o["pointsApplied"]) != used || num(o["chargedCents"]) != charged {
		w.t.Errorf("order %s says %v points and %v charged, want %d and %d", no, o["pointsApplied"], o["chargedCents"], used, charged)
	}
	sum, n := w.pointsEntries(no)
	credit := charged / 100 // earned on the charged part only
	want := map[string]int64{"ORDER_PAID": credit, "ORDER_REFUNDED": -credit}
	if used > 0 {
		want["ORDER_REDEEMED"], want["REDEMPTION_RETURNED"] = -used, used
	}
	for reason, pts := range want {
		if sum[reason] != pts || n[reason] != 1 {
			w.t.Errorf("ledger of %s: %s %d in %d entries, want %d in one (%v %v)", no, reason, sum[reason], n[reason], pts, sum, n)
		}
	}
	if len(n) != len(want) {
		w.t.Errorf("ledger of %s has reasons %v, want those of %v", no, n, want)
	}
	if n := w.messages(contracts.TopicOrderRefunded, no); n != 1 {
		w.t.Errorf("%d ORDER_REFUNDED messages for %s, want 1", n, no)
	}
	w.pointsConserved()
}

// refundPointsPart: an order paid partly with points is refunded before
// shipping while the broker hands every consumer each message twice.
func refundPointsPart(w *world) {
	p := w.priced(1_000, 50_000)
	use := min(p.PriceCents/2, 400)
	no, before := w.pointsPaid("alice", p, use)
	charged, credit := p.PriceCents-use, (p.PriceCents-use)/100
	if got := w.balancesOf("alice", p.SKU); got.money != before.money-charged || got.points != before.points-use+credit {
		w.t.Fatalf("after paying %d cents and %d points: %+v, want money %d and points %d", charged, use, got,
			before.money-charged, before.points-use+credit)
	}
	groups := map[string]string{
		contracts.ConsumerOrderOrderRefunded: w.order, contracts.ConsumerPaymentOrderRefunded: w.payment,
		contracts.ConsumerPointsOrderRefunded: w.points, contracts.ConsumerInventoryOrderRefunded: w.inventory,
		contracts.ConsumerLogisticsOrderRefunded: w.logistics,
	}
	dups := map[string]int64{}
	for group, svc := range groups {
		dups[group] = w.deliveries(svc, group, "duplicate")
	}
	w.armBrokerFault(map[string]any{"point": "deliver", "action": "duplicate"})
	status, body := w.call(http.MethodPost, w.order+"/api/v1/orders/"+no+"/refund", "alice", nil)
	if status != http.StatusOK || (body["status"] != "REFUNDING" && body["status"] != "REFUNDED") {
		w.t.Fatalf("refund: %d %v", status, body)
	}
	w.waitPointsRefunded("alice", no, p.PriceCents, use, "CANCELLED")
	for group, svc := range groups {
		w.eventually(10*time.Second, group+" counted a duplicate", func() bool { return w.deliveries(svc, group, "duplicate") > dups[group] })
	}
	w.clearBrokerFaults()
	// Everything is back where it was before paying: the wallet by exactly
	// the charged part, the points by the redemption less the credit, the
	// unit in stock.
	if got, want := w.balancesOf("alice", p.SKU), before.returned(); got != want {
		w.t.Errorf("after the refund: %+v, want %+v: as before paying, and the unit back", got, want)
	}
	w.waitPointsRefunded("alice", no, p.PriceCents, use, "CANCELLED")
}

// refundPointsAll: an order paid wholly with points has no charge; its
// refund still ends REFUNDED (not stuck in REFUNDING), every consumer of
// ORDER_REFUNDED, payment's included, acknowledges it without failing, and
// the points come back.
func refundPointsAll(w *world) {
	p := w.cheapest()
	groups := map[string]string{
		contracts.ConsumerOrderOrderRefunded: w.order, contracts.ConsumerPaymentOrderRefunded: w.payment,
		contracts.ConsumerPointsOrderRefunded: w.points, contracts.ConsumerInventoryOrderRefunded: w.inventory,
		contracts.ConsumerLogisticsOrderRefunded: w.logistics,
	}
	no, before := w.pointsPaid("alice", p, p.PriceCents)
	if st, _ := w.charge(no); st != "" || w.balance("alice") != before.money {
		w.t.Fatalf("an order paid with points only charged money: charge %q, wallet %d → %d", st, before.money, w.balance("alice"))
	}
	processed, failed := map[string]int64{}, map[string]int64{}
	for group, svc := range groups {
		processed[group], failed[group] = w.deliveries(svc, group, "processed"), w.deliveries(svc, group, "failed")
	}
	if status, body := w.call(http.MethodPost, w.order+"/api/v1/orders/"+no+"/refund", "alice", nil); status != http.StatusOK {
		w.t.Fatalf("refund: %d %v", status, body)
	}
	w.waitPointsRefunded("alice", no, p.PriceCents, p.PriceCents, "CANCELLED")
	for group, svc := range groups {
		w.eventually(20*time.Second, group+" processed the refund", func() bool { return w.deliveries(svc, group, "processed") > processed[group] })
		if n := w.deliveries(svc, group, "failed"); n != failed[group] {
			w.t.Errorf("%s failed %d deliveries of the refund of an order with no charge", group, n-failed[group])
		}
		if off := w.deadLetter(group, no); off >= 0 {
			w.t.Errorf("%s dead-lettered the refund of %s", group, no)
		}
	}
	if got, want := w.balancesOf("alice", p.SKU), before.returned(); got != want {
		w.t.Errorf("after the refund: %+v, want %+v: as before paying, and the unit back", got, want)
	}
	if got, want := w.historyOf(no), "PENDING_PAYMENT>PAID>REFUNDING>REFUNDED"; got != want {
		w.t.Errorf("history %s, want %s", got, want)
	}
}

// refundAfterPointsSpent: bob earns points on an order, spends every point
// on a second order, then the first is refunded. The clawback rule: the
// refund takes back the whole credit and the balance goes negative, still
// equal to the ledger's sum.
func refundAfterPointsSpent(w *world) {
	p := w.priced(1_000, 50_000)
	o := w.place("bob", p.SKU, 1)
	first := o["orderNo"].(string)
	money := w.balance("bob")
	if status, body := w.pay("bob", first); status != http.StatusOK || body["outcome"] != "PAID" {
		w.t.Fatalf("pay: %d %v", status, body)
	}
	credit := p.PriceCents / 100
	w.eventually(20*time.Second, "ORDER_PAID of "+first+" applied everywhere", func() bool {
		sum, n := w.pointsEntries(first)
		return n["ORDER_PAID"] == 1 && sum["ORDER_PAID"] == credit && w.shipmentStatus(first) == "AWAITING_SHIPMENT" &&
			w.reservationStatus(first) == "SOLD"
	})
	// Spend every point bob has on a second order (money pays the rest).
	have := w.pointsBalance("bob")
	if have < credit {
		w.t.Fatalf("bob has %d points after earning %d", have, credit)
	}
	q := w.priced(have, 50_000)
	second := w.place("bob", q.SKU, 1)["orderNo"].(string)
	if status, body := w.payWith("bob", second, map[string]any{"pointsToUse": have}); status != http.StatusOK || body["outcome"] != "PAID" {
		w.t.Fatalf("spend %d points: %d %v", have, status, body)
	}
	spentCredit := (q.PriceCents - have) / 100
	w.eventually(20*time.Second, "the second order credited", func() bool { _, n := w.pointsEntries(second); return n["ORDER_PAID"] == 1 })
	if got := w.pointsBalance("bob"); got != spentCredit {
		w.t.Fatalf("points after spending them all: %d, want the second order's credit %d", got, spentCredit)
	}
	available := w.available(p.SKU)
	moneyBefore := w.balance("bob")
	if status, body := w.call(http.MethodPost, w.order+"/api/v1/orders/"+first+"/refund", "bob", nil); status != http.StatusOK {
		w.t.Fatalf("refund: %d %v", status, body)
	}
	w.waitPointsRefunded("bob", first, p.PriceCents, 0, "CANCELLED")
	// The whole credit is clawed back although it was spent.
	if got, want := w.pointsBalance("bob"), spentCredit-credit; got != want || (spentCredit < credit && got >= 0) {
		w.t.Errorf("points after the clawback: %d, want %d (credit %d clawed back whole)", got, want, credit)
	}
	if got := w.balance("bob"); got != moneyBefore+p.PriceCents || money-got != q.PriceCents-have {
		w.t.Errorf("wallet %d, want %d + the refund %d; first order's money back, the second's charged part kept", got, moneyBefore, p.PriceCents)
	}
	if got := w.available(p.SKU); got != available+1 {
		w.t.Errorf("available %d, want %d + the returned unit", got, available)
	}
	// The audit's numbers: clawback = −credit for the refunded order, and
	// credits − clawbacks − redemptions + returns = balance.
	var sum int64
	for _, e := range w.ledgerEntries("") {
		if e.UserID == "bob" {
			sum += e.Points
		}
	}
	if got := w.pointsBalance("bob"); got != sum {
		w.t.Errorf("bob's balance %d, ledger sums to %d", got, sum)
	}
}

// returnPointsPaid: an order paid partly with points is delivered, its
// return requested and accepted; the parcel is recorded as returned.
func returnPointsPaid(w *world) {
	p := w.priced(1_000, 50_000)
	use := min(p.PriceCents/3, 300)
	no, before := w.pointsPaid("alice", p, use)
	w.deliverAndRequestReturn(no)
	if status, body := w.admin(http.MethodPost, w.order+"/api/v1/admin/orders/"+no+"/return/accept", nil); status != http.StatusOK {
		w.t.Fatalf("accept return: %d %v", status, body)
	}
	w.waitPointsRefunded("alice", no, p.PriceCents, use, "RETURNED")
	if got, want := w.balancesOf("alice", p.SKU), before.returned(); got != want {
		w.t.Errorf("after the return: %+v, want %+v: as before paying, and the unit back", got, want)
	}
	if got, want := w.historyOf(no), "PENDING_PAYMENT>PAID>SHIPPED>COMPLETED>RETURN_REQUESTED>REFUNDING>REFUNDED"; got != want {
		w.t.Errorf("history %s, want %s", got, want)
	}
}

// auditPasses runs the audit (SPEC §3, every invariant) against the shop as
// the scenarios before it left it: delivered, refunded, returned and
// points-paid orders, a replayed dead letter.
func auditPasses(w *world) {
	urls := map[string]string{
		contracts.ServiceOrder: w.order, contracts.ServicePayment: w.payment, contracts.ServiceInventory: w.inventory,
		contracts.ServiceCart: w.cart, contracts.ServiceLogistics: w.logistics, contracts.ServicePoints: w.points,
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	rep, err := audit.Run(ctx, audit.Config{URLs: urls, BrokerAdminURL: w.brokerAdmin, AdminToken: adminToken, Quiescence: 30 * time.Second})
	if err != nil {
		w.t.Fatalf("audit: %v", err)
	}
	if !rep.Quiescent {
		w.t.Errorf("the shop did not become quiet: %v", rep.Notes)
	}
	ids := map[int]bool{}
	for _, inv := range rep.Invariants {
		ids[inv.ID] = true
		if !inv.Passed || inv.Skipped {
			w.t.Errorf("invariant %d (%s): passed %v, skipped %v, %d checked, violations %+v", inv.ID, inv.Title, inv.Passed, inv.Skipped,
				inv.Checked, inv.Violations)
		}
	}
	for id := 1; id <= 10; id++ {
		if !ids[id] {
			w.t.Errorf("the audit has no invariant %d", id)
		}
	}
	if !rep.Passed {
		w.t.Errorf("audit failed: %+v", rep.Notes)
	}
}
