package minirmq_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apache/rocketmq-client-go/v2/primitive"
)

// TestAdminAPI: the admin API's views of topics, messages and consumer
// groups, and its answers to bad input (4xx with the JSON error shape, never 5xx).
func TestAdminAPI(t *testing.T) {
	t.Parallel()
	b := startBroker(t)
	topic, group := uniqueName(t, "T"), uniqueName(t, "CG")
	p := b.newProducer(t, uniqueName(t, "PG"))

	var health struct{ Status string }
	b.mustCall(t, "GET", "/healthz", "", http.StatusOK, &health)
	if health.Status != "ok" {
		t.Errorf("healthz status %q, want ok", health.Status)
	}
	if status, raw := b.call(t, "GET", "/metrics", ""); status != http.StatusOK || !strings.Contains(string(raw), "# TYPE") {
		t.Errorf("GET /metrics: status %d, Prometheus text format expected; body starts %.80q", status, raw)
	}

	const n = 6
	var results []*primitive.SendResult
	for i := range n {
		m := primitive.NewMessage(topic, []byte(fmt.Sprintf("admin-%d", i))).
			WithTag("TagAdm").WithKeys([]string{fmt.Sprintf("order-%d", 40+i)})
		m.WithProperty("customProp", fmt.Sprintf("c%d", i))
		results = append(results, sendSync(t, p, m))
	}
	target := results[2] // key order-42

	ti, ok := b.topic(t, topic)
	if !ok {
		t.Fatalf("GET /api/v1/topics does not list %s", topic)
	}
	if ti.Kind != "normal" || ti.count() != n {
		t.Errorf("topic %s: kind %q, %d messages; want normal, %d", topic, ti.Kind, ti.count(), n)
	}
	maxByQueue := map[int]int64{}
	for _, r := range results {
		maxByQueue[r.MessageQueue.QueueId] = max(maxByQueue[r.MessageQueue.QueueId], r.QueueOffset+1)
	}
	for _, q := range ti.Queues {
		if q.MinOffset != 0 || q.MaxOffset != maxByQueue[q.QueueID] {
			t.Errorf("topic %s queue %d: min %d max %d, want 0 and %d", topic, q.QueueID, q.MinOffset, q.MaxOffset, maxByQueue[q.QueueID])
		}
	}

	var byKey struct{ Messages []adminMessage }
	b.mustCall(t, "GET", "/api/v1/topics/"+url.PathEscape(topic)+"/messages?key=order-42", "", http.StatusOK, &byKey)
	if len(byKey.Messages) != 1 {
		t.Fatalf("messages with key order-42: %d, want 1: %+v", len(byKey.Messages), byKey.Messages)
	}
	if m := byKey.Messages[0]; m.MsgID != target.MsgID || m.Body != "admin-2" || !slices.Contains(m.keyList(), "order-42") {
		t.Errorf("by key: msgId %s body %q keys %v; want %s, admin-2, [order-42]", m.MsgID, m.Body, m.keyList(), target.MsgID)
	}

	var queueMsgs struct{ Messages []adminMessage }
	q := target.MessageQueue.QueueId
	b.mustCall(t, "GET", fmt.Sprintf("/api/v1/topics/%s/messages?queueId=%d&offset=0&limit=20", url.PathEscape(topic), q), "", http.StatusOK, &queueMsgs)
	if got, want := int64(len(queueMsgs.Messages)), maxByQueue[q]; got != want {
		t.Errorf("queue %d listing: %d messages, want %d", q, got, want)
	}
	for i, m := range queueMsgs.Messages {
		if m.QueueOffset != int64(i) || m.QueueID != q {
			t.Errorf("queue %d listing entry %d: queue %d offset %d, want oldest first from 0", q, i, m.QueueID, m.QueueOffset)
		}
	}

	var one adminMessage
	b.mustCall(t, "GET", "/api/v1/messages/"+target.OffsetMsgID, "", http.StatusOK, &one)
	if one.Body != "admin-2" || one.BodyEncoding != "utf8" || one.Topic != topic || one.MsgID != target.MsgID ||
		!strings.EqualFold(one.OffsetMsgID, target.OffsetMsgID) || one.Properties["customProp"] != "c2" ||
		one.Tags != "TagAdm" || one.QueueID != q || one.QueueOffset != target.QueueOffset {
		t.Errorf("GET message %s = %+v; want body admin-2 (utf8), topic %s, msgId %s, customProp c2, tags TagAdm, queue %d offset %d",
			target.OffsetMsgID, one, topic, target.MsgID, q, target.QueueOffset)
	}

	rec := &recorder{}
	c := b.startConsumer(t, group, topic, rec, nil)
	eventually(t, 20*time.Second, func() bool { return len(rec.bodies()) == n }, "all messages consumed")
	b.waitCaughtUp(t, group, topic) // committed offsets reach every queue's max offset
	g, _ := b.group(t, group)
	if g.Lag != 0 {
		t.Errorf("group %s lag %d after consumption, want 0; view %+v", group, g.Lag, g)
	}
	member := false
	for _, m := range g.Members {
		if strings.HasSuffix(m.ClientID, "@"+c.instance) {
			member = slices.ContainsFunc(m.Subscriptions, func(s subscription) bool { return s.Topic == topic })
		}
	}
	if !member || g.MessageModel != "CLUSTERING" {
		t.Errorf("group view %+v: want member …@%s subscribed to %s, messageModel CLUSTERING", g, c.instance, topic)
	}
	var groups struct{ Groups []groupInfo }
	b.mustCall(t, "GET", "/api/v1/consumer-groups", "", http.StatusOK, &groups)
	if !slices.ContainsFunc(groups.Groups, func(x groupInfo) bool { return x.Group == group }) {
		t.Errorf("GET /api/v1/consumer-groups does not list %s", group)
	}

	// a well-formed offset id (this broker's address) that points past the log
	unknownID := target.OffsetMsgID[:16] + "0000FFFF00000000"
	tp := "/api/v1/topics/" + url.PathEscape(topic) + "/messages"
	gp := "/api/v1/consumer-groups/" + url.PathEscape(group)
	for _, tc := range []struct{ name, method, path, body string }{
		{"unknown group", "GET", "/api/v1/consumer-groups/no-such-group", ""},
		{"redeliver to unknown group", "POST", "/api/v1/consumer-groups/no-such-group/redeliver", fmt.Sprintf(`{"msgId":%q}`, target.OffsetMsgID)},
		{"non-numeric offset", "GET", tp + "?queueId=0&offset=abc", ""},
		{"non-numeric queue id", "GET", tp + "?queueId=x", ""},
		{"malformed JSON body", "POST", gp + "/redeliver", `{"msgId":`},
		{"redeliver without msgId", "POST", gp + "/redeliver", `{}`},
		{"redeliver unknown msg id", "POST", gp + "/redeliver", fmt.Sprintf(`{"msgId":%q}`, unknownID)},
		{"unknown msg id", "GET", "/api/v1/messages/" + unknownID, ""},
		{"malformed msg id", "GET", "/api/v1/messages/not-a-msg-id", ""},
		{"unknown transaction state", "GET", "/api/v1/transactions?state=bogus", ""},
		{"non-numeric dead-letter offset", "POST", "/api/v1/dead-letters/" + url.PathEscape(group) + "/abc/replay", ""},
		{"unknown dead letter", "POST", "/api/v1/dead-letters/" + url.PathEscape(group) + "/99/replay", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, raw := b.call(t, tc.method, tc.path, tc.body)
			t.Logf("%s %s → %d %s", tc.method, tc.path, status, raw)
			wantAPIError(t, tc.name, status, raw)
		})
	}
}
