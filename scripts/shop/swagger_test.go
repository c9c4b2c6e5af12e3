package main_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	osexec "os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/rocketmart/rocketmart/services/platform/testkit"
)

// TestSwaggerThroughTheGateway opens the cart's Swagger UI through the
// gateway of the real shop on a phone-sized screen, as an API user does:
// the page links back to the shop and fits 390 px; the document has no
// X-User-ID and its 401 example is the gateway's SIGN_IN_REQUIRED; POST
// /session signs the browser in from the page; and the curl command the page
// shows for GET /cart/cart, once the session cookie is put into Authorize,
// answers the cart when pasted into a shell.
func TestSwaggerThroughTheGateway(t *testing.T) {
	if _, err := osexec.LookPath("curl"); err != nil {
		testkit.Unavailable(t, "no curl to paste the command into")
	}
	shop, _ := startShop(t, "sqlite")
	base := shop.URL["web"]

	// The document the page loads: what the gateway does, not the service.
	resp, err := http.Get(base + "/swagger/cart/doc.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		BasePath string                                `json:"basePath"`
		Paths    map[string]map[string]json.RawMessage `json:"paths"`
	}
	err = json.NewDecoder(resp.Body).Decode(&doc)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	if doc.BasePath != "/api" || doc.Paths["/cart/cart"]["get"] == nil || doc.Paths["/session"]["post"] == nil {
		t.Fatalf("the gateway's cart document: basePath %q, paths %v", doc.BasePath, keysOf(doc.Paths))
	}
	for path, ops := range doc.Paths {
		for method, op := range ops {
			if strings.Contains(strings.ToLower(string(op)), `"name":"x-user-id"`) {
				t.Errorf("%s %s still takes X-User-ID: %s", method, path, op)
			}
		}
	}

	// The cookie a curl user gets from the sign-in (curl -si … /api/session).
	cookie := signInCookie(t, base, "alice")

	b := newBrowser(t, base)
	b.resize(390, 844, true)
	b.do("open the API docs page", chromedp.Navigate(base+"/docs"), chromedp.WaitVisible(sel("swagger-cart")))
	b.fitsWidth("/docs")
	b.onScreen("the docs page's link back to the shop", sel("docs-back-to-shop"))
	b.shot("docs-390")
	b.do("open the cart's Swagger UI", chromedp.Click(sel("swagger-cart")),
		chromedp.WaitVisible(`.swagger-ui .opblock-summary-path[data-path="/cart/cart"]`))
	b.onScreen("the link back to the shop", sel("swagger-back-to-shop"))
	if href := b.attr(sel("swagger-back-to-shop"), "href"); href != "/#/" {
		t.Errorf("back to the shop links to %q", href)
	}
	b.fitsWidth("the cart's Swagger UI")
	if size := eval[float64](b, `parseFloat(getComputedStyle(document.querySelector('.swagger-ui .opblock-summary-path')).fontSize)`); size < 13 {
		t.Errorf("operation paths are %.0f px on a phone", size)
	}
	b.shot("swagger-cart-390")

	// Sign the browser in from the page itself: POST /session, Try it out.
	session := `.opblock.opblock-post:has(.opblock-summary-path[data-path="/session"])`
	b.do("sign in with POST /session",
		chromedp.Click(session+` .opblock-summary-control`), chromedp.WaitVisible(session+` .try-out__btn`),
		chromedp.Click(session+` .try-out__btn`), chromedp.WaitVisible(session+` .execute`),
		chromedp.Click(session+` .execute`),
		chromedp.WaitVisible(session+` .live-responses-table tbody .response-col_status`))
	if got := eval[string](b, `document.querySelector('`+session+` .live-responses-table tbody .response-col_status').textContent.trim()`); got != "200" {
		t.Fatalf("POST /session from the page answered %q", got)
	}

	// Authorize with the cookie, then GET /cart/cart: Try it out, Execute.
	b.do("authorize with the session cookie",
		chromedp.Click(`.swagger-ui .auth-wrapper .authorize`), chromedp.WaitVisible(`.auth-container input[type=text]`),
		chromedp.SendKeys(`.auth-container input[type=text]`, cookie),
		chromedp.Click(`.auth-container .auth-btn-wrapper .authorize`), chromedp.WaitVisible(`.auth-container .auth-btn-wrapper .btn-done, .auth-container .auth-btn-wrapper .logout`),
		chromedp.Click(`.dialog-ux .close-modal`))
	cart := `.opblock.opblock-get:has(.opblock-summary-path[data-path="/cart/cart"])`
	b.do("open GET /cart/cart", chromedp.Click(cart+` .opblock-summary-control`), chromedp.WaitVisible(cart+` .try-out__btn`))
	example := eval[string](b, `document.querySelector('`+cart+` tr.response[data-code="401"]').textContent`)
	if !strings.Contains(example, "SIGN_IN_REQUIRED") || strings.Contains(example, "OUT_OF_STOCK") || strings.Contains(example, "X-User-ID") {
		t.Errorf("the 401 response of GET /cart/cart shows: %s", example)
	}
	b.do("execute GET /cart/cart",
		chromedp.Click(cart+` .try-out__btn`), chromedp.WaitVisible(cart+` .execute`), chromedp.Click(cart+` .execute`),
		chromedp.WaitVisible(cart+` .curl-command .curl`), chromedp.WaitVisible(cart+` .live-responses-table tbody .response-col_status`))
	if got := eval[string](b, `document.querySelector('`+cart+` .live-responses-table tbody .response-col_status').textContent.trim()`); got != "200" {
		t.Errorf("GET /cart/cart from the page answered %q", got)
	}
	shown := eval[string](b, `document.querySelector('`+cart+` .curl-command .curl').textContent`)
	b.do("scroll to the curl shown", chromedp.ScrollIntoView(cart+` .curl-command`))
	b.shot("swagger-cart-390-curl")
	if !strings.Contains(shown, base+"/api/cart/cart") || !strings.Contains(shown, cookie) || strings.Contains(strings.ToLower(shown), "x-user-id") {
		t.Fatalf("the curl shown: %s", shown)
	}

	// Paste it into a shell.
	out, err := runShown(shown)
	if err != nil {
		t.Fatalf("the curl shown failed: %v\n%s\n%s", err, shown, out)
	}
	var got struct {
		UserID string            `json:"userId"`
		Lines  []json.RawMessage `json:"lines"`
		Error  json.RawMessage   `json:"error"`
	}
	if err := json.Unmarshal(out, &got); err != nil || got.UserID != "alice" || got.Error != nil || got.Lines == nil {
		t.Errorf("the curl shown answered %s (%v), want alice's cart", out, err)
	}

	// Without the cookie the same command is the gateway's 401, which the
	// page's example promised.
	bare := strings.ReplaceAll(shown, "-H 'Cookie: "+cookie+"'", "")
	if out, err := runShown(bare); err != nil || !strings.Contains(string(out), `"SIGN_IN_REQUIRED"`) {
		t.Errorf("the curl without the cookie answered %s (%v), want SIGN_IN_REQUIRED", out, err)
	}
}

// runShown runs a command as a shell runs what is pasted into it, and
// returns what it prints on stdout.
func runShown(command string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return osexec.CommandContext(ctx, "sh", "-c", command).Output()
}

// signInCookie signs user in at the gateway and returns "rm_session=…", as
// the Set-Cookie header of the answer gives it.
func signInCookie(t *testing.T, base, user string) string {
	t.Helper()
	resp, err := http.Post(base+"/api/session", "application/json", strings.NewReader(fmt.Sprintf(`{"userId":%q}`, user)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	for _, c := range resp.Cookies() {
		if c.Name == "rm_session" {
			return c.Name + "=" + c.Value
		}
	}
	t.Fatalf("sign-in answered %d without an rm_session cookie", resp.StatusCode)
	return ""
}

func keysOf[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
