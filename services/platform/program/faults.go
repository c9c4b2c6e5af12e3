package program

import (
	"context"
	"errors"

	"github.com/rocketmart/rocketmart/services/platform/faults"
	"github.com/rocketmart/rocketmart/services/platform/mq"
)

// ConsumerPoint is the fault point of a consumer group.
func ConsumerPoint(group string) string { return "consume." + group }

// errConsumerFault is a delivery failed on purpose: the broker redelivers it.
var errConsumerFault = errors.New("training fault: this delivery fails")

// ConsumerFaults declares the fault point consume.<group> on set for every
// subscription and returns the subscriptions with handlers that act it out:
//
//   - fail: the delivery fails without running the handler, and the broker
//     redelivers it (retry, then the dead-letter queue);
//   - delay: the handler runs late, as a slow consumer;
//   - crash: the handler applies the effect and the process dies before the
//     client acknowledges it, so the broker delivers it again;
//   - naive no-claim: the handler runs with faults.VariantNoClaim in its
//     context, and inbox.Claim claims nothing: the consumer without its
//     idempotency claim.
func ConsumerFaults(set *faults.Set, subs []mq.Subscription) []mq.Subscription {
	out := make([]mq.Subscription, len(subs))
	for i, s := range subs {
		point := ConsumerPoint(s.Group)
		set.Declare(faults.Point{
			Name: point,
			Description: "each delivery to consumer group " + s.Group + " (" + s.Topic + "): fail it (redelivered), delay it, " +
				"crash after the effect is applied and before the acknowledgement, or run the naive consumer without its idempotency claim",
			Actions: []faults.Action{faults.Fail, faults.Delay, faults.Crash, faults.Naive},
			Values:  map[faults.Action][]string{faults.Naive: {faults.VariantNoClaim}},
		})
		h := s.Handler
		s.Handler = func(ctx context.Context, d mq.Delivery) error {
			if hit, ok := set.Peek(point); ok && hit.Action == faults.Crash {
				err := h(ctx, d)
				if err == nil {
					set.At(ctx, point) // dies here, before the acknowledgement
				}
				return err
			}
			if hit, ok := set.At(ctx, point); ok {
				switch hit.Action {
				case faults.Fail:
					return errConsumerFault
				case faults.Naive:
					ctx = faults.WithVariant(ctx, hit.Value)
				}
			}
			return h(ctx, d)
		}
		out[i] = s
	}
	return out
}
