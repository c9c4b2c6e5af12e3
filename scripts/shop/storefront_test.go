package main_test

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// screen is one window size the storefront is tried at, with the shopper
// who uses it (each size its own, so order counts are per size).
type screen struct {
	name        string
	w, h        int64
	phone       bool
	shopper     string
	shopperName string
}

// The storefront as people meet it, at a laptop's and a phone's size, in a
// real Chromium against the real shop: the phone cart, messages and cart
// count on screen after adding a product lower on the page, the Back button
// after placing an order (no second order, no second reservation), a pay
// answer shown at once, mistakes next to their field, a decline that leads
// to a top-up, Cancel that asks first, signing out, and the consistency page
// open without a sign-in with the records it checked.
func TestBrowserStorefront(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole shop and a browser; skipped with -short")
	}
	shop, _ := startShop(t, "sqlite", "ORDER_PAYMENT_TIMEOUT", "5m") // no race with the deadline
	for _, s := range []screen{
		{name: "desktop", w: 1366, h: 900, shopper: "alice", shopperName: "Alice Rich"},
		{name: "phone", w: 390, h: 844, phone: true, shopper: "bob", shopperName: "Bob Comfortable"},
	} {
		t.Run(fmt.Sprintf("%dx%d", s.w, s.h), func(t *testing.T) {
			b := newBrowser(t, shop.URL["web"])
			b.resize(s.w, s.h, s.phone)
			c := client{t: t, shop: shop}
			orderNo := shopAndPlace(t, b, c, s)
			payAndLook(t, b, c, s, orderNo)
			declineAndCancel(t, b, c, s)
			auditSignedOut(t, b, s)
		})
	}
}

func card(sku string) string { return fmt.Sprintf(`[data-testid="product-card"][data-sku=%q]`, sku) }

func cartLine(sku string) string { return fmt.Sprintf(`[data-testid="cart-line"][data-sku=%q]`, sku) }

// orderCount is how many orders the order service holds for user.
func orderCount(c client, user string) int {
	c.t.Helper()
	var list struct{ Orders []struct{ OrderNo string } }
	if code := c.call("GET", "order", "/api/v1/orders?limit=50", user, nil, &list); code != 200 {
		c.t.Fatalf("list %s's orders: %d", user, code)
	}
	return len(list.Orders)
}

// available is inventory's available stock of sku.
func available(c client, sku string) int {
	c.t.Helper()
	var p struct{ Available int }
	if code := c.call("GET", "inventory", "/api/v1/products/"+sku, "", nil, &p); code != 200 {
		c.t.Fatalf("product %s: %d", sku, code)
	}
	return p.Available
}

// shopAndPlace: signed out, then signed in; fills a cart from the bottom of
// the catalogue, changes a quantity on the cart page, makes a mistake at
// checkout, places the order, and goes Back to checkout.
func shopAndPlace(t *testing.T, b *browser, c client, s screen) string {
	b.do("open the catalogue", chromedp.Navigate(b.base+"/"), chromedp.WaitVisible(sel("product-card")))
	skus := eval[[]string](b, `[...document.querySelectorAll('[data-testid="product-card"]')].map((e) => e.dataset.sku)`)
	first, last := skus[0], skus[len(skus)-1] // last: lowest on the page
	add := func(sku string) string { return card(sku) + ` [data-testid="add-to-cart"]` }

	// Signed out, the hint is under the button that was pressed, not a banner.
	b.do("add while signed out", chromedp.Click(add(last)),
		chromedp.WaitVisible(card(last)+` [data-testid="add-error"][data-code="SIGN_IN_REQUIRED"]`))
	b.onScreen("the sign-in hint", card(last)+` [data-testid="add-error"]`)
	if !b.hidden(sel("alert")) {
		t.Error("adding while signed out raised the page-wide alert; want the hint by the button")
	}
	b.shot("storefront-signin-hint-" + s.name)

	b.signIn(s.shopper)
	header := eval[float64](b, `document.querySelector('.site-header').offsetHeight + document.querySelector('.site-nav').offsetHeight`)
	if limit := 0.17 * float64(s.h); header > limit {
		t.Errorf("header and navigation take %.0f of %d px, want at most %.0f", header, s.h, limit)
	}
	b.shot("storefront-header-" + s.name)

	// The product lowest on the page: its message and the cart count are on
	// screen where the shopper is.
	b.do("add "+last, chromedp.Click(add(last)), chromedp.WaitVisible(`[data-testid="cart-count"][data-count="1"]`),
		chromedp.WaitVisible(sel("status")))
	if s.phone && eval[float64](b, `window.scrollY`) < 200 {
		t.Errorf("the last product was not lower on the page (scrollY %v): the check below proves nothing", eval[float64](b, `window.scrollY`))
	}
	b.onScreen("the Added… message", sel("status"))
	b.onScreen("the cart count", sel("cart-count"))
	b.shot("storefront-added-" + s.name)
	b.do("add "+first, chromedp.Click(add(first)), chromedp.WaitVisible(`[data-testid="cart-count"][data-count="2"]`))
	b.fitsWidth("the catalogue")

	b.do("open the cart", chromedp.Click(sel("nav-cart")), chromedp.WaitVisible(sel("checkout-link")))
	b.checkCartGeometry()
	b.fitsWidth("the cart")
	b.screenshot("storefront-cart-" + s.name)

	// A mistake shows on its line; a tap on Update changes the quantity.
	qty := cartLine(last) + ` [data-testid="line-quantity"]`
	update := cartLine(last) + ` [data-testid="line-update"]`
	b.do("set quantity 0", fill(qty, "0"), chromedp.Click(update),
		chromedp.WaitVisible(cartLine(last)+` [data-testid="line-error"][data-code="VALIDATION"]`))
	if !b.hidden(sel("alert")) {
		t.Error("a wrong quantity raised the page-wide alert; want the message on the line")
	}
	tap := chromedp.Click(update)
	if s.phone {
		tap = chromedp.Tap(update)
	}
	b.do("tap Update with quantity 2", fill(qty, "2"), tap,
		chromedp.WaitVisible(cartLine(last)+`[data-quantity="2"]`),
		chromedp.WaitVisible(`[data-testid="cart-count"][data-count="3"]`))
	b.checkCartGeometry()

	// Checkout: a missing field is named under the field.
	b.do("open checkout", chromedp.Click(sel("checkout-link")), chromedp.WaitVisible(sel("checkout-form")),
		chromedp.Click(sel("place-order")), chromedp.WaitVisible(sel("error-addr-line1")), chromedp.WaitVisible(sel("checkout-error")))
	if !b.hidden(sel("alert")) {
		t.Error("a missing address line raised the page-wide alert")
	}
	b.fitsWidth("checkout")
	b.screenshot("storefront-checkout-mistake-" + s.name)
	before := available(c, last)
	b.do("place the order",
		fill(sel("addr-line1"), "1 Market St"), fill(sel("addr-city"), "Springfield"), fill(sel("addr-postal"), "12345"),
		chromedp.Click(sel("place-order")),
		chromedp.WaitVisible(`[data-testid="order-view"][data-status="PENDING_PAYMENT"]`))
	orderNo := b.attr(sel("order-view"), "data-order-no")

	// Back: checkout says the order exists and offers no second placement.
	b.do("go Back to checkout", void(chromedp.Evaluate[bool](`history.back(), true`)),
		chromedp.WaitVisible(fmt.Sprintf(`[data-testid="already-placed"][data-order-no=%q]`, orderNo)),
		chromedp.WaitVisible(sel("already-placed-link")))
	if !b.hidden(sel("place-order")) {
		t.Error("after Back, checkout still offers Place order for the same cart")
	}
	b.screenshot("storefront-back-to-checkout-" + s.name)
	b.do("the cart names the order holding its items", chromedp.Click(sel("nav-cart")),
		chromedp.WaitVisible(fmt.Sprintf(`[data-testid="cart-placed"][data-order-no=%q]`, orderNo)),
		void(chromedp.Evaluate[bool](`history.back(), true`)), chromedp.WaitVisible(sel("already-placed")))

	// A reload before the answer was recorded: the same key and address
	// replay the same order.
	b.do("forget the order number and reload", void(chromedp.Evaluate[bool](fmt.Sprintf(`(() => {
			const k = 'rocketmart.checkout.%s';
			const a = JSON.parse(sessionStorage.getItem(k));
			delete a.orderNo;
			sessionStorage.setItem(k, JSON.stringify(a));
			return true;
		})()`, s.shopper))), chromedp.Reload(), chromedp.WaitVisible(sel("checkout-form")))
	if got := eval[string](b, `document.querySelector('[data-testid="addr-line1"]').value`); got != "1 Market St" {
		t.Errorf("the reloaded attempt's address line reads %q, want the one sent", got)
	}
	b.do("place again", chromedp.Click(sel("place-order")),
		chromedp.WaitVisible(fmt.Sprintf(`[data-testid="order-view"][data-order-no=%q]`, orderNo)))
	if text := eval[string](b, `document.querySelector('[data-testid="status"]').textContent`); !strings.Contains(text, "already placed") {
		t.Errorf("after a replayed placement the message reads %q", text)
	}
	if n := orderCount(c, s.shopper); n != 1 {
		t.Errorf("%s has %d orders after Back and a second placement, want 1", s.shopper, n)
	}
	if after := available(c, last); after != before-2 {
		t.Errorf("%s available %d → %d, want reserved once (−2)", last, before, after)
	}
	return orderNo
}

// payAndLook pays and checks the page agrees with itself the moment the pay
// answer is shown; then Back to checkout points to the order; signing out
// clears the cart count.
func payAndLook(t *testing.T, b *browser, c client, s screen, orderNo string) {
	// Record the page at the moment the pay message turns "paid".
	b.do("watch the pay message", void(chromedp.Evaluate[bool](`(() => {
		window.__atPaid = null;
		const q = (id) => document.querySelector('[data-testid="' + id + '"]');
		new MutationObserver(() => {
			if (window.__atPaid || q('pay-message').dataset.outcome !== 'paid') return;
			window.__atPaid = [q('order-view').dataset.status, q('order-status').textContent, q('payment-state').dataset.state,
				String(q('pay-button').getClientRects().length > 0 && !q('pay-button').disabled)].join('|');
		}).observe(q('order-view'), { subtree: true, attributes: true, childList: true, characterData: true });
		return true;
	})()`)), chromedp.Click(sel("pay-button")), chromedp.WaitVisible(`[data-testid="pay-message"][data-outcome="paid"]`))
	b.waitFor("the page recorded at the pay answer", `window.__atPaid !== null`, 10*time.Second)
	if got, want := eval[string](b, `window.__atPaid`), "PAID|Paid|paid|false"; got != want {
		t.Errorf("when the pay message said paid, status|badge|payment|pay clickable was %s, want %s", got, want)
	}
	b.do("wait for every effect", chromedp.WaitVisible(`[data-testid="order-view"][data-complete="true"]`),
		chromedp.WaitVisible(`[data-testid="cart-count"][data-count="0"]`))
	b.fitsWidth("the order page")
	b.screenshot("storefront-paid-" + s.name)

	b.do("go Back to checkout after paying", void(chromedp.Evaluate[bool](`history.back(), true`)),
		chromedp.WaitVisible(fmt.Sprintf(`[data-testid="last-order"][data-order-no=%q]`, orderNo)))
	b.screenshot("storefront-back-after-paying-" + s.name)
	b.do("follow the pointer", chromedp.Click(sel("last-order-link")),
		chromedp.WaitVisible(fmt.Sprintf(`[data-testid="order-view"][data-order-no=%q]`, orderNo)))

	b.do("sign out", chromedp.Click(sel("signout-button")), chromedp.WaitVisible(`[data-testid="current-user"][data-user-id=""]`))
	b.waitFor("the cart count to go", `document.querySelector('[data-testid="cart-count"]').hidden`, 10*time.Second)
	if n := orderCount(c, s.shopper); n != 1 {
		t.Errorf("%s ends with %d orders, want 1", s.shopper, n)
	}
}

// declineAndCancel: carol cannot afford her order; the decline links to a
// top-up of the shortfall and back; then a second order is cancelled only
// after she confirms.
func declineAndCancel(t *testing.T, b *browser, c client, s screen) {
	orderNo := b.placeOrder("carol", "RM-PLANTER-HERB")
	b.do("pay with too little money", chromedp.Click(sel("pay-button")),
		chromedp.WaitVisible(`[data-testid="pay-message"][data-outcome="declined"]`), chromedp.WaitVisible(sel("topup-link")))
	b.screenshot("storefront-declined-" + s.name)
	var w struct{ BalanceCents int64 }
	c.call("GET", "payment", "/api/v1/wallet", "carol", nil, &w)
	total, _ := strconv.ParseInt(b.attr(sel("order-total"), "data-cents"), 10, 64)
	b.do("follow the top-up link", chromedp.Click(sel("topup-link")),
		chromedp.WaitVisible(fmt.Sprintf(`[data-testid="topup-for-order"][data-order-no=%q]`, orderNo)))
	if got, want := eval[string](b, `document.querySelector('[data-testid="topup-amount"]').value`), fmt.Sprintf("%.2f", float64(total-w.BalanceCents)/100); got != want {
		t.Errorf("the top-up suggests %q, want the shortfall %s", got, want)
	}
	b.fitsWidth("the wallet")
	b.do("top up and go back to pay", chromedp.Click(sel("topup-button")),
		chromedp.WaitVisible(fmt.Sprintf(`[data-testid="wallet-balance"][data-cents="%d"]`, total)),
		chromedp.Click(sel("back-to-order")),
		chromedp.WaitVisible(fmt.Sprintf(`[data-testid="order-view"][data-order-no=%q]`, orderNo)),
		chromedp.Click(sel("pay-button")),
		chromedp.WaitVisible(`[data-testid="pay-message"][data-outcome="paid"]`),
		chromedp.WaitVisible(`[data-testid="order-view"][data-complete="true"]`))

	second := b.placeOrder("carol", "RM-NOTEBOOK-A5")
	b.do("press Cancel", chromedp.Click(sel("cancel-button")), chromedp.WaitVisible(sel("cancel-confirm")))
	var o struct{ Status string }
	if c.call("GET", "order", "/api/v1/orders/"+second, "carol", nil, &o); o.Status != "PENDING_PAYMENT" {
		t.Errorf("Cancel acted before it was confirmed: the order is %s", o.Status)
	}
	b.screenshot("storefront-cancel-confirm-" + s.name)
	b.do("keep the order, then cancel it for real",
		chromedp.Click(sel("cancel-confirm-no")), chromedp.WaitNotVisible(sel("cancel-confirm")),
		chromedp.Click(sel("cancel-button")), chromedp.Click(sel("cancel-confirm-yes")),
		chromedp.WaitVisible(`[data-testid="order-view"][data-status="CANCELLED"]`))
	b.do("sign carol out", chromedp.Click(sel("signout-button")), chromedp.WaitVisible(`[data-testid="current-user"][data-user-id=""]`))
	// A cancelled order leaves its items in the cart; the next size starts with an empty one.
	if code := c.call("DELETE", "cart", "/api/v1/cart/items/RM-NOTEBOOK-A5", "carol", nil, nil); code != 200 {
		t.Errorf("empty carol's cart: %d", code)
	}
}

// auditSignedOut runs the audit with nobody signed in and checks that the
// records checked are shown per invariant and in the verdict.
func auditSignedOut(t *testing.T, b *browser, s screen) {
	b.do("open the consistency page", chromedp.Navigate(b.base+"/#/consistency"),
		chromedp.WaitVisible(sel("audit-open")), chromedp.WaitVisible(`[data-testid="current-user"][data-user-id=""]`))
	b.do("run the audit", chromedp.Click(sel("run-audit")), chromedp.WaitVisible(`[data-testid="audit-result"][data-checked]`))
	if got := b.attr(sel("audit-result"), "data-passed"); got != "true" {
		t.Errorf("the audit did not pass: %s", eval[string](b, `document.querySelector('[data-testid="audit-result"]').textContent`))
	}
	total, _ := strconv.Atoi(b.attr(sel("audit-result"), "data-checked"))
	if total < 4 { // at least two paid orders of this size's run
		t.Errorf("the audit checked %d records", total)
	}
	if v := eval[string](b, `document.querySelector('[data-testid="audit-verdict"]').textContent`); !strings.Contains(v, strconv.Itoa(total)+" records checked") {
		t.Errorf("the verdict reads %q, want the %d records checked", v, total)
	}
	for id := 1; id <= 10; id++ {
		n := b.attr(sel("invariant-"+strconv.Itoa(id)), "data-checked")
		text := eval[string](b, fmt.Sprintf(`document.querySelector('[data-testid="invariant-%d-checked"]').textContent`, id))
		if !strings.Contains(text, n+" record") {
			t.Errorf("invariant %d checked %s records but reads %q", id, n, text)
		}
	}
	b.fitsWidth("the consistency page")
	b.screenshot("storefront-consistency-" + s.name)
}
