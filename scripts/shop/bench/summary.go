package main

import (
	"fmt"
	"math"
	"net/http"
	"slices"
	"time"
)

// Level is what one level measured.
type Level struct {
	Mode          string  `json:"mode"` // closed or open
	Clients       int     `json:"clients,omitempty"`
	Rate          float64 `json:"rate,omitempty"` // orders a second, open loop
	Seconds       float64 `json:"seconds"`
	Orders        int     `json:"orders"` // placed in the window
	Paid          int     `json:"paid"`   // pay answered PAID in the window
	PaidPerSecond float64 `json:"paidPerSecond"`
	// Place and Pay are latencies in milliseconds of the requests started
	// in the window; in open loop a place counts from its scheduled start.
	Place Quantiles `json:"placeMs"`
	Pay   Quantiles `json:"payMs"`
	// Errors counts every answer that was not a success, by operation,
	// status and code ("pay 503 BROKER_UNAVAILABLE"); status 0 is no answer.
	Errors      map[string]int `json:"errors"`
	Effects     Effects        `json:"effects"`
	CPU         CPU            `json:"cpu"`
	LoadAverage string         `json:"loadAverage"` // at the window's end
}

// Quantiles are latency percentiles in milliseconds.
type Quantiles struct {
	N   int     `json:"n"`
	P50 float64 `json:"p50"`
	P95 float64 `json:"p95"`
	P99 float64 `json:"p99"`
	Max float64 `json:"max"`
}

func quantiles(ds []time.Duration) Quantiles {
	if len(ds) == 0 {
		return Quantiles{}
	}
	slices.Sort(ds)
	at := func(p float64) float64 {
		i := int(math.Ceil(p*float64(len(ds)))) - 1 // nearest rank
		return float64(ds[max(i, 0)]) / float64(time.Millisecond)
	}
	return Quantiles{N: len(ds), P50: at(0.50), P95: at(0.95), P99: at(0.99), Max: at(1)}
}

// summarize turns a level's events into its figures: latencies of the
// requests started in [from, to), paid orders whose pay answer came in it.
func summarize(m mode, events []event, from, to time.Time) Level {
	l := Level{Mode: "closed", Clients: m.Clients, Seconds: to.Sub(from).Seconds(), Errors: map[string]int{}}
	if m.Rate > 0 {
		l.Mode, l.Clients, l.Rate = "open", 0, m.Rate
	}
	var place, pay []time.Duration
	for _, e := range events {
		if e.op == opPay && e.status == http.StatusOK && e.code == "PAID" && !e.end.Before(from) && e.end.Before(to) {
			l.Paid++
		}
		if e.start.Before(from) || !e.start.Before(to) {
			continue
		}
		switch {
		case e.op == opPlace && e.status == http.StatusCreated:
			l.Orders++
			place = append(place, e.end.Sub(e.start))
		case e.op == opPay && e.status == http.StatusOK:
			pay = append(pay, e.end.Sub(e.start))
		}
		if e.status/100 != 2 || (e.op == opPay && e.status != http.StatusOK) {
			l.Errors[fmt.Sprintf("%s %d %s", e.op, e.status, e.code)]++
		}
	}
	l.Place, l.Pay = quantiles(place), quantiles(pay)
	l.PaidPerSecond = float64(l.Paid) / l.Seconds
	return l
}
