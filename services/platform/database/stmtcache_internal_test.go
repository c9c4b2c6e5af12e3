package database

import (
	"encoding/hex"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"gorm.io/gorm"
)

type cachedWidget struct {
	ID  uint      `gorm:"primaryKey"`
	SKU string    `gorm:"size:64;not null;uniqueIndex"`
	At  time.Time `gorm:"not null"`
}

// openCached opens a SQLite file with n widgets.
func openCached(t *testing.T, n int) *gorm.DB {
	t.Helper()
	db, err := Open(t.Context(), "sqlite:"+filepath.Join(t.TempDir(), "cache.db"), nil)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { Close(db) })
	if err := Migrate(db, &cachedWidget{}); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	for i := 1; i <= n; i++ {
		if err := db.Create(&cachedWidget{SKU: fmt.Sprintf("sku-%d", i), At: time.Now()}).Error; err != nil {
			t.Fatalf("insert %d: %v", i, err)
		}
	}
	return db
}

// withConn runs f on the pool's one connection, the cache's owner. It must
// not run while a transaction holds that connection.
func withConn(t *testing.T, db *gorm.DB, f func(c *cachingConn)) {
	t.Helper()
	sqlDB, err := db.DB()
	if err != nil {
		t.Fatal(err)
	}
	conn, err := sqlDB.Conn(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := conn.Raw(func(dc any) error { f(dc.(*cachingConn)); return nil }); err != nil {
		t.Fatal(err)
	}
}

func compiled(t *testing.T, db *gorm.DB) (n int) {
	withConn(t, db, func(c *cachingConn) { n = c.compiled })
	return n
}

func TestStatementCacheCompilesOnce(t *testing.T) {
	db := openCached(t, 30)
	before := compiled(t, db)
	for i := 1; i <= 30; i++ {
		var w cachedWidget
		if err := db.Where("sku = ?", fmt.Sprintf("sku-%d", i)).Take(&w).Error; err != nil {
			t.Fatalf("read sku-%d: %v", i, err)
		}
		if w.ID != uint(i) {
			t.Fatalf("sku-%d has id %d, want %d: the arguments of an earlier run stuck", i, w.ID, i)
		}
		if err := db.Model(&cachedWidget{}).Where("id = ?", i).Update("sku", fmt.Sprintf("SKU-%d", i)).Error; err != nil {
			t.Fatalf("update %d: %v", i, err)
		}
	}
	// Two statements, sixty runs: each compiled once.
	if got := compiled(t, db) - before; got != 2 {
		t.Errorf("compiled %d statements for 60 runs of 2, want 2", got)
	}
	var n int64
	if err := db.Model(&cachedWidget{}).Where("sku LIKE ?", "SKU-%").Count(&n).Error; err != nil || n != 30 {
		t.Errorf("updated rows = %d (%v), want 30", n, err)
	}
}

func TestStatementCacheSameQueryInsideItsOwnRows(t *testing.T) {
	db := openCached(t, 5)
	const q = "SELECT id FROM cached_widgets WHERE id > ? ORDER BY id"
	var outer, inner []int
	err := InTx(t.Context(), db, func(tx *gorm.DB) error {
		rows, err := tx.Raw(q, 0).Rows()
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int
			if err := rows.Scan(&id); err != nil {
				return err
			}
			outer = append(outer, id)
			// The same SQL while its rows are open: it must not reset them.
			var after []int
			if err := tx.Raw(q, id).Scan(&after).Error; err != nil {
				return err
			}
			inner = append(inner, len(after))
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(outer) != "[1 2 3 4 5]" || fmt.Sprint(inner) != "[4 3 2 1 0]" {
		t.Errorf("outer %v, inner counts %v; want [1 2 3 4 5] and [4 3 2 1 0]", outer, inner)
	}
}

func TestStatementCacheEvictsLeastRecentlyUsed(t *testing.T) {
	db := openCached(t, 3)
	err := InTx(t.Context(), db, func(tx *gorm.DB) error {
		// The oldest statement of the cache, its rows held open while the
		// cache turns over: evicted while busy, it still reads.
		rows, err := tx.Raw("SELECT sku FROM cached_widgets ORDER BY id").Rows()
		if err != nil {
			return err
		}
		defer rows.Close()
		for i := range stmtCacheSize + 20 {
			var n int
			if err := tx.Raw(fmt.Sprintf("SELECT %d", i)).Scan(&n).Error; err != nil || n != i {
				return fmt.Errorf("SELECT %d = %d, %v", i, n, err)
			}
		}
		var skus []string
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				return err
			}
			skus = append(skus, s)
		}
		if fmt.Sprint(skus) != "[sku-1 sku-2 sku-3]" {
			return fmt.Errorf("rows of the evicted statement: %v", skus)
		}
		return rows.Close()
	})
	if err != nil {
		t.Fatal(err)
	}
	withConn(t, db, func(c *cachingConn) {
		if len(c.byText) != stmtCacheSize || c.lru.Len() != stmtCacheSize {
			t.Errorf("cache holds %d (list %d), want %d", len(c.byText), c.lru.Len(), stmtCacheSize)
		}
		if _, ok := c.byText["SELECT sku FROM cached_widgets ORDER BY id"]; ok {
			t.Error("the least recently used statement is still cached")
		}
		if _, ok := c.byText[fmt.Sprintf("SELECT %d", stmtCacheSize+19)]; !ok {
			t.Error("the newest statement is not cached")
		}
	})
}

func TestStatementCacheAfterAnError(t *testing.T) {
	db := openCached(t, 1)
	err := db.Create(&cachedWidget{SKU: "sku-1", At: time.Now()}).Error
	if !IsDuplicate(err) {
		t.Fatalf("duplicate insert: %v, want a duplicate-key error", err)
	}
	// The same INSERT, compiled once, works after the failed run.
	if err := db.Create(&cachedWidget{SKU: "sku-2", At: time.Now()}).Error; err != nil {
		t.Fatalf("insert after a failed one: %v", err)
	}
}

// Times are stored as the earlier driver (glebarez/go-sqlite) stored them,
// so data files written before the driver changed read, compare and sort
// the same.
func TestSQLiteTimeFormat(t *testing.T) {
	db := openCached(t, 0)
	at := time.Date(2026, 12, 3, 7, 8, 9, 123456789, time.UTC)
	if err := db.Create(&cachedWidget{SKU: "a", At: at}).Error; err != nil {
		t.Fatal(err)
	}
	// hex: the stored text as it is (a date-shaped result would be parsed).
	var hexText string
	if err := db.Raw("SELECT hex(at) FROM cached_widgets WHERE sku = 'a'").Scan(&hexText).Error; err != nil {
		t.Fatal(err)
	}
	raw, _ := hex.DecodeString(hexText)
	if text, want := string(raw), "2026-12-03 07:08:09.123456789+00:00"; text != want {
		t.Errorf("stored %q, want %q", text, want)
	}
	// A row as the earlier driver wrote it, without a fraction.
	if err := db.Exec("INSERT INTO cached_widgets (sku, at) VALUES ('b', '2026-12-03 07:08:10+00:00')").Error; err != nil {
		t.Fatal(err)
	}
	var got []cachedWidget
	if err := db.Where("at > ?", at).Find(&got).Error; err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].SKU != "b" || !got[0].At.Equal(at.Truncate(time.Second).Add(time.Second)) {
		t.Errorf("rows after %v: %+v, want b at 07:08:10", at, got)
	}
	var back cachedWidget
	if err := db.Where("sku = ?", "a").Take(&back).Error; err != nil || !back.At.Equal(at) {
		t.Errorf("read back %v (%v), want %v", back.At, err, at)
	}
}
