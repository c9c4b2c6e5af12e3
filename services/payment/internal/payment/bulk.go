package payment

import (
	"context"
	"crypto/rand"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/rocketmart/rocketmart/services/platform/apperr"
)

// Bulk top-up limits.
const (
	MaxBulkLines = 100
	// MaxBulkTopUpCents bounds one line of a bulk top-up: an operator
	// funding a benchmark or a workshop needs more than a user's own
	// top-up allows (MaxTopUpCents), still far from int64's range.
	MaxBulkTopUpCents = 100_000_000
)

// BulkTopUp is an operator's credit of several wallets at once, all or
// nothing, remembered under its idempotency key so a retried request never
// credits twice. Each line counts in its wallet's TopUpsCents, like a
// user's own top-up, so money stays conserved per wallet.
type BulkTopUp struct {
	ID        string
	Key       string
	Lines     []BulkLine // by user id
	CreatedAt time.Time
}

// BulkLine is one wallet's credit in a bulk top-up.
type BulkLine struct {
	UserID       string
	AmountCents  int64
	BalanceCents int64 // the wallet's balance right after the bulk top-up
}

// TotalCents is the sum of the lines.
func (b BulkTopUp) TotalCents() int64 {
	var sum int64
	for _, l := range b.Lines {
		sum += l.AmountCents
	}
	return sum
}

// BulkTopUp credits every line's wallet once per idempotency key (keys are
// global to bulk top-ups), all or none: a line naming a user without a
// wallet fails the whole request with WALLET_NOT_FOUND. Replaying a key
// with the same lines (in any order) returns the original (created false);
// with other lines it fails with IDEMPOTENCY_KEY_REUSED.
func (s *Service) BulkTopUp(ctx context.Context, key string, lines []BulkLine) (BulkTopUp, bool, error) {
	if err := validateKey(key); err != nil {
		return BulkTopUp{}, false, err
	}
	if err := validateBulk(lines); err != nil {
		return BulkTopUp{}, false, err
	}
	want := make([]BulkLine, 0, len(lines))
	for _, l := range lines {
		want = append(want, BulkLine{UserID: l.UserID, AmountCents: l.AmountCents})
	}
	slices.SortFunc(want, func(a, b BulkLine) int { return strings.Compare(a.UserID, b.UserID) })
	got, created, err := s.store.BulkTopUp(ctx, BulkTopUp{ID: "bt_" + rand.Text(), Key: key, Lines: want, CreatedAt: s.timestamp()})
	if err != nil {
		return BulkTopUp{}, false, err
	}
	if !created && !sameBulkLines(got.Lines, want) {
		return BulkTopUp{}, false, apperr.New(apperr.Unprocessable, CodeIdempotencyKeyReused,
			"this Idempotency-Key was used for a bulk top-up of other wallets or amounts").
			With("bulkTopUpId", got.ID)
	}
	return got, created, nil
}

func validateBulk(lines []BulkLine) error {
	switch {
	case len(lines) == 0:
		return invalid("topUps", "required", "topUps must hold at least one line")
	case len(lines) > MaxBulkLines:
		return invalid("topUps", "max", fmt.Sprintf("topUps may hold at most %d lines", MaxBulkLines))
	}
	seen := make(map[string]bool, len(lines))
	for i, l := range lines {
		field := fmt.Sprintf("topUps[%d].userId", i)
		if err := validateID(field, l.UserID); err != nil {
			return err
		}
		if seen[l.UserID] {
			return invalid(field, "unique", "each user may appear in one line only")
		}
		seen[l.UserID] = true
		if err := validateAmount(fmt.Sprintf("topUps[%d].amountCents", i), l.AmountCents, MaxBulkTopUpCents); err != nil {
			return err
		}
	}
	return nil
}

// sameBulkLines compares users and amounts; both are sorted by user id.
func sameBulkLines(have, want []BulkLine) bool {
	return slices.EqualFunc(have, want, func(a, b BulkLine) bool { return a.UserID == b.UserID && a.AmountCents == b.AmountCents })
}
