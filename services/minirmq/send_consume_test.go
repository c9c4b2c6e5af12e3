package minirmq_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/apache/rocketmq-client-go/v2/primitive"
)

var hex32 = regexp.MustCompile(`^[0-9A-Fa-f]{32}$`)

// sentMsg is what the test expects a consumer to see for one stored message.
type sentMsg struct {
	body, tags, keys string
	props            map[string]string
	msgID            string // consumer MsgId: UNIQ_KEY for single sends, offset id for batch entries
	offsetMsgID      string
	queueID          int
	queueOffset      int64
}

// TestSendBatchConsume: sync single sends (keys, tags, user properties, one
// body large enough for the client to zlib it) and one batch of 10 are each
// delivered exactly once to a new push-consumer group with everything intact.
func TestSendBatchConsume(t *testing.T) {
	t.Parallel()
	b := startBroker(t)
	topic, group := uniqueName(t, "T"), uniqueName(t, "CG")
	p := b.newProducer(t, uniqueName(t, "PG"))

	const singles = 12
	var want []sentMsg
	nextOffset := map[int]int64{} // queue → next expected logical offset (fresh topic starts at 0)
	checkOffsets := func(what string, res *primitive.SendResult, n int) {
		t.Helper()
		q := res.MessageQueue.QueueId
		if got, want := res.QueueOffset, nextOffset[q]; got != want {
			t.Errorf("%s: queue %d offset %d, want %d (offsets must increase by one per message in each queue)", what, q, got, want)
		}
		nextOffset[q] = res.QueueOffset + int64(n)
	}
	for i := range singles {
		body := fmt.Sprintf("single-%d", i)
		if i == 5 {
			body += strings.Repeat("x", 8<<10) // ≥4 KiB: sent zlib-compressed with sysFlag bit 0
		}
		tag := []string{"TagA", "TagB"}[i%2]
		keys := []string{fmt.Sprintf("key-%d", i), fmt.Sprintf("order-%d", 100+i)}
		props := map[string]string{"customProp": fmt.Sprintf("v%d", i), "tenant": "rocketmart"}
		m := primitive.NewMessage(topic, []byte(body)).WithTag(tag).WithKeys(keys)
		for k, v := range props {
			m.WithProperty(k, v)
		}
		res := sendSync(t, p, m)
		if got, want := res.MsgID, m.GetProperty(primitive.PropertyUniqueClientMessageIdKeyIndex); got != want || want == "" {
			t.Errorf("single %d: SendResult.MsgID %q, want the UNIQ_KEY %q", i, got, want)
		}
		if !hex32.MatchString(res.OffsetMsgID) {
			t.Errorf("single %d: OffsetMsgID %q is not 32 hex chars", i, res.OffsetMsgID)
		}
		checkOffsets(fmt.Sprintf("single %d", i), res, 1)
		want = append(want, sentMsg{body: body, tags: tag, keys: strings.Join(keys, " "), props: props,
			msgID: res.MsgID, offsetMsgID: res.OffsetMsgID, queueID: res.MessageQueue.QueueId, queueOffset: res.QueueOffset})
	}

	var batch []*primitive.Message
	for j := range 10 {
		m := primitive.NewMessage(topic, []byte(fmt.Sprintf("batch-%d", j))).
			WithTag("TagBatch").WithKeys([]string{fmt.Sprintf("bkey-%d", j)})
		m.WithProperty("batchProp", fmt.Sprintf("b%d", j))
		batch = append(batch, m)
	}
	res := sendSync(t, p, batch...)
	ids := strings.Split(res.OffsetMsgID, ",")
	if len(ids) != len(batch) {
		t.Fatalf("batch: OffsetMsgID %q holds %d ids, want %d comma-joined offset ids", res.OffsetMsgID, len(ids), len(batch))
	}
	checkOffsets("batch", res, len(batch))
	for j, id := range ids {
		if !hex32.MatchString(id) {
			t.Errorf("batch entry %d: offset id %q is not 32 hex chars", j, id)
		}
		// no UNIQ_KEY inside batches: the consumer's MsgId is the offset id
		want = append(want, sentMsg{body: fmt.Sprintf("batch-%d", j), tags: "TagBatch", keys: fmt.Sprintf("bkey-%d", j),
			props: map[string]string{"batchProp": fmt.Sprintf("b%d", j)}, msgID: strings.ToUpper(id), offsetMsgID: strings.ToUpper(id),
			queueID: res.MessageQueue.QueueId, queueOffset: res.QueueOffset + int64(j)})
	}
	seen := map[string]bool{}
	for _, w := range want {
		if seen[w.offsetMsgID] {
			t.Errorf("offset msg id %s returned twice", w.offsetMsgID)
		}
		seen[w.offsetMsgID] = true
	}

	rec := &recorder{}
	b.startConsumer(t, group, topic, rec, nil)
	eventually(t, 20*time.Second, func() bool { return len(rec.bodies()) == len(want) },
		"all %d messages delivered; got %v", len(want), func() string { return fmt.Sprint(len(rec.bodies())) })
	b.waitCaughtUp(t, group, topic)

	byBody := map[string][]delivery{}
	for _, d := range rec.all() {
		byBody[d.Body] = append(byBody[d.Body], d)
	}
	if len(byBody) != len(want) {
		t.Errorf("got %d distinct bodies, want %d", len(byBody), len(want))
	}
	for _, w := range want {
		ds := byBody[w.body]
		if len(ds) != 1 {
			t.Errorf("%.20s: delivered %d times, want exactly once", w.body, len(ds))
			if len(ds) == 0 {
				continue
			}
		}
		d := ds[0]
		type check struct {
			field, got, want string
			hexID            bool // ids are hex: compare case-insensitively
		}
		checks := []check{
			{"topic", d.Topic, topic, false},
			{"tags", d.Tags, w.tags, false},
			{"keys", d.Keys, w.keys, false},
			{"MsgId", d.MsgID, w.msgID, true},
			{"OffsetMsgId", d.OffsetMsgID, w.offsetMsgID, true},
			{"queue", fmt.Sprint(d.QueueID), fmt.Sprint(w.queueID), false},
			{"queue offset", fmt.Sprint(d.QueueOffset), fmt.Sprint(w.queueOffset), false},
			{"CLUSTER property", d.Props[primitive.PropertyCluster], b.cfg.ClusterName, false},
		}
		for k, v := range w.props {
			checks = append(checks, check{"property " + k, d.Props[k], v, false})
		}
		for _, c := range checks {
			if c.got != c.want && !(c.hexID && strings.EqualFold(c.got, c.want)) {
				t.Errorf("%.20s: %s = %q, want %q", w.body, c.field, c.got, c.want)
			}
		}
	}
}
