package broker

import (
	"time"

	"github.com/rocketmart/rocketmart/services/minirmq/internal/faults"
	"github.com/rocketmart/rocketmart/services/minirmq/internal/remoting"
	"github.com/rocketmart/rocketmart/services/minirmq/internal/wire"
)

// Where the broker consults the armed workshop faults (package faults):
//   - deliver.<group> / deliver, in readPull: pause withholds the messages,
//     duplicate puts each of the next Count messages twice into the answer;
//     and in answerPull: delay sends an answer that carries messages later.
//   - check-back, in sendCheckLocked: drop does not send the check, delay
//     sends it later.

// fire records a hit of f (logged with attrs) and counts it; false means
// f is gone and must not be acted on.
func (b *Broker) fire(f faults.Fault, attrs ...any) bool {
	if !b.faults.Fire(f, attrs...) {
		return false
	}
	b.metrics.faultsFired.WithLabelValues(f.Point, f.Action).Inc()
	return true
}

// deliverFault returns the fault armed for deliveries to group: its own
// point first, then the one for every group.
func (b *Broker) deliverFault(group string) (faults.Fault, bool) {
	if !b.faults.Any() || group == "" {
		return faults.Fault{}, false
	}
	return b.faults.Lookup(faults.DeliverPoint(group), faults.Deliver)
}

// paused reports whether delivery to the pull's group is paused. A pull
// counts as one hit however often its long poll wakes.
func (b *Broker) paused(p *pullRequest) bool {
	f, ok := b.deliverFault(p.group)
	if !ok || f.Action != faults.Pause {
		return false
	}
	if !p.pauseFired {
		p.pauseFired = b.fire(f, "group", p.group, "topic", p.topic, "queue", p.queueID, "offset", p.offset)
	}
	return true
}

// duplicate reports whether data, a message about to be delivered to the
// pull's group, goes into the answer a second time. The client (v2.1.2)
// hands every message of a pull answer to the handler, even one whose
// queue offset it already holds, so the handler sees it twice; two copies
// next to each other leave the client's offset bookkeeping intact.
func (b *Broker) duplicate(p *pullRequest, dup faults.Fault, data []byte) bool {
	id := ""
	if m, _, err := wire.Decode(data); err == nil {
		if id = m.Properties[wire.PropUniqKey]; id == "" {
			id = wire.OffsetMsgID(b.storeHost(), m.CommitLogOffset)
		}
	}
	return b.fire(dup, "group", p.group, "topic", p.topic, "queue", p.queueID, "msg_id", id)
}

// answerPull sends a pull answer, later by the delay fault's delay when
// one fires for an answer that carries messages. The client gives up on a
// pull after 30 s and pulls the same offset again, so a delay that makes
// the answer later than that holds delivery back until it is cleared.
// The journal notes the answer's messages as delivered when it leaves.
func (b *Broker) answerPull(c *conn, p *pullRequest, resp *remoting.Command) {
	if resp.Code == remoting.Success {
		if f, ok := b.deliverFault(p.group); ok && f.Action == faults.Delay &&
			b.fire(f, "group", p.group, "topic", p.topic, "queue", p.queueID, "offset", p.offset, "delay", f.Delay.String()) {
			b.replyLater(c, *p, resp, f.Delay)
			return
		}
		b.noteDelivered(p, p.delivered)
	}
	c.reply(resp)
}

func (b *Broker) replyLater(c *conn, p pullRequest, resp *remoting.Command, d time.Duration) {
	go func() {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
			b.noteDelivered(&p, p.delivered)
			c.reply(resp)
		case <-c.done:
		case <-b.ctx.Done():
		}
	}()
}

// Faults returns the broker's armed-fault set.
func (b *Broker) Faults() *faults.Set { return b.faults }
