// Package journal keeps minirmq's part of the per-order timeline (issue 15):
// the broker's steps with each message, findable by message key (the order
// number of every RocketMart message). It holds the last Capacity entries in
// memory, in a ring indexed by key; an entry leaves the index when it leaves
// the ring, so memory is bounded by the capacity. A restart starts empty.
//
// Add is on the broker's send and pull paths, so it is one mutex-protected
// copy into a preallocated slot; the only allocation is the index slice of a
// key growing, amortised over its appends.
package journal

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"
)

// DefaultCapacity is how many entries the broker keeps.
const DefaultCapacity = 100_000

// TimeFormat is the contract's "at": UTC, RFC 3339 with microseconds.
const TimeFormat = "2006-01-02T15:04:05.000000Z07:00"

// Entry is one step of one message, in the timeline contract's shape.
// Empty fields are omitted from its JSON.
type Entry struct {
	At       time.Time `json:"-"`
	Actor    string    `json:"actor"`
	Instance string    `json:"instance,omitempty"`
	Step     string    `json:"step"`
	// Key is the message key. On Add it is the message's KEYS, one or
	// more separated by spaces; Entries answers with the key asked for.
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

// Journal is the ring of the last Capacity entries and its index by key.
// Its methods are safe for concurrent use.
type Journal struct {
	opts Options

	mu    sync.Mutex
	ring  []record            // grows to Capacity, then entry n lives at n % Capacity
	added uint64              // entries ever added
	index map[string][]uint64 // key → sequence numbers of its live entries, oldest first
}

// record is an Entry as kept: without the fields every entry shares, and
// with the time as a number.
type record struct {
	at                                                     int64 // Unix nanoseconds
	step, keys, topic, msgID, txID, group, outcome, detail string
	attempt                                                int32
}

// New returns an empty journal.
func New(opts Options) *Journal {
	if opts.Capacity <= 0 {
		opts.Capacity = DefaultCapacity
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Journal{opts: opts, index: map[string][]uint64{}}
}

// Capacity is how many entries the journal keeps.
func (j *Journal) Capacity() int { return j.opts.Capacity }

// Retention says what the journal keeps, for the people reading it.
func (j *Journal) Retention() string {
	return fmt.Sprintf("the last %d broker events since minirmq started (in memory)", j.opts.Capacity)
}

// Add records e under each of its keys, evicting the oldest entry when the
// journal is full. An entry without a key is dropped: nobody could ask for
// it. A zero At is stamped with the current time.
func (j *Journal) Add(e Entry) {
	if !hasField(e.Key) {
		return
	}
	r := record{
		at: e.At.UnixNano(), step: e.Step, keys: e.Key, topic: e.Topic, msgID: e.MsgID, txID: e.TxID,
		group: e.Group, outcome: e.Outcome, detail: e.Detail, attempt: int32(e.Attempt),
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if e.At.IsZero() {
		r.at = j.opts.Now().UnixNano()
	}
	seq := j.added
	if len(j.ring) < j.opts.Capacity {
		j.ring = append(j.ring, r)
	} else {
		slot := seq % uint64(j.opts.Capacity)
		j.unindex(j.ring[slot].keys, seq-uint64(j.opts.Capacity))
		j.ring[slot] = r
	}
	for k, rest := nextField(r.keys); k != ""; k, rest = nextField(rest) {
		j.index[k] = append(j.index[k], seq)
	}
	j.added++
}

// unindex removes the evicted entry seq from its keys' lists, where it is
// first: entries leave the ring in the order they entered it.
func (j *Journal) unindex(keys string, seq uint64) {
	for k, rest := nextField(keys); k != ""; k, rest = nextField(rest) {
		s := j.index[k]
		if len(s) > 0 && s[0] == seq {
			s = s[1:]
		}
		if len(s) == 0 {
			delete(j.index, k)
		} else {
			j.index[k] = s
		}
	}
}

// Entries returns the entries with key, oldest first (by At; entries added
// with equal times keep the order they were added in). Key in each entry is
// key itself, also for a message that has several.
func (j *Journal) Entries(key string) []Entry {
	j.mu.Lock()
	seqs := j.index[key]
	out := make([]Entry, 0, len(seqs))
	for i, seq := range seqs {
		if i > 0 && seqs[i-1] == seq {
			continue // the key appears twice in one message's KEYS
		}
		r := &j.ring[seq%uint64(j.opts.Capacity)]
		out = append(out, Entry{
			At: time.Unix(0, r.at).UTC(), Actor: j.opts.Actor, Instance: j.opts.Instance, Step: r.step, Key: key,
			Topic: r.topic, MsgID: r.msgID, TxID: r.txID, Group: r.group, Attempt: int(r.attempt),
			Outcome: r.outcome, Detail: r.detail,
		})
	}
	j.mu.Unlock()
	sort.SliceStable(out, func(a, b int) bool { return out[a].At.Before(out[b].At) })
	return out
}

// Len is how many entries the journal holds now.
func (j *Journal) Len() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	return len(j.ring)
}

// Keys is how many distinct keys the index holds now.
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

func hasField(s string) bool {
	k, _ := nextField(s)
	return k != ""
}
