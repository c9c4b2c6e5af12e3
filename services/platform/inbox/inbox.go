// Package inbox makes message consumers idempotent: a handler claims
// (consumer, event id) under a unique key in the same local database
// transaction as its effect, so a redelivered or duplicated message finds the
// claim and applies nothing again.
package inbox

import (
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/platform/apperr"
	"github.com/rocketmart/rocketmart/services/platform/database"
	"github.com/rocketmart/rocketmart/services/platform/faults"
)

// Processed is one claimed event.
type Processed struct {
	Consumer    string    `gorm:"primaryKey;size:128"`
	EventID     string    `gorm:"primaryKey;size:128"`
	ProcessedAt time.Time `gorm:"not null"`
}

// TableName keeps the table name stable across services.
func (Processed) TableName() string { return "processed_events" }

// Migrate creates the table.
func Migrate(db *gorm.DB) error { return database.Migrate(db, &Processed{}) }

// Claim records that consumer processes eventID, inside tx. When the event
// was processed before it returns an error wrapping apperr.ErrAlreadyApplied:
// roll back, and the consumer acknowledges the message as a duplicate.
//
// Under the training fault "naive no-claim" (faults.VariantNoClaim in the
// transaction's context) it claims nothing: the naive consumer a workshop
// lab compares with this one.
func Claim(tx *gorm.DB, consumer, eventID string) error {
	if tx.Statement.Context != nil && faults.VariantFrom(tx.Statement.Context) == faults.VariantNoClaim {
		return nil
	}
	err := tx.Create(&Processed{Consumer: consumer, EventID: eventID, ProcessedAt: time.Now().UTC()}).Error
	if database.IsDuplicate(err) {
		return fmt.Errorf("%s already processed event %s: %w", consumer, eventID, apperr.ErrAlreadyApplied)
	}
	if err != nil {
		return fmt.Errorf("inbox: claim %s/%s: %w", consumer, eventID, err)
	}
	return nil
}
