// Package faults holds minirmq's armed fault switches, the workshop tool of
// the shared fault contract: at most one fault per point, each expiring
// after Count hits or after For, in memory only (a restart forgets them).
//
// The broker asks at its delivery and check-back steps: Lookup finds the
// fault armed there and Fire records one hit of it, so a fault cleared or
// replaced between the two is not fired. With nothing armed, Lookup is one
// atomic load: the hot path pays nothing.
package faults

import (
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// Set is the armed faults. Its methods are safe for concurrent use.
type Set struct {
	log *slog.Logger

	any     atomic.Bool                   // len(armed) > 0
	changed atomic.Pointer[chan struct{}] // closed and replaced when the set changes

	mu    sync.Mutex
	armed map[string]*armed
	seq   uint64
}

type armed struct {
	Spec
	id        uint64
	left      int
	hits      int
	armedAt   time.Time
	expiresAt time.Time   // zero without For
	timer     *time.Timer // ends the fault at expiresAt; nil without For
}

// Fault is an armed fault as the broker acts on it.
type Fault struct {
	Spec
	id uint64
}

// Armed is the contract's view of an armed fault.
type Armed struct {
	Point     string     `json:"point"`
	Action    string     `json:"action"`
	Value     string     `json:"value"`
	Count     int        `json:"count"`
	Delay     string     `json:"delay"`
	For       string     `json:"for"`
	Left      int        `json:"left,omitempty"` // only when Count > 0; a used-up fault is gone
	Hits      int        `json:"hits"`
	ArmedAt   time.Time  `json:"armedAt"`
	ExpiresAt *time.Time `json:"expiresAt,omitempty"`
}

// New returns an empty set that logs arming, firing and clearing to log.
func New(log *slog.Logger) *Set {
	s := &Set{log: log, armed: map[string]*armed{}}
	ch := make(chan struct{})
	s.changed.Store(&ch)
	return s
}

// Any reports whether any fault is armed.
func (s *Set) Any() bool { return s.any.Load() }

// Changed returns a channel closed at the next change: a fault armed,
// cleared, used up or expired. A long-polling pull parked under pause
// waits on it, so clearing the pause delivers at once.
func (s *Set) Changed() <-chan struct{} { return *s.changed.Load() }

// Arm arms spec at its point, replacing any fault armed there. source
// says who armed it, for the log.
func (s *Set) Arm(spec Spec, source string) Armed {
	now := time.Now().UTC()
	s.mu.Lock()
	old := s.armed[spec.Point]
	if old != nil && old.timer != nil {
		old.timer.Stop()
	}
	s.seq++
	a := &armed{Spec: spec, id: s.seq, left: spec.Count, armedAt: now}
	if spec.For > 0 {
		a.expiresAt = now.Add(spec.For)
		id := a.id
		a.timer = time.AfterFunc(spec.For, func() { s.expire(spec.Point, id) })
	}
	s.armed[spec.Point] = a
	view := a.view()
	s.changedLocked()
	s.mu.Unlock()
	s.log.Warn("fault armed", "point", spec.Point, "action", spec.Action, "value", spec.Value, "count", spec.Count,
		"delay", view.Delay, "for", view.For, "replaced", old != nil, "source", source)
	return view
}

// Clear disarms point; it reports whether a fault was armed there.
// ErrUnknownPoint means minirmq has no such point.
func (s *Set) Clear(point string) (bool, error) {
	if !Known(point) {
		return false, fmt.Errorf("%w: %q", ErrUnknownPoint, point)
	}
	s.mu.Lock()
	a := s.removeLocked(point, 0)
	s.mu.Unlock()
	if a != nil {
		s.log.Info("fault cleared", "point", point, "action", a.Action, "hits", a.hits, "reason", "cleared")
	}
	return a != nil, nil
}

// ClearAll disarms every fault (the reset) and returns how many were armed.
func (s *Set) ClearAll() int {
	s.mu.Lock()
	var gone []*armed
	for p := range s.armed {
		gone = append(gone, s.removeLocked(p, 0))
	}
	s.mu.Unlock()
	for _, a := range gone {
		s.log.Info("fault cleared", "point", a.Point, "action", a.Action, "hits", a.hits, "reason", "all cleared")
	}
	return len(gone)
}

// Lookup returns the fault armed at the first of points that has one.
func (s *Set) Lookup(points ...string) (Fault, bool) {
	if !s.any.Load() {
		return Fault{}, false
	}
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range points {
		if a := s.armed[p]; a != nil && a.live(now) {
			return Fault{Spec: a.Spec, id: a.id}, true
		}
	}
	return Fault{}, false
}

// Fire records one hit of f and logs it with attrs (group, message or
// transaction id). It reports false, and the caller must not act, when f
// was cleared, replaced, used up or expired since Lookup. The hit that
// uses up a count removes the fault.
func (s *Set) Fire(f Fault, attrs ...any) bool {
	now := time.Now()
	s.mu.Lock()
	a := s.armed[f.Point]
	if a == nil || a.id != f.id || !a.live(now) {
		s.mu.Unlock()
		return false
	}
	a.hits++
	hits, usedUp := a.hits, false
	if a.Count > 0 {
		a.left--
		if usedUp = a.left == 0; usedUp {
			s.removeLocked(f.Point, f.id)
		}
	}
	s.mu.Unlock()
	s.log.Warn("fault fired", append([]any{"point", f.Point, "action", f.Action, "hits", hits}, attrs...)...)
	if usedUp {
		s.log.Info("fault cleared", "point", f.Point, "action", f.Action, "hits", hits, "reason", "count used up")
	}
	return true
}

// List returns the armed faults by point.
func (s *Set) List() []Armed {
	now := time.Now()
	s.mu.Lock()
	out := make([]Armed, 0, len(s.armed))
	for _, a := range s.armed {
		if a.live(now) {
			out = append(out, a.view())
		}
	}
	s.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].Point < out[j].Point })
	return out
}

// Summary is the armed faults as /healthz shows them:
// "deliver.points-order-paid: pause", "check-back: drop (2 left)".
func (s *Set) Summary() []string {
	var out []string
	for _, a := range s.List() {
		line := a.Point + ": " + a.Action
		if a.Left > 0 {
			line += fmt.Sprintf(" (%d left)", a.Left)
		}
		out = append(out, line)
	}
	return out
}

func (s *Set) expire(point string, id uint64) {
	s.mu.Lock()
	a := s.removeLocked(point, id)
	s.mu.Unlock()
	if a != nil {
		s.log.Info("fault cleared", "point", point, "action", a.Action, "hits", a.hits, "reason", "expired")
	}
}

// removeLocked removes the fault at point (only if its id is id, when id
// is not 0) and returns it. Callers hold s.mu.
func (s *Set) removeLocked(point string, id uint64) *armed {
	a := s.armed[point]
	if a == nil || (id != 0 && a.id != id) {
		return nil
	}
	if a.timer != nil {
		a.timer.Stop()
	}
	delete(s.armed, point)
	s.changedLocked()
	return a
}

// changedLocked publishes a change. Callers hold s.mu.
func (s *Set) changedLocked() {
	s.any.Store(len(s.armed) > 0)
	ch := make(chan struct{})
	close(*s.changed.Swap(&ch))
}

// live reports whether a has not expired by now (its timer may lag).
func (a *armed) live(now time.Time) bool {
	return a.expiresAt.IsZero() || now.Before(a.expiresAt)
}

func (a *armed) view() Armed {
	v := Armed{Point: a.Point, Action: a.Action, Value: a.Value, Count: a.Count, Left: a.left, Hits: a.hits, ArmedAt: a.armedAt}
	if a.Delay > 0 {
		v.Delay = a.Delay.String()
	}
	if a.For > 0 {
		v.For = a.For.String()
		at := a.expiresAt
		v.ExpiresAt = &at
	}
	return v
}
