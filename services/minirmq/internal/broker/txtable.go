package broker

import "sort"

// Half-message states, as the admin API shows them.
const (
	txPending    = "pending"
	txCommitted  = "committed"
	txRolledBack = "rolled_back"
	txDiscarded  = "discarded"
)

// decidedMemory bounds how many decided halves stay listed for the admin API.
const decidedMemory = 10000

// half is a transactional half message and what happened to it.
type half struct {
	Offset        int64  `json:"commitLogOffset"`
	QueueOffset   int64  `json:"queueOffset"`
	TransactionID string `json:"transactionId"`
	Topic         string `json:"topic"`
	QueueID       int32  `json:"queueId"`
	ProducerGroup string `json:"producerGroup"`
	Keys          string `json:"keys"`
	BornTime      int64  `json:"bornTime"`
	StoreTime     int64  `json:"storeTime"`
	State         string `json:"state"`
	CheckCount    int    `json:"checkCount"`
	LastCheck     int64  `json:"lastCheckTime"`
	DecidedTime   int64  `json:"decidedTime"`
	// ImmunityMillis overrides the check delay (CHECK_IMMUNITY_TIME_IN_SECONDS).
	ImmunityMillis int64 `json:"immunityMillis,omitempty"`

	origin *conn // the connection the half arrived on, while it lives
}

// txTable indexes pending halves by commit-log offset and transaction id, and
// remembers a bounded number of decided ones.
type txTable struct {
	pending map[int64]*half
	byID    map[string]int64
	decided map[int64]*half
	order   []int64
}

func newTxTable() txTable {
	return txTable{pending: map[int64]*half{}, byID: map[string]int64{}, decided: map[int64]*half{}}
}

func (t *txTable) addPending(h *half) {
	if _, done := t.decided[h.Offset]; done {
		return
	}
	t.pending[h.Offset] = h
	if h.TransactionID != "" {
		t.byID[h.TransactionID] = h.Offset
	}
}

// find looks a half up by offset, falling back to its transaction id (the
// client sends a meaningless offset when a send response had no msgId).
func (t *txTable) find(offset int64, id string) *half {
	if h := t.pending[offset]; h != nil {
		return h
	}
	if h := t.decided[offset]; h != nil {
		return h
	}
	if off, ok := t.byID[id]; ok && id != "" {
		return t.pending[off]
	}
	return nil
}

// decide moves a pending half to a final state; it reports false when the
// half is unknown or already decided.
func (t *txTable) decide(offset int64, state string, at int64) (*half, bool) {
	h := t.pending[offset]
	if h == nil {
		return nil, false
	}
	delete(t.pending, offset)
	if t.byID[h.TransactionID] == offset {
		delete(t.byID, h.TransactionID)
	}
	h.State, h.DecidedTime = state, at
	t.remember(h)
	return h, true
}

func (t *txTable) remember(h *half) {
	if _, ok := t.decided[h.Offset]; ok {
		return
	}
	t.decided[h.Offset] = h
	t.order = append(t.order, h.Offset)
	for len(t.order) > decidedMemory {
		delete(t.decided, t.order[0])
		t.order = t.order[1:]
	}
}

func (t *txTable) pendingList() []*half {
	out := make([]*half, 0, len(t.pending))
	for _, h := range t.pending {
		out = append(out, h)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Offset < out[j].Offset })
	return out
}

func (t *txTable) decidedList() []*half {
	out := make([]*half, 0, len(t.order))
	for _, off := range t.order {
		out = append(out, t.decided[off])
	}
	return out
}
