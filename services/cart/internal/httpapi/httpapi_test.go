package httpapi_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/cart/internal/cart"
	"github.com/rocketmart/rocketmart/services/cart/internal/httpapi"
	"github.com/rocketmart/rocketmart/services/platform/dbtest"
	"github.com/rocketmart/rocketmart/services/platform/httpserver"
)

func TestCartFlow(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		cat, inv := newCatalogue(t)
		a := newApp(t, db, inv.URL)

		empty := a.as(t, "alice", http.MethodGet, "/api/v1/cart", "").cart(t)
		if want := (httpapi.CartResponse{UserID: "alice", Lines: []httpapi.CartLine{}}); !reflect.DeepEqual(empty, want) {
			t.Errorf("empty cart = %+v, want %+v", empty, want)
		}
		if !strings.Contains(string(a.as(t, "alice", http.MethodGet, "/api/v1/cart", "").Body), `"lines":[]`) {
			t.Error(`an empty cart must serialise its lines as [] rather than null`)
		}

		a.as(t, "alice", http.MethodPost, "/api/v1/cart/items", addBody("RM-TEE", 1)).cart(t)
		a.as(t, "alice", http.MethodPost, "/api/v1/cart/items", addBody("RM-MUG", 3)).cart(t)
		got := a.as(t, "alice", http.MethodPost, "/api/v1/cart/items", addBody("RM-TEE", 1)).cart(t)
		want := httpapi.CartResponse{
			UserID: "alice",
			Lines: []httpapi.CartLine{
				{SKU: "RM-TEE", Name: "T-shirt", ImageURL: "/img/rm-tee.png", Quantity: 2, UnitPriceCents: 2999, LineTotalCents: 5998, Available: 12},
				{SKU: "RM-MUG", Name: "Mug", ImageURL: "/img/rm-mug.png", Quantity: 3, UnitPriceCents: 1250, LineTotalCents: 3750},
			},
			TotalCents: 9748,
			ItemCount:  5,
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("after adds:\n got %+v\nwant %+v", got, want)
		}

		// Prices come from inventory at view time, never from the add.
		cat.put("RM-TEE", "T-shirt", 2500, 11)
		before := cat.listCalls()
		got = a.as(t, "alice", http.MethodGet, "/api/v1/cart", "").cart(t)
		if got.Lines[0].UnitPriceCents != 2500 || got.TotalCents != 2*2500+3750 || got.Lines[0].Available != 11 {
			t.Errorf("after a price change: %+v, want the new price and stock", got)
		}
		if n := cat.listCalls() - before; n != 1 {
			t.Errorf("a view made %d list calls to inventory, want 1", n)
		}

		for range 2 { // PUT is naturally idempotent
			got = a.as(t, "alice", http.MethodPut, "/api/v1/cart/items/RM-MUG", `{"quantity":1}`).cart(t)
		}
		if got.Lines[1].Quantity != 1 || got.ItemCount != 3 {
			t.Errorf("after PUT quantity 1: %+v", got)
		}
		for range 2 { // DELETE of an absent line is 200
			got = a.as(t, "alice", http.MethodDelete, "/api/v1/cart/items/RM-TEE", "").cart(t)
		}
		if len(got.Lines) != 1 || got.Lines[0].SKU != "RM-MUG" || got.TotalCents != 1250 {
			t.Errorf("after DELETE RM-TEE: %+v", got)
		}
		got = a.as(t, "alice", http.MethodDelete, "/api/v1/cart", "").cart(t)
		if len(got.Lines) != 0 || got.TotalCents != 0 || got.UserID != "alice" {
			t.Errorf("after clear: %+v, want an empty cart", got)
		}
		a.wantLines(t, "alice", []cart.Line{})
	})
}

func TestDiscontinuedLineStaysVisibleAndRemovable(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		cat, inv := newCatalogue(t)
		cat.put("RM-OLD", "Old poster", 500, 3)
		a := newApp(t, db, inv.URL)
		a.as(t, "bob", http.MethodPost, "/api/v1/cart/items", addBody("RM-OLD", 2)).cart(t)
		a.as(t, "bob", http.MethodPost, "/api/v1/cart/items", addBody("RM-TEE", 1)).cart(t)
		cat.drop("RM-OLD")

		got := a.as(t, "bob", http.MethodGet, "/api/v1/cart", "").cart(t)
		wantOld := httpapi.CartLine{SKU: "RM-OLD", Quantity: 2, Discontinued: true}
		if len(got.Lines) != 2 || got.Lines[0] != wantOld || got.TotalCents != 2999 || got.ItemCount != 1 {
			t.Errorf("cart = %+v, want RM-OLD discontinued and left out of the totals", got)
		}
		// It can no longer be added or set, but it can be removed.
		a.as(t, "bob", http.MethodPost, "/api/v1/cart/items", addBody("RM-OLD", 1)).WantError(t, http.StatusNotFound, cart.CodeUnknownSKU)
		got = a.as(t, "bob", http.MethodDelete, "/api/v1/cart/items/RM-OLD", "").cart(t)
		if len(got.Lines) != 1 || got.Lines[0].SKU != "RM-TEE" {
			t.Errorf("after removing RM-OLD: %+v", got)
		}
	})
}

func TestIdempotencyKey(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		_, inv := newCatalogue(t)
		a := newApp(t, db, inv.URL)
		key := []string{httpapi.HeaderIdempotencyKey, "add-tee-1"}
		first := a.as(t, "alice", http.MethodPost, "/api/v1/cart/items", addBody("RM-TEE", 2), key...).cart(t)
		retry := a.as(t, "alice", http.MethodPost, "/api/v1/cart/items", addBody("RM-TEE", 2), key...).cart(t)
		if !reflect.DeepEqual(first, retry) || retry.Lines[0].Quantity != 2 {
			t.Errorf("retry answered %+v, want the first answer %+v", retry, first)
		}
		a.as(t, "alice", http.MethodPost, "/api/v1/cart/items", addBody("RM-TEE", 3), key...).
			WantError(t, http.StatusUnprocessableEntity, cart.CodeKeyReused)
		a.as(t, "alice", http.MethodPost, "/api/v1/cart/items", addBody("RM-MUG", 2), key...).
			WantError(t, http.StatusUnprocessableEntity, cart.CodeKeyReused)

		bad := []struct {
			name    string
			headers []string
		}{
			{"empty", []string{httpapi.HeaderIdempotencyKey, ""}},
			{"too long", []string{httpapi.HeaderIdempotencyKey, strings.Repeat("k", cart.MaxKeyLen+1)}},
			{"with a space", []string{httpapi.HeaderIdempotencyKey, "a b"}},
			{"sent twice", []string{httpapi.HeaderIdempotencyKey, "x", httpapi.HeaderIdempotencyKey, "y"}},
		}
		for _, tt := range bad {
			t.Run(tt.name, func(t *testing.T) {
				a.as(t, "alice", http.MethodPost, "/api/v1/cart/items", addBody("RM-TEE", 1), tt.headers...).
					WantError(t, http.StatusBadRequest, cart.CodeInvalidKey)
			})
		}
		a.wantLines(t, "alice", []cart.Line{{SKU: "RM-TEE", Quantity: 2}})
	})
}

func TestCartFull(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		cat, inv := newCatalogue(t)
		a := newApp(t, db, inv.URL)
		for i := range cart.MaxLines + 1 {
			cat.put(fmt.Sprintf("P-%02d", i), "Product", 100, 1)
		}
		for i := range cart.MaxLines {
			a.as(t, "carol", http.MethodPost, "/api/v1/cart/items", addBody(fmt.Sprintf("P-%02d", i), 1)).cart(t)
		}
		next := fmt.Sprintf("P-%02d", cart.MaxLines)
		a.as(t, "carol", http.MethodPost, "/api/v1/cart/items", addBody(next, 1)).WantError(t, http.StatusConflict, cart.CodeCartFull)
		a.as(t, "carol", http.MethodPut, "/api/v1/cart/items/"+next, `{"quantity":1}`).WantError(t, http.StatusConflict, cart.CodeCartFull)
		if n := len(a.lines(t, "carol")); n != cart.MaxLines {
			t.Errorf("carol has %d lines, want %d", n, cart.MaxLines)
		}
	})
}

func TestInventoryDown(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		gone := httptest.NewServer(http.NotFoundHandler())
		gone.Close() // nothing listens there any more
		a := newApp(t, db, gone.URL)
		if _, err := a.store.Add(t.Context(), "alice", cart.Line{SKU: "RM-TEE", Quantity: 2}, cart.IdempotencyKey{}); err != nil {
			t.Fatal(err)
		}
		want := []cart.Line{{SKU: "RM-TEE", Quantity: 2}}

		for _, r := range []struct{ method, path, body string }{
			{http.MethodGet, "/api/v1/cart", ""},
			{http.MethodPost, "/api/v1/cart/items", addBody("RM-TEE", 1)},
			{http.MethodPut, "/api/v1/cart/items/RM-TEE", `{"quantity":5}`},
			{http.MethodDelete, "/api/v1/cart/items/RM-TEE", ""},
		} {
			a.as(t, "alice", r.method, r.path, r.body).WantError(t, http.StatusServiceUnavailable, "DEPENDENCY_UNAVAILABLE")
			a.wantLines(t, "alice", want)
		}
		// Clearing and the admin view need no prices.
		if r := a.do(t, http.MethodGet, "/api/v1/admin/carts/alice", "", httpserver.HeaderAdminToken, adminToken); r.Status != http.StatusOK {
			t.Errorf("admin view with inventory down = %d %s, want 200", r.Status, r.Body)
		}
		a.as(t, "alice", http.MethodDelete, "/api/v1/cart", "").cart(t)
		a.wantLines(t, "alice", []cart.Line{})
	})
}

func TestUsersCannotSeeOrChangeEachOthersCarts(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		_, inv := newCatalogue(t)
		a := newApp(t, db, inv.URL)
		key := []string{httpapi.HeaderIdempotencyKey, "same-key"}
		a.as(t, "alice", http.MethodPost, "/api/v1/cart/items", addBody("RM-TEE", 2), key...).cart(t)
		aliceWants := []cart.Line{{SKU: "RM-TEE", Quantity: 2}}

		if got := a.as(t, "bob", http.MethodGet, "/api/v1/cart", "").cart(t); got.UserID != "bob" || len(got.Lines) != 0 {
			t.Errorf("bob sees %+v, want his own empty cart", got)
		}
		a.as(t, "bob", http.MethodDelete, "/api/v1/cart/items/RM-TEE", "").cart(t)
		a.as(t, "bob", http.MethodDelete, "/api/v1/cart", "").cart(t)
		a.as(t, "bob", http.MethodPut, "/api/v1/cart/items/RM-TEE", `{"quantity":7}`).cart(t)
		// Keys are per user: bob's add with alice's key is his own first add.
		a.as(t, "bob", http.MethodPost, "/api/v1/cart/items", addBody("RM-MUG", 1), key...).cart(t)

		a.wantLines(t, "alice", aliceWants)
		a.wantLines(t, "bob", []cart.Line{{SKU: "RM-TEE", Quantity: 7}, {SKU: "RM-MUG", Quantity: 1}})
	})
}

func TestAdminCart(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		cat, inv := newCatalogue(t)
		a := newApp(t, db, inv.URL)
		a.as(t, "alice", http.MethodPost, "/api/v1/cart/items", addBody("RM-MUG", 4)).cart(t)
		lists := cat.listCalls()

		r := a.do(t, http.MethodGet, "/api/v1/admin/carts/alice", "", httpserver.HeaderAdminToken, adminToken)
		if r.Status != http.StatusOK || string(r.Body) != `{"userId":"alice","lines":[{"sku":"RM-MUG","quantity":4}]}` {
			t.Errorf("admin cart = %d %s", r.Status, r.Body)
		}
		r = a.do(t, http.MethodGet, "/api/v1/admin/carts/bob", "", httpserver.HeaderAdminToken, adminToken)
		if r.Status != http.StatusOK || string(r.Body) != `{"userId":"bob","lines":[]}` {
			t.Errorf("admin cart of bob = %d %s", r.Status, r.Body)
		}
		if n := cat.listCalls() - lists; n != 0 {
			t.Errorf("the admin view called inventory %d times, want 0", n)
		}

		a.do(t, http.MethodGet, "/api/v1/admin/carts/alice", "").WantError(t, http.StatusUnauthorized, "ADMIN_TOKEN_REQUIRED")
		a.do(t, http.MethodGet, "/api/v1/admin/carts/alice", "", httpserver.HeaderAdminToken, "wrong").
			WantError(t, http.StatusForbidden, "INVALID_ADMIN_TOKEN")
		// A user header is no admin token.
		a.as(t, "alice", http.MethodGet, "/api/v1/admin/carts/alice", "").WantError(t, http.StatusUnauthorized, "ADMIN_TOKEN_REQUIRED")
		a.do(t, http.MethodGet, "/api/v1/admin/carts/mallory", "", httpserver.HeaderAdminToken, adminToken).
			WantError(t, http.StatusNotFound, "CART_NOT_FOUND")
	})
}
