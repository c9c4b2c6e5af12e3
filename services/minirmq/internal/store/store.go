// Package store is minirmq's durable message store, laid out like RocketMQ's:
// one append-only commit log split into segment files, plus one consume queue
// (a fixed-width index into the commit log) per (topic, queueId).
//
// On disk, under Options.Dir:
//
//	commitlog/<20-digit base offset>   frames [4 len][4 CRC32-C][wire message]
//	consumequeue/<topic>/<queueId>     20-byte entries [8 commit-log offset][4 size][8 store time]
//	checkpoint                         commit-log offset every queue is known to cover
//
// A record's commit-log offset is the offset of its frame start; the size in a
// consume-queue entry is the wire message's length, without the frame header.
// Consume-queue files are never trimmed at the front, so they cost 20 bytes per
// message ever stored in that queue; entries whose record was deleted by
// retention simply fall below the queue's min offset.
//
// Message bodies are never cached: reads are positional reads of the open
// files, so memory stays proportional to the number of segments and queues.
package store

import (
	"errors"
	"fmt"
	"log/slog"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// ErrNotFound reports that no record exists at the requested offset: out of
// range, deleted by retention, or not a record boundary.
var ErrNotFound = errors.New("store: not found")

// ErrClosed is returned by every operation on a closed Store.
var ErrClosed = errors.New("store: closed")

// Defaults for zero Options fields.
const (
	defaultSegmentBytes  = 64 << 20
	defaultFlushInterval = 500 * time.Millisecond
	retentionInterval    = 10 * time.Second
)

// Options configure a Store. The zero value is an in-memory store.
type Options struct {
	// Dir is the data directory; "" keeps all files in memory (same code
	// paths, nothing survives Close).
	Dir string
	// SegmentBytes is the commit-log segment size (default 64 MiB). A record
	// never spans segments; a record larger than this gets a segment of its own.
	SegmentBytes int64
	// Fsync makes Append (and WaitDurable after Write) return only once the
	// commit log holding the records is fsynced, by group commit.
	Fsync bool
	// FlushInterval is how often dirty files are fsynced and the checkpoint
	// is written in the background (default 500ms).
	FlushInterval time.Duration
	// RetainBytes bounds the commit-log size; 0 means unlimited.
	RetainBytes int64
	// RetainAge deletes segments whose newest record is older than this; 0 means unlimited.
	RetainAge time.Duration
	// Logger receives recovery and retention events; nil means slog.Default().
	Logger *slog.Logger
	// Now is the clock for store timestamps and retention; nil means time.Now.
	Now func() time.Time
}

// Appended is where Append stored one message.
type Appended struct{ CommitLogOffset, QueueOffset, StoreTimestamp int64 }

// QueueEntry is one consume-queue entry.
type QueueEntry struct {
	CommitLogOffset int64
	Size            int32
	StoreTimestamp  int64
}

// TopicQueues lists the queue ids of one topic, sorted.
type TopicQueues struct {
	Topic    string
	QueueIDs []int32
}

// Stats is a point-in-time summary of the store.
type Stats struct {
	Segments                             int
	CommitLogBytes, MinOffset, MaxOffset int64
	Queues                               int
}

// Store is the commit log plus its consume queues. All methods are safe for
// concurrent use; Append calls are serialised, reads never block on them.
type Store struct {
	opts  Options
	log   *slog.Logger
	fs    fileSystem
	clDir string
	cqDir string

	// appendMu serialises Append (and Close against it). failed is set when a
	// rollback could not be completed: the files may then hold bytes the
	// in-memory state does not know about, so further appends are refused.
	appendMu sync.Mutex
	failed   error
	closed   atomic.Bool
	bufCache []byte // reused frame buffer, guarded by appendMu

	// segs is an immutable snapshot (oldest first) replaced under segMu, so
	// readers take no lock. logMin/logEnd only ever grow.
	segMu  sync.Mutex
	segs   atomic.Pointer[[]*segment]
	logMin atomic.Int64
	logEnd atomic.Int64
	floor  atomic.Int64

	qMu    sync.RWMutex
	queues map[queueKey]*queue

	waitMu  sync.Mutex
	waiters map[queueKey]chan struct{}

	dirMu     sync.Mutex
	dirtyDirs map[string]bool

	flushMu      sync.Mutex
	checkpointed int64 // guarded by flushMu
	filesClosed  bool  // guarded by flushMu

	// Group commit (Fsync): durable is the log end known to be on disk;
	// writers wait on durCond for it to pass their end. commitKick asks the
	// committer for a flush; commits counts its syncs (for tests).
	durMu      sync.Mutex
	durCond    *sync.Cond
	durable    int64
	syncFailed error // the last group sync's error, until one succeeds
	failedEnd  int64 // the log end that failed sync was to cover
	commitKick chan struct{}
	commits    atomic.Int64

	retMu sync.Mutex

	kick      chan struct{}
	stop      chan struct{}
	wg        sync.WaitGroup
	closeOnce sync.Once
	closeErr  error
}

// Open opens (creating if needed) the store in opts.Dir and recovers it: a
// torn commit-log tail is truncated and the consume queues are brought in
// line with the commit log.
func Open(opts Options) (*Store, error) {
	if opts.Dir == "" {
		return openFS(opts, newMemFS(), "mem")
	}
	return openFS(opts, osFS{}, opts.Dir)
}

// openFS is Open on an explicit file system; tests reuse one memFS across
// opens to run the recovery tests in memory mode too.
func openFS(opts Options, fsys fileSystem, root string) (*Store, error) {
	if opts.SegmentBytes <= 0 {
		opts.SegmentBytes = defaultSegmentBytes
	}
	if opts.FlushInterval <= 0 {
		opts.FlushInterval = defaultFlushInterval
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	s := &Store{
		opts:         opts,
		log:          opts.Logger,
		fs:           fsys,
		clDir:        filepath.Join(root, "commitlog"),
		cqDir:        filepath.Join(root, "consumequeue"),
		queues:       map[queueKey]*queue{},
		waiters:      map[queueKey]chan struct{}{},
		dirtyDirs:    map[string]bool{},
		checkpointed: -1,
		kick:         make(chan struct{}, 1),
		commitKick:   make(chan struct{}, 1),
		stop:         make(chan struct{}),
	}
	s.durCond = sync.NewCond(&s.durMu)
	s.floor.Store(math.MaxInt64)
	for _, d := range []string{root, s.clDir, s.cqDir} {
		if err := fsys.MkdirAll(d); err != nil {
			return nil, fmt.Errorf("store: create %s: %w", d, err)
		}
	}
	if err := s.recover(); err != nil {
		s.closeFiles()
		return nil, err
	}
	s.wg.Add(2)
	go s.flusher()
	go s.janitor()
	if opts.Fsync {
		s.wg.Add(1)
		go s.committer()
	}
	return s, nil
}

// Close stops the background work, fsyncs everything, writes the checkpoint
// and closes the files. Later calls return the first call's result.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		close(s.stop)
		s.wg.Wait()
		s.appendMu.Lock()
		s.closed.Store(true)
		s.appendMu.Unlock()
		s.wakeAll()
		s.retMu.Lock()
		defer s.retMu.Unlock()
		err := s.flush()
		s.wakeDurableWaiters() // a writer the final flush did not cover gets ErrClosed
		s.closeErr = errors.Join(err, s.closeFiles())
	})
	return s.closeErr
}

func (s *Store) closeFiles() error {
	s.flushMu.Lock()
	defer s.flushMu.Unlock()
	s.filesClosed = true
	var errs []error
	if p := s.segs.Load(); p != nil {
		for _, seg := range *p {
			if err := seg.f.Close(); err != nil {
				errs = append(errs, fmt.Errorf("store: close segment %d: %w", seg.base, err))
			}
		}
	}
	s.qMu.RLock()
	defer s.qMu.RUnlock()
	for _, q := range s.queues {
		if err := q.f.Close(); err != nil {
			errs = append(errs, fmt.Errorf("store: close consume queue %s/%d: %w", q.key.topic, q.key.id, err))
		}
	}
	return errors.Join(errs...)
}

// Topics lists every (topic, queue) that has a consume queue, sorted.
func (s *Store) Topics() []TopicQueues {
	s.qMu.RLock()
	byTopic := map[string][]int32{}
	for k := range s.queues {
		byTopic[k.topic] = append(byTopic[k.topic], k.id)
	}
	s.qMu.RUnlock()
	out := make([]TopicQueues, 0, len(byTopic))
	for t, ids := range byTopic {
		slices.Sort(ids)
		out = append(out, TopicQueues{Topic: t, QueueIDs: ids})
	}
	slices.SortFunc(out, func(a, b TopicQueues) int { return strings.Compare(a.Topic, b.Topic) })
	return out
}

// CommitLogRange returns the first retained offset and the end (next offset).
func (s *Store) CommitLogRange() (min, max int64) {
	return s.logMin.Load(), s.logEnd.Load()
}

// SetRetentionFloor protects every segment holding an offset >= off from
// retention, so the broker can keep pending transactional and delayed
// messages readable.
func (s *Store) SetRetentionFloor(off int64) { s.floor.Store(off) }

// Stats returns a snapshot of sizes and counts.
func (s *Store) Stats() Stats {
	s.qMu.RLock()
	nq := len(s.queues)
	s.qMu.RUnlock()
	lo, hi := s.CommitLogRange()
	return Stats{Segments: len(s.segments()), CommitLogBytes: hi - lo, MinOffset: lo, MaxOffset: hi, Queues: nq}
}

func (s *Store) markDirDirty(dir string) {
	s.dirMu.Lock()
	s.dirtyDirs[dir] = true
	s.dirMu.Unlock()
}

// syncDirs makes file creations and deletions durable.
func (s *Store) syncDirs() error {
	s.dirMu.Lock()
	dirs := s.dirtyDirs
	s.dirtyDirs = map[string]bool{}
	s.dirMu.Unlock()
	var errs []error
	for d := range dirs {
		if err := s.fs.SyncDir(d); err != nil {
			s.markDirDirty(d)
			errs = append(errs, fmt.Errorf("store: sync dir %s: %w", d, err))
		}
	}
	return errors.Join(errs...)
}
