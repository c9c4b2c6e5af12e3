package labs

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/rocketmart/rocketmart/services/contracts"
)

// The products the labs buy: a cheap mug, and the lamp with five units for
// the oversell race.
const (
	mug  = "RM-MUG-STONE"
	lamp = "RM-LAMP-ROCKET"
)

// secondOrder is the launcher's name for the second order instance.
const secondOrder = contracts.ServiceOrder + "-2"

// The half message states minirmq reports.
const (
	halfCommitted  = "committed"
	halfRolledBack = "rolled_back"
)

var catalogue = []Lab{
	{
		Name:  "happy-path",
		Title: "The happy path: half message, local transaction, commit, four consumers",
		Learn: []string{
			"Paying sends ORDER_PAID as a half message: the broker stores it, consumers cannot see it yet.",
			"The local transaction charges the buyer and, in one database transaction, marks the order PAID and logs the transaction id.",
			"Then the order service commits the half message, and inventory, logistics, points and cart each apply it once.",
		},
		Look: []string{"the order page's progress", "minirmq's /api/v1/transactions (the half message, committed, no check-back)"},
		run:  happyPath,
	},
	{
		Name:  "pay-local-fails",
		Title: "The local transaction fails: the half message is rolled back and never delivered",
		Learn: []string{
			"A half message is stored before the local transaction runs; if that transaction fails, the producer rolls the message back.",
			"Consumers never see a rolled-back message: nothing is shipped, credited or sold, and nothing was charged.",
		},
		Look: []string{"the pay answer (503 FAULT_INJECTED)", "minirmq's /api/v1/transactions (rolled_back)"},
		run:  payLocalFails,
	},
	{
		Name:  "payment-answer-lost",
		Twin:  "payment-answer-lost-naive",
		Title: "The payment's answer is lost: UNKNOWN, then the broker's check-back settles it",
		Learn: []string{
			"The payment service charges the buyer, but its answer never reaches the order service.",
			"The order service cannot know whether money moved, so it answers UNKNOWN (the customer gets 202).",
			"The broker checks back; the check asks the payment service, finds the charge, marks the order PAID and commits.",
		},
		Look: []string{"order.log: \"charge outcome unknown\" then \"check: charge found, order paid\"", "minirmq's /api/v1/transactions (checkCount ≥ 1)"},
		run:  paymentAnswerLost(false),
	},
	{
		Name:  "payment-answer-lost-naive",
		Twin:  "payment-answer-lost",
		Naive: true,
		Title: "Naive twin: a check-back that only looks at the order row",
		Shows: "invariant 1",
		Learn: []string{
			"Same fault, but the check-back only asks \"is the order PAID?\" — it is not, because the answer was lost.",
			"So it rolls the message back while the buyer's money is gone: a charge for an order that is not paid.",
			"The audit catches the unrefunded charge; the correct check-back asks the payment service too.",
		},
		run: paymentAnswerLost(true),
	},
	{
		Name:      "crash-after-half",
		Twin:      "crash-after-half-naive",
		TwoOrders: true,
		Title:     "The producer crashes after the half message: the check-back rolls it back",
		Learn: []string{
			"The order service dies right after the broker stored the half message, before charging anyone.",
			"The broker never hears commit or rollback, so it checks back with a live member of the producer group.",
			"With two order instances the other one answers; it finds no charge and no logged commit, and rolls back.",
		},
		Look: []string{"order.log / order-2.log: \"answered transaction check\"", "minirmq's /api/v1/transactions", "the launcher's restart line"},
		run:  crashAfterHalf(false),
	},
	{
		Name:      "crash-after-half-naive",
		Twin:      "crash-after-half",
		Naive:     true,
		TwoOrders: true,
		Title:     "Naive twin: a check-back that always commits",
		Shows:     "invariant 3",
		Learn: []string{
			"The producer never tells the broker what happened: here its local transaction fails and its END_TRANSACTION is lost",
			"(what a crash right after the half message looks like to the broker), and the check-back answers COMMIT without looking.",
			"ORDER_PAID reaches every consumer for an order nobody paid: a shipment, points and sold stock for free.",
			"The audit catches the phantom event; the correct check-back reads the transaction log and the charge.",
		},
		run: crashAfterHalf(true),
	},
	{
		Name:  "crash-after-commit",
		Twin:  "crash-after-commit-naive",
		Title: "The producer crashes after its local commit, before END_TRANSACTION",
		Learn: []string{
			"The order is charged and PAID in the order database, then the process dies before telling the broker.",
			"The half message waits; the check-back finds the transaction id in the order service's log and commits.",
			"Nothing is lost: the downstream effects arrive a few seconds late.",
		},
		Look: []string{"the launcher's restart line", "minirmq's /api/v1/transactions (committed after a check)"},
		run:  crashAfterCommit(false),
	},
	{
		Name:  "crash-after-commit-naive",
		Twin:  "crash-after-commit",
		Naive: true,
		Title: "Naive twin: a check-back that always rolls back",
		Shows: "invariant 2",
		Learn: []string{
			"The order is charged and PAID, and its END_TRANSACTION is lost (what a crash after the commit looks like to the broker);",
			"the check-back answers ROLLBACK whenever it is asked.",
			"The order is PAID and charged, but ORDER_PAID is never delivered: no shipment, no points, the stock stays reserved.",
			"The audit catches the lost event.",
		},
		run: crashAfterCommit(true),
	},
	{
		Name:  "duplicate-delivery",
		Twin:  "duplicate-delivery-naive",
		Title: "A duplicate delivery changes nothing: the idempotency claim",
		Learn: []string{
			"RocketMQ delivers at least once: after a lost acknowledgement or a rebalance a consumer sees a message again.",
			"Each consumer claims the event id in the same database transaction as its effect; a second delivery finds the claim.",
			"Here the broker delivers ORDER_PAID to the points consumer again: it is acknowledged as a duplicate, credited once.",
		},
		Look: []string{"points.log: \"duplicate message acknowledged without effect\"", "points' /metrics outcome=\"duplicate\""},
		run:  duplicateDelivery(false),
	},
	{
		Name:  "duplicate-delivery-naive",
		Twin:  "duplicate-delivery",
		Naive: true,
		Title: "Naive twin: a consumer without its idempotency claim",
		Shows: "ledger sums to",
		Learn: []string{
			"Same duplicate, but the points consumer skips its claim and just adds the points.",
			"The buyer is credited twice; the audit finds a balance that no longer matches the ledger.",
		},
		run: duplicateDelivery(true),
	},
	{
		Name:  "failing-consumer",
		Title: "A failing consumer: retries, the dead-letter queue, the fix, the replay",
		Learn: []string{
			"A consumer that fails asks the broker to redeliver later, with growing back-off.",
			"After the maximum number of attempts the message goes to the group's dead-letter queue; nothing is lost.",
			"Once the bug is fixed, replaying the dead letter applies the effect — once.",
		},
		Look: []string{"logistics.log: \"message failed; the broker will redeliver it\"", "minirmq's /api/v1/dead-letters"},
		run:  failingConsumer,
	},
	{
		Name:  "timeout-race",
		Title: "The payment deadline races a slow payment",
		Learn: []string{
			"An order not paid in time is cancelled by a delayed ORDER_TIMEOUT message; here a slow charge is still running when it fires.",
			"Either the payment wins (the timeout finds the order PAID and does nothing) or the cancellation wins (the charge is refunded).",
			"Whichever wins, the other side sees the state change and compensates: never a paid-and-cancelled order.",
		},
		Look: []string{"the order's status history", "payment's charge (refunded, if the cancellation won)"},
		run:  timeoutRace,
	},
	{
		Name:  "oversell-race",
		Twin:  "oversell-race-naive",
		Title: "The oversell race: a conditional update never sells stock it does not have",
		Learn: []string{
			"Several buyers reserve the last units of the Rocket Lamp at the same moment.",
			"The reservation is one conditional update (available = available - n WHERE available >= n): exactly the units there are get sold.",
		},
		Look: []string{"the answers: 201 for the stock there was, 409 OUT_OF_STOCK for the rest"},
		run:  oversell(false),
	},
	{
		Name:  "oversell-race-naive",
		Twin:  "oversell-race",
		Naive: true,
		Title: "Naive twin: a reservation that reads, then writes",
		Shows: "no more orders than lamps",
		Learn: []string{
			"Same race, but the reservation reads the stock, checks it, then writes the new value.",
			"Two buyers read the same last unit and both succeed: more reserved than there was.",
			"Even cancelling the oversold orders then fails (the counters no longer add up): dead letters, and lamps held for ever.",
		},
		run: oversell(true),
	},
}

func happyPath(ctx context.Context, r *Run) error {
	no, status, err := placeAndPay(ctx, r, "alice", mug)
	if err != nil {
		return err
	}
	r.Check("paying answers 200", status == http.StatusOK, "got %d", status)
	h, err := waitHalf(ctx, r, no, halfCommitted)
	if err != nil {
		return err
	}
	r.Check("the half message was committed by the producer, without a check-back", h.CheckCount == 0, "%d check-backs", h.CheckCount)
	return wantStatus(ctx, r, no, "PAID")
}

func payLocalFails(ctx context.Context, r *Run) error {
	no, err := r.Shop.Place(ctx, "bob", Line{mug, 1})
	if err != nil {
		return err
	}
	if err := r.Shop.Arm(ctx, contracts.ServiceOrder, "pay.local=fail,count=1"); err != nil {
		return err
	}
	r.Say("order %s placed; paying with the local transaction set to fail", no)
	status, body, err := r.Shop.Pay(ctx, "bob", no)
	if err != nil {
		return err
	}
	r.Check("the customer is told the payment failed (503 FAULT_INJECTED)", status == http.StatusServiceUnavailable && strings.Contains(body, "FAULT_INJECTED"), "%d %s", status, body)
	if _, err := waitHalf(ctx, r, no, halfRolledBack); err != nil {
		return err
	}
	r.Check("the half message was rolled back", true, "")
	if err := wantStatus(ctx, r, no, "PENDING_PAYMENT"); err != nil {
		return err
	}
	r.Say("paying again, with the fault gone")
	status, body, err = r.Shop.Pay(ctx, "bob", no)
	if err != nil {
		return err
	}
	r.Check("paying again works", status == http.StatusOK, "%d %s", status, body)
	return nil
}

func paymentAnswerLost(naive bool) func(context.Context, *Run) error {
	return func(ctx context.Context, r *Run) error {
		no, err := r.Shop.Place(ctx, "alice", Line{mug, 1})
		if err != nil {
			return err
		}
		if err := r.Shop.Arm(ctx, contracts.ServicePayment, "charge=drop,count=1"); err != nil {
			return err
		}
		if naive {
			if err := r.Shop.armOrders(ctx, "pay.check-back.strategy=naive,value=order-row-only"); err != nil {
				return err
			}
		}
		r.Say("order %s placed; paying while the payment service's answer gets lost", no)
		status, body, err := r.Shop.Pay(ctx, "alice", no)
		if err != nil {
			return err
		}
		r.Check("the customer is told the outcome is not known yet (202 PENDING)", status == http.StatusAccepted, "%d %s", status, body)
		h, err := waitHalf(ctx, r, no, "")
		if err != nil {
			return err
		}
		r.Check("the broker checked back", h.CheckCount >= 1, "%d check-backs", h.CheckCount)
		r.Check("the check-back committed the message", h.State == halfCommitted, "state %s", h.State)
		return wantStatus(ctx, r, no, "PAID")
	}
}

func crashAfterHalf(naive bool) func(context.Context, *Run) error {
	if naive {
		return lostDecision("pay.local=fail,count=1", "always-commit", halfRolledBack, "PENDING_PAYMENT")
	}
	return func(ctx context.Context, r *Run) error {
		no, err := r.Shop.Place(ctx, "carol", Line{mug, 1})
		if err != nil {
			return err
		}
		if err := r.Shop.Arm(ctx, contracts.ServiceOrder, "pay.after-half=crash,count=1"); err != nil {
			return err
		}
		r.Say("order %s placed; paying while the order service is set to crash after the half message", no)
		status, _, err := r.Shop.Pay(ctx, "carol", no)
		r.Check("the order service died during the payment", err != nil || status >= 500, "answer %d, %v", status, err)
		_, two := r.Shop.URL[secondOrder]
		if two && r.Shop.Control != nil {
			// Keep the crashed instance down, so the other one answers. The
			// stop may report the crash's own exit ("signal: killed"); what
			// counts is that the supervisor does not restart it.
			_ = r.Shop.Control.StopProgram(contracts.ServiceOrder)
			defer func() {
				if !r.Shop.ready(ctx, contracts.ServiceOrder) {
					_ = r.Shop.Control.StartProgram(context.WithoutCancel(ctx), contracts.ServiceOrder)
				}
			}()
			r.Say("order stays down; %s is the live member of the producer group", secondOrder)
		}
		h, err := waitHalf(ctx, r, no, "")
		if err != nil {
			return err
		}
		r.Check("the broker checked back", h.CheckCount >= 1, "%d check-backs", h.CheckCount)
		r.Check("the check-back rolled the message back (nothing was charged)", h.State == halfRolledBack, "state %s", h.State)
		if two && r.Shop.Control != nil {
			lines := r.Shop.LogLines(secondOrder, "answered transaction check", h.TransactionID)
			r.Check("the other order instance answered the check-back", len(lines) > 0, "%d answers in %s.log", len(lines), secondOrder)
			if err := r.Shop.Control.StartProgram(ctx, contracts.ServiceOrder); err != nil {
				return err
			}
		} else {
			r.Say("one order instance: the restarted process answered (run with two instances on MySQL to see the other one answer)")
		}
		if !r.Shop.Eventually(ctx, func() bool { return r.Shop.ready(ctx, contracts.ServiceOrder) }) {
			return fmt.Errorf("the order service did not come back")
		}
		if err := wantStatus(ctx, r, no, "PENDING_PAYMENT"); err != nil {
			return err
		}
		status, body, err := r.Shop.Pay(ctx, "carol", no)
		if err != nil {
			return err
		}
		r.Check("paying again after the crash works", status == http.StatusOK, "%d %s", status, body)
		return nil
	}
}

// lostDecision is the naive twins of the crash labs: fault (if any) on the
// local transaction, END_TRANSACTION lost, and the naive check-back
// strategy. The checks say what the correct check-back would have decided
// (want) and the order's status.
func lostDecision(fault, strategy, want, status string) func(context.Context, *Run) error {
	return func(ctx context.Context, r *Run) error {
		no, err := r.Shop.Place(ctx, "carol", Line{mug, 1})
		if err != nil {
			return err
		}
		// The check-back may reach any order instance: each gets the
		// naive strategy; the faults of the pay go to the one that pays.
		faults := []string{"pay.end-transaction=drop,count=1"}
		if fault != "" {
			faults = append(faults, fault)
		}
		for _, f := range faults {
			if err := r.Shop.Arm(ctx, contracts.ServiceOrder, f); err != nil {
				return err
			}
		}
		faults = append(faults, "pay.check-back.strategy=naive,value="+strategy)
		if err := r.Shop.armOrders(ctx, faults[len(faults)-1]); err != nil {
			return err
		}
		r.Say("order %s placed; paying with %s", no, strings.Join(faults, "; "))
		if _, _, err := r.Shop.Pay(ctx, "carol", no); err != nil {
			return err
		}
		h, err := waitHalf(ctx, r, no, "")
		if err != nil {
			return err
		}
		r.Check("the broker checked back", h.CheckCount >= 1, "%d check-backs", h.CheckCount)
		verb := map[string]string{halfCommitted: "committed", halfRolledBack: "rolled back"}[want]
		r.Check("the check-back "+verb+" the message, as the order's durable state says", h.State == want, "state %s", h.State)
		return wantStatus(ctx, r, no, status)
	}
}

func crashAfterCommit(naive bool) func(context.Context, *Run) error {
	if naive {
		return lostDecision("", "always-rollback", halfCommitted, "PAID")
	}
	return func(ctx context.Context, r *Run) error {
		no, err := r.Shop.Place(ctx, "bob", Line{mug, 1})
		if err != nil {
			return err
		}
		if err := r.Shop.Arm(ctx, contracts.ServiceOrder, "pay.after-commit=crash,count=1"); err != nil {
			return err
		}
		r.Say("order %s placed; paying while the order service is set to crash after its local commit", no)
		status, _, err := r.Shop.Pay(ctx, "bob", no)
		r.Check("the order service died during the payment", err != nil || status >= 500, "answer %d, %v", status, err)
		if !r.Shop.Eventually(ctx, func() bool { return r.Shop.ready(ctx, contracts.ServiceOrder) }) {
			return fmt.Errorf("the order service did not come back")
		}
		h, err := waitHalf(ctx, r, no, "")
		if err != nil {
			return err
		}
		r.Check("the broker checked back", h.CheckCount >= 1, "%d check-backs", h.CheckCount)
		r.Check("the check-back committed the message (the payment is in the order database)", h.State == halfCommitted, "state %s", h.State)
		return wantStatus(ctx, r, no, "PAID")
	}
}

func duplicateDelivery(naive bool) func(context.Context, *Run) error {
	return func(ctx context.Context, r *Run) error {
		const user, group = "carol", contracts.ConsumerPointsOrderPaid
		before, _, err := r.Shop.PointsBalance(ctx, user)
		if err != nil {
			return err
		}
		dups, err := r.Shop.Deliveries(ctx, contracts.ServicePoints, group, "duplicate")
		if err != nil {
			return err
		}
		if naive {
			if err := r.Shop.Arm(ctx, contracts.ServicePoints, "consume."+group+"=naive,value=no-claim"); err != nil {
				return err
			}
		}
		no, status, err := placeAndPay(ctx, r, user, mug)
		if err != nil {
			return err
		}
		if status != http.StatusOK {
			return fmt.Errorf("pay: %d", status)
		}
		o, err := r.Shop.Order(ctx, no)
		if err != nil {
			return err
		}
		want := o.TotalCents / 100
		if !r.Shop.Eventually(ctx, func() bool { b, _, _ := r.Shop.PointsBalance(ctx, user); return b >= before+want }) {
			return fmt.Errorf("points were never credited for %s", no)
		}
		r.Say("points credited; the broker now delivers ORDER_PAID of %s to %s again", no, group)
		if err := r.Shop.redeliver(ctx, group, contracts.TopicOrderPaid, no); err != nil {
			return err
		}
		if !naive {
			ok := r.Shop.Eventually(ctx, func() bool {
				n, _ := r.Shop.Deliveries(ctx, contracts.ServicePoints, group, "duplicate")
				return n > dups
			})
			r.Check("the second delivery was acknowledged as a duplicate", ok, "")
		} else {
			r.Shop.Eventually(ctx, func() bool { b, _, _ := r.Shop.PointsBalance(ctx, user); return b >= before+2*want })
		}
		after, ledger, err := r.Shop.PointsBalance(ctx, user)
		if err != nil {
			return err
		}
		r.Check("the order's points were credited once", after-before == want, "credited %d, want %d", after-before, want)
		r.Check("the balance matches the ledger", after == ledger, "balance %d, ledger %d", after, ledger)
		return nil
	}
}

func failingConsumer(ctx context.Context, r *Run) error {
	const group = contracts.ConsumerLogisticsOrderPaid
	if err := r.Shop.Arm(ctx, contracts.ServiceLogistics, "consume."+group+"=fail"); err != nil {
		return err
	}
	no, status, err := placeAndPay(ctx, r, "bob", mug)
	if err != nil {
		return err
	}
	if status != http.StatusOK {
		return fmt.Errorf("pay: %d", status)
	}
	r.Say("order %s paid; the logistics consumer fails every delivery, the broker retries with back-off", no)
	var dl DeadLetter
	found := r.Shop.Eventually(ctx, func() bool {
		dls, _ := r.Shop.DeadLetters(ctx, group)
		for _, d := range dls {
			if d.Keys == no && !d.Replayed {
				dl = d
				return true
			}
		}
		return false
	})
	r.Check("after its retries the message went to the dead-letter queue %DLQ%"+group, found, "")
	if !found {
		return fmt.Errorf("no dead letter for %s", no)
	}
	failed, err := r.Shop.Deliveries(ctx, contracts.ServiceLogistics, group, "failed")
	if err != nil {
		return err
	}
	r.Check("the consumer was retried before the dead letter", failed >= 2, "%d failed deliveries", failed)
	r.Say("the bug is fixed (fault cleared); replaying the dead letter")
	if err := r.Shop.ClearFaults(ctx); err != nil {
		return err
	}
	if err := r.Shop.Replay(ctx, group, dl.Offset); err != nil {
		return err
	}
	processed := r.Shop.Eventually(ctx, func() bool {
		return len(r.Shop.LogLines(contracts.ServiceLogistics, "message processed", no)) > 0 ||
			shipped(ctx, r.Shop, no)
	})
	r.Check("the replayed message created the shipment", processed, "")
	return nil
}

func timeoutRace(ctx context.Context, r *Run) error {
	no, err := r.Shop.Place(ctx, "alice", Line{mug, 1})
	if err != nil {
		return err
	}
	var o struct {
		PaymentDeadline time.Time `json:"paymentDeadline"`
	}
	if err := r.Shop.getJSON(ctx, r.Shop.URL[contracts.ServiceOrder]+"/api/v1/admin/orders/"+no, &o); err != nil {
		return err
	}
	start := o.PaymentDeadline.Add(-time.Second)
	if time.Until(start) > 2*time.Minute {
		return fmt.Errorf("the payment deadline is %s away; run the labs on a shop with a short ORDER_PAYMENT_TIMEOUT (make lab does)", time.Until(o.PaymentDeadline).Round(time.Second))
	}
	r.Say("order %s must be paid by %s; paying 1 s before, with a charge that takes 2 s", no, o.PaymentDeadline.Format(time.TimeOnly))
	if err := r.Shop.Arm(ctx, contracts.ServicePayment, "charge=delay,delay=2s,count=1"); err != nil {
		return err
	}
	t := time.NewTimer(time.Until(start))
	select {
	case <-t.C:
	case <-ctx.Done():
		t.Stop()
		return ctx.Err()
	}
	status, body, err := r.Shop.Pay(ctx, "alice", no)
	if err != nil {
		return err
	}
	r.Say("pay answered %d", status)
	var final Order
	decided := r.Shop.Eventually(ctx, func() bool {
		final, err = r.Shop.Order(ctx, no)
		return err == nil && (final.Status == "PAID" || final.Status == "CANCELLED")
	})
	r.Check("the order ended decided", decided, "status %s", final.Status)
	switch final.Status {
	case "PAID":
		r.Check("the payment won: the customer was told it was paid", status == http.StatusOK || status == http.StatusAccepted, "%d %s", status, body)
	case "CANCELLED":
		r.Check("the cancellation won: the customer was told the order is not payable, or to wait", status == http.StatusConflict || status == http.StatusAccepted, "%d %s", status, body)
	}
	return nil
}

func oversell(naive bool) func(context.Context, *Run) error {
	return func(ctx context.Context, r *Run) error {
		if naive {
			if err := r.Shop.Arm(ctx, contracts.ServiceInventory, "reserve.strategy=naive,value=read-then-write"); err != nil {
				return err
			}
		}
		left, err := r.Shop.Available(ctx, lamp)
		if err != nil {
			return err
		}
		if left < 1 {
			return fmt.Errorf("%s is sold out; reset the shop (or cancel the orders holding it) to run this lab", lamp)
		}
		buyers := left + 4
		r.Say("%d Rocket Lamps left; %d buyers reserve one each at the same moment", left, buyers)
		users := labUsers
		var (
			mu      sync.Mutex
			placed  []string
			refused int
			wg      sync.WaitGroup
		)
		for i := range buyers {
			wg.Go(func() {
				user := users[i%len(users)]
				no, err := r.Shop.Place(ctx, user, Line{lamp, 1})
				mu.Lock()
				defer mu.Unlock()
				if err == nil {
					placed = append(placed, user+"/"+no)
				} else if e, ok := err.(*APIError); ok && e.Status == http.StatusConflict {
					refused++
				}
			})
		}
		wg.Wait()
		r.Check("no more orders than lamps", len(placed) <= left, "%d orders placed for %d lamps (%d refused OUT_OF_STOCK)", len(placed), left, refused)
		// Give the lamps back: the next run of this lab needs them.
		for _, p := range placed {
			user, no, _ := strings.Cut(p, "/")
			if _, _, err := r.Shop.Cancel(ctx, user, no); err != nil {
				return err
			}
		}
		return nil
	}
}

// placeAndPay places a one-unit order of sku for user and pays it.
func placeAndPay(ctx context.Context, r *Run, user, sku string) (string, int, error) {
	no, err := r.Shop.Place(ctx, user, Line{sku, 1})
	if err != nil {
		return "", 0, err
	}
	r.Say("%s placed order %s and pays it", user, no)
	status, body, err := r.Shop.Pay(ctx, user, no)
	if err != nil {
		return "", 0, err
	}
	if status/100 != 2 {
		return no, status, fmt.Errorf("pay %s: %d %s", no, status, body)
	}
	return no, status, nil
}

// waitHalf waits until the order's ORDER_PAID half message is decided
// (state "" = either way) and returns it.
func waitHalf(ctx context.Context, r *Run, orderNo, state string) (Half, error) {
	var h Half
	ok := r.Shop.Eventually(ctx, func() bool {
		hs, err := r.Shop.Halves(ctx, orderNo)
		if err != nil {
			return false
		}
		for _, x := range hs {
			if x.Topic == contracts.TopicOrderPaid && (x.State == halfCommitted || x.State == halfRolledBack) && (state == "" || x.State == state) {
				h = x
				return true
			}
		}
		return false
	})
	if !ok {
		return Half{}, fmt.Errorf("the ORDER_PAID half message of %s was not decided %s in time", orderNo, state)
	}
	r.Say("half message %s: %s after %d check-back(s)", h.TransactionID, h.State, h.CheckCount)
	return h, nil
}

// wantStatus checks the order's status now: once its half message is
// decided, the order service has written what it ever will about the
// payment (a later timeout may still cancel it, which a wait would
// mistake for the lab's outcome).
func wantStatus(ctx context.Context, r *Run, orderNo, status string) error {
	o, err := r.Shop.Order(ctx, orderNo)
	if err != nil {
		return err
	}
	r.Check("the order is "+status, o.Status == status, "%s is %s", orderNo, o.Status)
	return nil
}
