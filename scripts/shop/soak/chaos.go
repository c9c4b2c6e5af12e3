package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rocketmart/rocketmart/scripts/shop/launcher"
)

// chaos kills the shop's programs one after another at seeded random
// moments, probes what a user sees while each is down, and measures how
// long the shop takes to recover.
type chaos struct {
	shop    *launcher.Shop
	probe   *user
	victims []string
	first   []string
	every   time.Duration // mean time from one recovery to the next kill
	down    time.Duration // the restart back-off: the program is certainly down this long
	bound   time.Duration // recovery must come within this
	rng     *rand.Rand
	seed    uint64
	out     io.Writer
	hard    context.Context

	Outages  []Outage
	Findings []Finding
	Effects  map[string][]time.Duration // kill → a probe order's four effects done, per program
	n        int
	// kills and found count Outages and Findings for the progress line,
	// which another goroutine prints.
	kills, found atomic.Int64
	mu           sync.Mutex     // guards Findings and Effects, which the effect watchers add to
	watchers     sync.WaitGroup // one per kill, timing its probe order's effects
}

func (c *chaos) finding(f Finding) {
	c.mu.Lock()
	c.Findings = append(c.Findings, f)
	c.mu.Unlock()
	c.found.Add(1)
}

// run kills until load ends; the kill in progress is followed to its
// recovery.
func (c *chaos) run(load context.Context) {
	var rest []string
	for _, v := range c.victims {
		if !slices.Contains(c.first, v) {
			rest = append(rest, v)
		}
	}
	c.rng.Shuffle(len(rest), func(i, j int) { rest[i], rest[j] = rest[j], rest[i] })
	order := append(slices.Clone(c.first), rest...)
	for i := 0; ; i++ {
		if !think(load, time.Duration(float64(c.every)*(0.5+c.rng.Float64()))) || c.hard.Err() != nil {
			return
		}
		c.kill(order[i%len(order)])
	}
}

// wait waits for the effect watchers of the kills.
func (c *chaos) wait() {
	c.watchers.Wait()
}

// kill crashes one program, probes it, and waits for its recovery.
func (c *chaos) kill(victim string) {
	c.n++
	// An order to pay while the victim is down, placed while it is up.
	_, prepared := c.probe.place(c.hard, FlowProbe, c.key("prep"), probeLines)
	// Killed is when the signal left, so a request cut by the kill counts
	// as in flight during the outage; the probes' window starts once the
	// process is gone.
	o := Outage{Program: victim, Killed: time.Now()}
	if err := c.shop.CrashProgram(victim); err != nil {
		c.finding(Finding{Subject: victim, What: "could not be killed: " + err.Error()})
		return
	}
	c.probeDown(victim, time.Now(), prepared)
	o.Recovered = c.recover(victim, o.Killed)
	c.Outages = append(c.Outages, o)
	c.kills.Add(1)
	if o.Recovered.IsZero() {
		c.finding(Finding{Subject: victim, What: fmt.Sprintf("not recovered within %v of its kill (state %s)", c.bound, c.shop.State(victim))})
		return
	}
	fmt.Fprintf(c.out, "soak: kill %d: %s recovered in %.1fs\n", c.n, victim, o.Recovered.Sub(o.Killed).Seconds())
}

// probeDown pays the prepared order and places another right after the
// kill. An answer that came while the supervisor was still in its back-off
// is conclusive: the program was not running. Later ones are only checked
// by CheckContract like any other answer.
func (c *chaos) probeDown(victim string, killed time.Time, prepared string) {
	var probes []Answer
	if prepared != "" {
		a, _ := c.probe.pay(c.hard, FlowProbe, prepared)
		probes = append(probes, a)
	}
	a, _ := c.probe.place(c.hard, FlowProbe, c.key("down"), probeLines)
	probes = append(probes, a)
	for _, a := range probes {
		if a.End.After(killed.Add(c.down)) {
			fmt.Fprintf(c.out, "soak: kill %d: the %s probe took until %.1fs after the kill, past the %v back-off; not conclusive\n",
				c.n, a.Op, a.End.Sub(killed).Seconds(), c.down)
			continue
		}
		if f := checkProbe(victim, a); f != nil {
			c.finding(*f)
		}
	}
}

// recover waits until the victim is running again and a probe order can be
// placed and paid through the gateway; zero time if not within the bound.
// A watcher then times the probe order's downstream effects (consumers
// receiving again), which after a broker restart wait for the clients to
// re-register, while the next kills go on.
func (c *chaos) recover(victim string, killed time.Time) time.Time {
	deadline := killed.Add(c.bound)
	for c.shop.State(victim) != launcher.Running {
		if time.Now().After(deadline) || !think(c.hard, 100*time.Millisecond) { // polling interval
			return time.Time{}
		}
	}
	var paid string
	for try := 0; paid == ""; try++ {
		if time.Now().After(deadline) || c.hard.Err() != nil {
			return time.Time{}
		}
		if _, no := c.probe.place(c.hard, FlowProbe, c.key(fmt.Sprint("up", try)), probeLines); no != "" {
			if a, _ := c.probe.pay(c.hard, FlowProbe, no); a.Status == http.StatusOK {
				paid = no
				break
			}
		}
		think(c.hard, 200*time.Millisecond) // polling interval
	}
	c.watchers.Go(func() { c.watchEffects(victim, killed, paid) })
	return time.Now()
}

// watchEffects times a paid order's four effects from the kill.
func (c *chaos) watchEffects(victim string, killed time.Time, paid string) {
	for time.Now().Before(killed.Add(2 * c.bound)) {
		if a, r := c.probe.send(c.hard, "", "", paid, http.MethodGet, "/api/progress/"+paid, nil); a.Status == http.StatusOK && r.Complete {
			c.mu.Lock()
			c.Effects[victim] = append(c.Effects[victim], time.Since(killed))
			c.mu.Unlock()
			return
		}
		if !think(c.hard, 250*time.Millisecond) { // polling interval
			break
		}
	}
	c.finding(Finding{Subject: "order " + paid, What: fmt.Sprintf("paid after %s recovered, its effects were not all done within %v of the kill", victim, 2*c.bound)})
}

// probeLines is what every probe order buys.
var probeLines = []line{{"RM-MUG-STONE", 1}}

func (c *chaos) key(what string) string {
	return fmt.Sprintf("soak-probe-%d-%d-%s", c.seed, c.n, what)
}
