package main

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rocketmart/rocketmart/scripts/shop/launcher"
)

// bench is a run in progress.
type bench struct {
	cfg      Config
	shop     *launcher.Shop
	c        *client
	sessions map[string]*http.Client // each user's gateway session, for progress documents
}

// mode is how a level makes load: closed loop (Clients each placing and
// paying one order after another) or open loop (Rate orders a second,
// started on schedule whatever the shop's answers).
type mode struct {
	Clients int
	Rate    float64
}

func closedLoop(n int) mode      { return mode{Clients: n} }
func openLoop(rate float64) mode { return mode{Rate: rate} }

func (m mode) String() string {
	if m.Rate > 0 {
		return fmt.Sprintf("%g/s", m.Rate)
	}
	return fmt.Sprintf("c=%d", m.Clients)
}

// event is one request of the load. start is when it was meant to start:
// the moment it was sent in closed loop, its scheduled time in open loop
// (so a request the shop made wait counts its wait: no coordinated
// omission).
type event struct {
	op         string // place, pay
	status     int
	code       string
	user       string
	orderNo    string
	start, end time.Time
}

// recorder collects a level's events from every worker.
type recorder struct {
	mu     sync.Mutex
	events []event
	paid   atomic.Int64
	failed atomic.Int64
}

func (r *recorder) add(e event) {
	if e.op == opPay && e.status == http.StatusOK && e.code == "PAID" {
		r.paid.Add(1)
	} else if e.status/100 != 2 {
		r.failed.Add(1)
	}
	r.mu.Lock()
	r.events = append(r.events, e)
	r.mu.Unlock()
}

const (
	opPlace = "place"
	opPay   = "pay"
)

// order places and pays one order as user, recording both answers; start
// is the place's intended start.
func (b *bench) order(ctx context.Context, rec *recorder, user, key, sku string, start time.Time) {
	a := b.c.place(ctx, user, key, sku)
	if ctx.Err() != nil {
		return
	}
	rec.add(event{op: opPlace, status: a.status, code: a.code, user: user, orderNo: a.orderNo, start: start, end: a.end})
	if a.status != http.StatusCreated || a.orderNo == "" {
		return
	}
	p := b.c.pay(ctx, user, a.orderNo)
	if ctx.Err() != nil {
		return
	}
	rec.add(event{op: opPay, status: p.status, code: p.code, user: user, orderNo: a.orderNo, start: p.start, end: p.end})
}

// level runs one level: warm-up, then the measured window, with a progress
// line every few seconds; then it lets the shop drain, times the sampled
// orders' effects and sums the level up.
func (b *bench) level(ctx context.Context, m mode) (Level, error) {
	rec := &recorder{}
	loadCtx, stop := context.WithCancel(ctx)
	defer stop()
	begin := time.Now()
	from, to := begin.Add(b.cfg.Warmup), begin.Add(b.cfg.Warmup+b.cfg.Duration)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if m.Rate > 0 {
			b.openLoop(loadCtx, rec, m.Rate, begin, to)
		} else {
			b.closedLoop(loadCtx, rec, m.Clients, to)
		}
	}()

	var cpu0, cpu1 cpuSnapshot
	var err error
	wait := func(until time.Time) bool {
		t := time.NewTimer(time.Until(until))
		defer t.Stop()
		select {
		case <-t.C:
			return true
		case <-ctx.Done():
			return false
		}
	}
	if !wait(from) {
		return Level{}, ctx.Err()
	}
	if cpu0, err = b.snapshotCPU(); err != nil {
		return Level{}, err
	}
	tick := time.NewTicker(max(time.Second, min(progressEvery, b.cfg.Duration/3)))
	for running := true; running; {
		select {
		case <-tick.C:
			elapsed := time.Since(from).Round(time.Second)
			fmt.Fprintf(b.cfg.Out, "bench: %-7s %3v of %v: %d paid since the warm-up began (%.0f/s), %d errors\n", m, elapsed, b.cfg.Duration,
				rec.paid.Load(), float64(rec.paid.Load())/time.Since(begin).Seconds(), rec.failed.Load())
		case <-time.After(time.Until(to)):
			running = false
		case <-ctx.Done():
			tick.Stop()
			return Level{}, ctx.Err()
		}
	}
	tick.Stop()
	if cpu1, err = b.snapshotCPU(); err != nil {
		return Level{}, err
	}
	load := loadAverage()
	<-done // in-flight orders finish; their answers count if they started in the window
	if err := b.drain(ctx); err != nil {
		return Level{}, err
	}
	l := summarize(m, rec.events, from, to)
	l.LoadAverage = load
	l.CPU = cpuPerOrder(cpu0, cpu1, l.Paid)
	l.Effects = b.effects(ctx, sample(rec.events, from, to, b.cfg.Samples))
	fmt.Fprintf(b.cfg.Out, "bench: %-7s done: %.1f paid orders/s, pay p50 %.0f ms, %.1f CPU ms per paid order, load average %s\n",
		m, l.PaidPerSecond, l.Pay.P50, l.CPU.Total, load)
	return l, nil
}

// progressEvery is the longest period of the progress line (a third of a
// short level).
const progressEvery = 5 * time.Second

// closedLoop runs n clients until end: each places and pays one order
// after another, as alice, bob and carol in turn.
func (b *bench) closedLoop(ctx context.Context, rec *recorder, n int, end time.Time) {
	var wg sync.WaitGroup
	for w := range n {
		wg.Go(func() {
			user := users[w%len(users)]
			for i := 0; time.Now().Before(end) && ctx.Err() == nil; i++ {
				key := fmt.Sprintf("bench-%s-c%d-%d-%d", b.cfg.RunID, n, w, i)
				b.order(ctx, rec, user, key, skus[(w+i)%len(skus)], time.Now())
			}
		})
	}
	wg.Wait()
}

// maxInFlight bounds the open loop's concurrent orders, so an overloaded
// shop is not also handed thousands of connections; an order waiting for
// a slot still counts its wait, from its scheduled start.
const maxInFlight = 1024

// openLoop starts orders at rate a second from begin until end, each on
// its own schedule.
func (b *bench) openLoop(ctx context.Context, rec *recorder, rate float64, begin, end time.Time) {
	slots := make(chan struct{}, maxInFlight)
	var wg sync.WaitGroup
	interval := time.Duration(float64(time.Second) / rate)
	for i := 0; ; i++ {
		at := begin.Add(time.Duration(i) * interval)
		if !at.Before(end) {
			break
		}
		if d := time.Until(at); d > 0 {
			select {
			case <-time.After(d):
			case <-ctx.Done():
				wg.Wait()
				return
			}
		}
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			wg.Wait()
			return
		}
		user := users[i%len(users)]
		key := fmt.Sprintf("bench-%s-r%g-%d", b.cfg.RunID, rate, i)
		wg.Go(func() {
			defer func() { <-slots }()
			b.order(ctx, rec, user, key, skus[i%len(skus)], at)
		})
	}
	wg.Wait()
}

// drain waits until the broker has nothing in flight (consumer lag, half
// messages), so one level's backlog does not load the next; at most a
// minute, then it goes on and says so.
func (b *bench) drain(ctx context.Context) error {
	deadline := time.Now().Add(time.Minute)
	for {
		var groups struct{ Groups []struct{ Lag int64 } }
		var halves struct{ Transactions []struct{} }
		err := b.c.getJSON(ctx, b.c.http, b.shop.BrokerAdmin+"/api/v1/consumer-groups", &groups)
		if err == nil {
			err = b.c.getJSON(ctx, b.c.http, b.shop.BrokerAdmin+"/api/v1/transactions?state=pending", &halves)
		}
		lag := int64(0)
		for _, g := range groups.Groups {
			lag += g.Lag
		}
		if err == nil && lag == 0 && len(halves.Transactions) == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			fmt.Fprintf(b.cfg.Out, "bench: the shop did not drain within a minute (lag %d, %d half messages, %v); going on\n", lag, len(halves.Transactions), err)
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(250 * time.Millisecond): // polling interval
		}
	}
}

// sessions signs every user in at the gateway.
func sessions(ctx context.Context, c *client) (map[string]*http.Client, error) {
	out := map[string]*http.Client{}
	for _, u := range users {
		hc, err := c.gatewaySession(ctx, u)
		if err != nil {
			return nil, err
		}
		out[u] = hc
	}
	return out, nil
}

// sortedKeys lists a map's keys in order.
func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }
