// Package dbtest gives tests real databases: a fresh SQLite file always, and
// a fresh MySQL/MariaDB schema when TEST_MYSQL_DSN is set, so one test body
// can be run against both dialects with Each.
//
// Every database is opened through database.Open, so tests exercise the same
// pragmas, pool settings and error mapping as the services.
package dbtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/platform/database"
)

// EnvMySQLDSN names the variable holding a go-sql-driver DSN of a MySQL or
// MariaDB server the tests may create and drop schemas on, for example
// root@tcp(127.0.0.1:3306)/test?parseTime=true. The database it names is
// only used to connect; each test gets its own schema.
const EnvMySQLDSN = "TEST_MYSQL_DSN"

// cleanupTimeout bounds dropping a schema after a test; t.Context() is
// already cancelled when cleanups run.
const cleanupTimeout = 30 * time.Second

// SQLite returns a fresh SQLite database in a file under t.TempDir(),
// closed when the test ends.
func SQLite(t testing.TB) *gorm.DB {
	t.Helper()
	path := filepath.Join(t.TempDir(), "test.db")
	db, err := database.Open(t.Context(), "sqlite:"+path, testLogger(t))
	if err != nil {
		t.Fatalf("dbtest: %v", err)
	}
	t.Cleanup(func() {
		if err := database.Close(db); err != nil {
			t.Errorf("dbtest: %v", err)
		}
	})
	return db
}

// MySQL returns a fresh, empty schema on the server named by TEST_MYSQL_DSN,
// dropped when the test ends. Each call creates its own schema, named
// t_<package>_<8 hex>, so tests never see each other's rows and may run in
// parallel.
//
// Without TEST_MYSQL_DSN the test is skipped, except in CI (CI=true), where
// it fails: a suite that silently skipped MySQL would pass without testing it.
func MySQL(t testing.TB) *gorm.DB {
	t.Helper()
	db, err := database.Open(t.Context(), MySQLDSN(t), testLogger(t))
	if err != nil {
		t.Fatalf("dbtest: %v", err)
	}
	t.Cleanup(func() {
		if err := database.Close(db); err != nil {
			t.Errorf("dbtest: %v", err)
		}
	})
	return db
}

// MySQLDSN creates a fresh schema like MySQL but returns its DSN in the form
// database.Open accepts ("mysql://..."), for tests that start a program with
// its own connection. The schema is dropped when the test ends.
func MySQLDSN(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv(EnvMySQLDSN)
	if dsn == "" {
		if inCI() {
			t.Fatalf("dbtest: %s is not set but CI=%s: CI must run the MySQL tests; set it to a DSN such as root@tcp(127.0.0.1:3306)/test?parseTime=true", EnvMySQLDSN, os.Getenv("CI"))
		}
		t.Skipf("dbtest: %s is not set; set it (e.g. root@tcp(127.0.0.1:3306)/test?parseTime=true) to run against MySQL/MariaDB", EnvMySQLDSN)
	}
	cfg, err := database.MySQLConfig(dsn)
	if err != nil {
		t.Fatalf("dbtest: %s: %v", EnvMySQLDSN, err)
	}

	schema, err := schemaName()
	if err != nil {
		t.Fatalf("dbtest: %v", err)
	}
	admin, err := adminConn(t.Context(), cfg)
	if err != nil {
		t.Fatalf("dbtest: %v", err)
	}
	t.Cleanup(func() {
		defer admin.Close()
		ctx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
		defer cancel()
		if _, err := admin.ExecContext(ctx, "DROP DATABASE IF EXISTS `"+schema+"`"); err != nil {
			t.Errorf("dbtest: drop schema %s: %v", schema, err)
		}
	})
	if _, err := admin.ExecContext(t.Context(), "CREATE DATABASE `"+schema+"` CHARACTER SET utf8mb4"); err != nil {
		t.Fatalf("dbtest: create schema %s: %v", schema, err)
	}
	cfg = cfg.Clone()
	cfg.DBName = schema
	return "mysql://" + cfg.FormatDSN()
}

// SQLiteDSN returns the DSN of a fresh SQLite file in the test's temporary
// directory, for tests that start a program with its own connection.
func SQLiteDSN(t testing.TB) string {
	return "sqlite:" + filepath.Join(t.TempDir(), "test.db")
}

// EachDSN runs fn once with a fresh SQLite DSN and once with a fresh MySQL
// schema's DSN (skipped without TEST_MYSQL_DSN, failing under CI).
func EachDSN(t *testing.T, fn func(t *testing.T, dsn string)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLiteDSN(t)) })
	t.Run("mysql", func(t *testing.T) { fn(t, MySQLDSN(t)) })
}

func Each(t *testing.T, fn func(t *testing.T, db *gorm.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t)) })
	t.Run("mysql", func(t *testing.T) { fn(t, MySQL(t)) })
}

// inCI reports whether the CI variable is set to a true value, as GitHub
// Actions, GitLab and most other CI systems do.
func inCI() bool {
	ci, err := strconv.ParseBool(os.Getenv("CI"))
	return err == nil && ci
}

// adminConn connects to the database the DSN names, only to create and drop
// test schemas.
func adminConn(ctx context.Context, cfg *mysql.Config) (*sql.DB, error) {
	connector, err := mysql.NewConnector(cfg)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", EnvMySQLDSN, err)
	}
	admin := sql.OpenDB(connector)
	if err := admin.PingContext(ctx); err != nil {
		admin.Close()
		return nil, fmt.Errorf("mysql at %s (from %s) is unreachable: %w", cfg.Addr, EnvMySQLDSN, err)
	}
	return admin, nil
}

// schemaName builds t_<package>_<8 hex>. go test runs in the package's
// directory, so its base name identifies the package; the suffix keeps
// concurrent tests and packages apart. MySQL allows 64 characters.
func schemaName() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("schema name: %w", err)
	}
	var pkg strings.Builder
	for _, r := range strings.ToLower(filepath.Base(wd)) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') || r == '_' {
			pkg.WriteRune(r)
		}
		if pkg.Len() == 40 {
			break
		}
	}
	suffix := make([]byte, 4)
	if _, err := rand.Read(suffix); err != nil {
		return "", fmt.Errorf("schema name: %w", err)
	}
	return "t_" + pkg.String() + "_" + hex.EncodeToString(suffix), nil
}

// testLogger sends database warnings (slow or failed SQL) to the test's
// output, where they show next to the failure they explain.
func testLogger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
}
