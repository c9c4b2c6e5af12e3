package database_test

import (
	"errors"
	"fmt"
	"testing"

	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/platform/apperr"
	"github.com/rocketmart/rocketmart/services/platform/database"
	"github.com/rocketmart/rocketmart/services/platform/dbtest"
)

// TestMapErrorRealErrors provokes each error on a real database, so a
// driver that changes its error types or codes breaks this test.
func TestMapErrorRealErrors(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		migrated(t, db)
		if err := db.Create(&widget{ID: 1, SKU: "A", Name: "first"}).Error; err != nil {
			t.Fatalf("seed: %v", err)
		}

		tests := []struct {
			name          string
			provoke       func() error
			wantDuplicate bool
			wantNotFound  bool
			wantKind      apperr.Kind
			wantCode      string
		}{
			{
				name:          "unique key",
				provoke:       func() error { return db.Create(&widget{SKU: "A", Name: "again"}).Error },
				wantDuplicate: true, wantKind: apperr.Conflict, wantCode: "DUPLICATE",
			},
			{
				name:          "primary key",
				provoke:       func() error { return db.Create(&widget{ID: 1, SKU: "B", Name: "same id"}).Error },
				wantDuplicate: true, wantKind: apperr.Conflict, wantCode: "DUPLICATE",
			},
			{
				name: "not found",
				provoke: func() error {
					var w widget
					return db.First(&w, "sku = ?", "missing").Error
				},
				wantNotFound: true, wantKind: apperr.NotFound, wantCode: "NOT_FOUND",
			},
			{
				name:     "not null is not a duplicate",
				provoke:  func() error { return db.Exec("INSERT INTO widgets (sku, name) VALUES ('C', NULL)").Error },
				wantKind: apperr.Internal,
			},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				cause := tt.provoke()
				if cause == nil {
					t.Fatal("statement succeeded; want an error")
				}
				if got := database.IsDuplicate(cause); got != tt.wantDuplicate {
					t.Errorf("IsDuplicate(%v) = %v, want %v", cause, got, tt.wantDuplicate)
				}
				if got := database.IsNotFound(cause); got != tt.wantNotFound {
					t.Errorf("IsNotFound(%v) = %v, want %v", cause, got, tt.wantNotFound)
				}

				mapped := database.MapError(fmt.Errorf("store: %w", cause))
				if got := apperr.KindOf(mapped); got != tt.wantKind {
					t.Errorf("KindOf(MapError()) = %v, want %v", got, tt.wantKind)
				}
				if e, ok := apperr.As(mapped); ok && e.Code != tt.wantCode {
					t.Errorf("Code = %q, want %q", e.Code, tt.wantCode)
				}
				if !errors.Is(mapped, cause) {
					t.Errorf("MapError lost the cause: %v", mapped)
				}
				// The helpers still see through a mapped error.
				if got := database.IsDuplicate(mapped); got != tt.wantDuplicate {
					t.Errorf("IsDuplicate(mapped) = %v, want %v", got, tt.wantDuplicate)
				}
			})
		}
	})
}

func TestMapErrorPassThrough(t *testing.T) {
	already := apperr.New(apperr.Forbidden, "NOT_YOURS", "not your order")
	plain := errors.New("boom")
	tests := []struct {
		name string
		err  error
		want error
	}{
		{"nil", nil, nil},
		{"already classified", already, already},
		{"unknown error", plain, plain},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := database.MapError(tt.err); got != tt.want {
				t.Errorf("MapError(%v) = %v, want %v", tt.err, got, tt.want)
			}
		})
	}
}

func TestIsDuplicateTranslated(t *testing.T) {
	if !database.IsDuplicate(fmt.Errorf("x: %w", gorm.ErrDuplicatedKey)) {
		t.Error("IsDuplicate(gorm.ErrDuplicatedKey) = false, want true")
	}
	if database.IsDuplicate(nil) {
		t.Error("IsDuplicate(nil) = true, want false")
	}
}

func TestInTx(t *testing.T) {
	errBoom := errors.New("boom")
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		migrated(t, db)
		if err := db.Create(&widget{SKU: "taken", Name: "seed"}).Error; err != nil {
			t.Fatalf("seed: %v", err)
		}

		tests := []struct {
			name      string
			fn        func(tx *gorm.DB) error
			wantSKU   string // inserted first in fn
			wantRows  int64  // rows with wantSKU afterwards
			wantKind  apperr.Kind
			wantIsErr error
		}{
			{
				name:    "commits on nil",
				wantSKU: "kept", wantRows: 1,
				fn: func(tx *gorm.DB) error { return tx.Create(&widget{SKU: "kept", Name: "x"}).Error },
			},
			{
				name:    "rolls back on error",
				wantSKU: "rolled-back", wantRows: 0, wantKind: apperr.Internal, wantIsErr: errBoom,
				fn: func(tx *gorm.DB) error {
					if err := tx.Create(&widget{SKU: "rolled-back", Name: "x"}).Error; err != nil {
						return err
					}
					return errBoom
				},
			},
			{
				// The idempotency claim shape: the effect and the claim share a
				// transaction, so a duplicate claim undoes the effect.
				name:    "rolls back and maps a duplicate",
				wantSKU: "effect", wantRows: 0, wantKind: apperr.Conflict,
				fn: func(tx *gorm.DB) error {
					if err := tx.Create(&widget{SKU: "effect", Name: "x"}).Error; err != nil {
						return err
					}
					return tx.Create(&widget{SKU: "taken", Name: "claim"}).Error
				},
			},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				err := database.InTx(t.Context(), db, tt.fn)
				if tt.wantIsErr != nil && !errors.Is(err, tt.wantIsErr) {
					t.Errorf("InTx error = %v, want %v", err, tt.wantIsErr)
				}
				if tt.wantRows == 1 && err != nil {
					t.Errorf("InTx error = %v, want nil", err)
				}
				if err != nil {
					if got := apperr.KindOf(err); got != tt.wantKind {
						t.Errorf("KindOf(InTx error) = %v, want %v", got, tt.wantKind)
					}
				}
				var n int64
				if err := db.Model(&widget{}).Where("sku = ?", tt.wantSKU).Count(&n).Error; err != nil {
					t.Fatalf("count: %v", err)
				}
				if n != tt.wantRows {
					t.Errorf("rows with sku %q = %d, want %d", tt.wantSKU, n, tt.wantRows)
				}
			})
		}
	})
}
