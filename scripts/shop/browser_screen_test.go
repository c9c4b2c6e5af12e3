package main_test

// What the window shows: sizes, whether an element is on screen and
// reachable by a tap, sideways scrolling, and screenshots of the window.

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/chromedp/chromedp"
)

// resize makes the tab a screen of w×h CSS pixels; a phone also reports a
// mobile device with touch, as a real one does.
func (b *browser) resize(w, h int64, phone bool) {
	b.t.Helper()
	opts := []chromedp.EmulateViewportOption{}
	if phone {
		opts = append(opts, chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait)
	}
	b.do(fmt.Sprintf("resize to %dx%d", w, h), chromedp.EmulateViewport(w, h, opts...))
}

// waitFor polls a JavaScript condition until it holds, for up to within.
func (b *browser) waitFor(what, cond string, within time.Duration) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, within)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](cond, chromedp.WithPollingTimeout(within))); err != nil {
		b.t.Fatalf("wait for %s (%s): %v", what, cond, err)
	}
}

// onScreen checks that the element sel is inside the window and is what a
// tap at its centre reaches (not covered by something else).
func (b *browser) onScreen(what, sel string) {
	b.t.Helper()
	problem := eval[string](b, fmt.Sprintf(`(() => {
		const el = document.querySelector(%q);
		if (!el) return 'missing';
		const r = el.getBoundingClientRect();
		if (r.width === 0 || r.height === 0) return 'not displayed';
		if (r.top < 0 || r.left < 0 || r.bottom > innerHeight || r.right > innerWidth)
			return 'outside the window: ' + JSON.stringify(r) + ' in ' + innerWidth + 'x' + innerHeight;
		// Messages let clicks through (pointer-events: none), which hit
		// testing skips: make el hit-testable for the check.
		const saved = el.style.pointerEvents;
		el.style.pointerEvents = 'auto';
		const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
		el.style.pointerEvents = saved;
		return hit && (hit === el || el.contains(hit)) ? '' : 'covered by ' + (hit ? hit.outerHTML.slice(0, 120) : 'nothing');
	})()`, sel))
	if problem != "" {
		b.t.Errorf("%s is not on screen: %s", what, problem)
	}
}

// fitsWidth checks that the page needs no sideways scrolling.
func (b *browser) fitsWidth(page string) {
	b.t.Helper()
	if !eval[bool](b, `document.documentElement.scrollWidth <= window.innerWidth`) {
		b.t.Errorf("%s scrolls sideways at %v px", page, eval[float64](b, `window.innerWidth`))
	}
}

// shot saves what the window shows now (not the whole page) as <name>.png.
func (b *browser) shot(name string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		b.t.Errorf("screenshot %s: %v", name, err)
		return
	}
	path := filepath.Join(b.dir, name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Errorf("screenshot %s: %v", name, err)
		return
	}
	b.t.Logf("screenshot: %s", path)
}

// hidden tells whether the element sel is absent or not displayed.
func (b *browser) hidden(sel string) bool {
	b.t.Helper()
	return eval[bool](b, fmt.Sprintf(`(() => { const e = document.querySelector(%q); return !e || e.getClientRects().length === 0; })()`, sel))
}

// checkCartGeometry: on every cart line the total overlaps none of the
// controls, and a tap at the centre of Update reaches Update.
func (b *browser) checkCartGeometry() {
	b.t.Helper()
	problems := eval[[]string](b, `(() => {
		const out = [];
		const overlap = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
		for (const line of document.querySelectorAll('[data-testid="cart-line"]')) {
			const box = (id) => line.querySelector('[data-testid="' + id + '"]').getBoundingClientRect();
			const total = box('line-total');
			for (const id of ['line-update', 'line-quantity', 'line-remove']) {
				if (overlap(total, box(id))) out.push(line.dataset.sku + ': line-total overlaps ' + id);
			}
			const u = line.querySelector('[data-testid="line-update"]');
			u.scrollIntoView({ block: 'center' });
			const r = u.getBoundingClientRect();
			const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
			if (hit !== u) out.push(line.dataset.sku + ': a tap on Update reaches ' + (hit ? hit.outerHTML.slice(0, 80) : 'nothing'));
			if (r.height < 32) out.push(line.dataset.sku + ': Update is only ' + r.height + ' px tall');
		}
		return out;
	})()`)
	for _, p := range problems {
		b.t.Error(p)
	}
}
