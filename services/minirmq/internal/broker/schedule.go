package broker

import (
	"strconv"
	"time"

	"github.com/rocketmart/rocketmart/services/minirmq/internal/wire"
)

// runScheduler delivers delayed messages. Each delay level has its own queue
// in SCHEDULE_TOPIC_XXXX; every message in a level waits the same time, so a
// queue is in due order and one offset per level is all the state needed.
func (b *Broker) runScheduler() {
	defer b.wg.Done()
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-b.ctx.Done():
			return
		case <-b.schedWake:
		case <-timer.C:
		}
		wait := b.deliverDue()
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
		timer.Reset(wait)
	}
}

// deliverDue delivers every due message and returns how long to wait for the
// next one.
func (b *Broker) deliverDue() time.Duration {
	const idle = time.Second
	wait := idle
	for level := range b.opts.DelayLevels {
		if d := b.deliverLevel(level); d < wait {
			wait = d
		}
	}
	return max(wait, time.Millisecond)
}

func (b *Broker) deliverLevel(level int) time.Duration {
	delay := b.opts.DelayLevels[level].Milliseconds()
	for b.ctx.Err() == nil {
		b.mu.Lock()
		next := b.state.Schedule[level]
		minOff, maxOff := b.store.QueueOffsets(ScheduleTopic, int32(level))
		if next < minOff {
			next = minOff
			b.state.Schedule[level] = next
		}
		if next >= maxOff {
			b.mu.Unlock()
			return time.Hour
		}
		e, err := b.store.Entry(ScheduleTopic, int32(level), next)
		if err != nil {
			b.mu.Unlock()
			b.log.Error("read schedule queue", "level", level+1, "offset", next, "err", err)
			return time.Second
		}
		due := e.StoreTimestamp + delay
		if now := b.now().UnixMilli(); due > now {
			b.mu.Unlock()
			return time.Duration(due-now) * time.Millisecond
		}
		err = b.deliverLocked(e.CommitLogOffset)
		if err != nil {
			b.log.Error("deliver delayed message; skipping it", "level", level+1, "offset", next, "err", err)
		}
		b.state.Schedule[level] = next + 1
		b.dirty = true
		b.mu.Unlock()
	}
	return time.Second
}

// deliverLocked re-stores a delayed message in its real topic and queue.
// Callers hold b.mu.
func (b *Broker) deliverLocked(offset int64) error {
	m, err := b.readMessage(offset)
	if err != nil {
		return err
	}
	qid, err := strconv.Atoi(m.Properties[wire.PropRealQueueID])
	if err != nil || m.Properties[wire.PropRealTopic] == "" {
		return &wire.EncodeError{Err: err}
	}
	m.Topic, m.QueueID = m.Properties[wire.PropRealTopic], int32(qid)
	delete(m.Properties, wire.PropDelay)
	_, err = b.putLocked(m)
	return err
}
