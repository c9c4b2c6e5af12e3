// Package journal keeps a service's part of the per-order timeline (issue
// 15, "See the transaction"): each step the platform takes with a message —
// a half message sent, the local transaction's outcome, what the producer
// told the broker, each check-back answered, each delivery consumed — is an
// Entry keyed by the message key (the order number), stored in the table
// journal_entries of the service's own database. The gateway merges the
// entries of every service and of the broker into one timeline; the shape
// of an Entry is that shared contract's.
//
// The journal is a window for people, not a record the business relies on.
// Record is best effort: it stamps the entry and queues it for the
// journal's writer, which inserts whatever has queued in one multi-row
// INSERT per batch, outside any business transaction and under a short
// timeout of its own (WriteTimeout). A failed write, an entry that finds
// the queue full or the journal closed, is logged at warn and dropped; the
// caller never sees it. ByKey first waits (briefly) for the writer to have
// written everything queued before it was called, so a process reads its
// own entries. Sweep keeps 24 h and at most 100,000 entries (program.App
// runs it every minute).
//
// What a crash loses: the entries queued and not yet written — at most the
// queue (10,000 entries), typically the last few milliseconds. Close (at
// shutdown, after the consumers and producers stopped, before the database
// closes) writes them. Acceptable for a window, and said here so nobody
// takes the journal for more.
//
// # The rule: never Record inside a database transaction
//
// Record does not touch the database, so a Record made while a transaction
// is open does not stall it; on SQLite, where the service has one
// connection, the writer waits for the transaction to end (a transaction
// that holds the connection past WriteTimeout costs the batch waiting for
// it). But the entry is written on its own, whatever becomes of the
// transaction: one recorded inside a transaction that then rolls back
// describes work that never happened. So the platform records only after a
// transaction returned: txmsg after the half message is stored and before
// the local transaction starts, after the local transaction and after the
// check returned; mq's consumers after the handler returned.
package journal

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
	gormlogger "gorm.io/gorm/logger"
)

// The steps the platform records (the contract's services' steps).
const (
	StepHalfSent         = "half-sent"         // txmsg: the broker stored the half message
	StepLocalTransaction = "local-transaction" // txmsg: the local transaction returned
	StepEndTransaction   = "end-transaction"   // txmsg: what the producer tells the broker
	StepCheckBack        = "check-back"        // txmsg: a check-back answered
	StepConsumed         = "consumed"          // mq: a delivery handled
	StepHeld             = "held"              // program: a delivery held by the slow-motion switch before it is handled
)

// Entry is one step with one message, in the shape every source of the
// timeline shares. Empty fields are left out of the JSON; At is written in
// UTC with six fractional digits, so entries of every source sort by it.
type Entry struct {
	// At is when it happened.
	At time.Time `json:"at" example:"2026-12-03T07:00:00.123456Z"`
	// Actor is the service that did it (the broker's entries say broker).
	Actor string `json:"actor" example:"order"`
	// Instance is which process of the service (host:port).
	Instance string `json:"instance,omitempty" example:"127.0.0.1:8081"`
	// Step is what happened: half-sent, local-transaction, end-transaction, check-back or consumed.
	Step string `json:"step" example:"half-sent" enums:"half-sent,local-transaction,end-transaction,check-back,consumed"`
	// Key is the message key: the order number.
	Key string `json:"key" example:"RM20261203-ABC"`
	// Topic is the message's topic.
	Topic string `json:"topic,omitempty" example:"ORDER_PAID"`
	// MsgID is the message id consumers see (UNIQ_KEY).
	MsgID string `json:"msgId,omitempty" example:"7F0000010A2B18B4AAC27A1C2B5E0001"`
	// TxID is the half message's transaction id.
	TxID string `json:"txId,omitempty" example:"7F0000010A2B18B4AAC27A1C2B5E0001"`
	// Group is the consumer group of a consumed delivery.
	Group string `json:"group,omitempty" example:"points-order-paid"`
	// Attempt is 1-based: a delivery's attempt (reconsume times + 1), a check-back's number.
	Attempt int `json:"attempt,omitempty" example:"1"`
	// Outcome is commit, rollback, unknown or dropped (txmsg), processed, duplicate, failed, poison or dead-lettered (consumed).
	Outcome string `json:"outcome,omitempty" example:"commit"`
	// Detail is free text for people: why, or the error.
	Detail string `json:"detail,omitempty" example:"payment declined: insufficient funds"`
}

// atLayout is RFC 3339 with microseconds, the precision both databases keep.
const atLayout = "2006-01-02T15:04:05.000000Z07:00"

// MarshalJSON writes At with a fixed number of fractional digits:
// time.Time's own encoding drops trailing zeros, and the contract wants
// sub-second precision that sorts as text.
func (e Entry) MarshalJSON() ([]byte, error) {
	type plain Entry // without the method
	return json.Marshal(struct {
		At string `json:"at"`
		plain
	}{e.At.UTC().Format(atLayout), plain(e)})
}

// WriteTimeout bounds one batch's INSERT: how long the writer waits for the
// database before the batch is dropped.
const WriteTimeout = time.Second

// MaxKeyLen is the longest key the journal keeps; a longer one is clipped.
const MaxKeyLen = 128

// MaxByKey is how many entries ByKey returns at most: the newest ones.
const MaxByKey = 1000

// Retention is how long entries are kept and how many at most.
type Retention struct {
	MaxAge     time.Duration
	MaxEntries int
}

// DefaultRetention is the contract's: 24 h, at most 100,000 entries.
var DefaultRetention = Retention{MaxAge: 24 * time.Hour, MaxEntries: 100_000}

// String says it for people, as the admin API answers it.
func (r Retention) String() string {
	age := r.MaxAge.String()
	if r.MaxAge%time.Hour == 0 {
		age = fmt.Sprintf("%d h", r.MaxAge/time.Hour)
	}
	return fmt.Sprintf("%s, at most %d entries, in this service's database", age, r.MaxEntries)
}

// Config names the process whose steps a Journal records.
type Config struct {
	// Actor is the service's name, stamped on every entry.
	Actor string
	// Instance is which process (host:port), stamped on every entry.
	Instance string
	// Log is where failed writes are reported; nil: slog.Default().
	Log *slog.Logger
	// Retention is what Sweep keeps; zero: DefaultRetention.
	Retention Retention
}

// Journal records a service's steps in its database. A nil *Journal records
// nothing and finds nothing, so a producer or consumer without one works
// unchanged.
type Journal struct {
	db        *gorm.DB
	cfg       Config
	retention Retention
	tune      tuning
	q         queue
}

// New returns the journal of cfg.Actor in db, which Migrate prepared, with
// its writer running: Close it before db closes.
func New(db *gorm.DB, cfg Config) *Journal {
	return newJournal(db, cfg, tuning{queue: queueCap, batch: batchCap, flushWait: flushWait})
}

func newJournal(db *gorm.DB, cfg Config, tune tuning) *Journal {
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	r := cfg.Retention
	if r.MaxAge <= 0 {
		r.MaxAge = DefaultRetention.MaxAge
	}
	if r.MaxEntries <= 0 {
		r.MaxEntries = DefaultRetention.MaxEntries
	}
	// Failed writes are reported once a batch, by the writer, with the keys;
	// gorm's own line would repeat each one.
	quiet := db.Session(&gorm.Session{Logger: db.Logger.LogMode(gormlogger.Silent)})
	j := &Journal{db: quiet, cfg: cfg, retention: r, tune: tune}
	j.start()
	return j
}

// Retention is what Sweep keeps.
func (j *Journal) Retention() Retention { return j.retention }

// Record queues e, stamped with the journal's actor and instance and, when
// e.At is zero, the current time, for the writer; it does not wait for the
// write. It never fails the caller: a failed write, a full queue or a
// closed journal costs the entry, logged at warn. An entry without a key is
// not written, as nothing could find it. It must not be called inside a
// database transaction (see the package doc).
func (j *Journal) Record(ctx context.Context, e Entry) {
	if j == nil || e.Key == "" {
		return
	}
	if e.At.IsZero() {
		e.At = time.Now()
	}
	e.Actor, e.Instance = j.cfg.Actor, j.cfg.Instance
	j.enqueue(ctx, toRow(e))
}

// ByKey returns the entries keyed key, oldest first: the newest MaxByKey
// when there are more. It sees every entry recorded before it was called:
// it first waits for the writer to have written them, for a second or two
// at most (a database that slow is read anyway).
func (j *Journal) ByKey(ctx context.Context, key string) ([]Entry, error) {
	if j == nil {
		return nil, nil
	}
	j.flush(ctx)
	var rows []row
	err := j.db.WithContext(ctx).Where(clause.Eq{Column: clause.Column{Name: "key"}, Value: key}).
		Order(clause.OrderBy{Columns: []clause.OrderByColumn{
			{Column: clause.Column{Name: "at"}, Desc: true}, {Column: clause.Column{Name: "id"}, Desc: true},
		}}).Limit(MaxByKey).Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("journal: entries of %s: %w", key, err)
	}
	out := make([]Entry, 0, len(rows))
	for _, r := range slices.Backward(rows) {
		out = append(out, r.entry())
	}
	return out, nil
}

// clip keeps the first n characters of s (whole UTF-8 sequences), marking
// a cut with an ellipsis, so a long error text fits its column.
func clip(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD") // MySQL refuses invalid UTF-8
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	rs := []rune(s)
	return string(rs[:n-1]) + "…"
}
