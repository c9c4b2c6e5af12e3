// Package store keeps payment's wallets, charges, top-ups and void markers
// with gorm on SQLite or MySQL/MariaDB. Every money change is one
// transaction made of conditional updates and inserts under unique keys;
// nothing is decided on a value read earlier.
package store

import (
	"context"
	"fmt"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/rocketmart/rocketmart/services/payment/internal/payment"
	"github.com/rocketmart/rocketmart/services/platform/database"
	"github.com/rocketmart/rocketmart/services/platform/inbox"
)

// Store implements payment.Store.
type Store struct {
	db *gorm.DB
}

var _ payment.Store = (*Store)(nil)

// New returns a Store on db; call Migrate first.
func New(db *gorm.DB) *Store { return &Store{db: db} }

// Migrate creates or extends payment's tables and the inbox table.
func Migrate(db *gorm.DB) error {
	if err := database.Migrate(db, &walletRow{}, &chargeRow{}, &voidRow{}, &topUpRow{}, &bulkTopUpRow{}, &bulkLineRow{}); err != nil {
		return err
	}
	if err := inbox.Migrate(db); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	return nil
}

// SeedWallets inserts the wallets that are absent; existing ones keep their
// balance, so restarts never seed twice.
func (s *Store) SeedWallets(ctx context.Context, wallets []payment.Wallet) error {
	if len(wallets) == 0 {
		return nil
	}
	rows := make([]walletRow, 0, len(wallets))
	for _, w := range wallets {
		rows = append(rows, walletRow{UserID: w.UserID, InitialCents: w.InitialCents, TopUpsCents: w.TopUpsCents, BalanceCents: w.BalanceCents})
	}
	err := s.db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&rows).Error
	if err != nil {
		return fmt.Errorf("store: seed wallets: %w", err)
	}
	return nil
}

// Wallet returns one wallet.
func (s *Store) Wallet(ctx context.Context, userID string) (payment.Wallet, error) {
	var row walletRow
	err := s.db.WithContext(ctx).Where("user_id = ?", userID).Take(&row).Error
	switch {
	case database.IsNotFound(err):
		return payment.Wallet{}, payment.WalletNotFoundError(userID)
	case err != nil:
		return payment.Wallet{}, fmt.Errorf("store: wallet %s: %w", userID, err)
	}
	return row.toDomain(), nil
}

// ChargesOf returns a user's latest charges, newest first.
func (s *Store) ChargesOf(ctx context.Context, userID string, limit int) ([]payment.Charge, error) {
	var rows []chargeRow
	err := s.db.WithContext(ctx).Where("user_id = ?", userID).
		Order("created_at DESC").Order("id DESC").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: charges of %s: %w", userID, err)
	}
	return chargesToDomain(rows), nil
}

// Wallets returns every wallet by user id.
func (s *Store) Wallets(ctx context.Context) ([]payment.Wallet, error) {
	var rows []walletRow
	if err := s.db.WithContext(ctx).Order("user_id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: wallets: %w", err)
	}
	out := make([]payment.Wallet, 0, len(rows))
	for _, r := range rows {
		out = append(out, r.toDomain())
	}
	return out, nil
}

// Charges returns every charge, oldest first.
func (s *Store) Charges(ctx context.Context) ([]payment.Charge, error) {
	var rows []chargeRow
	if err := s.db.WithContext(ctx).Order("id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: charges: %w", err)
	}
	return chargesToDomain(rows), nil
}

// ChargeByOrder returns the charge of an order.
func (s *Store) ChargeByOrder(ctx context.Context, orderNo string) (payment.Charge, error) {
	row, err := chargeByOrder(s.db.WithContext(ctx), orderNo)
	if err != nil {
		return payment.Charge{}, err
	}
	return row.toDomain(), nil
}

// chargeByOrder reads a charge through db, which may be a transaction.
func chargeByOrder(db *gorm.DB, orderNo string) (chargeRow, error) {
	var row chargeRow
	err := db.Where("order_no = ?", orderNo).Take(&row).Error
	switch {
	case database.IsNotFound(err):
		return chargeRow{}, payment.ChargeNotFoundError(orderNo)
	case err != nil:
		return chargeRow{}, fmt.Errorf("store: charge %s: %w", orderNo, err)
	}
	return row, nil
}

func chargesToDomain(rows []chargeRow) []payment.Charge {
	out := make([]payment.Charge, 0, len(rows))
	for _, r := range rows {
		out = append(out, r.toDomain())
	}
	return out
}
