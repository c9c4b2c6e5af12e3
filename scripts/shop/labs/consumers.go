package labs

import (
	"context"
	"net/http"

	"github.com/rocketmart/rocketmart/services/contracts"
)

// The labs of the consumers: a duplicate delivery, and a consumer that
// fails until its message is dead-lettered, fixed and replayed.

// payFailed stops a lab whose payment was not a plain 200.
var payFailed = Text{"pay: %d", "支付：%d"}

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
			return r.Errorf(payFailed, status)
		}
		o, err := r.Shop.Order(ctx, no)
		if err != nil {
			return err
		}
		want := o.TotalCents / 100
		if !r.Shop.Eventually(ctx, func() bool { b, _, _ := r.Shop.PointsBalance(ctx, user); return b >= before+want }) {
			return r.Errorf(Text{"points were never credited for %s", "%s 的积分一直没有到账"}, no)
		}
		r.Say(Text{"points credited; the broker now delivers ORDER_PAID of %s to %s again", "积分已到账；现在 Broker 把 %s 的 ORDER_PAID 再次投递给 %s"}, no, group)
		if err := r.Shop.redeliver(ctx, group, contracts.TopicOrderPaid, no); err != nil {
			return err
		}
		if !naive {
			ok := r.Shop.Eventually(ctx, func() bool {
				n, _ := r.Shop.Deliveries(ctx, contracts.ServicePoints, group, "duplicate")
				return n > dups
			})
			r.Check(Text{"the second delivery was acknowledged as a duplicate", "第二次投递被当作重复消息确认"}, ok, asIs(""))
		} else {
			r.Shop.Eventually(ctx, func() bool { b, _, _ := r.Shop.PointsBalance(ctx, user); return b >= before+2*want })
		}
		after, ledger, err := r.Shop.PointsBalance(ctx, user)
		if err != nil {
			return err
		}
		r.Check(Text{"the order's points were credited once", "订单的积分只加了一次"},
			after-before == want, Text{"credited %d, want %d", "加了 %d，应为 %d"}, after-before, want)
		r.Check(Text{"the balance matches the ledger", "余额与流水一致"},
			after == ledger, Text{"balance %d, ledger %d", "余额 %d，流水 %d"}, after, ledger)
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
		return r.Errorf(payFailed, status)
	}
	r.Say(Text{"order %s paid; the logistics consumer fails every delivery, the broker retries with back-off", "订单 %s 已支付；物流消费者每次投递都失败，Broker 以逐次拉长的间隔重试"}, no)
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
	r.Check(Text{"after its retries the message went to the dead-letter queue %s", "重试用尽后，消息进入了死信队列 %s"}.With("%DLQ%"+group), found, asIs(""))
	if !found {
		return r.Errorf(Text{"no dead letter for %s", "没有 %s 的死信"}, no)
	}
	failed, err := r.Shop.Deliveries(ctx, contracts.ServiceLogistics, group, "failed")
	if err != nil {
		return err
	}
	r.Check(Text{"the consumer was retried before the dead letter", "进入死信之前，消费者被重试过"},
		failed >= 2, Text{"%d failed deliveries", "%d 次投递失败"}, failed)
	r.Say(Text{"the bug is fixed (fault cleared); replaying the dead letter", "缺陷已修复（故障已清除）；重新投递这条死信"})
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
	r.Check(Text{"the replayed message created the shipment", "重新投递的消息创建了发货单"}, processed, asIs(""))
	return nil
}
