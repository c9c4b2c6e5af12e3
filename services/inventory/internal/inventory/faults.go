package inventory

import (
	"context"

	"github.com/rocketmart/rocketmart/services/platform/faults"
)

// PointReserveStrategy is the inventory's training fault point: how a
// reservation takes stock.
const PointReserveStrategy = "reserve.strategy"

// VariantReadThenWrite is the naive reservation a workshop lab compares with
// the conditional update: read the stock, check it in Go, then write the
// numbers computed from that read. Two buyers of the last unit both read
// "1 available", both pass the check and both write "0 available": two
// reservations hold one unit, which the audit's stock invariant (4) reports
// as reserved units that differ from what the open reservations hold. A
// Store acts it out when the context carries it (faults.VariantFrom).
const VariantReadThenWrite = "read-then-write"

var reserveStrategyPoint = faults.Point{
	Name: PointReserveStrategy,
	Description: "each reservation: naive read-then-write reads the stock, waits briefly (to widen the race window " +
		"for a lab), then writes available = read - quantity instead of the conditional update, so concurrent buyers " +
		"of the last units oversell",
	Actions: []faults.Action{faults.Naive},
	Values:  map[faults.Action][]string{faults.Naive: {VariantReadThenWrite}},
}

// UseFaults declares the inventory's fault point on set and has Reserve
// consult it. Call it before serving; without it nothing is ever armed.
func (s *Service) UseFaults(set *faults.Set) {
	set.Declare(reserveStrategyPoint)
	s.faults = set
}

// reserveStrategy returns ctx carrying the naive reservation when a trainer
// armed it, for the Store to act out.
func (s *Service) reserveStrategy(ctx context.Context) context.Context {
	if v := s.faults.Naive(ctx, PointReserveStrategy); v != "" {
		return faults.WithVariant(ctx, v)
	}
	return ctx
}
