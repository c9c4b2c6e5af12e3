package httpapi

import (
	"context"
	"net/http"

	"github.com/rocketmart/rocketmart/services/payment/internal/payment"
	"github.com/rocketmart/rocketmart/services/platform/apperr"
	"github.com/rocketmart/rocketmart/services/platform/faults"
)

// PointCharge is payment's training fault point: POST /api/v1/charges, the
// call the order service makes inside the local transaction of ORDER_PAID.
// Reading a charge (GET, what order's check-back asks) is never affected.
const PointCharge = "charge"

// The values of the charge point's answer action.
const (
	AnswerDecline     = "decline"
	AnswerUnavailable = "unavailable"
)

// chargePoint declares what the charge point does for each action.
var chargePoint = faults.Point{
	Name: PointCharge,
	Description: "POST /api/v1/charges (order's charge): delay waits first and then charges even if the caller " +
		"gave up (a slow provider; order times out and leaves the payment to the check-back); drop charges and " +
		"cuts the connection before the answer (charged, but order sees a failed call); answer decline (402 " +
		"PAYMENT_DECLINED) or unavailable (503 FAULT_INJECTED) charges nothing",
	Actions: []faults.Action{faults.Delay, faults.Drop, faults.Answer},
	Values:  map[faults.Action][]string{faults.Answer: {AnswerDecline, AnswerUnavailable}},
}

// chargeFault fires the charge point and returns the context the charge
// runs in, and an error to answer instead of charging (answer). Under delay
// the wait has passed and the charge is detached from the caller: a slow
// provider finishes what it started whether or not anyone still waits,
// which is what makes a timed-out call's outcome unknown.
func (a *API) chargeFault(ctx context.Context) (context.Context, faults.Hit, error) {
	hit, ok := a.faults.At(context.WithoutCancel(ctx), PointCharge)
	if !ok {
		return ctx, hit, nil
	}
	switch hit.Action {
	case faults.Delay:
		return context.WithoutCancel(ctx), hit, nil
	case faults.Answer:
		return ctx, hit, trainingAnswer(hit.Value)
	}
	return ctx, hit, nil
}

// trainingAnswer is the error of "charge: answer value": nothing is charged.
func trainingAnswer(value string) error {
	if value == AnswerDecline {
		return apperr.New(apperr.PaymentRequired, payment.CodePaymentDeclined,
			"the charge was declined (training fault armed at "+PointCharge+"); nothing was charged").
			With("point", PointCharge)
	}
	return faults.Injected(apperr.Unavailable, PointCharge, "the payment service is unavailable; nothing was charged")
}

// dropAnswer loses the answer of a charge that committed: net/http closes
// the connection without a response, so the caller sees a failed call (EOF)
// and cannot tell whether it was charged.
func dropAnswer() {
	panic(http.ErrAbortHandler)
}
