package ordering

import "github.com/rocketmart/rocketmart/services/platform/faults"

// The order domain's training fault points (package faults), armed by a
// trainer through the admin API or ORDER_FAULTS. The ORDER_PAID half
// message's own points (pay.after-half, pay.after-commit,
// pay.end-transaction, pay.check-back) are platform/txmsg's, declared with
// the event in internal/events.
const (
	// PointPayLocal fails the ORDER_PAID local transaction before the
	// charge (NewService declares it).
	PointPayLocal = "pay.local"
	// PointPlaceAfterReserve sits in placing an order, after its stock is
	// reserved and before the order is created (NewService declares it).
	PointPlaceAfterReserve = "place.after-reserve"
	// PointCheckStrategy swaps the ORDER_PAID check-back for a naive one
	// (NewChecks declares it; checks_naive.go).
	PointCheckStrategy = "pay.check-back.strategy"
)

// The naive ORDER_PAID check-back strategies a trainer may select at
// PointCheckStrategy. Each is wrong; checks_naive.go says how.
const (
	StrategyAlwaysCommit   = "always-commit"
	StrategyAlwaysRollback = "always-rollback"
	StrategyOrderRowOnly   = "order-row-only"
)

var payLocalPoint = faults.Point{
	Name:    PointPayLocal,
	Actions: []faults.Action{faults.Fail},
	Description: "Paying an order: the local transaction fails before the buyer is charged. The customer gets " +
		"503 FAULT_INJECTED, nothing is charged, the order stays unpaid, and the ORDER_PAID half message is rolled back: " +
		"no consumer ever sees it.",
}

var placeAfterReservePoint = faults.Point{
	Name:    PointPlaceAfterReserve,
	Actions: []faults.Action{faults.Crash, faults.Fail},
	Description: "Placing an order: the order service stops after inventory reserved the stock and before the order exists " +
		"(crash: the process dies; fail: 503 FAULT_INJECTED). The checkout is not lost: a retry with the same Idempotency-Key " +
		"continues the same attempt, reuses the reservation and creates one order; without a retry, inventory's sweeper " +
		"releases the stock after the payment deadline plus the grace period.",
}

var checkStrategyPoint = faults.Point{
	Name:    PointCheckStrategy,
	Actions: []faults.Action{faults.Naive},
	Values:  map[faults.Action][]string{faults.Naive: {StrategyAlwaysCommit, StrategyAlwaysRollback, StrategyOrderRowOnly}},
	Description: "The ORDER_PAID check-back (the broker asking \"did this payment commit?\") answers with a naive strategy " +
		"instead of reading the transaction log and the charge. always-commit: yes, whatever happened (ORDER_PAID for an unpaid order); " +
		"always-rollback: no, whatever happened (a paid order whose commit was lost never ships); order-row-only: yes only if the " +
		"order row says PAID (a charge whose answer was lost stays taken on an unpaid order). A check-back only runs when the " +
		"broker did not learn the outcome: pair it with pay.end-transaction or a lost charge answer.",
}
