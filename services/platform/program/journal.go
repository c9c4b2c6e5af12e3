package program

import (
	"context"
	"net"
	"os"
	"time"

	"github.com/rocketmart/rocketmart/services/platform/envconf"
	"github.com/rocketmart/rocketmart/services/platform/journal"
	"github.com/rocketmart/rocketmart/services/platform/mq"
)

// journalSweepEvery is how often the journal's retention sweep runs.
const journalSweepEvery = time.Minute

// sweepJournal is the journal's retention round for App.Every.
func (a *App) sweepJournal(ctx context.Context) error {
	n, err := a.Journal.Sweep(ctx)
	if n > 0 {
		a.Log.Info("journal retention sweep", "deleted", n, "retention", a.Journal.Retention().String())
	}
	return err
}

// Instance names this process in the journal: the address it serves on as
// host:port, with the host name when it listens on every interface (":8081"
// becomes "shop-1:8081"), so that two instances of a service sharing one
// database tell their entries apart.
func Instance(base envconf.Base) string {
	addr := base.Addr
	if base.Listener != nil {
		addr = base.Listener.Addr().String()
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		if name, err := os.Hostname(); err == nil {
			host = name
		}
	}
	return net.JoinHostPort(host, port)
}

// consumedOutcomes spell mq's outcomes as the timeline contract does.
var consumedOutcomes = map[string]string{mq.OutcomeDeadLettered: "dead-lettered"}

// recordConsumed is the consumers' Record hook: each delivery handled
// becomes a consumed entry keyed by the message's key. mq calls it after
// the handler returned, so no transaction of the handler holds the
// database (journal's rule).
func recordConsumed(j *journal.Journal) func(context.Context, mq.Handled) {
	return func(ctx context.Context, h mq.Handled) {
		outcome := h.Outcome
		if o, ok := consumedOutcomes[outcome]; ok {
			outcome = o
		}
		e := journal.Entry{Step: journal.StepConsumed, Key: h.Delivery.Key, Topic: h.Delivery.Topic, MsgID: h.Delivery.MsgID,
			Group: h.Group, Attempt: int(h.Delivery.ReconsumeTimes) + 1, Outcome: outcome}
		if h.Err != nil {
			e.Detail = h.Err.Error()
		}
		j.Record(ctx, e)
	}
}
