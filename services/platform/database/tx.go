package database

import (
	"context"
	"fmt"

	"gorm.io/gorm"
)

// InTx runs fn in one transaction bound to ctx: committed when fn returns
// nil, rolled back when it returns an error or panics. The returned error
// goes through MapError, so a duplicate claim or a missing row comes back
// with its apperr kind. Inside fn use tx only (see the package doc).
func InTx(ctx context.Context, db *gorm.DB, fn func(tx *gorm.DB) error) error {
	return MapError(db.WithContext(ctx).Transaction(fn))
}

// Migrate creates or extends the tables for models with gorm's AutoMigrate;
// the package doc says what it does not do.
func Migrate(db *gorm.DB, models ...any) error {
	if err := db.AutoMigrate(models...); err != nil {
		return fmt.Errorf("database: migrate: %w", err)
	}
	return nil
}
