package audit

import (
	"fmt"
	"strings"
)

// The audit's Simplified Chinese. Every check writes English (Title,
// Detail, Subject: tests and tools read those); fail and Check add the
// Chinese beside it by looking the English format or title up here. The
// Chinese format takes the same verbs in the same order (%[n]v indexes
// where Chinese needs another order), and uses the terms of
// web/static/js/i18n/GLOSSARY.md. TestEveryAuditTextHasChinese finds every
// literal format passed to fail and every Title in this package's source
// and fails when one is missing here or its verbs differ.

// zhTitles maps each invariant's English title to its Chinese.
var zhTitles = map[string]string{
	"Every paid order has exactly one succeeded, unrefunded charge of its total less the points paid; every succeeded charge belongs to a paid order":    "每笔已支付订单恰有一笔成功且未退款、金额等于订单总额减去积分抵扣部分的扣款；每笔成功的扣款都属于一笔已支付订单",
	"Every paid order has exactly one shipment, one points credit of (total − points paid)/100, its stock sold once and its purchase gone from the cart": "每笔已支付订单恰有一个发货单、一笔金额为（总额 − 积分抵扣）/100 的积分入账，库存只售出一次，所购商品已从购物车移除",
	"No cancelled or unpaid order has a shipment, points or sold stock; a cancelled order's reservation is released":                                     "已取消或未支付的订单没有发货单、积分或已售库存；已取消订单的库存预留已释放",
	"Stock is conserved per SKU: initial + restocked = available + reserved + sold":                                                                      "每个 SKU 的库存守恒：初始 + 补货 = 可售 + 预留 + 已售",
	"Money is conserved: initial balances + top-ups = balances + charges − refunds":                                                                      "金额守恒：初始余额 + 充值 = 余额 + 扣款 − 退款",
	"No half message is left undecided; every dead-lettered message is listed and replayed":                                                              "没有悬而未决的半消息；每条进入死信队列的消息都已列出并重新投递",
	"Every refunded order has exactly one refund of its charged part (total less points paid), its points clawed back exactly once (clawback = −credit), " +
		"its stock returned and its shipment cancelled or returned; refund-side effects belong to refunded orders": "每笔已退款订单恰有一笔针对其扣款部分（总额减去积分抵扣）的退款，积分恰好扣回一次（扣回 = −入账），库存已退回，发货单已取消或已退回；退款产生的效果都属于已退款订单",
	"Every completed order has a delivered shipment; a shipped order a shipped one, a paid order one awaiting shipment":                                                      "每笔已完成订单有一个已签收的发货单；已发货订单有一个已发货的发货单，已支付订单有一个待发货的发货单",
	"Points are conserved: credits − clawbacks − redemptions + returns = balance; a cancelled or refunded order's redemption is returned exactly once, a paid order's never": "积分守恒：入账 − 扣回 − 抵扣 + 退还 = 余额；已取消或已退款订单的积分抵扣恰好退还一次，已支付订单的从不退还",
	"Money including points: for every paid order, charged + points paid = total":                                                                                            "含积分的金额：每笔已支付订单的扣款 + 积分抵扣 = 总额",
}

// zhDetails maps each format passed to Invariant.fail to its Chinese.
var zhDetails = map[string]string{
	// checks.go: invariant 1
	"paid, but has %d charges":                                                            "已支付，但有 %d 笔扣款",
	"paid, but its charge is %s":                                                          "已支付，但其扣款状态为 %s",
	"charged %d cents, order total %d less %d paid with points":                           "扣款 %d 分，订单总额 %d 减去积分抵扣 %d",
	"order of %s charged to %s":                                                           "%s 的订单扣了 %s 的款",
	"%s charge of %d cents for an order that does not exist":                              "状态为 %s 的 %d 分扣款，对应的订单不存在",
	"succeeded charge of %d cents, but the order is %s and the charge was never refunded": "成功扣款 %d 分，但订单状态为 %s，且这笔扣款从未退款",
	// invariant 2
	"paid, but has %d shipments":                      "已支付，但有 %d 个发货单",
	"shipment addressed to %s's account, order of %s": "发货单属于 %s 的账户，订单属于 %s",
	"paid, but has %d points credits":                 "已支付，但有 %d 笔积分入账",
	"credited %d points to %s, want %d to %s":         "给 %[2]s 入账 %[1]d 积分，应为给 %[4]s 入账 %[3]d 积分",
	"paid, but inventory has no reservation":          "已支付，但库存服务没有库存预留",
	"paid, but its reservation is %s, not SOLD":       "已支付，但其库存预留状态为 %s，而不是 SOLD",
	"sold %s, ordered %s":                             "售出 %s，订购 %s",
	"paid, but the cart recorded %d checkouts":        "已支付，但购物车记录了 %d 次结算",
	"checkout took lines off %s's cart, order of %s":  "结算移除的是 %s 购物车中的商品，订单属于 %s",
	"cart gave up %d of %s, the order bought %d":      "购物车移除了 %d 件 %s，订单购买了 %d 件",
	"%d units sold, sold reservations hold %d":        "已售 %d 件，已售的库存预留合计 %d 件",
	"points balance %d, ledger sums to %d":            "积分余额 %d，流水合计 %d",
	// invariant 3
	"%s, but has %d shipments":                                     "状态为 %s，但有 %d 个发货单",
	"%s, but has %d points credits":                                "状态为 %s，但有 %d 笔积分入账",
	"%s, but the cart recorded its checkout":                       "状态为 %s，但购物车记录了它的结算",
	"%s, but its stock is sold":                                    "状态为 %s，但其库存已售出",
	"cancelled, but its reservation is still %s":                   "已取消，但其库存预留仍为 %s",
	"shipment for an order that does not exist":                    "发货单对应的订单不存在",
	"points credit for an order that does not exist":               "积分入账对应的订单不存在",
	"reservation %s (expires %s) for an order that does not exist": "库存预留 %s（%s 过期）对应的订单不存在",
	// invariant 4
	"initial %d + restocked %d ≠ available %d + reserved %d + sold %d": "初始 %d + 补货 %d ≠ 可售 %d + 预留 %d + 已售 %d",
	"negative units: restocked %d, available %d, reserved %d, sold %d": "数量为负：补货 %d，可售 %d，预留 %d，已售 %d",
	"%d units reserved, open reservations hold %d":                     "预留 %d 件，未结的库存预留合计 %d 件",
	// invariant 5
	"negative balance %d cents":                              "余额为负：%d 分",
	"initial %d + top-ups %d ≠ balance %d + kept charges %d": "初始 %d + 充值 %d ≠ 余额 %d + 未退款的扣款 %d",
	"%d cents in, %d cents accounted for":                    "流入 %d 分，账目合计 %d 分",
	// invariant 6
	"undecided after %d checks (producer group %s, keys %s)":                                 "经过 %d 次事务回查仍未决（生产者组 %s，keys %s）",
	"group %s gave up on %s message (keys %s, queue offset %d); fix the fault and replay it": "消费者组 %s 放弃了一条 %s 消息（keys %s，队列消费位点 %d）；请修复故障后重新投递",
	// refund_checks.go: invariant 7
	"still REFUNDING: payment never confirmed the refund (the order service's ORDER_REFUNDED consumer did not finish)": "仍为 REFUNDING：支付服务从未确认退款（订单服务的 ORDER_REFUNDED 消费者没有完成）",
	"refunded, but has %d charges":                                        "已退款，但有 %d 笔扣款",
	"refunded, but its charge is %s":                                      "已退款，但其扣款状态为 %s",
	"refunded %d cents to %s, order of %d cents (%d charged) by %s":       "退款 %d 分给 %s，订单 %d 分（扣款 %d 分），下单人 %s",
	"refunded, with %d points credits and %d clawbacks; want one of each": "已退款，有 %d 笔积分入账和 %d 笔积分扣回；应各有一笔",
	"clawed back %d points from %s, credited %d to %s":                    "从 %[2]s 扣回 %[1]d 积分，给 %[4]s 入账 %[3]d 积分",
	"refunded, but inventory has no reservation":                          "已退款，但库存服务没有库存预留",
	"refunded, but its reservation is %s, not RETURNED":                   "已退款，但其库存预留状态为 %s，而不是 RETURNED",
	"returned %s, ordered %s":                                             "退回 %s，订购 %s",
	"refunded, but has %d shipments":                                      "已退款，但有 %d 个发货单",
	"refunded, but its shipment is %s, not CANCELLED or RETURNED":         "已退款，但其发货单状态为 %s，而不是 CANCELLED 或 RETURNED",
	"%d points clawed back, but the order %s":                             "扣回了 %d 积分，但订单%s",
	"stock returned, but the order %s":                                    "库存已退回，但订单%s",
	"shipment %s, but the order %s":                                       "发货单状态为 %s，但订单%s",
	// invariant 8
	"%s, but its shipment is %s, not %s": "状态为 %s，但其发货单状态为 %s，而不是 %s",
	// points_checks.go: invariant 9
	"redemption entry of %d points (must be negative)":                         "积分抵扣流水为 %d 积分（必须为负）",
	"return entry of %d points (must be positive)":                             "积分退还流水为 %d 积分（必须为正）",
	"ledger entry with an unknown reason %q (%d points)":                       "流水原因未知：%q（%d 积分）",
	"credits %d − clawbacks %d − redemptions %d + returns %d = %d, balance %d": "入账 %d − 扣回 %d − 抵扣 %d + 退还 %d = %d，余额 %d",
	"negative balance %d without a clawback":                                   "余额为负（%d），但没有积分扣回",
	"%d redemptions and %d returns (at most one redemption per order)":         "%d 笔积分抵扣和 %d 笔退还（每笔订单最多一笔积分抵扣）",
	"%d points redeemed for an order that does not exist":                      "为不存在的订单抵扣了 %d 积分",
	"points of %s redeemed for an order of %s":                                 "抵扣的是 %s 的积分，订单属于 %s",
	"redemption returned %d times":                                             "积分抵扣被退还了 %d 次",
	"%d points of %s redeemed, %d returned to %s":                              "抵扣了 %[2]s 的 %[1]d 积分，退还 %[3]d 积分给 %[4]s",
	"%s, but its %d redeemed points were never returned":                       "状态为 %s，但其抵扣的 %d 积分从未退还",
	"%s, but the %d points it was paid with were returned":                     "状态为 %s，但用于支付的 %d 积分被退还了",
	// invariant 10
	"charged %d + points %d = %d cents, total %d":  "扣款 %d + 积分 %d = %d 分，总额 %d",
	"paid %d cents with points of a %d-cent total": "总额 %[2]d 分中有 %[1]d 分用积分支付",
}

// zhArgs are the English phrases some checks pass as arguments (the
// order's state in refund_checks.go: "does not exist", "is PAID" …).
var zhArgs = map[string]string{
	"does not exist": "不存在",
}

// zhArg is an argument as the Chinese detail shows it: a known English
// phrase translated, "is <STATUS>" for an order status, anything else
// (numbers, IDs, statuses) as it is.
func zhArg(a any) any {
	s, ok := a.(string)
	if !ok {
		return a
	}
	if zh, ok := zhArgs[s]; ok {
		return zh
	}
	if st, ok := strings.CutPrefix(s, "is "); ok && isOrderStatus(st) {
		return "状态为 " + st
	}
	return a
}

func isOrderStatus(s string) bool {
	switch s {
	case StatusPending, StatusPaid, StatusCancelled, StatusShipped, StatusCompleted, StatusRefunding, StatusRefunded:
		return true
	}
	return false
}

// detailZh renders a violation's detail in Chinese; a format without a
// Chinese entry (the test forbids it) falls back to the English.
func detailZh(format string, args ...any) string {
	zh, ok := zhDetails[format]
	if !ok {
		return fmt.Sprintf(format, args...)
	}
	zargs := make([]any, len(args))
	for i, a := range args {
		zargs[i] = zhArg(a)
	}
	return fmt.Sprintf(zh, zargs...)
}

// titleZh is an invariant's title in Chinese, or the English one when the
// catalogue lacks it.
func titleZh(title string) string {
	if zh, ok := zhTitles[title]; ok {
		return zh
	}
	return title
}

// zhSubjects maps the subjects' English kind words to Chinese.
var zhSubjects = []struct{ en, zh string }{
	{"order ", "订单 "},
	{"sku ", "商品 "},
	{"user ", "用户 "},
	{"half ", "半消息 "},
	{"dead letter ", "死信 "},
	{"broker ", "Broker "},
}

// subjectZh renders a subject ("order RM-1", "sku X", "user alice, order
// RM-1", "all wallets") in Chinese; the identifiers stay as they are.
func subjectZh(subject string) string {
	if subject == "all wallets" {
		return "全部钱包"
	}
	for _, k := range zhSubjects {
		rest, ok := strings.CutPrefix(subject, k.en)
		if !ok {
			continue
		}
		if k.en == "user " {
			if u, no, ok := strings.Cut(rest, ", order "); ok {
				return "用户 " + u + "，订单 " + no
			}
		}
		return k.zh + rest
	}
	return subject
}
