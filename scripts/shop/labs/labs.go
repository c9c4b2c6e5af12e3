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
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/rocketmart/rocketmart/scripts/shop/launcher"
)

// Lab is one guided lab. Its texts are in English and Chinese (Text).
type Lab struct {
	// Name is how `make lab L=<name>` calls it.
	Name  string `json:"name"`
	Title Text   `json:"title"`
	// Learn is what the lab teaches, a few lines.
	Learn []Text `json:"learn"`
	// Look is where to look while it runs (timeline, broker page, logs).
	Look []Text `json:"look"`
	// Naive marks a naive twin: its grade is expected to FAIL.
	Naive bool `json:"naive"`
	// Shows is, for a naive twin, what a failed check of its English grade
	// says (its lesson): "invariant 3" when the audit finds a phantom
	// event. Tests match it; nobody reads it.
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

// Report is a lab's grade, its texts in Lang.
type Report struct {
	Lab    string        `json:"lab"`
	Lang   launcher.Lang `json:"lang"`
	Title  string        `json:"title"`
	Naive  bool          `json:"naive"`
	Passed bool          `json:"passed"`
	Checks []Check       `json:"checks"`
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

// The verdicts, as WriteText and the control API print them.
var (
	pass = Text{"PASS", "通过（PASS）"}
	fail = Text{"FAIL", "失败（FAIL）"}
)

// WriteText prints the report for people, in its language.
func (r Report) WriteText(w io.Writer) {
	verdict := pass
	if !r.Passed {
		verdict = fail
	}
	fmt.Fprintf(w, "\n%s — %s (%s)\n", verdict.In(r.Lang), r.Title, r.Took.Round(100*time.Millisecond))
	for _, c := range r.Checks {
		mark := "  ok  "
		if !c.OK {
			mark = "  FAIL"
		}
		fmt.Fprintf(w, "%s %s", mark, c.What)
		if c.Detail != "" {
			fmt.Fprint(w, Text{": %s", "：%s"}.With(c.Detail).In(r.Lang))
		}
		fmt.Fprintln(w)
	}
	if r.Preexisting > 0 {
		fmt.Fprintln(w, Text{
			"  note: the audit found %d violation(s) that were there before this lab (an earlier naive twin?); reset the shop for a clean slate",
			"  注意：审计发现 %d 处违规在本实验之前就已存在（之前运行的朴素版本留下的？）；重置商城即可从头开始",
		}.With(r.Preexisting).In(r.Lang))
	}
	switch {
	case r.Naive && !r.Passed:
		fmt.Fprintln(w, Text{
			"  This is a naive twin: the FAIL above is the lesson — the checks say what the correct design keeps.",
			"  这是朴素版本：上面的 FAIL 正是要学的内容——各项检查说明了正确的设计保住了什么。",
		}.In(r.Lang))
	case r.Naive:
		fmt.Fprintln(w, Text{
			"  This naive twin PASSED: the race it shows did not happen this time; run it again.",
			"  这个朴素版本通过了：它要演示的竞争这次没有发生；请再运行一次。",
		}.In(r.Lang))
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

// Run is one lab running: its narration and checks, in one language, and
// the shop.
type Run struct {
	Shop   *Shop
	lang   launcher.Lang
	out    io.Writer
	checks []Check
}

// Say narrates a step; t is a format for args.
func (r *Run) Say(t Text, args ...any) {
	fmt.Fprintf(r.out, "  · %s\n", t.With(args...).In(r.lang))
}

// Check records an assertion; detail is a format for args.
func (r *Run) Check(what Text, ok bool, detail Text, args ...any) {
	d := detail.With(args...).In(r.lang)
	if runes := []rune(d); len(runes) > maxDetail {
		d = string(runes[:maxDetail]) + "…"
	}
	r.checks = append(r.checks, Check{What: what.In(r.lang), OK: ok, Detail: d})
}

// Errorf is a lab's reason to stop, in the run's language.
func (r *Run) Errorf(t Text, args ...any) error {
	return errors.New(t.With(args...).In(r.lang))
}

// maxDetail keeps a check's detail to a line or two (an answer's body can
// be a whole order); the audit's findings are joined, not cut.
const maxDetail = 160

// Grade runs lab on shop: its faults cleared before and after, the audit
// taken before and after, narration on out, all of it in lang.
func Grade(ctx context.Context, shop *Shop, lab Lab, lang launcher.Lang, out io.Writer) Report {
	if out == nil {
		out = io.Discard
	}
	start := time.Now()
	rep := Report{Lab: lab.Name, Lang: lang, Title: lab.Title.In(lang), Naive: lab.Naive}
	fmt.Fprintf(out, "\n== %s ==\n", rep.Title)
	for _, l := range texts(lab.Learn, lang) {
		fmt.Fprintf(out, "  %s\n", l)
	}
	if len(lab.Look) > 0 {
		looks := strings.Join(texts(lab.Look, lang), Text{"; ", "；"}.In(lang))
		fmt.Fprintln(out, Text{"  Look at: %s", "  请看：%s"}.With(looks).In(lang))
	}
	r := &Run{Shop: shop, lang: lang, out: out}
	defer func() {
		if err := shop.ClearFaults(context.WithoutCancel(ctx)); err != nil {
			fmt.Fprintln(out, Text{"  ! clearing the faults: %v", "  ! 清除故障失败：%v"}.With(err).In(lang))
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
		r.Check(Text{"the lab ran to the end", "实验运行到了最后"}, false, asIs("%v"), err)
	}
	if err := shop.ClearFaults(ctx); err != nil {
		r.Check(Text{"faults cleared", "故障已清除"}, false, asIs("%v"), err)
	}
	after, err := shop.Audit(ctx)
	if err != nil {
		r.Check(Text{"the audit ran", "审计已运行"}, false, asIs("%v"), err)
	} else {
		fresh, old := after.newSince(before, lang)
		rep.Preexisting = old
		// The audit's findings in the lab's language (services/audit's
		// zh.go), joined whole: cutting them would hide the records they name.
		detail := Text{"%d records checked", "检查了 %d 条记录"}.With(after.checked).In(lang)
		if len(fresh) > 0 {
			detail = strings.Join(fresh, "; ")
		}
		r.checks = append(r.checks, Check{
			What: Text{"the audit finds no new inconsistency", "审计没有发现新的不一致"}.In(lang),
			OK:   len(fresh) == 0, Detail: detail,
		})
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
	rep.Checks = []Check{{What: Text{"the lab could start", "实验能够开始"}.In(rep.Lang), OK: false, Detail: err.Error()}}
	rep.Took = time.Since(start)
	return rep
}
