package labs

import (
	"context"
	"net/http"
	"strings"

	"github.com/rocketmart/rocketmart/services/contracts"
)

// The labs where the producer dies (or its decision is lost) around the
// local transaction, and the check-back decides.

// orderDied and orderNotBack are what every crash lab checks and says.
var (
	orderDied    = Text{"the order service died during the payment", "订单服务在支付过程中挂掉了"}
	orderNotBack = Text{"the order service did not come back", "订单服务没有恢复"}
)

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
		r.Say(Text{"order %s placed; paying while the order service is set to crash after the half message", "订单 %s 已下单；支付时订单服务被设为在发出半消息后崩溃"}, no)
		status, _, err := r.Shop.Pay(ctx, "carol", no)
		r.Check(orderDied, err != nil || status >= 500, Text{"answer %d, %v", "应答 %d，%v"}, status, err)
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
			r.Say(Text{"order stays down; %s is the live member of the producer group", "order 保持停止；%s 是生产者组里仍在运行的成员"}, secondOrder)
		}
		h, err := waitHalf(ctx, r, no, "")
		if err != nil {
			return err
		}
		r.Check(checkedBack, h.CheckCount >= 1, checkBacks, h.CheckCount)
		r.Check(Text{"the check-back rolled the message back (nothing was charged)", "事务回查回滚了消息（没有扣款）"},
			h.State == halfRolledBack, stateIs, h.State)
		if two && r.Shop.Control != nil {
			lines := r.Shop.LogLines(secondOrder, "answered transaction check", h.TransactionID)
			r.Check(Text{"the other order instance answered the check-back", "另一个订单实例回答了事务回查"},
				len(lines) > 0, Text{"%d answers in %s.log", "%[2]s.log 中有 %[1]d 次回答"}, len(lines), secondOrder)
			if err := r.Shop.Control.StartProgram(ctx, contracts.ServiceOrder); err != nil {
				return err
			}
		} else {
			r.Say(Text{
				"one order instance: the restarted process answered (run with two instances on MySQL to see the other one answer)",
				"只有一个订单实例：由重启后的进程回答（在 MySQL 上用两个实例运行，可以看到由另一个实例回答）",
			})
		}
		if !r.Shop.Eventually(ctx, func() bool { return r.Shop.ready(ctx, contracts.ServiceOrder) }) {
			return r.Errorf(orderNotBack)
		}
		if err := wantStatus(ctx, r, no, "PENDING_PAYMENT"); err != nil {
			return err
		}
		status, body, err := r.Shop.Pay(ctx, "carol", no)
		if err != nil {
			return err
		}
		r.Check(Text{"paying again after the crash works", "崩溃之后再次支付成功"}, status == http.StatusOK, asIs("%d %s"), status, body)
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
		r.Say(Text{"order %s placed; paying with %s", "订单 %s 已下单；支付时启用 %s"}, no, strings.Join(faults, "; "))
		if _, _, err := r.Shop.Pay(ctx, "carol", no); err != nil {
			return err
		}
		h, err := waitHalf(ctx, r, no, "")
		if err != nil {
			return err
		}
		r.Check(checkedBack, h.CheckCount >= 1, checkBacks, h.CheckCount)
		decided := map[string]Text{
			halfCommitted:  {"the check-back committed the message, as the order's durable state says", "事务回查按订单的持久化状态提交了消息"},
			halfRolledBack: {"the check-back rolled back the message, as the order's durable state says", "事务回查按订单的持久化状态回滚了消息"},
		}[want]
		r.Check(decided, h.State == want, stateIs, h.State)
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
		r.Say(Text{"order %s placed; paying while the order service is set to crash after its local commit", "订单 %s 已下单；支付时订单服务被设为在本地事务提交后崩溃"}, no)
		status, _, err := r.Shop.Pay(ctx, "bob", no)
		r.Check(orderDied, err != nil || status >= 500, Text{"answer %d, %v", "应答 %d，%v"}, status, err)
		if !r.Shop.Eventually(ctx, func() bool { return r.Shop.ready(ctx, contracts.ServiceOrder) }) {
			return r.Errorf(orderNotBack)
		}
		h, err := waitHalf(ctx, r, no, "")
		if err != nil {
			return err
		}
		r.Check(checkedBack, h.CheckCount >= 1, checkBacks, h.CheckCount)
		r.Check(Text{"the check-back committed the message (the payment is in the order database)", "事务回查提交了消息（支付已记录在订单数据库里）"},
			h.State == halfCommitted, stateIs, h.State)
		return wantStatus(ctx, r, no, "PAID")
	}
}
