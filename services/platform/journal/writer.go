package journal

import (
	"context"
	"slices"
	"sync"
	"time"
)

// queueCap is how many entries wait for the writer at most; past it Record
// drops the entry instead of waiting. A writer that far behind has a
// database problem that more memory would not solve.
const queueCap = 10_000

// batchCap is how many rows one INSERT writes at most, so each statement
// stays short: on SQLite it holds the service's only connection.
const batchCap = 200

// flushWait bounds how long ByKey waits for the writer.
const flushWait = 2 * WriteTimeout

// closeWait bounds how long Close keeps writing what is queued; what is
// left after it is dropped, so a stuck database cannot stall a shutdown.
const closeWait = 5 * WriteTimeout

// dropLogEvery is how often entries dropped before the writer (queue full,
// journal closed) are reported at most: a flood of them is one line.
const dropLogEvery = 5 * time.Second

// tuning is what New fixes and tests vary.
type tuning struct {
	queue, batch int
	flushWait    time.Duration
	// beforeWrite, when set, runs in the writer before each INSERT with
	// the batch's size: tests hold the writer with it.
	beforeWrite func(rows int)
}

// queue is the entries between Record and the writer. Entries are counted
// as they are queued and as the writer is done with them (written or
// dropped): a reader waits for the second count to reach the first.
type queue struct {
	mu       sync.Mutex
	rows     []row
	queued   uint64        // entries ever queued
	handled  uint64        // of those, the ones the writer is done with
	progress chan struct{} // closed, and replaced, whenever handled grows
	closed   bool          // Close was called: Record drops

	dropped    int       // entries dropped before the writer since the last report
	reportedAt time.Time // when dropped entries were last reported

	wake      chan struct{} // a token: there may be rows
	stop      chan struct{} // closed by Close
	done      chan struct{} // closed when the writer returned
	closeOnce sync.Once
}

func (j *Journal) start() {
	j.q.progress = make(chan struct{})
	j.q.wake = make(chan struct{}, 1)
	j.q.stop = make(chan struct{})
	j.q.done = make(chan struct{})
	go j.run()
}

// enqueue hands r to the writer, or drops it when the queue is full or the
// journal closed; it never waits for the writer.
func (j *Journal) enqueue(ctx context.Context, r row) {
	q := &j.q
	q.mu.Lock()
	var reason string
	switch {
	case q.closed:
		reason = "journal closed"
	case len(q.rows) >= j.tune.queue:
		reason = "queue full"
	default:
		q.rows = append(q.rows, r)
		q.queued++
	}
	report := 0
	if reason != "" {
		q.dropped++
		if now := time.Now(); now.Sub(q.reportedAt) >= dropLogEvery {
			report, q.dropped, q.reportedAt = q.dropped, 0, now
		}
	}
	q.mu.Unlock()
	if reason == "" {
		select {
		case q.wake <- struct{}{}:
		default: // a token is pending: the writer will see r
		}
		return
	}
	if report > 0 {
		j.cfg.Log.WarnContext(ctx, "journal entries dropped", "reason", reason, "dropped", report,
			"step", r.Step, "key", r.Key)
	}
}

// run is the writer: it writes what has queued, in batches, whenever there
// is something, until Close.
func (j *Journal) run() {
	defer close(j.q.done)
	var buf []row
	for {
		select {
		case <-j.q.wake:
			buf = j.drain(buf, time.Time{})
		case <-j.q.stop:
			j.drain(buf, time.Now().Add(closeWait))
			return
		}
	}
}

// drain writes batches until the queue is empty. Past deadline (unless
// zero) it drops the rest. Under load, entries queue while an INSERT runs,
// so the next batch holds all of them: that is the batching.
func (j *Journal) drain(buf []row, deadline time.Time) []row {
	q := &j.q
	for {
		q.mu.Lock()
		n := min(len(q.rows), j.tune.batch)
		late := !deadline.IsZero() && time.Now().After(deadline)
		if late {
			n = len(q.rows)
		}
		buf = append(buf[:0], q.rows[:n]...)
		rest := copy(q.rows, q.rows[n:])
		clear(q.rows[rest:]) // let the strings go
		q.rows = q.rows[:rest]
		q.mu.Unlock()
		if n == 0 {
			return buf
		}
		if late {
			j.cfg.Log.Warn("journal entries not recorded: closing took too long", "entries", n)
		} else {
			j.write(buf)
		}
		clear(buf)
		q.mu.Lock()
		q.handled += uint64(n)
		close(q.progress)
		q.progress = make(chan struct{})
		q.mu.Unlock()
	}
}

// write inserts rows in one statement, under WriteTimeout; a failure costs
// the batch, logged.
func (j *Journal) write(rows []row) {
	if j.tune.beforeWrite != nil {
		j.tune.beforeWrite(len(rows))
	}
	ctx, cancel := context.WithTimeout(context.Background(), WriteTimeout)
	defer cancel()
	if err := j.db.WithContext(ctx).Create(&rows).Error; err != nil {
		j.cfg.Log.Warn("journal entries not recorded", "entries", len(rows), "keys", keysOf(rows), "error", err)
	}
}

// keysOf names the first few distinct keys of rows, for the log.
func keysOf(rows []row) []string {
	const most = 5
	var keys []string
	for _, r := range rows {
		if len(keys) == most {
			break
		}
		if !slices.Contains(keys, r.Key) {
			keys = append(keys, r.Key)
		}
	}
	return keys
}

// flush waits until the writer is done with every entry queued so far, at
// most tune.flushWait or until ctx ends.
func (j *Journal) flush(ctx context.Context) {
	q := &j.q
	q.mu.Lock()
	target := q.queued
	q.mu.Unlock()
	timer := time.NewTimer(j.tune.flushWait)
	defer timer.Stop()
	for {
		q.mu.Lock()
		done, progress := q.handled >= target, q.progress
		q.mu.Unlock()
		if done {
			return
		}
		select {
		case <-progress:
		case <-timer.C:
			return
		case <-ctx.Done():
			return
		}
	}
}

// Close writes what is queued (for closeWait at most) and stops the writer;
// later Records are dropped. Call it after whatever records into the
// journal stopped and before the database closes. Closing twice, or a nil
// Journal, does nothing.
func (j *Journal) Close() {
	if j == nil {
		return
	}
	j.q.closeOnce.Do(func() {
		j.q.mu.Lock()
		j.q.closed = true
		j.q.mu.Unlock()
		close(j.q.stop)
		<-j.q.done
		j.q.mu.Lock()
		unreported := j.q.dropped
		j.q.mu.Unlock()
		if unreported > 0 {
			j.cfg.Log.Warn("journal entries dropped", "reason", "queue full", "dropped", unreported)
		}
	})
}
