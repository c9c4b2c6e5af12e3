package broker

import (
	"fmt"
	"strconv"

	"github.com/rocketmart/rocketmart/services/minirmq/internal/remoting"
	"github.com/rocketmart/rocketmart/services/minirmq/internal/wire"
)

// defaultMaxReconsume is the push consumer's default maxReconsumeTimes.
const defaultMaxReconsume = 16

// handleSendBack serves CONSUMER_SEND_MSG_BACK: a consumer failed a message,
// so a copy goes to %RETRY%<group> after a delay (level delayLevel, or
// 3 + reconsumeTimes), or to %DLQ%<group> once the maximum is reached.
func (b *Broker) handleSendBack(c *conn, req *remoting.Command) *remoting.Command {
	group := req.Ext("group")
	offset, err := extInt(req, "offset")
	var delayLevel, maxTimes int64
	if err == nil {
		delayLevel, err = extIntOr(req, "delayLevel", 0)
	}
	if err == nil {
		maxTimes, err = extIntOr(req, "maxReconsumeTimes", defaultMaxReconsume)
	}
	if err == nil {
		err = validTopic(RetryPrefix + group)
	}
	if err != nil {
		return badRequest(req, remoting.SystemError, "bad send-back: %v", err)
	}
	m, err := b.readMessage(offset)
	if err != nil {
		return badRequest(req, remoting.SystemError, "look message by offset failed, %d: %v", offset, err)
	}
	origTopic, origTimes := m.Topic, m.ReconsumeTimes
	copyAt := ackQueue{group: group, topic: m.Topic, queueID: m.QueueID}
	copyOffset := m.QueueOffset
	if m.Properties[wire.PropRetryTopic] == "" {
		m.Properties[wire.PropRetryTopic] = origTopic
	}
	// Apache sets the offset id of the first failed message; the request's
	// originMsgId header carries the client id and is not used for this.
	if m.Properties[wire.PropOriginMessageID] == "" {
		m.Properties[wire.PropOriginMessageID] = wire.OffsetMsgID(m.StoreHost, m.CommitLogOffset)
	}
	delete(m.Properties, wire.PropDelay)
	m.ReconsumeTimes = origTimes + 1
	log := b.log.With("group", group, "msg_id", m.Properties[wire.PropUniqKey], "topic", m.Properties[wire.PropRetryTopic],
		"reconsume_times", m.ReconsumeTimes)

	if delayLevel < 0 || int64(origTimes) >= maxTimes {
		m.Topic, m.QueueID = DLQPrefix+group, 0
		at := b.now()
		if _, err := b.put(m); err != nil {
			return b.storeFailure(req, err)
		}
		b.metrics.deadLetters.Inc()
		log.Warn("message moved to the dead-letter queue", "dlq", m.Topic, "max_reconsume_times", maxTimes)
		why := fmt.Sprintf("to %s after %d delivery attempts (maxReconsumeTimes %d)", m.Topic, origTimes+1, maxTimes)
		if delayLevel < 0 {
			why = fmt.Sprintf("to %s: the consumer asked for it after attempt %d", m.Topic, origTimes+1)
		}
		b.noteSentBack(at, stepDeadLettered, group, m, 0, why, copyAt, copyOffset, "the dead-letter queue")
		return remoting.NewResponse(req, remoting.Success, "")
	}
	if delayLevel == 0 {
		delayLevel = 3 + int64(origTimes)
	}
	m.Topic, m.QueueID = RetryPrefix+group, 0
	m.Properties[wire.PropDelay] = strconv.FormatInt(delayLevel, 10)
	b.mu.Lock()
	at := b.now()
	err = b.routeAndPutLocked(m)
	b.mu.Unlock()
	if err != nil {
		return b.storeFailure(req, err)
	}
	b.metrics.retries.Inc()
	log.Info("message scheduled for retry", "delay_level", delayLevel)
	level := int(m.QueueID) + 1 // routeAndPutLocked capped it to the levels there are
	why := fmt.Sprintf("attempt %d after %v (delay level %d)", m.ReconsumeTimes+1, b.opts.DelayLevels[level-1], level)
	b.noteSentBack(at, stepRetry, group, m, int(m.ReconsumeTimes)+1, why, copyAt, copyOffset, "retry")
	return remoting.NewResponse(req, remoting.Success, "")
}
