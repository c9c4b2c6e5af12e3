package payment

import (
	"fmt"
	"time"

	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/platform/apperr"
	"github.com/rocketmart/rocketmart/services/platform/faults"
)

// Error codes clients and the order service can rely on. Those other
// services answer with too are contracts' and apperr's, named here as well
// so that this list is every code the payment service answers with.
const (
	CodeWalletNotFound = "WALLET_NOT_FOUND"
	CodeChargeMismatch = "CHARGE_MISMATCH"
	CodeChargeNotFound = "CHARGE_NOT_FOUND"
	// CodePaymentDeclined: a charge declined by the training fault "charge:
	// answer decline" (402, nothing charged); a real decline is
	// INSUFFICIENT_FUNDS.
	CodePaymentDeclined = "PAYMENT_DECLINED"

	CodeValidation             = apperr.CodeValidation
	CodeIdempotencyKeyRequired = contracts.CodeIdempotencyKeyRequired
	CodeInvalidIdempotencyKey  = contracts.CodeInvalidIdempotencyKey
	CodeIdempotencyKeyReused   = contracts.CodeIdempotencyKeyReused
	CodeInsufficientFunds      = contracts.CodeInsufficientFunds
	CodeOrderCancelled         = contracts.CodeOrderCancelled
	CodeChargeTooLate          = contracts.CodeChargeTooLate
	CodeFaultInjected          = faults.CodeInjected // 503 under the training fault "charge: answer unavailable"
)

// invalid reports a bad input field the way the HTTP binder does, so clients
// see one shape whichever layer caught it.
func invalid(field, rule, message string) error {
	return apperr.New(apperr.Invalid, CodeValidation, message).With("field", field).With("rule", rule)
}

// WalletNotFoundError says a user has no wallet: a charge or top-up named a
// user outside the demo list, or a wallet that should exist does not.
func WalletNotFoundError(userID string) error {
	return apperr.New(apperr.NotFound, CodeWalletNotFound, "no wallet for this user").With("userId", userID)
}

// InsufficientFundsError declines a charge the balance cannot cover. Nothing
// is recorded, so the order can be paid after a top-up.
func InsufficientFundsError(balanceCents, amountCents int64) error {
	return apperr.New(apperr.PaymentRequired, CodeInsufficientFunds,
		fmt.Sprintf("balance %d is short of %d cents", balanceCents, amountCents)).
		With("balanceCents", balanceCents).With("amountCents", amountCents)
}

// OrderCancelledError refuses to charge an order that was cancelled before
// its payment arrived.
func OrderCancelledError(orderNo string) error {
	return apperr.New(apperr.Conflict, CodeOrderCancelled, "the order was cancelled; it cannot be charged").
		With("orderNo", orderNo)
}

// ChargeTooLateError refuses a charge that would be created after its
// deadline; nothing was charged.
func ChargeTooLateError(orderNo string, notAfter time.Time) error {
	return apperr.New(apperr.Conflict, CodeChargeTooLate,
		"the charge request came after its deadline "+notAfter.UTC().Format(time.RFC3339Nano)+"; nothing was charged").
		With("orderNo", orderNo)
}

// ChargeNotFoundError says an order has no charge.
func ChargeNotFoundError(orderNo string) error {
	return apperr.New(apperr.NotFound, CodeChargeNotFound, "no charge for this order").With("orderNo", orderNo)
}

// chargeMismatchError refuses a charge whose order number was charged with
// another user or amount: idempotency by order number must not hide a bug.
func chargeMismatchError(existing Charge) error {
	return apperr.New(apperr.Conflict, CodeChargeMismatch,
		"this order was already charged with another user or amount").
		With("orderNo", existing.OrderNo).
		With("userId", existing.UserID).
		With("amountCents", existing.AmountCents)
}

// keyReusedError refuses a top-up whose key was used for another amount.
func keyReusedError(existing TopUp) error {
	return apperr.New(apperr.Unprocessable, CodeIdempotencyKeyReused,
		"this Idempotency-Key was used for a top-up of another amount").
		With("topUpId", existing.ID).
		With("amountCents", existing.AmountCents)
}
