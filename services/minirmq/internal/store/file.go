package store

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// file is the subset of *os.File the store needs. Everything is positional
// (ReadAt/WriteAt) so that readers never share a file cursor with the writer.
type file interface {
	io.ReaderAt
	io.WriterAt
	Truncate(size int64) error
	Sync() error
	Close() error
	Size() (int64, error)
}

// fileSystem lets memory mode run exactly the same code as file mode, and
// lets tests reopen a memory store to exercise recovery.
type fileSystem interface {
	MkdirAll(dir string) error
	// OpenFile opens name read-write, creating it if missing.
	OpenFile(name string) (file, error)
	Remove(name string) error
	// ReadDir returns the sorted names in dir; a missing dir is empty.
	ReadDir(dir string) ([]string, error)
	ReadFile(name string) ([]byte, error)
	// WriteFileAtomic replaces name so that a crash leaves either the old or
	// the new content, never a mix.
	WriteFileAtomic(name string, data []byte) error
	SyncDir(dir string) error
}

type osFS struct{}

type osFile struct{ *os.File }

func (f osFile) Size() (int64, error) {
	fi, err := f.Stat()
	if err != nil {
		return 0, err
	}
	return fi.Size(), nil
}

func (osFS) MkdirAll(dir string) error { return os.MkdirAll(dir, 0o755) }

func (osFS) OpenFile(name string) (file, error) {
	f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	return osFile{f}, nil
}

func (osFS) Remove(name string) error { return os.Remove(name) }

func (osFS) ReadDir(dir string) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	names := make([]string, len(ents))
	for i, e := range ents {
		names[i] = e.Name()
	}
	return names, nil
}

func (osFS) ReadFile(name string) ([]byte, error) { return os.ReadFile(name) }

func (o osFS) WriteFileAtomic(name string, data []byte) error {
	tmp := name + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, name); err != nil {
		return err
	}
	return o.SyncDir(filepath.Dir(name))
}

func (osFS) SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

func isNotExist(err error) bool { return errors.Is(err, fs.ErrNotExist) }
