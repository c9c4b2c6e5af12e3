package journal

import (
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/platform/dbtest"
)

// The sweep deletes more than one batch, and keeps exactly the newest.
func TestSweepInBatches(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		if err := Migrate(db); err != nil {
			t.Fatal(err)
		}
		j := New(db, Config{Actor: "order", Retention: Retention{MaxAge: time.Hour, MaxEntries: 100}})
		t.Cleanup(j.Close)
		const n = 2*sweepBatch + 300
		rows := make([]row, n)
		now := time.Now().UTC()
		for i := range rows {
			rows[i] = toRow(Entry{At: now, Key: "RM-1", Step: StepConsumed, Attempt: i + 1})
		}
		if err := db.CreateInBatches(rows, 500).Error; err != nil {
			t.Fatal(err)
		}
		deleted, err := j.Sweep(t.Context())
		if err != nil || deleted != n-100 {
			t.Fatalf("deleted %d (%v), want %d", deleted, err, n-100)
		}
		var left []int
		if err := db.Model(&row{}).Order("id").Pluck("attempt", &left).Error; err != nil {
			t.Fatal(err)
		}
		if len(left) != 100 || left[0] != n-99 || left[99] != n {
			t.Errorf("kept %d rows, attempts %d..%d; want the newest 100, %d..%d", len(left), left[0], left[len(left)-1], n-99, n)
		}
	})
}
