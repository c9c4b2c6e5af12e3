package broker

import (
	"slices"
	"testing"
)

func offsets(as []pendingAck) []int64 {
	out := []int64{}
	for _, a := range as {
		out = append(out, a.offset)
	}
	return out
}

func TestAckTracker(t *testing.T) {
	q := ackQueue{group: "g", topic: "T", queueID: 1}
	other := ackQueue{group: "h", topic: "T", queueID: 1}
	tr := newAckTracker()
	for _, off := range []int64{3, 4, 7, 4, 5, 1} { // 4 twice: a duplicate; 1 and 5: out of order
		tr.track(q, pendingAck{offset: off, msgID: "m"})
	}
	tr.track(other, pendingAck{offset: 3})
	tr.sentBack(q, 4, "retry")
	tr.sentBack(q, 99, "retry") // never delivered: nothing to mark

	for _, tc := range []struct {
		name      string
		q         ackQueue
		committed int64
		want      []int64
	}{
		{"nothing passed", q, 1, []int64{}},
		{"offsets below the committed one", q, 5, []int64{1, 3, 4}},
		{"an older commit passes nothing again", q, 3, []int64{}},
		{"the rest", q, 100, []int64{5, 7}},
		{"empty queue", q, 200, []int64{}},
		{"another group's position is its own", other, 4, []int64{3}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []pendingAck
			tr.commit(tc.q, tc.committed, func(a pendingAck) { got = append(got, a) })
			if !slices.Equal(offsets(got), tc.want) {
				t.Errorf("commit(%v, %d) passed %v, want %v", tc.q, tc.committed, offsets(got), tc.want)
			}
			for _, a := range got {
				if want := map[bool]string{true: "retry"}[a.offset == 4]; a.sentBack != want {
					t.Errorf("offset %d sentBack %q, want %q", a.offset, a.sentBack, want)
				}
			}
		})
	}
	n := 0
	for _, s := range tr.queues {
		n += len(s)
	}
	if tr.total != 0 || n != 0 {
		t.Errorf("after every commit: total %d, %d tracked; want 0 and 0", tr.total, n)
	}
}

// TestAckTrackerBounds: a queue nobody commits keeps only its newest
// deliveries, and the total stays under maxAcks.
func TestAckTrackerBounds(t *testing.T) {
	tr := newAckTracker()
	q := ackQueue{group: "broadcast", topic: "T"}
	for off := range int64(maxAcksPerQueue + 10) {
		tr.track(q, pendingAck{offset: off})
	}
	if got := len(tr.queues[q]); got != maxAcksPerQueue || tr.queues[q][0].offset != 10 {
		t.Errorf("queue holds %d from offset %d, want %d from 10", got, tr.queues[q][0].offset, maxAcksPerQueue)
	}
	for i := range int32(maxAcks / maxAcksPerQueue * 2) {
		for off := range int64(maxAcksPerQueue) {
			tr.track(ackQueue{group: "g", topic: "T", queueID: i}, pendingAck{offset: off})
		}
	}
	n := 0
	for _, s := range tr.queues {
		n += len(s)
	}
	if n != tr.total || n > maxAcks {
		t.Errorf("tracked %d (total says %d), want at most %d", n, tr.total, maxAcks)
	}
}
