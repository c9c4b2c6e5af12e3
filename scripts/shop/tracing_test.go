package main_test

import (
	"bufio"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/platform/tracing/tracingtest"
)

// TestOnePayOneTrace proves tracing across services (issue 15, item 4): the
// whole shop runs with OTEL_EXPORTER_OTLP_ENDPOINT pointing at an OTLP
// receiver inside the test, a user pays one order through the gateway, and
// the spans of every program form one trace in which each hop is the child
// of its cause: the gateway's request → its proxied call → the order
// handler → the ORDER_PAID half message's send span → the local transaction
// → the charge call → payment's handler; and each of the four consumers'
// spans is a child of that send span (the traceparent travelled as a message
// property through the broker's half and commit), with its SQL inside it.
// Log lines of the same request and deliveries carry the trace id.
func TestOnePayOneTrace(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole shop; skipped with -short")
	}
	recv := tracingtest.NewReceiver(t)
	shop, _ := startShop(t, "sqlite", "ORDER_PAYMENT_TIMEOUT", "5m",
		"OTEL_EXPORTER_OTLP_ENDPOINT", recv.URL, "OTEL_BSP_SCHEDULE_DELAY", "100")
	alice := newShopper(t, shop)
	alice.signIn("alice")
	alice.must(http.StatusOK, "POST", "/api/cart/cart/items", line{"RM-MUG-STONE", 1}, nil, "Idempotency-Key", "trace-add")
	var placed struct{ OrderNo string }
	alice.must(http.StatusCreated, "POST", "/api/order/orders", map[string]any{"address": address}, &placed,
		"Idempotency-Key", "trace-checkout")
	alice.must(http.StatusOK, "POST", "/api/order/orders/"+placed.OrderNo+"/pay", nil, nil)

	consumers := []string{contracts.ServiceInventory, contracts.ServiceLogistics, contracts.ServicePoints, contracts.ServiceCart}
	var tr payTrace
	eventually(t, "the pay's trace with all four consumers' spans", 30*time.Second, func() bool {
		tr = findPayTrace(recv.Spans(), placed.OrderNo)
		return tr.pay.SpanID != "" && len(tr.named("consumer", "ORDER_PAID process")) >= len(consumers)
	})
	t.Logf("trace %s, %d spans:\n%s", tr.id, len(tr.spans), tr.dump())
	tr.check(t, consumers)
	if t.Failed() {
		return
	}
	// The log lines of the request and the deliveries carry the trace id:
	// the access logs, the order service's own "order paid" (with order_no
	// and tx_id), and each consumer's "message processed" (with msg_id).
	logged := map[string]string{"web": "http request", contracts.ServiceOrder: "order paid", contracts.ServicePayment: "http request"}
	for _, svc := range consumers {
		logged[svc] = "message processed"
	}
	for svc, msg := range logged {
		if !logHasTrace(t, filepath.Join(shop.LogDir, svc+".log"), msg, tr.id) {
			t.Errorf("%s.log has no %q line with trace_id %s", svc, msg, tr.id)
		}
	}
}

// payTrace is the trace of one pay request.
type payTrace struct {
	id    string
	pay   span // the order service's server span of POST …/pay
	spans []span
	byID  map[string]span
}

// span is one exported span, as the receiver decoded it.
type span = tracingtest.Span

// findPayTrace finds the order service's server span of the pay of orderNo
// and returns every span of its trace.
func findPayTrace(all []span, orderNo string) payTrace {
	var tr payTrace
	for _, s := range all {
		if s.Service == contracts.ServiceOrder && s.Kind == "server" && strings.HasSuffix(s.Name, "/pay") &&
			strings.Contains(s.Attrs["url.path"], orderNo) {
			tr.pay, tr.id = s, s.TraceID
		}
	}
	tr.byID = map[string]span{}
	for _, s := range all {
		if tr.id != "" && s.TraceID == tr.id {
			tr.spans = append(tr.spans, s)
			tr.byID[s.SpanID] = s
		}
	}
	return tr
}

// named returns the spans of kind with exactly that name.
func (tr payTrace) named(kind, name string) []span {
	var out []span
	for _, s := range tr.spans {
		if s.Kind == kind && s.Name == name {
			out = append(out, s)
		}
	}
	return out
}

// descends reports whether s is anc or has it among its ancestors.
func (tr payTrace) descends(s, anc span) bool {
	for i := 0; i < 64 && s.SpanID != ""; i++ {
		if s.SpanID == anc.SpanID {
			return true
		}
		s = tr.byID[s.ParentID]
	}
	return false
}

// one returns the only span matching ok, failing the test otherwise.
func (tr payTrace) one(t *testing.T, what string, ok func(span) bool) span {
	t.Helper()
	var found []span
	for _, s := range tr.spans {
		if ok(s) {
			found = append(found, s)
		}
	}
	if len(found) != 1 {
		t.Errorf("%s: found %d spans %v, want exactly one", what, len(found), found)
		return span{}
	}
	return found[0]
}

func (tr payTrace) check(t *testing.T, consumers []string) {
	t.Helper()
	parent := func(s span) span { return tr.byID[s.ParentID] }

	// The gateway's server span is the root: the browser sent no traceparent.
	root := tr.one(t, "root span", func(s span) bool { return s.ParentID == "" })
	if root.Service != "web" || root.Kind != "server" {
		t.Errorf("root = %v, want the gateway's server span", root)
	}
	// gateway request → its proxied call → the order handler.
	if call := parent(tr.pay); call.Service != "web" || call.Kind != "client" || parent(call).SpanID != root.SpanID {
		t.Errorf("the order handler's parent = %v (its parent %v), want the gateway's client span under %v", call, parent(call), root)
	}
	// The half message's send span, inside the handler.
	send := tr.one(t, "ORDER_PAID send span", func(s span) bool {
		return s.Service == contracts.ServiceOrder && s.Kind == "producer" && s.Name == "ORDER_PAID send"
	})
	if !tr.descends(send, tr.pay) || send.Attrs["messaging.rocketmq.transactional"] != "true" ||
		send.Attrs["messaging.rocketmq.transaction_id"] == "" || send.Attrs["messaging.rocketmq.transaction_state"] != "commit" {
		t.Errorf("send = %v %v, want a committed transactional send under the pay handler", send, send.Attrs)
	}
	local := tr.one(t, "local transaction span", func(s span) bool { return s.Name == "ORDER_PAID local transaction" })
	if parent(local).SpanID != send.SpanID {
		t.Errorf("local transaction's parent = %v, want the send span", parent(local))
	}
	// The charge: order's client span inside the local transaction, payment's
	// server span its child.
	charge := tr.one(t, "payment's charge handler", func(s span) bool {
		return s.Service == contracts.ServicePayment && s.Kind == "server" && strings.HasPrefix(s.Name, "POST ")
	})
	if call := parent(charge); call.Service != contracts.ServiceOrder || call.Kind != "client" || !tr.descends(call, local) {
		t.Errorf("the charge handler's parent = %v, want order's client span inside the local transaction", call)
	}
	if !tr.hasSQLUnder(contracts.ServiceOrder, local) {
		t.Errorf("no SQL span of order inside the local transaction")
	}
	// Each consumer: its span is a child of the send span, its SQL inside.
	for _, svc := range consumers {
		c := tr.one(t, svc+"'s ORDER_PAID delivery", func(s span) bool {
			return s.Service == svc && s.Kind == "consumer" && s.Name == "ORDER_PAID process"
		})
		if c.ParentID != send.SpanID {
			t.Errorf("%s's delivery span's parent = %v, want the send span %s", svc, parent(c), send.SpanID)
		}
		if c.Attrs["messaging.consumer.group.name"] == "" || c.Attrs["rocketmart.consume.outcome"] != "processed" {
			t.Errorf("%s's delivery span attributes %v, want its group and outcome processed", svc, c.Attrs)
		}
		if !tr.hasSQLUnder(svc, c) {
			t.Errorf("no SQL span of %s inside its delivery span", svc)
		}
	}
}

// hasSQLUnder reports whether service has a gorm span under anc.
func (tr payTrace) hasSQLUnder(service string, anc span) bool {
	for _, s := range tr.spans {
		if s.Service == service && strings.Contains(s.Scope, "gorm") && tr.descends(s, anc) {
			return true
		}
	}
	return false
}

// dump lists the trace as a tree.
func (tr payTrace) dump() string {
	var b strings.Builder
	var walk func(id string, depth int)
	walk = func(id string, depth int) {
		for _, s := range tr.spans {
			if s.ParentID == id {
				b.WriteString(strings.Repeat("  ", depth) + s.String() + "\n")
				walk(s.SpanID, depth+1)
			}
		}
	}
	walk("", 0)
	for _, s := range tr.spans { // orphans: a parent never received
		if _, ok := tr.byID[s.ParentID]; s.ParentID != "" && !ok {
			b.WriteString("orphan: " + s.String() + "\n")
			walk(s.SpanID, 1)
		}
	}
	return b.String()
}

// logHasTrace reports whether a JSON log file has a line msg with trace_id.
func logHasTrace(t *testing.T, path, msg, traceID string) bool {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Errorf("open log: %v", err)
		return false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var line struct {
			Msg     string `json:"msg"`
			TraceID string `json:"trace_id"`
		}
		if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == msg && line.TraceID == traceID {
			return true
		}
	}
	return false
}
