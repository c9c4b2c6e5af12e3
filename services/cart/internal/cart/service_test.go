package cart_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/rocketmart/rocketmart/services/cart/internal/cart"
	"github.com/rocketmart/rocketmart/services/platform/apperr"
)

var (
	tee = cart.Product{SKU: "RM-TEE", Name: "T-shirt", PriceCents: 1000, ImageURL: "/tee.png", Available: 7}
	mug = cart.Product{SKU: "RM-MUG", Name: "Mug", PriceCents: 250, ImageURL: "/mug.png", Available: 0}
)

func ptr(s string) *string { return &s }

// wantErr fails unless err is an apperr with the given kind and code.
func wantErr(t *testing.T, err error, kind apperr.Kind, code string) {
	t.Helper()
	e, ok := apperr.As(err)
	if !ok {
		t.Fatalf("error = %v, want %v %s", err, kind, code)
	}
	if e.Kind != kind || e.Code != code {
		t.Errorf("error = %v %s (%v), want %v %s", e.Kind, e.Code, err, kind, code)
	}
}

func TestViewPricesWithOneCatalogueCall(t *testing.T) {
	store, catalog := newStore(), newCatalog(tee, mug)
	store.lines["alice"] = []cart.Line{{SKU: "RM-TEE", Quantity: 2}, {SKU: "GONE", Quantity: 3}, {SKU: "RM-MUG", Quantity: 1}}
	svc := cart.NewService(store, catalog)

	got, err := svc.View(t.Context(), "alice")
	if err != nil {
		t.Fatalf("View: %v", err)
	}
	want := cart.View{
		UserID: "alice",
		Lines: []cart.ViewLine{
			{SKU: "RM-TEE", Name: "T-shirt", ImageURL: "/tee.png", Quantity: 2, UnitPriceCents: 1000, LineTotalCents: 2000, Available: 7},
			{SKU: "GONE", Quantity: 3, Discontinued: true},
			{SKU: "RM-MUG", Name: "Mug", ImageURL: "/mug.png", Quantity: 1, UnitPriceCents: 250, LineTotalCents: 250},
		},
		TotalCents: 2250,
		ItemCount:  3,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("View =\n%+v\nwant\n%+v", got, want)
	}
	if catalog.lists != 1 || catalog.gets != 0 {
		t.Errorf("catalogue calls: %d lists, %d gets; want 1 list only", catalog.lists, catalog.gets)
	}
}

func TestViewEmptyCartNeedsNoInventory(t *testing.T) {
	catalog := newCatalog(tee)
	catalog.down = true
	got, err := cart.NewService(newStore(), catalog).View(t.Context(), "bob")
	if err != nil {
		t.Fatalf("View: %v", err)
	}
	if got.UserID != "bob" || len(got.Lines) != 0 || got.Lines == nil || got.TotalCents != 0 {
		t.Errorf("View = %+v, want bob's empty cart with a non-nil empty line list", got)
	}
	if n := catalog.calls(); n != 0 {
		t.Errorf("catalogue calls = %d, want 0", n)
	}
}

func TestViewInventoryDown(t *testing.T) {
	store, catalog := newStore(), newCatalog(tee)
	store.lines["alice"] = []cart.Line{{SKU: "RM-TEE", Quantity: 1}}
	catalog.down = true
	_, err := cart.NewService(store, catalog).View(t.Context(), "alice")
	wantErr(t, err, apperr.Unavailable, "DEPENDENCY_UNAVAILABLE")
}

func TestAddRejectsBadInputBeforeAnyCall(t *testing.T) {
	tests := []struct {
		name string
		line cart.Line
		key  *string
		kind apperr.Kind
		code string
	}{
		{"empty sku", cart.Line{SKU: "", Quantity: 1}, nil, apperr.Invalid, cart.CodeInvalidSKU},
		{"sku too long", cart.Line{SKU: strings.Repeat("A", cart.MaxSKULen+1), Quantity: 1}, nil, apperr.Invalid, cart.CodeInvalidSKU},
		{"sku with space", cart.Line{SKU: "RM TEE", Quantity: 1}, nil, apperr.Invalid, cart.CodeInvalidSKU},
		{"sku with slash", cart.Line{SKU: "RM/TEE", Quantity: 1}, nil, apperr.Invalid, cart.CodeInvalidSKU},
		{"sku with newline", cart.Line{SKU: "RM-TEE\n", Quantity: 1}, nil, apperr.Invalid, cart.CodeInvalidSKU},
		{"sku not ASCII", cart.Line{SKU: "RM-TÉE", Quantity: 1}, nil, apperr.Invalid, cart.CodeInvalidSKU},
		{"zero quantity", cart.Line{SKU: "RM-TEE", Quantity: 0}, nil, apperr.Invalid, cart.CodeInvalidQuantity},
		{"negative quantity", cart.Line{SKU: "RM-TEE", Quantity: -1}, nil, apperr.Invalid, cart.CodeInvalidQuantity},
		{"quantity 100", cart.Line{SKU: "RM-TEE", Quantity: 100}, nil, apperr.Invalid, cart.CodeQuantityTooLarge},
		{"huge quantity", cart.Line{SKU: "RM-TEE", Quantity: 1_000_000_000}, nil, apperr.Invalid, cart.CodeQuantityTooLarge},
		{"empty key", cart.Line{SKU: "RM-TEE", Quantity: 1}, ptr(""), apperr.Invalid, cart.CodeInvalidKey},
		{"key too long", cart.Line{SKU: "RM-TEE", Quantity: 1}, ptr(strings.Repeat("k", cart.MaxKeyLen+1)), apperr.Invalid, cart.CodeInvalidKey},
		{"key with space", cart.Line{SKU: "RM-TEE", Quantity: 1}, ptr("two words"), apperr.Invalid, cart.CodeInvalidKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store, catalog := newStore(), newCatalog(tee)
			_, err := cart.NewService(store, catalog).Add(t.Context(), "alice", tt.line, tt.key)
			wantErr(t, err, tt.kind, tt.code)
			if n := catalog.calls(); n != 0 {
				t.Errorf("catalogue calls = %d, want 0 for bad input", n)
			}
			if n := store.writeCount(); n != 0 {
				t.Errorf("store writes = %d, want 0 for bad input", n)
			}
		})
	}
}

func TestAddLongestValidInput(t *testing.T) {
	long := cart.Product{SKU: strings.Repeat("S", cart.MaxSKULen), PriceCents: 1}
	store := newStore()
	_, err := cart.NewService(store, newCatalog(long)).
		Add(t.Context(), "alice", cart.Line{SKU: long.SKU, Quantity: cart.MaxQuantity}, ptr(strings.Repeat("k", cart.MaxKeyLen)))
	if err != nil {
		t.Fatalf("Add with the longest SKU and key and the largest quantity: %v", err)
	}
}

func TestAddCatalogueFailuresChangeNothing(t *testing.T) {
	tests := []struct {
		name string
		down bool
		sku  string
		kind apperr.Kind
		code string
	}{
		{"unknown sku", false, "NOPE", apperr.NotFound, cart.CodeUnknownSKU},
		{"inventory down", true, "RM-TEE", apperr.Unavailable, "DEPENDENCY_UNAVAILABLE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store, catalog := newStore(), newCatalog(tee)
			catalog.down = tt.down
			svc := cart.NewService(store, catalog)
			_, err := svc.Add(t.Context(), "alice", cart.Line{SKU: tt.sku, Quantity: 1}, nil)
			wantErr(t, err, tt.kind, tt.code)
			_, err = svc.SetQuantity(t.Context(), "alice", cart.Line{SKU: tt.sku, Quantity: 1})
			wantErr(t, err, tt.kind, tt.code)
			if n := store.writeCount(); n != 0 {
				t.Errorf("store writes = %d, want 0", n)
			}
		})
	}
}

func TestAddStoresTheCataloguesSpelling(t *testing.T) {
	store := newStore()
	got, err := cart.NewService(store, newCatalog(tee)).Add(t.Context(), "alice", cart.Line{SKU: "rm-tee", Quantity: 2}, nil)
	if err != nil {
		t.Fatalf("Add: %v", err)
	}
	if want := []cart.Line{{SKU: "RM-TEE", Quantity: 2}}; !reflect.DeepEqual(store.lines["alice"], want) {
		t.Errorf("stored %+v, want %+v", store.lines["alice"], want)
	}
	if got.TotalCents != 2000 || got.ItemCount != 2 {
		t.Errorf("View totals = %d cents, %d items; want 2000, 2", got.TotalCents, got.ItemCount)
	}
}

func TestAddIdempotencyKey(t *testing.T) {
	store := newStore()
	svc := cart.NewService(store, newCatalog(tee, mug))
	add := func(sku string, qty int, key string) error {
		_, err := svc.Add(t.Context(), "alice", cart.Line{SKU: sku, Quantity: qty}, ptr(key))
		return err
	}
	if err := add("RM-TEE", 2, "k1"); err != nil {
		t.Fatalf("first add: %v", err)
	}
	first := store.lastKey
	if err := add("RM-TEE", 2, "k1"); err != nil {
		t.Fatalf("retried add: %v", err)
	}
	if store.lastKey != first {
		t.Errorf("retry sent key %+v, want the same as the first %+v", store.lastKey, first)
	}
	if want := []cart.Line{{SKU: "RM-TEE", Quantity: 2}}; !reflect.DeepEqual(store.lines["alice"], want) {
		t.Errorf("lines after a retry = %+v, want %+v (applied once)", store.lines["alice"], want)
	}
	for _, other := range []struct {
		sku string
		qty int
	}{{"RM-TEE", 3}, {"RM-MUG", 2}} {
		wantErr(t, add(other.sku, other.qty, "k1"), apperr.Unprocessable, cart.CodeKeyReused)
	}
}

func TestSetQuantity(t *testing.T) {
	store := newStore()
	svc := cart.NewService(store, newCatalog(tee))
	for range 2 { // naturally idempotent
		if _, err := svc.SetQuantity(t.Context(), "alice", cart.Line{SKU: "RM-TEE", Quantity: 5}); err != nil {
			t.Fatalf("SetQuantity: %v", err)
		}
	}
	if want := []cart.Line{{SKU: "RM-TEE", Quantity: 5}}; !reflect.DeepEqual(store.lines["alice"], want) {
		t.Errorf("lines = %+v, want %+v", store.lines["alice"], want)
	}
	for _, tt := range []struct {
		qty  int
		code string
	}{{0, cart.CodeInvalidQuantity}, {-3, cart.CodeInvalidQuantity}, {100, cart.CodeQuantityTooLarge}} {
		_, err := svc.SetQuantity(t.Context(), "alice", cart.Line{SKU: "RM-TEE", Quantity: tt.qty})
		wantErr(t, err, apperr.Invalid, tt.code)
	}
}

func TestRemoveAndClear(t *testing.T) {
	store, catalog := newStore(), newCatalog(tee, mug)
	store.lines["alice"] = []cart.Line{{SKU: "RM-TEE", Quantity: 1}, {SKU: "RM-MUG", Quantity: 2}}
	svc := cart.NewService(store, catalog)

	for range 2 { // removing an absent line is fine
		v, err := svc.Remove(t.Context(), "alice", "RM-TEE")
		if err != nil {
			t.Fatalf("Remove: %v", err)
		}
		if len(v.Lines) != 1 || v.Lines[0].SKU != "RM-MUG" || v.TotalCents != 500 {
			t.Errorf("after Remove: %+v, want only the mugs (500 cents)", v)
		}
	}

	catalog.down = true
	writes := store.writeCount()
	_, err := svc.Remove(t.Context(), "alice", "RM-MUG")
	wantErr(t, err, apperr.Unavailable, "DEPENDENCY_UNAVAILABLE")
	if store.writeCount() != writes || len(store.lines["alice"]) != 1 {
		t.Errorf("a remove with inventory down changed the cart: %+v", store.lines["alice"])
	}

	// Clearing needs no prices, so it works with inventory down.
	v, err := svc.Clear(t.Context(), "alice")
	if err != nil {
		t.Fatalf("Clear: %v", err)
	}
	if v.UserID != "alice" || v.Lines == nil || len(v.Lines) != 0 || len(store.lines["alice"]) != 0 {
		t.Errorf("after Clear: view %+v, stored %+v; want both empty", v, store.lines["alice"])
	}
}

func TestLinesValidatesUserID(t *testing.T) {
	svc := cart.NewService(newStore(), newCatalog())
	for _, id := range []string{"", strings.Repeat("u", cart.MaxUserIDLen+1), "a b"} {
		_, err := svc.Lines(t.Context(), id)
		wantErr(t, err, apperr.Invalid, "INVALID_USER_ID")
	}
}
