package cart_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/rocketmart/rocketmart/services/cart/internal/cart"
	"github.com/rocketmart/rocketmart/services/platform/apperr"
)

func TestRemovePurchased(t *testing.T) {
	store := newStore()
	store.lines["alice"] = []cart.Line{{SKU: "A", Quantity: 5}, {SKU: "B", Quantity: 2}}
	svc := cart.NewService(store, newCatalog())

	_, err := svc.RemovePurchased(t.Context(), cart.Purchase{OrderNo: "RM-1", UserID: "alice", EventID: "ev-1",
		Lines: []cart.Line{{SKU: "A", Quantity: 1}, {SKU: "B", Quantity: 2}, {SKU: "A", Quantity: 3}}})
	if err != nil {
		t.Fatalf("RemovePurchased: %v", err)
	}
	if want := []cart.Line{{SKU: "A", Quantity: 4}, {SKU: "B", Quantity: 2}}; !reflect.DeepEqual(store.purchased, want) {
		t.Errorf("store got %+v, want repeated SKUs merged: %+v", store.purchased, want)
	}
	_, err = svc.RemovePurchased(t.Context(), cart.Purchase{OrderNo: "RM-1", UserID: "alice", EventID: "ev-1",
		Lines: []cart.Line{{SKU: "A", Quantity: 1}}})
	if !errors.Is(err, apperr.ErrAlreadyApplied) {
		t.Errorf("second RemovePurchased = %v, want ErrAlreadyApplied", err)
	}
}

func TestRemovePurchasedRejectsBadInput(t *testing.T) {
	one := []cart.Line{{SKU: "A", Quantity: 1}}
	tests := []struct {
		name    string
		orderNo string
		userID  string
		eventID string
		lines   []cart.Line
		code    string
	}{
		{"no user", "RM-1", "", "ev", one, "INVALID_USER_ID"},
		{"no event id", "RM-1", "alice", "", one, cart.CodeInvalidPurchase},
		{"event id too long", "RM-1", "alice", strings.Repeat("e", cart.MaxEventLen+1), one, cart.CodeInvalidPurchase},
		{"no order number", "", "alice", "ev", one, cart.CodeInvalidPurchase},
		{"order number too long", strings.Repeat("o", cart.MaxOrderLen+1), "alice", "ev", one, cart.CodeInvalidPurchase},
		{"no lines", "RM-1", "alice", "ev", nil, cart.CodeInvalidPurchase},
		{"zero quantity", "RM-1", "alice", "ev", []cart.Line{{SKU: "A", Quantity: 0}}, cart.CodeInvalidPurchase},
		{"negative quantity", "RM-1", "alice", "ev", []cart.Line{{SKU: "A", Quantity: -2}}, cart.CodeInvalidPurchase},
		{"no sku", "RM-1", "alice", "ev", []cart.Line{{Quantity: 1}}, cart.CodeInvalidPurchase},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := newStore()
			_, err := cart.NewService(store, newCatalog()).RemovePurchased(t.Context(),
				cart.Purchase{OrderNo: tt.orderNo, UserID: tt.userID, EventID: tt.eventID, Lines: tt.lines})
			wantErr(t, err, apperr.Invalid, tt.code)
			if n := store.writeCount(); n != 0 {
				t.Errorf("store writes = %d, want 0", n)
			}
		})
	}
}
