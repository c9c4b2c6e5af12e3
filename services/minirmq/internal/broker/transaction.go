package broker

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/rocketmart/rocketmart/services/minirmq/internal/faults"
	"github.com/rocketmart/rocketmart/services/minirmq/internal/remoting"
	"github.com/rocketmart/rocketmart/services/minirmq/internal/wire"
)

// END_TRANSACTION commitOrRollback values.
const (
	endUnknown  = 0
	endCommit   = 8
	endRollback = 12
)

// addHalf records a stored half message as pending. Callers hold b.mu.
func (b *Broker) addHalf(m *wire.Message) {
	qid, _ := strconv.Atoi(m.Properties[wire.PropRealQueueID])
	h := &half{
		Offset:        m.CommitLogOffset,
		QueueOffset:   m.QueueOffset,
		TransactionID: m.Properties[wire.PropUniqKey],
		Topic:         m.Properties[wire.PropRealTopic],
		QueueID:       int32(qid),
		ProducerGroup: m.Properties[wire.PropProducerGroup],
		Keys:          m.Properties[wire.PropKeys],
		BornTime:      m.BornTimestamp,
		StoreTime:     m.StoreTimestamp,
		State:         txPending,
	}
	if s, err := strconv.ParseInt(m.Properties[wire.PropCheckImmunity], 10, 64); err == nil && s > 0 {
		h.ImmunityMillis = s * 1000
	}
	b.state.tx.addPending(h)
	b.dirty = true
	b.metrics.halvesPending.Set(float64(len(b.state.tx.pending)))
}

// decide records a transaction outcome. Callers hold b.mu.
func (b *Broker) decide(offset int64, outcome string, at int64) {
	if _, ok := b.state.tx.decide(offset, outcome, at); ok {
		b.dirty = true
		b.metrics.halvesPending.Set(float64(len(b.state.tx.pending)))
		b.metrics.txOutcomes.WithLabelValues(outcome).Inc()
	}
}

// handleEndTransaction applies a producer's commit or rollback. The client
// sends it one-way and reads no answer, so none is sent.
func (b *Broker) handleEndTransaction(c *conn, req *remoting.Command) *remoting.Command {
	offset, err1 := extInt(req, "commitLogOffset")
	kind, err2 := extInt(req, "commitOrRollback")
	if err1 != nil || err2 != nil {
		b.log.Warn("malformed END_TRANSACTION ignored", "remote", c.remote, "ext", req.ExtFields)
		return nil
	}
	id := req.Ext("msgId")
	group := req.Ext("producerGroup")
	fromCheck := req.Ext("fromTransactionCheck") == "true"
	log := b.log.With("tx_id", id, "commit_log_offset", offset, "producer_group", group, "from_check", fromCheck)

	b.mu.Lock()
	defer b.mu.Unlock()
	h := b.state.tx.find(offset, id)
	switch {
	case h == nil:
		log.Warn("END_TRANSACTION for an unknown half message ignored")
		return nil
	case h.ProducerGroup != group:
		log.Warn("END_TRANSACTION from a different producer group ignored", "half_group", h.ProducerGroup)
		b.noteEndTransaction(c, h, kind, fromCheck, "from producer group "+group+", the half belongs to "+h.ProducerGroup)
		return nil
	case h.State != txPending:
		log.Info("END_TRANSACTION for a decided half message ignored", "state", h.State, "answer", kind)
		b.noteEndTransaction(c, h, kind, fromCheck, "the half is already "+strings.ReplaceAll(h.State, "_", " "))
		return nil
	}
	b.noteEndTransaction(c, h, kind, fromCheck, "")
	by := "by the producer"
	if fromCheck {
		by = "by a check-back"
	}
	at := b.now()
	switch kind {
	case endUnknown:
		log.Info("half message outcome unknown; it will be checked", "check_count", h.CheckCount)
	case endCommit:
		m, err := b.commitLocked(h)
		if err != nil {
			log.Error("commit half message failed; it stays pending and will be checked", "err", err)
			return nil
		}
		log.Info("half message committed", "topic", h.Topic, "keys", h.Keys)
		b.noteDecided(at, h, "commit", by)
		b.noteStored(at, m)
	case endRollback:
		op := &wire.Message{
			Topic: OpTopic, Body: []byte(strconv.FormatInt(h.Offset, 10)),
			Properties: wire.Properties{wire.PropTags: "d"}, BornTimestamp: b.now().UnixMilli(), BornHost: c.remote,
		}
		if _, err := b.putLocked(op); err != nil {
			log.Error("rollback half message failed; it stays pending", "err", err)
			return nil
		}
		log.Info("half message rolled back", "topic", h.Topic, "keys", h.Keys)
		b.noteDecided(at, h, "rollback", by)
	default:
		log.Warn("END_TRANSACTION with an unknown commitOrRollback value ignored", "value", kind)
	}
	return nil
}

// commitLocked stores the real message of a half: visible from now on, once.
// It returns the message as stored. Callers hold b.mu.
func (b *Broker) commitLocked(h *half) (*wire.Message, error) {
	m, err := b.readMessage(h.Offset)
	if err != nil {
		return nil, err
	}
	m.Topic, m.QueueID = h.Topic, h.QueueID
	for _, p := range []string{wire.PropTranMsg, wire.PropRealTopic, wire.PropRealQueueID, wire.PropCheckTimes} {
		delete(m.Properties, p)
	}
	m.SysFlag = wire.WithTransactionType(m.SysFlag, wire.SysFlagTransactionCommit)
	m.PreparedTransactionOffset = h.Offset
	return m, b.routeAndPutLocked(m)
}

// runTransactionChecks asks producers about halves that stayed undecided:
// first when a half is TxCheckAfter old, then every TxCheckInterval, up to
// TxCheckMax checks; after that the half is discarded, never delivered.
func (b *Broker) runTransactionChecks() {
	defer b.wg.Done()
	tick := min(b.opts.TxCheckInterval, time.Second)
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		select {
		case <-b.ctx.Done():
			return
		case <-t.C:
			b.checkHalves()
		}
	}
}

func (b *Broker) checkHalves() {
	now := b.now().UnixMilli()
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, h := range b.state.tx.pendingList() {
		after := b.opts.TxCheckAfter.Milliseconds()
		if h.ImmunityMillis > 0 {
			after = h.ImmunityMillis
		}
		if now-h.StoreTime < after || (h.LastCheck > 0 && now-h.LastCheck < b.opts.TxCheckInterval.Milliseconds()) {
			continue
		}
		if h.CheckCount >= b.opts.TxCheckMax {
			b.discardLocked(h)
			continue
		}
		b.sendCheckLocked(h, now)
	}
}

func (b *Broker) sendCheckLocked(h *half, now int64) {
	log := b.log.With("tx_id", h.TransactionID, "commit_log_offset", h.Offset, "producer_group", h.ProducerGroup)
	c := b.reg.pickProducer(h.ProducerGroup)
	if c == nil && h.origin != nil && h.origin.alive() {
		c = h.origin
	}
	if c == nil {
		// Not counted: a producer group that is down for a while must not
		// lose its transactions (Apache counts these attempts).
		log.Info("no live producer to check half message; will retry")
		return
	}
	m, err := b.readMessage(h.Offset)
	if err != nil {
		log.Error("read half message for check", "err", err)
		return
	}
	// Only a check that actually leaves counts toward TxCheckMax.
	count := h.CheckCount + 1
	m.Topic, m.QueueID = h.Topic, h.QueueID
	m.Properties[wire.PropCheckTimes] = strconv.Itoa(count)
	body, err := m.Encode()
	if err != nil {
		log.Error("encode check body", "err", err)
		return
	}
	offsetID := wire.OffsetMsgID(b.storeHost(), h.Offset)
	req := remoting.NewRequest(remoting.CodeCheckTransactionState, true, map[string]string{
		"tranStateTableOffset": strconv.FormatInt(h.QueueOffset, 10),
		"commitLogOffset":      strconv.FormatInt(h.Offset, 10),
		"msgId":                h.TransactionID,
		"transactionId":        h.TransactionID,
		"offsetMsgId":          offsetID,
	}, body)
	if f, ok := b.faults.Lookup(faults.CheckBack); ok && b.fire(f, "tx_id", h.TransactionID, "producer_group", h.ProducerGroup, "remote", c.remote.String()) {
		switch f.Action {
		case faults.Drop:
			// Lost on the way: the producer never hears of it, so the half is
			// asked again an interval later, and a check nobody received does
			// not count toward TxCheckMax.
			h.LastCheck = now
			b.dirty = true
			return
		case faults.Delay:
			// No other check before this one has left and an interval passed.
			h.LastCheck = now + f.Delay.Milliseconds()
			b.dirty = true
			b.wg.Add(1) // legal while Close waits: the check loop calling us still holds its own count
			go b.sendCheckLater(c, h, req, count, f.Delay)
			return
		}
	}
	b.sendCheckNowLocked(c, h, req, count, now)
}

// sendCheckNowLocked sends a check and records it. Callers hold b.mu.
func (b *Broker) sendCheckNowLocked(c *conn, h *half, req *remoting.Command, count int, now int64) {
	log := b.log.With("tx_id", h.TransactionID, "commit_log_offset", h.Offset, "producer_group", h.ProducerGroup)
	if !c.request(req) {
		log.Warn("could not send transaction check; will retry", "remote", c.remote)
		return
	}
	h.CheckCount, h.LastCheck = count, now
	b.dirty = true
	b.metrics.checksSent.Inc()
	b.noteCheckSent(c, h)
	log.Info("transaction check sent", "check_count", h.CheckCount, "remote", c.remote)
}

// sendCheckLater sends a check the check-back delay fault held back, unless
// the half was decided in the meantime.
func (b *Broker) sendCheckLater(c *conn, h *half, req *remoting.Command, count int, d time.Duration) {
	defer b.wg.Done()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-b.ctx.Done():
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if h.State != txPending {
		b.log.Info("delayed transaction check not sent: the half was decided meanwhile", "tx_id", h.TransactionID, "state", h.State)
		return
	}
	b.sendCheckNowLocked(c, h, req, count, b.now().UnixMilli())
}

// discardLocked gives up on a half after TxCheckMax checks: it is copied to
// TRANS_CHECK_MAX_TIME_TOPIC for inspection and never delivered.
func (b *Broker) discardLocked(h *half) {
	log := b.log.With("tx_id", h.TransactionID, "commit_log_offset", h.Offset, "producer_group", h.ProducerGroup)
	m, err := b.readMessage(h.Offset)
	if err != nil {
		log.Error("read half message to discard", "err", err)
		return
	}
	m.Topic, m.QueueID = CheckMaxTopic, 0
	m.Properties[wire.PropCheckTimes] = strconv.Itoa(h.CheckCount)
	m.PreparedTransactionOffset = h.Offset
	at := b.now()
	if _, err := b.putLocked(m); err != nil {
		log.Error("discard half message failed; will retry", "err", err)
		return
	}
	b.noteDecided(at, h, "rollback", fmt.Sprintf("discarded after %d checks", h.CheckCount))
	log.Warn("half message discarded after the maximum number of checks; it will never be delivered",
		"check_count", h.CheckCount, "topic", h.Topic, "keys", h.Keys)
}
