package main_test

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// afterPayWait bounds each wait for an event to travel through the broker.
const afterPayWait = 60 * time.Second

// orderRow is the Trainer page's row of an order in a status.
func orderRow(orderNo, status string) string {
	return fmt.Sprintf(`[data-testid="trainer-order"][data-order-no=%q][data-status=%q]`, orderNo, status)
}

// trainerMove clicks the Trainer page's move on orderNo, then refreshes the
// list until gone holds: the shipment events reach the order service a
// moment after logistics answered.
func (b *browser) trainerMove(orderNo, action, gone string) {
	b.t.Helper()
	b.do(action+" "+orderNo, chromedp.Click(fmt.Sprintf(`[data-testid="trainer-%s"][data-order-no=%q]`, action, orderNo)))
	b.refreshUntil(action+" "+orderNo+" applied", fmt.Sprintf(`!document.querySelector(%q)`, gone))
}

// refreshUntil clicks the Trainer page's Refresh until cond holds.
func (b *browser) refreshUntil(what, cond string) {
	b.t.Helper()
	deadline := time.Now().Add(afterPayWait)
	for !eval[bool](b, cond) {
		if time.Now().After(deadline) {
			b.t.Fatalf("%s: still not true after %s: %s", what, afterPayWait, cond)
		}
		b.do("refresh the orders", chromedp.Click(sel("trainer-orders-refresh")))
		time.Sleep(300 * time.Millisecond) // polling interval
	}
}

// textsHold checks that each element (by testid) holds its words.
func (b *browser) textsHold(want map[string]string) {
	b.t.Helper()
	for testid, words := range want {
		if got := b.text(testid); !strings.Contains(got, words) {
			b.t.Errorf("%s reads %q, want %q in it", testid, got, words)
		}
	}
}

// waitAll waits for each selector in turn (with the after-pay deadline).
func (b *browser) waitAll(what string, sels ...string) {
	b.t.Helper()
	for _, s := range sels {
		b.waitFor(what+": "+s, fmt.Sprintf(`!!document.querySelector(%q)`, s), afterPayWait)
	}
}

// Return after delivery, all from the browser: alice earns points on a
// first order, pays a second one partly with points, the Trainer page ships
// and delivers it, alice requests the return, the Trainer accepts it, and
// the order page shows REFUNDED with each service's refund step while the
// wallet page shows the charge refunded and the points redeemed, credited,
// clawed back and returned, back to where they were. Last, the first order,
// never shipped, is cancelled and refunded: its shipment cancelled.
func TestBrowserReturnAfterDelivery(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole shop and a browser; skipped with -short")
	}
	shop, _ := startShop(t, "sqlite", "ORDER_PAYMENT_TIMEOUT", "5m") // no race with the deadline
	b := newBrowser(t, shop.URL["web"])

	// A first order earns the points the second one spends.
	first := b.placeOrder("alice", "RM-TENT-2P")
	b.do("pay the first order from the wallet",
		chromedp.WaitVisible(sel("points-box")),
		chromedp.Click(sel("pay-button")),
		chromedp.WaitVisible(`[data-testid="order-view"][data-complete="true"]`))

	orderNo := b.placeOrder("alice", "RM-MUG-STONE") // 14.99
	b.do("the points field shows the balance", chromedp.WaitVisible(`[data-testid="points-box"][data-balance]`))
	before, err := strconv.Atoi(b.attr(sel("points-box"), "data-balance"))
	if err != nil || before < 249 {
		t.Fatalf("points balance before paying = %d (%v), want at least the 249 the first order earned", before, err)
	}
	b.checkLabels("order page with points")
	b.do("too many points are refused on the page",
		fill(sel("points-to-use"), "999999"),
		chromedp.Click(sel("pay-button")),
		chromedp.WaitVisible(sel("points-error")))
	if status := b.attr(sel("order-view"), "data-status"); status != "PENDING_PAYMENT" {
		t.Fatalf("an invalid points amount left the order %s", status)
	}
	b.do("pay with 200 points and the rest from the wallet",
		fill(sel("points-to-use"), "200"),
		chromedp.Click(sel("pay-button")),
		chromedp.WaitVisible(`[data-testid="pay-message"][data-outcome="paid"]`))
	b.waitAll("paid with points",
		`[data-testid="order-view"][data-complete="true"]`,
		`[data-testid="order-split"][data-points="200"][data-charged="1299"]`,
		`[data-testid="refund-button"]:not([hidden])`)
	if got := b.text("effect-points"); !strings.Contains(got, "+12 points") {
		t.Errorf("points effect reads %q, want +12 points (12.99 charged)", got)
	}
	if got := b.text("order-split"); !strings.Contains(got, "200 points") || !strings.Contains(got, "$12.99") {
		t.Errorf("the split reads %q, want 200 points and $12.99", got)
	}

	// The Trainer ships and delivers it.
	b.do("open the Trainer page", chromedp.Click(sel("nav-trainer")), chromedp.WaitVisible(sel("trainer-token")),
		fill(sel("trainer-token"), shop.AdminToken), chromedp.Click(sel("trainer-token-use")),
		chromedp.WaitVisible(`[data-testid="trainer"][data-state="open"]`))
	b.refreshUntil("the paid order listed", fmt.Sprintf(`!!document.querySelector(%q)`, orderRow(orderNo, "PAID")))
	if !eval[bool](b, fmt.Sprintf(`!!document.querySelector(%q)`, orderRow(first, "PAID"))) {
		t.Errorf("the Trainer page does not list the first paid order %s", first)
	}
	b.trainerMove(orderNo, "ship", orderRow(orderNo, "PAID"))
	b.do("the order is shipped", chromedp.WaitVisible(orderRow(orderNo, "SHIPPED")))
	b.resize(1280, 900, false)
	b.screenshot("afterpay-trainer-desktop")
	b.trainerMove(orderNo, "deliver", orderRow(orderNo, "SHIPPED"))

	// Delivered: alice asks for the return.
	b.do("open the delivered order", chromedp.Navigate(b.base+"/#/orders/"+orderNo),
		chromedp.WaitVisible(`[data-testid="order-view"][data-status="COMPLETED"]`))
	b.waitAll("delivered",
		`[data-testid="after-shipped"][data-state="done"]`,
		`[data-testid="after-delivered"][data-state="done"]`,
		`[data-testid="return-button"]:not([hidden])`)
	if !b.hidden(sel("refund-button")) {
		t.Error("Cancel and refund shows on a delivered order")
	}
	b.do("request the return (it asks first)",
		chromedp.Click(sel("return-button")),
		chromedp.WaitVisible(sel("return-confirm")),
		chromedp.Click(sel("return-confirm-yes")),
		chromedp.WaitVisible(`[data-testid="order-view"][data-status="RETURN_REQUESTED"]`),
		chromedp.WaitVisible(sel("return-waiting")))

	// The Trainer accepts it.
	b.do("back to the Trainer page", chromedp.Navigate(b.base+"/#/trainer"),
		chromedp.WaitVisible(`[data-testid="trainer"][data-state="open"]`))
	b.refreshUntil("the return listed", fmt.Sprintf(`!!document.querySelector(%q)`, orderRow(orderNo, "RETURN_REQUESTED")))
	b.trainerMove(orderNo, "accept-return", orderRow(orderNo, "RETURN_REQUESTED"))

	// Refunded, with each service's step.
	b.do("open the refunded order", chromedp.Navigate(b.base+"/#/orders/"+orderNo),
		chromedp.WaitVisible(`[data-testid="after-pay"]`))
	b.waitAll("refunded",
		`[data-testid="order-view"][data-status="REFUNDED"][data-final="true"]`,
		`[data-testid="refund-payment"][data-state="done"]`,
		`[data-testid="refund-points"][data-state="done"]`,
		`[data-testid="refund-stock"][data-state="done"]`,
		`[data-testid="refund-shipment"][data-state="done"]`,
		`[data-testid="payment-state"][data-state="refunded"]`)
	b.textsHold(map[string]string{
		"refund-points":    "12 points clawed back, 200 points returned",
		"refund-shipment":  "RETURNED",
		"progress-summary": "Refunded",
		"order-history":    "return accepted",
	})
	if !b.hidden(sel("return-button")) || !b.hidden(sel("refund-button")) || !b.hidden(sel("pay-button")) {
		t.Error("a refunded order still offers an action")
	}
	b.fitsWidth("the refunded order page")
	b.screenshot("afterpay-refunded-desktop-" + orderNo)
	b.resize(390, 844, true)
	b.fitsWidth("the refunded order page on a phone")
	b.screenshot("afterpay-refunded-phone-" + orderNo)
	b.resize(1280, 900, false)

	// The wallet page: the charge refunded, the points history complete.
	b.do("open the wallet", chromedp.Navigate(b.base+"/#/wallet"),
		chromedp.WaitVisible(fmt.Sprintf(`[data-testid="charge-row"][data-order-no=%q][data-status="REFUNDED"]`, orderNo)),
		chromedp.WaitVisible(sel("points-ledger")))
	entries := eval[[]string](b, fmt.Sprintf(`[...document.querySelectorAll('[data-testid="points-entry"][data-order-no=%q]')]
		.map((e) => e.dataset.reason + ' ' + e.dataset.points + ' ' + e.textContent)`, orderNo))
	want := map[string]string{
		"ORDER_REDEEMED -200":     "paid part of an order",
		"ORDER_PAID 12":           "order paid",
		"ORDER_REFUNDED -12":      "earned points clawed back",
		"REDEMPTION_RETURNED 200": "paid points returned",
	}
	for _, e := range entries {
		for key, words := range want {
			if strings.HasPrefix(e, key+" ") && strings.Contains(e, words) {
				delete(want, key)
			}
		}
	}
	if len(want) != 0 || len(entries) != 4 {
		t.Errorf("points history of %s = %q; missing %v", orderNo, entries, want)
	}
	if got := b.attr(sel("points-balance"), "data-points"); got != strconv.Itoa(before) {
		t.Errorf("points balance after the return = %s, want %d as before the order", got, before)
	}
	b.screenshot("afterpay-wallet-desktop")
	b.resize(390, 844, true)
	b.fitsWidth("the wallet page on a phone")
	b.screenshot("afterpay-wallet-phone")
	b.resize(1280, 900, false)

	// The first order, paid and never shipped: Cancel and refund (it asks
	// first) cancels its shipment and claws back its 249 points.
	b.do("open the first order", chromedp.Navigate(b.base+"/#/orders/"+first),
		chromedp.WaitVisible(`[data-testid="order-view"][data-status="PAID"]`),
		chromedp.WaitVisible(`[data-testid="refund-button"]:not([hidden])`))
	if !b.hidden(sel("return-button")) {
		t.Error("Request a return shows on an order not delivered")
	}
	b.do("cancel and refund it",
		chromedp.Click(sel("refund-button")),
		chromedp.WaitVisible(sel("refund-confirm")),
		chromedp.Click(sel("refund-confirm-yes")))
	b.waitAll("refunded before shipping",
		`[data-testid="order-view"][data-status="REFUNDED"][data-final="true"]`,
		`[data-testid="refund-shipment"][data-state="done"]`,
		`[data-testid="refund-points"][data-state="done"]`,
		`[data-testid="after-shipped"][data-state="cancelled"]`)
	b.textsHold(map[string]string{
		"refund-points":   "249 points clawed back, 0 points returned",
		"refund-shipment": "CANCELLED",
		"order-history":   "cancelled by the customer after payment, before shipping",
	})
	b.screenshot("afterpay-refunded-before-shipping-" + first)
}
