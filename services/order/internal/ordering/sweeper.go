package ordering

import (
	"context"
	"time"

	"github.com/rocketmart/rocketmart/services/platform/apperr"
)

// SweepOverdue cancels pending orders whose deadline passed more than grace
// ago: the backstop for a timeout message that was never sent (broker down
// at checkout, crash right after it).
func (s *Service) SweepOverdue(ctx context.Context, grace time.Duration) (int, error) {
	nos, err := s.store.Overdue(ctx, s.now().Add(-grace), overdueSweepBatchSize)
	if err != nil {
		return 0, err
	}
	cancelled := 0
	for _, no := range nos {
		o, err := s.store.Get(ctx, no)
		if err != nil {
			return cancelled, err
		}
		if _, err := s.cancel(ctx, o, ReasonDeadlinePassed); err != nil {
			if isKind(err, apperr.Conflict, CodeOrderAlreadyPaid) {
				continue
			}
			return cancelled, err
		}
		cancelled++
	}
	return cancelled, nil
}

// RunSweeper calls SweepOverdue every interval until ctx is done, with the
// interval as the grace. A failed round is logged and retried at the next
// tick: the sweeper is a safety net, not a path any request waits on.
func (s *Service) RunSweeper(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		n, err := s.SweepOverdue(ctx, interval)
		if err != nil && ctx.Err() == nil {
			s.cfg.Log.WarnContext(ctx, "overdue sweep failed", "error", err)
		}
		if n > 0 {
			s.cfg.Log.InfoContext(ctx, "overdue orders cancelled", "count", n)
		}
	}
}
