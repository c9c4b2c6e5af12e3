package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync/atomic"
	"time"
)

// The flows a shopper follows for one order.
const (
	FlowPay     = "pay"     // place, pay; retry while the answer is 503 or none
	FlowCancel  = "cancel"  // place, cancel
	FlowAbandon = "abandon" // place, then leave it to the payment deadline
	FlowProbe   = "probe"   // the soak's own probes around a kill
)

// skus are the products with stock enough for a long run (the scarce
// ones would only turn the load into OUT_OF_STOCK answers).
var skus = []string{"RM-MUG-STONE", "RM-NOTEBOOK-A5", "RM-BOTTLE-750", "RM-SOCKS-MERINO",
	"RM-LAMP-DESK", "RM-BACKPACK-28", "RM-PLANTER-HERB", "RM-KETTLE-GOOSE", "RM-KNIFE-CHEF"}

// stockBudget is how many units the load may sell: about two thirds of the
// stock of skus, so stock lasts the whole run without a restock.
const stockBudget = 600

// payShare is the part of the orders the load pays.
const payShare = 0.55

// retries bounds a flow's attempts at one step after 503 or no answer.
const retries = 5

// shopper is one closed-loop load worker: one user's browser tab.
type shopper struct {
	u      *user
	n      int // worker number, for idempotency keys
	seed   uint64
	cycle  time.Duration // think time between orders, on average
	placed *atomic.Int64
	// hard ends requests (Ctrl-C); the load's own end only stops new orders,
	// so every order started is followed to its end and its answers recorded.
	hard context.Context
}

// run places orders until load ends.
func (s *shopper) run(load context.Context) {
	rng := rand.New(rand.NewPCG(s.seed, uint64(s.n)))
	for i := 0; load.Err() == nil && s.hard.Err() == nil; i++ {
		flow := FlowPay
		switch r := rng.Float64(); {
		case r > payShare+0.2:
			flow = FlowAbandon
		case r > payShare:
			flow = FlowCancel
		}
		lines := []line{{skus[rng.IntN(len(skus))], 1}}
		no := s.placeRetrying(flow, fmt.Sprintf("soak-%d-%s-%d-%d", s.seed, s.u.id, s.n, i), lines)
		if no != "" {
			s.placed.Add(1)
			switch flow {
			case FlowPay:
				s.payRetrying(flow, no)
			case FlowCancel:
				s.retrying(func() Answer { a, _ := s.u.cancel(s.hard, flow, no); return a })
			}
		}
		think(load, time.Duration(float64(s.cycle)*(0.5+rng.Float64())))
	}
}

// placeRetrying places an order, repeating the same idempotency key after
// 503 or no answer, as a browser's retry would.
func (s *shopper) placeRetrying(flow, key string, lines []line) string {
	var no string
	s.retrying(func() Answer {
		a, n := s.u.place(s.hard, flow, key, lines)
		no = n
		return a
	})
	return no
}

// payRetrying pays, retrying after 503 or no answer; after 202 it polls
// the order for a while, as the storefront does, until it is decided.
func (s *shopper) payRetrying(flow, no string) {
	a := s.retrying(func() Answer { a, _ := s.u.pay(s.hard, flow, no); return a })
	if a.Status != http.StatusAccepted {
		return
	}
	for range 20 {
		if !think(s.hard, 500*time.Millisecond) {
			return
		}
		if g, r := s.u.get(s.hard, flow, no); g.Status == http.StatusOK && r.Status != "PENDING_PAYMENT" {
			return
		}
	}
}

// retrying calls step until its answer is neither a 503 nor no answer, at
// most retries times, a second apart; it returns the last answer.
func (s *shopper) retrying(step func() Answer) Answer {
	var a Answer
	for range retries {
		a = step()
		if a.Status != 0 && a.Status != http.StatusServiceUnavailable {
			return a
		}
		if !think(s.hard, time.Second) {
			return a
		}
	}
	return a
}

// think waits d, the user's think time; false when ctx ended first.
func think(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
