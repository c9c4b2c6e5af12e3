package labs

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/rocketmart/rocketmart/services/contracts"
)

// The race labs: the payment deadline against a slow charge, and many
// buyers against the last units of stock.

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
		return r.Errorf(Text{
			"the payment deadline is %s away; run the labs on a shop with a short ORDER_PAYMENT_TIMEOUT (make lab does)",
			"距支付截止时间还有 %s；请在 ORDER_PAYMENT_TIMEOUT 较短的商城上运行实验（make lab 就是这样做的）",
		}, time.Until(o.PaymentDeadline).Round(time.Second))
	}
	r.Say(Text{
		"order %s must be paid by %s; paying 1 s before, with a charge that takes 2 s",
		"订单 %s 必须在 %s 之前支付；提前 1 秒支付，而扣款需要 2 秒",
	}, no, o.PaymentDeadline.Format(time.TimeOnly))
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
	r.Say(Text{"pay answered %d", "支付应答为 %d"}, status)
	var final Order
	decided := r.Shop.Eventually(ctx, func() bool {
		final, err = r.Shop.Order(ctx, no)
		return err == nil && (final.Status == "PAID" || final.Status == "CANCELLED")
	})
	r.Check(Text{"the order ended decided", "订单最终有了定论"}, decided, Text{"status %s", "状态为 %s"}, final.Status)
	switch final.Status {
	case "PAID":
		r.Check(Text{"the payment won: the customer was told it was paid", "支付赢了：顾客被告知已支付"},
			status == http.StatusOK || status == http.StatusAccepted, asIs("%d %s"), status, body)
	case "CANCELLED":
		r.Check(Text{"the cancellation won: the customer was told the order is not payable, or to wait", "取消赢了：顾客被告知订单已不可支付，或请稍候"},
			status == http.StatusConflict || status == http.StatusAccepted, asIs("%d %s"), status, body)
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
			return r.Errorf(Text{
				"%s is sold out; reset the shop (or cancel the orders holding it) to run this lab",
				"%s 已售罄；请重置商城（或取消占着它的订单）后再运行本实验",
			}, lamp)
		}
		buyers := left + 4
		r.Say(Text{"%d Rocket Lamps left; %d buyers reserve one each at the same moment", "火箭台灯还剩 %d 件；%d 位买家在同一时刻各预留一件"}, left, buyers)
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
		r.Check(Text{"no more orders than lamps", "订单数不超过台灯数"}, len(placed) <= left,
			Text{"%d orders placed for %d lamps (%d refused OUT_OF_STOCK)", "为 %[2]d 件台灯下了 %[1]d 个订单（%[3]d 个被拒：OUT_OF_STOCK）"}, len(placed), left, refused)
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
