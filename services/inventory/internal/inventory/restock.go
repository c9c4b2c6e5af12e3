package inventory

import (
	"context"
	"crypto/rand"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/platform/apperr"
)

// Restock limits.
const (
	// MaxRestock bounds one restock: enough for any benchmark or workshop,
	// far from the columns' range.
	MaxRestock = 1_000_000
	// MaxKeyLen bounds an Idempotency-Key, as in the other services.
	MaxKeyLen = 128
)

// Restock is units an operator added to a SKU, remembered under its
// idempotency key so that a retried request never adds them twice. The
// initial stock stays what was seeded; restocks are counted apart
// (Stock.Restocked), as top-ups are apart from a wallet's initial balance.
type Restock struct {
	ID        string
	Key       string
	SKU       string
	Quantity  int
	CreatedAt time.Time
}

// Restock adds quantity units to sku's available stock once per
// idempotency key (keys are global: one key, one restock). Replaying a key
// with the same SKU and quantity returns the original restock (created
// false) and the stock now; with another SKU or quantity it fails with
// IDEMPOTENCY_KEY_REUSED. Errors: VALIDATION (field quantity),
// IDEMPOTENCY_KEY_REQUIRED, INVALID_IDEMPOTENCY_KEY, UNKNOWN_SKU.
func (s *Service) Restock(ctx context.Context, key, sku string, quantity int) (Restock, Stock, bool, error) {
	if err := validateKey(key); err != nil {
		return Restock{}, Stock{}, false, err
	}
	if sku == "" || len(sku) > MaxSKULen {
		return Restock{}, Stock{}, false, ErrUnknownSKU(truncate(sku, MaxSKULen))
	}
	if quantity < 1 || quantity > MaxRestock {
		return Restock{}, Stock{}, false, invalid("quantity", fmt.Sprintf("quantity must be between 1 and %d", MaxRestock))
	}
	got, st, created, err := s.store.Restock(ctx, Restock{ID: "rs_" + rand.Text(), Key: key, SKU: sku, Quantity: quantity, CreatedAt: s.now()})
	if err != nil {
		return Restock{}, Stock{}, false, err
	}
	if !created && (got.SKU != sku || got.Quantity != quantity) {
		return Restock{}, Stock{}, false, apperr.New(apperr.Unprocessable, contracts.CodeIdempotencyKeyReused,
			"this Idempotency-Key was used for a restock of another SKU or quantity").
			With("restockId", got.ID).With("sku", got.SKU).With("quantity", got.Quantity)
	}
	if created {
		s.log.InfoContext(ctx, "restocked", "sku", sku, "quantity", quantity, "restock_id", got.ID, "available", st.Available)
	}
	return got, st, created, nil
}

// validateKey checks an Idempotency-Key the way payment's top-ups do:
// present, 1..MaxKeyLen characters, no control characters (it is logged)
// and no surrounding spaces (MySQL's binary collation ignores trailing
// spaces, so "k" and "k " would be one key there and two on SQLite).
func validateKey(key string) error {
	if key == "" {
		return apperr.New(apperr.Invalid, contracts.CodeIdempotencyKeyRequired,
			"the Idempotency-Key header is required").With("header", "Idempotency-Key")
	}
	if !utf8.ValidString(key) || utf8.RuneCountInString(key) > MaxKeyLen || strings.TrimSpace(key) != key ||
		strings.ContainsFunc(key, func(r rune) bool { return r < ' ' || r == 0x7f }) {
		return apperr.New(apperr.Invalid, contracts.CodeInvalidIdempotencyKey,
			fmt.Sprintf("the Idempotency-Key header must be 1..%d characters without control characters or surrounding spaces", MaxKeyLen)).
			With("header", "Idempotency-Key")
	}
	return nil
}

// truncate cuts s to at most n bytes, for echoing hostile input.
func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
