package faults_test

import (
	"context"
	"log/slog"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rocketmart/rocketmart/services/platform/apperr"
	"github.com/rocketmart/rocketmart/services/platform/faults"
)

var points = []faults.Point{
	{Name: "pay.after-half", Description: "crash", Actions: []faults.Action{faults.Crash}},
	{Name: "charge", Description: "slow, lost, answered", Actions: []faults.Action{faults.Delay, faults.Drop, faults.Answer},
		Values: map[faults.Action][]string{faults.Answer: {"decline", "unavailable"}}},
	{Name: "check", Description: "naive", Actions: []faults.Action{faults.Fail, faults.Naive},
		Values: map[faults.Action][]string{faults.Naive: {"always-commit"}}},
}

func newSet(t *testing.T, opts ...faults.Option) *faults.Set {
	t.Helper()
	s := faults.New("order", slog.New(slog.DiscardHandler), opts...)
	s.Declare(points...)
	return s
}

// Every bad spec is refused with the code of its field, and arms nothing.
func TestArmRefusesBadSpecs(t *testing.T) {
	s := newSet(t)
	tests := []struct {
		spec        faults.Spec
		code, field string
	}{
		{faults.Spec{Action: faults.Crash}, faults.CodePointRequired, "point"},
		{faults.Spec{Point: "nope", Action: faults.Crash}, faults.CodeInvalidPoint, "point"},
		{faults.Spec{Point: "pay.after-half"}, faults.CodeActionRequired, "action"},
		{faults.Spec{Point: "pay.after-half", Action: faults.Fail}, faults.CodeInvalidAction, "action"},
		{faults.Spec{Point: "pay.after-half", Action: "explode"}, faults.CodeInvalidAction, "action"},
		{faults.Spec{Point: "charge", Action: faults.Answer}, faults.CodeInvalidValue, "value"},
		{faults.Spec{Point: "charge", Action: faults.Answer, Value: "yes"}, faults.CodeInvalidValue, "value"},
		{faults.Spec{Point: "charge", Action: faults.Drop, Value: "x"}, faults.CodeInvalidValue, "value"},
		{faults.Spec{Point: "charge", Action: faults.Drop, Count: -1}, faults.CodeInvalidCount, "count"},
		{faults.Spec{Point: "charge", Action: faults.Drop, Count: faults.MaxCount + 1}, faults.CodeInvalidCount, "count"},
		{faults.Spec{Point: "charge", Action: faults.Delay}, faults.CodeInvalidDelay, "delay"},
		{faults.Spec{Point: "charge", Action: faults.Delay, Delay: 2 * time.Minute}, faults.CodeInvalidDelay, "delay"},
		{faults.Spec{Point: "charge", Action: faults.Drop, Delay: time.Second}, faults.CodeInvalidDelay, "delay"},
		{faults.Spec{Point: "charge", Action: faults.Drop, For: -time.Second}, faults.CodeInvalidFor, "for"},
		{faults.Spec{Point: "charge", Action: faults.Drop, For: 25 * time.Hour}, faults.CodeInvalidFor, "for"},
	}
	for _, tt := range tests {
		_, err := s.Arm(tt.spec)
		e, ok := apperr.As(err)
		if !ok || e.Kind != apperr.Invalid || e.Code != tt.code || e.Details["field"] != tt.field {
			t.Errorf("Arm(%s) = %v, want Invalid %s on field %s", tt.spec, err, tt.code, tt.field)
		}
	}
	if got := s.Armed(); len(got) != 0 {
		t.Errorf("bad specs armed %v", got)
	}
}

// A counted fault fires exactly count times, then disarms itself; a fault
// on another point never fires.
func TestCountedFaultFiresCountTimes(t *testing.T) {
	s := newSet(t)
	if _, err := s.Arm(faults.Spec{Point: "charge", Action: faults.Answer, Value: "decline", Count: 2}); err != nil {
		t.Fatal(err)
	}
	if got := s.Summaries(); !reflect.DeepEqual(got, []string{"charge: answer decline (2 left)"}) {
		t.Errorf("summaries %q", got)
	}
	ctx := context.Background()
	if _, ok := s.At(ctx, "check"); ok {
		t.Error("a point with nothing armed fired")
	}
	for i := range 2 {
		h, ok := s.At(ctx, "charge")
		if !ok || h.Action != faults.Answer || h.Value != "decline" {
			t.Fatalf("hit %d = %+v, %v", i+1, h, ok)
		}
	}
	if _, ok := s.At(ctx, "charge"); ok {
		t.Error("fired a third time")
	}
	if got := s.Armed(); len(got) != 0 {
		t.Errorf("still armed after its count: %+v", got)
	}
}

// Concurrent hits on a counted fault fire it exactly count times.
func TestCountIsExactUnderConcurrency(t *testing.T) {
	s := newSet(t)
	if _, err := s.Arm(faults.Spec{Point: "charge", Action: faults.Drop, Count: 7}); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	fired := 0
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			if _, ok := s.At(context.Background(), "charge"); ok {
				mu.Lock()
				fired++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if fired != 7 {
		t.Errorf("fired %d times, want 7", fired)
	}
}

// A fault with a duration disarms itself when it expires.
func TestFaultExpires(t *testing.T) {
	now := time.Date(2026, 12, 3, 7, 0, 0, 0, time.UTC)
	s := newSet(t, faults.WithClock(func() time.Time { return now }))
	if _, err := s.Arm(faults.Spec{Point: "check", Action: faults.Naive, Value: "always-commit", For: time.Minute}); err != nil {
		t.Fatal(err)
	}
	if v := s.Naive(context.Background(), "check"); v != "always-commit" {
		t.Errorf("naive = %q while armed", v)
	}
	if got := s.Armed(); len(got) != 1 || !got[0].ExpiresAt.Equal(now.Add(time.Minute)) || got[0].Hits != 1 {
		t.Errorf("armed %+v", got)
	}
	now = now.Add(time.Minute)
	if v := s.Naive(context.Background(), "check"); v != "" {
		t.Errorf("naive = %q after expiry", v)
	}
	if got := s.Armed(); len(got) != 0 {
		t.Errorf("armed after expiry: %+v", got)
	}
}

// Crash calls the crash function at the point; Delay waits, and stops
// waiting when the context ends.
func TestCrashAndDelay(t *testing.T) {
	crashed := 0
	s := newSet(t, faults.WithCrash(func() { crashed++ }))
	if _, err := s.Arm(faults.Spec{Point: "pay.after-half", Action: faults.Crash, Count: 1}); err != nil {
		t.Fatal(err)
	}
	s.At(context.Background(), "pay.after-half")
	if crashed != 1 {
		t.Errorf("crashed %d times", crashed)
	}
	if _, err := s.Arm(faults.Spec{Point: "charge", Action: faults.Delay, Delay: 50 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if h, ok := s.At(context.Background(), "charge"); !ok || h.Action != faults.Delay {
		t.Fatalf("hit %+v %v", h, ok)
	}
	if waited := time.Since(start); waited < 50*time.Millisecond {
		t.Errorf("delay waited %s", waited)
	}
	if _, err := s.Arm(faults.Spec{Point: "charge", Action: faults.Delay, Delay: time.Minute}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	s.At(ctx, "charge") // returns at once: the caller's context has ended
}

// Arming replaces; Clear and Reset disarm; an undeclared point is NotFound.
func TestReplaceClearReset(t *testing.T) {
	s := newSet(t)
	mustArm(t, s, faults.Spec{Point: "charge", Action: faults.Drop})
	mustArm(t, s, faults.Spec{Point: "charge", Action: faults.Answer, Value: "unavailable"})
	mustArm(t, s, faults.Spec{Point: "pay.after-half", Action: faults.Crash})
	if got := s.Summaries(); !reflect.DeepEqual(got, []string{"charge: answer unavailable", "pay.after-half: crash"}) {
		t.Errorf("summaries %q", got)
	}
	if err := s.Clear("charge"); err != nil {
		t.Fatal(err)
	}
	if err := s.Clear("charge"); err != nil {
		t.Errorf("clearing a point with nothing armed: %v", err)
	}
	if e, _ := apperr.As(s.Clear("nope")); e == nil || e.Code != faults.CodePointNotFound {
		t.Errorf("clear of an undeclared point: %v", e)
	}
	if n := s.Reset(); n != 1 || len(s.Armed()) != 0 {
		t.Errorf("reset cleared %d, left %v", n, s.Armed())
	}
}

// The <PREFIX>_FAULTS syntax, its errors, and ArmAll's all-or-nothing.
func TestParseAndArmAll(t *testing.T) {
	specs, err := faults.Parse(" pay.after-half=crash,count=1 ; charge=delay,delay=2s,for=10m;check=naive,value=always-commit;")
	if err != nil {
		t.Fatal(err)
	}
	want := []faults.Spec{
		{Point: "pay.after-half", Action: faults.Crash, Count: 1},
		{Point: "charge", Action: faults.Delay, Delay: 2 * time.Second, For: 10 * time.Minute},
		{Point: "check", Action: faults.Naive, Value: "always-commit"},
	}
	if !reflect.DeepEqual(specs, want) {
		t.Errorf("parsed %+v", specs)
	}
	for _, sp := range want {
		if again, err := faults.Parse(sp.String()); err != nil || !reflect.DeepEqual(again, []faults.Spec{sp}) {
			t.Errorf("%s does not parse back: %+v %v", sp, again, err)
		}
	}
	for _, bad := range []string{"charge", "=drop", "charge=drop,count", "charge=drop,count=x", "charge=drop,times=2", "charge=delay,delay=soon"} {
		if _, err := faults.Parse(bad); err == nil || !strings.Contains(err.Error(), bad) {
			t.Errorf("Parse(%q) = %v, want an error quoting the item", bad, err)
		}
	}

	s := newSet(t)
	err = s.ArmAll([]faults.Spec{{Point: "charge", Action: faults.Drop}, {Point: "nope", Action: faults.Crash}})
	if err == nil || !strings.Contains(err.Error(), "nope=crash") {
		t.Errorf("ArmAll = %v, want the bad item named", err)
	}
	if got := s.Armed(); len(got) != 0 {
		t.Errorf("ArmAll armed %v despite a bad item", got)
	}
	if err := s.ArmAll(want); err != nil || len(s.Armed()) != 3 {
		t.Errorf("ArmAll(good) = %v, armed %v", err, s.Armed())
	}
}

// A nil Set has no points and never fires, so code without faults runs the
// points unchanged.
func TestNilSet(t *testing.T) {
	var s *faults.Set
	if _, ok := s.At(context.Background(), "charge"); ok {
		t.Error("nil set fired")
	}
	if s.Naive(context.Background(), "check") != "" || s.Armed() != nil || s.Points() != nil || s.Reset() != 0 {
		t.Error("nil set reports something")
	}
	if _, err := s.Arm(faults.Spec{Point: "charge", Action: faults.Drop}); err == nil {
		t.Error("nil set armed a fault")
	}
}

func mustArm(t *testing.T, s *faults.Set, sp faults.Spec) {
	t.Helper()
	if _, err := s.Arm(sp); err != nil {
		t.Fatalf("arm %s: %v", sp, err)
	}
}
