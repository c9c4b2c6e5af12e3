package store

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"path/filepath"
	"slices"
	"sync/atomic"
)

const (
	frameHeader = 8 // [4 length][4 CRC32-C]
	// minRecord is the smallest well-formed wire message (IPv4 hosts, empty
	// body and properties, one-byte topic); shorter lengths are garbage.
	minRecord = 92
	// maxRecord bounds the length field so garbage cannot make us allocate GiBs.
	maxRecord = 1 << 30
	// posCommitLogOffset is where the wire layout keeps the commit-log offset;
	// checking it tells a record boundary from a lucky CRC.
	posCommitLogOffset = 28
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// segment is one commit-log file. size is the published length: readers
// never look past it, so a write in progress is invisible to them.
type segment struct {
	base    int64
	path    string
	f       file
	size    atomic.Int64
	newest  atomic.Int64 // store time (ms) of the newest record; 0 = none
	dirty   atomic.Bool  // written since the last fsync
	removed atomic.Bool  // deleted by retention; read errors then mean "not found"
}

func (seg *segment) end() int64 { return seg.base + seg.size.Load() }

func (s *Store) segments() []*segment {
	if p := s.segs.Load(); p != nil {
		return *p
	}
	return nil
}

func (s *Store) segmentPath(base int64) string {
	return filepath.Join(s.clDir, fmt.Sprintf("%020d", base))
}

func (s *Store) createSegment(base int64) (*segment, error) {
	p := s.segmentPath(base)
	f, err := s.fs.OpenFile(p)
	if err != nil {
		return nil, fmt.Errorf("store: create segment %s: %w", p, err)
	}
	if err := f.Truncate(0); err != nil { // a leftover from a failed rollback
		f.Close()
		return nil, fmt.Errorf("store: reset segment %s: %w", p, err)
	}
	s.markDirDirty(s.clDir)
	return &segment{base: base, path: p, f: f}, nil
}

// findSegment returns the segment that may contain off, or nil.
func findSegment(segs []*segment, off int64) *segment {
	i, found := slices.BinarySearchFunc(segs, off, func(seg *segment, off int64) int {
		switch {
		case seg.base < off:
			return -1
		case seg.base > off:
			return 1
		}
		return 0
	})
	if found {
		return segs[i]
	}
	if i == 0 {
		return nil
	}
	return segs[i-1]
}

func appendFrame(buf, data []byte) []byte {
	buf = binary.BigEndian.AppendUint32(buf, uint32(len(data)))
	buf = binary.BigEndian.AppendUint32(buf, crc32.Checksum(data, castagnoli))
	return append(buf, data...)
}

// frameError is an invalid frame: garbage, a torn write, or an offset that
// is not a record boundary.
type frameError struct {
	off    int64
	reason string
}

func (e *frameError) Error() string { return fmt.Sprintf("invalid frame at %d: %s", e.off, e.reason) }

func checkLength(off int64, n uint32, room int64) error {
	switch {
	case n < minRecord:
		return &frameError{off, fmt.Sprintf("length %d below minimum %d", n, minRecord)}
	case n > maxRecord:
		return &frameError{off, fmt.Sprintf("length %d above maximum %d", n, maxRecord)}
	case int64(n) > room:
		return &frameError{off, fmt.Sprintf("length %d exceeds the %d bytes left in the segment", n, room)}
	}
	return nil
}

func checkData(off int64, sum uint32, data []byte) error {
	if got := crc32.Checksum(data, castagnoli); got != sum {
		return &frameError{off, fmt.Sprintf("CRC %08x, header says %08x", got, sum)}
	}
	if got := int64(binary.BigEndian.Uint64(data[posCommitLogOffset:])); got != off {
		return &frameError{off, fmt.Sprintf("record is stamped with offset %d", got)}
	}
	return nil
}

// readRecord returns the message whose frame starts at off. sizeHint (the
// consume-queue size) lets the common case do a single pread.
func (s *Store) readRecord(off int64, sizeHint int32) ([]byte, error) {
	if s.closed.Load() {
		return nil, ErrClosed
	}
	if off < s.logMin.Load() || off >= s.logEnd.Load() {
		return nil, fmt.Errorf("%w: commit-log offset %d out of range", ErrNotFound, off)
	}
	seg := findSegment(s.segments(), off)
	if seg == nil {
		return nil, fmt.Errorf("%w: commit-log offset %d has no segment", ErrNotFound, off)
	}
	rel, room := off-seg.base, seg.size.Load()-(off-seg.base)-frameHeader
	if room < minRecord {
		return nil, fmt.Errorf("%w: commit-log offset %d is past its segment's data", ErrNotFound, off)
	}
	n := int64(frameHeader)
	if sizeHint >= minRecord && int64(sizeHint) <= room {
		n += int64(sizeHint)
	}
	buf := make([]byte, n)
	if err := s.preadSeg(seg, buf, rel); err != nil {
		return nil, err
	}
	length := binary.BigEndian.Uint32(buf)
	if err := checkLength(off, length, room); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotFound, err)
	}
	if int64(length) != n-frameHeader {
		buf = append(buf[:frameHeader], make([]byte, length)...)
		if err := s.preadSeg(seg, buf[frameHeader:], rel+frameHeader); err != nil {
			return nil, err
		}
	}
	if err := checkData(off, binary.BigEndian.Uint32(buf[4:]), buf[frameHeader:]); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotFound, err)
	}
	return buf[frameHeader:], nil
}

func (s *Store) preadSeg(seg *segment, buf []byte, rel int64) error {
	_, err := seg.f.ReadAt(buf, rel)
	switch {
	case err == nil:
		return nil
	case seg.removed.Load():
		return fmt.Errorf("%w: segment %d deleted by retention", ErrNotFound, seg.base)
	case s.closed.Load():
		return ErrClosed
	}
	return fmt.Errorf("store: read segment %s at %d: %w", seg.path, rel, err)
}

// ReadAt returns the encoded message whose record starts at commitLogOffset,
// or ErrNotFound.
func (s *Store) ReadAt(commitLogOffset int64) ([]byte, error) {
	return s.readRecord(commitLogOffset, 0)
}

// Scan calls fn for every record from offset from (raised to the log's min)
// up to the end as of the call, in order. from must be a record boundary or
// the end. fn may keep data.
func (s *Store) Scan(from int64, fn func(commitLogOffset int64, data []byte) error) error {
	if s.closed.Load() {
		return ErrClosed
	}
	lo, end := s.CommitLogRange()
	from = max(from, lo)
	if from > end {
		return fmt.Errorf("store: scan from %d: beyond the commit-log end %d", from, end)
	}
	if from == end {
		return nil
	}
	if _, err := s.readRecord(from, 0); err != nil {
		return fmt.Errorf("store: scan from %d: not a record boundary: %w", from, err)
	}
	for _, seg := range s.segments() {
		segEnd := min(seg.end(), end)
		if segEnd <= from {
			continue
		}
		if seg.base >= end {
			break
		}
		it := newFrameIter(seg, max(from, seg.base), segEnd, false)
		for {
			off, data, err := it.next()
			if err == io.EOF {
				break
			}
			if err != nil {
				if seg.removed.Load() {
					return fmt.Errorf("store: scan: %w: segment %d deleted by retention", ErrNotFound, seg.base)
				}
				return fmt.Errorf("store: scan %s: %w", seg.path, err)
			}
			if err := fn(off, data); err != nil {
				return err
			}
		}
		from = segEnd
	}
	return nil
}

// frameIter reads the frames of one segment sequentially through a buffer,
// which is much cheaper than two preads per record when replaying a segment.
type frameIter struct {
	r     *bufio.Reader
	off   int64 // absolute offset of the next frame
	end   int64 // absolute end of the bytes to read
	hdr   [frameHeader]byte
	buf   []byte
	reuse bool // hand out one buffer again and again (the caller copies)
}

func newFrameIter(seg *segment, from, end int64, reuse bool) *frameIter {
	sr := io.NewSectionReader(seg.f, from-seg.base, end-from)
	return &frameIter{r: bufio.NewReaderSize(sr, 256<<10), off: from, end: end, reuse: reuse}
}

// next returns the offset and data of the next frame; io.EOF at the end,
// and a *frameError (with the offset) for an invalid frame.
func (it *frameIter) next() (int64, []byte, error) {
	off := it.off
	if off == it.end {
		return off, nil, io.EOF
	}
	if it.end-off < frameHeader {
		return off, nil, &frameError{off, fmt.Sprintf("only %d bytes left, less than a frame header", it.end-off)}
	}
	if _, err := io.ReadFull(it.r, it.hdr[:]); err != nil {
		return off, nil, fmt.Errorf("read frame header at %d: %w", off, err)
	}
	n := binary.BigEndian.Uint32(it.hdr[:])
	if err := checkLength(off, n, it.end-off-frameHeader); err != nil {
		return off, nil, err
	}
	var data []byte
	if it.reuse {
		if cap(it.buf) < int(n) {
			it.buf = make([]byte, n)
		}
		data = it.buf[:n]
	} else {
		data = make([]byte, n)
	}
	if _, err := io.ReadFull(it.r, data); err != nil {
		return off, nil, fmt.Errorf("read frame at %d: %w", off, err)
	}
	if err := checkData(off, binary.BigEndian.Uint32(it.hdr[4:]), data); err != nil {
		return off, nil, err
	}
	it.off += frameHeader + int64(n)
	return off, data, nil
}

func isFrameError(err error) bool {
	var fe *frameError
	return errors.As(err, &fe)
}
