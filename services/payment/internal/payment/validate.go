package payment

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/rocketmart/rocketmart/services/platform/apperr"
)

// validateID accepts 1..MaxIDLen visible ASCII characters: order numbers and
// user ids are machine-made, and anything else would only end up in logs
// and unique keys.
func validateID(field, id string) error {
	if id == "" {
		return invalid(field, "required", fmt.Sprintf("%s is required", field))
	}
	if len(id) > MaxIDLen {
		return invalid(field, "max", fmt.Sprintf("%s is longer than %d characters", field, MaxIDLen))
	}
	for i := 0; i < len(id); i++ {
		if id[i] < '!' || id[i] > '~' {
			return invalid(field, "printascii", fmt.Sprintf("%s must be visible ASCII without spaces", field))
		}
	}
	return nil
}

// validateAmount accepts 1..max cents.
func validateAmount(field string, cents, max int64) error {
	if cents < 1 || cents > max {
		return invalid(field, "range", fmt.Sprintf("%s must be between 1 and %d", field, max))
	}
	return nil
}

// validateKey checks an Idempotency-Key: present, 1..MaxKeyLen characters, no
// control characters (it is echoed in logs) and no surrounding spaces. HTTP
// trims those anyway, and MySQL's binary collation ignores trailing spaces,
// so refusing them keeps "k" and "k " from meaning one key on MySQL and two
// on SQLite.
func validateKey(key string) error {
	if key == "" {
		return apperr.New(apperr.Invalid, CodeIdempotencyKeyRequired,
			"the Idempotency-Key header is required").With("header", "Idempotency-Key")
	}
	if !utf8.ValidString(key) || utf8.RuneCountInString(key) > MaxKeyLen || strings.ContainsFunc(key, isControl) ||
		strings.TrimSpace(key) != key {
		return apperr.New(apperr.Invalid, CodeInvalidIdempotencyKey,
			fmt.Sprintf("the Idempotency-Key header must be 1..%d characters without control characters", MaxKeyLen)).
			With("header", "Idempotency-Key")
	}
	return nil
}

// validateReason checks a refund reason: 1..MaxReasonLen characters, not
// blank, no control characters.
func validateReason(reason string) error {
	switch {
	case strings.TrimSpace(reason) == "":
		return invalid("reason", "required", "reason is required")
	case !utf8.ValidString(reason) || strings.ContainsFunc(reason, isControl):
		return invalid("reason", "printable", "reason must be printable text")
	case utf8.RuneCountInString(reason) > MaxReasonLen:
		return invalid("reason", "max", fmt.Sprintf("reason is longer than %d characters", MaxReasonLen))
	}
	return nil
}

func isControl(r rune) bool { return r < ' ' || r == 0x7f }

// Validate checks a charge request field by field.
func (r ChargeRequest) Validate() error {
	if err := validateID("orderNo", r.OrderNo); err != nil {
		return err
	}
	if err := validateID("userId", r.UserID); err != nil {
		return err
	}
	return validateAmount("amountCents", r.AmountCents, MaxChargeCents)
}
