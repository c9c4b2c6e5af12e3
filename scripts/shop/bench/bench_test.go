package main

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/rocketmart/rocketmart/scripts/shop/launcher"
)

// The benchmark's smoke test in `make test`: a short closed-loop level and
// a short open-loop one on SQLite. It checks that every figure of the
// table was measured (not that it is fast: the machine is shared) and that
// the audit passed after the load.
func TestBenchSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole shop; skipped with -short")
	}
	bin := t.TempDir()
	if err := launcher.Build(t.Context(), "../../..", bin, nil); err != nil {
		t.Fatal(err)
	}
	data, err := os.MkdirTemp("", "rocketmart-bench-test-")
	if err != nil {
		t.Fatal(err)
	}
	var progress bytes.Buffer
	cfg := Config{Clients: []int{2}, Rates: []float64{20}, Duration: 1500 * time.Millisecond, Warmup: 500 * time.Millisecond,
		MaxRate: 300, Samples: 10, RunID: "test", DBName: "sqlite", BinDir: bin, DataDir: data, Out: &progress}
	res, err := Run(t.Context(), cfg)
	if err != nil {
		t.Fatalf("%v (logs in %s)\n%s", err, data, progress.String())
	}
	var table bytes.Buffer
	printTables(&table, res, cfg)
	t.Logf("progress:\n%s\ntable:\n%s", progress.String(), table.String())

	if len(res.Levels) != 2 {
		t.Fatalf("%d levels, want 2", len(res.Levels))
	}
	for _, l := range res.Levels {
		name := levelName(l)
		if l.Paid == 0 || l.PaidPerSecond <= 0 || l.Place.P50 <= 0 || l.Pay.P50 <= 0 || l.Pay.P99 < l.Pay.P50 {
			t.Errorf("%s: paid %d (%.1f/s), place %+v, pay %+v: a figure is missing", name, l.Paid, l.PaidPerSecond, l.Place, l.Pay)
		}
		if l.Effects.Samples == 0 || l.Effects.Missing != 0 {
			t.Errorf("%s: effects %+v, want every sampled order's four effects timed", name, l.Effects)
		}
		if l.CPU.Programs["order"] <= 0 || l.CPU.Total < l.CPU.Programs["order"] || len(l.CPU.Restarted) != 0 {
			t.Errorf("%s: CPU %+v, want order's and the total's CPU per paid order", name, l.CPU)
		}
		if len(l.Errors) != 0 {
			t.Errorf("%s: errors %v on a funded shop", name, l.Errors)
		}
		if l.LoadAverage == "" || l.LoadAverage == "unknown" {
			t.Errorf("%s: no load average", name)
		}
	}
	if !res.Audit.Passed || res.Audit.Records == 0 {
		t.Errorf("audit %+v, want a pass over the run's records", res.Audit)
	}
	for _, want := range []string{"c=2", "open 20/s", "pay p50/p95/p99 ms", "CPU milliseconds per paid order", "audit: PASS"} {
		if !strings.Contains(table.String(), want) {
			t.Errorf("the table lacks %q", want)
		}
	}
	if !strings.Contains(progress.String(), "paid since the warm-up began") {
		t.Errorf("no progress line:\n%s", progress.String())
	}
	if !t.Failed() {
		os.RemoveAll(data)
	}
}
