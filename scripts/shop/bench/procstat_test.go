package main

import (
	"testing"
	"time"
)

func TestParseStat(t *testing.T) {
	tests := []struct {
		name, line string
		want       float64
	}{
		{"plain", "4242 (order) S 1 4242 4242 0 -1 4194560 1234 0 0 0 250 37 0 0 20 0 9 0 100 0 0", 2870},
		{"name with spaces and parentheses", "7 (a (b) c) R 1 7 7 0 -1 0 0 0 0 0 1 2 0 0 20 0 1 0 1 0 0", 30},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseStat(tt.line)
			if err != nil || got != tt.want {
				t.Errorf("parseStat = %v, %v; want %v ms", got, err, tt.want)
			}
		})
	}
	if _, err := parseStat("4242 (order) S 1"); err == nil {
		t.Error("a short line parsed")
	}
}

// The benchmark's own CPU time grows while it works.
func TestCPUMillisOfThisProcess(t *testing.T) {
	before, err := cpuMillis(0)
	if err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); {
		now, err := cpuMillis(0)
		if err != nil {
			t.Fatal(err)
		}
		if now > before {
			return
		}
	}
	t.Error("5 s of spinning added no CPU time")
}

func TestQuantiles(t *testing.T) {
	var ds []time.Duration
	for i := 1; i <= 100; i++ {
		ds = append(ds, time.Duration(101-i)*time.Millisecond)
	}
	got := quantiles(ds)
	if want := (Quantiles{N: 100, P50: 50, P95: 95, P99: 99, Max: 100}); got != want {
		t.Errorf("quantiles = %+v, want %+v", got, want)
	}
	if got := quantiles(nil); got != (Quantiles{}) {
		t.Errorf("quantiles(nil) = %+v", got)
	}
}

// summarize counts what started in the window (latencies, errors) and
// what was paid in it; the warm-up and the tail stay out.
func TestSummarize(t *testing.T) {
	from := time.Now()
	to := from.Add(10 * time.Second)
	at := func(s float64) time.Time { return from.Add(time.Duration(s * float64(time.Second))) }
	events := []event{
		{op: opPlace, status: 201, start: at(-1), end: at(-0.9)},               // warm-up
		{op: opPay, status: 200, code: "PAID", start: at(-0.5), end: at(0.1)},  // started in the warm-up, paid in the window
		{op: opPlace, status: 201, start: at(1), end: at(1.02)},                // 20 ms
		{op: opPay, status: 200, code: "PAID", start: at(1.02), end: at(1.06)}, // 40 ms
		{op: opPlace, status: 409, code: "OUT_OF_STOCK", start: at(2), end: at(2.01)},
		{op: opPay, status: 202, code: "PENDING", start: at(3), end: at(6)},
		{op: opPay, status: 200, code: "PAID", start: at(9.9), end: at(10.5)}, // answered after the window
	}
	l := summarize(closedLoop(4), events, from, to)
	if l.Paid != 2 || l.Orders != 1 || l.PaidPerSecond != 0.2 {
		t.Errorf("paid %d, orders %d, %.2f/s; want 2, 1, 0.2", l.Paid, l.Orders, l.PaidPerSecond)
	}
	if l.Place.N != 1 || l.Pay.N != 2 {
		t.Errorf("place %+v, pay %+v; want 1 and 2 latencies", l.Place, l.Pay)
	}
	if l.Errors["place 409 OUT_OF_STOCK"] != 1 || l.Errors["pay 202 PENDING"] != 1 || len(l.Errors) != 2 {
		t.Errorf("errors %v", l.Errors)
	}
}
