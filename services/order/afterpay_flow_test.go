package main

import (
	"bufio"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/minirmq"
)

// TestAfterPaymentFlows runs SPEC §2.6 end to end over the whole shop
// (order, inventory, payment, cart, logistics and points as real programs
// on real minirmq), on SQLite and (with TEST_MYSQL_DSN) on MariaDB/MySQL:
// delivery completes the order, and a refund or return reaches every
// service once.
func TestAfterPaymentFlows(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the whole shop; run without -short")
	}
	for _, flavour := range []string{"sqlite", "mysql"} {
		t.Run(flavour, func(t *testing.T) {
			// Points gives up on a failing delivery after 2 redeliveries,
			// so the dead-letter scenario does not wait out 16.
			w := startShop(t, flavour, map[string]map[string]string{"points": {"POINTS_MAX_RECONSUME": "2"}})
			for _, tc := range []struct {
				name string
				fn   func(w *world)
			}{
				{"ship and deliver complete the order", deliverCompletes},
				{"hostile refund and return requests change nothing", hostileRefunds},
				{"refund before shipping, every consumer given the event twice", refundDuplicated},
				{"return after delivery, accepted by an admin", returnAfterDelivery},
				{"refund racing the shipment: the shipment wins, a clean 409", refundAfterShipped},
				{"refund racing the shipment: the refund wins, the parcel returns", refundBeforeShippedEvent},
				{"refund consumer failing past its retries, replayed from the dead letter", refundDeadLetterReplayed},
				{"refund of a points-paid order, every consumer given the event twice", refundPointsPart},
				{"refund of an order paid wholly with points: no charge, REFUNDED", refundPointsAll},
				{"refund after the earned points were spent: the balance goes negative", refundAfterPointsSpent},
				{"points-paid order delivered, then returned", returnPointsPaid},
				// Last: the audit over everything the rows above left.
				{"the audit passes on the shop's state", auditPasses},
			} {
				t.Run(tc.name, func(t *testing.T) {
					w.t = t
					w.clearFaults()
					w.clearBrokerFaults()
					tc.fn(w)
				})
			}
		})
	}
}

// paidAndSettled places and pays an order of alice's and waits until every
// ORDER_PAID consumer applied it: shipment, points credit, sold stock.
func (w *world) paidAndSettled() (no string, sku string) {
	w.t.Helper()
	p := w.roomy(20_000)
	o := w.place("alice", p.SKU, 1)
	no = o["orderNo"].(string)
	if status, body := w.pay("alice", no); status != http.StatusOK || body["outcome"] != "PAID" {
		w.t.Fatalf("pay: %d %v", status, body)
	}
	w.eventually(20*time.Second, "ORDER_PAID applied everywhere", func() bool {
		return w.shipmentStatus(no) == "AWAITING_SHIPMENT" && len(w.ledger(no)) == 1 && w.reservationStatus(no) == "SOLD"
	})
	return no, p.SKU
}

func deliverCompletes(w *world) {
	no, _ := w.paidAndSettled()
	w.shipmentStep(no, "ship", http.StatusOK)
	w.waitStatus(no, "SHIPPED")
	w.shipmentStep(no, "deliver", http.StatusOK)
	w.shipmentStep(no, "deliver", http.StatusOK) // a retry announces nothing
	w.waitStatus(no, "COMPLETED")
	w.settled(contracts.TopicShipmentShipped, no)
	w.settled(contracts.TopicShipmentDelivered, no)
	if n := w.messages(contracts.TopicShipmentDelivered, no); n != 1 {
		w.t.Errorf("%d SHIPMENT_DELIVERED messages, want 1", n)
	}
	if got, want := w.historyOf(no), "PENDING_PAYMENT>PAID>SHIPPED>COMPLETED"; got != want {
		w.t.Errorf("history %s, want %s", got, want)
	}
	// A completed order cannot be cancelled into a refund.
	if status, body := w.call(http.MethodPost, w.order+"/api/v1/orders/"+no+"/refund", "alice", nil); status != http.StatusConflict ||
		errCode(body) != contracts.CodeOrderAlreadyShipped {
		w.t.Errorf("refund of a completed order: %d %v", status, body)
	}
}

func hostileRefunds(w *world) {
	no, _ := w.paidAndSettled()
	balance := w.balance("alice")
	long := strings.Repeat("R", 5000)
	for _, tc := range []struct {
		name, method, url, user string
		header                  []string
		status                  int
		code                    string
	}{
		{"another user's order", http.MethodPost, "/api/v1/orders/" + no + "/refund", "bob", nil, http.StatusNotFound, contracts.CodeOrderNotFound},
		{"no user", http.MethodPost, "/api/v1/orders/" + no + "/refund", "", nil, http.StatusUnauthorized, ""},
		{"unknown user", http.MethodPost, "/api/v1/orders/" + no + "/refund", "mallory", nil, http.StatusUnauthorized, ""},
		{"huge order number", http.MethodPost, "/api/v1/orders/" + long + "/refund", "alice", nil, http.StatusNotFound, contracts.CodeOrderNotFound},
		{"SQL in the order number", http.MethodPost, "/api/v1/orders/x'%20OR%20'1'='1/refund", "alice", nil, http.StatusNotFound, contracts.CodeOrderNotFound},
		{"return before delivery", http.MethodPost, "/api/v1/orders/" + no + "/return", "alice", nil, http.StatusConflict, contracts.CodeOrderNotDelivered},
		{"accept a return nobody asked for", http.MethodPost, "/api/v1/admin/orders/" + no + "/return/accept", "", []string{"X-Admin-Token", adminToken}, http.StatusConflict, contracts.CodeNoReturnRequested},
		{"accept with a wrong token", http.MethodPost, "/api/v1/admin/orders/" + no + "/return/accept", "", []string{"X-Admin-Token", "guess"}, http.StatusForbidden, ""},
		{"refund with GET", http.MethodGet, "/api/v1/orders/" + no + "/refund", "alice", nil, http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED"},
	} {
		status, body := w.call(tc.method, w.order+tc.url, tc.user, nil, tc.header...)
		if status != tc.status || (tc.code != "" && errCode(body) != tc.code) {
			w.t.Errorf("%s: %d %v, want %d %s", tc.name, status, body, tc.status, tc.code)
		}
	}
	if got := w.orderStatus(no); got != "PAID" || w.balance("alice") != balance || w.messages(contracts.TopicOrderRefunded, no) != 0 {
		w.t.Errorf("after hostile requests: %s, balance %d (was %d), %d ORDER_REFUNDED", got, w.balance("alice"), balance,
			w.messages(contracts.TopicOrderRefunded, no))
	}
}

func refundDuplicated(w *world) {
	no, sku := w.paidAndSettled()
	balance, available, credit := w.balance("alice"), w.available(sku), w.ledger(no)[0]
	w.armBrokerFault(map[string]any{"point": "deliver", "action": "duplicate"})

	status, body := w.call(http.MethodPost, w.order+"/api/v1/orders/"+no+"/refund", "alice", nil)
	if status != http.StatusOK || (body["status"] != "REFUNDING" && body["status"] != "REFUNDED") {
		w.t.Fatalf("refund: %d %v", status, body)
	}
	w.waitRefundApplied(no, sku, balance, available, credit, "CANCELLED")
	// Every ORDER_REFUNDED consumer was handed the event twice and
	// acknowledged the copy as a duplicate.
	for svc, group := range map[string]string{
		w.order: contracts.ConsumerOrderOrderRefunded, w.payment: contracts.ConsumerPaymentOrderRefunded,
		w.points: contracts.ConsumerPointsOrderRefunded, w.inventory: contracts.ConsumerInventoryOrderRefunded,
		w.logistics: contracts.ConsumerLogisticsOrderRefunded,
	} {
		w.eventually(10*time.Second, group+" counted a duplicate", func() bool { return w.deliveries(svc, group, "duplicate") >= 1 })
	}
	w.clearBrokerFaults()
	// Asked again: 409 with the state, nothing changes.
	status, body = w.call(http.MethodPost, w.order+"/api/v1/orders/"+no+"/refund", "alice", nil)
	if details, _ := body["error"].(map[string]any)["details"].(map[string]any); status != http.StatusConflict ||
		errCode(body) != contracts.CodeOrderAlreadyRefunded || details["status"] != "REFUNDED" {
		w.t.Errorf("second refund: %d %v", status, body)
	}
	if n := w.messages(contracts.TopicOrderRefunded, no); n != 1 {
		w.t.Errorf("%d ORDER_REFUNDED messages, want 1", n)
	}
	w.waitRefundApplied(no, sku, balance, available, credit, "CANCELLED")
}

func returnAfterDelivery(w *world) {
	no, sku := w.paidAndSettled()
	balance, available, credit := w.balance("alice"), w.available(sku), w.ledger(no)[0]
	w.deliverAndRequestReturn(no)
	if status, body := w.call(http.MethodPost, w.order+"/api/v1/admin/orders/"+no+"/return/accept", "", nil); status != http.StatusUnauthorized {
		w.t.Errorf("accept without the admin token: %d %v", status, body)
	}
	if status, body := w.admin(http.MethodPost, w.order+"/api/v1/admin/orders/"+no+"/return/accept", nil); status != http.StatusOK {
		w.t.Fatalf("accept return: %d %v", status, body)
	}
	w.waitRefundApplied(no, sku, balance, available, credit, "RETURNED")
	if status, body := w.admin(http.MethodPost, w.order+"/api/v1/admin/orders/"+no+"/return/accept", nil); status != http.StatusConflict ||
		errCode(body) != contracts.CodeOrderAlreadyRefunded {
		w.t.Errorf("accept again: %d %v", status, body)
	}
	if got, want := w.historyOf(no), "PENDING_PAYMENT>PAID>SHIPPED>COMPLETED>RETURN_REQUESTED>REFUNDING>REFUNDED"; got != want {
		w.t.Errorf("history %s, want %s", got, want)
	}
}

// deliverAndRequestReturn ships and delivers alice's paid order no, waits
// until it is COMPLETED and requests its return.
func (w *world) deliverAndRequestReturn(no string) {
	w.t.Helper()
	w.shipmentStep(no, "ship", http.StatusOK)
	w.shipmentStep(no, "deliver", http.StatusOK)
	w.waitStatus(no, "COMPLETED")
	if status, body := w.call(http.MethodPost, w.order+"/api/v1/orders/"+no+"/return", "alice", nil); status != http.StatusOK ||
		body["status"] != "RETURN_REQUESTED" {
		w.t.Fatalf("request return: %d %v", status, body)
	}
}

// refundAfterShipped: the order service heard of the shipment first, so
// the refund is a clean 409 and nothing changes.
func refundAfterShipped(w *world) {
	no, _ := w.paidAndSettled()
	balance := w.balance("alice")
	w.shipmentStep(no, "ship", http.StatusOK)
	w.waitStatus(no, "SHIPPED")
	var wg sync.WaitGroup
	var refund int
	var body map[string]any
	wg.Go(func() { w.shipmentStep(no, "deliver", http.StatusOK) })
	wg.Go(func() { refund, body = w.call(http.MethodPost, w.order+"/api/v1/orders/"+no+"/refund", "alice", nil) })
	wg.Wait()
	if refund != http.StatusConflict || errCode(body) != contracts.CodeOrderAlreadyShipped {
		w.t.Fatalf("refund of a shipped order: %d %v", refund, body)
	}
	w.waitStatus(no, "COMPLETED")
	if got := w.balance("alice"); got != balance || w.shipmentStatus(no) != "DELIVERED" || w.messages(contracts.TopicOrderRefunded, no) != 0 {
		w.t.Errorf("after the refused refund: balance %d (was %d), shipment %s, %d ORDER_REFUNDED",
			got, balance, w.shipmentStatus(no), w.messages(contracts.TopicOrderRefunded, no))
	}
}

// refundBeforeShippedEvent: the shipment left, but SHIPMENT_SHIPPED has not
// reached the order service (its delivery is paused), so the refund wins;
// logistics records the parcel's return, and the late shipment events
// leave the refunded order alone.
func refundBeforeShippedEvent(w *world) {
	no, sku := w.paidAndSettled()
	balance, available, credit := w.balance("alice"), w.available(sku), w.ledger(no)[0]
	w.armBrokerFault(map[string]any{"point": "deliver." + contracts.ConsumerOrderShipmentShipped, "action": "pause"})
	w.armBrokerFault(map[string]any{"point": "deliver." + contracts.ConsumerOrderShipmentDelivered, "action": "pause"})
	w.shipmentStep(no, "ship", http.StatusOK)
	if status, body := w.call(http.MethodPost, w.order+"/api/v1/orders/"+no+"/refund", "alice", nil); status != http.StatusOK {
		w.t.Fatalf("refund while SHIPMENT_SHIPPED is on its way: %d %v", status, body)
	}
	w.waitRefundApplied(no, sku, balance, available, credit, "RETURNED")
	// Delivering a returned parcel is refused; releasing the paused
	// shipment event changes nothing.
	if status, body := w.admin(http.MethodPost, w.logistics+"/api/v1/admin/shipments/"+no+"/deliver", nil); status != http.StatusConflict ||
		errCode(body) != contracts.CodeShipmentCancelled {
		w.t.Errorf("deliver a returned shipment: %d %v", status, body)
	}
	w.clearBrokerFaults()
	w.eventually(10*time.Second, "the late SHIPMENT_SHIPPED consumed", func() bool {
		return w.deliveries(w.order, contracts.ConsumerOrderShipmentShipped, "processed") >= 1 && w.lag(contracts.ConsumerOrderShipmentShipped) == 0
	})
	w.waitStatus(no, "REFUNDED")
	if got, want := w.historyOf(no), "PENDING_PAYMENT>PAID>REFUNDING>REFUNDED"; got != want {
		w.t.Errorf("history %s, want %s", got, want)
	}
}

func refundDeadLetterReplayed(w *world) {
	no, sku := w.paidAndSettled()
	balance, available, credit := w.balance("alice"), w.available(sku), w.ledger(no)[0]
	group := contracts.ConsumerPointsOrderRefunded
	if status, body := w.admin(http.MethodPost, w.points+"/api/v1/admin/faults", map[string]any{"point": "consume." + group, "action": "fail"}); status != http.StatusCreated {
		w.t.Fatalf("arm: %d %v", status, body)
	}
	if status, body := w.call(http.MethodPost, w.order+"/api/v1/orders/"+no+"/refund", "alice", nil); status != http.StatusOK {
		w.t.Fatalf("refund: %d %v", status, body)
	}
	var offset int64
	w.eventually(60*time.Second, "the clawback dead-lettered", func() bool {
		offset = w.deadLetter(group, no)
		return offset >= 0
	})
	w.waitStatus(no, "REFUNDED")
	if n := len(w.ledger(no)); n != 1 {
		w.t.Fatalf("%d ledger entries while the clawback is dead, want the credit only", n)
	}
	if status, body := w.admin(http.MethodDelete, w.points+"/api/v1/admin/faults", nil); status != http.StatusNoContent {
		w.t.Fatalf("clear: %d %v", status, body)
	}
	replay := func() int {
		status, _ := w.call(http.MethodPost, w.brokerAdmin+"/api/v1/dead-letters/"+group+"/"+strconv.FormatInt(offset, 10)+"/replay", "", nil,
			"X-Admin-Token", minirmq.DefaultAdminToken)
		return status
	}
	if status := replay(); status != http.StatusOK {
		w.t.Fatalf("replay: %d", status)
	}
	w.waitRefundApplied(no, sku, balance, available, credit, "CANCELLED")
	if status := replay(); status != http.StatusConflict {
		w.t.Errorf("second replay: %d, want 409", status)
	}
}

// waitRefundApplied waits until a refund reached every service, once:
// order REFUNDED, charge refunded and the money back, the credit clawed
// back by exactly its points, the stock returned, the shipment ended.
func (w *world) waitRefundApplied(no, sku string, balance int64, available int, credit ledgerEntry, shipment string) {
	w.t.Helper()
	w.eventually(30*time.Second, "the refund of "+no+" applied everywhere", func() bool {
		status, _ := w.charge(no)
		return w.orderStatus(no) == "REFUNDED" && status == "REFUNDED" && len(w.ledger(no)) == 2 &&
			w.reservationStatus(no) == "RETURNED" && w.shipmentStatus(no) == shipment
	})
	_, amount := w.charge(no)
	if got := w.balance("alice"); got != balance+amount {
		w.t.Errorf("balance %d, want %d + the refund %d once", got, balance, amount)
	}
	if got := w.available(sku); got != available+1 {
		w.t.Errorf("available %d, want %d + the returned unit", got, available)
	}
	entries := w.ledger(no)
	if len(entries) != 2 || entries[1].Reason != "ORDER_REFUNDED" || entries[1].Points != -credit.Points || entries[1].UserID != credit.UserID {
		w.t.Errorf("ledger of %s: %+v, want the credit %+v and its negative", no, entries, credit)
	}
}

// ledgerEntry is a points ledger entry as the admin API lists it.
type ledgerEntry struct {
	UserID string
	Reason string
	Points int64
}

// ledger lists the order's points ledger entries.
func (w *world) ledger(no string) []ledgerEntry {
	w.t.Helper()
	return w.ledgerEntries("?orderNo=" + no)
}

// ledgerEntries lists the points ledger entries the admin API answers for
// query ("" for every entry).
func (w *world) ledgerEntries(query string) []ledgerEntry {
	w.t.Helper()
	status, body := w.admin(http.MethodGet, w.points+"/api/v1/admin/points/ledger"+query, nil)
	if status != http.StatusOK {
		w.t.Fatalf("ledger: %d %v", status, body)
	}
	var out []ledgerEntry
	list, _ := body["entries"].([]any)
	for _, x := range list {
		e := x.(map[string]any)
		out = append(out, ledgerEntry{UserID: e["userId"].(string), Reason: e["reason"].(string), Points: num(e["points"])})
	}
	return out
}

func (w *world) shipmentStatus(no string) string {
	w.t.Helper()
	status, body := w.admin(http.MethodGet, w.logistics+"/api/v1/admin/shipments/"+no, nil)
	if status == http.StatusNotFound {
		return ""
	}
	if status != http.StatusOK {
		w.t.Fatalf("shipment: %d %v", status, body)
	}
	return body["status"].(string)
}

func (w *world) shipmentStep(no, step string, want int) {
	w.t.Helper()
	if status, body := w.admin(http.MethodPost, w.logistics+"/api/v1/admin/shipments/"+no+"/"+step, nil); status != want {
		w.t.Fatalf("%s %s: %d %v, want %d", step, no, status, body, want)
	}
}

func (w *world) reservationStatus(no string) string {
	w.t.Helper()
	status, body := w.admin(http.MethodGet, w.inventory+"/api/v1/reservations/"+no, nil)
	if status != http.StatusOK {
		w.t.Fatalf("reservation: %d %v", status, body)
	}
	return body["status"].(string)
}

func (w *world) orderStatus(no string) string {
	w.t.Helper()
	return w.getOrder("alice", no)["status"].(string)
}

func (w *world) waitStatus(no, want string) {
	w.t.Helper()
	w.eventually(20*time.Second, no+" "+want, func() bool { return w.orderStatus(no) == want })
}

// historyOf returns the order's states joined by ">".
func (w *world) historyOf(no string) string {
	w.t.Helper()
	var out []string
	hist, _ := w.getOrder("alice", no)["history"].([]any)
	for _, x := range hist {
		out = append(out, x.(map[string]any)["to"].(string))
	}
	return strings.Join(out, ">")
}

// messages counts the messages of topic keyed no.
func (w *world) messages(topic, no string) int {
	w.t.Helper()
	_, body := w.call(http.MethodGet, w.brokerAdmin+"/api/v1/topics/"+topic+"/messages?key="+no, "", nil)
	list, _ := body["messages"].([]any)
	return len(list)
}

// deliveries reads a consumer group's count of outcome from the service's
// /metrics.
func (w *world) deliveries(base, group, outcome string) int64 {
	w.t.Helper()
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	var n int64
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "rocketmart_consumer_deliveries_total{") && strings.Contains(line, `group="`+group+`"`) &&
			strings.Contains(line, `outcome="`+outcome+`"`) {
			f := strings.Fields(line)
			v, _ := strconv.ParseFloat(f[len(f)-1], 64)
			n += int64(v)
		}
	}
	return n
}

// lag is a consumer group's total lag.
func (w *world) lag(group string) int64 {
	w.t.Helper()
	_, body := w.call(http.MethodGet, w.brokerAdmin+"/api/v1/consumer-groups/"+group, "", nil)
	return num(body["lag"])
}

// deadLetter returns the queue offset of group's pending dead letter keyed
// no, or -1.
func (w *world) deadLetter(group, no string) int64 {
	w.t.Helper()
	_, body := w.call(http.MethodGet, w.brokerAdmin+"/api/v1/dead-letters/"+group, "", nil)
	list, _ := body["messages"].([]any)
	for _, x := range list {
		d := x.(map[string]any)
		m, _ := d["message"].(map[string]any)
		if m == nil {
			m = d
		}
		if m["keys"] == no && d["replayed"] != true {
			return num(m["queueOffset"])
		}
	}
	return -1
}

func (w *world) armBrokerFault(spec map[string]any) {
	w.t.Helper()
	if status, body := w.call(http.MethodPost, w.brokerAdmin+"/api/v1/faults", "", spec, "X-Admin-Token", minirmq.DefaultAdminToken); status != http.StatusCreated {
		w.t.Fatalf("arm broker fault %v: %d %v", spec, status, body)
	}
}

func (w *world) clearBrokerFaults() {
	w.t.Helper()
	if status, body := w.call(http.MethodDelete, w.brokerAdmin+"/api/v1/faults", "", nil, "X-Admin-Token", minirmq.DefaultAdminToken); status != http.StatusNoContent {
		w.t.Fatalf("clear broker faults: %d %v", status, body)
	}
}
