package main_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The tour in Simplified Chinese, at a laptop's and a phone's size, in a real
// Chromium against the real shop: the browser (en-US) opens in English, the
// header's switch turns the page Chinese and a reload keeps it; then sign
// in, cart, checkout, pay and watch the effects and the timeline, an API
// error in Chinese with its English code, the consistency audit, the
// Trainer page and /docs, with the header and buttons fitting at both sizes
// and the money, dates and times in Chinese formats; back to English at the
// end. Screenshots: i18n-zh-*.png.
func TestBrowserChinese(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole shop and a browser; skipped with -short")
	}
	shop, _ := startShop(t, "sqlite", "ORDER_PAYMENT_TIMEOUT", "5m")
	for _, s := range []screen{
		{name: "desktop", w: 1366, h: 900, shopper: "alice"},
		{name: "phone", w: 390, h: 844, phone: true, shopper: "bob"},
	} {
		t.Run(fmt.Sprintf("%dx%d", s.w, s.h), func(t *testing.T) {
			b := newBrowser(t, shop.URL["web"])
			b.resize(s.w, s.h, s.phone)
			switchToChinese(t, b, s)
			orderNo := chineseCheckout(t, b, s)
			chinesePay(t, b, s, orderNo)
			chineseAuditAndTrainer(t, b, s, shop.AdminToken)
			backToEnglish(t, b)
		})
	}
}

// text is the text of the element with testid.
func (b *browser) text(testid string) string {
	b.t.Helper()
	return eval[string](b, fmt.Sprintf(`document.querySelector(%q).textContent`, sel(testid)))
}

// chooseLanguage picks lang in the header's switch as a user does.
func (b *browser) chooseLanguage(lang string) {
	b.t.Helper()
	b.do("choose "+lang, chromedp.SetValue(sel("lang-select"), lang),
		void(chromedp.Evaluate[bool](`document.querySelector('[data-testid="lang-select"]').dispatchEvent(new Event('change')) || true`)),
		chromedp.WaitVisible(fmt.Sprintf(`html[lang=%q] [data-testid="page-title"]`, lang)))
}

// hasHan is a JavaScript test for Chinese characters.
const hasHan = `/\p{Script=Han}/u`

// englishLeft lists the texts under the elements sel shows that still read
// as English sentences (three lower-case words in a row), leaving out
// elements marked translate="no".
func (b *browser) englishLeft(sel string) []string {
	b.t.Helper()
	return eval[[]string](b, fmt.Sprintf(`(() => {
		const out = [];
		for (const root of document.querySelectorAll(%q)) {
			const walk = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
			for (let n = walk.nextNode(); n; n = walk.nextNode()) {
				const el = n.parentElement;
				if (!el || el.closest('[translate="no"], [hidden], option') || el.getClientRects().length === 0) continue;
				if (/\b[a-z]{2,} [a-z]{2,} [a-z]{2,}\b/.test(n.data)) out.push(n.data.trim());
			}
		}
		return out;
	})()`, sel))
}

// fitsHeader checks that at this size the header and navigation fit: no
// sideways scrolling, every header control inside the window, no button
// whose words overflow it, and no navigation entry broken over two lines
// (on a phone the navigation is one row that scrolls sideways by design).
func (b *browser) fitsHeader(size string) {
	b.t.Helper()
	b.fitsWidth("the Chinese header at " + size)
	problems := eval[[]string](b, `(() => {
		const out = [];
		for (const el of document.querySelectorAll('.site-header button, .site-header select, .site-header #current-user')) {
			if (el.hidden || el.getClientRects().length === 0) continue;
			const r = el.getBoundingClientRect();
			if (r.left < 0 || r.right > innerWidth + 0.5) out.push(el.outerHTML.slice(0, 80) + ' is outside the window');
			if (el.tagName === 'BUTTON' && el.scrollWidth > el.clientWidth + 1) out.push(el.outerHTML.slice(0, 80) + ' overflows');
		}
		for (const el of document.querySelectorAll('.site-nav a')) {
			if (el.getBoundingClientRect().height > 3 * parseFloat(getComputedStyle(el).fontSize)) {
				out.push(el.outerHTML.slice(0, 80) + ' breaks over two lines');
			}
		}
		return out;
	})()`)
	for _, p := range problems {
		b.t.Errorf("%s: %s", size, p)
	}
}

// switchToChinese: English by default for an en-US browser; the switch
// turns the header, the page and the money Chinese, and a reload keeps it.
func switchToChinese(t *testing.T, b *browser, s screen) {
	b.do("open the catalogue", chromedp.Navigate(b.base+"/"), chromedp.WaitVisible(sel("product-card")))
	if got := eval[string](b, `document.documentElement.lang + '|' + document.querySelector('[data-testid="nav-catalogue"]').textContent`); got != "en|Catalogue" {
		t.Fatalf("an en-US browser opens the shop as %q, want en|Catalogue", got)
	}
	b.chooseLanguage("zh-CN")
	b.do("reload", chromedp.Reload(), chromedp.WaitVisible(`html[lang="zh-CN"] [data-testid="product-card"]`))
	for _, c := range []struct{ testid, want string }{
		{sel("nav-catalogue"), "商品目录"}, {sel("nav-cart") + ` span[aria-hidden]`, "购物车"}, {sel("page-title"), "商品目录"},
		{sel("signin-button"), "登录"},
	} {
		if got := eval[string](b, fmt.Sprintf(`document.querySelector(%q).textContent`, c.testid)); got != c.want {
			t.Errorf("%s reads %q in Chinese, want %q", c.testid, got, c.want)
		}
	}
	if price := b.text("product-price"); !strings.HasPrefix(price, "US$") {
		t.Errorf("a price reads %q in Chinese, want the zh-CN format of USD (US$…)", price)
	}
	b.signIn(s.shopper)
	b.fitsHeader(s.name)
	if header := eval[float64](b, `document.querySelector('.site-header').offsetHeight + document.querySelector('.site-nav').offsetHeight`); header > 0.17*float64(s.h) {
		t.Errorf("the Chinese header and navigation take %.0f of %d px", header, s.h)
	}
	if left := b.englishLeft(".site-header, .site-nav, .site-footer, #main"); len(left) > 0 {
		t.Errorf("English left on the Chinese catalogue: %q", left)
	}
	b.shot("i18n-zh-catalogue-" + s.name)
}

// chineseCheckout fills a cart and places an order, all in Chinese.
func chineseCheckout(t *testing.T, b *browser, s screen) string {
	b.do("add a product", chromedp.Click(card("RM-MUG-STONE")+` [data-testid="add-to-cart"]`),
		chromedp.WaitVisible(`[data-testid="cart-count"][data-count="1"]`), chromedp.WaitVisible(sel("status")))
	if got := b.text("status"); !strings.HasPrefix(got, "已将") {
		t.Errorf("the Added message reads %q in Chinese", got)
	}
	b.do("open the cart", chromedp.Click(sel("nav-cart")), chromedp.WaitVisible(sel("checkout-link")))
	b.checkCartGeometry()
	b.fitsWidth("the Chinese cart")
	if left := b.englishLeft("#main"); len(left) > 0 {
		t.Errorf("English left on the Chinese cart: %q", left)
	}
	b.screenshot("i18n-zh-cart-" + s.name)
	b.do("open checkout and make a mistake", chromedp.Click(sel("checkout-link")), chromedp.WaitVisible(sel("checkout-form")),
		chromedp.Click(sel("place-order")), chromedp.WaitVisible(sel("error-addr-line1")))
	if got := b.text("error-addr-line1"); !strings.HasPrefix(got, "请填写") {
		t.Errorf("a missing address line reads %q in Chinese", got)
	}
	b.fitsWidth("the Chinese checkout")
	b.screenshot("i18n-zh-checkout-" + s.name)
	b.do("place the order",
		fill(sel("addr-line1"), "1 Market St"), fill(sel("addr-city"), "Springfield"), fill(sel("addr-postal"), "12345"),
		chromedp.Click(sel("place-order")),
		chromedp.WaitVisible(`[data-testid="order-view"][data-status="PENDING_PAYMENT"]`))
	if got := b.text("order-status"); got != "待支付" {
		t.Errorf("the unpaid order's status reads %q, want 待支付", got)
	}
	if got := b.text("order-deadline"); !strings.Contains(got, "年") || !strings.HasPrefix(got, "请在") {
		t.Errorf("the payment deadline reads %q, want a Chinese sentence with a Chinese date", got)
	}
	return b.attr(sel("order-view"), "data-order-no")
}

// chinesePay pays and watches the effects and the timeline in Chinese.
func chinesePay(t *testing.T, b *browser, s screen, orderNo string) {
	b.do("pay", chromedp.Click(sel("pay-button")), chromedp.WaitVisible(`[data-testid="pay-message"][data-outcome="paid"]`),
		chromedp.WaitVisible(`[data-testid="order-view"][data-complete="true"]`))
	if got := b.text("pay-message"); !strings.HasPrefix(got, "已从钱包支付 US$") {
		t.Errorf("the pay message reads %q in Chinese", got)
	}
	if got := b.text("effect-points-text"); !strings.HasPrefix(got, "完成于") {
		t.Errorf("the points effect reads %q in Chinese", got)
	}
	if got := b.text("order-status"); got != "已支付" {
		t.Errorf("the paid order's status reads %q, want 已支付", got)
	}
	b.waitFor("the timeline's rows", `Number(document.querySelector('[data-testid="timeline"]').dataset.entries) > 0`, 20*time.Second)
	if !eval[bool](b, hasHan+`.test(document.querySelector('[data-testid="timeline-entry"] .seq-words').textContent)`) {
		t.Errorf("a timeline row reads %q, want Chinese", eval[string](b, `document.querySelector('[data-testid="timeline-entry"] .seq-words').textContent`))
	}
	b.fitsWidth("the Chinese order page")
	b.screenshot("i18n-zh-order-" + s.name)

	// An API error: the service's English code, the message in Chinese.
	b.do("open an order that does not exist", chromedp.Navigate(b.base+"/#/orders/RM20000101-NOPE"),
		chromedp.WaitVisible(sel("page-error")))
	code, msg := b.attr(sel("page-error"), "data-code"), b.text("page-error")
	if code != "ORDER_NOT_FOUND" || !eval[bool](b, fmt.Sprintf("%s.test(%q)", hasHan, msg)) {
		t.Errorf("an unknown order shows %s %q, want ORDER_NOT_FOUND with a Chinese message", code, msg)
	}
	b.shot("i18n-zh-error-" + s.name)
	b.do("back to the order", chromedp.Navigate(b.base+"/#/orders/"+orderNo),
		chromedp.WaitVisible(fmt.Sprintf(`[data-testid="order-view"][data-order-no=%q]`, orderNo)))
}

// chineseAuditAndTrainer runs the audit and opens the Trainer page in Chinese.
func chineseAuditAndTrainer(t *testing.T, b *browser, s screen, token string) {
	b.do("run the audit", chromedp.Click(sel("nav-consistency")), chromedp.WaitVisible(sel("run-audit")),
		chromedp.Click(sel("run-audit")), chromedp.WaitVisible(`[data-testid="audit-result"][data-checked]`))
	if got := b.text("audit-verdict"); !eval[bool](b, fmt.Sprintf("%s.test(%q)", hasHan, got)) {
		t.Errorf("the audit's verdict reads %q in Chinese", got)
	}
	if got := eval[string](b, `document.querySelector('[data-testid="invariant-1"] h2').textContent`); !strings.Contains(got, "每笔已支付订单") {
		t.Errorf("invariant 1 reads %q in Chinese", got)
	}
	b.fitsWidth("the Chinese consistency page")
	b.screenshot("i18n-zh-audit-" + s.name)

	b.do("open the Trainer page", chromedp.Click(sel("nav-trainer")), chromedp.WaitVisible(sel("trainer-token")),
		fill(sel("trainer-token"), token), chromedp.Click(sel("trainer-token-use")),
		chromedp.WaitVisible(`[data-testid="trainer"][data-state="open"]`))
	for _, c := range []struct{ sel, want string }{
		{`[data-testid="program-row"][data-program="order"] [data-testid="program-state"]`, "运行中"},
		{`[data-testid="trainer-faults"] h2`, "故障开关"},
		{`[data-testid="reset-shop"]`, "重置商城"},
	} {
		if got := eval[string](b, fmt.Sprintf(`document.querySelector(%q).textContent`, c.sel)); got != c.want {
			t.Errorf("%s reads %q on the Chinese Trainer page, want %q", c.sel, got, c.want)
		}
	}
	b.fitsWidth("the Chinese Trainer page")
	b.screenshot("i18n-zh-trainer-" + s.name)

	b.do("open the API docs", chromedp.Navigate(b.base+"/docs"), chromedp.WaitVisible(sel("swagger-cart")))
	b.waitFor("the Chinese docs", `document.querySelector('h1').textContent === 'API 文档'`, 10*time.Second)
	b.fitsWidth("the Chinese /docs")
	b.screenshot("i18n-zh-docs-" + s.name)
	b.do("back to the shop", chromedp.Click(sel("docs-back-to-shop")), chromedp.WaitVisible(sel("product-card")))
}

// backToEnglish: the switch brings English back, page and header.
func backToEnglish(t *testing.T, b *browser) {
	b.chooseLanguage("en")
	if got := eval[string](b, `document.querySelector('[data-testid="nav-catalogue"]').textContent + '|' + document.querySelector('[data-testid="page-title"]').textContent`); got != "Catalogue|Catalogue" {
		t.Errorf("back in English the page reads %q, want Catalogue|Catalogue", got)
	}
}
