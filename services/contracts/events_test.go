package contracts

import (
	"encoding/json"
	"errors"
	"testing"
	"time"
)

func TestDecodeOrderPaid(t *testing.T) {
	good := OrderPaid{EventID: "e1", OrderNo: "O1", UserID: "u1", TotalCents: 2500,
		Lines: []OrderLine{{SKU: "A", Quantity: 2, UnitPriceCents: 1000}, {SKU: "B", Quantity: 1, UnitPriceCents: 500}}}
	body, _ := json.Marshal(good)
	var got OrderPaid
	if err := Decode(body, &got); err != nil {
		t.Fatal(err)
	}
	if got.OrderNo != "O1" || len(got.Lines) != 2 {
		t.Errorf("decoded %+v", got)
	}

	tests := []struct {
		name string
		body string
	}{
		{"not JSON", "{"},
		{"no event id", `{"orderNo":"O1","userId":"u1","lines":[{"sku":"A","quantity":1,"unitPriceCents":1}],"totalCents":1}`},
		{"no lines", `{"eventId":"e","orderNo":"O1","userId":"u1","totalCents":0}`},
		{"zero quantity", `{"eventId":"e","orderNo":"O1","userId":"u1","lines":[{"sku":"A","quantity":0,"unitPriceCents":1}],"totalCents":0}`},
		{"wrong total", `{"eventId":"e","orderNo":"O1","userId":"u1","lines":[{"sku":"A","quantity":2,"unitPriceCents":1}],"totalCents":1}`},
	}
	for _, tt := range tests {
		var ev OrderPaid
		if err := Decode([]byte(tt.body), &ev); !errors.Is(err, ErrInvalidEvent) {
			t.Errorf("%s: err = %v, want ErrInvalidEvent", tt.name, err)
		}
	}
}

func TestDecodeOtherEvents(t *testing.T) {
	var c OrderCancelled
	if err := Decode([]byte(`{"eventId":"e","orderNo":"O","userId":"u","lines":[{"sku":"A","quantity":1,"unitPriceCents":0}]}`), &c); err != nil {
		t.Errorf("valid cancel: %v", err)
	}
	var to OrderTimeout
	body, _ := json.Marshal(OrderTimeout{EventID: "e", OrderNo: "O", UserID: "u", Deadline: time.Now()})
	if err := Decode(body, &to); err != nil {
		t.Errorf("valid timeout: %v", err)
	}
	var noDeadline OrderTimeout
	if err := Decode([]byte(`{"eventId":"e","orderNo":"O","userId":"u"}`), &noDeadline); !errors.Is(err, ErrInvalidEvent) {
		t.Errorf("timeout without deadline: %v", err)
	}
}
