package cart

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"

	"github.com/rocketmart/rocketmart/services/platform/apperr"
)

// validateSKU accepts 1..MaxSKULen visible ASCII characters other than '/'.
// Anything else cannot be a catalogue SKU, and refusing it here keeps
// control characters out of logs and odd paths out of inventory calls.
func validateSKU(sku string) error {
	invalid := func(msg string) error {
		return apperr.New(apperr.Invalid, CodeInvalidSKU, msg).With("field", "sku")
	}
	switch {
	case sku == "":
		return invalid("sku is required")
	case len(sku) > MaxSKULen:
		return invalid(fmt.Sprintf("sku is longer than %d characters", MaxSKULen))
	case !visibleASCII(sku, '/'):
		return invalid("sku may only hold visible ASCII characters other than '/'")
	}
	return nil
}

// validateQuantity accepts 1..MaxQuantity. Too large is its own code because
// the same limit applies to the result of an add.
func validateQuantity(sku string, qty int) error {
	if qty > MaxQuantity {
		return QuantityTooLarge(sku, 0, qty)
	}
	if qty < 1 {
		return apperr.New(apperr.Invalid, CodeInvalidQuantity,
			fmt.Sprintf("quantity must be an integer from 1 to %d", MaxQuantity)).
			With("field", "quantity").With("min", 1).With("max", MaxQuantity)
	}
	return nil
}

// validateKey accepts an Idempotency-Key of 1..MaxKeyLen visible ASCII
// characters.
func validateKey(key string) error {
	if key == "" || len(key) > MaxKeyLen || !visibleASCII(key, 0) {
		return InvalidKey()
	}
	return nil
}

// InvalidKey is the error for a malformed Idempotency-Key header, including
// one sent more than once.
func InvalidKey() *apperr.Error {
	return apperr.New(apperr.Invalid, CodeInvalidKey,
		fmt.Sprintf("Idempotency-Key must be one header of 1 to %d visible ASCII characters", MaxKeyLen)).
		With("header", "Idempotency-Key")
}

// validateUserID guards the methods that take a user id from somewhere other
// than the authenticated header (events, admin).
func validateUserID(userID string) error {
	if userID == "" || len(userID) > MaxUserIDLen || !visibleASCII(userID, 0) {
		return apperr.New(apperr.Invalid, CodeInvalidUserID,
			fmt.Sprintf("user id must be 1 to %d visible ASCII characters", MaxUserIDLen)).
			With("field", "userId")
	}
	return nil
}

// visibleASCII reports whether s holds only '!'..'~' and not except (0 for
// no exception).
func visibleASCII(s string, except byte) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '!' || s[i] > '~' || (except != 0 && s[i] == except) {
			return false
		}
	}
	return true
}

// addFingerprint stands for an add request's body. It is what a reused
// Idempotency-Key is compared with.
func addFingerprint(sku string, qty int) string {
	sum := sha256.Sum256([]byte("add\x00" + sku + "\x00" + strconv.Itoa(qty)))
	return hex.EncodeToString(sum[:])
}

// mergePurchase validates the lines of a purchase and sums repeated SKUs, so
// the store takes each SKU off once.
func mergePurchase(lines []Line) ([]Line, error) {
	invalid := func(msg string) error {
		return apperr.New(apperr.Invalid, CodeInvalidPurchase, msg)
	}
	if len(lines) == 0 {
		return nil, invalid("a purchase has at least one line")
	}
	merged := make([]Line, 0, len(lines))
	index := make(map[string]int, len(lines))
	for i, l := range lines {
		if l.SKU == "" || len(l.SKU) > MaxSKULen || l.Quantity < 1 {
			return nil, invalid(fmt.Sprintf("line %d needs a SKU of at most %d characters and a positive quantity", i, MaxSKULen))
		}
		if j, ok := index[l.SKU]; ok {
			merged[j].Quantity += l.Quantity
			continue
		}
		index[l.SKU] = len(merged)
		merged = append(merged, l)
	}
	return merged, nil
}
