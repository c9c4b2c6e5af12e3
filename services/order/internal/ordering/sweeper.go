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
	if cancelled > 0 {
		s.cfg.Log.InfoContext(ctx, "overdue orders cancelled", "count", cancelled)
	}
	return cancelled, nil
}
