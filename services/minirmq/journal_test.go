package minirmq_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apache/rocketmq-client-go/v2/consumer"
	"github.com/apache/rocketmq-client-go/v2/primitive"
)

// journalEntry is one entry of GET /api/v1/journal, the timeline contract's shape.
type journalEntry struct {
	At       string `json:"at"`
	Actor    string `json:"actor"`
	Instance string `json:"instance"`
	Step     string `json:"step"`
	Key      string `json:"key"`
	Topic    string `json:"topic"`
	MsgID    string `json:"msgId"`
	TxID     string `json:"txId"`
	Group    string `json:"group"`
	Attempt  int    `json:"attempt"`
	Outcome  string `json:"outcome"`
	Detail   string `json:"detail"`
}

const journalRetention = "the last 100000 broker events since minirmq started (in memory)"

// contractTime is the contract's "at": UTC, RFC 3339, microseconds.
var contractTime = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$`)

// journal reads the broker's journal of a key and checks what every answer
// must hold: the retention text, entries of that key by the broker, oldest first.
func (b *broker) journal(t testing.TB, key string) []journalEntry {
	t.Helper()
	var out struct {
		Entries   []journalEntry `json:"entries"`
		Retention string         `json:"retention"`
	}
	b.mustCall(t, "GET", "/api/v1/journal?key="+url.QueryEscape(key), "", http.StatusOK, &out)
	if out.Retention != journalRetention {
		t.Errorf("journal retention %q, want %q", out.Retention, journalRetention)
	}
	for i, e := range out.Entries {
		if e.Actor != "broker" || e.Key != key || e.Instance != b.srv.Addr() || !contractTime.MatchString(e.At) {
			t.Errorf("journal of %s, entry %d %+v: want actor broker, key %s, instance %s, at like 2026-12-03T07:00:00.123456Z",
				key, i, e, key, b.srv.Addr())
		}
		if i > 0 && e.At < out.Entries[i-1].At { // same format and zone: text order is time order
			t.Errorf("journal of %s: entry %d (%s at %s) is older than the one before it (%s)", key, i, e.Step, e.At, out.Entries[i-1].At)
		}
	}
	return out.Entries
}

// steps names a journal's entries as "step" or "step/attempt", leaving out skip.
func steps(es []journalEntry, skip ...string) []string {
	out := []string{}
	for _, e := range es {
		if slices.Contains(skip, e.Step) {
			continue
		}
		s := e.Step
		if e.Attempt > 0 {
			s += fmt.Sprintf("/%d", e.Attempt)
		}
		out = append(out, s)
	}
	return out
}

// waitJournal polls a key's journal until cond holds.
func (b *broker) waitJournal(t *testing.T, key string, cond func([]journalEntry) bool, what string) []journalEntry {
	t.Helper()
	var es []journalEntry
	eventually(t, 30*time.Second, func() bool { es = b.journal(t, key); return cond(es) },
		"journal of %s: %s; it has %s", key, what, func() string { return fmt.Sprint(steps(es)) })
	return es
}

func hasStep(step string, attempt int) func([]journalEntry) bool {
	return func(es []journalEntry) bool {
		return slices.ContainsFunc(es, func(e journalEntry) bool { return e.Step == step && e.Attempt == attempt })
	}
}

func sendTxWithKey(t *testing.T, p *txProducer, topic, body, key string) *primitive.TransactionSendResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := p.SendMessageInTransaction(ctx, primitive.NewMessage(topic, []byte(body)).WithKeys([]string{key}))
	if err != nil || res.Status != primitive.SendOK {
		t.Fatalf("SendMessageInTransaction(%q): %v %+v", body, err, res)
	}
	return res
}

func TestJournalAPI(t *testing.T) {
	t.Parallel()
	b := startBroker(t)
	if es := b.journal(t, "RM-never-seen"); len(es) != 0 {
		t.Errorf("unknown key: %d entries, want none", len(es))
	}
	status, raw := b.call(t, "GET", "/api/v1/journal?key=RM-never-seen", "")
	if status != http.StatusOK || !strings.Contains(string(raw), `"entries": []`) {
		t.Errorf("unknown key: status %d body %s; want 200 with \"entries\": []", status, raw)
	}
	for _, path := range []string{"/api/v1/journal", "/api/v1/journal?key="} {
		status, raw := b.call(t, "GET", path, "")
		wantAPIError(t, path, status, raw)
		if status != http.StatusBadRequest {
			t.Errorf("GET %s: status %d, want 400", path, status)
		}
	}
	// A read like the other reads: no admin token needed.
	if status, raw := b.callWithToken(t, "", "GET", "/api/v1/journal?key=x", ""); status != http.StatusOK {
		t.Errorf("journal without a token: status %d %s, want 200", status, raw)
	}
}

// TestJournalTransactionDecidedByProducer: a commit is journaled from the
// half to the group's ack, in order; a rollback ends at its decision.
func TestJournalTransactionDecidedByProducer(t *testing.T) {
	t.Parallel()
	b := startBroker(t)
	topic, pgroup, group := uniqueName(t, "T"), uniqueName(t, "PG"), uniqueName(t, "CG")
	l := newTxListener(topic,
		func(body string) primitive.LocalTransactionState {
			if body == "rollback" {
				return rollbackTx
			}
			return commitTx
		},
		func(string) primitive.LocalTransactionState { return unknownTx })
	p := b.newTxProducer(t, pgroup, l)
	commitKey, rollbackKey := uniqueName(t, "RM"), uniqueName(t, "RM")
	rolledBack := sendTxWithKey(t, p, topic, "rollback", rollbackKey)
	committed := sendTxWithKey(t, p, topic, "commit", commitKey)
	b.startConsumer(t, group, topic, &recorder{}, nil)

	es := b.waitJournal(t, commitKey, hasStep("acked", 1), "acked by "+group)
	if got, want := steps(es), []string{"half-stored", "end-transaction", "decided", "stored", "delivered/1", "acked/1"}; !slices.Equal(got, want) {
		t.Fatalf("committed transaction: steps %v, want %v", got, want)
	}
	id := committed.MsgID
	for _, c := range []struct {
		e    journalEntry
		want journalEntry
	}{
		{es[0], journalEntry{Step: "half-stored", Topic: topic, MsgID: id, TxID: id, Group: pgroup}},
		{es[1], journalEntry{Step: "end-transaction", Topic: topic, TxID: id, Group: pgroup, Outcome: "commit"}},
		{es[2], journalEntry{Step: "decided", Topic: topic, TxID: id, Group: pgroup, Outcome: "commit", Detail: "by the producer"}},
		{es[3], journalEntry{Step: "stored", Topic: topic, MsgID: id}},
		{es[4], journalEntry{Step: "delivered", Topic: topic, MsgID: id, Group: group, Attempt: 1}},
		{es[5], journalEntry{Step: "acked", Topic: topic, MsgID: id, Group: group, Attempt: 1}},
	} {
		got := c.e
		got.At, got.Actor, got.Instance, got.Key = "", "", "", ""
		if c.want.Detail == "" {
			got.Detail = ""
		}
		if got != c.want {
			t.Errorf("%s entry %+v, want %+v", c.want.Step, got, c.want)
		}
	}
	if d := es[1].Detail; !strings.Contains(d, "@"+p.instance) && !strings.Contains(d, "connection 127.0.0.1:") {
		t.Errorf("end-transaction detail %q should name the producer client", d)
	}

	es = b.journal(t, rollbackKey)
	if got, want := steps(es), []string{"half-stored", "end-transaction", "decided"}; !slices.Equal(got, want) {
		t.Errorf("rolled back transaction: steps %v, want %v (never stored, never delivered)", got, want)
	} else if d := es[2]; d.Outcome != "rollback" || d.Detail != "by the producer" || d.TxID != rolledBack.MsgID || es[1].Outcome != "rollback" {
		t.Errorf("rollback: end-transaction %+v, decided %+v; want outcome rollback by the producer, txId %s", es[1], d, rolledBack.MsgID)
	}
}

// TestJournalCheckBack: halves left unknown are checked back; one is
// committed by the second check, one is discarded after TxCheckMax checks.
func TestJournalCheckBack(t *testing.T) {
	t.Parallel()
	const checkMax = 2
	b := startBroker(t, fastTxChecks(checkMax))
	topic, pgroup := uniqueName(t, "T"), uniqueName(t, "PG")
	var l *txListener
	l = newTxListener(topic,
		func(string) primitive.LocalTransactionState { return unknownTx },
		func(body string) primitive.LocalTransactionState {
			if body == "late" && l.checkCount(body) >= 2 {
				return commitTx
			}
			return unknownTx
		})
	p := b.newTxProducer(t, pgroup, l)
	lateKey, neverKey := uniqueName(t, "RM"), uniqueName(t, "RM")
	late := sendTxWithKey(t, p, topic, "late", lateKey)
	sendTxWithKey(t, p, topic, "never", neverKey)

	es := b.waitJournal(t, lateKey, hasStep("stored", 0), "committed by a check-back")
	want := []string{"half-stored", "end-transaction", "check-sent/1", "end-transaction", "check-sent/2", "end-transaction", "decided", "stored"}
	if got := steps(es); !slices.Equal(got, want) {
		t.Fatalf("late commit: steps %v, want %v", got, want)
	}
	for i, outcome := range map[int]string{1: "unknown", 3: "unknown", 5: "commit"} {
		if es[i].Outcome != outcome || es[i].TxID != late.MsgID {
			t.Errorf("late commit: entry %d %+v, want outcome %s for txId %s", i, es[i], outcome, late.MsgID)
		}
	}
	if !strings.Contains(es[3].Detail, "answer to a check-back") || !strings.Contains(es[2].Detail, "to ") {
		t.Errorf("late commit: check-sent detail %q should name the producer, the answer's %q should say it answers a check-back",
			es[2].Detail, es[3].Detail)
	}
	if d := es[6]; d.Outcome != "commit" || d.Detail != "by a check-back" {
		t.Errorf("late commit: decided %+v, want commit by a check-back", d)
	}

	es = b.waitJournal(t, neverKey, hasStep("decided", 0), "discarded")
	want = []string{"half-stored", "end-transaction", "check-sent/1", "end-transaction", "check-sent/2", "end-transaction", "decided"}
	if got := steps(es); !slices.Equal(got, want) {
		t.Fatalf("never answered: steps %v, want %v", got, want)
	}
	if d := es[6]; d.Outcome != "rollback" || d.Detail != fmt.Sprintf("discarded after %d checks", checkMax) {
		t.Errorf("never answered: decided %+v, want rollback, discarded after %d checks", d, checkMax)
	}
}

// TestJournalRetries: a consumer fails twice, then succeeds: three
// deliveries with a retry between each two, and every delivered copy acked
// (the first two after the consumer sent them back).
func TestJournalRetries(t *testing.T) {
	t.Parallel()
	b := startBroker(t)
	topic, group := uniqueName(t, "T"), uniqueName(t, "CG")
	key := uniqueName(t, "RM")
	res := sendSync(t, b.newProducer(t, uniqueName(t, "PG")), primitive.NewMessage(topic, []byte("flaky")).WithKeys([]string{key}))
	b.startConsumer(t, group, topic, &recorder{}, func(ctx context.Context, d delivery) consumer.ConsumeResult {
		if d.ReconsumeTimes < 2 {
			return retryLater(ctx)
		}
		return consumer.ConsumeSuccess
	})

	es := b.waitJournal(t, key, func(es []journalEntry) bool {
		return hasStep("acked", 1)(es) && hasStep("acked", 2)(es) && hasStep("acked", 3)(es)
	}, "every delivery acked")
	if got, want := steps(es, "acked"), []string{"stored", "delivered/1", "retry/2", "delivered/2", "retry/3", "delivered/3"}; !slices.Equal(got, want) {
		t.Fatalf("steps without acks %v, want %v", got, want)
	}
	delivered := map[int]int{} // attempt → index
	for i, e := range es {
		if e.MsgID != res.MsgID || (e.Step != "stored" && e.Group != group) || e.Topic != topic {
			t.Errorf("entry %d %+v: want msgId %s, group %s, topic %s", i, e, res.MsgID, group, topic)
		}
		switch e.Step {
		case "delivered":
			delivered[e.Attempt] = i
		case "retry":
			if !strings.Contains(e.Detail, "after 100ms (delay level 1)") {
				t.Errorf("retry %+v: detail should give the delay, 100ms (delay level 1)", e)
			}
		case "acked":
			di, ok := delivered[e.Attempt]
			sentBack := strings.Contains(e.Detail, "sent this attempt back")
			if !ok || di > i || sentBack != (e.Attempt < 3) {
				t.Errorf("acked %+v at %d: want it after delivered/%d, saying it was sent back for attempts 1 and 2 only", e, i, e.Attempt)
			}
		}
	}
}

// TestJournalDeadLetterAndReplay: with MaxReconsumeTimes 1 the second
// failure dead-letters the message; a replay delivers it again.
func TestJournalDeadLetterAndReplay(t *testing.T) {
	t.Parallel()
	b := startBroker(t)
	topic, group := uniqueName(t, "T"), uniqueName(t, "CG")
	key := uniqueName(t, "RM")
	sendSync(t, b.newProducer(t, uniqueName(t, "PG")), primitive.NewMessage(topic, []byte("poison")).WithKeys([]string{key}))
	var succeed atomic.Bool
	b.startConsumer(t, group, topic, &recorder{}, func(ctx context.Context, d delivery) consumer.ConsumeResult {
		if succeed.Load() {
			return consumer.ConsumeSuccess
		}
		return retryLater(ctx)
	}, consumer.WithMaxReconsumeTimes(1))

	es := b.waitJournal(t, key, hasStep("dead-lettered", 0), "dead-lettered")
	if got, want := steps(es, "acked"), []string{"stored", "delivered/1", "retry/2", "delivered/2", "dead-lettered"}; !slices.Equal(got, want) {
		t.Fatalf("before the replay: steps without acks %v, want %v", got, want)
	}
	if d := es[len(es)-1]; d.Group != group || !strings.Contains(d.Detail, "%DLQ%"+group) {
		t.Errorf("dead-lettered %+v: want group %s and the DLQ named", d, group)
	}

	var dl []deadLetter
	eventually(t, 10*time.Second, func() bool { dl = b.deadLetters(t, group); return len(dl) == 1 }, "one dead letter listed")
	succeed.Store(true)
	b.mustCall(t, "POST", fmt.Sprintf("/api/v1/dead-letters/%s/%d/replay", url.PathEscape(group), dl[0].QueueOffset), "", http.StatusOK, nil)

	es = b.waitJournal(t, key, func(es []journalEntry) bool {
		i := slices.IndexFunc(es, func(e journalEntry) bool { return e.Step == "replayed" })
		return i >= 0 && slices.ContainsFunc(es[i:], func(e journalEntry) bool { return e.Step == "acked" })
	}, "replayed, delivered and acked")
	want := []string{"stored", "delivered/1", "retry/2", "delivered/2", "dead-lettered", "replayed", "delivered/1"}
	if got := steps(es, "acked"); !slices.Equal(got, want) {
		t.Errorf("after the replay: steps without acks %v, want %v", got, want)
	}
	if r := es[slices.IndexFunc(es, func(e journalEntry) bool { return e.Step == "replayed" })]; r.Group != group || r.Topic != topic {
		t.Errorf("replayed %+v: want group %s, topic %s", r, group, topic)
	}
}

// TestJournalRedeliver: an admin redelivery is journaled, then delivered
// to that group again.
func TestJournalRedeliver(t *testing.T) {
	t.Parallel()
	b := startBroker(t)
	topic, group := uniqueName(t, "T"), uniqueName(t, "CG")
	key := uniqueName(t, "RM")
	res := sendSync(t, b.newProducer(t, uniqueName(t, "PG")), primitive.NewMessage(topic, []byte("again")).WithKeys([]string{key}))
	b.startConsumer(t, group, topic, &recorder{}, nil)
	b.waitJournal(t, key, hasStep("acked", 1), "acked")

	b.mustCall(t, "POST", "/api/v1/consumer-groups/"+url.PathEscape(group)+"/redeliver",
		fmt.Sprintf(`{"msgId":%q}`, res.OffsetMsgID), http.StatusAccepted, nil)
	es := b.waitJournal(t, key, func(es []journalEntry) bool {
		return len(steps(es, "delivered", "stored", "redelivered")) == 2 // two acks
	}, "the redelivered copy acked")
	if got, want := steps(es, "acked"), []string{"stored", "delivered/1", "redelivered", "delivered/1"}; !slices.Equal(got, want) {
		t.Errorf("steps without acks %v, want %v", got, want)
	}
	i := slices.IndexFunc(es, func(e journalEntry) bool { return e.Step == "redelivered" })
	last := 0
	for j, e := range es {
		if e.Step == "delivered" {
			last = j
		}
	}
	if r, d := es[i], es[last]; r.Group != group || r.MsgID != res.MsgID || d.Step != "delivered" || !strings.Contains(d.Detail, "%RETRY%"+group) {
		t.Errorf("redelivered %+v then %+v: want group %s, msgId %s, delivered from %%RETRY%%%s", r, d, group, res.MsgID, group)
	}
}
