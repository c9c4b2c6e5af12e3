package main_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/rocketmart/rocketmart/scripts/shop/launcher"
	"github.com/rocketmart/rocketmart/services/contracts"
)

// with is the same tab reporting to another test (a subtest).
func (b *browser) with(t *testing.T) *browser {
	c := *b
	c.t = t
	return &c
}

// choose picks value in a <select> as a person does, so the page hears
// the change.
func choose(sel, value string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(chromedp.WaitVisible(sel), void(chromedp.Evaluate[bool](fmt.Sprintf(`(() => {
		const s = document.querySelector(%q);
		s.value = %q;
		s.dispatchEvent(new Event('change', { bubbles: true }));
		return s.value === %q;
	})()`, sel, value, value))))
}

// The trainer page in a real Chromium against the real shop: a wrong token
// is refused next to the field; with the right one the page lists the
// programs, crashes one (its restarts go up), arms a fault through the form
// (a refusal shown next to its field), shows the banner on the catalogue
// while it is armed and not after it is cleared, asks before a reset, and
// fits a phone.
func TestTrainerPage(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole shop and a browser; skipped with -short")
	}
	shop, _ := startShop(t, "sqlite")
	b := newBrowser(t, shop.URL["web"])
	row := func(program string) string {
		return fmt.Sprintf(`[data-testid="program-row"][data-program=%q]`, program)
	}

	b.do("open the trainer page from the footer", chromedp.Navigate(b.base+"/"), chromedp.WaitVisible(sel("product-card")),
		chromedp.Click(sel("nav-trainer")), chromedp.WaitVisible(sel("trainer-token")))
	b.do("try a wrong token", fill(sel("trainer-token"), "not-the-token"), chromedp.Click(sel("trainer-token-use")),
		chromedp.WaitVisible(`[data-testid="trainer-token-error"][data-code="INVALID_ADMIN_TOKEN"]`))
	if text := eval[string](b, `document.querySelector('[data-testid="trainer-token-error"]').textContent`); !strings.Contains(text, "403") {
		t.Errorf("the refusal reads %q, want the 403", text)
	}
	if kept := eval[string](b, `sessionStorage.getItem('rocketmart.trainer.token') || ''`); kept != "" {
		t.Errorf("the refused token stays in sessionStorage: %q", kept)
	}
	b.do("use the right token", fill(sel("trainer-token"), shop.AdminToken), chromedp.Click(sel("trainer-token-use")),
		chromedp.WaitVisible(`[data-testid="trainer"][data-state="open"]`),
		chromedp.WaitVisible(row("payment")+`[data-state="running"][data-restarts="0"]`),
		chromedp.WaitVisible(sel("labs-unavailable")))
	b.checkLabels("the trainer page")
	b.screenshot("trainer")

	t.Run("crash", func(t *testing.T) {
		b := b.with(t)
		b.do("crash payment", chromedp.Click(row("payment")+` [data-testid="program-crash"]`),
			chromedp.WaitVisible(row("payment")+`[data-state="running"][data-restarts="1"]`))
		if got := shop.Restarts("payment"); got != 1 {
			t.Errorf("the launcher counts %d restarts of payment, want 1", got)
		}
	})

	t.Run("fault and banner", func(t *testing.T) {
		b := b.with(t)
		card := `[data-testid="program-faults"][data-program="payment"]`
		b.do("arm a delay without saying how long", chromedp.Click(card+` [data-testid="arm-open"]`),
			choose(card+` [data-testid="arm-point"]`, "charge"), choose(card+` [data-testid="arm-action"]`, "delay"),
			fill(card+` [data-testid="arm-count"]`, "1"), chromedp.Click(card+` [data-testid="arm-submit"]`),
			chromedp.WaitVisible(card+` [data-testid="arm-error-delay"]`))
		b.do("arm it with 2s", fill(card+` [data-testid="arm-delay"]`, "2s"), chromedp.Click(card+` [data-testid="arm-submit"]`),
			chromedp.WaitVisible(card+` [data-testid="armed-fault"][data-point="charge"][data-action="delay"]`))
		b.do("see the banner on the catalogue", chromedp.Click(sel("brand")), chromedp.WaitVisible(sel("product-card")),
			chromedp.WaitVisible(sel("fault-banner-text")))
		if text := eval[string](b, `document.querySelector('[data-testid="fault-banner"]').textContent`); !strings.Contains(text, "payment charge delay 2s (1 left)") {
			t.Errorf("the banner reads %q", text)
		}
		b.shot("trainer-banner")
		b.do("clear it from the trainer page", chromedp.Click(sel("fault-banner-link")),
			chromedp.Click(card+` [data-testid="clear-fault"]`), chromedp.WaitVisible(card+` [data-testid="no-faults"]`),
			chromedp.Click(sel("brand")), chromedp.WaitVisible(sel("product-card")),
			chromedp.WaitNotPresent(`[data-testid="fault-banner"]:not([data-armed="0"])`))
		if !b.hidden(sel("fault-banner")) {
			t.Error("the banner stays after the fault was cleared")
		}
	})

	t.Run("slow motion", func(t *testing.T) {
		b := b.with(t)
		slowmo := sel("trainer-slowmo")
		b.do("turn slow motion on", chromedp.Navigate(b.base+"/#/trainer"),
			chromedp.WaitVisible(`[data-testid="trainer"][data-state="open"]`),
			chromedp.WaitVisible(slowmo+`[data-state="off"]`),
			chromedp.Click(sel("slowmo-on")), chromedp.WaitVisible(slowmo+`[data-state="on"]`))
		state := eval[string](b, `document.querySelector('[data-testid="slowmo-state"]').textContent`)
		// Every service consumes something (order its timeouts, payment the
		// cancellations); minirmq has other switches and is left alone.
		for _, svc := range contracts.Services() {
			if !strings.Contains(state, svc.Name+" holds each delivery 2s") {
				t.Errorf("the switch reads %q, want %s holding each delivery 2s", state, svc.Name)
			}
		}
		if strings.Contains(state, "minirmq") {
			t.Errorf("the switch reads %q: minirmq has no slow-motion point", state)
		}
		b.do("see it in the banner", chromedp.Click(sel("brand")), chromedp.WaitVisible(sel("product-card")),
			chromedp.WaitVisible(sel("fault-banner-text")))
		if text := eval[string](b, `document.querySelector('[data-testid="fault-banner"]').textContent`); !strings.Contains(text, "cart slow motion: each delivery held 2s") {
			t.Errorf("the banner reads %q", text)
		}
		b.do("turn it off", chromedp.Navigate(b.base+"/#/trainer"),
			chromedp.WaitVisible(slowmo+`[data-state="on"]`),
			chromedp.Click(sel("slowmo-off")), chromedp.WaitVisible(slowmo+`[data-state="off"]`),
			chromedp.Click(sel("brand")), chromedp.WaitVisible(sel("product-card")),
			chromedp.WaitNotPresent(`[data-testid="fault-banner"]:not([data-armed="0"])`))
	})

	t.Run("reset asks first", func(t *testing.T) {
		b := b.with(t)
		b.do("press Reset, then keep the data", chromedp.Navigate(b.base+"/#/trainer"),
			chromedp.WaitVisible(`[data-testid="trainer"][data-state="open"]`),
			chromedp.Click(sel("reset-shop")), chromedp.WaitVisible(sel("reset-confirm")),
			chromedp.Click(sel("reset-confirm-no")), chromedp.WaitNotVisible(sel("reset-confirm")))
		// Inventory seeds its catalogue at every start: once means no reset.
		log, err := os.ReadFile(filepath.Join(shop.LogDir, "inventory.log"))
		if err != nil {
			t.Fatal(err)
		}
		if n := strings.Count(string(log), "catalogue seeded"); n != 1 || shop.State("inventory") != launcher.Running || b.attr(sel("reset-result"), "data-outcome") != "" {
			t.Errorf("Reset acted before it was confirmed: inventory %s, seeded %d times", shop.State("inventory"), n)
		}
	})

	t.Run("phone", func(t *testing.T) {
		b := b.with(t)
		b.resize(390, 844, true)
		b.fitsWidth("the trainer page")
		b.screenshot("trainer-phone")
	})
}
