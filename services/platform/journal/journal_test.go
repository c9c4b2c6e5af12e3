package journal_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/platform/database"
	"github.com/rocketmart/rocketmart/services/platform/dbtest"
	"github.com/rocketmart/rocketmart/services/platform/journal"
	"github.com/rocketmart/rocketmart/services/platform/testkit"
)

func open(t *testing.T, db *gorm.DB, r journal.Retention) (*journal.Journal, *testkit.LogBuffer) {
	t.Helper()
	if err := journal.Migrate(db); err != nil {
		t.Fatal(err)
	}
	logs := &testkit.LogBuffer{}
	log := slog.New(slog.NewJSONHandler(logs, nil))
	j := journal.New(db, journal.Config{Actor: "order", Instance: "127.0.0.1:8081", Log: log, Retention: r})
	t.Cleanup(j.Close) // before the database closes: cleanups run last first
	return j, logs
}

func steps(entries []journal.Entry) []string {
	var out []string
	for _, e := range entries {
		out = append(out, e.Step+"/"+e.Outcome)
	}
	return out
}

// ByKey returns one key's entries oldest first, whatever the order they
// were written in, stamped with the journal's actor and instance, with the
// times the database gave back equal to those written (to the microsecond).
func TestRecordAndByKey(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		j, _ := open(t, db, journal.Retention{})
		ctx := t.Context()
		t0 := time.Date(2026, 12, 3, 7, 0, 0, 123456789, time.UTC)
		written := []journal.Entry{
			{At: t0.Add(2 * time.Millisecond), Key: "RM-1", Step: journal.StepEndTransaction, TxID: "tx1", Outcome: "commit"},
			{At: t0, Key: "RM-1", Step: journal.StepHalfSent, Topic: "ORDER_PAID", MsgID: "m1", TxID: "tx1"},
			{At: t0.Add(time.Millisecond), Key: "RM-1", Step: journal.StepLocalTransaction, TxID: "tx1", Outcome: "commit"},
			{At: t0, Key: "RM-2", Step: journal.StepHalfSent, Actor: "someone else", Instance: "elsewhere"},
			{Step: journal.StepConsumed, Detail: "no key: not written"},
		}
		for _, e := range written {
			j.Record(ctx, e)
		}
		got, err := j.ByKey(ctx, "RM-1")
		if err != nil {
			t.Fatal(err)
		}
		if want := "half-sent/ local-transaction/commit end-transaction/commit"; strings.Join(steps(got), " ") != want {
			t.Fatalf("steps %q, want %q", steps(got), want)
		}
		want := journal.Entry{At: t0.Truncate(time.Microsecond), Actor: "order", Instance: "127.0.0.1:8081", Step: "half-sent",
			Key: "RM-1", Topic: "ORDER_PAID", MsgID: "m1", TxID: "tx1"}
		if got[0] != want {
			t.Errorf("got %+v\nwant %+v", got[0], want)
		}
		other, err := j.ByKey(ctx, "RM-2")
		if err != nil || len(other) != 1 || other[0].Actor != "order" || other[0].Instance != "127.0.0.1:8081" {
			t.Errorf("RM-2: %+v (%v); want one entry stamped with the journal's actor and instance", other, err)
		}
		if none, err := j.ByKey(ctx, "RM-3"); err != nil || len(none) != 0 {
			t.Errorf("RM-3: %+v (%v), want none", none, err)
		}
		var n int64
		db.Table("journal_entries").Count(&n)
		if n != 4 {
			t.Errorf("%d rows, want 4 (the entry without a key is not written)", n)
		}
	})
}

// Texts too long for their column are clipped, invalid UTF-8 replaced: the
// entry is written, not refused.
func TestRecordClipsLongTexts(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		j, logs := open(t, db, journal.Retention{})
		j.Record(t.Context(), journal.Entry{Key: "RM-1", Step: journal.StepConsumed, Group: strings.Repeat("g", 300),
			Detail: strings.Repeat("é", 2000) + "\xff"})
		got, err := j.ByKey(t.Context(), "RM-1")
		if err != nil || len(got) != 1 {
			t.Fatalf("%+v (%v); logs: %s", got, err, logs)
		}
		if n := utf8.RuneCountInString(got[0].Detail); n != 500 || !strings.HasSuffix(got[0].Detail, "…") || !utf8.ValidString(got[0].Detail) {
			t.Errorf("detail of %d characters, valid UTF-8 %v: %q…", n, utf8.ValidString(got[0].Detail), got[0].Detail[:20])
		}
		if len(got[0].Group) > 128*3 || utf8.RuneCountInString(got[0].Group) != 128 {
			t.Errorf("group of %d characters, want 128", utf8.RuneCountInString(got[0].Group))
		}
	})
}

// The sweep deletes entries past the age, and beyond the newest MaxEntries.
func TestSweep(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		j, _ := open(t, db, journal.Retention{MaxAge: time.Hour, MaxEntries: 5})
		ctx := t.Context()
		now := time.Now()
		j.Record(ctx, journal.Entry{At: now.Add(-2 * time.Hour), Key: "old", Step: journal.StepConsumed})
		j.Record(ctx, journal.Entry{At: now.Add(-61 * time.Minute), Key: "old", Step: journal.StepConsumed})
		for i := range 7 {
			j.Record(ctx, journal.Entry{At: now.Add(time.Duration(i) * time.Millisecond), Key: "new", Step: journal.StepConsumed, Attempt: i + 1})
		}
		// Record only queues; ByKey waits for the writer, so the sweep
		// finds every entry written.
		if all, err := j.ByKey(ctx, "new"); err != nil || len(all) != 7 {
			t.Fatalf("%d entries (%v) before the sweep, want 7", len(all), err)
		}
		deleted, err := j.Sweep(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if deleted != 4 {
			t.Errorf("deleted %d, want 4 (2 old, 2 beyond the newest 5)", deleted)
		}
		if old, _ := j.ByKey(ctx, "old"); len(old) != 0 {
			t.Errorf("old entries kept: %+v", old)
		}
		kept, _ := j.ByKey(ctx, "new")
		var attempts []int
		for _, e := range kept {
			attempts = append(attempts, e.Attempt)
		}
		if fmt.Sprint(attempts) != "[3 4 5 6 7]" {
			t.Errorf("kept attempts %v, want the newest five [3 4 5 6 7]", attempts)
		}
		if deleted, err := j.Sweep(ctx); deleted != 0 || err != nil {
			t.Errorf("a second sweep deleted %d (%v), want 0", deleted, err)
		}
	})
}

// A database that fails does not fail Record's caller: Record returns
// promptly and the writer logs the loss.
func TestRecordOnAFailedDatabase(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		j, logs := open(t, db, journal.Retention{})
		if err := database.Close(db); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		j.Record(t.Context(), journal.Entry{Key: "RM-1", Step: journal.StepHalfSent})
		if took := time.Since(start); took > journal.WriteTimeout {
			t.Errorf("Record took %v on a closed database", took)
		}
		testkit.Eventually(t, 5*time.Second, "the lost entry logged", func() bool {
			return strings.Contains(logs.String(), `"msg":"journal entries not recorded"`) && strings.Contains(logs.String(), `"keys":["RM-1"]`)
		})
	})
}

// business is a table standing in for a service's own.
type business struct {
	ID int `gorm:"primaryKey"`
}

// Breaking the rule — Record inside an open transaction — no longer holds
// the transaction up, on SQLite's one connection either: Record only queues
// the entry. But the entry is written whatever becomes of the transaction,
// so one recorded inside a transaction that rolls back describes work that
// never happened: the reason the rule stands.
func TestRecordInsideATransaction(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		j, logs := open(t, db, journal.Retention{})
		if err := database.Migrate(db, &business{}); err != nil {
			t.Fatal(err)
		}
		errRolledBack := errors.New("rolled back")
		done := make(chan error, 1)
		start := time.Now()
		go func() {
			done <- database.InTx(t.Context(), db, func(tx *gorm.DB) error {
				if err := tx.Create(&business{ID: 1}).Error; err != nil {
					return err
				}
				j.Record(t.Context(), journal.Entry{Key: "RM-1", Step: journal.StepLocalTransaction})
				return errRolledBack
			})
		}()
		select {
		case err := <-done:
			if !errors.Is(err, errRolledBack) {
				t.Fatalf("the transaction returned %v, want it rolled back", err)
			}
		case <-time.After(journal.WriteTimeout + 5*time.Second):
			t.Fatal("deadlock: the transaction is still waiting for Record")
		}
		// Before, on SQLite, Record waited WriteTimeout for the connection
		// the transaction held.
		if took := time.Since(start); took >= journal.WriteTimeout {
			t.Errorf("the transaction took %v: Record held it up", took)
		}
		var n int64
		if err := db.Model(&business{}).Count(&n).Error; err != nil || n != 0 {
			t.Errorf("business rows %d (%v), want the transaction rolled back", n, err)
		}
		if entries, err := j.ByKey(t.Context(), "RM-1"); err != nil || len(entries) != 1 {
			t.Errorf("entries %+v (%v), logs %s; want the entry written all the same", entries, err, logs)
		}
	})
}

// Records made beside business transactions, as txmsg and mq make them
// (after each transaction returned), all land and hold no transaction up,
// on SQLite's single connection too.
func TestConcurrentRecordsBesideTransactions(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		j, logs := open(t, db, journal.Retention{})
		if err := database.Migrate(db, &business{}); err != nil {
			t.Fatal(err)
		}
		const n = 40
		finished := make(chan []error, 1)
		go func() {
			finished <- testkit.Concurrently(n, func(i int) error {
				ctx := context.Background()
				j.Record(ctx, journal.Entry{Key: "RM-1", Step: journal.StepHalfSent, Attempt: i + 1})
				err := database.InTx(ctx, db, func(tx *gorm.DB) error { return tx.Create(&business{ID: i + 1}).Error })
				j.Record(ctx, journal.Entry{Key: "RM-1", Step: journal.StepLocalTransaction, Attempt: i + 1})
				return err
			})
		}()
		var errs []error
		select {
		case errs = <-finished:
		case <-time.After(30 * time.Second):
			t.Fatal("records and transactions still running after 30 s")
		}
		for i, err := range errs {
			if err != nil {
				t.Errorf("transaction %d: %v", i, err)
			}
		}
		entries, err := j.ByKey(t.Context(), "RM-1")
		if err != nil || len(entries) != 2*n {
			t.Errorf("%d entries (%v), want %d; logs: %s", len(entries), err, 2*n, logs)
		}
	})
}

// An Entry's JSON is the contract's: fixed-width UTC time, empty fields left
// out.
func TestEntryJSON(t *testing.T) {
	at := time.Date(2026, 12, 3, 8, 0, 0, 0, time.FixedZone("CET", 3600))
	b, err := journal.Entry{At: at, Actor: "points", Step: "consumed", Key: "RM-1", Group: "points-order-paid", Attempt: 2, Outcome: "processed"}.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	want := `{"at":"2026-12-03T07:00:00.000000Z","actor":"points","step":"consumed","key":"RM-1","group":"points-order-paid","attempt":2,"outcome":"processed"}`
	if string(b) != want {
		t.Errorf("got  %s\nwant %s", b, want)
	}
}

func TestRetentionString(t *testing.T) {
	if got, want := journal.DefaultRetention.String(), "24 h, at most 100000 entries, in this service's database"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
