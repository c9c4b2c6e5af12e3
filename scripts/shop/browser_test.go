package main_test

import (
	"context"
	"fmt"
	"os"
	osexec "os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/rocketmart/rocketmart/scripts/shop/launcher"
)

// findChromium returns the browser the storefront test drives: $CHROMIUM, or
// Debian's chromium (apt-get install chromium), or a Chrome on the PATH.
func findChromium() string {
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := osexec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// screenshotDir is where the browser test leaves its pictures:
// $ROCKETMART_ARTIFACTS (make test sets ./artifacts) or the test's own
// artifact directory.
func screenshotDir(t *testing.T) string {
	if dir := os.Getenv("ROCKETMART_ARTIFACTS"); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	return t.ArtifactDir()
}

// browser is one headless Chromium tab on the storefront.
type browser struct {
	t    *testing.T
	ctx  context.Context
	base string
	dir  string
}

func newBrowser(t *testing.T, base string) *browser {
	t.Helper()
	path := findChromium()
	if path == "" {
		msg := "no Chromium found: install Debian's chromium (apt-get install chromium) or set CHROMIUM to a Chrome binary"
		if os.Getenv("CI") != "" || os.Getenv("ROCKETMART_REQUIRE_BROWSER") != "" {
			t.Fatal(msg + " (CI requires the browser test)")
		}
		t.Skip(msg + "; CI installs it and runs this test")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox, // CI runs as root
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(actx)
	// The first action starts the browser; it lives as long as ctx.
	if err := chromedp.Do(ctx); err != nil {
		cancelTab()
		cancelAlloc()
		t.Fatalf("start %s: %v", path, err)
	}
	b := &browser{t: t, ctx: ctx, base: base, dir: screenshotDir(t)}
	t.Cleanup(func() {
		if t.Failed() {
			b.screenshot("failure-" + filepath.Base(t.Name()))
		}
		cancelTab()
		cancelAlloc()
	})
	return b
}

// do runs steps with a deadline, failing the test with what was being done.
func (b *browser) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

// eval evaluates a JavaScript expression and returns its value.
func eval[T any](b *browser, expr string) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		b.t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

func (b *browser) attr(sel, name string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	r, err := chromedp.Run(ctx, chromedp.AttributeValue(sel, name))
	if err != nil {
		b.t.Fatalf("attribute %s of %s: %v", name, sel, err)
	}
	return r.Value
}

// fill types into a form field as a user does, replacing what the page
// filled in (chromedp's Clear leaves a value set by script in place).
func fill(sel, value string) chromedp.Action[chromedp.Void] {
	empty := chromedp.Evaluate[bool](fmt.Sprintf(`(document.querySelector(%q).value = "") === ""`, sel))
	return chromedp.Steps(chromedp.WaitVisible(sel), void(empty), chromedp.SendKeys(sel, value))
}

// void drops an action's value.
func void[T any](a chromedp.Action[T]) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := a(ctx, t)
		return err
	})
}

// screenshot saves the whole page as <name>.png and returns the path.
func (b *browser) screenshot(name string) string {
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)) // quality 100 = PNG
	if err != nil {
		b.t.Errorf("screenshot %s: %v", name, err)
		return ""
	}
	path := filepath.Join(b.dir, name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Errorf("screenshot %s: %v", name, err)
		return ""
	}
	b.t.Logf("screenshot: %s", path)
	return path
}

// unlabelled lists the form controls on the page that a screen reader could
// not name: no <label>, no aria-label, no aria-labelledby.
const unlabelled = `[...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
	.filter((e) => e.labels.length === 0 && !e.getAttribute('aria-label') && !e.getAttribute('aria-labelledby'))
	.map((e) => e.outerHTML)`

func (b *browser) checkLabels(page string) {
	b.t.Helper()
	if bad := eval[[]string](b, unlabelled); len(bad) > 0 {
		b.t.Errorf("%s: form controls without a label: %v", page, bad)
	}
}

// sel is a CSS selector for an element by its data-testid.
func sel(testid string) string { return fmt.Sprintf(`[data-testid=%q]`, testid) }

// signIn signs user in from the catalogue and waits for the catalogue it
// draws again: already signed in as user, "Switch" still redraws the page,
// and a click on the old page's buttons would be lost.
func (b *browser) signIn(user string) {
	b.t.Helper()
	b.do("sign in as "+user,
		void(chromedp.Evaluate[bool](`(document.querySelector('[data-testid="product-list"]').dataset.stale = 'yes') === 'yes'`)),
		chromedp.SetValue(sel("user-select"), user),
		chromedp.Click(sel("signin-button")),
		chromedp.WaitVisible(fmt.Sprintf(`[data-testid="current-user"][data-user-id=%q]`, user)),
		chromedp.WaitVisible(`#main:not([aria-busy]) [data-testid="product-list"]:not([data-stale])`))
}

// placeOrder signs user in, adds one of each product to the cart, checks
// out with an address and returns the order number, checking on the way
// that every form control has a label.
func (b *browser) placeOrder(user string, skus ...string) string {
	b.t.Helper()
	card := func(sku string) string { return fmt.Sprintf(`[data-testid="product-card"][data-sku=%q]`, sku) }
	b.do("open the catalogue", chromedp.Navigate(b.base+"/"), chromedp.WaitVisible(card(skus[0])))
	b.signIn(user)
	b.checkLabels("catalogue")
	for i, sku := range skus {
		b.do("add "+sku+" to the cart",
			chromedp.Click(card(sku)+` [data-testid="add-to-cart"]`),
			chromedp.WaitVisible(fmt.Sprintf(`[data-testid="cart-count"][data-count="%d"]`, i+1)))
	}
	b.do("open the cart", chromedp.Click(sel("nav-cart")), chromedp.WaitVisible(sel("checkout-link")))
	if n := eval[int](b, `document.querySelectorAll('[data-testid="cart-line"]').length`); n != len(skus) {
		b.t.Fatalf("cart shows %d lines, want %d", n, len(skus))
	}
	b.checkLabels("cart")
	b.do("check out",
		chromedp.Click(sel("checkout-link")),
		chromedp.WaitVisible(sel("checkout-form")),
		fill(sel("addr-name"), "Alice Rich"),
		fill(sel("addr-line1"), "1 Market St"),
		fill(sel("addr-city"), "Springfield"),
		fill(sel("addr-postal"), "12345"),
		fill(sel("addr-country"), "US"))
	b.checkLabels("checkout")
	b.do("place the order",
		chromedp.Click(sel("place-order")),
		chromedp.WaitVisible(`[data-testid="order-view"][data-status="PENDING_PAYMENT"]`),
		chromedp.WaitVisible(sel("pay-button")))
	orderNo := b.attr(sel("order-view"), "data-order-no")
	if orderNo == "" {
		b.t.Fatal("the order page names no order")
	}
	return orderNo
}

// The storefront in a real headless Chromium against the real stack: sign
// in, add two products, check out with an address, pay once (a double click
// sends one request), and watch the order page show all four downstream
// effects as the consumers apply them.
func TestBrowserCheckout(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole shop and a browser; skipped with -short")
	}
	shop, _ := startShop(t, "sqlite", "ORDER_PAYMENT_TIMEOUT", "5m") // no race with the deadline
	b := newBrowser(t, shop.URL["web"])
	orderNo := b.placeOrder("alice", "RM-MUG-STONE", "RM-TENT-2P")

	// Count the pay requests the page sends, then click twice in one go: the
	// button is disabled by the first click, so one request leaves.
	if disabled := eval[bool](b, `(() => {
		window.__payCalls = 0;
		const real = window.fetch;
		window.fetch = (url, init) => {
			if (String(url).endsWith('/pay')) window.__payCalls++;
			return real(url, init);
		};
		const pay = document.querySelector('[data-testid="pay-button"]');
		pay.click();
		const disabled = pay.disabled;
		pay.click();
		return disabled;
	})()`); !disabled {
		t.Error("the pay button stayed enabled while the payment was in flight")
	}
	for _, want := range []struct{ what, sel string }{
		{"the pay message says paid", `[data-testid="pay-message"][data-outcome="paid"]`},
		{"the order is PAID", `[data-testid="order-view"][data-status="PAID"]`},
		{"the payment step is paid", `[data-testid="payment-state"][data-state="paid"]`},
		{"stock sold", `[data-testid="effect-stockSold"][data-state="done"]`},
		{"shipment created", `[data-testid="effect-shipment"][data-state="done"]`},
		{"points credited", `[data-testid="effect-points"][data-state="done"]`},
		{"cart cleaned", `[data-testid="effect-cartCleaned"][data-state="done"]`},
		{"the order page complete", `[data-testid="order-view"][data-complete="true"]`},
		// The header follows the cart service: the purchase left the cart.
		{"the header's cart count back to 0", `[data-testid="cart-count"][data-count="0"]`},
	} {
		b.do("after paying, wait for "+want.what, chromedp.WaitVisible(want.sel))
	}
	if calls := eval[int](b, `window.__payCalls`); calls != 1 {
		t.Errorf("the page sent %d pay requests for a double click, want 1", calls)
	}
	b.checkLabels("order page")
	// 14.99 + 249.99 = 264.98: 264 points.
	if text := eval[string](b, `document.querySelector('[data-testid="effect-points"]').textContent`); !strings.Contains(text, "+264 points") {
		t.Errorf("points effect reads %q, want +264 points", text)
	}
	// Responsive: on a phone-sized screen the order page needs no sideways
	// scrolling.
	b.do("narrow the window to a phone's", chromedp.EmulateViewport(390, 844))
	if fits := eval[bool](b, `document.documentElement.scrollWidth <= window.innerWidth`); !fits {
		t.Error("the order page scrolls sideways on a 390 px wide screen")
	}
	b.screenshot("order-phone-" + orderNo)
	b.do("widen the window again", chromedp.EmulateViewport(1280, 900))
	shot := b.screenshot("checkout-" + orderNo)
	if info, err := os.Stat(shot); err != nil || info.Size() < 10_000 {
		t.Errorf("screenshot %q is missing or too small for a full page: %v", shot, err)
	}

	// What the page showed is what the services hold.
	c := client{t: t, shop: shop}
	var order struct{ Status string }
	if code := c.call("GET", "order", "/api/v1/orders/"+orderNo, "alice", nil, &order); code != 200 || order.Status != "PAID" {
		t.Errorf("order service: %d %+v, want PAID", code, order)
	}
	var charges struct{ Charges []struct{ OrderNo string } }
	c.call("GET", "payment", "/api/v1/wallet", "alice", nil, &charges)
	if len(charges.Charges) != 1 || charges.Charges[0].OrderNo != orderNo {
		t.Errorf("payment service holds charges %+v, want one for %s", charges.Charges, orderNo)
	}

	// The consistency page runs the audit and shows every invariant passing.
	b.do("run the audit",
		chromedp.Navigate(b.base+"/#/consistency"),
		chromedp.Click(sel("run-audit")),
		chromedp.WaitVisible(`[data-testid="audit-result"][data-passed="true"]`))
	for id := 1; id <= 10; id++ {
		if got := b.attr(sel("invariant-"+strconv.Itoa(id)), "data-passed"); got != "true" {
			t.Errorf("invariant %d shows passed=%q", id, got)
		}
	}
	if text := eval[string](b, `document.querySelector('[data-testid="audit-result"]').textContent`); strings.Contains(text, "null") || strings.Contains(text, "undefined") {
		t.Errorf("the audit panel prints a missing value: %q", text)
	}
	b.screenshot("consistency")

	// Every service's Swagger UI renders through the gateway, offline, with
	// the gateway's paths: no /api/v1 prefix, no admin operations.
	for _, svc := range launcher.ServiceNames() {
		b.do("open the "+svc+" Swagger UI from /docs",
			chromedp.Navigate(b.base+"/docs"),
			chromedp.Click(sel("swagger-"+svc)),
			chromedp.WaitVisible(`.opblock`))
		paths := eval[[]string](b, `[...document.querySelectorAll('.opblock-summary-path')].map((e) => e.textContent.replace(/\u200b/g, ''))`)
		if len(paths) == 0 {
			t.Errorf("%s Swagger UI shows no operations", svc)
		}
		for _, p := range paths {
			if strings.Contains(p, "/api/v1") || strings.Contains(p, "admin") {
				t.Errorf("%s Swagger UI through the gateway shows %s", svc, p)
			}
		}
	}
}

// The payment service is down when the buyer pays: the order service cannot
// tell whether the charge happened, answers UNKNOWN, and the page shows the
// half message waiting for the broker's check-back. The check-back cannot
// decide either while payment is down; once it is back, the check finds no
// charge and rolls the half message back, the page says so, and paying
// again goes through with every effect.
func TestBrowserCheckBack(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole shop and a browser; skipped with -short")
	}
	shop, _ := startShop(t, "sqlite", "ORDER_PAYMENT_TIMEOUT", "5m") // no race with the deadline
	b := newBrowser(t, shop.URL["web"])
	orderNo := b.placeOrder("bob", "RM-NOTEBOOK-A5")

	if err := shop.StopProgram("payment"); err != nil {
		t.Fatal(err)
	}
	b.do("pay while the payment service is down",
		chromedp.Click(sel("pay-button")),
		chromedp.WaitVisible(`[data-testid="pay-message"][data-outcome="pending"]`),
		chromedp.WaitVisible(`[data-testid="payment-state"][data-state="awaiting_check"]`))
	if text := eval[string](b, `document.querySelector('[data-testid="payment-state"]').textContent`); !strings.Contains(text, "check-back") {
		t.Errorf("payment step reads %q, want it to name the check-back", text)
	}
	if disabled := eval[bool](b, `document.querySelector('[data-testid="pay-button"]').disabled`); !disabled {
		t.Error("the pay button is enabled while the half message is undecided")
	}
	b.screenshot("awaiting-check-back-" + orderNo)

	if err := shop.StartProgram(context.Background(), "payment"); err != nil {
		t.Fatal(err)
	}
	b.do("the check-back rolls the payment back",
		chromedp.WaitVisible(`[data-testid="pay-message"][data-outcome="error"]`),
		chromedp.WaitVisible(`[data-testid="payment-state"][data-state="none"]`),
		chromedp.WaitVisible(`[data-testid="order-view"][data-status="PENDING_PAYMENT"]`))
	if text := eval[string](b, `document.querySelector('[data-testid="pay-message"]').textContent`); !strings.Contains(text, "rolled the payment back") {
		t.Errorf("pay message reads %q after the rollback", text)
	}

	b.do("pay again and see every effect",
		chromedp.WaitEnabled(sel("pay-button")),
		chromedp.Click(sel("pay-button")),
		chromedp.WaitVisible(`[data-testid="pay-message"][data-outcome="paid"]`),
		chromedp.WaitVisible(`[data-testid="order-view"][data-complete="true"]`))
	b.screenshot("paid-after-check-back-" + orderNo)
}
