// Package testpoll waits for a condition with a deadline, for minirmq's
// tests in every package (minirmq is its own module and does not import the
// services' platform/testkit). Only _test.go files import it.
package testpoll

import (
	"testing"
	"time"
)

// every is how often Eventually checks its condition: the polling interval
// of a loop with a deadline, not a sleep used as synchronisation.
const every = 10 * time.Millisecond

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
		time.Sleep(every)
	}
}
