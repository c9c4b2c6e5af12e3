package minirmq_test

// Restart durability: Close, then Start on the same DataDir (new port, so
// every client is created after the restart).

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/apache/rocketmq-client-go/v2/primitive"

	"github.com/rocketmart/rocketmart/services/minirmq"
)

func durable(t *testing.T) func(*minirmq.Config) {
	dir := t.TempDir()
	return func(c *minirmq.Config) { c.DataDir = dir }
}

// TestRestartKeepsConsumerOffsets: a group that consumed the first half
// resumes after a restart with exactly the second half.
func TestRestartKeepsConsumerOffsets(t *testing.T) {
	t.Parallel()
	b := startBroker(t, durable(t))
	topic, group := uniqueName(t, "T"), uniqueName(t, "CG")
	p := b.newProducer(t, uniqueName(t, "PG"))
	const half = 10
	for i := range half {
		sendSync(t, p, primitive.NewMessage(topic, []byte(fmt.Sprintf("before-%d", i))))
	}
	rec1 := &recorder{}
	c1 := b.startConsumer(t, group, topic, rec1, nil)
	eventually(t, 20*time.Second, func() bool { return len(rec1.bodies()) == half }, "first half consumed")
	if err := c1.Shutdown(); err != nil { // persists the offsets
		t.Fatalf("consumer shutdown: %v", err)
	}
	b.waitCaughtUp(t, group, topic)
	for i := range half {
		sendSync(t, p, primitive.NewMessage(topic, []byte(fmt.Sprintf("after-%d", i))))
	}
	if err := p.Shutdown(); err != nil {
		t.Fatalf("producer shutdown: %v", err)
	}

	b.restart(t)

	if ti, ok := b.topic(t, topic); !ok || ti.count() != 2*half {
		t.Fatalf("after restart topic %s holds %+v, want %d messages", topic, ti, 2*half)
	}
	rec2 := &recorder{}
	b.startConsumer(t, group, topic, rec2, nil)
	eventually(t, 20*time.Second, func() bool { return len(rec2.bodies()) >= half }, "second half consumed after restart; got %s",
		func() string { return fmt.Sprint(rec2.bodies()) })
	b.waitCaughtUp(t, group, topic)
	for body, n := range rec2.bodies() {
		if !strings.HasPrefix(body, "after-") || n != 1 {
			t.Errorf("after restart %q delivered %d times; want only the unconsumed \"after-*\" messages, once each", body, n)
		}
	}
}

// TestRestartKeepsPendingHalf: a half message whose producer answered
// Unknown survives a restart, is checked with a producer of the same group
// that starts afterwards, committed and delivered once.
func TestRestartKeepsPendingHalf(t *testing.T) {
	t.Parallel()
	b := startBroker(t, durable(t), fastTxChecks(15))
	topic, pgroup := uniqueName(t, "T"), uniqueName(t, "PG")
	const body = "survivor"
	la := newTxListener(topic,
		func(string) primitive.LocalTransactionState { return unknownTx },
		func(string) primitive.LocalTransactionState { return unknownTx })
	pa := b.newTxProducer(t, pgroup, la)
	res := sendTx(t, pa, topic, body)
	if h, ok := b.transaction(t, res.MsgID); !ok || h.State != "pending" {
		t.Fatalf("before restart: transaction %s = %+v (listed %v), want pending", res.MsgID, h, ok)
	}
	if err := pa.Shutdown(); err != nil {
		t.Fatalf("producer A shutdown: %v", err)
	}

	b.restart(t)

	if h, ok := b.transaction(t, res.MsgID); !ok || h.State != "pending" {
		t.Fatalf("after restart: transaction %s = %+v (listed %v), want still pending", res.MsgID, h, ok)
	}
	lb := newTxListener(topic,
		func(string) primitive.LocalTransactionState { return rollbackTx }, // the warm-up message
		func(string) primitive.LocalTransactionState { return commitTx })
	warmUp(t, b, b.newTxProducer(t, pgroup, lb), pgroup, topic)
	eventually(t, 20*time.Second, func() bool {
		h, ok := b.transaction(t, res.MsgID)
		return ok && h.State == "committed"
	}, "restored half %s committed after the new producer's check answer", res.MsgID)
	if lb.checkCount(body) < 1 {
		t.Errorf("new producer answered no check-back for %q", body)
	}
	la.report(t)
	lb.report(t)

	group := uniqueName(t, "CG")
	rec := &recorder{}
	b.startConsumer(t, group, topic, rec, nil)
	eventually(t, 20*time.Second, func() bool { return rec.len() > 0 }, "committed message delivered")
	b.waitCaughtUp(t, group, topic)
	ds := rec.all()
	if len(ds) != 1 || ds[0].Body != body || ds[0].MsgID != res.MsgID {
		t.Errorf("deliveries %+v, want exactly %q with MsgId %s once", ds, body, res.MsgID)
	}
}

// TestRestartKeepsDelayedMessage: a delayed message sent before a restart
// is delivered after it, not before its delay is up; a plain message sent
// with it survives too.
func TestRestartKeepsDelayedMessage(t *testing.T) {
	t.Parallel()
	b := startBroker(t, durable(t))
	topic, group := uniqueName(t, "T"), uniqueName(t, "CG")
	p := b.newProducer(t, uniqueName(t, "PG"))
	plain := sendSync(t, p, primitive.NewMessage(topic, []byte("plain")))
	level := len(testDelayLevels)
	delay := testDelayLevels[level-1]
	sentAt := time.Now()
	delayed := sendSync(t, p, primitive.NewMessage(topic, []byte("delayed")).WithDelayTimeLevel(level))
	if err := p.Shutdown(); err != nil {
		t.Fatalf("producer shutdown: %v", err)
	}

	b.restart(t)
	if since := time.Since(sentAt); since >= delay {
		t.Logf("restart took %v, longer than the %v delay: the delay bound is not exercised across the restart", since, delay)
	}

	rec := &recorder{}
	b.startConsumer(t, group, topic, rec, nil)
	eventually(t, 20*time.Second, func() bool { return len(rec.bodies()) == 2 }, "both messages delivered after restart; got %s",
		func() string { return fmt.Sprint(rec.bodies()) })
	b.waitCaughtUp(t, group, topic)
	want := map[string]string{"plain": plain.MsgID, "delayed": delayed.MsgID}
	for _, d := range rec.all() {
		if want[d.Body] != d.MsgID {
			t.Errorf("%q: MsgId %s, want %s", d.Body, d.MsgID, want[d.Body])
		}
		if d.Body == "delayed" && d.At.Sub(sentAt) < delay-msTolerance {
			t.Errorf("delayed message delivered %v after send, want ≥ %v", d.At.Sub(sentAt), delay)
		}
	}
	if got := rec.len(); got != 2 {
		t.Errorf("%d deliveries, want 2 (each message once)", got)
	}
}
