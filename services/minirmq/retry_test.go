package minirmq_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apache/rocketmq-client-go/v2/consumer"
	"github.com/apache/rocketmq-client-go/v2/primitive"
)

// tolerance for comparing client clocks with the broker's millisecond timestamps.
const msTolerance = 2 * time.Millisecond

// TestRetryThroughRetryTopic: RetryLater three times, then success. Each
// retry comes back through %RETRY%<group> after delay level 1, with the
// original topic restored by the client, the same MsgId and body and an
// increasing ReconsumeTimes; nothing comes after the success.
func TestRetryThroughRetryTopic(t *testing.T) {
	t.Parallel()
	b := startBroker(t)
	topic, group := uniqueName(t, "T"), uniqueName(t, "CG")
	p := b.newProducer(t, uniqueName(t, "PG"))
	res := sendSync(t, p, primitive.NewMessage(topic, []byte("retry me")).WithTag("TagR"))

	rec := &recorder{}
	b.startConsumer(t, group, topic, rec, func(ctx context.Context, d delivery) consumer.ConsumeResult {
		if d.ReconsumeTimes < 3 {
			return retryLater(ctx)
		}
		return consumer.ConsumeSuccess
	})
	eventually(t, 20*time.Second, func() bool { return rec.len() >= 4 }, "4 deliveries; got %s",
		func() string { return fmt.Sprint(rec.len()) })
	retryTopic := "%RETRY%" + group
	b.waitCaughtUp(t, group, retryTopic)
	b.waitCaughtUp(t, group, topic)

	ds := rec.all()
	if len(ds) != 4 {
		t.Fatalf("got %d deliveries, want 4 (3 failures + 1 success)", len(ds))
	}
	for i, d := range ds {
		wantQueueTopic := retryTopic
		if i == 0 {
			wantQueueTopic = topic
		}
		if d.ReconsumeTimes != int32(i) {
			t.Errorf("delivery %d: ReconsumeTimes %d, want %d", i, d.ReconsumeTimes, i)
		}
		if d.QueueTopic != wantQueueTopic {
			t.Errorf("delivery %d: pulled from %q, want %q", i, d.QueueTopic, wantQueueTopic)
		}
		if d.Topic != topic || d.MsgID != res.MsgID || d.Body != "retry me" || d.Tags != "TagR" {
			t.Errorf("delivery %d: topic %q MsgId %s body %q tags %q; want %q %s %q %q",
				i, d.Topic, d.MsgID, d.Body, d.Tags, topic, res.MsgID, "retry me", "TagR")
		}
		if i == 0 {
			continue
		}
		if got := d.Props[primitive.PropertyRetryTopic]; got != topic {
			t.Errorf("delivery %d: RETRY_TOPIC %q, want %q", i, got, topic)
		}
		if got := d.Props[primitive.PropertyOriginMessageId]; !strings.EqualFold(got, res.OffsetMsgID) {
			t.Errorf("delivery %d: ORIGIN_MESSAGE_ID %q, want the first message's offset id %q", i, got, res.OffsetMsgID)
		}
		if gap := d.At.Sub(ds[i-1].At); gap < testDelayLevels[0]-msTolerance {
			t.Errorf("delivery %d came %v after the previous one, want ≥ delay level 1 (%v)", i, gap, testDelayLevels[0])
		}
	}
}

// TestDeadLetterAndReplay: with MaxReconsumeTimes 2 a message that always
// fails is delivered 3 times and lands in %DLQ%<group>; the admin API lists
// it, replays it once to its original topic, and refuses a second replay.
func TestDeadLetterAndReplay(t *testing.T) {
	t.Parallel()
	b := startBroker(t)
	topic, group := uniqueName(t, "T"), uniqueName(t, "CG")
	p := b.newProducer(t, uniqueName(t, "PG"))
	const body = "poison"
	res := sendSync(t, p, primitive.NewMessage(topic, []byte(body)).WithKeys([]string{"dlq-key"}))

	var succeed atomic.Bool
	rec := &recorder{}
	b.startConsumer(t, group, topic, rec, func(ctx context.Context, d delivery) consumer.ConsumeResult {
		if succeed.Load() {
			return consumer.ConsumeSuccess
		}
		return retryLater(ctx)
	}, consumer.WithMaxReconsumeTimes(2))

	var dl []deadLetter
	eventually(t, 20*time.Second, func() bool { dl = b.deadLetters(t, group); return len(dl) > 0 },
		"dead letter listed for %s; deliveries so far %s", group, func() string { return fmt.Sprint(rec.len()) })
	if len(dl) != 1 {
		t.Fatalf("dead letters of %s: %d, want 1: %+v", group, len(dl), dl)
	}
	d := dl[0]
	if d.OriginalTopic != topic || d.Replayed || d.Body != body || d.MsgID != res.MsgID {
		t.Errorf("dead letter originalTopic %q replayed %v body %q msgId %s; want %q false %q %s",
			d.OriginalTopic, d.Replayed, d.Body, d.MsgID, topic, body, res.MsgID)
	}
	// the third failure is what sent it to the DLQ: nothing is redelivered after it
	consistently(t, time.Second, func() bool { return rec.len() == 3 },
		"deliveries before the DLQ: %s, want exactly 3 (1 + MaxReconsumeTimes)", func() string { return fmt.Sprint(rec.len()) })
	for i, d := range rec.all() {
		if d.ReconsumeTimes != int32(i) {
			t.Errorf("delivery %d: ReconsumeTimes %d, want %d", i, d.ReconsumeTimes, i)
		}
	}
	var summary struct {
		Groups []struct {
			Group          string `json:"group"`
			Total, Pending int
		} `json:"groups"`
	}
	b.mustCall(t, "GET", "/api/v1/dead-letters", "", http.StatusOK, &summary)
	found := false
	for _, g := range summary.Groups {
		if g.Group == group {
			found = true
			if g.Total != 1 || g.Pending != 1 {
				t.Errorf("dead-letter summary of %s: total %d pending %d, want 1 and 1", group, g.Total, g.Pending)
			}
		}
	}
	if !found {
		t.Errorf("GET /api/v1/dead-letters does not list group %s", group)
	}

	succeed.Store(true)
	replayPath := fmt.Sprintf("/api/v1/dead-letters/%s/%d/replay", url.PathEscape(group), d.QueueOffset)
	var replayed struct {
		Message adminMessage `json:"message"`
	}
	b.mustCall(t, "POST", replayPath, "", http.StatusOK, &replayed)
	if replayed.Message.Topic != topic {
		t.Errorf("replay answered topic %q, want the original topic %q", replayed.Message.Topic, topic)
	}
	eventually(t, 20*time.Second, func() bool { return rec.len() >= 4 }, "replayed dead letter delivered")
	b.waitCaughtUp(t, group, topic)
	ds := rec.all()
	if len(ds) != 4 {
		t.Fatalf("deliveries %d, want 4 (3 failures + the replay)", len(ds))
	}
	last := ds[3]
	if last.QueueTopic != topic || last.Topic != topic || last.Body != body || last.ReconsumeTimes != 0 {
		t.Errorf("replay delivery: pulled from %q, topic %q, body %q, ReconsumeTimes %d; want %q, %q, %q, 0",
			last.QueueTopic, last.Topic, last.Body, last.ReconsumeTimes, topic, topic, body)
	}
	t.Logf("replay delivery MsgId %s (original %s)", last.MsgID, res.MsgID)

	if dl := b.deadLetters(t, group); len(dl) != 1 || !dl[0].Replayed {
		t.Errorf("after replay the dead letter should be listed with replayed=true: %+v", dl)
	}
	status, raw := b.call(t, "POST", replayPath, "")
	if status != http.StatusConflict {
		t.Errorf("second replay: status %d, want 409; body %s", status, raw)
	}
	wantAPIError(t, "second replay", status, raw)
}

// TestRedeliverToOneGroup: the admin redeliver hands a consumed message
// again to one group only, with the same MsgId and body.
func TestRedeliverToOneGroup(t *testing.T) {
	t.Parallel()
	b := startBroker(t)
	topic := uniqueName(t, "T")
	groupA, groupB := uniqueName(t, "CGA"), uniqueName(t, "CGB")
	p := b.newProducer(t, uniqueName(t, "PG"))
	m := primitive.NewMessage(topic, []byte("pay order 7")).WithKeys([]string{"order-7"})
	m.WithProperty("customProp", "kept")
	res := sendSync(t, p, m)

	recA, recB := &recorder{}, &recorder{}
	b.startConsumer(t, groupA, topic, recA, nil)
	b.startConsumer(t, groupB, topic, recB, nil)
	eventually(t, 20*time.Second, func() bool { return recA.len() == 1 && recB.len() == 1 }, "both groups consume the message")
	before, _ := b.topic(t, topic)

	var out struct {
		Message adminMessage `json:"message"`
	}
	b.mustCall(t, "POST", "/api/v1/consumer-groups/"+url.PathEscape(groupA)+"/redeliver",
		fmt.Sprintf(`{"msgId":%q}`, res.OffsetMsgID), http.StatusAccepted, &out)
	if out.Message.MsgID != res.MsgID {
		t.Errorf("redeliver answered msgId %q, want %q", out.Message.MsgID, res.MsgID)
	}
	eventually(t, 20*time.Second, func() bool { return recA.len() >= 2 }, "group A gets the message again")
	again := recA.all()[1]
	if again.MsgID != res.MsgID || again.Body != "pay order 7" || again.Topic != topic || again.Props["customProp"] != "kept" {
		t.Errorf("redelivery: MsgId %s body %q topic %q customProp %q; want %s %q %q %q",
			again.MsgID, again.Body, again.Topic, again.Props["customProp"], res.MsgID, "pay order 7", topic, "kept")
	}
	if again.QueueTopic != "%RETRY%"+groupA {
		t.Errorf("redelivery pulled from %q, want %q", again.QueueTopic, "%RETRY%"+groupA)
	}
	consistently(t, 1500*time.Millisecond, func() bool { return recB.len() == 1 && recA.len() == 2 },
		"redelivery must reach group A once and group B never: A %s, B %s",
		func() string { return fmt.Sprint(recA.len()) }, func() string { return fmt.Sprint(recB.len()) })
	if after, _ := b.topic(t, topic); after.count() != before.count() {
		t.Errorf("redeliver appended to the shared topic: %d messages before, %d after", before.count(), after.count())
	}
}
