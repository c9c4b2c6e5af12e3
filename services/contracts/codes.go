package contracts

// Error codes the services agree on: each is answered by more than one
// service, or answered by one and matched or passed on by another (the
// gateway and the storefront included). Each has one HTTP status everywhere,
// noted beside it. They are strings, the type of apperr.Error's Code, so
// they need no conversion. The codes the platform itself answers with
// (VALIDATION, INVALID_JSON, UNKNOWN_USER, ...) are apperr's; the scheme is
// described there.
const (
	// CodeOrderNotFound: the order service has no such order for this caller;
	// the gateway passes it on.
	CodeOrderNotFound string = "ORDER_NOT_FOUND" // 404
	// CodeOrderCancelled: payment refuses to charge a cancelled order; the
	// order service matches it to answer ORDER_NOT_PAYABLE.
	CodeOrderCancelled string = "ORDER_CANCELLED" // 409
	// CodeChargeTooLate: payment refuses a charge that would be created after
	// the deadline the order service gave it (notAfter), so that a check-back
	// that found no charge after that deadline can roll back for good.
	CodeChargeTooLate string = "CHARGE_TOO_LATE" // 409
	// CodeInsufficientPoints: points refuses a redemption larger than the
	// balance; the order service passes it on (details: balance, points).
	CodeInsufficientPoints string = "INSUFFICIENT_POINTS" // 409
	// CodeRedemptionTooLate: points refuses a redemption that would be
	// created after the deadline the order service gave it (notAfter), like
	// CodeChargeTooLate.
	CodeRedemptionTooLate string = "REDEMPTION_TOO_LATE" // 409
	// CodeInvalidOrderNo: a malformed order number (logistics, points, the
	// gateway).
	CodeInvalidOrderNo string = "INVALID_ORDER_NO" // 400
	// CodeUnknownSKU: no product has this SKU; inventory answers it, the cart
	// matches it and answers it too, the order service passes it on.
	CodeUnknownSKU string = "UNKNOWN_SKU" // 404
	// CodeDuplicateSKU: a SKU appears in two lines (order, inventory).
	CodeDuplicateSKU string = "DUPLICATE_SKU" // 400
	// CodeInvalidQuantity: a quantity out of range (order, cart).
	CodeInvalidQuantity string = "INVALID_QUANTITY" // 400
	// CodeOutOfStock: inventory cannot reserve every line; the order service
	// passes it on.
	CodeOutOfStock string = "OUT_OF_STOCK" // 409
	// CodeInsufficientFunds: payment declines the charge; the order service
	// passes it on.
	CodeInsufficientFunds string = "INSUFFICIENT_FUNDS" // 402
	// CodeIdempotencyKeyRequired: the Idempotency-Key header is missing
	// (order, payment, cart).
	CodeIdempotencyKeyRequired string = "IDEMPOTENCY_KEY_REQUIRED" // 400
	// CodeInvalidIdempotencyKey: the Idempotency-Key header is too long,
	// repeated or holds characters it may not (order, payment, cart).
	CodeInvalidIdempotencyKey string = "INVALID_IDEMPOTENCY_KEY" // 400
	// CodeIdempotencyKeyReused: the key was used for another request (order,
	// payment, cart); the storefront matches it.
	CodeIdempotencyKeyReused string = "IDEMPOTENCY_KEY_REUSED" // 422
	// CodeInvalidLimit: a page size out of range (order, points).
	CodeInvalidLimit string = "INVALID_LIMIT" // 400
	// CodeInvalidUserID: a malformed user id where it is not the caller's
	// identity (an event, an admin request: points, cart).
	CodeInvalidUserID string = "INVALID_USER_ID" // 400
	// CodeOrderAlreadyShipped: the order service refuses to cancel (refund)
	// an order whose shipment has left; the storefront offers a return
	// after delivery instead.
	CodeOrderAlreadyShipped string = "ORDER_ALREADY_SHIPPED" // 409
	// CodeOrderAlreadyRefunded: a refund or return of an order that is
	// already REFUNDING or REFUNDED (details.status says which); nothing
	// changes.
	CodeOrderAlreadyRefunded string = "ORDER_ALREADY_REFUNDED" // 409
	// CodeOrderNotPaid: a refund of an order that was never paid (pending or
	// cancelled); cancel it instead.
	CodeOrderNotPaid string = "ORDER_NOT_PAID" // 409
	// CodeOrderNotDelivered: a return of an order that has not been
	// delivered (COMPLETED) yet.
	CodeOrderNotDelivered string = "ORDER_NOT_DELIVERED" // 409
	// CodeReturnWindowClosed: a return requested after the return window
	// (ORDER_RETURN_WINDOW since delivery).
	CodeReturnWindowClosed string = "RETURN_WINDOW_CLOSED" // 409
	// CodeNoReturnRequested: an admin accepting a return the customer did
	// not request (details.status says where the order is).
	CodeNoReturnRequested string = "NO_RETURN_REQUESTED" // 409
	// CodeShipmentCancelled: logistics refuses to ship or deliver a shipment
	// whose order was refunded.
	CodeShipmentCancelled string = "SHIPMENT_CANCELLED" // 409
	// CodeBrokerUnavailable: a transactional message could not be sent, so
	// nothing changed (order, logistics).
	CodeBrokerUnavailable string = "BROKER_UNAVAILABLE" // 503
)
