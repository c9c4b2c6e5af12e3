package database

import (
	"errors"
	"strings"

	"github.com/go-sql-driver/mysql"
	"gorm.io/gorm"
	moderncsqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/rocketmart/rocketmart/services/platform/apperr"
)

// mysqlDuplicateEntry is ER_DUP_ENTRY, raised by MySQL and MariaDB when an
// INSERT or UPDATE violates a PRIMARY or UNIQUE key.
const mysqlDuplicateEntry = 1062

// MapError turns the database errors a client can cause into apperr kinds,
// keeping the original as the cause:
//
//   - gorm.ErrRecordNotFound becomes NotFound with code apperr.CodeNotFound;
//   - a PRIMARY or UNIQUE key violation becomes Conflict with code apperr.CodeDuplicate.
//
// Errors that already carry an apperr kind, and every other error, are
// returned unchanged (so they stay Internal unless someone classified them).
func MapError(err error) error {
	if err == nil {
		return nil
	}
	if _, ok := apperr.As(err); ok {
		return err
	}
	switch {
	case IsNotFound(err):
		return apperr.Wrap(apperr.NotFound, apperr.CodeNotFound, "not found", err)
	case IsDuplicate(err):
		return apperr.Wrap(apperr.Conflict, apperr.CodeDuplicate, "already exists", err)
	default:
		return err
	}
}

// IsNotFound reports whether err (or its cause) is gorm's "record not found".
func IsNotFound(err error) bool {
	return errors.Is(err, gorm.ErrRecordNotFound)
}

// IsDuplicate reports whether err (or its cause) is a PRIMARY or UNIQUE key
// violation on SQLite or MySQL/MariaDB. The idempotency machinery relies on
// it: a claim row inserted under a UNIQUE key that comes back duplicate means
// "already done".
func IsDuplicate(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, gorm.ErrDuplicatedKey) { // a caller enabled TranslateError
		return true
	}
	var sqliteErr *moderncsqlite.Error
	if errors.As(err, &sqliteErr) {
		code := sqliteErr.Code() // extended result codes are on in this driver
		return code == sqlite3.SQLITE_CONSTRAINT_UNIQUE || code == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	var mysqlErr *mysql.MySQLError
	if errors.As(err, &mysqlErr) {
		return mysqlErr.Number == mysqlDuplicateEntry
	}
	// Last resort for a SQLite error that lost its type on the way here.
	return strings.Contains(err.Error(), "UNIQUE constraint failed")
}
