// Package txmsgtest is a stand-in for a txmsg.Producer in unit tests that
// need no broker: it runs the local transaction at once, as the client does,
// and records each event's fate by the kit's rule.
package txmsgtest

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
)

var seq atomic.Int64

// Inline publishes events of type E without a broker. The zero value is
// ready to use and safe for concurrent use.
type Inline[E any] struct {
	mu        sync.Mutex
	committed []E
}

// Publish runs local with a fresh transaction id and records ev as
// committed when local returned nil. Like txmsg.Producer.Publish it returns
// nil whatever local decided: local's error decides the message, not the
// call.
func (p *Inline[E]) Publish(ctx context.Context, ev E, local func(ctx context.Context, txID string) error) error {
	err := local(ctx, fmt.Sprintf("txmsgtest-%d", seq.Add(1)))
	if err == nil {
		p.mu.Lock()
		p.committed = append(p.committed, ev)
		p.mu.Unlock()
	}
	return nil
}

// Committed returns the events whose local transaction committed, in order.
func (p *Inline[E]) Committed() []E {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]E(nil), p.committed...)
}
