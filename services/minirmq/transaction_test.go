package minirmq_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apache/rocketmq-client-go/v2/primitive"

	"github.com/rocketmart/rocketmart/services/minirmq"
)

const (
	commitTx   = primitive.CommitMessageState
	rollbackTx = primitive.RollbackMessageState
	unknownTx  = primitive.UnknowState
)

// txListener answers by message body and counts check-backs per body.
type txListener struct {
	topic string
	exec  func(body string) primitive.LocalTransactionState
	check func(body string) primitive.LocalTransactionState

	mu       sync.Mutex
	checks   map[string]int
	problems []string // malformed check-backs, reported by the test
}

func newTxListener(topic string, exec, check func(string) primitive.LocalTransactionState) *txListener {
	return &txListener{topic: topic, exec: exec, check: check, checks: map[string]int{}}
}

func (l *txListener) ExecuteLocalTransaction(m *primitive.Message) primitive.LocalTransactionState {
	return l.exec(string(m.Body))
}

func (l *txListener) CheckLocalTransaction(m *primitive.MessageExt) primitive.LocalTransactionState {
	body := string(m.Body)
	l.mu.Lock()
	l.checks[body]++
	if m.Topic != l.topic || m.GetProperty(primitive.PropertyUniqueClientMessageIdKeyIndex) == "" {
		l.problems = append(l.problems, fmt.Sprintf("check of %q: topic %q (want the real topic %q), UNIQ_KEY %q",
			body, m.Topic, l.topic, m.GetProperty(primitive.PropertyUniqueClientMessageIdKeyIndex)))
	}
	l.mu.Unlock()
	return l.check(body)
}

func (l *txListener) checkCount(body string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.checks[body]
}

func (l *txListener) report(t *testing.T) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, p := range l.problems {
		t.Error(p)
	}
}

func fastTxChecks(max int) func(*minirmq.Config) {
	return func(c *minirmq.Config) {
		c.TxCheckAfter = 500 * time.Millisecond
		c.TxCheckInterval = time.Second // ≥1s: an answered check is decided before the next round
		c.TxCheckMax = max
	}
}

func sendTx(t *testing.T, p *txProducer, topic, body string) *primitive.TransactionSendResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := p.SendMessageInTransaction(ctx, primitive.NewMessage(topic, []byte(body)))
	if err != nil {
		t.Fatalf("SendMessageInTransaction(%q): %v", body, err)
	}
	if res.Status != primitive.SendOK || !hex32.MatchString(res.OffsetMsgID) {
		t.Fatalf("SendMessageInTransaction(%q): status %d, offset msg id %q", body, res.Status, res.OffsetMsgID)
	}
	return res
}

// TestTransactionVisibility: every way a transaction can end, checked against
// what consumers see, how often the broker checks back and what the admin API reports.
func TestTransactionVisibility(t *testing.T) {
	t.Parallel()
	const checkMax = 3
	b := startBroker(t, fastTxChecks(checkMax))
	topic, pgroup := uniqueName(t, "T"), uniqueName(t, "PG")

	behaviours := []struct {
		name        string
		exec, check primitive.LocalTransactionState
		wantState   string
		wantChecks  int
	}{
		{"commit", commitTx, commitTx, "committed", 0},
		{"rollback", rollbackTx, rollbackTx, "rolled_back", 0},
		{"unknown-then-commit", unknownTx, commitTx, "committed", 1},
		{"unknown-then-rollback", unknownTx, rollbackTx, "rolled_back", 1},
		{"always-unknown", unknownTx, unknownTx, "discarded", checkMax},
	}
	byName := map[string]int{}
	for i, bh := range behaviours {
		byName[bh.name] = i
	}
	behaviourOf := func(body string) int { name, _, _ := strings.Cut(body, "/"); return byName[name] }
	l := newTxListener(topic,
		func(body string) primitive.LocalTransactionState { return behaviours[behaviourOf(body)].exec },
		func(body string) primitive.LocalTransactionState { return behaviours[behaviourOf(body)].check })
	p := b.newTxProducer(t, pgroup, l)

	const n = 60
	txID := map[string]string{} // body → transaction id (UNIQ_KEY)
	wantDelivered := map[string]int{}
	for i := range n {
		bh := behaviours[i%len(behaviours)]
		body := fmt.Sprintf("%s/%d", bh.name, i)
		res := sendTx(t, p, topic, body)
		if res.State != bh.exec {
			t.Errorf("%s: TransactionSendResult.State %d, want %d", body, res.State, bh.exec)
		}
		txID[body] = res.MsgID
		if bh.wantState == "committed" {
			wantDelivered[body] = 1
		}
	}

	eventually(t, 30*time.Second, func() bool { return len(b.transactions(t, "pending")) == 0 },
		"no pending half messages; still pending: %v", func() string { return fmt.Sprint(len(b.transactions(t, "pending"))) })

	halves := map[string]half{}
	for _, h := range b.transactions(t, "") {
		halves[h.TransactionID] = h
	}
	var unexpectedChecks, duplicatedChecks int
	for body, id := range txID {
		bh := behaviours[behaviourOf(body)]
		got := l.checkCount(body)
		switch {
		case bh.wantChecks == 0:
			unexpectedChecks += got
		case bh.wantChecks == 1 && got > 1:
			duplicatedChecks += got - 1
		}
		if got != bh.wantChecks {
			t.Errorf("%s: listener got %d check-backs, want %d", body, got, bh.wantChecks)
		}
		h, ok := halves[id]
		switch {
		case !ok:
			t.Errorf("%s: transaction %s not listed by GET /api/v1/transactions", body, id)
		case h.State != bh.wantState:
			t.Errorf("%s: admin state %q, want %q", body, h.State, bh.wantState)
		case bh.name == "always-unknown" && h.CheckCount != checkMax:
			t.Errorf("%s: admin checkCount %d, want TxCheckMax %d", body, h.CheckCount, checkMax)
		}
		if ok && (h.Topic != topic || h.ProducerGroup != pgroup) {
			t.Errorf("%s: admin topic/producerGroup %q/%q, want %q/%q", body, h.Topic, h.ProducerGroup, topic, pgroup)
		}
	}
	t.Logf("unexpected checks: %d, duplicated checks: %d", unexpectedChecks, duplicatedChecks)
	if unexpectedChecks != 0 || duplicatedChecks != 0 {
		t.Errorf("unexpected checks %d, duplicated checks %d; want 0 and 0", unexpectedChecks, duplicatedChecks)
	}
	l.report(t)

	group := uniqueName(t, "CG")
	rec := &recorder{}
	b.startConsumer(t, group, topic, rec, nil)
	eventually(t, 20*time.Second, func() bool { return len(rec.bodies()) >= len(wantDelivered) },
		"%d committed messages delivered; got %s", len(wantDelivered), func() string { return fmt.Sprint(len(rec.bodies())) })
	b.waitCaughtUp(t, group, topic)
	got := rec.bodies()
	for body, n := range got {
		if wantDelivered[body] != n {
			t.Errorf("%s: delivered %d times, want %d", body, n, wantDelivered[body])
		}
	}
	for body := range wantDelivered {
		if got[body] == 0 {
			t.Errorf("%s: committed but never delivered", body)
		}
	}
	if ti, _ := b.topic(t, topic); ti.count() != int64(len(wantDelivered)) {
		t.Errorf("topic %s holds %d messages, want only the %d committed ones", topic, ti.count(), len(wantDelivered))
	}
}

const warmupBody = "warm-up"

// warmUp makes a freshly started transactional producer known to the broker
// as a member of its producer group. The client heartbeats only to brokers it
// has learned from a route (first heartbeat 1 s after Start, then every 30 s),
// and a producer that never sent has none; so it sends one half message (its
// listener rolls it back) right away and waits for the registration.
func warmUp(t *testing.T, b *broker, p *txProducer, group, topic string) {
	t.Helper()
	sendTx(t, p, topic, warmupBody)
	eventually(t, 45*time.Second, func() bool {
		for _, id := range b.producerMembers(t, group) {
			if strings.HasSuffix(id, "@"+p.instance) {
				return true
			}
		}
		return false
	}, "producer %s listed under producer group %s", p.instance, group)
}

// TestTransactionCheckGoesToAnotherInstance: the producer that sent a half
// message is gone; the check-back must reach another live producer of the
// same group, whose answer commits the message.
func TestTransactionCheckGoesToAnotherInstance(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name         string
		startBBefore bool
	}{
		{"B started before A", true},
		{"B started after A shut down", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := startBroker(t, fastTxChecks(15))
			topic, pgroup := uniqueName(t, "T"), uniqueName(t, "PG")
			const body = "handoff"
			la := newTxListener(topic,
				func(string) primitive.LocalTransactionState { return unknownTx },
				func(string) primitive.LocalTransactionState { return unknownTx })
			lb := newTxListener(topic,
				func(body string) primitive.LocalTransactionState {
					if body == warmupBody {
						return rollbackTx
					}
					return unknownTx
				},
				func(string) primitive.LocalTransactionState { return commitTx })
			startB := func() { warmUp(t, b, b.newTxProducer(t, pgroup, lb), pgroup, topic) }

			if tc.startBBefore {
				startB()
			}
			pa := b.newTxProducer(t, pgroup, la)
			res := sendTx(t, pa, topic, body)
			if err := pa.Shutdown(); err != nil {
				t.Fatalf("shutdown A: %v", err)
			}
			if !tc.startBBefore {
				startB()
			}

			eventually(t, 20*time.Second, func() bool {
				h, ok := b.transaction(t, res.MsgID)
				return ok && h.State == "committed"
			}, "transaction %s committed through producer B", res.MsgID)
			if got := lb.checkCount(body); got < 1 {
				t.Errorf("producer B answered %d check-backs for %q, want ≥1", got, body)
			}
			la.report(t)
			lb.report(t)

			group := uniqueName(t, "CG")
			rec := &recorder{}
			b.startConsumer(t, group, topic, rec, nil)
			eventually(t, 20*time.Second, func() bool { return rec.bodies()[body] > 0 }, "committed message delivered")
			b.waitCaughtUp(t, group, topic)
			for _, d := range rec.all() {
				if d.Body != body || d.MsgID != res.MsgID {
					t.Errorf("delivery %q MsgId %s, want only %q MsgId %s", d.Body, d.MsgID, body, res.MsgID)
				}
			}
			if got := rec.len(); got != 1 {
				t.Errorf("delivered %d times, want once", got)
			}
		})
	}
}
