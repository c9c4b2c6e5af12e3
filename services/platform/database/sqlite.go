package database

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/libtnb/sqlite" // gorm's dialect on modernc's pure-Go SQLite: CGO_ENABLED=0 images work
	"gorm.io/gorm"
	moderncsqlite "modernc.org/sqlite"
)

// checkSQLitePath accepts a file path or ":memory:", without parameters.
func checkSQLitePath(path string) error {
	if path == "" {
		return fmt.Errorf("database: sqlite DSN has no path: want sqlite:PATH or sqlite::memory:")
	}
	if strings.Contains(path, "?") {
		return fmt.Errorf("database: sqlite DSN %q: query parameters are not accepted; the pragmas are fixed", path)
	}
	return nil
}

// openSQLite opens path (or ":memory:") with fixed pragmas and a single
// connection.
func openSQLite(ctx context.Context, path string, logger *slog.Logger) (*gorm.DB, error) {
	if err := checkSQLitePath(path); err != nil {
		return nil, err
	}
	if path != ":memory:" {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return nil, fmt.Errorf("database: create directory for %s: %w", path, err)
		}
	}

	// The driver runs these on every new connection, in this order;
	// busy_timeout comes first so that switching to WAL waits for a lock
	// instead of failing.
	q := url.Values{"_pragma": {
		"busy_timeout(5000)",  // wait up to 5 s for a lock held by another process
		"journal_mode(WAL)",   // readers do not block the writer and vice versa
		"foreign_keys(1)",     // SQLite leaves FOREIGN KEY clauses unenforced by default
		"synchronous(NORMAL)", // with WAL: safe from corruption, far fewer fsyncs
	},
		// Times are written as 2006-01-02 15:04:05.999999999-07:00, as the
		// earlier driver (glebarez/go-sqlite) wrote them: files written
		// before read, compare and sort the same.
		"_time_format": {"sqlite"},
	}
	// modernc's own driver (libtnb/sqlite is only gorm's dialect for it,
	// and its init turns on modernc's strict pragmas, OFD locks and
	// fdatasync for every database of the process), with each connection's
	// compiled statements kept (stmtcache.go).
	connector, err := moderncsqlite.NewConnector(path + "?" + q.Encode())
	if err != nil {
		return nil, fmt.Errorf("database: open sqlite %s: %w", path, err)
	}
	sqlDB := sql.OpenDB(stmtCacheConnector{connector})
	// One connection, always. SQLite allows one writer at a time per file;
	// with a pool, writers on other connections spin in busy_timeout while
	// a reader or writer holds the lock, and this project measured writers
	// starving for seconds under load. With a single connection, callers
	// wait in database/sql's pool instead and are handed the connection the
	// moment it is free, without lock polling. It also keeps ":memory:"
	// one database rather than one per connection. The cost: nested use of the outer *gorm.DB inside a
	// transaction deadlocks (see the package doc).
	sqlDB.SetMaxOpenConns(1)
	sqlDB.SetMaxIdleConns(1)
	sqlDB.SetConnMaxLifetime(0) // never recycle: closing ":memory:" would lose the data
	sqlDB.SetConnMaxIdleTime(0)

	if err := sqlDB.PingContext(ctx); err != nil {
		sqlDB.Close()
		return nil, fmt.Errorf("database: open sqlite %s: %w", path, err)
	}
	db, err := gorm.Open(sqlite.Dialector{Conn: sqlDB}, gormConfig(logger))
	if err != nil {
		sqlDB.Close()
		return nil, fmt.Errorf("database: open sqlite %s: %w", path, err)
	}
	return db, nil
}
