package inventory

import (
	"fmt"
	"time"

	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/platform/apperr"
)

// Input limits. They keep one request's work and a reservation's size sane;
// no real basket comes near them.
const (
	MaxOrderNoLen = 64
	MaxSKULen     = 64
	MaxLines      = 50
	MaxQuantity   = 1000
	// MaxExpiry bounds how far ahead a reservation may expire, so a typo
	// cannot hold stock for years.
	MaxExpiry = 30 * 24 * time.Hour
)

// invalid is a bad-input error naming the JSON field, in the same shape as
// the HTTP binder's VALIDATION errors.
func invalid(field, message string) *apperr.Error {
	return apperr.New(apperr.Invalid, apperr.CodeValidation, message).With("field", field)
}

// validOrderNo accepts 1..64 characters of [A-Za-z0-9-]: order numbers
// appear in URLs and message keys, so nothing there needs escaping.
func validOrderNo(s string) bool {
	if len(s) == 0 || len(s) > MaxOrderNoLen {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}

func validateOrderNo(orderNo string) error {
	if orderNo == "" {
		return invalid("orderNo", "orderNo is required")
	}
	if !validOrderNo(orderNo) {
		return invalid("orderNo", fmt.Sprintf("orderNo must be 1 to %d characters of A-Z, a-z, 0-9 and '-'", MaxOrderNoLen))
	}
	return nil
}

// validateReserve checks everything that does not need the database, so bad
// input is rejected before anything is touched.
func validateReserve(req ReserveRequest, now time.Time) error {
	if err := validateOrderNo(req.OrderNo); err != nil {
		return err
	}
	switch {
	case len(req.Lines) == 0:
		return invalid("lines", "lines must hold at least one line")
	case len(req.Lines) > MaxLines:
		return invalid("lines", fmt.Sprintf("lines may hold at most %d lines", MaxLines))
	}
	seen := make(map[string]bool, len(req.Lines))
	for i, l := range req.Lines {
		switch {
		case l.SKU == "":
			return invalid(fmt.Sprintf("lines[%d].sku", i), "sku is required")
		case len(l.SKU) > MaxSKULen:
			return invalid(fmt.Sprintf("lines[%d].sku", i), fmt.Sprintf("sku may be at most %d characters", MaxSKULen))
		case l.Quantity < 1 || l.Quantity > MaxQuantity:
			return invalid(fmt.Sprintf("lines[%d].quantity", i), fmt.Sprintf("quantity must be between 1 and %d", MaxQuantity))
		case seen[l.SKU]:
			return apperr.New(apperr.Invalid, contracts.CodeDuplicateSKU, "each SKU may appear in one line only").
				With("field", fmt.Sprintf("lines[%d].sku", i)).With("sku", l.SKU)
		}
		seen[l.SKU] = true
	}
	switch {
	case req.ExpiresAt.IsZero():
		return invalid("expiresAt", "expiresAt is required")
	case !req.ExpiresAt.After(now):
		return invalid("expiresAt", "expiresAt must be in the future")
	case req.ExpiresAt.Sub(now) > MaxExpiry:
		return invalid("expiresAt", fmt.Sprintf("expiresAt may be at most %d days ahead", MaxExpiry/(24*time.Hour)))
	}
	return nil
}
