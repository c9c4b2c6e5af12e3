package contracts

import (
	"encoding/json"
	"errors"
	"strings"
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
		{"negative points", `{"eventId":"e","orderNo":"O1","userId":"u1","lines":[{"sku":"A","quantity":2,"unitPriceCents":1}],"totalCents":2,"pointsRedeemed":-1}`},
		{"points over the total", `{"eventId":"e","orderNo":"O1","userId":"u1","lines":[{"sku":"A","quantity":2,"unitPriceCents":1}],"totalCents":2,"pointsRedeemed":3}`},
	}
	for _, tt := range tests {
		var ev OrderPaid
		if err := Decode([]byte(tt.body), &ev); !errors.Is(err, ErrInvalidEvent) {
			t.Errorf("%s: err = %v, want ErrInvalidEvent", tt.name, err)
		}
	}
}

// The points part is additive: an event without it decodes as paid in
// full, one with it charges the rest.
func TestOrderPaidPointsPart(t *testing.T) {
	var plain, mixed OrderPaid
	line := `"eventId":"e","orderNo":"O1","userId":"u1","lines":[{"sku":"A","quantity":1,"unitPriceCents":1250}],"totalCents":1250`
	if err := Decode([]byte(`{`+line+`}`), &plain); err != nil || plain.PointsRedeemed != 0 || plain.ChargedCents() != 1250 {
		t.Errorf("without points: %+v, %v", plain, err)
	}
	if err := Decode([]byte(`{`+line+`,"pointsRedeemed":1250}`), &mixed); err != nil || mixed.ChargedCents() != 0 {
		t.Errorf("all points: charged %d, %v", mixed.ChargedCents(), err)
	}
	if body, _ := json.Marshal(plain); strings.Contains(string(body), "pointsRedeemed") {
		t.Errorf("an order without points carries the field: %s", body)
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

func TestDecodeAfterPaymentEvents(t *testing.T) {
	var sh ShipmentShipped
	if err := Decode([]byte(`{"eventId":"e","orderNo":"O","userId":"u","carrier":"RocketPost","trackingNo":"RP1"}`), &sh); err != nil {
		t.Errorf("valid shipped: %v", err)
	}
	var d ShipmentDelivered
	if err := Decode([]byte(`{"eventId":"e","orderNo":"O","userId":"u"}`), &d); err != nil {
		t.Errorf("valid delivered: %v", err)
	}
	var r OrderRefunded
	if err := Decode([]byte(`{"eventId":"e","orderNo":"O","userId":"u","lines":[{"sku":"A","quantity":1,"unitPriceCents":100}],"totalCents":100}`), &r); err != nil {
		t.Errorf("valid refunded: %v", err)
	}
	if r.ChargedCents() != 100 {
		t.Errorf("refunded without points: charged %d, want the total", r.ChargedCents())
	}
	var rp OrderRefunded
	if err := Decode([]byte(`{"eventId":"e","orderNo":"O","userId":"u","lines":[{"sku":"A","quantity":1,"unitPriceCents":100}],"totalCents":100,"pointsRedeemed":100}`), &rp); err != nil ||
		rp.ChargedCents() != 0 {
		t.Errorf("refunded, paid with points only: charged %d, %v", rp.ChargedCents(), err)
	}
	tests := []struct {
		name string
		ev   Event
		body string
	}{
		{"shipped without order", &ShipmentShipped{}, `{"eventId":"e","userId":"u"}`},
		{"delivered without event id", &ShipmentDelivered{}, `{"orderNo":"O","userId":"u"}`},
		{"refunded without lines", &OrderRefunded{}, `{"eventId":"e","orderNo":"O","userId":"u","totalCents":1}`},
		{"refunded with a negative total", &OrderRefunded{}, `{"eventId":"e","orderNo":"O","userId":"u","lines":[{"sku":"A","quantity":1,"unitPriceCents":1}],"totalCents":-1}`},
		{"refunded with negative points", &OrderRefunded{}, `{"eventId":"e","orderNo":"O","userId":"u","lines":[{"sku":"A","quantity":1,"unitPriceCents":1}],"totalCents":1,"pointsRedeemed":-1}`},
		{"refunded with points over the total", &OrderRefunded{}, `{"eventId":"e","orderNo":"O","userId":"u","lines":[{"sku":"A","quantity":1,"unitPriceCents":1}],"totalCents":1,"pointsRedeemed":2}`},
	}
	for _, tt := range tests {
		if err := Decode([]byte(tt.body), tt.ev); !errors.Is(err, ErrInvalidEvent) {
			t.Errorf("%s: err = %v, want ErrInvalidEvent", tt.name, err)
		}
	}
}
