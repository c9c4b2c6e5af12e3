// Package txlog records the outcome of local transactions that publish a
// transactional message, and answers the broker's check-back from that
// record only.
//
// The check rule is race-free (dtm's barrier trick): to learn whether a local
// transaction committed, the checker inserts a "rolled back" marker under the
// same unique key the local transaction writes when it commits. A duplicate
// key means the commit is there (or commits first: the insert waits for its
// lock); a successful insert means the local transaction can never commit,
// because its own insert will now fail and roll it back. A check arriving
// while the local transaction still runs therefore never yields
// rollback-then-commit.
package txlog

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/platform/database"
)

// Outcome of a local transaction.
type Outcome string

// Outcomes recorded in the log.
const (
	Committed  Outcome = "committed"
	RolledBack Outcome = "rolled_back"
)

// Entry is one row of the log, keyed by the message's transaction id.
type Entry struct {
	TxID      string    `gorm:"primaryKey;size:64"`
	Outcome   Outcome   `gorm:"size:16;not null"`
	CreatedAt time.Time `gorm:"not null"`
}

// TableName keeps the table name stable across services.
func (Entry) TableName() string { return "tx_log" }

// Migrate creates the table.
func Migrate(db *gorm.DB) error { return database.Migrate(db, &Entry{}) }

// ErrDecided is returned by RecordCommit when a check already decided the
// transaction rolled back: the caller must roll its local transaction back.
var ErrDecided = errors.New("txlog: transaction already decided as rolled back by a check")

// RecordCommit writes, inside the caller's local transaction tx, that txID
// commits together with it.
func RecordCommit(tx *gorm.DB, txID string) error {
	err := tx.Create(&Entry{TxID: txID, Outcome: Committed, CreatedAt: time.Now().UTC()}).Error
	if database.IsDuplicate(err) {
		return ErrDecided
	}
	if err != nil {
		return fmt.Errorf("txlog: record commit of %s: %w", txID, err)
	}
	return nil
}

// Resolve answers "did txID commit?" for a check-back, deciding "rolled
// back" for good when no commit is recorded.
func Resolve(ctx context.Context, db *gorm.DB, txID string) (Outcome, error) {
	err := db.WithContext(ctx).Create(&Entry{TxID: txID, Outcome: RolledBack, CreatedAt: time.Now().UTC()}).Error
	if err == nil {
		return RolledBack, nil
	}
	if !database.IsDuplicate(err) {
		return "", fmt.Errorf("txlog: resolve %s: %w", txID, err)
	}
	var e Entry
	if err := db.WithContext(ctx).Where("tx_id = ?", txID).Take(&e).Error; err != nil {
		return "", fmt.Errorf("txlog: read %s: %w", txID, err)
	}
	return e.Outcome, nil
}

// Lookup reads the recorded outcome of txID without deciding anything;
// found is false when neither a commit nor a check has written it yet.
func Lookup(ctx context.Context, db *gorm.DB, txID string) (outcome Outcome, found bool, err error) {
	var e Entry
	err = db.WithContext(ctx).Where("tx_id = ?", txID).Take(&e).Error
	if database.IsNotFound(err) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("txlog: read %s: %w", txID, err)
	}
	return e.Outcome, true, nil
}
