package progress

import (
	"context"
	"net/url"
	"strings"
	"sync"

	"github.com/rocketmart/rocketmart/services/contracts"
)

// payFacts is what the payment service, the broker and this gateway know
// about an order's payment.
type payFacts struct {
	inFlight bool         // a pay request for the order is running through this gateway
	charge   *charge      // the payment service's charge, nil when none (or not asked)
	half     *HalfMessage // the pending ORDER_PAID half message, nil when none
	notes    []string     // what could not be checked
	// chargeNote is why the charge could not be read, "" when it was.
	chargeNote string
}

// charge is the part of the payment service's charge progress reads.
type charge struct {
	Status     string `json:"status"` // SUCCEEDED or REFUNDED
	RefundedAt string `json:"refundedAt"`
}

// half is one of the broker's pending half messages (minirmq admin API).
type half struct {
	TransactionID string `json:"transactionId"`
	Topic         string `json:"topic"`
	Keys          string `json:"keys"`
	CheckCount    int    `json:"checkCount"`
	BornTime      string `json:"bornTime"`
	LastCheckTime string `json:"lastCheckTime"`
}

func (s *Service) payFacts(ctx context.Context, orderNo, orderStatus string) payFacts {
	f := payFacts{inFlight: s.pays.InFlight(orderNo)}
	var (
		wg                     sync.WaitGroup
		chargeNote, brokerNote string
	)
	if orderStatus != orderPaid { // a PAID order's charge adds nothing to the answer (a refunded one's does)
		wg.Go(func() {
			var c charge
			found, reason := s.lookup(ctx, contracts.ServicePayment, s.c.Services[contracts.ServicePayment], "/api/v1/charges/"+url.PathEscape(orderNo), &c)
			if found {
				f.charge = &c
			}
			chargeNote = reason
		})
	}
	if s.c.Broker != nil {
		wg.Go(func() { f.half, brokerNote = s.pendingHalf(ctx, orderNo) })
	} else {
		brokerNote = "broker views are disabled (MINIRMQ_ADMIN_URL is empty): a half message waiting for check-back does not show"
	}
	wg.Wait()
	f.chargeNote = chargeNote
	for _, n := range []string{chargeNote, brokerNote} {
		if n != "" {
			f.notes = append(f.notes, n)
		}
	}
	return f
}

// pendingHalf finds the order's ORDER_PAID half message among the broker's
// pending ones. The order service sends it with the order number as its key;
// RocketMQ keys are a space-separated list.
func (s *Service) pendingHalf(ctx context.Context, orderNo string) (*HalfMessage, string) {
	var list struct {
		Transactions []half `json:"transactions"`
	}
	if err := s.call(ctx, s.c.Broker, "/api/v1/transactions?state=pending", "", &list); err != nil {
		return nil, unknownReason("broker admin", err) + ": a half message waiting for check-back would not show"
	}
	for _, h := range list.Transactions {
		if h.Topic != contracts.TopicOrderPaid || !hasKey(h.Keys, orderNo) {
			continue
		}
		return &HalfMessage{TransactionID: h.TransactionID, Topic: h.Topic, CheckCount: h.CheckCount,
			BornTime: h.BornTime, LastCheckTime: h.LastCheckTime}, ""
	}
	return nil, ""
}

func hasKey(keys, key string) bool {
	for _, k := range strings.Fields(keys) {
		if k == key {
			return true
		}
	}
	return false
}

// paymentState decides the payment's state. A PAID order whose half message
// is still pending committed locally but the broker has not heard yet (the
// producer died between the two): the effects wait for the check-back.
func paymentState(o order, f payFacts) Payment {
	p := Payment{HalfMessage: f.half, Notes: f.notes}
	switch {
	case o.Status == orderPaid && f.half != nil:
		p.State, p.At = PaymentAwaitingCheck, o.changedTo(orderPaid)
	case o.Status == orderRefunded:
		p.State, p.At = PaymentRefunded, o.changedTo(orderRefunded)
		if f.charge != nil && f.charge.RefundedAt != "" {
			p.At = f.charge.RefundedAt
		}
	case paidOnce(o.Status):
		p.State, p.At = PaymentPaid, o.changedTo(orderPaid)
	case f.inFlight:
		p.State = PaymentInFlight
	case f.half != nil:
		p.State = PaymentAwaitingCheck
	case o.Status == orderCancelled && f.charge != nil && f.charge.Status == "REFUNDED":
		p.State, p.At = PaymentRefunded, f.charge.RefundedAt
	case o.Status == orderCancelled:
		p.State = PaymentCancelled
		if f.charge != nil {
			p.Notes = append(p.Notes, "the order was charged before it was cancelled; the refund is on its way")
		}
	case f.charge != nil && f.charge.Status == "SUCCEEDED":
		p.State = PaymentInFlight // charged; the order is about to become PAID
	default:
		p.State = PaymentNone
	}
	return p
}

// changedTo returns when the order's history last moved it to status.
func (o order) changedTo(status string) string {
	at := ""
	for _, h := range o.History {
		if h.To == status {
			at = h.At
		}
	}
	return at
}
