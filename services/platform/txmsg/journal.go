package txmsg

import (
	"context"

	"github.com/rocketmart/rocketmart/services/platform/journal"
	"github.com/rocketmart/rocketmart/services/platform/mq"
)

// steps records a half message's way through the producer in the service's
// journal, keyed by the event's key. Without a journal (the zero steps)
// every method does nothing. Each is called with no database transaction
// of the caller open: before the local transaction, after it returned, or
// after the check returned.
type steps struct {
	j     *journal.Journal
	topic string
}

// halfSent records the half message the broker stored. rocketmq-client-go
// v2.1.2 sets the message's TransactionId to its UNIQ_KEY before calling
// ExecuteLocalTransaction (producer.go, SendMessageInTransaction), and
// UNIQ_KEY is the msgId consumers see and the txId minirmq journals, so txID
// is both here. (The broker's own transaction id, in the property
// __transactionId__, is not what check-backs or the transaction log use.)
func (s steps) halfSent(ctx context.Context, key, txID string) {
	s.j.Record(ctx, journal.Entry{Step: journal.StepHalfSent, Key: key, Topic: s.topic, MsgID: txID, TxID: txID})
}

// localTransaction records what the local transaction decided, and why
// when it did not commit.
func (s steps) localTransaction(ctx context.Context, key, txID string, state mq.TxState, err error) {
	e := journal.Entry{Step: journal.StepLocalTransaction, Key: key, Topic: s.topic, TxID: txID, Outcome: state.String()}
	if err != nil {
		e.Detail = err.Error()
	}
	s.j.Record(ctx, e)
}

// endTransaction records what the producer tells the broker: decided,
// unless a training fault at point dropped it (told is then Unknown, which
// the broker ignores).
func (s steps) endTransaction(ctx context.Context, key, txID string, decided, told mq.TxState, point string) {
	e := journal.Entry{Step: journal.StepEndTransaction, Key: key, Topic: s.topic, TxID: txID, Outcome: told.String()}
	switch {
	case told != decided:
		e.Outcome = "dropped"
		e.Detail = "training fault " + point + ": the " + decided.String() + " is lost on its way; the broker waits for a check-back"
	case told == mq.Unknown:
		e.Detail = "the outcome is not known yet; the broker will check back"
	}
	s.j.Record(ctx, e)
}

// checkBack records a check-back's answer; attempt is the broker's count.
func (s steps) checkBack(ctx context.Context, c mq.Check, state mq.TxState, why string) {
	s.j.Record(ctx, journal.Entry{Step: journal.StepCheckBack, Key: c.Key, Topic: s.topic, MsgID: c.MsgID,
		TxID: c.TransactionID, Attempt: c.Times, Outcome: state.String(), Detail: why})
}

// checkWhy says why a check answered as it did.
func checkWhy(committed bool, err error) string {
	switch {
	case err != nil:
		return "not known yet: " + err.Error()
	case committed:
		return "the check found the local transaction committed"
	default:
		return "the check found no commit: rolled back"
	}
}
