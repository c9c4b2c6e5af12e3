package broker

import (
	"cmp"
	"slices"
	"sync"
)

// Bounds of the ack tracker. A clustering push consumer holds at most
// about 1,000 unconsumed messages per queue (the client's
// pullThresholdForQueue) and commits within seconds, so these are only
// reached by a group that never commits: a broadcasting consumer (its
// offsets stay in the client) or a stuck one. Its oldest deliveries then
// get no "acked" entry.
const (
	maxAcksPerQueue = 4096
	maxAcks         = 100_000
)

// ackTracker relates queue offsets to message keys for the journal's
// "acked" step: it remembers each keyed message delivered to a group until
// the group's committed offset on that queue passes it.
type ackTracker struct {
	mu     sync.Mutex
	queues map[ackQueue][]pendingAck // sorted by offset, one entry per offset
	total  int
}

// ackQueue is one group's position on one queue.
type ackQueue struct {
	group, topic string
	queueID      int32
}

// pendingAck is a delivered message the group has not committed past.
type pendingAck struct {
	offset             int64
	keys, msgID, topic string // topic: the message's business topic
	attempt            int
	sentBack           string // where the consumer sent this copy back to, if it did
}

func newAckTracker() *ackTracker {
	return &ackTracker{queues: map[ackQueue][]pendingAck{}}
}

// track remembers a delivery. The same offset delivered again (the
// duplicate fault, a pull repeated after a rebalance) is remembered once.
func (t *ackTracker) track(q ackQueue, a pendingAck) {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := t.queues[q]
	i, found := len(s), false
	if len(s) > 0 && s[len(s)-1].offset >= a.offset { // pulls mostly go forward: append
		i, found = slices.BinarySearchFunc(s, a.offset, byOffset)
	}
	if found || t.total >= maxAcks {
		return
	}
	s = slices.Insert(s, i, a)
	t.total++
	if len(s) > maxAcksPerQueue {
		s = s[1:]
		t.total--
	}
	t.queues[q] = s
}

// sentBack marks a delivered copy the consumer sent back (for a retry, or
// to the dead-letter queue), so its acked entry can say so.
func (t *ackTracker) sentBack(q ackQueue, offset int64, where string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := t.queues[q]
	if i, ok := slices.BinarySearchFunc(s, offset, byOffset); ok {
		s[i].sentBack = where
	}
}

// commit forgets the deliveries the committed offset passed (offsets
// below it) and calls passed with each, oldest first, under the tracker's
// lock. A queue left empty keeps a small backing array: the next pull
// tracks into it without growing a slice again.
func (t *ackTracker) commit(q ackQueue, committed int64, passed func(pendingAck)) {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := t.queues[q]
	if len(s) == 0 || s[0].offset >= committed {
		return
	}
	i, _ := slices.BinarySearchFunc(s, committed, byOffset)
	for _, a := range s[:i] {
		passed(a)
	}
	t.total -= i
	switch {
	case i < len(s):
		t.queues[q] = s[i:]
	case cap(s) <= 2*maxPullMsgs:
		clear(s) // let go of the strings
		t.queues[q] = s[:0]
	default:
		delete(t.queues, q)
	}
}

func byOffset(p pendingAck, off int64) int { return cmp.Compare(p.offset, off) }
