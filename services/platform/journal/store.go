package journal

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/rocketmart/rocketmart/services/platform/database"
)

// row is an Entry in journal_entries. Every text column is bounded, and
// toRow clips a longer value instead of failing the write. The index on
// (key, at) answers ByKey; the one on at, the age sweep.
type row struct {
	ID       uint64    `gorm:"column:id;primaryKey;autoIncrement"`
	At       time.Time `gorm:"column:at;not null;precision:6;index:idx_journal_entries_at;index:idx_journal_entries_key_at,priority:2"`
	Key      string    `gorm:"column:key;size:128;not null;index:idx_journal_entries_key_at,priority:1"`
	Actor    string    `gorm:"column:actor;size:32;not null"`
	Instance string    `gorm:"column:instance;size:128;not null"`
	Step     string    `gorm:"column:step;size:32;not null"`
	Topic    string    `gorm:"column:topic;size:128;not null"`
	MsgID    string    `gorm:"column:msg_id;size:64;not null"`
	TxID     string    `gorm:"column:tx_id;size:64;not null"`
	Group    string    `gorm:"column:grp;size:128;not null"`
	Attempt  int       `gorm:"column:attempt;not null"`
	Outcome  string    `gorm:"column:outcome;size:32;not null"`
	Detail   string    `gorm:"column:detail;size:500;not null"`
}

// TableName keeps the table name stable across services.
func (row) TableName() string { return "journal_entries" }

// Migrate creates the table; program.Open runs it for every service.
func Migrate(db *gorm.DB) error {
	if err := database.Migrate(db, &row{}); err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	return nil
}

func toRow(e Entry) row {
	return row{
		// Microseconds: what MySQL's DATETIME(6) keeps, so both databases
		// give back what was written.
		At: e.At.UTC().Truncate(time.Microsecond), Key: clip(e.Key, MaxKeyLen), Actor: clip(e.Actor, 32),
		Instance: clip(e.Instance, 128), Step: clip(e.Step, 32), Topic: clip(e.Topic, 128),
		MsgID: clip(e.MsgID, 64), TxID: clip(e.TxID, 64), Group: clip(e.Group, 128), Attempt: e.Attempt,
		Outcome: clip(e.Outcome, 32), Detail: clip(e.Detail, 500),
	}
}

func (r row) entry() Entry {
	return Entry{At: r.At.UTC(), Actor: r.Actor, Instance: r.Instance, Step: r.Step, Key: r.Key, Topic: r.Topic,
		MsgID: r.MsgID, TxID: r.TxID, Group: r.Group, Attempt: r.Attempt, Outcome: r.Outcome, Detail: r.Detail}
}

// sweepBatch is how many rows one DELETE removes. Small batches keep each
// statement short: on SQLite every statement holds the service's only
// connection, and business work waits behind it.
const sweepBatch = 1000

// Sweep deletes the entries older than the retention's age and those beyond
// its newest MaxEntries, in short batches, and returns how many it deleted.
func (j *Journal) Sweep(ctx context.Context) (int64, error) {
	old, err := j.deleteWhere(ctx, clause.Lt{Column: clause.Column{Name: "at"}, Value: time.Now().UTC().Add(-j.retention.MaxAge)})
	if err != nil {
		return old, fmt.Errorf("journal: sweep entries past %s: %w", j.retention.MaxAge, err)
	}
	// Insertion order (id) is "newest" here: cheaper than at, and the two
	// differ only among entries written in the same instant.
	var newestGone []uint64
	err = j.db.WithContext(ctx).Model(&row{}).Order(clause.OrderByColumn{Column: clause.Column{Name: "id"}, Desc: true}).
		Offset(j.retention.MaxEntries).Limit(1).Pluck("id", &newestGone).Error
	if err != nil || len(newestGone) == 0 {
		return old, wrapCount(err, j.retention.MaxEntries)
	}
	excess, err := j.deleteWhere(ctx, clause.Lte{Column: clause.Column{Name: "id"}, Value: newestGone[0]})
	return old + excess, wrapCount(err, j.retention.MaxEntries)
}

func wrapCount(err error, max int) error {
	if err != nil {
		return fmt.Errorf("journal: sweep entries beyond the newest %d: %w", max, err)
	}
	return nil
}

// deleteWhere deletes the rows matching cond, oldest first, sweepBatch at a
// time. It selects the ids first: neither MySQL nor SQLite (as built here)
// takes a LIMIT on DELETE or in an IN subquery, and a list of ids works on
// both.
func (j *Journal) deleteWhere(ctx context.Context, cond clause.Expression) (int64, error) {
	var total int64
	for {
		var ids []uint64
		err := j.db.WithContext(ctx).Model(&row{}).Where(cond).Order("id").Limit(sweepBatch).Pluck("id", &ids).Error
		if err != nil || len(ids) == 0 {
			return total, err
		}
		res := j.db.WithContext(ctx).Where("id IN ?", ids).Delete(&row{})
		total += res.RowsAffected
		if res.Error != nil || len(ids) < sweepBatch {
			return total, res.Error
		}
	}
}
