package minirmq_test

// What the workshop faults do to the real rocketmq-client-go v2.1.2 push
// consumer and transactional producer.

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/apache/rocketmq-client-go/v2/primitive"
)

// TestDeliverPause: while deliver.<group> is paused the group gets nothing
// and its lag stays, while a control group consumes the same messages;
// after the clear every message arrives once.
func TestDeliverPause(t *testing.T) {
	t.Parallel()
	b := startBroker(t)
	topic, paused, control := uniqueName(t, "T"), uniqueName(t, "CGpaused"), uniqueName(t, "CGcontrol")
	b.arm(t, fmt.Sprintf(`{"point":"deliver.%s","action":"pause"}`, paused))

	recPaused, recControl := &recorder{}, &recorder{}
	b.startConsumer(t, paused, topic, recPaused, nil)
	b.startConsumer(t, control, topic, recControl, nil)
	p := b.newProducer(t, uniqueName(t, "PG"))
	const n = 8
	for i := range n {
		sendSync(t, p, primitive.NewMessage(topic, []byte(fmt.Sprintf("m-%d", i))))
	}

	// The window: until the control group has consumed and committed
	// everything. All along, the paused group must have received nothing.
	var why string
	eventually(t, 30*time.Second, func() bool {
		if got := recPaused.len(); got != 0 {
			t.Fatalf("paused group received %d messages: %+v", got, recPaused.all())
		}
		var ok bool
		ok, why = b.caughtUp(t, control, topic)
		return ok && len(recControl.bodies()) == n
	}, "control group consumed all %d: %s", n, func() string { return why })
	if got := recPaused.len(); got != 0 {
		t.Fatalf("paused group received %d messages", got)
	}
	if g, ok := b.group(t, paused); !ok || g.Lag != n {
		t.Errorf("paused group lag %d (known %v), want %d", g.Lag, ok, n)
	}
	if a, ok := b.armed(t, "deliver."+paused); !ok || a.Hits < 1 {
		t.Errorf("pause fault %+v (armed %v): want hits ≥ 1, one per withheld pull", a, ok)
	}
	if !slices.ContainsFunc(b.faults(t).Points, func(p faultPoint) bool { return p.Point == "deliver."+control }) {
		t.Errorf("GET /api/v1/faults does not offer the known group's point deliver.%s", control)
	}

	b.mustCall(t, "DELETE", "/api/v1/faults/deliver."+paused, "", http.StatusNoContent, nil)
	eventually(t, 30*time.Second, func() bool { return len(recPaused.bodies()) == n },
		"paused group consumed all %d after the clear; got %v", n, func() string { return fmt.Sprint(recPaused.bodies()) })
	b.waitCaughtUp(t, paused, topic)
	for body, times := range recPaused.bodies() {
		if times != 1 {
			t.Errorf("%s delivered %d times after the pause, want once", body, times)
		}
	}
}

// TestDeliverDuplicate: with duplicate count=2 the handler sees the next
// two messages twice each (same message id), later ones once, and the
// fault is gone when its count is used up.
func TestDeliverDuplicate(t *testing.T) {
	t.Parallel()
	b := startBroker(t)
	topic, group := uniqueName(t, "T"), uniqueName(t, "CG")
	b.arm(t, fmt.Sprintf(`{"point":"deliver.%s","action":"duplicate","count":2}`, group))
	rec := &recorder{}
	b.startConsumer(t, group, topic, rec, nil)
	p := b.newProducer(t, uniqueName(t, "PG"))

	const n = 5
	want := map[string]int{}
	ids := map[string]string{}
	for i := range n {
		body := fmt.Sprintf("m-%d", i)
		want[body] = 1
		if i < 2 {
			want[body] = 2
		}
		ids[body] = sendSync(t, p, primitive.NewMessage(topic, []byte(body))).MsgID
		// One message in flight at a time, so "the next two" are m-0 and m-1.
		eventually(t, 20*time.Second, func() bool { return rec.bodies()[body] >= want[body] },
			"%s delivered %d times; deliveries %v", body, want[body], func() string { return fmt.Sprint(rec.bodies()) })
	}
	b.waitCaughtUp(t, group, topic)
	if got := rec.bodies(); !maps.Equal(got, want) {
		t.Errorf("deliveries per body %v, want %v", got, want)
	}
	for _, d := range rec.all() {
		if d.MsgID != ids[d.Body] {
			t.Errorf("%s delivered with MsgId %s, want %s every time", d.Body, d.MsgID, ids[d.Body])
		}
	}
	if a, ok := b.armed(t, "deliver."+group); ok {
		t.Errorf("duplicate count=2 still armed after two hits: %+v", a)
	}
}

// TestDeliverDelay: an answer carrying messages reaches the group the
// fault's delay late.
func TestDeliverDelay(t *testing.T) {
	t.Parallel()
	b := startBroker(t)
	topic, group := uniqueName(t, "T"), uniqueName(t, "CG")
	rec := &recorder{}
	b.startConsumer(t, group, topic, rec, nil)
	p := b.newProducer(t, uniqueName(t, "PG"))
	sendSync(t, p, primitive.NewMessage(topic, []byte("warm-up")))
	eventually(t, 20*time.Second, func() bool { return rec.bodies()["warm-up"] == 1 }, "warm-up delivered")

	const delay = 1500 * time.Millisecond
	b.arm(t, fmt.Sprintf(`{"point":"deliver.%s","action":"delay","delay":"%s","count":1}`, group, delay))
	sent := time.Now()
	sendSync(t, p, primitive.NewMessage(topic, []byte("late")))
	eventually(t, 20*time.Second, func() bool { return rec.bodies()["late"] == 1 }, "delayed message delivered")
	for _, d := range rec.all() {
		if d.Body == "late" && d.At.Sub(sent) < delay {
			t.Errorf("delivered %v after the send, want ≥ %v", d.At.Sub(sent), delay)
		}
	}
	if a, ok := b.armed(t, "deliver."+group); ok {
		t.Errorf("delay count=1 still armed after firing: %+v", a)
	}
	sendSync(t, p, primitive.NewMessage(topic, []byte("after")))
	eventually(t, 20*time.Second, func() bool { return rec.bodies()["after"] == 1 }, "message after the fault delivered")
}

// TestCheckBackDrop: while check-back drop is armed the producer is never
// asked about an UNKNOWN half, however many times the check loop reaches
// it (the fault's hits, more than TxCheckMax), and the half is neither
// counted nor discarded; after the clear it is checked and committed.
func TestCheckBackDrop(t *testing.T) {
	t.Parallel()
	const checkMax = 2
	b := startBroker(t, fastTxChecks(checkMax))
	topic := uniqueName(t, "T")
	b.arm(t, `{"point":"check-back","action":"drop"}`)
	l := newTxListener(topic,
		func(string) primitive.LocalTransactionState { return unknownTx },
		func(string) primitive.LocalTransactionState { return commitTx })
	p := b.newTxProducer(t, uniqueName(t, "PG"), l)
	const body = "dropped-checks"
	res := sendTx(t, p, topic, body)

	hits := func() int { a, _ := b.armed(t, "check-back"); return a.Hits }
	eventually(t, 30*time.Second, func() bool {
		if n := l.checkCount(body); n != 0 {
			t.Fatalf("the producer was asked %d times while check-backs were dropped", n)
		}
		if h, ok := b.transaction(t, res.MsgID); !ok || h.State != "pending" || h.CheckCount != 0 {
			t.Fatalf("half %+v (listed %v): want pending with checkCount 0", h, ok)
		}
		return hits() > checkMax
	}, "more than %d dropped check-backs; hits %v", checkMax, func() string { return fmt.Sprint(hits()) })

	b.mustCall(t, "DELETE", "/api/v1/faults/check-back", "", http.StatusNoContent, nil)
	eventually(t, 20*time.Second, func() bool {
		h, _ := b.transaction(t, res.MsgID)
		return h.State == "committed"
	}, "half committed through a check-back after the clear")
	if n := l.checkCount(body); n != 1 {
		t.Errorf("producer asked %d times, want once", n)
	}
	l.report(t)

	group := uniqueName(t, "CG")
	rec := &recorder{}
	b.startConsumer(t, group, topic, rec, nil)
	eventually(t, 20*time.Second, func() bool { return rec.bodies()[body] == 1 }, "committed message delivered")
}

// TestCheckBackDelay: a check-back leaves the fault's delay late, once: no
// second check goes out while the delayed one waits, though the check
// interval is shorter than the delay.
func TestCheckBackDelay(t *testing.T) {
	t.Parallel()
	b := startBroker(t, fastTxChecks(15))
	topic := uniqueName(t, "T")
	const delay = 2 * time.Second
	b.arm(t, fmt.Sprintf(`{"point":"check-back","action":"delay","delay":"%s","count":1}`, delay))
	var mu sync.Mutex
	var checkedAt time.Time
	l := newTxListener(topic,
		func(string) primitive.LocalTransactionState { return unknownTx },
		func(string) primitive.LocalTransactionState {
			mu.Lock()
			checkedAt = time.Now()
			mu.Unlock()
			return commitTx
		})
	p := b.newTxProducer(t, uniqueName(t, "PG"), l)
	const body = "slow-check"
	sent := time.Now()
	res := sendTx(t, p, topic, body)
	eventually(t, 20*time.Second, func() bool {
		h, _ := b.transaction(t, res.MsgID)
		return h.State == "committed"
	}, "half committed after the delayed check-back")
	mu.Lock()
	after := checkedAt.Sub(sent)
	mu.Unlock()
	if min := b.cfg.TxCheckAfter + delay; after < min {
		t.Errorf("check-back reached the producer %v after the send, want ≥ %v (check after + delay)", after, min)
	}
	if n := l.checkCount(body); n != 1 {
		t.Errorf("producer asked %d times, want once", n)
	}
	if h, _ := b.transaction(t, res.MsgID); h.CheckCount != 1 {
		t.Errorf("checkCount %d, want 1", h.CheckCount)
	}
	if a, ok := b.armed(t, "check-back"); ok {
		t.Errorf("delay count=1 still armed after firing: %+v", a)
	}
	l.report(t)
}
