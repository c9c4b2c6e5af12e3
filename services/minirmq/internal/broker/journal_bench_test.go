package broker

import (
	"bytes"
	"fmt"
	"net/netip"
	"strconv"
	"testing"

	"github.com/rocketmart/rocketmart/services/minirmq/internal/journal"
	"github.com/rocketmart/rocketmart/services/minirmq/internal/remoting"
	"github.com/rocketmart/rocketmart/services/minirmq/internal/wire"
)

// What journaling costs the hot paths: each benchmark runs the broker's own
// handler code (in-memory store, no network) for messages without KEYS,
// which the journal skips, and with KEYS, which it records into a journal
// that is already full (the steady state: every entry evicts one). The
// difference is the journal's share, garbage collection included.

// fillJournal fills the broker's journal as a busy shop would.
func fillJournal(br *Broker) {
	for i := range br.journal.Capacity() {
		br.journal.Add(journal.Entry{Step: "delivered", Key: fmt.Sprintf("RM20261203-%06d", i/5), Topic: "ORDER_PAID",
			MsgID: fmt.Sprintf("7F0000010B2C18B4AAC2693F4C%06d", i/5), Group: "points-order-paid", Attempt: 1,
			Detail: "from ORDER_PAID queue 2, offset 123456"})
	}
}

func benchProps(keyed bool) wire.Properties {
	p := wire.Properties{wire.PropUniqKey: "7F0000010B2C18B4AAC2693F4C7F0000", wire.PropTags: "paid"}
	if keyed {
		p[wire.PropKeys] = "RM20261203-ABC123"
	}
	return p
}

// BenchmarkSendPath is handleSend of a 1 KiB message: parse, store, answer.
func BenchmarkSendPath(b *testing.B) {
	for _, keyed := range []bool{false, true} {
		b.Run(map[bool]string{false: "no keys", true: "keyed"}[keyed], func(b *testing.B) {
			br, _ := startBroker(b, func(o *Options) { o.MaxMessageBytes = 4 << 10 })
			if keyed {
				fillJournal(br)
			}
			c := &conn{b: br, remote: netip.MustParseAddrPort("127.0.0.1:5555")}
			req := remoting.NewRequest(remoting.CodeSendMessage, false, sendExt("bench", "0", benchProps(keyed)), bytes.Repeat([]byte("x"), 1024))
			b.ReportAllocs()
			for b.Loop() {
				if resp := br.handleSend(c, req); resp.Code != remoting.Success {
					b.Fatalf("send: %d %s", resp.Code, resp.Remark)
				}
			}
		})
	}
}

// BenchmarkPullPath is one pull answer of 32 1 KiB messages handed to a
// group and then committed past: readPull, the delivery notes and the
// offset commit that acks them.
func BenchmarkPullPath(b *testing.B) {
	for _, keyed := range []bool{false, true} {
		b.Run(map[bool]string{false: "no keys", true: "keyed"}[keyed], func(b *testing.B) {
			br, _ := startBroker(b)
			body := bytes.Repeat([]byte("x"), 1024)
			for range maxPullMsgs {
				if _, err := br.put(&wire.Message{Topic: "bench", QueueID: 1, Body: body, Properties: benchProps(keyed)}); err != nil {
					b.Fatal(err)
				}
			}
			if keyed {
				fillJournal(br)
			}
			req := remoting.NewRequest(remoting.CodePullMessage, false, nil, nil)
			p := pullRequest{group: "g", topic: "bench", queueID: 1, maxMsgs: maxPullMsgs}
			b.ReportAllocs()
			for b.Loop() {
				resp := br.readPull(req, &p, true)
				if resp.Code != remoting.Success || resp.Ext("nextBeginOffset") != strconv.Itoa(maxPullMsgs) {
					b.Fatalf("pull: %d, next %s", resp.Code, resp.Ext("nextBeginOffset"))
				}
				br.noteDelivered(&p, p.delivered)
				br.commitOffset(p.group, p.topic, p.queueID, maxPullMsgs)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*maxPullMsgs), "ns/msg")
		})
	}
}
