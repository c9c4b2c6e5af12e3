package store

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
)

// memFS is an in-memory fileSystem. Removing an open file keeps its data
// alive for the holders of the handle, like unlink on Unix.
type memFS struct {
	mu    sync.Mutex
	files map[string]*memData
	dirs  map[string]bool
}

type memData struct {
	mu   sync.RWMutex
	data []byte
}

type memFile struct {
	d      *memData
	mu     sync.RWMutex
	closed bool
}

func newMemFS() *memFS {
	return &memFS{files: map[string]*memData{}, dirs: map[string]bool{}}
}

func (m *memFS) MkdirAll(dir string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for d := filepath.Clean(dir); d != "." && d != "/"; d = filepath.Dir(d) {
		m.dirs[d] = true
	}
	return nil
}

func (m *memFS) OpenFile(name string) (file, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	name = filepath.Clean(name)
	if !m.dirs[filepath.Dir(name)] {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	d := m.files[name]
	if d == nil {
		d = &memData{}
		m.files[name] = d
	}
	return &memFile{d: d}, nil
}

func (m *memFS) Remove(name string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	name = filepath.Clean(name)
	if m.files[name] == nil {
		return &fs.PathError{Op: "remove", Path: name, Err: fs.ErrNotExist}
	}
	delete(m.files, name)
	return nil
}

func (m *memFS) ReadDir(dir string) ([]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	prefix := filepath.Clean(dir) + string(filepath.Separator)
	seen := map[string]bool{}
	add := func(p string) {
		if rest, ok := strings.CutPrefix(p, prefix); ok {
			name, _, _ := strings.Cut(rest, string(filepath.Separator))
			seen[name] = true
		}
	}
	for p := range m.files {
		add(p)
	}
	for p := range m.dirs {
		add(p)
	}
	names := make([]string, 0, len(seen))
	for n := range seen {
		names = append(names, n)
	}
	slices.Sort(names)
	return names, nil
}

func (m *memFS) ReadFile(name string) ([]byte, error) {
	m.mu.Lock()
	d := m.files[filepath.Clean(name)]
	m.mu.Unlock()
	if d == nil {
		return nil, &fs.PathError{Op: "read", Path: name, Err: fs.ErrNotExist}
	}
	d.mu.RLock()
	defer d.mu.RUnlock()
	return slices.Clone(d.data), nil
}

func (m *memFS) WriteFileAtomic(name string, data []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	name = filepath.Clean(name)
	if !m.dirs[filepath.Dir(name)] {
		return &fs.PathError{Op: "write", Path: name, Err: fs.ErrNotExist}
	}
	m.files[name] = &memData{data: slices.Clone(data)}
	return nil
}

func (m *memFS) SyncDir(string) error { return nil }

func (f *memFile) use() (*memData, func(), error) {
	f.mu.RLock()
	if f.closed {
		f.mu.RUnlock()
		return nil, nil, os.ErrClosed
	}
	return f.d, f.mu.RUnlock, nil
}

func (f *memFile) ReadAt(p []byte, off int64) (int, error) {
	d, done, err := f.use()
	if err != nil {
		return 0, err
	}
	defer done()
	d.mu.RLock()
	defer d.mu.RUnlock()
	if off < 0 {
		return 0, fmt.Errorf("memfile: negative offset %d", off)
	}
	if off >= int64(len(d.data)) {
		return 0, io.EOF
	}
	n := copy(p, d.data[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

func (f *memFile) WriteAt(p []byte, off int64) (int, error) {
	d, done, err := f.use()
	if err != nil {
		return 0, err
	}
	defer done()
	d.mu.Lock()
	defer d.mu.Unlock()
	if off < 0 {
		return 0, fmt.Errorf("memfile: negative offset %d", off)
	}
	if end := off + int64(len(p)); end > int64(len(d.data)) {
		old := len(d.data)
		d.data = slices.Grow(d.data, int(end)-old)[:end]
		// A truncated slice keeps its old bytes in spare capacity; a hole
		// must read as zeros, as in a sparse file.
		clear(d.data[old:min(off, end)])
	}
	return copy(d.data[off:], p), nil
}

func (f *memFile) Truncate(size int64) error {
	d, done, err := f.use()
	if err != nil {
		return err
	}
	defer done()
	d.mu.Lock()
	defer d.mu.Unlock()
	if size < 0 {
		return fmt.Errorf("memfile: negative size %d", size)
	}
	if size < int64(len(d.data)) {
		d.data = d.data[:size]
	} else {
		d.data = append(d.data, make([]byte, size-int64(len(d.data)))...)
	}
	return nil
}

func (f *memFile) Size() (int64, error) {
	d, done, err := f.use()
	if err != nil {
		return 0, err
	}
	defer done()
	d.mu.RLock()
	defer d.mu.RUnlock()
	return int64(len(d.data)), nil
}

func (f *memFile) Sync() error {
	_, done, err := f.use()
	if err != nil {
		return err
	}
	done()
	return nil
}

func (f *memFile) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return os.ErrClosed
	}
	f.closed = true
	return nil
}
