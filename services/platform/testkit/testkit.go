// Package testkit holds the test helpers every module shares: waiting for a
// condition with a deadline, releasing goroutines together, reading the
// code of an apperr error, ending a test whose tool is missing, and a log
// destination goroutines can share. Only _test.go files import it (the architecture
// test checks that), so no program links package testing.
//
// Handler tests have their own helpers in httpserver/servetest, database
// tests in dbtest, consumer tests in mqtest.
package testkit

import (
	"bytes"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/rocketmart/rocketmart/services/platform/apperr"
)

// pollEvery is how often Eventually checks its condition: the polling
// interval of a loop with a deadline, not a sleep used as synchronisation.
const pollEvery = 10 * time.Millisecond

// Eventually checks cond until it holds, and fails t (t.Fatalf) if it still
// does not after timeout, naming what was awaited. cond runs on the test's
// goroutine; it must not block.
func Eventually(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(pollEvery)
	}
}

// Concurrently runs fn(0) … fn(n-1) in n goroutines that all start at the
// same moment, waits for every one, and returns their errors: errs[i] is
// what fn(i) returned. It is for races on purpose: n callers contending
// for one row, key or balance.
func Concurrently(n int, fn func(i int) error) (errs []error) {
	errs = make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			errs[i] = fn(i)
		})
	}
	close(start)
	wg.Wait()
	return errs
}

// CodeOf returns the code of the apperr error in err's chain, "" for nil,
// and for any other error a text no code equals ("not an apperr error: …"),
// so that a comparison with a code fails and shows the error.
func CodeOf(err error) string {
	if err == nil {
		return ""
	}
	if e, ok := apperr.As(err); ok {
		return e.Code
	}
	return "not an apperr error: " + err.Error()
}

// Unavailable ends a test that cannot run because something it needs is
// missing from the machine (a command, a terminal, a browser): a skip on a
// developer's machine, a failure when CI is set, so that a missing install
// step in CI fails the run instead of passing it quietly.
func Unavailable(t testing.TB, format string, args ...any) {
	t.Helper()
	if ci, _ := strconv.ParseBool(os.Getenv("CI")); ci {
		t.Fatalf(format+" (CI must run this test: install it in .ci/run)", args...)
	}
	t.Skipf(format, args...)
}

// LogBuffer is a log destination that several goroutines (a logger's
// callers, a client's goroutines, a background writer) may write to while
// the test reads it.
type LogBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *LogBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns everything written so far.
func (b *LogBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
