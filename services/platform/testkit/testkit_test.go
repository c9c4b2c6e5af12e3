package testkit_test

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rocketmart/rocketmart/services/platform/apperr"
	"github.com/rocketmart/rocketmart/services/platform/testkit"
)

// fakeT records a Fatalf instead of stopping the test; Fatalf ends the
// calling goroutine like testing.T's does.
type fakeT struct {
	testing.TB
	failed, skipped string
}

func (f *fakeT) Helper() {}

func (f *fakeT) Fatalf(format string, args ...any) {
	f.failed = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func (f *fakeT) Skipf(format string, args ...any) {
	f.skipped = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// run calls fn with a fakeT on its own goroutine, so that Goexit ends only it.
func run(fn func(t *fakeT)) *fakeT {
	f := &fakeT{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn(f)
	}()
	<-done
	return f
}

func TestEventually(t *testing.T) {
	t.Run("returns once the condition holds", func(t *testing.T) {
		var calls atomic.Int32
		f := run(func(f *fakeT) {
			testkit.Eventually(f, 5*time.Second, "three calls", func() bool { return calls.Add(1) >= 3 })
		})
		if f.failed != "" || calls.Load() != 3 {
			t.Errorf("failed %q after %d calls, want success after 3", f.failed, calls.Load())
		}
	})
	t.Run("fails after the timeout naming what it awaited", func(t *testing.T) {
		begin := time.Now()
		f := run(func(f *fakeT) {
			testkit.Eventually(f, 50*time.Millisecond, "the impossible", func() bool { return false })
		})
		if f.failed != "timed out after 50ms waiting for the impossible" {
			t.Errorf("failure = %q", f.failed)
		}
		if waited := time.Since(begin); waited < 50*time.Millisecond {
			t.Errorf("gave up after %v, before the timeout", waited)
		}
	})
}

func TestConcurrentlyReleasesTogether(t *testing.T) {
	const n = 8
	var arrived atomic.Int32
	release := make(chan struct{})
	// Every goroutine waits until all n have started: if Concurrently ran
	// them one after another this would time out instead of returning.
	go func() {
		for arrived.Load() < n {
			runtime.Gosched()
		}
		close(release)
	}()
	boom := errors.New("boom")
	errs := testkit.Concurrently(n, func(i int) error {
		arrived.Add(1)
		select {
		case <-release:
		case <-time.After(10 * time.Second):
			return errors.New("not released together")
		}
		if i%2 == 1 {
			return fmt.Errorf("call %d: %w", i, boom)
		}
		return nil
	})
	if len(errs) != n {
		t.Fatalf("%d errors, want %d", len(errs), n)
	}
	for i, err := range errs {
		if want := i%2 == 1; errors.Is(err, boom) != want || (!want && err != nil) {
			t.Errorf("errs[%d] = %v, want boom: %v", i, err, want)
		}
	}
}

func TestCodeOf(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"nil", nil, ""},
		{"apperr", apperr.New(apperr.Invalid, "BAD_THING", "bad"), "BAD_THING"},
		{"wrapped apperr", fmt.Errorf("saving: %w", apperr.New(apperr.Conflict, "TAKEN", "taken")), "TAKEN"},
		{"plain error", errors.New("disk full"), "not an apperr error: disk full"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := testkit.CodeOf(tt.err); got != tt.want {
				t.Errorf("CodeOf = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestUnavailable(t *testing.T) {
	for _, tc := range []struct {
		ci                 string
		wantFail, wantSkip bool
	}{
		{ci: "", wantSkip: true},
		{ci: "false", wantSkip: true},
		{ci: "true", wantFail: true},
		{ci: "1", wantFail: true},
	} {
		t.Setenv("CI", tc.ci)
		f := run(func(f *fakeT) { testkit.Unavailable(f, "no %s here", "curl") })
		if (f.failed != "") != tc.wantFail || (f.skipped != "") != tc.wantSkip {
			t.Errorf("CI=%q: failed %q, skipped %q; want fail %v, skip %v", tc.ci, f.failed, f.skipped, tc.wantFail, tc.wantSkip)
		}
		if msg := f.failed + f.skipped; !strings.Contains(msg, "no curl here") {
			t.Errorf("CI=%q: message %q does not say what is missing", tc.ci, msg)
		}
	}
}

func TestLogBufferTakesConcurrentWrites(t *testing.T) {
	var b testkit.LogBuffer
	testkit.Concurrently(20, func(i int) error {
		_, err := fmt.Fprintf(&b, "line %d\n", i)
		return err
	})
	for i := range 20 {
		if !strings.Contains(b.String(), fmt.Sprintf("line %d\n", i)) {
			t.Errorf("line %d missing from %q", i, b.String())
		}
	}
}
