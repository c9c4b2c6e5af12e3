package broker

import (
	"time"

	"github.com/rocketmart/rocketmart/services/minirmq/internal/wire"
)

// DelayedView is the delayed messages not delivered yet: per delay level and
// per real topic, so a reader can tell retries in flight (real topic
// %RETRY%<group>) from business delays such as a payment deadline.
type DelayedView struct {
	Pending int64              `json:"pending"`
	ByTopic map[string]int64   `json:"byTopic"`
	Levels  []DelayedLevelView `json:"levels"`
}

// DelayedLevelView is one delay level's backlog.
type DelayedLevelView struct {
	Level   int       `json:"level"`
	Delay   string    `json:"delay"`
	Pending int64     `json:"pending"`
	NextDue time.Time `json:"nextDue,omitzero"`
}

// maxDelayedScan bounds the messages read per level to attribute topics.
const maxDelayedScan = 10000

// Delayed returns the backlog of every delay level.
func (b *Broker) Delayed() DelayedView {
	out := DelayedView{ByTopic: map[string]int64{}, Levels: []DelayedLevelView{}}
	for level, delay := range b.opts.DelayLevels {
		b.mu.Lock()
		next := b.state.Schedule[level]
		b.mu.Unlock()
		minOff, maxOff := b.store.QueueOffsets(ScheduleTopic, int32(level))
		next = max(next, minOff)
		if next >= maxOff {
			continue
		}
		lv := DelayedLevelView{Level: level + 1, Delay: delay.String(), Pending: maxOff - next}
		for off := next; off < maxOff && off < next+maxDelayedScan; off++ {
			e, err := b.store.Entry(ScheduleTopic, int32(level), off)
			if err != nil {
				break
			}
			if off == next {
				lv.NextDue = time.UnixMilli(e.StoreTimestamp).Add(delay).UTC()
			}
			topic := "?"
			if m, err := b.readMessage(e.CommitLogOffset); err == nil {
				topic = m.Properties[wire.PropRealTopic]
			}
			out.ByTopic[topic]++
		}
		out.Pending += lv.Pending
		out.Levels = append(out.Levels, lv)
	}
	return out
}
