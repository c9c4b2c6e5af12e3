package txmsg

import (
	"context"

	"github.com/rocketmart/rocketmart/services/platform/faults"
	"github.com/rocketmart/rocketmart/services/platform/mq"
)

// lifecycle is where a trainer may break an event's half message on its
// way through the producer (training workshops, see package faults): four
// fault points named after the event's FaultPrefix. Without a Set (the
// zero lifecycle) every method does nothing, at the cost of one nil check
// in faults.Set.At.
type lifecycle struct {
	set                                               *faults.Set
	afterHalf, afterCommit, endTransaction, checkBack string
}

// declareLifecycle declares the points <prefix>.after-half,
// <prefix>.after-commit, <prefix>.end-transaction and <prefix>.check-back of
// the event on topic.
func declareLifecycle(set *faults.Set, prefix, topic string) lifecycle {
	if set == nil {
		return lifecycle{}
	}
	l := lifecycle{set: set, afterHalf: prefix + ".after-half", afterCommit: prefix + ".after-commit",
		endTransaction: prefix + ".end-transaction", checkBack: prefix + ".check-back"}
	set.Declare(
		faults.Point{Name: l.afterHalf, Actions: []faults.Action{faults.Crash},
			Description: topic + ": crash the process just after the broker stored the half message (which consumers cannot see) " +
				"and before the local transaction runs. Nothing changed locally, so the broker's check-back rolls the message back."},
		faults.Point{Name: l.afterCommit, Actions: []faults.Action{faults.Crash},
			Description: topic + ": crash the process just after the local transaction committed and before the commit reaches the broker. " +
				"The broker's check-back finds the commit in the transaction log and delivers the message after all."},
		faults.Point{Name: l.endTransaction, Actions: []faults.Action{faults.Drop},
			Description: topic + ": drop: the commit or rollback is lost on its way to the broker (the client reports 'unknown' instead). " +
				"The message waits, undelivered, until the broker's check-back settles it."},
		faults.Point{Name: l.checkBack, Actions: []faults.Action{faults.Answer, faults.Delay},
			Values: map[faults.Action][]string{faults.Answer: {"unknown"}},
			Description: topic + ": the producer's answer to the broker's check-back. answer unknown: the broker asks again later " +
				"(count N: N unknowns, then the real answer); delay: the answer comes late, and past the check's short deadline it is 'unknown'."},
	)
	return l
}

// halfStored is the moment the half message is stored and the local
// transaction has not run: a crash ends the process here.
func (l lifecycle) halfStored(ctx context.Context) { l.set.At(ctx, l.afterHalf) }

// committed is the moment the local transaction committed and the broker
// does not know yet: a crash ends the process here.
func (l lifecycle) committed(ctx context.Context) { l.set.At(ctx, l.afterCommit) }

// decision is the local transaction's decision on its way to the broker. A
// drop loses it: the client is told Unknown instead, and rocketmq-client-go
// v2.1.2 then sends END_TRANSACTION with commitOrRollback
// TransactionNotType, which a broker (Apache's and minirmq) ignores, so the
// half message stays undecided until a check-back. An Unknown decision has
// nothing to lose and leaves the fault armed.
func (l lifecycle) decision(ctx context.Context, s mq.TxState) mq.TxState {
	if s == mq.Unknown {
		return s
	}
	if hit, ok := l.set.At(ctx, l.endTransaction); ok && hit.Action == faults.Drop {
		return mq.Unknown
	}
	return s
}

// answerCheck is the moment a check-back arrives. It reports (Unknown, why,
// true) when a fault answers instead of the event's Check: answer unknown,
// or a delay that outlasted the check's deadline. A shorter delay only
// makes the real answer late.
func (l lifecycle) answerCheck(ctx context.Context) (mq.TxState, string, bool) {
	hit, ok := l.set.At(ctx, l.checkBack)
	switch {
	case !ok:
		return 0, "", false
	case hit.Action == faults.Answer:
		return mq.Unknown, "training fault " + l.checkBack + ": answer unknown", true
	case ctx.Err() != nil:
		return mq.Unknown, "training fault " + l.checkBack + ": delayed past the check's deadline", true
	}
	return 0, "", false
}
