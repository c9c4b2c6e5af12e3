package ordering

import "github.com/rocketmart/rocketmart/services/contracts"

// The order service's own error codes. Codes it shares with other services
// (ORDER_NOT_FOUND, ORDER_CANCELLED, OUT_OF_STOCK, the idempotency-key codes,
// ...) are contracts', and the platform's (VALIDATION, UNKNOWN_USER, ...)
// apperr's.
const (
	CodeCartEmpty         string = "CART_EMPTY"                    // Conflict: nothing to order
	CodeCheckoutExpired   string = "CHECKOUT_EXPIRED"              // Conflict: a retried checkout past its first attempt's payment deadline
	CodeTooManyLines      string = "TOO_MANY_LINES"                // Invalid
	CodeInvalidStatus     string = "INVALID_STATUS"                // Invalid: a status filter that is not an order status
	CodeOrderNotPayable   string = "ORDER_NOT_PAYABLE"             // Conflict: cancelled, refunded or past its deadline
	CodeOrderAlreadyPaid  string = "ORDER_ALREADY_PAID"            // Conflict: a paid order cannot be cancelled
	CodeCancelPending     string = "CANCEL_PENDING"                // Unavailable: the cancellation is not settled yet
	CodeBrokerUnavailable        = contracts.CodeBrokerUnavailable // Unavailable: the transactional message could not be sent
	CodeRefundPending     string = "REFUND_PENDING"                // Unavailable: the refund's outcome is not known yet; look at the order again
	CodePaymentTooSlow    string = "PAYMENT_TOO_SLOW"              // Unavailable: the charge came after its deadline and was refused; nothing charged
	// CodeOutcomeUnknown marks a local transaction whose outcome is not
	// known yet (Unavailable): the broker's check-back settles it. It is the
	// half message's answer, never a client's.
	CodeOutcomeUnknown string = "OUTCOME_UNKNOWN"
)
