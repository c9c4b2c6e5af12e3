package database

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"gorm.io/gorm"
)

// defaultConnectTimeout bounds the first ping when the caller's ctx has no
// deadline, so a service pointed at an unreachable host fails at start-up
// instead of hanging.
const defaultConnectTimeout = 10 * time.Second

// Open connects to the database named by dsn (see the package doc for the
// accepted forms), checks that it answers within ctx's deadline, and returns
// a gorm handle whose logger writes to logger (nil discards).
func Open(ctx context.Context, dsn string, logger *slog.Logger) (*gorm.DB, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, defaultConnectTimeout)
		defer cancel()
	}
	switch {
	case strings.HasPrefix(dsn, "sqlite:"):
		return openSQLite(ctx, strings.TrimPrefix(dsn, "sqlite:"), logger)
	case strings.HasPrefix(dsn, "mysql://"):
		return openMySQL(ctx, strings.TrimPrefix(dsn, "mysql://"), logger)
	default:
		return nil, CheckDSN(dsn)
	}
}

// CheckDSN validates dsn the way Open reads it, without connecting, so a
// program can refuse a bad setting at start-up with a clear message. The
// error never contains the password.
func CheckDSN(dsn string) error {
	switch {
	case strings.HasPrefix(dsn, "sqlite:"):
		return checkSQLitePath(strings.TrimPrefix(dsn, "sqlite:"))
	case strings.HasPrefix(dsn, "mysql://"):
		_, err := MySQLConfig(strings.TrimPrefix(dsn, "mysql://"))
		return err
	default:
		return fmt.Errorf("database: unsupported DSN %q: want sqlite:PATH, sqlite::memory: or mysql://USER[:PASS]@tcp(HOST:PORT)/DB?params", Redact(dsn))
	}
}

// Redact hides everything between a scheme and '@' so that a DSN can be
// logged or echoed in an error without leaking its password.
func Redact(dsn string) string {
	at := strings.LastIndex(dsn, "@")
	if at < 0 {
		return dsn
	}
	start := strings.Index(dsn, "://")
	if start < 0 || start > at {
		return "***" + dsn[at:]
	}
	return dsn[:start+3] + "***" + dsn[at:]
}

// gormConfig is shared by both dialects.
func gormConfig(logger *slog.Logger) *gorm.Config {
	return &gorm.Config{
		Logger: newGormLogger(logger),
		// UTC keeps stored times comparable across hosts and dialects.
		NowFunc: func() time.Time { return time.Now().UTC() },
		// We ping ourselves with the caller's ctx; gorm's ping has no deadline.
		DisableAutomaticPing: true,
		// TranslateError would replace driver errors with gorm sentinels and
		// lose the cause; MapError recognises driver errors itself.
		TranslateError: false,
		// gorm would wrap every single Create, Update and Delete in a
		// transaction of its own: BEGIN and COMMIT around one statement,
		// two more round trips on MySQL. A single statement is atomic by
		// itself; everything that writes more than one runs in InTx, and no
		// model has associations or hooks that would write behind it.
		SkipDefaultTransaction: true,
	}
}

// Dialect returns "sqlite" or "mysql", for the rare query that must differ
// between the two (for example an upsert or a row lock).
func Dialect(db *gorm.DB) string {
	return db.Dialector.Name()
}

// Ping checks that the database answers; meant for a /readyz check.
func Ping(ctx context.Context, db *gorm.DB) error {
	sqlDB, err := db.DB()
	if err != nil {
		return fmt.Errorf("database: ping: %w", err)
	}
	if err := sqlDB.PingContext(ctx); err != nil {
		return fmt.Errorf("database: ping: %w", err)
	}
	return nil
}

// Close closes the connection pool behind db.
func Close(db *gorm.DB) error {
	sqlDB, err := db.DB()
	if err != nil {
		return fmt.Errorf("database: close: %w", err)
	}
	if err := sqlDB.Close(); err != nil {
		return fmt.Errorf("database: close: %w", err)
	}
	return nil
}
