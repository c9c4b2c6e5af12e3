// Package faults is the training kit's fault switches: a program declares
// the points along its work where a trainer may break it (a Point: name,
// description, the actions it takes), and at each point asks its Set whether
// a fault is armed there (At). A trainer arms faults through the admin API
// (faults/faultapi) or the <PREFIX>_FAULTS variable at start, sees them on
// /readyz and in the logs, and clears them with a reset.
//
// Nothing is armed unless someone arms it, and At on a Set with nothing
// armed costs one atomic load, so the points stay in production code, where
// the lesson is.
//
// The package imports only the standard library and apperr, so a domain
// package may hold a *Set (archtest's domainMayImport).
package faults

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Action is what an armed fault does at its point.
type Action string

// The actions. A point lists the ones it takes.
const (
	// Fail: the step returns an error, the one it returns when its own
	// dependency fails.
	Fail Action = "fail"
	// Delay: the step waits Spec.Delay, then proceeds.
	Delay Action = "delay"
	// Crash: the process is killed at the point (SIGKILL to itself: no
	// deferred clean-up, no flushed buffers, like a real crash).
	Crash Action = "crash"
	// Drop: the step's output is lost (a message never sent, an answer
	// never returned).
	Drop Action = "drop"
	// Answer: the step answers Spec.Value instead of computing it.
	Answer Action = "answer"
	// Naive: the step runs its naive variant Spec.Value, a lab's twin of the
	// correct design.
	Naive Action = "naive"
)

// actions is every Action a service point may take; minirmq has two more
// of its own (pause, duplicate).
var actions = []Action{Fail, Delay, Crash, Drop, Answer, Naive}

// Point is one place where a fault can be armed.
type Point struct {
	// Name is the point's stable name, e.g. "pay.after-half".
	Name string `json:"point"`
	// Description says in one sentence where the point is and what each
	// action does there.
	Description string `json:"description"`
	// Actions are the actions the point takes.
	Actions []Action `json:"actions"`
	// Values are, for Answer and Naive, the values the point accepts.
	Values map[Action][]string `json:"values,omitempty"`
}

// Limits on a Spec, so a typo cannot arm a fault for a year.
const (
	MaxCount = 1000
	MaxDelay = time.Minute
	MaxFor   = 24 * time.Hour
)

// Spec is a fault to arm.
type Spec struct {
	Point  string
	Action Action
	// Value is Answer's answer or Naive's variant.
	Value string
	// Count is how many hits fire before the fault disarms itself; 0 means
	// every hit until cleared or expired.
	Count int
	// Delay is how long Delay waits.
	Delay time.Duration
	// For is how long the fault stays armed; 0 means until cleared.
	For time.Duration
}

// String is the spec in the <PREFIX>_FAULTS syntax.
func (s Spec) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s=%s", s.Point, s.Action)
	if s.Value != "" {
		fmt.Fprintf(&b, ",value=%s", s.Value)
	}
	if s.Count > 0 {
		fmt.Fprintf(&b, ",count=%d", s.Count)
	}
	if s.Delay > 0 {
		fmt.Fprintf(&b, ",delay=%s", s.Delay)
	}
	if s.For > 0 {
		fmt.Fprintf(&b, ",for=%s", s.For)
	}
	return b.String()
}

// Armed is an armed fault as the Set reports it.
type Armed struct {
	Spec
	// Left is how many hits are still to fire when Count > 0.
	Left int
	// Hits is how many times the fault fired.
	Hits int
	// ArmedAt is when it was armed; ExpiresAt when it disarms by itself
	// (zero without For).
	ArmedAt, ExpiresAt time.Time
}

// Summary is the armed fault in one line, as /readyz lists it:
// "pay.after-half: crash (1 left)".
func (a Armed) Summary() string {
	s := a.Point + ": " + string(a.Action)
	if a.Value != "" {
		s += " " + a.Value
	}
	if a.Action == Delay {
		s += " " + a.Delay.String()
	}
	var notes []string
	if a.Count > 0 {
		notes = append(notes, fmt.Sprintf("%d left", a.Left))
	}
	if !a.ExpiresAt.IsZero() {
		notes = append(notes, "until "+a.ExpiresAt.Format(time.TimeOnly))
	}
	if len(notes) > 0 {
		s += " (" + strings.Join(notes, ", ") + ")"
	}
	return s
}

// Hit is one firing of an armed fault, for the point to act out. A Delay
// has already waited and a Crash never returns.
type Hit struct {
	Action Action
	Value  string
	Delay  time.Duration // a delay's length (At has already waited it)
}

// Set is a program's points and the faults armed on them. The zero value is
// not usable; a nil *Set has no points and never fires.
type Set struct {
	program string
	log     *slog.Logger
	now     func() time.Time
	crash   func()

	any    atomic.Bool // some fault is armed: At's fast path
	mu     sync.Mutex
	points map[string]Point
	armed  map[string]*Armed
}

// Option configures a Set.
type Option func(*Set)

// WithCrash replaces the SIGKILL of a Crash fault, for a test that runs the
// point in its own process.
func WithCrash(crash func()) Option { return func(s *Set) { s.crash = crash } }

// WithClock replaces time.Now, for tests of expiry.
func WithClock(now func() time.Time) Option { return func(s *Set) { s.now = now } }

// New returns the Set of program (its name in logs and lists), logging to
// log, with no points.
func New(program string, log *slog.Logger, opts ...Option) *Set {
	if log == nil {
		log = slog.Default()
	}
	s := &Set{
		program: program, log: log, now: time.Now, crash: killSelf,
		points: map[string]Point{}, armed: map[string]*Armed{},
	}
	for _, o := range opts {
		o(s)
	}
	return s
}

// killSelf ends the process as a crash would.
func killSelf() {
	_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
	select {} // the signal is on its way; never run the code after the point
}

// Program is the name the Set was created with.
func (s *Set) Program() string { return s.program }

// Declare adds points. A program declares every point before it serves;
// declaring a name twice keeps the last declaration. Declare panics on a
// point without a name or actions, or with an action outside the list: a
// programming error found at start-up.
func (s *Set) Declare(points ...Point) {
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range points {
		if p.Name == "" || len(p.Actions) == 0 {
			panic(fmt.Sprintf("faults: point %q needs a name and actions", p.Name))
		}
		for _, a := range p.Actions {
			if !slices.Contains(actions, a) {
				panic(fmt.Sprintf("faults: point %s declares unknown action %q", p.Name, a))
			}
			if (a == Answer || a == Naive) && len(p.Values[a]) == 0 {
				panic(fmt.Sprintf("faults: point %s takes %s but lists no values for it", p.Name, a))
			}
		}
		s.points[p.Name] = p
	}
}

// Points lists the declared points by name.
func (s *Set) Points() []Point {
	if s == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Point, 0, len(s.points))
	for _, p := range s.points {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Arm checks spec against the declared points and the limits and arms it,
// replacing a fault armed on the same point. A bad spec arms nothing and
// returns an apperr.Invalid naming the field.
func (s *Set) Arm(spec Spec) (Armed, error) {
	if s == nil {
		return Armed{}, invalid("point", CodeInvalidPoint, "this program has no fault points")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(spec); err != nil {
		return Armed{}, err
	}
	a := &Armed{Spec: spec, Left: spec.Count, ArmedAt: s.now().UTC()}
	if spec.For > 0 {
		a.ExpiresAt = a.ArmedAt.Add(spec.For)
	}
	s.armed[spec.Point] = a
	s.any.Store(true)
	s.log.Warn("fault armed", "program", s.program, "fault", spec.String(), "point", spec.Point, "action", spec.Action,
		"value", spec.Value, "count", spec.Count, "delay", spec.Delay, "for", spec.For)
	return *a, nil
}

// ArmAll arms every spec, or none: the first bad one is returned (with the
// spec it belongs to) and the Set is left as it was.
func (s *Set) ArmAll(specs []Spec) error {
	if s == nil && len(specs) > 0 {
		return fmt.Errorf("%s: this program has no fault points", specs[0])
	}
	s.mu.Lock()
	for _, sp := range specs {
		if err := s.check(sp); err != nil {
			s.mu.Unlock()
			return fmt.Errorf("%s: %w", sp, err)
		}
	}
	s.mu.Unlock()
	for _, sp := range specs {
		if _, err := s.Arm(sp); err != nil {
			return fmt.Errorf("%s: %w", sp, err)
		}
	}
	return nil
}

// Clear disarms the fault on point, if any. An undeclared point is
// apperr.NotFound.
func (s *Set) Clear(point string) error {
	if s == nil {
		return notFoundPoint(point)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.points[point]; !ok {
		return notFoundPoint(point)
	}
	if _, ok := s.armed[point]; ok {
		delete(s.armed, point)
		s.any.Store(len(s.armed) > 0)
		s.log.Info("fault cleared", "program", s.program, "point", point)
	}
	return nil
}

// Reset disarms every fault and returns how many were armed.
func (s *Set) Reset() int {
	if s == nil {
		return 0
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	n := len(s.armed)
	clear(s.armed)
	s.any.Store(false)
	if n > 0 {
		s.log.Info("faults cleared", "program", s.program, "cleared", n)
	}
	return n
}

// Armed lists the armed faults by point; expired ones are dropped first.
func (s *Set) Armed() []Armed {
	if s == nil || !s.any.Load() {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.expire()
	out := make([]Armed, 0, len(s.armed))
	for _, a := range s.armed {
		out = append(out, *a)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Point < out[j].Point })
	return out
}

// Summaries are the armed faults one line each, for /readyz.
func (s *Set) Summaries() []string {
	var out []string
	for _, a := range s.Armed() {
		out = append(out, a.Summary())
	}
	return out
}

// At is the point called point: when a fault is armed there it fires
// (counted, logged) and At reports it. A Crash kills the process here; a
// Delay waits (or until ctx ends) and is then reported like the others, so
// the caller acts out Fail, Drop, Answer and Naive and ignores the rest.
func (s *Set) At(ctx context.Context, point string) (Hit, bool) {
	if s == nil || !s.any.Load() {
		return Hit{}, false
	}
	s.mu.Lock()
	s.expire()
	a, ok := s.armed[point]
	if !ok {
		s.mu.Unlock()
		return Hit{}, false
	}
	a.Hits++
	if a.Count > 0 {
		a.Left--
		if a.Left <= 0 {
			delete(s.armed, point)
			s.any.Store(len(s.armed) > 0)
		}
	}
	f := *a
	s.mu.Unlock()

	s.log.WarnContext(ctx, "fault fired", "program", s.program, "point", point, "action", f.Action, "value", f.Value,
		"hits", f.Hits, "left", f.Left)
	switch f.Action {
	case Crash:
		s.crash()
	case Delay:
		t := time.NewTimer(f.Delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
		}
	}
	return Hit{Action: f.Action, Value: f.Value, Delay: f.Delay}, true
}

// Peek reports the fault armed on point without firing it, for a point that
// acts after the step (a crash after the effect is applied).
func (s *Set) Peek(point string) (Hit, bool) {
	if s == nil || !s.any.Load() {
		return Hit{}, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.expire()
	a, ok := s.armed[point]
	if !ok {
		return Hit{}, false
	}
	return Hit{Action: a.Action, Value: a.Value, Delay: a.Delay}, true
}

// Naive is the naive variant armed on point, or "" for the correct design.
// It is At for points whose only action is Naive.
func (s *Set) Naive(ctx context.Context, point string) string {
	if h, ok := s.At(ctx, point); ok && h.Action == Naive {
		return h.Value
	}
	return ""
}

// expire drops faults whose time is up; s.mu is held.
func (s *Set) expire() {
	now := s.now()
	for p, a := range s.armed {
		if !a.ExpiresAt.IsZero() && !now.Before(a.ExpiresAt) {
			delete(s.armed, p)
			s.log.Info("fault expired", "program", s.program, "point", p)
		}
	}
	s.any.Store(len(s.armed) > 0)
}

// check validates spec; s.mu is held.
func (s *Set) check(spec Spec) error {
	if spec.Point == "" {
		return invalid("point", CodePointRequired, "point is required")
	}
	p, ok := s.points[spec.Point]
	if !ok {
		return invalid("point", CodeInvalidPoint, fmt.Sprintf("%s has no fault point %q; GET the faults to list them", s.program, spec.Point))
	}
	switch {
	case spec.Action == "":
		return invalid("action", CodeActionRequired, "action is required")
	case !slices.Contains(p.Actions, spec.Action):
		return invalid("action", CodeInvalidAction, fmt.Sprintf("point %s takes %s, not %q", p.Name, joinActions(p.Actions), spec.Action))
	}
	values := p.Values[spec.Action]
	switch {
	case len(values) > 0 && !slices.Contains(values, spec.Value):
		return invalid("value", CodeInvalidValue, fmt.Sprintf("%s at %s takes value %s, not %q", spec.Action, p.Name, strings.Join(values, " or "), spec.Value))
	case len(values) == 0 && spec.Value != "":
		return invalid("value", CodeInvalidValue, fmt.Sprintf("%s takes no value", spec.Action))
	case spec.Count < 0 || spec.Count > MaxCount:
		return invalid("count", CodeInvalidCount, fmt.Sprintf("count must be 0 (until cleared) to %d", MaxCount))
	case spec.Action == Delay && (spec.Delay < time.Millisecond || spec.Delay > MaxDelay):
		return invalid("delay", CodeInvalidDelay, fmt.Sprintf("delay must be between 1ms and %s", MaxDelay))
	case spec.Action != Delay && spec.Delay != 0:
		return invalid("delay", CodeInvalidDelay, "delay is for the delay action only")
	case spec.For < 0 || spec.For > MaxFor:
		return invalid("for", CodeInvalidFor, fmt.Sprintf("for must be 0 (until cleared) to %s", MaxFor))
	}
	return nil
}

func joinActions(as []Action) string {
	s := make([]string, len(as))
	for i, a := range as {
		s[i] = string(a)
	}
	return strings.Join(s, " or ")
}
