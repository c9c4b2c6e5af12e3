package inventory

import (
	"context"
	"fmt"
)

// OrderLookup asks the order service about an order. found false means the
// order service answered that the order does not exist; an error means it
// could not say (unreachable, timed out, refused), and then nothing may be
// concluded.
type OrderLookup interface {
	OrderStatus(ctx context.Context, orderNo string) (status string, found bool, err error)
}

// OrderCancelled is the order status that lets the sweeper release.
const OrderCancelled = "CANCELLED"

// sweepBatch bounds one sweep round, so a backlog is worked off over several
// rounds instead of one long burst of calls to the order service.
const sweepBatch = 100

// SweepExpired releases expired reservations that no live order needs: the
// order service does not know the order (a crash between reserving and
// creating it) or says it is CANCELLED. Any other status keeps the
// reservation: a PENDING_PAYMENT order is cancelled by its own timeout (and
// the ORDER_CANCELLED event releases it), and a paid order's stock will be
// sold. When the order service cannot answer, the round stops and the
// remaining reservations wait for the next one.
func (s *Service) SweepExpired(ctx context.Context) (released int, err error) {
	expired, err := s.store.Expired(ctx, s.now(), sweepBatch)
	if err != nil {
		return 0, fmt.Errorf("list expired reservations: %w", err)
	}
	for _, orderNo := range expired {
		status, found, err := s.orders.OrderStatus(ctx, orderNo)
		if err != nil {
			return released, fmt.Errorf("ask the order service about order %s: %w", orderNo, err)
		}
		if found && status != OrderCancelled {
			s.log.DebugContext(ctx, "expired reservation kept: its order is alive", "order_no", orderNo, "order_status", status)
			continue
		}
		tr, err := s.store.Release(ctx, orderNo, s.now())
		if err != nil {
			return released, fmt.Errorf("release expired reservation of order %s: %w", orderNo, err)
		}
		if tr.Changed {
			released++
			reason := "order unknown to the order service"
			if found {
				reason = "order cancelled"
			}
			s.log.InfoContext(ctx, "expired reservation released", "order_no", orderNo, "reason", reason)
		}
	}
	return released, nil
}
