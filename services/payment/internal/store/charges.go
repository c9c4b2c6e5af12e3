package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/rocketmart/rocketmart/services/payment/internal/payment"
	"github.com/rocketmart/rocketmart/services/platform/database"
)

// errChargeExists rolls back a charge whose order number is already charged;
// Charge then answers with the existing charge.
var errChargeExists = errors.New("store: order already charged")

// Charge debits the wallet and records the charge in one transaction:
//
//  1. UPDATE wallets SET balance = balance - amount WHERE user_id = ? AND
//     balance >= amount: the balance can never go negative, however many
//     charges run at once, because the check and the debit are one statement.
//  2. INSERT the charge under the UNIQUE order number: a duplicate rolls the
//     debit back and the existing charge is returned, so an order is debited
//     at most once.
//  3. Look for the order's void marker with a locking read: a cancelled order
//     rolls everything back with ORDER_CANCELLED (CancelOrder says why this
//     order of steps cannot miss a concurrent cancel).
func (s *Store) Charge(ctx context.Context, c payment.Charge, notAfter time.Time) (payment.Charge, bool, error) {
	err := s.inTx(ctx, func(tx *gorm.DB) error {
		res := tx.Model(&walletRow{}).
			Where("user_id = ? AND balance_cents >= ?", c.UserID, c.AmountCents).
			Update("balance_cents", gorm.Expr("balance_cents - ?", c.AmountCents))
		if res.Error != nil {
			return fmt.Errorf("store: debit %s for %s: %w", c.UserID, c.OrderNo, res.Error)
		}
		if res.RowsAffected == 0 {
			return declined(tx, c)
		}
		row := chargeRow{
			OrderNo: c.OrderNo, UserID: c.UserID, AmountCents: c.AmountCents,
			Status: string(payment.StatusSucceeded), CreatedAt: c.CreatedAt,
		}
		if err := tx.Create(&row).Error; err != nil {
			if database.IsDuplicate(err) {
				return errChargeExists
			}
			return fmt.Errorf("store: insert charge %s: %w", c.OrderNo, err)
		}
		cancelled, err := isVoided(tx, c.OrderNo)
		if err != nil {
			return err
		}
		if cancelled {
			return payment.OrderCancelledError(c.OrderNo)
		}
		// Last, just before the commit: the deadline bounds when the
		// charge becomes visible, which is what the check-back relies on.
		if !notAfter.IsZero() && time.Now().After(notAfter) {
			return payment.ChargeTooLateError(c.OrderNo, notAfter)
		}
		return nil
	})
	switch {
	case errors.Is(err, errChargeExists):
		existing, err := s.ChargeByOrder(ctx, c.OrderNo)
		return existing, false, err
	case err != nil:
		return payment.Charge{}, false, err
	}
	return c, true, nil
}

// declined explains a debit that matched no wallet row. In order: the order
// is already charged (a replay after the balance was spent must still get
// its charge back), the order was cancelled, the user has no wallet, or the
// balance is short. Nothing is written on this path, so plain reads suffice.
func declined(tx *gorm.DB, c payment.Charge) error {
	var charges []chargeRow
	if err := tx.Where("order_no = ?", c.OrderNo).Limit(1).Find(&charges).Error; err != nil {
		return fmt.Errorf("store: look up charge %s: %w", c.OrderNo, err)
	}
	if len(charges) > 0 {
		return errChargeExists
	}
	cancelled, err := isVoided(tx, c.OrderNo)
	if err != nil {
		return err
	}
	if cancelled {
		return payment.OrderCancelledError(c.OrderNo)
	}
	var wallets []walletRow
	if err := tx.Where("user_id = ?", c.UserID).Limit(1).Find(&wallets).Error; err != nil {
		return fmt.Errorf("store: look up wallet %s: %w", c.UserID, err)
	}
	if len(wallets) == 0 {
		return payment.WalletNotFoundError(c.UserID)
	}
	return payment.InsufficientFundsError(wallets[0].BalanceCents, c.AmountCents)
}

// isVoided reads the order's void marker with a locking read (FOR UPDATE on
// MySQL; SQLite ignores the clause and needs none, see CancelOrder). A
// locking read sees the latest committed row and waits for a transaction
// that inserted the marker but has not finished.
func isVoided(tx *gorm.DB, orderNo string) (bool, error) {
	var rows []voidRow
	err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("order_no = ?", orderNo).Limit(1).Find(&rows).Error
	if err != nil {
		return false, fmt.Errorf("store: read void marker %s: %w", orderNo, err)
	}
	return len(rows) > 0, nil
}

// Refund refunds an order's charge once; see refund.
func (s *Store) Refund(ctx context.Context, orderNo, reason string, at time.Time) (payment.Charge, error) {
	var out chargeRow
	err := s.inTx(ctx, func(tx *gorm.DB) error {
		row, _, err := refund(tx, orderNo, reason, at)
		out = row
		return err
	})
	if err != nil {
		return payment.Charge{}, err
	}
	return out.toDomain(), nil
}

// refund moves the order's charge from SUCCEEDED to REFUNDED and credits its
// amount back, inside tx. The status change is conditional, so of any number
// of concurrent refunds exactly one matches the row and credits the wallet;
// the others find it REFUNDED and change nothing (refunded == false).
func refund(tx *gorm.DB, orderNo, reason string, at time.Time) (row chargeRow, refunded bool, err error) {
	res := tx.Model(&chargeRow{}).
		Where("order_no = ? AND status = ?", orderNo, string(payment.StatusSucceeded)).
		Updates(map[string]any{"status": string(payment.StatusRefunded), "refunded_at": at, "refund_reason": reason})
	if res.Error != nil {
		return chargeRow{}, false, fmt.Errorf("store: refund %s: %w", orderNo, res.Error)
	}
	row, err = chargeByOrder(tx, orderNo)
	if err != nil || res.RowsAffected == 0 {
		return row, false, err
	}
	credit := tx.Model(&walletRow{}).Where("user_id = ?", row.UserID).
		Update("balance_cents", gorm.Expr("balance_cents + ?", row.AmountCents))
	if credit.Error != nil {
		return chargeRow{}, false, fmt.Errorf("store: credit %s for refund %s: %w", row.UserID, orderNo, credit.Error)
	}
	if credit.RowsAffected != 1 {
		return chargeRow{}, false, fmt.Errorf("store: refund %s: wallet %s is missing", orderNo, row.UserID)
	}
	return row, true, nil
}
