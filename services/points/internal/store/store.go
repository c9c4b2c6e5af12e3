// Package store keeps points accounts and the append-only ledger with gorm,
// on SQLite or MySQL/MariaDB. It owns the transactions: a balance changes
// only in the transaction that appends its ledger entry and claims the
// event, by an atomic upsert, never by writing back a value read earlier.
// Nothing here updates or deletes a ledger row.
package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/platform/database"
	"github.com/rocketmart/rocketmart/services/platform/inbox"
	"github.com/rocketmart/rocketmart/services/points/internal/points"
)

// accountRow is one user's balance, created with the user's first entry.
type accountRow struct {
	UserID    string    `gorm:"primaryKey;size:64"`
	Balance   int64     `gorm:"not null"`
	CreatedAt time.Time `gorm:"not null"`
	UpdatedAt time.Time `gorm:"not null"`
}

func (accountRow) TableName() string { return "point_accounts" }

// entryRow is one ledger entry. The UNIQUE (order_no, reason) is the
// business key that allows one credit per paid order whatever the event
// id; the CHECK keeps a credit from ever being negative.
type entryRow struct {
	ID        int64     `gorm:"primaryKey;autoIncrement"`
	UserID    string    `gorm:"size:64;not null;index:ix_point_ledger_user"`
	OrderNo   string    `gorm:"size:64;not null;uniqueIndex:uq_point_ledger_order_reason,priority:1"`
	Reason    string    `gorm:"size:32;not null;uniqueIndex:uq_point_ledger_order_reason,priority:2"`
	Points    int64     `gorm:"not null;check:chk_point_ledger_credit,reason <> 'ORDER_PAID' OR points >= 0"`
	EventID   string    `gorm:"size:128;not null"`
	CreatedAt time.Time `gorm:"not null"`
}

func (entryRow) TableName() string { return "point_ledger" }

func (r entryRow) toDomain() points.Entry {
	return points.Entry{
		ID: r.ID, UserID: r.UserID, OrderNo: r.OrderNo, Reason: points.Reason(r.Reason),
		Points: r.Points, EventID: r.EventID, CreatedAt: r.CreatedAt.UTC(),
	}
}

// Migrate creates or extends the points tables and the inbox of processed
// events.
func Migrate(db *gorm.DB) error {
	if err := database.Migrate(db, &accountRow{}, &entryRow{}, &voidRow{}); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	if err := inbox.Migrate(db); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	return nil
}

// Store implements points.Store.
type Store struct {
	db *gorm.DB
}

var _ points.Store = (*Store)(nil)

// New returns a Store on a migrated database.
func New(db *gorm.DB) *Store { return &Store{db: db} }

// inTx runs fn in a transaction, retrying MySQL deadlock victims. On MySQL
// it runs at READ COMMITTED: Record decides nothing on a snapshot, only on
// unique keys and an atomic upsert, and REPEATABLE READ's gap locks would
// only add lock waits and deadlocks between credits of one user.
func (s *Store) inTx(ctx context.Context, fn func(tx *gorm.DB) error) error {
	return database.InTxReadCommitted(ctx, s.db, fn)
}

// Statement reads the account and its newest entries in one transaction:
// on MySQL (REPEATABLE READ by default) both reads see one snapshot, and
// SQLite serves the transaction on its single connection, so the balance
// always matches the entries shown with it.
func (s *Store) Statement(ctx context.Context, userID string, limit int) (points.Statement, error) {
	st := points.Statement{Account: points.Account{UserID: userID}}
	err := database.InTx(ctx, s.db, func(tx *gorm.DB) error {
		var accounts []accountRow
		if err := tx.Where("user_id = ?", userID).Limit(1).Find(&accounts).Error; err != nil {
			return fmt.Errorf("read account: %w", err)
		}
		st.Balance = 0
		if len(accounts) == 1 {
			st.Balance = accounts[0].Balance
		}
		var err error
		st.Ledger, err = entries(tx, points.Filter{UserID: userID, Limit: limit, NewestFirst: true})
		return err
	})
	if err != nil {
		return points.Statement{}, fmt.Errorf("store: statement of %s: %w", userID, err)
	}
	return st, nil
}

// Entries returns the entries f selects, ordered by id (insertion order).
func (s *Store) Entries(ctx context.Context, f points.Filter) ([]points.Entry, error) {
	out, err := entries(s.db.WithContext(ctx), f)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	return out, nil
}

func entries(db *gorm.DB, f points.Filter) ([]points.Entry, error) {
	q := db.Model(&entryRow{})
	if f.UserID != "" {
		q = q.Where("user_id = ?", f.UserID)
	}
	if f.OrderNo != "" {
		q = q.Where("order_no = ?", f.OrderNo)
	}
	if f.NewestFirst {
		q = q.Order("id DESC")
	} else {
		q = q.Order("id")
	}
	if f.Limit > 0 {
		q = q.Limit(f.Limit)
	}
	var rows []entryRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("read ledger: %w", err)
	}
	out := make([]points.Entry, 0, len(rows))
	for _, r := range rows {
		out = append(out, r.toDomain())
	}
	return out, nil
}

// checksQuery puts every account's balance next to the sum of its entries,
// computed by the database rather than by adding rows up in Go, and adds
// users who have entries but no account, so an audit sees both kinds of
// disagreement.
const checksQuery = `
SELECT a.user_id AS user_id, a.balance AS balance, COALESCE(SUM(l.points), 0) AS ledger_sum
FROM point_accounts a LEFT JOIN point_ledger l ON l.user_id = a.user_id
GROUP BY a.user_id, a.balance
UNION ALL
SELECT l.user_id, 0, SUM(l.points)
FROM point_ledger l
WHERE NOT EXISTS (SELECT 1 FROM point_accounts a WHERE a.user_id = l.user_id)
GROUP BY l.user_id
ORDER BY 1`

// Checks implements points.Store.
func (s *Store) Checks(ctx context.Context) ([]points.AccountCheck, error) {
	var rows []struct {
		UserID    string
		Balance   int64
		LedgerSum int64
	}
	if err := s.db.WithContext(ctx).Raw(checksQuery).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: account checks: %w", err)
	}
	out := make([]points.AccountCheck, 0, len(rows))
	for _, r := range rows {
		out = append(out, points.AccountCheck{UserID: r.UserID, Balance: r.Balance, LedgerSum: r.LedgerSum})
	}
	return out, nil
}
