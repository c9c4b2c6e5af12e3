package minirmq_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/apache/rocketmq-client-go/v2/primitive"
)

// TestRebalance: two consumers of one group share a 4-queue topic (both
// receive messages); when one shuts down the other takes over and receives
// everything sent afterwards; nothing sent is ever lost.
func TestRebalance(t *testing.T) {
	t.Parallel()
	b := startBroker(t) // DefaultQueues = 4
	topic, group := uniqueName(t, "T"), uniqueName(t, "CG")
	p := b.newProducer(t, uniqueName(t, "PG"))

	var sent []string
	send := func(body string) {
		sendSync(t, p, primitive.NewMessage(topic, []byte(body)))
		sent = append(sent, body)
	}
	send("first") // creates the topic
	if ti, ok := b.topic(t, topic); !ok || len(ti.Queues) != 4 {
		t.Fatalf("auto-created topic %s: %+v, want 4 queues", topic, ti)
	}

	rec := &recorder{} // shared: deliveries carry the consumer's instance name
	c1 := b.startConsumer(t, group, topic, rec, nil)
	c2 := b.startConsumer(t, group, topic, rec, nil)

	// Rebalancing takes a moment (start, NOTIFY_CONSUMER_IDS_CHANGED): keep
	// sending (round-robin over the queues) until the last 8 messages went
	// to both members, two queues each, no queue to both.
	balanced := func() (bool, string) {
		if len(sent) < 9 {
			return false, "fewer than 8 messages sent"
		}
		recent := map[string]bool{}
		for _, body := range sent[len(sent)-8:] {
			recent[body] = true
		}
		queues := map[string]map[int]bool{c1.instance: {}, c2.instance: {}}
		owner := map[int]string{}
		got := 0
		for _, d := range rec.all() {
			if !recent[d.Body] {
				continue
			}
			got++
			queues[d.Consumer][d.QueueID] = true
			if o, ok := owner[d.QueueID]; ok && o != d.Consumer {
				return false, fmt.Sprintf("queue %d consumed by both", d.QueueID)
			}
			owner[d.QueueID] = d.Consumer
		}
		desc := fmt.Sprintf("c1 queues %v, c2 queues %v", queues[c1.instance], queues[c2.instance])
		return got >= 8 && len(queues[c1.instance]) == 2 && len(queues[c2.instance]) == 2, desc
	}
	i, why := 0, ""
	eventually(t, 25*time.Second, func() bool {
		var ok bool
		if ok, why = balanced(); ok {
			return true
		}
		send(fmt.Sprintf("phase1-%d", i))
		i++
		return false
	}, "both members of the group consume two queues each: %s", func() string { return why })
	t.Logf("phase 1: %d messages sent until balanced: %s", len(sent), why)
	if g, ok := b.group(t, group); !ok || len(g.Members) != 2 {
		t.Errorf("admin view of %s while both run: %+v, want 2 members", group, g.Members)
	}

	if err := c2.Shutdown(); err != nil {
		t.Fatalf("shutdown c2: %v", err)
	}
	mark := rec.len()
	var phase2 []string
	for j := range 20 {
		body := fmt.Sprintf("phase2-%d", j)
		send(body)
		phase2 = append(phase2, body)
	}
	eventually(t, 30*time.Second, func() bool {
		got := map[string]bool{}
		for _, d := range rec.all()[mark:] {
			if d.Consumer == c1.instance {
				got[d.Body] = true
			}
		}
		for _, body := range phase2 {
			if !got[body] {
				return false
			}
		}
		return true
	}, "c1 receives all %d messages sent after c2 left", len(phase2))
	b.waitCaughtUp(t, group, topic)

	got := rec.bodies()
	dups := 0
	for _, body := range sent {
		switch n := got[body]; {
		case n == 0:
			t.Errorf("%s: sent but never received", body)
		case n > 1:
			dups += n - 1
		}
	}
	t.Logf("%d messages sent, %d deliveries, %d duplicates (at-least-once during rebalance)", len(sent), rec.len(), dups)
}
