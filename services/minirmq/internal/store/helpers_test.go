package store

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rocketmart/rocketmart/services/minirmq/internal/wire"
)

// env is one store's backing files plus the knobs tests turn. The same env
// can be opened again to exercise recovery, in file and in memory mode.
type env struct {
	t     testing.TB
	mode  string
	fs    *testFS
	root  string
	opts  Options
	clock *fakeClock
	logs  *logBuf
}

func newEnv(t testing.TB, mode string) *env {
	e := &env{t: t, mode: mode, clock: &fakeClock{}, logs: &logBuf{}}
	e.clock.ms.Store(1_700_000_000_000)
	switch mode {
	case "file":
		e.root = t.TempDir()
		e.fs = &testFS{fileSystem: osFS{}}
	case "mem":
		e.root = "mem"
		e.fs = &testFS{fileSystem: newMemFS()}
	default:
		t.Fatalf("unknown mode %q", mode)
	}
	e.opts = Options{
		Dir:    e.root,
		Now:    e.clock.Now,
		Logger: slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	return e
}

// eachMode runs fn once on disk and once in memory.
func eachMode(t *testing.T, fn func(t *testing.T, e *env)) {
	for _, mode := range []string{"file", "mem"} {
		t.Run(mode, func(t *testing.T) { fn(t, newEnv(t, mode)) })
	}
}

func (e *env) open() *Store {
	e.t.Helper()
	s, err := e.tryOpen()
	if err != nil {
		e.t.Fatalf("open: %v", err)
	}
	e.t.Cleanup(func() { s.Close() })
	return s
}

func (e *env) tryOpen() (*Store, error) { return openFS(e.opts, e.fs, e.root) }

func (e *env) segPath(base int64) string {
	return filepath.Join(e.root, "commitlog", fmt.Sprintf("%020d", base))
}

func (e *env) cqPath(topic string, id int32) string {
	return filepath.Join(e.root, "consumequeue", topic, fmt.Sprint(id))
}

func (e *env) checkpointPath() string { return filepath.Join(e.root, "checkpoint") }

// rawFile opens a file under the store, bypassing fault injection.
func (e *env) rawFile(path string) file {
	e.t.Helper()
	f, err := e.fs.fileSystem.OpenFile(path)
	if err != nil {
		e.t.Fatalf("open %s: %v", path, err)
	}
	e.t.Cleanup(func() { f.Close() })
	return f
}

func (e *env) size(path string) int64 {
	e.t.Helper()
	n, err := e.rawFile(path).Size()
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

func (e *env) appendRaw(path string, b []byte) {
	e.t.Helper()
	f := e.rawFile(path)
	n, err := f.Size()
	if err == nil {
		_, err = f.WriteAt(b, n)
	}
	if err != nil {
		e.t.Fatalf("append to %s: %v", path, err)
	}
}

func (e *env) truncate(path string, size int64) {
	e.t.Helper()
	if err := e.rawFile(path).Truncate(size); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) readRaw(path string) []byte {
	e.t.Helper()
	b, err := e.fs.ReadFile(path)
	if err != nil {
		e.t.Fatal(err)
	}
	return b
}

func (e *env) segments() []string {
	e.t.Helper()
	names, err := e.fs.ReadDir(filepath.Join(e.root, "commitlog"))
	if err != nil {
		e.t.Fatal(err)
	}
	return names
}

type fakeClock struct{ ms atomic.Int64 }

func (c *fakeClock) Now() time.Time          { return time.UnixMilli(c.ms.Load()) }
func (c *fakeClock) set(ms int64)            { c.ms.Store(ms) }
func (c *fakeClock) advance(d time.Duration) { c.ms.Add(d.Milliseconds()) }

type logBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// testFS counts writes and syncs per file and injects failures.
type testFS struct {
	fileSystem
	mu        sync.Mutex
	writes    map[string]int
	syncs     map[string]int
	failWrite func(path string) bool // true: write half the bytes, then fail
	failOpen  func(path string) bool
	failSync  func(path string) bool
	syncDelay time.Duration    // each Sync takes this long (a slow disk)
	synced    map[string]int64 // file size at its last completed Sync
}

var errInjected = errors.New("injected failure")

func (t *testFS) OpenFile(name string) (file, error) {
	t.mu.Lock()
	fail := t.failOpen != nil && t.failOpen(name)
	t.mu.Unlock()
	if fail {
		return nil, errInjected
	}
	f, err := t.fileSystem.OpenFile(name)
	if err != nil {
		return nil, err
	}
	return &testFile{file: f, fs: t, path: name}, nil
}

func (t *testFS) count(m *map[string]int, path string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if *m == nil {
		*m = map[string]int{}
	}
	(*m)[path]++
}

func (t *testFS) counts() (writes, syncs map[string]int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	writes, syncs = map[string]int{}, map[string]int{}
	for k, v := range t.writes {
		writes[k] = v
	}
	for k, v := range t.syncs {
		syncs[k] = v
	}
	return writes, syncs
}

func (t *testFS) resetCounts() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.writes, t.syncs = nil, nil
}

func (t *testFS) setFailures(write, open func(string) bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.failWrite, t.failOpen = write, open
}

type testFile struct {
	file
	fs   *testFS
	path string
}

func (f *testFile) WriteAt(p []byte, off int64) (int, error) {
	f.fs.count(&f.fs.writes, f.path)
	f.fs.mu.Lock()
	fail := f.fs.failWrite != nil && f.fs.failWrite(f.path)
	f.fs.mu.Unlock()
	if fail {
		n, _ := f.file.WriteAt(p[:len(p)/2], off)
		return n, errInjected
	}
	return f.file.WriteAt(p, off)
}

func (f *testFile) Sync() error {
	f.fs.count(&f.fs.syncs, f.path)
	f.fs.mu.Lock()
	delay, fail := f.fs.syncDelay, f.fs.failSync != nil && f.fs.failSync(f.path)
	f.fs.mu.Unlock()
	size, err := f.file.Size() // what this sync is sure to cover
	if err != nil {
		return err
	}
	time.Sleep(delay) // models the disk's latency, not test synchronisation
	if fail {
		return errInjected
	}
	if err := f.file.Sync(); err != nil {
		return err
	}
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	if f.fs.synced == nil {
		f.fs.synced = map[string]int64{}
	}
	f.fs.synced[f.path] = max(f.fs.synced[f.path], size)
	return nil
}

// syncedSize is the size path had when a Sync of it last completed.
func (t *testFS) syncedSize(path string) int64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.synced[path]
}

func isCQ(path string) bool  { return strings.Contains(path, "consumequeue") }
func isSeg(path string) bool { return strings.Contains(path, "commitlog") }

var (
	bornHost  = netip.MustParseAddrPort("10.1.2.3:40000")
	storeHost = netip.MustParseAddrPort("10.9.9.9:10911")
)

// msg encodes a test message.
func msg(t testing.TB, topic string, qid int32, body string) []byte {
	t.Helper()
	m := wire.Message{
		Topic: topic, QueueID: qid, Flag: 7, SysFlag: 0, BornTimestamp: 1234,
		BornHost: bornHost, StoreHost: storeHost, ReconsumeTimes: 2,
		Body:       []byte(body),
		Properties: wire.Properties{wire.PropKeys: "k-" + body, wire.PropTags: "tagA"},
	}
	b, err := m.Encode()
	if err != nil {
		t.Fatalf("encode: %v", err)
	}
	return b
}

func mustAppend(t testing.TB, s *Store, msgs ...[]byte) []Appended {
	t.Helper()
	res, err := s.Append(msgs...)
	if err != nil {
		t.Fatalf("append: %v", err)
	}
	if len(res) != len(msgs) {
		t.Fatalf("append returned %d results for %d messages", len(res), len(msgs))
	}
	return res
}

func decode(t testing.TB, b []byte) *wire.Message {
	t.Helper()
	m, n, err := wire.Decode(b)
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	if n != len(b) {
		t.Fatalf("decode consumed %d of %d bytes", n, len(b))
	}
	return m
}

func frameLen(m []byte) int64 { return int64(frameHeader + len(m)) }
