package labs

import (
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

// catalogue is every lab in workshop order, with what it says in English
// and Chinese; the steps of each are in pay.go, crash.go, consumers.go and
// races.go.
var catalogue = []Lab{
	{
		Name: "happy-path",
		Title: Text{
			"The happy path: half message, local transaction, commit, four consumers",
			"正常路径：半消息、本地事务、提交、四个消费者",
		},
		Learn: []Text{
			{"Paying sends ORDER_PAID as a half message: the broker stores it, consumers cannot see it yet.",
				"支付时，ORDER_PAID 以半消息发送：Broker 存下它，消费者暂时还看不到。"},
			{"The local transaction charges the buyer and, in one database transaction, marks the order PAID and logs the transaction id.",
				"本地事务向买家扣款，并在同一个数据库事务里把订单标为 PAID、记下事务 ID。"},
			{"Then the order service commits the half message, and inventory, logistics, points and cart each apply it once.",
				"随后订单服务提交半消息，库存、物流、积分和购物车各自只处理一次。"},
		},
		Look: []Text{
			{"the order page's progress", "订单页面上的进度"},
			{"minirmq's /api/v1/transactions (the half message, committed, no check-back)",
				"minirmq 的 /api/v1/transactions（半消息已提交，没有事务回查）"},
		},
		run: happyPath,
	},
	{
		Name: "pay-local-fails",
		Title: Text{
			"The local transaction fails: the half message is rolled back and never delivered",
			"本地事务失败：半消息被回滚，永远不会投递",
		},
		Learn: []Text{
			{"A half message is stored before the local transaction runs; if that transaction fails, the producer rolls the message back.",
				"半消息在本地事务执行之前就已存下；本地事务失败时，生产者把消息回滚。"},
			{"Consumers never see a rolled-back message: nothing is shipped, credited or sold, and nothing was charged.",
				"消费者永远看不到被回滚的消息：没有发货、没有积分、没有售出库存，也没有扣款。"},
		},
		Look: []Text{
			{"the pay answer (503 FAULT_INJECTED)", "支付的应答（503 FAULT_INJECTED）"},
			{"minirmq's /api/v1/transactions (rolled_back)", "minirmq 的 /api/v1/transactions（rolled_back）"},
		},
		run: payLocalFails,
	},
	{
		Name: "payment-answer-lost",
		Twin: "payment-answer-lost-naive",
		Title: Text{
			"The payment's answer is lost: UNKNOWN, then the broker's check-back settles it",
			"支付的应答丢失：先是 UNKNOWN，再由 Broker 的事务回查来定夺",
		},
		Learn: []Text{
			{"The payment service charges the buyer, but its answer never reaches the order service.",
				"支付服务已向买家扣款，但它的应答没有到达订单服务。"},
			{"The order service cannot know whether money moved, so it answers UNKNOWN (the customer gets 202).",
				"订单服务无法知道钱是否已经扣走，于是回答 UNKNOWN（顾客收到 202）。"},
			{"The broker checks back; the check asks the payment service, finds the charge, marks the order PAID and commits.",
				"Broker 发起事务回查；回查询问支付服务，找到这笔扣款，把订单标为 PAID 并提交。"},
		},
		Look: []Text{
			{"order.log: \"charge outcome unknown\" then \"check: charge found, order paid\"",
				"order.log：先是 \"charge outcome unknown\"，然后是 \"check: charge found, order paid\""},
			{"minirmq's /api/v1/transactions (checkCount ≥ 1)", "minirmq 的 /api/v1/transactions（checkCount ≥ 1）"},
		},
		run: paymentAnswerLost(false),
	},
	{
		Name:  "payment-answer-lost-naive",
		Twin:  "payment-answer-lost",
		Naive: true,
		Title: Text{
			"Naive twin: a check-back that only looks at the order row",
			"朴素版本：只看订单行的事务回查",
		},
		Shows: "invariant 1",
		Learn: []Text{
			{"Same fault, but the check-back only asks \"is the order PAID?\" — it is not, because the answer was lost.",
				"同样的故障，但事务回查只问“订单是 PAID 吗？”——不是，因为应答丢了。"},
			{"So it rolls the message back while the buyer's money is gone: a charge for an order that is not paid.",
				"于是它回滚了消息，而买家的钱已经扣走：一笔扣款对应着一个未支付的订单。"},
			{"The audit catches the unrefunded charge; the correct check-back asks the payment service too.",
				"审计会抓到这笔未退款的扣款；正确的事务回查还会询问支付服务。"},
		},
		run: paymentAnswerLost(true),
	},
	{
		Name:      "crash-after-half",
		Twin:      "crash-after-half-naive",
		TwoOrders: true,
		Title: Text{
			"The producer crashes after the half message: the check-back rolls it back",
			"生产者在发出半消息后崩溃：事务回查将其回滚",
		},
		Learn: []Text{
			{"The order service dies right after the broker stored the half message, before charging anyone.",
				"Broker 刚存下半消息，订单服务就挂了，还没向任何人扣款。"},
			{"The broker never hears commit or rollback, so it checks back with a live member of the producer group.",
				"Broker 一直没收到提交或回滚，于是向生产者组里仍在运行的成员发起事务回查。"},
			{"With two order instances the other one answers; it finds no charge and no logged commit, and rolls back.",
				"有两个订单实例时由另一个来回答；它找不到扣款，也找不到记录的提交，于是回滚。"},
		},
		Look: []Text{
			{"order.log / order-2.log: \"answered transaction check\"", "order.log / order-2.log 中的 \"answered transaction check\""},
			{"minirmq's /api/v1/transactions", "minirmq 的 /api/v1/transactions"},
			{"the launcher's restart line", "启动器打印的重启那一行"},
		},
		run: crashAfterHalf(false),
	},
	{
		Name:      "crash-after-half-naive",
		Twin:      "crash-after-half",
		Naive:     true,
		TwoOrders: true,
		Title: Text{
			"Naive twin: a check-back that always commits",
			"朴素版本：总是提交的事务回查",
		},
		Shows: "invariant 3",
		Learn: []Text{
			{"The producer never tells the broker what happened: here its local transaction fails and its END_TRANSACTION is lost",
				"生产者始终没有告诉 Broker 发生了什么：这里它的本地事务失败，END_TRANSACTION 也丢了"},
			{"(what a crash right after the half message looks like to the broker), and the check-back answers COMMIT without looking.",
				"（在 Broker 看来，这与发出半消息后立刻崩溃一样），而事务回查不做任何检查就回答 COMMIT。"},
			{"ORDER_PAID reaches every consumer for an order nobody paid: a shipment, points and sold stock for free.",
				"一个没人付款的订单，其 ORDER_PAID 却到达了每个消费者：白送发货单、积分和已售库存。"},
			{"The audit catches the phantom event; the correct check-back reads the transaction log and the charge.",
				"审计会抓到这条幽灵事件；正确的事务回查会读取事务日志和扣款记录。"},
		},
		run: crashAfterHalf(true),
	},
	{
		Name: "crash-after-commit",
		Twin: "crash-after-commit-naive",
		Title: Text{
			"The producer crashes after its local commit, before END_TRANSACTION",
			"生产者在本地事务提交之后、END_TRANSACTION 之前崩溃",
		},
		Learn: []Text{
			{"The order is charged and PAID in the order database, then the process dies before telling the broker.",
				"订单已扣款，并在订单数据库里变为 PAID，随后进程在通知 Broker 之前挂了。"},
			{"The half message waits; the check-back finds the transaction id in the order service's log and commits.",
				"半消息在等待；事务回查在订单服务的事务日志里找到事务 ID，于是提交。"},
			{"Nothing is lost: the downstream effects arrive a few seconds late.",
				"什么都没丢：下游的效果晚几秒到达。"},
		},
		Look: []Text{
			{"the launcher's restart line", "启动器打印的重启那一行"},
			{"minirmq's /api/v1/transactions (committed after a check)", "minirmq 的 /api/v1/transactions（经过一次回查后提交）"},
		},
		run: crashAfterCommit(false),
	},
	{
		Name:  "crash-after-commit-naive",
		Twin:  "crash-after-commit",
		Naive: true,
		Title: Text{
			"Naive twin: a check-back that always rolls back",
			"朴素版本：总是回滚的事务回查",
		},
		Shows: "invariant 2",
		Learn: []Text{
			{"The order is charged and PAID, and its END_TRANSACTION is lost (what a crash after the commit looks like to the broker);",
				"订单已扣款并变为 PAID，而它的 END_TRANSACTION 丢了（在 Broker 看来，这与提交后崩溃一样）；"},
			{"the check-back answers ROLLBACK whenever it is asked.",
				"事务回查无论何时被问都回答 ROLLBACK。"},
			{"The order is PAID and charged, but ORDER_PAID is never delivered: no shipment, no points, the stock stays reserved.",
				"订单已 PAID、已扣款，但 ORDER_PAID 永远不会投递：没有发货单，没有积分，库存一直处于预留状态。"},
			{"The audit catches the lost event.", "审计会抓到这条丢失的事件。"},
		},
		run: crashAfterCommit(true),
	},
	{
		Name: "duplicate-delivery",
		Twin: "duplicate-delivery-naive",
		Title: Text{
			"A duplicate delivery changes nothing: the idempotency claim",
			"重复投递不改变任何东西：幂等认领",
		},
		Learn: []Text{
			{"RocketMQ delivers at least once: after a lost acknowledgement or a rebalance a consumer sees a message again.",
				"RocketMQ 至少投递一次：确认丢失或重新负载均衡之后，消费者会再次收到同一条消息。"},
			{"Each consumer claims the event id in the same database transaction as its effect; a second delivery finds the claim.",
				"每个消费者在产生效果的同一个数据库事务里认领事件 ID；第二次投递会发现已被认领。"},
			{"Here the broker delivers ORDER_PAID to the points consumer again: it is acknowledged as a duplicate, credited once.",
				"这里 Broker 把 ORDER_PAID 再次投递给积分消费者：它被当作重复消息确认，积分只加一次。"},
		},
		Look: []Text{
			{"points.log: \"duplicate message acknowledged without effect\"", "points.log 中的 \"duplicate message acknowledged without effect\""},
			{"points' /metrics outcome=\"duplicate\"", "积分服务的 /metrics 中 outcome=\"duplicate\""},
		},
		run: duplicateDelivery(false),
	},
	{
		Name:  "duplicate-delivery-naive",
		Twin:  "duplicate-delivery",
		Naive: true,
		Title: Text{
			"Naive twin: a consumer without its idempotency claim",
			"朴素版本：没有幂等认领的消费者",
		},
		Shows: "ledger sums to",
		Learn: []Text{
			{"Same duplicate, but the points consumer skips its claim and just adds the points.",
				"同样的重复投递，但积分消费者跳过认领，直接加积分。"},
			{"The buyer is credited twice; the audit finds a balance that no longer matches the ledger.",
				"买家的积分加了两次；审计发现余额与流水对不上了。"},
		},
		run: duplicateDelivery(true),
	},
	{
		Name: "failing-consumer",
		Title: Text{
			"A failing consumer: retries, the dead-letter queue, the fix, the replay",
			"消费失败：重试、死信队列、修复、重新投递",
		},
		Learn: []Text{
			{"A consumer that fails asks the broker to redeliver later, with growing back-off.",
				"消费失败的消费者请 Broker 稍后重新投递，间隔逐次拉长。"},
			{"After the maximum number of attempts the message goes to the group's dead-letter queue; nothing is lost.",
				"达到最大重试次数后，消息进入该消费者组的死信队列；什么都没丢。"},
			{"Once the bug is fixed, replaying the dead letter applies the effect — once.",
				"修好缺陷后，重新投递这条死信就会产生效果——只产生一次。"},
		},
		Look: []Text{
			{"logistics.log: \"message failed; the broker will redeliver it\"", "logistics.log 中的 \"message failed; the broker will redeliver it\""},
			{"minirmq's /api/v1/dead-letters", "minirmq 的 /api/v1/dead-letters（死信列表）"},
		},
		run: failingConsumer,
	},
	{
		Name: "timeout-race",
		Title: Text{
			"The payment deadline races a slow payment",
			"支付截止时间与一笔缓慢的支付赛跑",
		},
		Learn: []Text{
			{"An order not paid in time is cancelled by a delayed ORDER_TIMEOUT message; here a slow charge is still running when it fires.",
				"未按时支付的订单会被一条延时消息 ORDER_TIMEOUT 取消；这里它触发时，一笔缓慢的扣款还在进行。"},
			{"Either the payment wins (the timeout finds the order PAID and does nothing) or the cancellation wins (the charge is refunded).",
				"要么支付赢（超时发现订单已 PAID，什么也不做），要么取消赢（扣款被退回）。"},
			{"Whichever wins, the other side sees the state change and compensates: never a paid-and-cancelled order.",
				"无论谁赢，另一方都会看到状态变化并做补偿：绝不会出现既已支付又已取消的订单。"},
		},
		Look: []Text{
			{"the order's status history", "订单的状态历史"},
			{"payment's charge (refunded, if the cancellation won)", "支付服务里的扣款（如果取消赢了，则已退款）"},
		},
		run: timeoutRace,
	},
	{
		Name: "oversell-race",
		Twin: "oversell-race-naive",
		Title: Text{
			"The oversell race: a conditional update never sells stock it does not have",
			"超卖竞争：条件更新绝不会卖出没有的库存",
		},
		Learn: []Text{
			{"Several buyers reserve the last units of the Rocket Lamp at the same moment.",
				"几位买家在同一时刻预留火箭台灯的最后几件库存。"},
			{"The reservation is one conditional update (available = available - n WHERE available >= n): exactly the units there are get sold.",
				"预留是一条条件更新（available = available - n WHERE available >= n）：有多少件就卖出多少件，一件不多。"},
		},
		Look: []Text{
			{"the answers: 201 for the stock there was, 409 OUT_OF_STOCK for the rest",
				"各个应答：有库存的得到 201，其余得到 409 OUT_OF_STOCK"},
		},
		run: oversell(false),
	},
	{
		Name:  "oversell-race-naive",
		Twin:  "oversell-race",
		Naive: true,
		Title: Text{
			"Naive twin: a reservation that reads, then writes",
			"朴素版本：先读后写的预留",
		},
		Shows: "no more orders than lamps",
		Learn: []Text{
			{"Same race, but the reservation reads the stock, checks it, then writes the new value.",
				"同样的竞争，但预留先读库存、检查，再写入新值。"},
			{"Two buyers read the same last unit and both succeed: more reserved than there was.",
				"两位买家读到同一件最后的库存，两人都成功了：预留的比实有的还多。"},
			{"Even cancelling the oversold orders then fails (the counters no longer add up): dead letters, and lamps held for ever.",
				"之后连取消超卖的订单也会失败（计数已经对不上）：产生死信，台灯被永远占住。"},
		},
		run: oversell(true),
	},
}
