package labs

import (
	"context"
	"net/http"
	"strings"

	"github.com/rocketmart/rocketmart/services/contracts"
)

// The labs of the pay itself: the happy path, a failing local transaction,
// a lost payment answer; and the steps every lab shares.

func happyPath(ctx context.Context, r *Run) error {
	no, status, err := placeAndPay(ctx, r, "alice", mug)
	if err != nil {
		return err
	}
	r.Check(Text{"paying answers 200", "支付应答为 200"}, status == http.StatusOK, Text{"got %d", "实际为 %d"}, status)
	h, err := waitHalf(ctx, r, no, halfCommitted)
	if err != nil {
		return err
	}
	r.Check(Text{"the half message was committed by the producer, without a check-back", "半消息由生产者提交，没有事务回查"},
		h.CheckCount == 0, checkBacks, h.CheckCount)
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
	r.Say(Text{"order %s placed; paying with the local transaction set to fail", "订单 %s 已下单；支付时本地事务被设为失败"}, no)
	status, body, err := r.Shop.Pay(ctx, "bob", no)
	if err != nil {
		return err
	}
	r.Check(Text{"the customer is told the payment failed (503 FAULT_INJECTED)", "顾客被告知支付失败（503 FAULT_INJECTED）"},
		status == http.StatusServiceUnavailable && strings.Contains(body, "FAULT_INJECTED"), asIs("%d %s"), status, body)
	if _, err := waitHalf(ctx, r, no, halfRolledBack); err != nil {
		return err
	}
	r.Check(Text{"the half message was rolled back", "半消息已回滚"}, true, asIs(""))
	if err := wantStatus(ctx, r, no, "PENDING_PAYMENT"); err != nil {
		return err
	}
	r.Say(Text{"paying again, with the fault gone", "故障已清除，再次支付"})
	status, body, err = r.Shop.Pay(ctx, "bob", no)
	if err != nil {
		return err
	}
	r.Check(Text{"paying again works", "再次支付成功"}, status == http.StatusOK, asIs("%d %s"), status, body)
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
		r.Say(Text{"order %s placed; paying while the payment service's answer gets lost", "订单 %s 已下单；支付时支付服务的应答会丢失"}, no)
		status, body, err := r.Shop.Pay(ctx, "alice", no)
		if err != nil {
			return err
		}
		r.Check(Text{"the customer is told the outcome is not known yet (202 PENDING)", "顾客被告知结果尚不确定（202 PENDING）"},
			status == http.StatusAccepted, asIs("%d %s"), status, body)
		h, err := waitHalf(ctx, r, no, "")
		if err != nil {
			return err
		}
		r.Check(checkedBack, h.CheckCount >= 1, checkBacks, h.CheckCount)
		r.Check(Text{"the check-back committed the message", "事务回查提交了消息"}, h.State == halfCommitted, stateIs, h.State)
		return wantStatus(ctx, r, no, "PAID")
	}
}

// The check most labs make on the half message, and its details.
var (
	checkedBack = Text{"the broker checked back", "Broker 发起了事务回查"}
	checkBacks  = Text{"%d check-backs", "%d 次事务回查"}
	stateIs     = Text{"state %s", "状态为 %s"}
)

// placeAndPay places a one-unit order of sku for user and pays it.
func placeAndPay(ctx context.Context, r *Run, user, sku string) (string, int, error) {
	no, err := r.Shop.Place(ctx, user, Line{sku, 1})
	if err != nil {
		return "", 0, err
	}
	r.Say(Text{"%s placed order %s and pays it", "%s 下了订单 %s，并支付"}, user, no)
	status, body, err := r.Shop.Pay(ctx, user, no)
	if err != nil {
		return "", 0, err
	}
	if status/100 != 2 {
		return no, status, r.Errorf(Text{"pay %s: %d %s", "支付 %s：%d %s"}, no, status, body)
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
		return Half{}, r.Errorf(Text{"the ORDER_PAID half message of %s was not decided %s in time", "%s 的 ORDER_PAID 半消息没有按时得到决定 %s"}, orderNo, state)
	}
	r.Say(Text{"half message %s: %s after %d check-back(s)", "半消息 %s：经过 %[3]d 次事务回查后为 %[2]s"}, h.TransactionID, h.State, h.CheckCount)
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
	r.Check(Text{"the order is %s", "订单状态为 %s"}.With(status), o.Status == status, Text{"%s is %s", "%s 的状态是 %s"}, orderNo, o.Status)
	return nil
}
