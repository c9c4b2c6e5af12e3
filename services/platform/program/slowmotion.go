package program

import (
	"context"
	"fmt"

	"github.com/rocketmart/rocketmart/services/platform/faults"
	"github.com/rocketmart/rocketmart/services/platform/journal"
	"github.com/rocketmart/rocketmart/services/platform/mq"
)

// SlowMotionPoint is the demo switch of a consuming service: armed with a
// delay, every delivery to every one of its consumer groups waits that long
// before it is handled, so that an audience watching an order's timeline
// sees the deliveries arrive and each consumer act on them one by one
// instead of five green ticks in the same millisecond. It is off unless
// armed (the fault API, <PREFIX>_FAULTS or the trainer page's slow-motion
// switch). It never changes an outcome: the handler runs unchanged after the
// wait, the client's consume timeout is minutes, and a wait cut short by
// shutdown leaves the delivery unacknowledged for the broker to send again.
const SlowMotionPoint = "slow-motion"

// SlowMotion declares SlowMotionPoint on set when the service consumes
// anything and returns the subscriptions with handlers that, while it is
// armed, journal a held entry for the delivery (so the timeline says why
// nothing happens yet) and then wait the armed delay.
func SlowMotion(set *faults.Set, j *journal.Journal, subs []mq.Subscription) []mq.Subscription {
	if len(subs) == 0 {
		return subs
	}
	set.Declare(faults.Point{
		Name: SlowMotionPoint,
		Description: "demo slow motion: hold every delivery to this service's consumers for the delay before handling it " +
			"(arm with action delay; changes no outcome)",
		Actions: []faults.Action{faults.Delay},
	})
	out := make([]mq.Subscription, len(subs))
	for i, s := range subs {
		h := s.Handler
		s.Handler = func(ctx context.Context, d mq.Delivery) error {
			if hit, ok := set.Peek(SlowMotionPoint); ok && hit.Delay > 0 {
				j.Record(ctx, journal.Entry{Step: journal.StepHeld, Key: d.Key, Topic: d.Topic, MsgID: d.MsgID,
					Group: s.Group, Attempt: int(d.ReconsumeTimes) + 1,
					Detail: fmt.Sprintf("slow motion: held %s before handling", hit.Delay)})
				set.At(ctx, SlowMotionPoint)
				if err := ctx.Err(); err != nil {
					return err // shutting down: not handled, the broker sends it again
				}
			}
			return h(ctx, d)
		}
		out[i] = s
	}
	return out
}
