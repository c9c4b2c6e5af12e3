// Package shoptest fakes the read side of RocketMart's services and the
// broker's admin API for the gateway's tests: the same paths, headers and
// JSON shapes as the real services, backed by maps the test fills in. Each
// service is its own httptest server, so a test can take one down.
package shoptest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/platform/apperr"
)

// Broker names the fake of minirmq's admin API; the other fakes are named
// after the services of contracts' table.
const Broker = "broker"

// AdminToken is the token the fakes expect on admin routes.
const AdminToken = "test-admin-token"

// Call is one request a fake received.
type Call struct {
	Service, Method, Path, RawQuery string
	UserID, AdminToken              string
}

// Shop is the fake services.
type Shop struct {
	mu           sync.Mutex
	orders       map[string]Order
	reservations map[string]map[string]any
	shipments    map[string]map[string]any
	ledger       map[string][]map[string]any
	checkouts    map[string]map[string]any
	charges      map[string]map[string]any
	halves       []map[string]any
	journals     map[string][]map[string]any // by service (or Broker); a service without one answers 404
	calls        []Call
	servers      map[string]*httptest.Server
}

// Order is an order as the order service returns it, plus its owner.
type Order struct {
	Owner string
	Body  map[string]any
}

// New starts every fake; they stop when the test ends.
func New(t testing.TB) *Shop {
	s := &Shop{
		orders: map[string]Order{}, reservations: map[string]map[string]any{},
		shipments: map[string]map[string]any{}, ledger: map[string][]map[string]any{},
		checkouts: map[string]map[string]any{}, charges: map[string]map[string]any{},
		journals: map[string][]map[string]any{},
		servers:  map[string]*httptest.Server{},
	}
	for _, name := range append(contracts.ServiceNames(), Broker) {
		srv := httptest.NewServer(s.handler(name))
		s.servers[name] = srv
		t.Cleanup(srv.Close)
	}
	return s
}

// URL is the base URL of a fake service.
func (s *Shop) URL(service string) string { return s.servers[service].URL }

// Down stops a fake: calls to it are refused from now on.
func (s *Shop) Down(service string) { s.servers[service].Close() }

// PutOrder stores an order owned by owner with the given status; history
// lists (to, at) pairs.
func (s *Shop) PutOrder(no, owner, status string, history ...[2]string) {
	h := []map[string]any{}
	for _, e := range history {
		h = append(h, map[string]any{"to": e[0], "at": e[1]})
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.orders[no] = Order{Owner: owner, Body: map[string]any{
		"orderNo": no, "userId": owner, "status": status, "totalCents": 2598, "history": h,
		"lines": []map[string]any{{"sku": "RM-MUG-STONE", "quantity": 2, "unitPriceCents": 1299}},
	}}
}

// SetReservation stores inventory's reservation of an order.
func (s *Shop) SetReservation(no, status, updatedAt string) {
	s.put(s.reservations, no, map[string]any{"orderNo": no, "status": status, "updatedAt": updatedAt})
}

// PutShipment stores logistics' shipment of an order.
func (s *Shop) PutShipment(no, createdAt string) {
	s.put(s.shipments, no, map[string]any{"orderNo": no, "status": "AWAITING_SHIPMENT", "carrier": "RocketPost",
		"trackingNo": "RP" + no, "createdAt": createdAt, "updatedAt": createdAt, "events": []any{}})
}

// SetOrderField sets one field of a stored order's answer (e.g.
// pointsApplied, chargedCents).
func (s *Shop) SetOrderField(no, field string, v any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.orders[no].Body[field] = v
}

// MoveShipment sets the status of a stored shipment and adds its tracking
// events, given as (status, at) pairs.
func (s *Shop) MoveShipment(no, status string, events ...[2]string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sh := s.shipments[no]
	sh["status"] = status
	list, _ := sh["events"].([]any)
	for _, e := range events {
		list = append(list, map[string]any{"status": e[0], "at": e[1]})
		sh["updatedAt"] = e[1]
	}
	sh["events"] = list
}

// AddLedger appends an ORDER_PAID points ledger entry for an order.
func (s *Shop) AddLedger(no string, points int64, createdAt string) {
	s.AddLedgerEntry(no, "ORDER_PAID", points, createdAt)
}

// AddLedgerEntry appends a points ledger entry with any reason.
func (s *Shop) AddLedgerEntry(no, reason string, points int64, createdAt string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ledger[no] = append(s.ledger[no], map[string]any{"orderNo": no, "points": points, "reason": reason, "createdAt": createdAt})
}

// PutCheckout stores the cart consumer's record of an order.
func (s *Shop) PutCheckout(no, at string) {
	s.put(s.checkouts, no, map[string]any{"orderNo": no, "at": at,
		"removed": []map[string]any{{"sku": "RM-MUG-STONE", "quantity": 2}}})
}

// PutCharge stores payment's charge of an order.
func (s *Shop) PutCharge(no, status, refundedAt string) {
	s.put(s.charges, no, map[string]any{"orderNo": no, "status": status, "amountCents": 2598, "refundedAt": refundedAt})
}

// AddHalf adds a pending half message to the broker.
func (s *Shop) AddHalf(topic, keys string, checkCount int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.halves = append(s.halves, map[string]any{"transactionId": "TX-" + keys, "topic": topic, "keys": keys,
		"state": "pending", "checkCount": checkCount, "bornTime": "2030-01-01T12:00:00Z"})
}

// AddJournal gives service (or Broker) a journal, as the timeline contract
// describes it, and appends entries to it (fields as in the contract; "key"
// selects the entries GET …journal?key= answers). A fake without a journal
// answers 404 for it, as services older than the contract do.
func (s *Shop) AddJournal(service string, entries ...map[string]any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.journals[service] = append(s.journals[service], entries...)
	if s.journals[service] == nil {
		s.journals[service] = []map[string]any{}
	}
}

// Calls returns the requests received so far.
func (s *Shop) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

func (s *Shop) put(m map[string]map[string]any, key string, v map[string]any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m[key] = v
}

func (s *Shop) handler(service string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.calls = append(s.calls, Call{Service: service, Method: r.Method, Path: r.URL.Path, RawQuery: r.URL.RawQuery,
			UserID: r.Header.Get("X-User-ID"), AdminToken: r.Header.Get("X-Admin-Token")})
		if service == "order" && !strings.HasPrefix(r.URL.Path, "/api/v1/admin/") {
			s.order(w, r)
			return
		}
		if r.Header.Get("X-Admin-Token") != AdminToken && service != Broker {
			writeError(w, http.StatusUnauthorized, apperr.CodeAdminTokenRequired)
			return
		}
		var body any
		found := false
		switch {
		case service == contracts.ServiceInventory && strings.HasPrefix(r.URL.Path, "/api/v1/reservations/"):
			body, found = lookup(s.reservations, strings.TrimPrefix(r.URL.Path, "/api/v1/reservations/"))
		case service == "logistics" && strings.HasPrefix(r.URL.Path, "/api/v1/admin/shipments/"):
			body, found = lookup(s.shipments, strings.TrimPrefix(r.URL.Path, "/api/v1/admin/shipments/"))
		case service == "cart" && strings.HasPrefix(r.URL.Path, "/api/v1/admin/checkouts/"):
			body, found = lookup(s.checkouts, strings.TrimPrefix(r.URL.Path, "/api/v1/admin/checkouts/"))
		case service == "payment" && strings.HasPrefix(r.URL.Path, "/api/v1/charges/"):
			body, found = lookup(s.charges, strings.TrimPrefix(r.URL.Path, "/api/v1/charges/"))
		case service == "points" && r.URL.Path == "/api/v1/admin/points/ledger":
			entries := append([]map[string]any{}, s.ledger[r.URL.Query().Get("orderNo")]...)
			body, found = map[string]any{"entries": entries}, true
		case service == Broker && r.URL.Path == "/api/v1/transactions" && r.URL.Query().Get("state") == "pending":
			body, found = map[string]any{"transactions": append([]map[string]any{}, s.halves...)}, true
		case service == "order" && strings.HasPrefix(r.URL.Path, "/api/v1/admin/orders/"):
			o, ok := s.orders[strings.TrimPrefix(r.URL.Path, "/api/v1/admin/orders/")]
			if !ok {
				writeError(w, http.StatusNotFound, contracts.CodeOrderNotFound)
				return
			}
			body, found = o.Body, true
		case r.URL.Path == "/api/v1/admin/journal" && service != Broker, r.URL.Path == "/api/v1/journal" && service == Broker:
			body, found = s.journal(service, r.URL.Query().Get("key"))
		}
		if !found {
			writeError(w, http.StatusNotFound, apperr.CodeNotFound)
			return
		}
		writeJSON(w, http.StatusOK, body)
	})
}

// order answers GET /api/v1/orders/{no} for its owner only, like the real
// service: another user's order is 404.
func (s *Shop) order(w http.ResponseWriter, r *http.Request) {
	no, ok := strings.CutPrefix(r.URL.Path, "/api/v1/orders/")
	user := r.Header.Get("X-User-ID")
	if user == "" {
		writeError(w, http.StatusUnauthorized, apperr.CodeUserRequired)
		return
	}
	o, found := s.orders[no]
	if !ok || !found || o.Owner != user {
		writeError(w, http.StatusNotFound, contracts.CodeOrderNotFound)
		return
	}
	writeJSON(w, http.StatusOK, o.Body)
}

// journal answers a journal's entries for key, as the timeline contract
// shapes them; not found when the service has no journal at all.
func (s *Shop) journal(service, key string) (any, bool) {
	all, ok := s.journals[service]
	if !ok {
		return nil, false
	}
	entries := []map[string]any{}
	for _, e := range all {
		if e["key"] == key {
			entries = append(entries, e)
		}
	}
	return map[string]any{"entries": entries, "retention": "24h, at most 100000 entries"}, true
}

func lookup(m map[string]map[string]any, key string) (any, bool) {
	v, ok := m[key]
	return v, ok
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v) // a test fake: the client sees a cut body if this fails
}

func writeError(w http.ResponseWriter, status int, code string) {
	writeJSON(w, status, map[string]any{"error": map[string]any{"code": code, "message": strings.ToLower(code)}})
}
