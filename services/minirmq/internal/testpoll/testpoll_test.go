package testpoll_test

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/rocketmart/rocketmart/services/minirmq/internal/testpoll"
)

type fakeT struct {
	testing.TB
	failed string
}

func (f *fakeT) Helper() {}

func (f *fakeT) Fatalf(format string, args ...any) {
	f.failed = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func TestEventually(t *testing.T) {
	n := 0
	testpoll.Eventually(t, time.Second, "three checks", func() bool { n++; return n == 3 })
	if n != 3 {
		t.Errorf("checked %d times, want 3", n)
	}

	f := &fakeT{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		testpoll.Eventually(f, 30*time.Millisecond, "never", func() bool { return false })
	}()
	<-done
	if f.failed != "timed out after 30ms waiting for never" {
		t.Errorf("failure %q", f.failed)
	}
}
