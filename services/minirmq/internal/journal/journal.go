// Package journal keeps minirmq's part of the per-order timeline (issue 15):
// the broker's steps with each message, findable by message key (the order
// number of every RocketMart message). It holds the last Capacity entries in
// memory and indexes them by key; an entry leaves the index when it leaves
// the journal, so memory is bounded. A restart starts empty.
//
// Add is on the broker's send and pull paths. It takes one mutex and copies
// the entry's text into a byte arena: no allocation once the journal has
// grown, and no pointers for the garbage collector to chase. A journal of
// 100,000 entries held as Go strings would be 100,000s of small objects that
// every collection marks again, which measurably slows every pull.
package journal

import (
	"encoding/json"
	"fmt"
	"hash/maphash"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// DefaultCapacity is how many entries the broker keeps.
const DefaultCapacity = 100_000

// TimeFormat is the contract's "at": UTC, RFC 3339 with microseconds.
const TimeFormat = "2006-01-02T15:04:05.000000Z07:00"

// Sizing of the arena. Entries average well under bytesPerEntry of text, so
// the arena rarely evicts before Capacity does.
const (
	chunkBytes    = 1 << 20
	bytesPerEntry = 320
	// maxField bounds one text field; longer ones are cut (a detail is a
	// sentence, a key an order number).
	maxField = 1 << 10
)

// Entry is one step of one message, in the timeline contract's shape.
// Empty fields are omitted from its JSON.
type Entry struct {
	At       time.Time `json:"-"`
	Actor    string    `json:"actor"`
	Instance string    `json:"instance,omitempty"`
	Step     string    `json:"step"`
	// Key is the message key. On Add it is the message's KEYS, one or more
	// separated by spaces, and the entry is indexed under each.
	Key     string `json:"key"`
	Topic   string `json:"topic,omitempty"`
	MsgID   string `json:"msgId,omitempty"`
	TxID    string `json:"txId,omitempty"`
	Group   string `json:"group,omitempty"`
	Attempt int    `json:"attempt,omitempty"`
	Outcome string `json:"outcome,omitempty"`
	Detail  string `json:"detail,omitempty"`
}

// MarshalJSON writes "at" first, in TimeFormat.
func (e Entry) MarshalJSON() ([]byte, error) {
	type fields Entry // without this method
	return json.Marshal(struct {
		At string `json:"at"`
		fields
	}{e.At.UTC().Format(TimeFormat), fields(e)})
}

// Options configure a Journal.
type Options struct {
	// Capacity is how many entries are kept; 0 means DefaultCapacity.
	Capacity int
	// Actor and Instance are stamped on every entry ("broker", its address).
	Actor, Instance string
	// Now stamps entries added without a time; nil means time.Now.
	Now func() time.Time
}

// The text fields of a record, stored back to back in the arena.
const (
	fKey = iota
	fStep
	fTopic
	fMsgID
	fTxID
	fGroup
	fOutcome
	fDetail
	nFields
)

// record is one entry under one key; it holds no pointers.
type record struct {
	at      int64  // Unix nanoseconds
	data    uint64 // arena position of its fields
	hash    uint64 // of its key
	prev    uint64 // 1 + sequence number of the previous record with the same key hash; 0: none
	attempt int32
	lens    [nFields]uint16
}

// Journal is the last Capacity entries and their index by key. Its methods
// are safe for concurrent use.
type Journal struct {
	opts       Options
	seed       maphash.Seed
	chunkBytes uint64
	arenaBytes uint64

	mu     sync.Mutex
	recs   []record          // ring: grows to Capacity, then record n lives at n % Capacity
	chunks [][]byte          // ring of arena chunks, allocated as the journal fills
	first  uint64            // sequence number of the oldest live record
	next   uint64            // sequence number of the next record
	pos    uint64            // arena bytes ever used: the next record's position
	index  map[uint64]uint64 // key hash → sequence number of its newest live record
}

// New returns an empty journal.
func New(opts Options) *Journal {
	if opts.Capacity <= 0 {
		opts.Capacity = DefaultCapacity
	}
	n := max(2, (opts.Capacity*bytesPerEntry+chunkBytes-1)/chunkBytes)
	return newSized(opts, chunkBytes, n)
}

// newSized makes a journal with an arena of chunks chunks of chunk bytes
// (at least nFields*maxField, the largest record).
func newSized(opts Options, chunk, chunks int) *Journal {
	if chunk < nFields*maxField || chunks < 2 {
		panic("journal: arena too small for the largest record")
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Journal{
		opts: opts, seed: maphash.MakeSeed(), chunkBytes: uint64(chunk), arenaBytes: uint64(chunk * chunks),
		chunks: make([][]byte, chunks), index: map[uint64]uint64{},
	}
}

// Capacity is how many entries the journal keeps.
func (j *Journal) Capacity() int { return j.opts.Capacity }

// Retention says what the journal keeps, for the people reading it.
func (j *Journal) Retention() string {
	return fmt.Sprintf("the last %d broker events since minirmq started (in memory)", j.opts.Capacity)
}

// Add records e under each of its keys (a message with two keys takes two
// places), evicting the oldest entries to make room. An entry without a
// key is dropped: nobody could ask for it. A zero At is stamped now.
func (j *Journal) Add(e Entry) {
	j.mu.Lock()
	defer j.mu.Unlock()
	at := e.At.UnixNano()
	if e.At.IsZero() {
		at = j.opts.Now().UnixNano()
	}
	for k, rest := nextField(e.Key); k != ""; k, rest = nextField(rest) {
		if len(k) <= maxField && !hasField(e.Key[:len(e.Key)-len(rest)-len(k)], k) {
			j.addLocked(k, at, e)
		}
	}
}

// hasField reports whether the space-separated list s contains field f.
func hasField(s, f string) bool {
	for k, rest := nextField(s); k != ""; k, rest = nextField(rest) {
		if k == f {
			return true
		}
	}
	return false
}

// addLocked appends one record. Callers hold j.mu.
func (j *Journal) addLocked(key string, at int64, e Entry) {
	vals := [nFields]string{fKey: key, fStep: e.Step, fTopic: e.Topic, fMsgID: e.MsgID, fTxID: e.TxID,
		fGroup: e.Group, fOutcome: e.Outcome, fDetail: e.Detail}
	r := record{at: at, attempt: int32(e.Attempt), hash: maphash.String(j.seed, key)}
	n := uint64(0)
	for i, v := range vals {
		vals[i] = cut(v)
		r.lens[i] = uint16(len(vals[i]))
		n += uint64(len(vals[i]))
	}
	if off := j.pos % j.chunkBytes; off+n > j.chunkBytes { // a record never straddles two chunks
		j.pos += j.chunkBytes - off
	}
	r.data = j.pos
	end := j.pos + n
	capacity := uint64(j.opts.Capacity)
	for j.first < j.next && (j.next-j.first >= capacity || end > j.arenaBytes && j.recs[j.first%capacity].data < end-j.arenaBytes) {
		j.evictLocked()
	}
	buf := j.chunkLocked(r.data)
	for _, v := range vals {
		buf = buf[copy(buf, v):]
	}
	if newest, ok := j.index[r.hash]; ok {
		r.prev = newest + 1
	}
	j.index[r.hash] = j.next
	if uint64(len(j.recs)) < capacity {
		j.recs = append(j.recs, r)
	} else {
		j.recs[j.next%capacity] = r
	}
	j.next++
	j.pos = end
}

// evictLocked drops the oldest record. Its key's older records are gone
// already, so the key leaves the index unless a newer record carries it.
func (j *Journal) evictLocked() {
	r := &j.recs[j.first%uint64(j.opts.Capacity)]
	if newest, ok := j.index[r.hash]; ok && newest == j.first {
		delete(j.index, r.hash)
	}
	j.first++
}

// chunkLocked returns the arena from position pos to the end of its chunk.
func (j *Journal) chunkLocked(pos uint64) []byte {
	i := (pos % j.arenaBytes) / j.chunkBytes
	if j.chunks[i] == nil {
		j.chunks[i] = make([]byte, j.chunkBytes)
	}
	return j.chunks[i][pos%j.chunkBytes:]
}

// fieldLocked returns a record's text field, aliasing the arena.
func (j *Journal) fieldLocked(r *record, f int) []byte {
	off := uint64(0)
	for _, l := range r.lens[:f] {
		off += uint64(l)
	}
	return j.chunkLocked(r.data + off)[:r.lens[f]]
}

// Entries returns the entries with key, oldest first (by At; entries added
// with equal times keep the order they were added in).
func (j *Journal) Entries(key string) []Entry {
	out := []Entry{}
	j.mu.Lock()
	seq, ok := j.index[maphash.String(j.seed, key)]
	for ok && seq >= j.first {
		r := &j.recs[seq%uint64(j.opts.Capacity)]
		if string(j.fieldLocked(r, fKey)) == key { // another key may share the hash
			text := func(f int) string { return string(j.fieldLocked(r, f)) }
			out = append(out, Entry{
				At: time.Unix(0, r.at).UTC(), Actor: j.opts.Actor, Instance: j.opts.Instance, Step: text(fStep), Key: key,
				Topic: text(fTopic), MsgID: text(fMsgID), TxID: text(fTxID), Group: text(fGroup), Attempt: int(r.attempt),
				Outcome: text(fOutcome), Detail: text(fDetail),
			})
		}
		seq, ok = r.prev-1, r.prev != 0
	}
	j.mu.Unlock()
	for a, b := 0, len(out)-1; a < b; a, b = a+1, b-1 { // the chain runs newest first
		out[a], out[b] = out[b], out[a]
	}
	sort.SliceStable(out, func(a, b int) bool { return out[a].At.Before(out[b].At) })
	return out
}

// Len is how many records the journal holds now (a message with two keys
// holds two).
func (j *Journal) Len() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	return int(j.next - j.first)
}

// Keys is how many distinct key hashes the index holds now: the number of
// keys, barring a collision of 64-bit hashes.
func (j *Journal) Keys() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	return len(j.index)
}

// nextField splits off the first space-separated field of s without
// allocating; it returns "" when none is left.
func nextField(s string) (field, rest string) {
	s = strings.TrimLeft(s, " ")
	if i := strings.IndexByte(s, ' '); i >= 0 {
		return s[:i], s[i:]
	}
	return s, ""
}

// cut shortens s to at most maxField bytes, at a character boundary.
func cut(s string) string {
	if len(s) <= maxField {
		return s
	}
	i := maxField
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i]
}
