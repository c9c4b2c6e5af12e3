package shipping

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/platform/apperr"
	"github.com/rocketmart/rocketmart/services/platform/testkit"
	"github.com/rocketmart/rocketmart/services/platform/txmsg/txmsgtest"
)

func TestValidateOrderNo(t *testing.T) {
	tests := []struct {
		name    string
		orderNo string
		ok      bool
	}{
		{"order service shape", "RM20300101-K3QF9XZ2B7M4", true},
		{"one character", "a", true},
		{"64 characters", strings.Repeat("A", 64), true},
		{"empty", "", false},
		{"65 characters", strings.Repeat("A", 65), false},
		{"slash", "RM/1", false},
		{"space", "RM 1", false},
		{"dot", "RM.1", false},
		{"percent", "RM%201", false},
		{"NUL", "RM\x001", false},
		{"non-ASCII letter", "RMé1", false},
		{"SQL", "1' OR '1'='1", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateOrderNo(tt.orderNo)
			if tt.ok && err != nil {
				t.Errorf("ValidateOrderNo(%q) = %v, want nil", tt.orderNo, err)
			}
			if !tt.ok && (testkit.CodeOf(err) != CodeInvalidOrderNo || apperr.KindOf(err) != apperr.Invalid) {
				t.Errorf("ValidateOrderNo(%q) = %v, want Invalid %s", tt.orderNo, err, CodeInvalidOrderNo)
			}
		})
	}
}

func TestShipRequestValidate(t *testing.T) {
	tests := []struct {
		name string
		req  ShipRequest
		want string // code; "" = valid
	}{
		{"nothing given", ShipRequest{}, ""},
		{"both given", ShipRequest{Carrier: "Comet Express", TrackingNo: "CE-0001"}, ""},
		{"carrier with a dot", ShipRequest{Carrier: "Astro Co."}, ""},
		{"carrier of 32", ShipRequest{Carrier: strings.Repeat("c", 32)}, ""},
		{"carrier of 33", ShipRequest{Carrier: strings.Repeat("c", 33)}, CodeInvalidCarrier},
		{"carrier blank", ShipRequest{Carrier: "   "}, CodeInvalidCarrier},
		{"carrier with a leading space", ShipRequest{Carrier: " RocketPost"}, CodeInvalidCarrier},
		{"carrier starting with a dash", ShipRequest{Carrier: "-Post"}, CodeInvalidCarrier},
		{"carrier with markup", ShipRequest{Carrier: "<b>Post</b>"}, CodeInvalidCarrier},
		{"carrier with a newline", ShipRequest{Carrier: "Rocket\nPost"}, CodeInvalidCarrier},
		{"tracking number of 64", ShipRequest{TrackingNo: strings.Repeat("9", 64)}, ""},
		{"tracking number of 65", ShipRequest{TrackingNo: strings.Repeat("9", 65)}, CodeInvalidTrackingNo},
		{"tracking number with a space", ShipRequest{TrackingNo: "RP 1"}, CodeInvalidTrackingNo},
		{"tracking number with a slash", ShipRequest{TrackingNo: "RP/1"}, CodeInvalidTrackingNo},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := testkit.CodeOf(tt.req.validate()); got != tt.want {
				t.Errorf("validate(%+v) = %q, want %q", tt.req, got, tt.want)
			}
		})
	}
}

func TestValidateOrderPaid(t *testing.T) {
	good := func() contracts.OrderPaid {
		return contracts.OrderPaid{EventID: "ev-1", OrderNo: "RM-1", UserID: "alice", TotalCents: 200, PaidAt: time.Now(),
			Lines:   []contracts.OrderLine{{SKU: "RM-MUG", Name: "Mug", Quantity: 2, UnitPriceCents: 100}},
			Address: contracts.Address{Name: "A", Line1: "L", City: "C", PostalCode: "P", Country: "ZA"}}
	}
	long := strings.Repeat("x", MaxTextLen+1)
	tests := []struct {
		name string
		edit func(*contracts.OrderPaid)
		ok   bool
	}{
		{"valid", func(*contracts.OrderPaid) {}, true},
		{"address fields at the limit", func(e *contracts.OrderPaid) { e.Address.Line2 = long[1:] }, true},
		{"order number with a slash", func(e *contracts.OrderPaid) { e.OrderNo = "RM/1" }, false},
		{"order number too long", func(e *contracts.OrderPaid) { e.OrderNo = strings.Repeat("R", 65) }, false},
		{"event id too long", func(e *contracts.OrderPaid) { e.EventID = strings.Repeat("e", 129) }, false},
		{"user id too long", func(e *contracts.OrderPaid) { e.UserID = strings.Repeat("u", 65) }, false},
		{"sku too long", func(e *contracts.OrderPaid) { e.Lines[0].SKU = strings.Repeat("S", 65) }, false},
		{"name too long", func(e *contracts.OrderPaid) { e.Lines[0].Name = long }, false},
		{"too many lines", func(e *contracts.OrderPaid) {
			e.Lines = make([]contracts.OrderLine, MaxLines+1)
		}, false},
		{"address line too long", func(e *contracts.OrderPaid) { e.Address.Line1 = long }, false},
		{"phone too long", func(e *contracts.OrderPaid) { e.Address.Phone = long }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := good()
			tt.edit(&ev)
			err := validateOrderPaid(ev)
			if tt.ok && err != nil {
				t.Errorf("validateOrderPaid = %v, want nil", err)
			}
			if !tt.ok && (testkit.CodeOf(err) != CodeInvalidEvent || apperr.KindOf(err) != apperr.Invalid) {
				t.Errorf("validateOrderPaid = %v, want Invalid %s", err, CodeInvalidEvent)
			}
		})
	}
}

// Generated tracking numbers pass the API's own rule and differ.
func TestNewTrackingNo(t *testing.T) {
	shape := regexp.MustCompile(`^RP[A-Z2-7]{14}$`)
	seen := map[string]bool{}
	for range 1000 {
		n := newTrackingNo()
		if !shape.MatchString(n) || !isIdent(n, MaxTrackingNoLen) {
			t.Fatalf("tracking number %q has the wrong shape", n)
		}
		if seen[n] {
			t.Fatalf("tracking number %q generated twice", n)
		}
		seen[n] = true
	}
}

// A paid-at time MySQL cannot store is replaced by the creation time rather
// than failing the event for ever.
func TestCreateForPaidOrderFallsBackOnPaidAt(t *testing.T) {
	now := time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC)
	rec := &recordingStore{}
	svc := NewService(rec, Events{Shipped: &txmsgtest.Inline[contracts.ShipmentShipped]{}, Delivered: &txmsgtest.Inline[contracts.ShipmentDelivered]{}}, nil, func() time.Time { return now })
	ev := contracts.OrderPaid{EventID: "e", OrderNo: "RM-1", UserID: "alice", TotalCents: 100,
		Lines: []contracts.OrderLine{{SKU: "A", Quantity: 1, UnitPriceCents: 100}}}
	if _, err := svc.CreateForPaidOrder(t.Context(), "group", ev); err != nil {
		t.Fatal(err)
	}
	if !rec.created.PaidAt.Equal(now) {
		t.Errorf("paidAt = %v, want the creation time %v for a missing paidAt", rec.created.PaidAt, now)
	}
}
