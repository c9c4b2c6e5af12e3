package httpapi_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/logistics/internal/shipping"
	"github.com/rocketmart/rocketmart/services/platform/dbtest"
)

// keys returns the sorted keys of a JSON object.
func keys(t *testing.T, raw json.RawMessage) []string {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("not an object: %s", raw)
	}
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// The shipment JSON has exactly the documented fields, nested ones included.
func TestShipmentShape(t *testing.T) {
	a := newApp(t, dbtest.SQLite(t))
	a.seed(t, "RM-A1", "alice")
	r := a.as(t, "alice", "GET", "/api/v1/shipments/RM-A1")
	if r.Status != http.StatusOK {
		t.Fatalf("status %d: %s", r.Status, r.Body)
	}
	var s struct {
		Address json.RawMessage
		Lines   []json.RawMessage
		Events  []json.RawMessage
	}
	if err := json.Unmarshal(r.Body, &s); err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name string
		raw  json.RawMessage
		want []string
	}{
		{"shipment", r.Body, []string{"address", "carrier", "createdAt", "events", "lines", "orderNo", "paidAt", "status", "totalCents", "trackingNo", "updatedAt", "userId"}},
		{"address", s.Address, []string{"city", "country", "line1", "line2", "name", "phone", "postalCode"}},
		{"line", s.Lines[0], []string{"name", "quantity", "sku"}},
		{"event", s.Events[0], []string{"at", "note", "status"}},
	}
	for _, c := range checks {
		if got := keys(t, c.raw); !slices.Equal(got, c.want) {
			t.Errorf("%s keys = %v, want %v", c.name, got, c.want)
		}
	}
	got := r.shipment(t)
	if got.Status != "AWAITING_SHIPMENT" || got.TotalCents != 31998 || got.Lines[0].Quantity != 2 || got.Events[0].Status != "AWAITING_SHIPMENT" {
		t.Errorf("shipment = %+v", got)
	}
}

// A user lists and reads only their own shipments; another user's answers
// exactly like a missing one.
func TestUserRoutes(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		a := newApp(t, db)
		a.seed(t, "RM-A1", "alice")
		a.seed(t, "RM-B1", "bob")
		a.seed(t, "RM-A2", "alice")

		if got := a.as(t, "alice", "GET", "/api/v1/shipments").list(t); !slices.Equal(got, []string{"RM-A2", "RM-A1"}) {
			t.Errorf("alice's list = %v, want [RM-A2 RM-A1]", got)
		}
		if r := a.as(t, "carol", "GET", "/api/v1/shipments"); r.Status != http.StatusOK || string(r.Body) != `{"shipments":[]}` {
			t.Errorf("carol's list = %d %s, want 200 {\"shipments\":[]}", r.Status, r.Body)
		}
		if s := a.as(t, "bob", "GET", "/api/v1/shipments/RM-B1").shipment(t); s.UserID != "bob" {
			t.Errorf("bob's own shipment = %+v", s)
		}
		theirs := a.as(t, "bob", "GET", "/api/v1/shipments/RM-A1")
		theirs.WantError(t, http.StatusNotFound, shipping.CodeShipmentNotFound)
		missing := a.as(t, "bob", "GET", "/api/v1/shipments/RM-ZZ")
		missing.WantError(t, http.StatusNotFound, shipping.CodeShipmentNotFound)
		if strings.ReplaceAll(string(missing.Body), "RM-ZZ", "RM-A1") != string(theirs.Body) {
			t.Errorf("another user's shipment %s answers differently from a missing one %s", theirs.Body, missing.Body)
		}
	})
}

// Operators see every shipment, filter by order number, and read any one.
func TestAdminReads(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		a := newApp(t, db)
		a.seed(t, "RM-A1", "alice")
		a.seed(t, "RM-B1", "bob")
		if got := a.admin(t, "GET", "/api/v1/admin/shipments", "").list(t); !slices.Equal(got, []string{"RM-B1", "RM-A1"}) {
			t.Errorf("every shipment = %v", got)
		}
		if got := a.admin(t, "GET", "/api/v1/admin/shipments?orderNo=RM-A1", "").list(t); !slices.Equal(got, []string{"RM-A1"}) {
			t.Errorf("filtered = %v", got)
		}
		if got := a.admin(t, "GET", "/api/v1/admin/shipments?orderNo=RM-NONE", "").list(t); len(got) != 0 {
			t.Errorf("filter on an order without shipment = %v, want empty", got)
		}
		if s := a.admin(t, "GET", "/api/v1/admin/shipments/RM-B1", "").shipment(t); s.UserID != "bob" || len(s.Lines) != 1 {
			t.Errorf("admin get = %+v", s)
		}
		a.admin(t, "GET", "/api/v1/admin/shipments/RM-NONE", "").WantError(t, http.StatusNotFound, shipping.CodeShipmentNotFound)
	})
}

// Ship and deliver over HTTP, with every retry idempotent.
func TestTransitions(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		a := newApp(t, db)
		a.seed(t, "RM-1", "alice")
		a.seed(t, "RM-2", "bob")
		const ship1, deliver1 = "/api/v1/admin/shipments/RM-1/ship", "/api/v1/admin/shipments/RM-1/deliver"

		a.admin(t, "POST", deliver1, "").WantError(t, http.StatusConflict, shipping.CodeShipmentNotShipped)
		shipped := a.admin(t, "POST", ship1, "").shipment(t)
		if shipped.Status != "SHIPPED" || shipped.Carrier != "RocketPost" || !strings.HasPrefix(shipped.TrackingNo, "RP") || len(shipped.Events) != 2 {
			t.Errorf("shipped = %+v", shipped)
		}
		for _, body := range []string{"", "{}", "  \n", `{"trackingNo":"` + shipped.TrackingNo + `"}`} {
			if again := a.admin(t, "POST", ship1, body).shipment(t); again.TrackingNo != shipped.TrackingNo || len(again.Events) != 2 {
				t.Errorf("ship again with %q = %+v, want it unchanged", body, again)
			}
		}
		conflict := a.admin(t, "POST", ship1, `{"trackingNo":"OTHER-1"}`)
		conflict.WantError(t, http.StatusConflict, shipping.CodeAlreadyShipped)
		if !strings.Contains(string(conflict.Body), shipped.TrackingNo) {
			t.Errorf("conflict %s does not name the stored tracking number", conflict.Body)
		}
		delivered := a.admin(t, "POST", deliver1, "").shipment(t)
		again := a.admin(t, "POST", deliver1, "").shipment(t)
		if delivered.Status != "DELIVERED" || len(delivered.Events) != 3 || again.UpdatedAt != delivered.UpdatedAt || len(again.Events) != 3 {
			t.Errorf("delivered = %+v, again = %+v", delivered, again)
		}
		if s := a.as(t, "alice", "GET", "/api/v1/shipments/RM-1").shipment(t); s.Status != "DELIVERED" || s.Events[2].Status != "DELIVERED" {
			t.Errorf("alice sees %+v", s)
		}

		given := a.admin(t, "POST", "/api/v1/admin/shipments/RM-2/ship", `{"carrier":"Comet Express","trackingNo":"CE-0001"}`).shipment(t)
		if given.Carrier != "Comet Express" || given.TrackingNo != "CE-0001" {
			t.Errorf("ship with carrier and number = %+v", given)
		}
	})
}

// Five ship requests at once: all answer 200 with the same tracking number,
// and the shipment has one SHIPPED event.
func TestConcurrentShipRequests(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		a := newApp(t, db)
		a.seed(t, "RM-1", "alice")
		const n = 5
		got := make([]response, n)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				<-start
				got[i] = a.admin(t, "POST", "/api/v1/admin/shipments/RM-1/ship", "")
			})
		}
		close(start)
		wg.Wait()
		first := got[0].shipment(t).TrackingNo
		for i, r := range got {
			if s := r.shipment(t); s.Status != "SHIPPED" || s.TrackingNo != first {
				t.Errorf("request %d: %s %q, want SHIPPED %q", i, s.Status, s.TrackingNo, first)
			}
		}
		if n := a.trackingEvents(t, "RM-1", shipping.Shipped); n != 1 {
			t.Errorf("SHIPPED events = %d, want 1", n)
		}
	})
}
