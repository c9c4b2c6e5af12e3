package gateway

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/web/internal/shoptest"
	"github.com/rocketmart/rocketmart/web/internal/timeline"
)

const tlOrder = "RM20300101-TL01"

// timelineShop is a gateway in front of shoptest fakes holding alice's paid
// order tlOrder.
func timelineShop(t *testing.T, broker bool) (*harness, *shoptest.Shop) {
	t.Helper()
	shop := shoptest.New(t)
	services := map[string]string{}
	for _, name := range contracts.ServiceNames() {
		services[name] = shop.URL(name)
	}
	brokerURL := ""
	if broker {
		brokerURL = shop.URL(shoptest.Broker)
	}
	shop.PutOrder(tlOrder, "alice", "PAID",
		[2]string{"PENDING_PAYMENT", "2030-01-01T12:00:00Z"}, [2]string{"PAID", "2030-01-01T12:00:01.300Z"})
	return newHarness(t, services, brokerURL), shop
}

// entry is a journal entry of tlOrder at second 12:00:<at>.
func entry(at, actor, step string, more ...any) map[string]any {
	e := map[string]any{"at": "2030-01-01T12:00:" + at + "Z", "actor": actor, "step": step, "key": tlOrder}
	for i := 0; i+1 < len(more); i += 2 {
		e[more[i].(string)] = more[i+1]
	}
	return e
}

func getTimeline(t *testing.T, h *harness, r req) (int, timeline.Document, string) {
	t.Helper()
	resp, body := h.do(t, r)
	var doc timeline.Document
	if resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal([]byte(body), &doc); err != nil {
			t.Fatalf("%s: %v", body, err)
		}
		if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("Cache-Control %q, want no-store", cc)
		}
	}
	return resp.StatusCode, doc, body
}

func sourceStates(doc timeline.Document) map[string]string {
	out := map[string]string{}
	for _, s := range doc.Sources {
		out[s.Source] = s.State
	}
	return out
}

// Every source's entries and the order's status changes, merged by time;
// entries at the same instant in the sources' order (order, broker, the
// others); each source's state, the unreachable one included, in a 200.
func TestTimelineMergesSources(t *testing.T) {
	h, shop := timelineShop(t, true)
	shop.AddJournal("order",
		entry("00.500000", "order", "half-sent", "topic", "ORDER_PAID", "txId", "TX1"),
		entry("01.200000", "order", "local-transaction", "txId", "TX1", "outcome", "commit"),
		entry("01.400000", "order", "end-transaction", "txId", "TX1", "outcome", "commit"),
		map[string]any{"at": "2030-01-01T12:00:00.6Z", "actor": "order", "step": "half-sent", "key": "RM-SOMEONE-ELSE"})
	shop.AddJournal(shoptest.Broker,
		entry("00.500001", "broker", "half-stored", "txId", "TX1"),
		entry("01.400000", "broker", "end-transaction", "outcome", "commit"),
		entry("01.500000", "broker", "decided", "outcome", "commit"),
		entry("02.000000", "broker", "delivered", "group", "points-order-paid", "attempt", 1))
	shop.AddJournal("points", entry("02.000000", "points", "consumed", "group", "points-order-paid", "outcome", "processed"))
	shop.AddJournal("inventory", entry("01.900000", "", "consumed", "group", "inventory-order-paid", "outcome", "processed"))
	shop.AddJournal("payment") // a journal, nothing under this key
	shop.Down("cart")          // logistics has no journal: 404

	code, doc, body := getTimeline(t, h, req{path: "/api/timeline/" + tlOrder, cookie: h.signIn(t, "alice")})
	if code != http.StatusOK {
		t.Fatalf("%d %s", code, body)
	}
	var got []string
	for _, e := range doc.Entries {
		got = append(got, e.Actor+":"+e.Step)
	}
	want := []string{
		"order:status-changed", "order:half-sent", "broker:half-stored", "order:local-transaction",
		"order:status-changed", "order:end-transaction", "broker:end-transaction", "broker:decided",
		"inventory:consumed", "broker:delivered", "points:consumed",
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("entries\n got %v\nwant %v", got, want)
	}
	if doc.OrderNo != tlOrder || doc.Status != "PAID" || doc.CheckedAt == "" {
		t.Errorf("orderNo %q status %q checkedAt %q", doc.OrderNo, doc.Status, doc.CheckedAt)
	}
	if e := doc.Entries[4]; e.Detail != "PAID" || e.Outcome != "PAID" {
		t.Errorf("the PAID status entry is %+v", e)
	}
	if len(doc.Entries) != len(want) {
		t.FailNow()
	}
	if e := doc.Entries[9]; e.Group != "points-order-paid" || e.Attempt != 1 {
		t.Errorf("the delivery lost its fields: %+v", e)
	}
	wantStates := map[string]string{"order": "ok", "broker": "ok", "inventory": "ok", "payment": "ok", "points": "ok",
		"logistics": "no journal", "cart": "unreachable"}
	states := sourceStates(doc)
	for src, want := range wantStates {
		if states[src] != want {
			t.Errorf("source %s is %q, want %q", src, states[src], want)
		}
	}
	var order []string
	for _, s := range doc.Sources {
		order = append(order, s.Source)
		if s.State != "ok" && s.Detail == "" {
			t.Errorf("source %s is %s without a detail", s.Source, s.State)
		}
		if s.State == "ok" && s.Retention == "" {
			t.Errorf("source %s lost its retention", s.Source)
		}
	}
	if got, want := strings.Join(order, ","), "order,broker,inventory,payment,cart,logistics,points"; got != want {
		t.Errorf("sources in order %s, want %s", got, want)
	}

	for _, c := range shop.Calls() {
		switch {
		case c.Path == "/api/v1/orders/"+tlOrder:
			if c.UserID != "alice" || c.AdminToken != "" {
				t.Errorf("the order was read as %q with token %q: want as alice, without the token", c.UserID, c.AdminToken)
			}
		case c.Service == shoptest.Broker:
			if c.Path != "/api/v1/journal" || c.RawQuery != "key="+tlOrder || c.AdminToken != "" {
				t.Errorf("broker asked %s?%s (token %q)", c.Path, c.RawQuery, c.AdminToken)
			}
		default:
			if c.Path != "/api/v1/admin/journal" || c.RawQuery != "key="+tlOrder || c.AdminToken != shoptest.AdminToken || c.UserID != "" {
				t.Errorf("%s asked %s?%s as %q with token %q", c.Service, c.Path, c.RawQuery, c.UserID, c.AdminToken)
			}
		}
	}
}

// Without broker views (Apache RocketMQ) the broker is "not available on
// this broker"; services without journals (older versions) are "no
// journal", and the order's status changes still make a timeline.
func TestTimelineWithoutBrokerOrJournals(t *testing.T) {
	h, shop := timelineShop(t, false)
	code, doc, body := getTimeline(t, h, req{path: "/api/timeline/" + tlOrder, cookie: h.signIn(t, "alice")})
	if code != http.StatusOK {
		t.Fatalf("%d %s", code, body)
	}
	for src, state := range sourceStates(doc) {
		want := timeline.StateNoJournal
		if src == timeline.SourceBroker {
			want = timeline.StateNotAvailable
		}
		if state != want {
			t.Errorf("source %s is %q, want %q", src, state, want)
		}
	}
	if len(doc.Sources) != 7 {
		t.Errorf("%d sources, want 7: %+v", len(doc.Sources), doc.Sources)
	}
	if len(doc.Entries) != 2 || doc.Entries[1].Step != timeline.StepStatus || doc.Entries[1].Outcome != "PAID" {
		t.Errorf("entries %+v, want the two status changes", doc.Entries)
	}
	for _, c := range shop.Calls() {
		if c.Service == shoptest.Broker {
			t.Errorf("the broker was asked %s without a broker URL", c.Path)
		}
	}
}

// Someone else's order is the order service's 404 and no journal is read;
// no session is 401 before anything is asked.
func TestTimelineOwnership(t *testing.T) {
	h, shop := timelineShop(t, true)
	shop.AddJournal("order", entry("00.5", "order", "half-sent"))
	for _, tc := range []struct {
		name   string
		r      req
		status int
		code   string
	}{
		{"another user", req{path: "/api/timeline/" + tlOrder, cookie: h.signIn(t, "bob")}, http.StatusNotFound, contracts.CodeOrderNotFound},
		{"no such order", req{path: "/api/timeline/RM-NONE", cookie: h.signIn(t, "alice")}, http.StatusNotFound, contracts.CodeOrderNotFound},
		{"no session", req{path: "/api/timeline/" + tlOrder}, http.StatusUnauthorized, "SIGN_IN_REQUIRED"},
		{"a browser's admin token is not a session", req{path: "/api/timeline/" + tlOrder, header: map[string]string{"X-Admin-Token": shoptest.AdminToken}},
			http.StatusUnauthorized, "SIGN_IN_REQUIRED"},
		{"order number too long", req{path: "/api/timeline/" + strings.Repeat("X", 65), cookie: h.signIn(t, "alice")}, http.StatusBadRequest, "INVALID_ORDER_NO"},
	} {
		code, _, body := getTimeline(t, h, tc.r)
		if code != tc.status || errorCode(t, body) != tc.code {
			t.Errorf("%s: %d %s, want %d %s", tc.name, code, body, tc.status, tc.code)
		}
	}
	for _, c := range shop.Calls() {
		if strings.Contains(c.Path, "journal") {
			t.Errorf("%s's journal was read for a caller who may not see the order", c.Service)
		}
	}
}

// The admin variant: any order with the admin token, 401 without one and
// 403 with a wrong one (no source asked); an order the order service does
// not know is 404; an order service down is a 200 without a status.
func TestAdminTimeline(t *testing.T) {
	h, shop := timelineShop(t, true)
	shop.AddJournal(shoptest.Broker, entry("00.5", "broker", "half-stored"))
	path := "/api/admin/timeline/" + tlOrder
	for _, tc := range []struct {
		name   string
		header map[string]string
		status int
		code   string
	}{
		{"no token", nil, http.StatusUnauthorized, "ADMIN_TOKEN_REQUIRED"},
		{"wrong token", map[string]string{"X-Admin-Token": "guess"}, http.StatusForbidden, "INVALID_ADMIN_TOKEN"},
	} {
		code, _, body := getTimeline(t, h, req{path: path, header: tc.header, cookie: h.signIn(t, "alice")})
		if code != tc.status || errorCode(t, body) != tc.code {
			t.Errorf("%s: %d %s, want %d %s", tc.name, code, body, tc.status, tc.code)
		}
	}
	for _, p := range []string{"/api/admin/timeline", "/api/admin/timeline/", "/api/admin/journal"} {
		if resp, body := h.do(t, req{path: p, header: map[string]string{"X-Admin-Token": shoptest.AdminToken}}); resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d %s, want 404", p, resp.StatusCode, body)
		}
	}
	if n := len(shop.Calls()); n != 0 {
		t.Errorf("refused admin calls reached %d sources", n)
	}

	admin := map[string]string{"X-Admin-Token": shoptest.AdminToken}
	code, doc, body := getTimeline(t, h, req{path: path, header: admin}) // no session needed
	if code != http.StatusOK || doc.Status != "PAID" || len(doc.Entries) != 3 || doc.Entries[1].Actor != "broker" {
		t.Fatalf("admin: %d %s", code, body)
	}
	code, _, body = getTimeline(t, h, req{path: "/api/admin/timeline/RM-NONE", header: admin})
	if code != http.StatusNotFound || errorCode(t, body) != contracts.CodeOrderNotFound {
		t.Errorf("unknown order: %d %s, want 404", code, body)
	}

	shop.Down("order")
	code, doc, body = getTimeline(t, h, req{path: path, header: admin})
	if code != http.StatusOK || doc.Status != "" || sourceStates(doc)["order"] != timeline.StateUnreachable ||
		len(doc.Entries) != 1 || doc.Entries[0].Step != "half-stored" {
		t.Errorf("order service down: %d %s, want 200 with the broker's entry and order unreachable", code, body)
	}
	// A user's timeline cannot be shown without the owner check.
	resp, body := h.do(t, req{path: "/api/timeline/" + tlOrder, cookie: h.signIn(t, "alice")})
	if resp.StatusCode != http.StatusServiceUnavailable || errorCode(t, body) != "DEPENDENCY_UNAVAILABLE" {
		t.Errorf("user timeline with the order service down: %d %s, want 503", resp.StatusCode, body)
	}
}
