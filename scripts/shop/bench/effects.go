package main

import (
	"context"
	"net/http"
	"time"
)

// Effects is the time from a pay answer to the last of ORDER_PAID's four
// downstream effects (stock sold, shipment, points, cart cleaned), over a
// sample of the level's paid orders. Each effect's time is the one its
// service recorded, read afterwards through the gateway's progress
// document, so sampling adds no load while the level runs.
type Effects struct {
	Samples int     `json:"samples"`
	P50     float64 `json:"p50Ms"`
	P99     float64 `json:"p99Ms"`
	Max     float64 `json:"maxMs"`
	// Missing are sampled orders whose effects were not all done within
	// the wait (or could not be read).
	Missing int `json:"missing"`
}

// paidOrder is a sampled order: whose, and when its pay answer came.
type paidOrder struct {
	user, orderNo string
	paidAt        time.Time
}

// sample picks up to n of the orders paid in [from, to), evenly spread.
func sample(events []event, from, to time.Time, n int) []paidOrder {
	var paid []paidOrder
	for _, e := range events {
		if e.op == opPay && e.status == http.StatusOK && e.code == "PAID" && !e.end.Before(from) && e.end.Before(to) {
			paid = append(paid, paidOrder{e.user, e.orderNo, e.end})
		}
	}
	if n <= 0 || len(paid) <= n {
		return paid
	}
	out := make([]paidOrder, 0, n)
	for i := range n {
		out = append(out, paid[i*len(paid)/n])
	}
	return out
}

// effectsWait bounds how long the effects of a sample may take to appear.
const effectsWait = 30 * time.Second

// progressDoc is the part of the gateway's progress document read here.
type progressDoc struct {
	Complete bool `json:"complete"`
	Effects  map[string]struct {
		Done bool   `json:"done"`
		At   string `json:"at"`
	} `json:"effects"`
}

// effects reads each sampled order's progress until its four effects are
// done (the shop has drained by now, so usually at the first read) and
// measures pay answer → last effect.
func (b *bench) effects(ctx context.Context, orders []paidOrder) Effects {
	var ds []time.Duration
	e := Effects{Samples: len(orders)}
	deadline := time.Now().Add(effectsWait)
	for _, o := range orders {
		for {
			var doc progressDoc
			err := b.c.getJSON(ctx, b.sessions[o.user], b.shop.URL["web"]+"/api/progress/"+o.orderNo, &doc)
			if err == nil && doc.Complete {
				if last, ok := lastEffect(doc); ok {
					ds = append(ds, last.Sub(o.paidAt))
				} else {
					e.Missing++
				}
				break
			}
			if time.Now().After(deadline) || ctx.Err() != nil {
				e.Missing++
				break
			}
			time.Sleep(200 * time.Millisecond) // polling interval
		}
	}
	q := quantiles(ds)
	e.P50, e.P99, e.Max = q.P50, q.P99, q.Max
	return e
}

// lastEffect is when the last of the document's effects happened.
func lastEffect(doc progressDoc) (time.Time, bool) {
	var last time.Time
	for _, name := range []string{"stockSold", "shipment", "points", "cartCleaned"} {
		eff, ok := doc.Effects[name]
		if !ok || !eff.Done {
			return time.Time{}, false
		}
		at, err := time.Parse(time.RFC3339Nano, eff.At)
		if err != nil {
			return time.Time{}, false
		}
		if at.After(last) {
			last = at
		}
	}
	return last, true
}
