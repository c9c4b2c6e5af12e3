package inventory

import "context"

// ReturnRefunded returns the stock of a refunded order on behalf of a
// message consumer: its SOLD reservation becomes RETURNED and the units are
// available again, once, with eventID claimed in the same transaction. A
// reservation not sold yet is an error the broker retries; a repeated event
// wraps apperr.ErrAlreadyApplied.
func (s *Service) ReturnRefunded(ctx context.Context, consumer, eventID, orderNo string) error {
	if err := validateOrderNo(orderNo); err != nil {
		return err
	}
	tr, err := s.store.ReturnClaimed(ctx, consumer, eventID, orderNo, s.now())
	if err != nil {
		return err
	}
	s.log.InfoContext(ctx, "refunded order's stock returned", "order_no", orderNo, "event_id", eventID, "lines", len(tr.Reservation.Lines))
	return nil
}
