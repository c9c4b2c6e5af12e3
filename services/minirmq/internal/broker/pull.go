package broker

import (
	"strconv"
	"strings"
	"time"

	"github.com/rocketmart/rocketmart/services/minirmq/internal/faults"
	"github.com/rocketmart/rocketmart/services/minirmq/internal/remoting"
	"github.com/rocketmart/rocketmart/services/minirmq/internal/wire"
)

// Pull sysFlag bits (PullSysFlag).
const (
	pullCommitOffset = 1 << 0
	pullSuspend      = 1 << 1
	pullSubscription = 1 << 2 // the pull carries its subscription expression
)

// Answers of Apache's subscription checks on a pull (ResponseCode).
const (
	codeSubscriptionNotExist  int16 = 24
	codeSubscriptionNotLatest int16 = 25
)

type pullRequest struct {
	group, topic string
	queueID      int32
	offset       int64
	maxMsgs      int
	suspend      bool
	hold         time.Duration
	sub          Subscription // the filter: the pull's own, or the group's from its heartbeat
	pauseFired   bool         // the pause fault counted this pull already
	delivered    []delivery   // the keyed messages of the answer, for the journal
}

func (b *Broker) handlePull(c *conn, req *remoting.Command) *remoting.Command {
	var p pullRequest
	p.group, p.topic = req.Ext("consumerGroup"), req.Ext("topic")
	qid, err := extInt(req, "queueId")
	var offset, maxMsgs, sysFlag, commit, suspendMs int64
	if err == nil {
		offset, err = extInt(req, "queueOffset")
	}
	if err == nil {
		maxMsgs, err = extIntOr(req, "maxMsgNums", 1)
	}
	if err == nil {
		sysFlag, err = extIntOr(req, "sysFlag", 0)
	}
	if err == nil {
		commit, err = extIntOr(req, "commitOffset", -1)
	}
	if err == nil {
		suspendMs, err = extIntOr(req, "suspendTimeoutMillis", 0)
	}
	if err == nil {
		err = validTopic(p.topic)
	}
	if err != nil {
		return badRequest(req, remoting.SystemError, "bad pull request: %v", err)
	}
	p.queueID, p.offset = int32(qid), offset
	p.maxMsgs = int(min(max(maxMsgs, 1), maxPullMsgs))
	p.suspend = sysFlag&pullSuspend != 0
	p.hold = min(time.Duration(suspendMs)*time.Millisecond, maxHold)
	var refused *remoting.Command
	if p.sub, refused = b.pullSubscription(req, p.group, p.topic, sysFlag); refused != nil {
		return refused
	}
	if sysFlag&pullCommitOffset != 0 && commit >= 0 && p.group != "" {
		b.commitOffset(p.group, p.topic, p.queueID, commit)
	}

	// Take the wake-up channels before looking, so a message stored (or a
	// pause cleared) between the look and the wait still wakes this pull.
	wake, changed := b.store.Notify(p.topic, p.queueID), b.faults.Changed()
	if resp := b.readPull(req, &p, false); resp != nil {
		b.answerPull(c, &p, resp)
		return nil
	}
	go b.holdPull(c, req, p, wake, changed)
	return nil
}

// holdPull parks a pull that found nothing until a message arrives for its
// queue, the armed faults change (a pause cleared), its hold time ends, or
// the connection or broker goes away.
func (b *Broker) holdPull(c *conn, req *remoting.Command, p pullRequest, wake, changed <-chan struct{}) {
	b.metrics.heldPulls.Inc()
	defer b.metrics.heldPulls.Dec()
	timer := time.NewTimer(p.hold)
	defer timer.Stop()
	for {
		select {
		case <-wake:
			wake = b.store.Notify(p.topic, p.queueID)
		case <-changed:
			changed = b.faults.Changed()
		case <-timer.C:
			b.answerPull(c, &p, b.readPull(req, &p, true))
			return
		case <-c.done:
			return
		case <-b.ctx.Done():
			return
		}
		if resp := b.readPull(req, &p, false); resp != nil {
			b.answerPull(c, &p, resp)
			return
		}
	}
}

// readPull answers a pull like Apache's DefaultMessageStore.getMessage. It
// returns nil when the request should be held (no new message, or delivery
// to the group paused; suspend set, and not final).
func (b *Broker) readPull(req *remoting.Command, p *pullRequest, final bool) *remoting.Command {
	p.delivered = p.delivered[:0]
	minOff, maxOff := b.store.QueueOffsets(p.topic, p.queueID)
	answer := func(code int16, next int64) *remoting.Command {
		resp := remoting.NewResponse(req, code, "")
		resp.ExtFields["nextBeginOffset"] = strconv.FormatInt(next, 10)
		resp.ExtFields["minOffset"] = strconv.FormatInt(minOff, 10)
		resp.ExtFields["maxOffset"] = strconv.FormatInt(maxOff, 10)
		resp.ExtFields["suggestWhichBrokerId"] = "0"
		return resp
	}
	switch {
	case maxOff == 0 && p.offset != 0:
		return answer(remoting.PullOffsetMoved, 0)
	case p.offset < minOff:
		return answer(remoting.PullOffsetMoved, minOff)
	case p.offset > maxOff:
		return answer(remoting.PullOffsetMoved, maxOff)
	case p.offset == maxOff || b.paused(p):
		if p.suspend && !final && p.hold > 0 {
			return nil
		}
		return answer(remoting.PullNotFound, p.offset)
	}
	msgs, err := b.store.ReadQueue(p.topic, p.queueID, p.offset, p.maxMsgs, maxPullBytes)
	if err != nil || len(msgs) == 0 {
		b.log.Warn("pull read failed", "topic", p.topic, "queue", p.queueID, "offset", p.offset, "err", err)
		return answer(remoting.PullRetryImmediately, p.offset)
	}
	next := p.offset + int64(len(msgs))
	dup, dupArmed := b.deliverFault(p.group)
	dupArmed = dupArmed && dup.Action == faults.Duplicate
	var body []byte
	dups := 0
	for _, data := range msgs {
		if !matchesTags(p.sub, data) {
			continue
		}
		body = append(body, data...)
		d, keyed := b.deliveryOf(p, data)
		if keyed {
			p.delivered = append(p.delivered, d)
		}
		if dupArmed && b.duplicate(p, dup, data) {
			body = append(body, data...)
			dups++
			if keyed {
				d.copy = true
				p.delivered = append(p.delivered, d)
			}
		}
	}
	if len(body) == 0 {
		return answer(remoting.PullRetryImmediately, next)
	}
	b.metrics.messagesOut.Add(float64(len(msgs) + dups))
	resp := answer(remoting.Success, next)
	resp.Body = body
	return resp
}

// pullSubscription finds what a pull is filtered by, or the refusal, as
// Apache 4.9's PullMessageProcessor.processRequest does. A pull with the
// subscription flag carries its expression and is served without any
// heartbeat (FilterAPI.build; the Java pull and lite-pull consumers send it,
// and push consumers with postSubscriptionWhenPull). A pull without it
// (every rocketmq-client-go v2.1.2 push consumer, the Java push consumer by
// default) needs the subscription the group registered with a heartbeat:
// without one it is refused with SUBSCRIPTION_NOT_EXIST, and a registered
// subscription older than the pull's subVersion with SUBSCRIPTION_NOT_LATEST.
// A refused pull stores no offset. After a restart, a returning consumer's
// pulls are therefore served from its first heartbeat on, like Apache's.
func (b *Broker) pullSubscription(req *remoting.Command, group, topic string, sysFlag int64) (Subscription, *remoting.Command) {
	if sysFlag&pullSubscription != 0 {
		if t := req.Ext("expressionType"); t != "" && t != "TAG" {
			return Subscription{}, badRequest(req, remoting.SystemError,
				"The broker does not support consumer to filter message by %s", t)
		}
		return parseSubscription(topic, req.Ext("subscription")), nil
	}
	sub, known, found := b.reg.groupSubscription(group, topic)
	switch {
	case !known:
		return sub, badRequest(req, codeSubscriptionNotExist,
			"the consumer's group info not exist: no live consumer of group %q has sent a heartbeat to this broker", group)
	case !found:
		return sub, badRequest(req, codeSubscriptionNotExist,
			"the consumer's subscription not exist: group %q has no live consumer subscribing topic %q", group, topic)
	}
	if v, err := extIntOr(req, "subVersion", 0); err == nil && v > sub.Version {
		return sub, badRequest(req, codeSubscriptionNotLatest, "the consumer's subscription not latest")
	}
	return sub, nil
}

// parseSubscription reads a tag expression the way FilterAPI.build does:
// empty or "*" matches everything, else tags separated by "||".
func parseSubscription(topic, expr string) Subscription {
	sub := Subscription{Topic: topic, Expression: strings.TrimSpace(expr)}
	if sub.Expression == "" || sub.Expression == "*" {
		sub.Expression = "*"
		return sub
	}
	for _, tag := range strings.Split(sub.Expression, "||") {
		if tag = strings.TrimSpace(tag); tag != "" {
			sub.Tags = append(sub.Tags, tag)
		}
	}
	return sub
}

// matchesTags filters by tag like the broker's tag-hash filter; the client
// filters again by exact tag.
func matchesTags(sub Subscription, data []byte) bool {
	if sub.Expression == "" || sub.Expression == "*" || len(sub.Tags) == 0 {
		return true
	}
	m, _, err := wire.Decode(data)
	if err != nil {
		return true
	}
	tag := m.Properties[wire.PropTags]
	for _, t := range sub.Tags {
		if t == tag {
			return true
		}
	}
	return false
}
