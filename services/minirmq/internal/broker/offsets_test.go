package broker

import (
	"testing"

	"github.com/rocketmart/rocketmart/services/minirmq/internal/remoting"
)

// TestQueryOffsetStoredNegativeIsNone: a stored negative offset is answered
// like no offset at all, as Apache 4.9's queryConsumerOffset does (offset < 0:
// 0 for a young queue, else QUERY_NOT_FOUND). ali-ons persists a queue it has
// consumed nothing from as -1; answering that -1 back made a member that took
// the queue over with CONSUME_FROM_LAST_OFFSET start at the queue's end and
// skip what was in it.
func TestQueryOffsetStoredNegativeIsNone(t *testing.T) {
	b, addr := startBroker(t)
	rc := dial(t, addr)
	for _, s := range serializations {
		t.Run(s.name, func(t *testing.T) {
			topic := "Neg" + s.name
			if resp := rc.roundTrip(s.frame(remoting.CodeSendMessageV2, 1, v2Header(topic, 2, false), []byte("m0"))); resp.Code != remoting.Success {
				t.Fatalf("send: %d %q", resp.Code, resp.Remark)
			}
			q := []kv{{"topic", topic}, {"consumerGroup", "CG"}, {"queueId", "2"}}
			if resp := rc.roundTrip(s.frame(remoting.CodeUpdateConsumerOffset, 2, append(q, kv{"commitOffset", "-1"}), nil)); resp.Code != remoting.Success {
				t.Fatalf("update -1: %d %q", resp.Code, resp.Remark)
			}
			g, _ := b.ConsumerGroup("CG")
			for _, gq := range g.Queues {
				if gq.Topic == topic && (gq.CommittedOffset != -1 || gq.Lag != 1) {
					t.Errorf("group view of queue 2 after -1: %+v, want committed -1 (as stored) and lag 1", gq)
				}
			}
			resp := rc.roundTrip(s.frame(remoting.CodeQueryConsumerOffset, 3, q, nil))
			if resp.Code != remoting.Success || resp.Ext("offset") != "0" {
				t.Errorf("query after -1 on a young queue: %d offset %q %q, want 0 offset \"0\" (Apache: stored < 0 is none)", resp.Code, resp.Ext("offset"), resp.Remark)
			}
			if resp := rc.roundTrip(s.frame(remoting.CodeUpdateConsumerOffset, 4, append(q, kv{"commitOffset", "1"}), nil)); resp.Code != remoting.Success {
				t.Fatalf("update 1: %d %q", resp.Code, resp.Remark)
			}
			if resp := rc.roundTrip(s.frame(remoting.CodeQueryConsumerOffset, 5, q, nil)); resp.Code != remoting.Success || resp.Ext("offset") != "1" {
				t.Errorf("query after 1: %d offset %q", resp.Code, resp.Ext("offset"))
			}
		})
	}
}
