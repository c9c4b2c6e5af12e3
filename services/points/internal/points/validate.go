package points

import (
	"fmt"
	"strconv"

	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/platform/apperr"
)

// Error codes clients can rely on. Those other services answer with too are
// contracts'.
const (
	CodeInvalidEventID = "INVALID_EVENT_ID"
	CodeInvalidTotal   = "INVALID_TOTAL"

	CodeInvalidOrderNo = contracts.CodeInvalidOrderNo
	CodeInvalidUserID  = contracts.CodeInvalidUserID
	CodeInvalidLimit   = contracts.CodeInvalidLimit
)

// validateID accepts 1..max visible ASCII characters. Order numbers, user
// ids and event ids are machine-made; anything else would only end up in
// logs and unique keys (and MySQL ignores trailing spaces in comparisons,
// which spaces would make visible).
func validateID(code, field, id string, max int) error {
	invalid := func(msg string) error {
		return apperr.New(apperr.Invalid, code, msg).With("field", field)
	}
	switch {
	case id == "":
		return invalid(field + " must not be empty")
	case len(id) > max:
		return invalid(fmt.Sprintf("%s is longer than %d characters", field, max))
	}
	for i := 0; i < len(id); i++ {
		if id[i] < '!' || id[i] > '~' {
			return invalid(field + " must be visible ASCII without spaces")
		}
	}
	return nil
}

// ValidateOrderNo checks an order number given as a filter.
func ValidateOrderNo(orderNo string) error {
	return validateID(CodeInvalidOrderNo, "orderNo", orderNo, MaxIDLen)
}

// validate checks an ORDER_PAID event before anything is stored. Its errors
// are Invalid: such an event can never be applied, so it is not retried.
func (p OrderPaid) validate() error {
	if err := validateID(CodeInvalidEventID, "eventId", p.EventID, MaxEventIDLen); err != nil {
		return err
	}
	if err := ValidateOrderNo(p.OrderNo); err != nil {
		return err
	}
	if err := validateID(CodeInvalidUserID, "userId", p.UserID, MaxIDLen); err != nil {
		return err
	}
	if p.TotalCents < 0 {
		return apperr.New(apperr.Invalid, CodeInvalidTotal, "totalCents must not be negative").
			With("field", "totalCents")
	}
	if p.PointsRedeemed < 0 || p.ChargedCents() < 0 {
		return apperr.New(apperr.Invalid, CodeInvalidPoints, "pointsRedeemed must be between 0 and the total's worth").
			With("field", "pointsRedeemed")
	}
	return nil
}

// ParseLimit reads a ledger query's limit as a client wrote it: a decimal
// integer from 1 to MaxLimit. (A query without a limit uses DefaultLimit.)
func ParseLimit(raw string) (int, error) {
	n, err := strconv.Atoi(raw)
	if err != nil || n < 1 || n > MaxLimit {
		return 0, InvalidLimit()
	}
	return n, nil
}

// InvalidLimit is the error for a limit that is not an integer from 1 to
// MaxLimit, or that was given more than once.
func InvalidLimit() *apperr.Error {
	return apperr.New(apperr.Invalid, CodeInvalidLimit,
		fmt.Sprintf("limit must be one integer from 1 to %d", MaxLimit)).
		With("field", "limit").With("min", 1).With("max", MaxLimit)
}
