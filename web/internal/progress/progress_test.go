package progress

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/platform/apperr"
	"github.com/rocketmart/rocketmart/services/platform/svcclient"
	"github.com/rocketmart/rocketmart/web/internal/shoptest"
)

const (
	no      = "RM20300101-AAAA"
	paidAt  = "2030-01-01T12:00:01Z"
	soldAt  = "2030-01-01T12:00:02Z"
	shipAt  = "2030-01-01T12:00:03Z"
	pointAt = "2030-01-01T12:00:04Z"
	cartAt  = "2030-01-01T12:00:05Z"
)

// newService points a Service at shop; broker=false disables broker views.
func newService(t testing.TB, shop *shoptest.Shop, broker bool) (*Service, *PayTracker) {
	t.Helper()
	c := Clients{Services: map[string]*svcclient.Client{}}
	for _, name := range contracts.ServiceNames() {
		token := shoptest.AdminToken
		if name == contracts.ServiceOrder {
			token = "" // read as the owner
		}
		c.Services[name] = svcclient.New(shop.URL(name), token, time.Second)
	}
	if broker {
		c.Broker = svcclient.New(shop.URL("broker"), "", time.Second)
	}
	pays := NewPayTracker()
	s, err := New(c, pays)
	if err != nil {
		t.Fatal(err)
	}
	s.now = func() time.Time { return time.Date(2030, 1, 1, 12, 0, 9, 0, time.UTC) }
	return s, pays
}

func get(t *testing.T, s *Service, user string) Document {
	t.Helper()
	doc, err := s.Get(context.Background(), user, no)
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	return doc
}

// states renders the four effect states in a fixed order for comparison.
func states(d Document) string {
	e := d.Effects
	return strings.Join([]string{e.StockSold.State, e.Shipment.State, e.Points.State, e.CartCleaned.State}, ",")
}

func TestNothingYet(t *testing.T) {
	shop := shoptest.New(t)
	shop.PutOrder(no, "alice", "PENDING_PAYMENT")
	shop.SetReservation(no, "RESERVED", "2030-01-01T12:00:00Z")
	s, _ := newService(t, shop, true)

	d := get(t, s, "alice")
	if got, want := states(d), "waiting,waiting,waiting,waiting"; got != want {
		t.Errorf("effects = %s, want %s", got, want)
	}
	if d.Payment.State != PaymentNone || d.Complete || d.Final {
		t.Errorf("payment %q complete %v final %v; want none, false, false", d.Payment.State, d.Complete, d.Final)
	}
	if d.Effects.StockSold.Reservation != "RESERVED" {
		t.Errorf("reservation = %q, want RESERVED", d.Effects.StockSold.Reservation)
	}
	var o map[string]any
	if err := json.Unmarshal(d.Order, &o); err != nil || o["orderNo"] != no || o["status"] != "PENDING_PAYMENT" {
		t.Errorf("order = %s (%v), want the order service's answer", d.Order, err)
	}
	if d.CheckedAt != "2030-01-01T12:00:09Z" {
		t.Errorf("checkedAt = %q", d.CheckedAt)
	}
}

func TestPartlyDone(t *testing.T) {
	shop := shoptest.New(t)
	shop.PutOrder(no, "alice", "PAID", [2]string{"PAID", paidAt})
	shop.SetReservation(no, "SOLD", soldAt)
	shop.PutShipment(no, shipAt)
	s, _ := newService(t, shop, true)

	d := get(t, s, "alice")
	if got, want := states(d), "done,done,waiting,waiting"; got != want {
		t.Fatalf("effects = %s, want %s", got, want)
	}
	if d.Effects.StockSold.At != soldAt || d.Effects.Shipment.At != shipAt || d.Effects.Shipment.TrackingNo != "RP"+no {
		t.Errorf("times/tracking = %+v %+v", d.Effects.StockSold, d.Effects.Shipment)
	}
	if d.Payment.State != PaymentPaid || d.Payment.At != paidAt {
		t.Errorf("payment = %+v, want paid at %s", d.Payment, paidAt)
	}
	if d.Complete || d.Final {
		t.Error("complete/final with two effects missing")
	}
	for _, c := range shop.Calls() {
		if c.Service == "payment" {
			t.Errorf("asked payment %s for a PAID order", c.Path)
		}
	}
}

func TestAllDone(t *testing.T) {
	shop := shoptest.New(t)
	shop.PutOrder(no, "alice", "PAID", [2]string{"PAID", paidAt})
	shop.SetReservation(no, "SOLD", soldAt)
	shop.PutShipment(no, shipAt)
	shop.AddLedger(no, 25, pointAt)
	shop.PutCheckout(no, cartAt)
	s, _ := newService(t, shop, true)

	d := get(t, s, "alice")
	if got, want := states(d), "done,done,done,done"; got != want {
		t.Fatalf("effects = %s, want %s", got, want)
	}
	if !d.Complete || !d.Final {
		t.Errorf("complete %v final %v, want both", d.Complete, d.Final)
	}
	if d.Effects.Points.Points != 25 || d.Effects.Points.At != pointAt {
		t.Errorf("points = %+v, want 25 at %s", d.Effects.Points, pointAt)
	}
	if r := d.Effects.CartCleaned.Removed; len(r) != 1 || r[0].SKU != "RM-MUG-STONE" || r[0].Quantity != 2 || d.Effects.CartCleaned.At != cartAt {
		t.Errorf("cartCleaned = %+v", d.Effects.CartCleaned)
	}
}

func TestCancelled(t *testing.T) {
	cases := []struct {
		name        string
		reservation string
		charge      string
		wantPayment string
		wantFinal   bool
	}{
		{"released, never charged", "RELEASED", "", PaymentCancelled, true},
		{"charge refunded", "RELEASED", "REFUNDED", PaymentRefunded, true},
		{"release not applied yet", "RESERVED", "", PaymentCancelled, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			shop := shoptest.New(t)
			shop.PutOrder(no, "alice", "CANCELLED", [2]string{"CANCELLED", paidAt})
			shop.SetReservation(no, tc.reservation, soldAt)
			if tc.charge != "" {
				shop.PutCharge(no, tc.charge, "2030-01-01T12:00:07Z")
			}
			s, _ := newService(t, shop, true)

			d := get(t, s, "alice")
			if got, want := states(d), "cancelled,cancelled,cancelled,cancelled"; got != want {
				t.Errorf("effects = %s, want %s", got, want)
			}
			if d.Payment.State != tc.wantPayment || d.Final != tc.wantFinal || d.Complete {
				t.Errorf("payment %q final %v complete %v; want %q, %v, false", d.Payment.State, d.Final, d.Complete, tc.wantPayment, tc.wantFinal)
			}
		})
	}
}

func TestDownstreamDownIsUnknown(t *testing.T) {
	shop := shoptest.New(t)
	shop.PutOrder(no, "alice", "PAID", [2]string{"PAID", paidAt})
	shop.SetReservation(no, "SOLD", soldAt)
	shop.AddLedger(no, 25, pointAt)
	shop.PutCheckout(no, cartAt)
	shop.Down("logistics")
	shop.Down("broker")
	s, _ := newService(t, shop, true)

	d := get(t, s, "alice")
	if got, want := states(d), "done,unknown,done,done"; got != want {
		t.Fatalf("effects = %s, want %s", got, want)
	}
	if r := d.Effects.Shipment.Reason; !strings.Contains(r, "logistics") || d.Effects.Shipment.Done {
		t.Errorf("shipment = %+v, want not done with a reason naming logistics", d.Effects.Shipment)
	}
	if d.Complete || d.Final {
		t.Error("complete/final while logistics is unknown")
	}
	if d.Payment.State != PaymentPaid || len(d.Payment.Notes) != 1 || !strings.Contains(d.Payment.Notes[0], "broker") {
		t.Errorf("payment = %+v, want paid with a note about the broker", d.Payment)
	}
}

func TestAnotherUsersOrderIsNotFound(t *testing.T) {
	shop := shoptest.New(t)
	shop.PutOrder(no, "alice", "PAID", [2]string{"PAID", paidAt})
	shop.PutShipment(no, shipAt)
	s, _ := newService(t, shop, true)

	_, err := s.Get(context.Background(), "bob", no)
	if apperr.KindOf(err) != apperr.NotFound {
		t.Fatalf("bob asking for alice's order: err = %v, want NotFound", err)
	}
	for _, c := range shop.Calls() {
		if c.Service != "order" {
			t.Errorf("asked %s %s before the order was found to be bob's", c.Service, c.Path)
		}
	}
}

func TestOrderServiceDown(t *testing.T) {
	shop := shoptest.New(t)
	shop.Down("order")
	s, _ := newService(t, shop, true)
	if _, err := s.Get(context.Background(), "alice", no); apperr.KindOf(err) != apperr.Unavailable {
		t.Fatalf("err = %v, want Unavailable", err)
	}
}

func TestHeadersAndPaths(t *testing.T) {
	shop := shoptest.New(t)
	shop.PutOrder(no, "alice", "PENDING_PAYMENT")
	s, _ := newService(t, shop, true)
	get(t, s, "alice")

	want := map[string]string{
		"order":     "/api/v1/orders/" + no,
		"inventory": "/api/v1/reservations/" + no,
		"logistics": "/api/v1/admin/shipments/" + no,
		"points":    "/api/v1/admin/points/ledger?orderNo=" + no,
		"cart":      "/api/v1/admin/checkouts/" + no,
		"payment":   "/api/v1/charges/" + no,
		"broker":    "/api/v1/transactions?state=pending",
	}
	for _, c := range shop.Calls() {
		path := c.Path
		if c.RawQuery != "" {
			path += "?" + c.RawQuery
		}
		if path != want[c.Service] {
			t.Errorf("%s: asked %s, want %s", c.Service, path, want[c.Service])
		}
		delete(want, c.Service)
		if c.Service == "order" && (c.UserID != "alice" || c.AdminToken != "") {
			t.Errorf("order asked with user %q token %q; want alice and no admin token", c.UserID, c.AdminToken)
		}
		if c.Service != "order" && c.Service != "broker" && c.AdminToken != shoptest.AdminToken {
			t.Errorf("%s asked without the admin token", c.Service)
		}
	}
	if len(want) != 0 {
		t.Errorf("never asked: %v", want)
	}
}

func TestNewRefusesAMissingService(t *testing.T) {
	shop := shoptest.New(t)
	c := Clients{Services: map[string]*svcclient.Client{}}
	for _, name := range contracts.ServiceNames() {
		c.Services[name] = svcclient.New(shop.URL(name), "", time.Second)
	}
	delete(c.Services, contracts.ServiceLogistics)
	if _, err := New(c, nil); err == nil || !strings.Contains(err.Error(), "logistics") {
		t.Fatalf("err = %v, want one naming the logistics service", err)
	}
}
