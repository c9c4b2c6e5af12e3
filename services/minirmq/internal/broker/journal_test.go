package broker

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/rocketmart/rocketmart/services/minirmq/internal/journal"
	"github.com/rocketmart/rocketmart/services/minirmq/internal/remoting"
	"github.com/rocketmart/rocketmart/services/minirmq/internal/wire"
)

func stepsOf(es []journal.Entry) []string {
	out := []string{}
	for _, e := range es {
		s := e.Step
		if e.Attempt > 0 {
			s += fmt.Sprint(e.Attempt)
		}
		out = append(out, s)
	}
	return out
}

// TestJournalBatchPullAndAck, over the raw protocol: one pull answer of
// several messages notes one delivery per keyed message (under each of its
// keys), and each committed offset notes acked for exactly the deliveries
// it passed.
func TestJournalBatchPullAndAck(t *testing.T) {
	b, addr := startBroker(t)
	rc := dial(t, addr)
	for _, keys := range []string{"k0", "k1 shared", "", "k3"} {
		props := wire.Properties{wire.PropUniqKey: "U-" + keys}
		if keys != "" {
			props[wire.PropKeys] = keys
		}
		if resp := rc.call(remoting.CodeSendMessage, sendExt("T", "0", props), []byte("x")); resp.Code != remoting.Success {
			t.Fatalf("send %q: %d %s", keys, resp.Code, resp.Remark)
		}
	}
	pull := rc.call(remoting.CodePullMessage, map[string]string{
		"consumerGroup": "g", "topic": "T", "queueId": "1", "queueOffset": "0", "maxMsgNums": "32",
		"sysFlag": "4", "subscription": "*", // carries its subscription: served without a heartbeat
	}, nil)
	if pull.Code != remoting.Success || pull.Ext("nextBeginOffset") != "4" {
		t.Fatalf("pull: code %d, next %s; want one answer of all 4 messages", pull.Code, pull.Ext("nextBeginOffset"))
	}
	commit := func(off string) {
		t.Helper()
		resp := rc.call(remoting.CodeUpdateConsumerOffset, map[string]string{"consumerGroup": "g", "topic": "T", "queueId": "1", "commitOffset": off}, nil)
		if resp.Code != remoting.Success {
			t.Fatalf("commit %s: %d %s", off, resp.Code, resp.Remark)
		}
	}
	j := b.Journal()
	want := func(when string, wantSteps map[string][]string) {
		t.Helper()
		for key, ws := range wantSteps {
			if got := stepsOf(j.Entries(key)); !slices.Equal(got, ws) {
				t.Errorf("%s: steps of %s %v, want %v", when, key, got, ws)
			}
		}
	}
	want("after the pull", map[string][]string{
		"k0": {"stored", "delivered1"}, "k1": {"stored", "delivered1"}, "shared": {"stored", "delivered1"}, "k3": {"stored", "delivered1"},
	})
	commit("2")
	want("after commit 2", map[string][]string{
		"k0": {"stored", "delivered1", "acked1"}, "k1": {"stored", "delivered1", "acked1"}, "k3": {"stored", "delivered1"},
	})
	commit("2")
	commit("4")
	want("after commits 2 again and 4", map[string][]string{
		"k0": {"stored", "delivered1", "acked1"}, "k1": {"stored", "delivered1", "acked1"}, "k3": {"stored", "delivered1", "acked1"},
	})
	d := j.Entries("k3")[1]
	if d.Group != "g" || d.Topic != "T" || d.MsgID != "U-k3" || !strings.Contains(d.Detail, "offset 3") || d.Actor != "broker" || d.Instance != addr {
		t.Errorf("delivered entry %+v: want group g, topic T, msgId U-k3, offset 3 in the detail, actor broker, instance %s", d, addr)
	}
	if n := j.Len(); n != 4*3 {
		t.Errorf("journal holds %d records, want 12: three steps under each of the four keys (the message without keys is not journaled)", n)
	}
}

// TestJournalRingBound: the broker's journal keeps only the last
// JournalCapacity entries, and the keys of evicted ones are not found.
func TestJournalRingBound(t *testing.T) {
	b, addr := startBroker(t, func(o *Options) { o.JournalCapacity = 4 })
	rc := dial(t, addr)
	for i := range 6 {
		props := wire.Properties{wire.PropKeys: fmt.Sprintf("order-%d", i)}
		if resp := rc.call(remoting.CodeSendMessage, sendExt("T", "0", props), []byte("x")); resp.Code != remoting.Success {
			t.Fatalf("send %d: %d %s", i, resp.Code, resp.Remark)
		}
	}
	j := b.Journal()
	for i := range 6 {
		got, want := len(j.Entries(fmt.Sprintf("order-%d", i))), 1
		if i < 2 {
			want = 0
		}
		if got != want {
			t.Errorf("order-%d: %d entries, want %d", i, got, want)
		}
	}
	if j.Len() != 4 || j.Keys() != 4 {
		t.Errorf("journal holds %d entries under %d keys, want 4 and 4", j.Len(), j.Keys())
	}
}
