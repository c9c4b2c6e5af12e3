package database_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/platform/database"
	"github.com/rocketmart/rocketmart/services/platform/dbtest"
)

func TestOpenSQLiteFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nested", "dir", "order.db")
	db, err := database.Open(t.Context(), "sqlite:"+path, nil)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { database.Close(db) })

	if _, err := os.Stat(path); err != nil {
		t.Errorf("database file: %v; want it created with its parent directories", err)
	}
	if got, want := database.Dialect(db), "sqlite"; got != want {
		t.Errorf("Dialect() = %q, want %q", got, want)
	}

	pragmas := []struct {
		name string
		want string
	}{
		{"journal_mode", "wal"},
		{"busy_timeout", "5000"},
		{"foreign_keys", "1"},
		{"synchronous", "1"}, // NORMAL
	}
	for _, p := range pragmas {
		var got string
		if err := db.Raw("PRAGMA " + p.name).Scan(&got).Error; err != nil {
			t.Fatalf("PRAGMA %s: %v", p.name, err)
		}
		if got != p.want {
			t.Errorf("PRAGMA %s = %q, want %q", p.name, got, p.want)
		}
	}

	sqlDB, err := db.DB()
	if err != nil {
		t.Fatalf("DB(): %v", err)
	}
	if got, want := sqlDB.Stats().MaxOpenConnections, 1; got != want {
		t.Errorf("MaxOpenConnections = %d, want %d", got, want)
	}
}

func TestOpenSQLiteMemoryIsOneDatabase(t *testing.T) {
	db, err := database.Open(t.Context(), "sqlite::memory:", nil)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { database.Close(db) })

	// With more than one connection each would have its own empty
	// in-memory database and the insert would not find the table.
	if err := db.Exec("CREATE TABLE t (id INTEGER)").Error; err != nil {
		t.Fatalf("create: %v", err)
	}
	if err := db.Exec("INSERT INTO t (id) VALUES (1)").Error; err != nil {
		t.Fatalf("insert: %v", err)
	}
}

func TestOpenBadDSN(t *testing.T) {
	tests := []struct {
		name     string
		dsn      string
		want     []string // substrings the error must contain
		mustHide string   // substring the error must not contain
	}{
		{"empty", "", []string{"sqlite:PATH", "mysql://USER"}, ""},
		{"unknown scheme hides password", "postgres://app:s3cret@db:5432/order", []string{"unsupported DSN", "sqlite:PATH", "mysql://"}, "s3cret"},
		{"bare path", "data/order.db", []string{"sqlite:PATH"}, ""},
		{"sqlite without path", "sqlite:", []string{"no path"}, ""},
		{"sqlite with params", "sqlite:x.db?_pragma=foo", []string{"query parameters"}, ""},
		{"mysql malformed", "mysql://root@127.0.0.1/x", []string{"mysql://USER[:PASS]@tcp(HOST:PORT)/DB"}, ""},
		{"mysql without database", "mysql://root@tcp(127.0.0.1:3306)/", []string{"names no database"}, ""},
		{"mysql unreachable", "mysql://root:s3cret@tcp(127.0.0.1:1)/order", []string{"unreachable", "127.0.0.1:1/order"}, "s3cret"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, err := database.Open(t.Context(), tt.dsn, nil)
			if err == nil {
				database.Close(db)
				t.Fatalf("Open(%q) error = nil, want one", tt.dsn)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			if tt.mustHide != "" && strings.Contains(err.Error(), tt.mustHide) {
				t.Errorf("error %q leaks %q", err, tt.mustHide)
			}
		})
	}
}

func TestMySQLConfig(t *testing.T) {
	tests := []struct {
		name string
		dsn  string
		want []string // substrings of the formatted DSN
		not  []string
	}{
		{"adds parseTime and charset", "root@tcp(127.0.0.1:3306)/shop", []string{"parseTime=true", "charset=utf8mb4"}, nil},
		{"keeps an explicit charset", "root@tcp(127.0.0.1:3306)/shop?charset=latin1", []string{"charset=latin1", "parseTime=true"}, []string{"utf8mb4", "interpolateParams"}},
		{"no interpolation in a charset of the DSN's choice", "root@tcp(127.0.0.1:3306)/shop?charset=big5", []string{"charset=big5"}, []string{"interpolateParams"}},
		{"no interpolation in a collation of the DSN's choice", "root@tcp(127.0.0.1:3306)/shop?collation=utf8mb4_bin", nil, []string{"interpolateParams"}},
		{"forces parseTime", "root@tcp(127.0.0.1:3306)/shop?parseTime=false", []string{"parseTime=true"}, nil},
		{"password mentioning charset", "root:charset=x@tcp(127.0.0.1:3306)/shop", []string{"charset=utf8mb4"}, nil},
		{"keeps other params", "root@tcp(127.0.0.1:3306)/shop?timeout=3s", []string{"timeout=3s", "interpolateParams=true"}, nil},
		{"interpolates parameters", "root@tcp(127.0.0.1:3306)/shop", []string{"interpolateParams=true"}, nil},
		{"keeps server-side prepares when asked", "root@tcp(127.0.0.1:3306)/shop?interpolateParams=false", nil, []string{"interpolateParams"}},
		{"password mentioning interpolateParams", "root:interpolateParams=false@tcp(127.0.0.1:3306)/shop", []string{"interpolateParams=true"}, nil},
		{"leaves out the pool sizes", "root@tcp(127.0.0.1:3306)/shop?maxOpenConns=4&timeout=3s&maxIdleConns=2", []string{"timeout=3s"}, []string{"maxOpenConns", "maxIdleConns"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := database.MySQLConfig(tt.dsn)
			if err != nil {
				t.Fatalf("MySQLConfig: %v", err)
			}
			got := cfg.FormatDSN()
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("DSN %q does not contain %q", got, w)
				}
			}
			for _, n := range tt.not {
				if strings.Contains(got, n) {
					t.Errorf("DSN %q contains %q", got, n)
				}
			}
		})
	}
}

func TestOpenHonoursContext(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	// 192.0.2.1 (TEST-NET-1) never answers; only the cancelled ctx can
	// make this return promptly.
	_, err := database.Open(ctx, "mysql://root@tcp(192.0.2.1:3306)/x", nil)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Open with cancelled ctx: error = %v, want context.Canceled", err)
	}
}

// widget is a minimal model with a UNIQUE key besides the primary key.
type widget struct {
	ID   uint   `gorm:"primaryKey"`
	SKU  string `gorm:"size:64;not null;uniqueIndex"`
	Name string `gorm:"size:64;not null"`
}

func migrated(t *testing.T, db *gorm.DB) *gorm.DB {
	t.Helper()
	if err := database.Migrate(db, &widget{}); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	return db
}

func TestDialect(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		want := strings.TrimPrefix(t.Name(), "TestDialect/")
		if got := database.Dialect(db); got != want {
			t.Errorf("Dialect() = %q, want %q", got, want)
		}
	})
}

func TestPing(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		if err := database.Ping(t.Context(), db); err != nil {
			t.Errorf("Ping: %v", err)
		}
	})
}

func TestOpenMySQLPoolSizes(t *testing.T) {
	base := dbtest.MySQLDSN(t)
	sep := "?"
	if strings.Contains(base[strings.LastIndexByte(base, '/'):], "?") {
		sep = "&"
	}
	tests := []struct {
		name     string
		params   string
		wantOpen int
	}{
		{"default", "", 10},
		{"from the DSN", sep + "maxOpenConns=3&maxIdleConns=1", 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, err := database.Open(t.Context(), base+tt.params, nil)
			if err != nil {
				t.Fatalf("Open: %v", err) // the driver would refuse unknown system variables
			}
			t.Cleanup(func() { database.Close(db) })
			sqlDB, err := db.DB()
			if err != nil {
				t.Fatal(err)
			}
			if got := sqlDB.Stats().MaxOpenConnections; got != tt.wantOpen {
				t.Errorf("MaxOpenConnections = %d, want %d", got, tt.wantOpen)
			}
		})
	}
}

// A single Create, Update or Delete runs as one statement, without the
// BEGIN and COMMIT gorm would put around it (two round trips on MySQL).
func TestSingleWritesRunWithoutATransactionOfTheirOwn(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		for name, p := range map[string]interface{ Get(string) func(*gorm.DB) }{
			"create": db.Callback().Create(), "update": db.Callback().Update(), "delete": db.Callback().Delete(),
		} {
			if p.Get("gorm:begin_transaction") != nil {
				t.Errorf("%s runs in a transaction of its own", name)
			}
		}
	})
}
