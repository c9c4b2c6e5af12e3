package inventory_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/rocketmart/rocketmart/services/inventory/internal/inventory"
	"github.com/rocketmart/rocketmart/services/platform/apperr"
)

var t0 = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

func fixedClock() time.Time { return t0 }

func TestReserveRejectsBadInputWithoutTouchingTheStore(t *testing.T) {
	valid := func() inventory.ReserveRequest {
		return inventory.ReserveRequest{OrderNo: "RM-1", ExpiresAt: t0.Add(time.Hour),
			Lines: []inventory.LineRequest{{SKU: "A", Quantity: 1}, {SKU: "B", Quantity: 2}}}
	}
	tests := []struct {
		name      string
		edit      func(r *inventory.ReserveRequest)
		wantCode  string
		wantField string
	}{
		{"missing order number", func(r *inventory.ReserveRequest) { r.OrderNo = "" }, "VALIDATION", "orderNo"},
		{"order number with a space", func(r *inventory.ReserveRequest) { r.OrderNo = "RM 1" }, "VALIDATION", "orderNo"},
		{"order number with a slash", func(r *inventory.ReserveRequest) { r.OrderNo = "RM/1" }, "VALIDATION", "orderNo"},
		{"order number with unicode", func(r *inventory.ReserveRequest) { r.OrderNo = "RMé1" }, "VALIDATION", "orderNo"},
		{"order number of 65 characters", func(r *inventory.ReserveRequest) { r.OrderNo = strings.Repeat("a", 65) }, "VALIDATION", "orderNo"},
		{"no lines", func(r *inventory.ReserveRequest) { r.Lines = nil }, "VALIDATION", "lines"},
		{"too many lines", func(r *inventory.ReserveRequest) {
			r.Lines = nil
			for i := range inventory.MaxLines + 1 {
				r.Lines = append(r.Lines, inventory.LineRequest{SKU: strings.Repeat("x", i+1), Quantity: 1})
			}
		}, "VALIDATION", "lines"},
		{"empty SKU", func(r *inventory.ReserveRequest) { r.Lines[1].SKU = "" }, "VALIDATION", "lines[1].sku"},
		{"SKU too long", func(r *inventory.ReserveRequest) { r.Lines[0].SKU = strings.Repeat("S", 65) }, "VALIDATION", "lines[0].sku"},
		{"zero quantity", func(r *inventory.ReserveRequest) { r.Lines[0].Quantity = 0 }, "VALIDATION", "lines[0].quantity"},
		{"negative quantity", func(r *inventory.ReserveRequest) { r.Lines[1].Quantity = -3 }, "VALIDATION", "lines[1].quantity"},
		{"quantity over 1000", func(r *inventory.ReserveRequest) { r.Lines[0].Quantity = 1001 }, "VALIDATION", "lines[0].quantity"},
		{"duplicate SKU", func(r *inventory.ReserveRequest) { r.Lines[1].SKU = "A" }, "DUPLICATE_SKU", "lines[1].sku"},
		{"missing expiry", func(r *inventory.ReserveRequest) { r.ExpiresAt = time.Time{} }, "VALIDATION", "expiresAt"},
		{"expiry now", func(r *inventory.ReserveRequest) { r.ExpiresAt = t0 }, "VALIDATION", "expiresAt"},
		{"expiry in the past", func(r *inventory.ReserveRequest) { r.ExpiresAt = t0.Add(-time.Second) }, "VALIDATION", "expiresAt"},
		{"expiry too far ahead", func(r *inventory.ReserveRequest) { r.ExpiresAt = t0.Add(inventory.MaxExpiry + time.Second) }, "VALIDATION", "expiresAt"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := &fakeStore{}
			svc := inventory.NewService(st, &fakeOrders{}, nil, fixedClock)
			req := valid()
			tt.edit(&req)
			_, _, err := svc.Reserve(context.Background(), req)
			e, ok := apperr.As(err)
			if !ok || e.Kind != apperr.Invalid {
				t.Fatalf("err = %v, want an Invalid error", err)
			}
			if got, want := e.Code, tt.wantCode; got != want {
				t.Errorf("code = %q, want %q", got, want)
			}
			if got, want := e.Details["field"], tt.wantField; got != want {
				t.Errorf("field = %v, want %q", got, want)
			}
			if st.calls != 0 {
				t.Errorf("store called %d times for bad input", st.calls)
			}
		})
	}
}

func TestReserveReplayMatchesLinesIgnoringOrderAndExpiry(t *testing.T) {
	existing := inventory.Reservation{OrderNo: "RM-1", Status: inventory.Reserved, ExpiresAt: t0.Add(time.Minute),
		Lines: []inventory.Line{{SKU: "A", Quantity: 1, Name: "a", UnitPriceCents: 100}, {SKU: "B", Quantity: 2}}}
	tests := []struct {
		name      string
		lines     []inventory.LineRequest
		wantMatch bool
	}{
		{"same lines", []inventory.LineRequest{{SKU: "A", Quantity: 1}, {SKU: "B", Quantity: 2}}, true},
		{"same lines in another order", []inventory.LineRequest{{SKU: "B", Quantity: 2}, {SKU: "A", Quantity: 1}}, true},
		{"other quantity", []inventory.LineRequest{{SKU: "A", Quantity: 1}, {SKU: "B", Quantity: 3}}, false},
		{"a line less", []inventory.LineRequest{{SKU: "A", Quantity: 1}}, false},
		{"a line more", []inventory.LineRequest{{SKU: "A", Quantity: 1}, {SKU: "B", Quantity: 2}, {SKU: "C", Quantity: 1}}, false},
		{"other SKU", []inventory.LineRequest{{SKU: "A", Quantity: 1}, {SKU: "C", Quantity: 2}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc := inventory.NewService(&fakeStore{reserved: existing}, &fakeOrders{}, nil, fixedClock)
			got, created, err := svc.Reserve(context.Background(), inventory.ReserveRequest{
				OrderNo: "RM-1", Lines: tt.lines, ExpiresAt: t0.Add(time.Hour)})
			if !tt.wantMatch {
				if e, ok := apperr.As(err); !ok || e.Code != "RESERVATION_MISMATCH" || e.Kind != apperr.Conflict {
					t.Fatalf("err = %v, want RESERVATION_MISMATCH", err)
				}
				return
			}
			if err != nil || created {
				t.Fatalf("replay: created %v, err %v; want the existing reservation", created, err)
			}
			if got.OrderNo != "RM-1" || len(got.Lines) != 2 || got.Lines[0].UnitPriceCents != 100 {
				t.Errorf("replay answered %+v, want the stored reservation", got)
			}
		})
	}
}

func TestReserveNormalisesTimes(t *testing.T) {
	clock := func() time.Time { return time.Date(2030, 1, 2, 4, 4, 5, 123456789, time.FixedZone("X", 3600)) }
	svc := inventory.NewService(&fakeStore{created: true}, &fakeOrders{}, nil, clock)
	exp := time.Date(2030, 1, 2, 5, 0, 0, 987654321, time.FixedZone("Y", -7200))
	got, created, err := svc.Reserve(context.Background(), inventory.ReserveRequest{OrderNo: "RM-1", ExpiresAt: exp,
		Lines: []inventory.LineRequest{{SKU: "A", Quantity: 1}}})
	if err != nil || !created {
		t.Fatalf("created %v, err %v", created, err)
	}
	if got, want := got.CreatedAt, time.Date(2030, 1, 2, 3, 4, 5, 123000000, time.UTC); !got.Equal(want) || got.Location() != time.UTC {
		t.Errorf("createdAt = %v, want %v in UTC at millisecond precision", got, want)
	}
	if got, want := got.ExpiresAt, time.Date(2030, 1, 2, 7, 0, 0, 987000000, time.UTC); !got.Equal(want) || got.Location() != time.UTC {
		t.Errorf("expiresAt = %v, want %v", got, want)
	}
	if got.Status != inventory.Reserved {
		t.Errorf("status = %s, want RESERVED", got.Status)
	}
}

func TestReleaseAndSellOutcomes(t *testing.T) {
	res := func(s inventory.Status) inventory.Reservation { return inventory.Reservation{OrderNo: "X", Status: s} }
	tests := []struct {
		name     string
		sell     bool
		tr       inventory.Transition
		wantCode string // "" means success
	}{
		{"release reserved", false, inventory.Transition{Found: true, Changed: true, Reservation: res(inventory.Released)}, ""},
		{"release released again", false, inventory.Transition{Found: true, Reservation: res(inventory.Released)}, ""},
		{"release sold", false, inventory.Transition{Found: true, Reservation: res(inventory.Sold)}, "RESERVATION_SOLD"},
		{"release unknown", false, inventory.Transition{}, "RESERVATION_NOT_FOUND"},
		{"sell reserved", true, inventory.Transition{Found: true, Changed: true, Reservation: res(inventory.Sold)}, ""},
		{"sell sold again", true, inventory.Transition{Found: true, Reservation: res(inventory.Sold)}, ""},
		{"sell released", true, inventory.Transition{Found: true, Reservation: res(inventory.Released)}, "RESERVATION_RELEASED"},
		{"sell unknown", true, inventory.Transition{}, "RESERVATION_NOT_FOUND"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc := inventory.NewService(&fakeStore{transitions: map[string]inventory.Transition{"X": tt.tr}}, &fakeOrders{}, nil, fixedClock)
			var err error
			if tt.sell {
				_, err = svc.Sell(context.Background(), "X")
			} else {
				_, err = svc.Release(context.Background(), "X")
			}
			gotCode := ""
			if err != nil {
				e, ok := apperr.As(err)
				if !ok {
					t.Fatalf("err = %v, want an apperr", err)
				}
				gotCode = e.Code
			}
			if gotCode != tt.wantCode {
				t.Errorf("code = %q, want %q", gotCode, tt.wantCode)
			}
		})
	}
}

func TestReleaseCancelledAcceptsEveryState(t *testing.T) {
	for name, tr := range map[string]inventory.Transition{
		"absent":           {},
		"released now":     {Found: true, Changed: true, Reservation: inventory.Reservation{Status: inventory.Released}},
		"already released": {Found: true, Reservation: inventory.Reservation{Status: inventory.Released}},
		"sold":             {Found: true, Reservation: inventory.Reservation{Status: inventory.Sold}},
	} {
		svc := inventory.NewService(&fakeStore{transitions: map[string]inventory.Transition{"X": tr}}, &fakeOrders{}, nil, fixedClock)
		if err := svc.ReleaseCancelled(context.Background(), "group", "event", "X"); err != nil {
			t.Errorf("%s: err = %v, want nil (acknowledge)", name, err)
		}
	}
}

func TestCatalogue(t *testing.T) {
	products := inventory.Catalogue()
	if len(products) < 12 {
		t.Fatalf("catalogue has %d products, want at least 12", len(products))
	}
	seen := map[string]bool{}
	small := 0
	for _, p := range products {
		switch {
		case seen[p.Product.SKU]:
			t.Errorf("SKU %s appears twice", p.Product.SKU)
		case p.Product.Name == "" || p.Product.Description == "" || p.Product.PriceCents <= 0:
			t.Errorf("%s lacks a name, description or price", p.Product.SKU)
		case p.InitialStock <= 0 || p.InitialStock > 200:
			t.Errorf("%s starts with %d units, want 1..200", p.Product.SKU, p.InitialStock)
		case len(p.Product.SKU) > 32:
			t.Errorf("%s is longer than the 32 characters the store keeps", p.Product.SKU)
		}
		seen[p.Product.SKU] = true
		if p.InitialStock <= 5 {
			small++
		}
	}
	if small == 0 {
		t.Error("no product with small stock for the oversell demo")
	}
}
