package dbtest_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"
	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/platform/database"
	"github.com/rocketmart/rocketmart/services/platform/dbtest"
)

func TestSQLiteIsFresh(t *testing.T) {
	first := dbtest.SQLite(t)
	if err := first.Exec("CREATE TABLE marker (id INTEGER)").Error; err != nil {
		t.Fatalf("create table: %v", err)
	}
	second := dbtest.SQLite(t)

	if got, want := database.Dialect(second), "sqlite"; got != want {
		t.Errorf("Dialect() = %q, want %q", got, want)
	}
	if second.Migrator().HasTable("marker") {
		t.Errorf("second database sees the first one's table; want a fresh database per call")
	}
}

// fakeTB records Skipf and Fatalf instead of acting on the real test. Like
// the real ones, they end the calling goroutine, so the code under test must
// run in a goroutine of its own.
type fakeTB struct {
	testing.TB
	skipped, failed bool
	msg             string
}

func (f *fakeTB) Skipf(format string, args ...any) {
	f.skipped, f.msg = true, fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func (f *fakeTB) Fatalf(format string, args ...any) {
	f.failed, f.msg = true, fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func TestMySQLWithoutDSN(t *testing.T) {
	tests := []struct {
		name        string
		ci          string
		wantSkipped bool
		wantFailed  bool
	}{
		{"locally it skips", "", true, false},
		{"CI=false skips", "false", true, false},
		{"in CI it fails", "true", false, true},
		{"CI=1 fails", "1", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(dbtest.EnvMySQLDSN, "")
			t.Setenv("CI", tt.ci)
			fake := &fakeTB{TB: t}

			done := make(chan struct{})
			go func() {
				defer close(done)
				dbtest.MySQL(fake)
			}()
			<-done

			if fake.skipped != tt.wantSkipped || fake.failed != tt.wantFailed {
				t.Errorf("skipped, failed = %v, %v; want %v, %v (message %q)", fake.skipped, fake.failed, tt.wantSkipped, tt.wantFailed, fake.msg)
			}
			if !strings.Contains(fake.msg, dbtest.EnvMySQLDSN) {
				t.Errorf("message %q does not name %s", fake.msg, dbtest.EnvMySQLDSN)
			}
		})
	}
}

func TestMySQLSchemaIsFreshAndDropped(t *testing.T) {
	var schema string
	t.Run("use", func(t *testing.T) {
		db := dbtest.MySQL(t)
		if err := db.Raw("SELECT DATABASE()").Scan(&schema).Error; err != nil {
			t.Fatalf("select database: %v", err)
		}
		if !strings.HasPrefix(schema, "t_dbtest_") {
			t.Errorf("schema = %q, want prefix t_dbtest_", schema)
		}
		tables, err := db.Migrator().GetTables()
		if err != nil {
			t.Fatalf("list tables: %v", err)
		}
		if len(tables) != 0 {
			t.Errorf("tables = %v, want none in a fresh schema", tables)
		}
	})
	if schema == "" {
		t.Skip("no MySQL schema was created (see the subtest)")
	}

	// The subtest's cleanups have run: the schema must be gone.
	admin := openAdmin(t)
	var n int
	err := admin.QueryRowContext(t.Context(),
		"SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = ?", schema).Scan(&n)
	if err != nil {
		t.Fatalf("query schemata: %v", err)
	}
	if n != 0 {
		t.Errorf("schema %s still exists after the test; want it dropped", schema)
	}
}

func TestEachRunsBothDialects(t *testing.T) {
	var ran []string
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ran = append(ran, database.Dialect(db))
	})

	want := []string{"sqlite"}
	if os.Getenv(dbtest.EnvMySQLDSN) != "" {
		want = append(want, "mysql")
	}
	if got := strings.Join(ran, ","); got != strings.Join(want, ",") {
		t.Errorf("ran on %q, want %q", got, strings.Join(want, ","))
	}
}

func openAdmin(t *testing.T) *sql.DB {
	t.Helper()
	cfg, err := mysql.ParseDSN(os.Getenv(dbtest.EnvMySQLDSN))
	if err != nil {
		t.Fatalf("parse DSN: %v", err)
	}
	connector, err := mysql.NewConnector(cfg)
	if err != nil {
		t.Fatalf("connector: %v", err)
	}
	admin := sql.OpenDB(connector)
	t.Cleanup(func() { admin.Close() })
	if err := admin.PingContext(context.Background()); err != nil {
		t.Fatalf("ping: %v", err)
	}
	return admin
}
