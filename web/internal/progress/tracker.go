package progress

import "sync"

// PayTracker counts the pay requests running through this gateway per order.
// While the order service works on a payment nothing durable says so yet
// (the half message is pending for every payment, not only stuck ones), so
// the gateway's own knowledge is what tells "in flight" from "waiting for
// the check-back". Another gateway instance does not see these requests; its
// pages fall back to the durable facts a moment later.
type PayTracker struct {
	mu      sync.Mutex
	running map[string]int
}

// NewPayTracker returns an empty tracker.
func NewPayTracker() *PayTracker {
	return &PayTracker{running: make(map[string]int)}
}

// Begin records a pay request for orderNo; call the returned func when it
// has been answered.
func (t *PayTracker) Begin(orderNo string) (end func()) {
	t.mu.Lock()
	t.running[orderNo]++
	t.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			t.mu.Lock()
			defer t.mu.Unlock()
			if t.running[orderNo]--; t.running[orderNo] <= 0 {
				delete(t.running, orderNo)
			}
		})
	}
}

// InFlight reports whether a pay request for orderNo is running.
func (t *PayTracker) InFlight(orderNo string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.running[orderNo] > 0
}
