package journal

import (
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/platform/dbtest"
	"github.com/rocketmart/rocketmart/services/platform/testkit"
)

// gate holds the writer before its first INSERT until opened, and
// remembers every batch's size.
type gate struct {
	held          chan struct{} // closed when the writer is held
	open          chan struct{}
	hold, release func()
	mu            sync.Mutex
	sizes         []int
}

func newGate() *gate {
	g := &gate{held: make(chan struct{}), open: make(chan struct{})}
	g.hold = sync.OnceFunc(func() { close(g.held) })
	g.release = sync.OnceFunc(func() { close(g.open) })
	return g
}

func (g *gate) beforeWrite(rows int) {
	g.mu.Lock()
	g.sizes = append(g.sizes, rows)
	g.mu.Unlock()
	g.hold()
	<-g.open
}

func (g *gate) batches() []int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]int(nil), g.sizes...)
}

// setup migrates db and returns a journal tuned by tune (zero fields: the
// defaults), its log, and a count of the INSERT statements on
// journal_entries.
func setup(t *testing.T, db *gorm.DB, tune tuning) (*Journal, *testkit.LogBuffer, *atomic.Int64) {
	t.Helper()
	if err := Migrate(db); err != nil {
		t.Fatal(err)
	}
	var inserts atomic.Int64
	err := db.Callback().Create().After("gorm:create").Register("journal_test:count", func(tx *gorm.DB) {
		if tx.Statement.Table == "journal_entries" && tx.Error == nil {
			inserts.Add(1)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if tune.queue == 0 {
		tune.queue = queueCap
	}
	if tune.batch == 0 {
		tune.batch = batchCap
	}
	if tune.flushWait == 0 {
		tune.flushWait = flushWait
	}
	logs := &testkit.LogBuffer{}
	j := newJournal(db, Config{Actor: "order", Instance: "127.0.0.1:8081", Log: slog.New(slog.NewJSONHandler(logs, nil))}, tune)
	t.Cleanup(j.Close)
	return j, logs, &inserts
}

func count(t *testing.T, db *gorm.DB) int64 {
	t.Helper()
	var n int64
	if err := db.Model(&row{}).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// Many concurrent Records are all seen by the ByKey that follows them, in
// At order, and were written in fewer statements than entries.
func TestConcurrentRecordsBatched(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		j, logs, inserts := setup(t, db, tuning{})
		const writers, each = 50, 40
		t0 := time.Now().Add(-time.Minute)
		errs := testkit.Concurrently(writers, func(i int) error {
			for k := each; k > 0; k-- { // newest first: ByKey must sort
				j.Record(t.Context(), Entry{At: t0.Add(time.Duration(k) * time.Millisecond), Key: fmt.Sprintf("RM-%d", i),
					Step: StepConsumed, Attempt: k})
			}
			return nil
		})
		for _, err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		for i := range writers {
			got, err := j.ByKey(t.Context(), fmt.Sprintf("RM-%d", i))
			if err != nil {
				t.Fatal(err)
			}
			var attempts []int
			for _, e := range got {
				attempts = append(attempts, e.Attempt)
			}
			want := make([]int, each)
			for k := range want {
				want[k] = k + 1
			}
			if fmt.Sprint(attempts) != fmt.Sprint(want) {
				t.Fatalf("RM-%d: attempts %v, want %v; logs: %s", i, attempts, want, logs)
			}
		}
		if n := inserts.Load(); n >= writers*each || n == 0 {
			t.Errorf("%d INSERT statements for %d entries, want fewer (batched)", n, writers*each)
		} else {
			t.Logf("%d entries in %d INSERT statements", writers*each, n)
		}
	})
}

// Entries queued while an INSERT runs go in the next one, at most batch at
// a time: with the writer held, 1 + 450 Records are 4 statements.
func TestBatchesWhileTheWriterIsBusy(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		g := newGate()
		j, _, inserts := setup(t, db, tuning{beforeWrite: g.beforeWrite})
		j.Record(t.Context(), Entry{Key: "RM-0", Step: StepHalfSent})
		<-g.held
		for i := range 450 {
			j.Record(t.Context(), Entry{Key: "RM-1", Step: StepConsumed, Attempt: i + 1})
		}
		g.release()
		got, err := j.ByKey(t.Context(), "RM-1")
		if err != nil || len(got) != 450 {
			t.Fatalf("%d entries (%v), want 450", len(got), err)
		}
		if sizes := fmt.Sprint(g.batches()); sizes != "[1 200 200 50]" {
			t.Errorf("batches %s, want [1 200 200 50]", sizes)
		}
		if n := inserts.Load(); n != 4 {
			t.Errorf("%d INSERT statements, want 4", n)
		}
	})
}

// ByKey waits for the entries queued before it, but not for ever: with the
// writer stuck it reads what is there after flushWait.
func TestByKeyWaitsForTheWriterBriefly(t *testing.T) {
	db := dbtest.SQLite(t)
	g := newGate()
	j, _, _ := setup(t, db, tuning{beforeWrite: g.beforeWrite, flushWait: 50 * time.Millisecond})
	t.Cleanup(g.release) // before Close: cleanups run last first
	j.Record(t.Context(), Entry{Key: "RM-1", Step: StepHalfSent})
	<-g.held
	start := time.Now()
	got, err := j.ByKey(t.Context(), "RM-1")
	if err != nil || len(got) != 0 {
		t.Errorf("%+v (%v), want nothing yet", got, err)
	}
	if took := time.Since(start); took < 50*time.Millisecond || took > 10*time.Second {
		t.Errorf("ByKey returned after %v with the writer stuck, want after flushWait (50ms)", took)
	}
}

// Close writes what is queued before it returns; Records after it are
// dropped, logged, and neither block nor panic; closing again, or a nil
// journal, does nothing.
func TestCloseFlushes(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		g := newGate()
		j, logs, _ := setup(t, db, tuning{beforeWrite: g.beforeWrite})
		for i := range 300 {
			j.Record(t.Context(), Entry{Key: "RM-1", Step: StepConsumed, Attempt: i + 1})
		}
		<-g.held
		closed := make(chan struct{})
		go func() { j.Close(); close(closed) }()
		testkit.Eventually(t, 5*time.Second, "Close marks the journal closed", func() bool {
			j.q.mu.Lock()
			defer j.q.mu.Unlock()
			return j.q.closed
		})
		g.release()
		select {
		case <-closed:
		case <-time.After(10 * time.Second):
			t.Fatal("Close did not return")
		}
		if n := count(t, db); n != 300 {
			t.Errorf("%d rows after Close, want 300", n)
		}

		done := make(chan struct{})
		go func() {
			j.Record(t.Context(), Entry{Key: "RM-2", Step: StepHalfSent})
			j.Close()
			close(done)
		}()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatal("Record or a second Close blocked after Close")
		}
		if n := count(t, db); n != 300 {
			t.Errorf("%d rows, want 300: a Record after Close was written", n)
		}
		if !strings.Contains(logs.String(), `"reason":"journal closed"`) {
			t.Errorf("the entry recorded after Close was not logged: %s", logs)
		}
		var none *Journal
		none.Record(t.Context(), Entry{Key: "RM-3", Step: StepHalfSent})
		none.Close()
		if got, err := none.ByKey(t.Context(), "RM-3"); got != nil || err != nil {
			t.Errorf("nil journal found %+v (%v)", got, err)
		}
	})
}

// A full queue drops the entry at once, and a flood of drops is one log
// line; what was queued is still written.
func TestFullQueueDrops(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		g := newGate()
		j, logs, _ := setup(t, db, tuning{queue: 5, beforeWrite: g.beforeWrite})
		t.Cleanup(g.release)
		j.Record(t.Context(), Entry{Key: "RM-1", Step: StepHalfSent})
		<-g.held // the writer holds that one; 5 more fit
		done := make(chan struct{})
		go func() {
			for i := range 10 {
				j.Record(t.Context(), Entry{Key: "RM-1", Step: StepConsumed, Attempt: i + 1})
			}
			close(done)
		}()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatal("Record blocked on a full queue")
		}
		if lines := strings.Count(logs.String(), `"msg":"journal entries dropped"`); lines != 1 || !strings.Contains(logs.String(), `"reason":"queue full"`) {
			t.Errorf("%d drop reports, want 1 saying queue full: %s", lines, logs)
		}
		g.release()
		got, err := j.ByKey(t.Context(), "RM-1")
		if err != nil || len(got) != 6 {
			t.Errorf("%d entries (%v), want the 6 that fitted", len(got), err)
		}
	})
}

// A failed INSERT costs its batch, logged; the writer goes on with the
// next entries.
func TestFailedWriteIsDroppedAndTheWriterGoesOn(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		j, logs, _ := setup(t, db, tuning{})
		if err := db.Migrator().DropTable(&row{}); err != nil {
			t.Fatal(err)
		}
		j.Record(t.Context(), Entry{Key: "RM-LOST", Step: StepHalfSent})
		testkit.Eventually(t, 5*time.Second, "the failed write logged", func() bool {
			return strings.Contains(logs.String(), `"msg":"journal entries not recorded"`) && strings.Contains(logs.String(), `"keys":["RM-LOST"]`)
		})
		if err := Migrate(db); err != nil {
			t.Fatal(err)
		}
		j.Record(t.Context(), Entry{Key: "RM-1", Step: StepHalfSent})
		if got, err := j.ByKey(t.Context(), "RM-1"); err != nil || len(got) != 1 {
			t.Errorf("%+v (%v), want the entry after the failure written; logs: %s", got, err, logs)
		}
	})
}
