package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// printTables writes the run as two tables, one row per level (latency and
// throughput, then CPU per paid order by program), the errors, and the
// audit's verdict.
func printTables(w io.Writer, res Result, cfg Config) {
	fmt.Fprintf(w, "\nbench: %s on %s\nbench: %s\nbench: %v per level after %v of warm-up; load average before the run %s\n\n",
		res.DB, res.Machine, res.Path, cfg.Duration, cfg.Warmup, res.LoadAvg)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "load\tpaid/s\tpaid\tplace p50/p95/p99 ms\tpay p50/p95/p99 ms\tpay→effects p50/p99 ms (n)\terrors\tload average\t")
	for _, l := range res.Levels {
		fmt.Fprintf(tw, "%s\t%.1f\t%d\t%s\t%s\t%s / %s (%d)\t%d\t%s\t\n", levelName(l), l.PaidPerSecond, l.Paid,
			triple(l.Place), triple(l.Pay), ms(l.Effects.P50), ms(l.Effects.P99), l.Effects.Samples-l.Effects.Missing, errorCount(l), l.LoadAverage)
	}
	tw.Flush()

	programs := res.Programs
	fmt.Fprintln(w, "\nCPU milliseconds per paid order (utime+stime from /proc/<pid>/stat over the window):")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "load\t%s\ttotal\tbench\tmachine\tbusy\t\n", strings.Join(programs, "\t"))
	for _, l := range res.Levels {
		fmt.Fprintf(tw, "%s\t", levelName(l))
		for _, p := range programs {
			if v, ok := l.CPU.Programs[p]; ok {
				fmt.Fprintf(tw, "%.2f\t", v)
			} else {
				fmt.Fprint(tw, "?\t")
			}
		}
		fmt.Fprintf(tw, "%.2f\t%.2f\t%.2f\t%.0f%%\t\n", l.CPU.Total, l.CPU.Bench, l.CPU.Machine, l.CPU.BusyPercent)
	}
	tw.Flush()
	fmt.Fprintln(w, "(total: the shop's programs; bench: this load generator; machine: everything on the machine, others' work included)")

	for _, l := range res.Levels {
		if len(l.Errors) > 0 {
			var parts []string
			for _, k := range sortedKeys(l.Errors) {
				parts = append(parts, fmt.Sprintf("%s ×%d", k, l.Errors[k]))
			}
			fmt.Fprintf(w, "errors at %s: %s\n", levelName(l), strings.Join(parts, ", "))
		}
		if l.Effects.Missing > 0 {
			fmt.Fprintf(w, "effects at %s: %d of %d sampled orders did not show all four effects within %v\n",
				levelName(l), l.Effects.Missing, l.Effects.Samples, effectsWait)
		}
		if len(l.CPU.Restarted) > 0 {
			fmt.Fprintf(w, "restarted during %s (no CPU figure): %s\n", levelName(l), strings.Join(l.CPU.Restarted, ", "))
		}
	}
	printVerdict(w, res.Audit)
}

// printVerdict prints the audit's outcome in one line, then any failure.
func printVerdict(w io.Writer, v Verdict) {
	if v.Passed {
		fmt.Fprintf(w, "audit: PASS: %d invariants hold over %d records\n", v.Invariants, v.Records)
		return
	}
	fmt.Fprintf(w, "audit: FAIL (%d findings)\n", len(v.Failures))
	for _, f := range v.Failures {
		fmt.Fprintln(w, "  "+f)
	}
}

func levelName(l Level) string {
	if l.Mode == "open" {
		return fmt.Sprintf("open %g/s", l.Rate)
	}
	return fmt.Sprintf("c=%d", l.Clients)
}

func triple(q Quantiles) string {
	if q.N == 0 {
		return "-"
	}
	return ms(q.P50) + " / " + ms(q.P95) + " / " + ms(q.P99)
}

// ms prints milliseconds with a decimal below 10.
func ms(v float64) string {
	if v < 10 && v > -10 {
		return fmt.Sprintf("%.1f", v)
	}
	return fmt.Sprintf("%.0f", v)
}

func errorCount(l Level) int {
	n := 0
	for _, c := range l.Errors {
		n += c
	}
	return n
}
