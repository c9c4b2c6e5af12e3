// Package audit checks that RocketMart's six services and its broker agree
// with each other: the invariants of SPEC §3, read through each service's
// read-only admin endpoints and the broker's admin API once the system is
// quiet (no undecided half messages, no consumer lag, no retries waiting).
// scripts/audit runs it from the command line; the web gateway serves it.
package audit

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// Config says where the services are.
type Config struct {
	// URLs maps the name of every service in contracts.Services() to its
	// base URL.
	URLs map[string]string
	// BrokerAdminURL is minirmq's admin API; empty (Apache RocketMQ) skips
	// the broker's invariant and the quiescence wait, and says so.
	BrokerAdminURL string
	AdminToken     string
	// Quiescence bounds the wait for a quiet system; 0 means 30 s.
	Quiescence time.Duration
	// CallTimeout bounds every HTTP call; 0 means 10 s.
	CallTimeout time.Duration
}

func (c Config) callTimeout() time.Duration {
	if c.CallTimeout > 0 {
		return c.CallTimeout
	}
	return 10 * time.Second
}

func (c Config) quiescence() time.Duration {
	if c.Quiescence > 0 {
		return c.Quiescence
	}
	return 30 * time.Second
}

// Report is the audit's answer.
type Report struct {
	Passed     bool        `json:"passed"`
	Quiescent  bool        `json:"quiescent"`
	WaitedMs   int64       `json:"waitedMs"`
	CheckedAt  time.Time   `json:"checkedAt"`
	Notes      []string    `json:"notes"`
	Invariants []Invariant `json:"invariants"`
}

// pollInterval is the quiescence poll period.
const pollInterval = 200 * time.Millisecond

// Run waits for quiescence (up to Config.Quiescence), reads a snapshot and
// checks every invariant. An error means a service could not be read.
func Run(ctx context.Context, cfg Config) (Report, error) {
	r, err := newReader(cfg)
	if err != nil {
		return Report{}, err
	}
	start := time.Now()
	rep := Report{Notes: []string{}}
	if cfg.BrokerAdminURL == "" {
		rep.Notes = append(rep.Notes, "no broker admin API configured (Apache RocketMQ): invariant 6 and the wait for quiescence are skipped; check half messages and dead letters in the RocketMQ dashboard")
	} else {
		quiet, why, err := waitQuiet(ctx, r, cfg.quiescence())
		if err != nil {
			return Report{}, err
		}
		rep.Quiescent = quiet
		if !quiet {
			rep.Notes = append(rep.Notes, fmt.Sprintf("the system did not become quiet within %v (%s); results may show work still in flight", cfg.quiescence(), why))
		}
	}
	rep.WaitedMs = time.Since(start).Milliseconds()
	snap, err := r.snapshot(ctx)
	if err != nil {
		return Report{}, err
	}
	rep.CheckedAt = time.Now().UTC()
	rep.Invariants = Check(snap, rep.CheckedAt)
	rep.Passed = true
	for _, inv := range rep.Invariants {
		if !inv.Passed {
			rep.Passed = false
		}
	}
	if snap.Broker != nil {
		for _, d := range snap.Broker.DeadLetters {
			if d.Replayed {
				rep.Notes = append(rep.Notes, fmt.Sprintf("dead letter %s of group %s (%s, keys %s) was replayed", d.MsgID, d.Group, d.OriginalTopic, d.Keys))
			}
		}
	}
	return rep, nil
}

// waitQuiet polls the broker until two polls in a row find nothing in
// flight, or until timeout; it returns what was still busy.
func waitQuiet(ctx context.Context, r *reader, timeout time.Duration) (bool, string, error) {
	deadline := time.Now().Add(timeout)
	calm := 0
	for {
		b, err := r.broker(ctx)
		if err != nil {
			return false, "", err
		}
		busy := busyReasons(b)
		if len(busy) == 0 {
			calm++
		} else {
			calm = 0
		}
		if calm == 2 {
			return true, "", nil
		}
		if time.Now().After(deadline) {
			return false, strings.Join(busy, "; "), nil
		}
		select {
		case <-ctx.Done():
			return false, "", ctx.Err()
		case <-time.After(pollInterval):
		}
	}
}

// busyReasons names what is still in flight.
func busyReasons(b *BrokerState) []string {
	var busy []string
	if n := len(b.PendingHalves); n > 0 {
		busy = append(busy, fmt.Sprintf("%d half messages undecided", n))
	}
	for _, g := range slices.Sorted(maps.Keys(b.Lag)) {
		if b.Lag[g] > 0 {
			busy = append(busy, fmt.Sprintf("group %s has %d messages to consume", g, b.Lag[g]))
		}
	}
	for _, t := range slices.Sorted(maps.Keys(b.Retrying)) {
		busy = append(busy, fmt.Sprintf("%d retries waiting in %s", b.Retrying[t], t))
	}
	return busy
}
