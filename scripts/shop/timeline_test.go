package main_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// timelineEntry is a selector for a row of the order page's timeline.
func timelineEntry(attrs string) string { return `[data-testid="timeline-entry"]` + attrs }

// The order page's timeline in a real Chromium against the real shop: pay an
// order and watch the transaction appear as a sequence diagram, open a step's
// details, fit a phone, and stop asking once the order is final and quiet.
//
// What the journals add (the half message, the commit, one consumed
// delivery per ORDER_PAID consumer) is asserted against the timeline
// contract. On a build whose services and broker keep no journal yet, every
// source answers 404 ("no journal") and the test skips after checking what
// exists without them (the order's own status changes): that skip, and only
// that one, is lifted when the journals are merged.
func TestTimelinePage(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole shop and a browser; skipped with -short")
	}
	shop, _ := startShop(t, "sqlite", "ORDER_PAYMENT_TIMEOUT", "5m") // no race with the deadline
	b := newBrowser(t, shop.URL["web"])
	orderNo := b.placeOrder("alice", "RM-MUG-STONE")

	b.do("pay and see the payment in the timeline",
		chromedp.WaitVisible(`[data-testid="timeline"][data-state="live"]`),
		chromedp.Click(sel("pay-button")),
		chromedp.WaitVisible(`[data-testid="pay-message"][data-outcome="paid"]`),
		chromedp.WaitVisible(timelineEntry(`[data-step="status-changed"][data-outcome="PAID"]`)))
	if n := eval[int](b, `document.querySelectorAll('[data-testid="timeline-source"]').length`); n != 7 {
		t.Errorf("the timeline names %d sources, want 7 (order, broker and five more services)", n)
	}
	paid := timelineEntry(`[data-step="status-changed"][data-outcome="PAID"]`)
	b.do("open the PAID step", chromedp.Click(paid+` [data-testid="timeline-entry-toggle"]`),
		chromedp.WaitVisible(paid+` [data-testid="timeline-entry-details"]`))
	if got := b.attr(paid+` [data-testid="timeline-entry-toggle"]`, "aria-expanded"); got != "true" {
		t.Errorf("the opened step has aria-expanded=%q", got)
	}
	if text := eval[string](b, fmt.Sprintf(`document.querySelector(%q).textContent`, paid+` [data-testid="timeline-entry-details"]`)); !strings.Contains(text, "PENDING_PAYMENT → PAID") || !strings.Contains(text, orderNo) {
		t.Errorf("the PAID step's details read %q", text)
	}
	if bad := eval[[]string](b, `[...document.querySelectorAll('[data-testid="timeline-entry-toggle"]')]
		.filter((btn) => !document.getElementById(btn.getAttribute('aria-controls'))).map((btn) => btn.textContent)`); len(bad) > 0 {
		t.Errorf("steps whose details cannot be found: %v", bad)
	}

	b.do("wait for every effect", chromedp.WaitVisible(`[data-testid="order-view"][data-complete="true"]`))
	sources := eval[map[string]string](b, `Object.fromEntries([...document.querySelectorAll('[data-testid="timeline-source"]')].map((e) => [e.dataset.source, e.dataset.state]))`)
	journals := false
	for src, state := range sources {
		switch state {
		case "ok":
			journals = true
		case "no journal":
		default:
			t.Errorf("source %s is %q, want ok (or no journal on a build without it)", src, state)
		}
	}
	if journals {
		contractSteps(t, b)
	}

	b.do("scroll to the timeline", void(chromedp.Evaluate[bool](`(document.querySelector('[data-testid="timeline"]').scrollIntoView(), true)`)))
	b.shot("timeline-desktop-" + orderNo)
	b.screenshot("timeline-desktop-page-" + orderNo)
	b.resize(390, 844, true)
	b.fitsScreen("the order page with its timeline")
	if !b.hidden(`[data-testid="timeline-entry"] .seq-lanes`) {
		t.Error("the lanes are drawn on a 390 px screen; want a plain list")
	}
	b.do("scroll to the timeline on a phone", void(chromedp.Evaluate[bool](`(document.querySelector('[data-testid="timeline"]').scrollIntoView(), true)`)))
	b.shot("timeline-phone-" + orderNo)
	b.screenshot("timeline-phone-page-" + orderNo)

	brokerPage(t, b, shop.AdminToken, orderNo)

	// Settled: the order is final and nothing changed for 8 s, so the page
	// stops asking (its acks come within the client's 5 s offset commits).
	b.do("back to the order page", chromedp.Navigate(b.base+"/#/orders/"+orderNo), chromedp.WaitVisible(sel("timeline")))
	b.waitFor("the timeline to settle", `document.querySelector('[data-testid="timeline"]').dataset.state === 'settled'`, 30*time.Second)
	if !journals {
		t.Skip("every source answers 404 for its journal (no journal on this build: the services' and minirmq's journals " +
			"of the timeline contract are not merged yet); the order's status changes showed, the contract's steps are not checked; " +
			"this skip goes once the journals land")
	}
}

// contractSteps waits for the steps the timeline contract promises for a
// paid order: the ORDER_PAID half message, its commit, and one processed
// delivery per consumer group of ORDER_PAID.
func contractSteps(t *testing.T, b *browser) {
	t.Helper()
	want := []string{
		timelineEntry(`[data-actor="order"][data-step="half-sent"]`),
		timelineEntry(`[data-actor="order"][data-step="end-transaction"][data-outcome="commit"]`),
	}
	for _, group := range []string{"inventory-order-paid", "logistics-order-paid", "points-order-paid", "cart-order-paid"} {
		want = append(want, timelineEntry(fmt.Sprintf(`[data-step="consumed"][data-group=%q][data-outcome="processed"]`, group)))
	}
	for _, s := range want {
		b.do("the timeline shows "+s, chromedp.WaitVisible(s))
	}
	half := want[0]
	b.do("open the half message", chromedp.Click(half+` [data-testid="timeline-entry-toggle"]`),
		chromedp.WaitVisible(half+` [data-testid="timeline-entry-details"]`))
	if text := eval[string](b, fmt.Sprintf(`document.querySelector(%q).textContent`, half+` [data-testid="timeline-entry-details"]`)); !strings.Contains(text, "ORDER_PAID") || !strings.Contains(text, "Transaction id") {
		t.Errorf("the half message's details read %q, want its topic and transaction id", text)
	}
	if order := eval[string](b, `(() => {
		const steps = [...document.querySelectorAll('[data-testid="timeline-entry"]')].map((e) => e.dataset.step);
		return steps.indexOf('half-sent') < steps.indexOf('consumed') ? 'ok' : steps.join(' ');
	})()`); order != "ok" {
		t.Errorf("a delivery shows before the half message: %s", order)
	}
}

// brokerPage: from the order page's link, the broker page asks for the
// trainer's token first; with it, it shows the order's committed half
// message and the consumer groups caught up, and the order number leads to
// the admin timeline of the order.
func brokerPage(t *testing.T, b *browser, token, orderNo string) {
	t.Helper()
	b.resize(1280, 900, false)
	b.do("follow the broker link without a token", chromedp.Click(sel("timeline-broker-link")), chromedp.WaitVisible(sel("broker-locked")))
	b.do("enter the token on the trainer page", chromedp.Click(sel("broker-locked")+` a`), chromedp.WaitVisible(sel("trainer-token")),
		fill(sel("trainer-token"), token), chromedp.Click(sel("trainer-token-use")),
		chromedp.WaitVisible(`[data-testid="trainer"][data-state="open"]`))
	half := fmt.Sprintf(`[data-testid="broker-half"][data-state="committed"] [data-order-no=%q]`, orderNo)
	b.do("open the broker page", chromedp.Click(sel("trainer-broker-link")),
		chromedp.WaitVisible(`[data-testid="broker"][data-state="open"]`), chromedp.WaitVisible(half))
	for _, group := range []string{"inventory-order-paid", "logistics-order-paid", "points-order-paid", "cart-order-paid"} {
		b.do("see "+group+" caught up", chromedp.WaitVisible(fmt.Sprintf(`[data-testid="broker-group"][data-group=%q][data-lag="0"]`, group)))
	}
	b.do("see ORDER_PAID among the topics", chromedp.WaitVisible(`[data-testid="broker-topic"][data-topic="ORDER_PAID"]`))
	b.screenshot("broker-" + orderNo)
	b.resize(390, 844, true)
	b.fitsScreen("the broker page")
	b.shot("broker-phone-" + orderNo)
	b.resize(1280, 900, false)
	b.do("open the order's timeline from the broker page", chromedp.Click(half),
		chromedp.WaitVisible(sel("admin-timeline-status")),
		chromedp.WaitVisible(timelineEntry(`[data-step="status-changed"][data-outcome="PAID"]`)))
	if text := eval[string](b, `document.querySelector('[data-testid="admin-timeline-status"]').textContent`); !strings.Contains(text, "PAID") {
		t.Errorf("the admin timeline's status reads %q", text)
	}
}

// fitsScreen checks that the page needs no sideways scrolling on the
// emulated phone. A mobile browser zooms out to show a page wider than its
// screen, and its window (innerWidth) grows with the page; the screen's
// width does not.
func (b *browser) fitsScreen(page string) {
	b.t.Helper()
	if over := eval[float64](b, `Math.max(document.documentElement.scrollWidth, window.innerWidth) - screen.width`); over > 0 {
		b.t.Errorf("%s is %.0f px wider than the %v px screen", page, over, eval[float64](b, `screen.width`))
	}
}
