// Package labs is the workshop's guided labs (SPEC §7): each lab says what
// it teaches, arms its training faults on the running shop, drives the
// traffic, says what to look at, and grades itself — the audit (no new
// violation of SPEC §3) plus its own assertions — then clears its faults.
//
// Where a lab teaches a design choice it has a naive twin (a check-back
// that always commits, a consumer without its claim, a read-then-write
// reservation) whose grade is expected to FAIL, with the reason the
// correct design avoids. `make lab` runs them from the command line
// (scripts/shop/lab); the trainer's page runs a grader through the
// launcher's control API.
package labs

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// Lab is one guided lab.
type Lab struct {
	// Name is how `make lab L=<name>` calls it.
	Name  string `json:"name"`
	Title string `json:"title"`
	// Learn is what the lab teaches, a few lines.
	Learn []string `json:"learn"`
	// Look is where to look while it runs (timeline, broker page, logs).
	Look []string `json:"look"`
	// Naive marks a naive twin: its grade is expected to FAIL.
	Naive bool `json:"naive"`
	// Shows is, for a naive twin, what a failed check of its grade says
	// (its lesson): "invariant 3" when the audit finds a phantom event.
	Shows string `json:"shows,omitempty"`
	// Twin is the other variant's name, if any.
	Twin string `json:"twin,omitempty"`
	// TwoOrders: the lab shows more with a second order instance (MySQL);
	// it still runs with one.
	TwoOrders bool `json:"twoOrders,omitempty"`

	run func(ctx context.Context, r *Run) error
}

// Check is one graded assertion.
type Check struct {
	What   string `json:"what"`
	OK     bool   `json:"ok"`
	Detail string `json:"detail,omitempty"`
}

// Report is a lab's grade.
type Report struct {
	Lab    string  `json:"lab"`
	Title  string  `json:"title"`
	Naive  bool    `json:"naive"`
	Passed bool    `json:"passed"`
	Checks []Check `json:"checks"`
	// Preexisting counts audit violations that were there before the lab
	// (an earlier naive twin's damage): not this lab's doing, but worth a
	// reset.
	Preexisting int           `json:"preexisting"`
	Took        time.Duration `json:"took"`
}

// AsExpected reports whether the lab showed what it exists to show: a
// correct lab passes, a naive twin fails.
func (r Report) AsExpected() bool { return r.Passed != r.Naive }

// Failed lists the failed checks, each "what: detail".
func (r Report) Failed() []string {
	var out []string
	for _, c := range r.Checks {
		if !c.OK {
			out = append(out, c.What+": "+c.Detail)
		}
	}
	return out
}

// WriteText prints the report for people.
func (r Report) WriteText(w io.Writer) {
	verdict := "PASS"
	if !r.Passed {
		verdict = "FAIL"
	}
	fmt.Fprintf(w, "\n%s — %s (%s)\n", verdict, r.Title, r.Took.Round(100*time.Millisecond))
	for _, c := range r.Checks {
		mark := "  ok  "
		if !c.OK {
			mark = "  FAIL"
		}
		fmt.Fprintf(w, "%s %s", mark, c.What)
		if c.Detail != "" {
			fmt.Fprintf(w, ": %s", c.Detail)
		}
		fmt.Fprintln(w)
	}
	if r.Preexisting > 0 {
		fmt.Fprintf(w, "  note: the audit found %d violation(s) that were there before this lab (an earlier naive twin?); reset the shop for a clean slate\n", r.Preexisting)
	}
	switch {
	case r.Naive && !r.Passed:
		fmt.Fprintln(w, "  This is a naive twin: the FAIL above is the lesson — the checks say what the correct design keeps.")
	case r.Naive:
		fmt.Fprintln(w, "  This naive twin PASSED: the race it shows did not happen this time; run it again.")
	}
}

// All lists the labs in workshop order.
func All() []Lab { return slices.Clone(catalogue) }

// Find returns the lab called name.
func Find(name string) (Lab, bool) {
	for _, l := range catalogue {
		if l.Name == name {
			return l, true
		}
	}
	return Lab{}, false
}

// Names lists every lab's name.
func Names() []string {
	out := make([]string, len(catalogue))
	for i, l := range catalogue {
		out[i] = l.Name
	}
	return out
}

// Run is one lab running: its narration, its checks and the shop.
type Run struct {
	Shop   *Shop
	out    io.Writer
	checks []Check
}

// Say narrates a step.
func (r *Run) Say(format string, args ...any) {
	fmt.Fprintf(r.out, "  · "+format+"\n", args...)
}

// Check records an assertion.
func (r *Run) Check(what string, ok bool, detail string, args ...any) {
	d := fmt.Sprintf(detail, args...)
	if len(d) > maxDetail {
		d = d[:maxDetail] + "…"
	}
	r.checks = append(r.checks, Check{What: what, OK: ok, Detail: d})
}

// maxDetail keeps a check's detail to a line or two (an answer's body can
// be a whole order); the audit's findings are joined, not cut.
const maxDetail = 160

// Grade runs lab on shop: its faults cleared before and after, the audit
// taken before and after, narration on out.
func Grade(ctx context.Context, shop *Shop, lab Lab, out io.Writer) Report {
	if out == nil {
		out = io.Discard
	}
	start := time.Now()
	rep := Report{Lab: lab.Name, Title: lab.Title, Naive: lab.Naive}
	fmt.Fprintf(out, "\n== %s ==\n", lab.Title)
	for _, l := range lab.Learn {
		fmt.Fprintf(out, "  %s\n", l)
	}
	if len(lab.Look) > 0 {
		fmt.Fprintf(out, "  Look at: %s\n", strings.Join(lab.Look, "; "))
	}
	r := &Run{Shop: shop, out: out}
	defer func() {
		if err := shop.ClearFaults(context.WithoutCancel(ctx)); err != nil {
			fmt.Fprintf(out, "  ! clearing the faults: %v\n", err)
		}
	}()
	if err := shop.ClearFaults(ctx); err != nil {
		return rep.abort(err, start)
	}
	if err := shop.Fund(ctx); err != nil {
		return rep.abort(err, start)
	}
	before, err := shop.Audit(ctx)
	if err != nil {
		return rep.abort(err, start)
	}
	if err := lab.run(ctx, r); err != nil {
		r.Check("the lab ran to the end", false, "%v", err)
	}
	if err := shop.ClearFaults(ctx); err != nil {
		r.Check("faults cleared", false, "%v", err)
	}
	after, err := shop.Audit(ctx)
	if err != nil {
		r.Check("the audit ran", false, "%v", err)
	} else {
		fresh, old := after.newSince(before)
		rep.Preexisting = old
		detail := fmt.Sprintf("%d records checked", after.checked)
		if len(fresh) > 0 {
			detail = strings.Join(fresh, "; ")
		}
		r.checks = append(r.checks, Check{What: "the audit finds no new inconsistency", OK: len(fresh) == 0, Detail: detail})
	}
	rep.Checks = r.checks
	rep.Passed = true
	for _, c := range r.checks {
		rep.Passed = rep.Passed && c.OK
	}
	rep.Took = time.Since(start)
	return rep
}

func (rep Report) abort(err error, start time.Time) Report {
	rep.Checks = []Check{{What: "the lab could start", OK: false, Detail: err.Error()}}
	rep.Took = time.Since(start)
	return rep
}
