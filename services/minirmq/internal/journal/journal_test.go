package journal

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"
)

// clock is a fake time source that moves one millisecond per reading.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Millisecond)
	return c.t
}

func newTest(capacity int) *Journal {
	c := &clock{t: time.Date(2026, 12, 3, 7, 0, 0, 0, time.UTC)}
	return New(Options{Capacity: capacity, Actor: "broker", Instance: "127.0.0.1:9876", Now: c.now})
}

func steps(es []Entry) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.Step
	}
	return out
}

func TestEntriesByKey(t *testing.T) {
	j := newTest(100)
	j.Add(Entry{Step: "stored", Key: "RM1", Topic: "ORDER_PAID", MsgID: "m1"})
	j.Add(Entry{Step: "stored", Key: "RM2 RM1", MsgID: "m2"})
	j.Add(Entry{Step: "delivered", Key: "RM1", MsgID: "m1", Group: "g", Attempt: 1})
	j.Add(Entry{Step: "stored", Key: "", MsgID: "no key"})
	j.Add(Entry{Step: "stored", Key: "   ", MsgID: "only spaces"})
	j.Add(Entry{Step: "stored", Key: "RM3  RM3", MsgID: "twice"})

	for _, tc := range []struct {
		key       string
		wantMsgID []string
	}{
		{"RM1", []string{"m1", "m2", "m1"}},
		{"RM2", []string{"m2"}},
		{"RM3", []string{"twice"}},
		{"RM2 RM1", nil},
		{"", nil},
		{"unknown", nil},
	} {
		t.Run(tc.key, func(t *testing.T) {
			es := j.Entries(tc.key)
			var got []string
			for _, e := range es {
				got = append(got, e.MsgID)
				if e.Key != tc.key || e.Actor != "broker" || e.Instance != "127.0.0.1:9876" {
					t.Errorf("entry %+v: want key %q, actor broker, instance 127.0.0.1:9876", e, tc.key)
				}
			}
			if !slices.Equal(got, tc.wantMsgID) {
				t.Errorf("Entries(%q) msgIds %v, want %v", tc.key, got, tc.wantMsgID)
			}
			if es == nil {
				t.Errorf("Entries(%q) = nil, want an empty slice (JSON [])", tc.key)
			}
		})
	}
	if got := j.Len(); got != 5 {
		t.Errorf("Len %d, want 5 (a message with two keys takes two places, one without keys none)", got)
	}
}

// TestOrderByTime: an entry added with an earlier time (a "stored" stamped
// before the append made the message visible) sorts before one added
// earlier with a later time; equal times keep the order of adding.
func TestOrderByTime(t *testing.T) {
	j := newTest(10)
	t0 := time.Date(2026, 12, 3, 8, 0, 0, 0, time.UTC)
	j.Add(Entry{At: t0.Add(2 * time.Microsecond), Step: "delivered", Key: "K"})
	j.Add(Entry{At: t0, Step: "decided", Key: "K"})
	j.Add(Entry{At: t0, Step: "stored", Key: "K"})
	j.Add(Entry{At: t0.Add(time.Microsecond), Step: "end-transaction", Key: "K"})
	if got, want := steps(j.Entries("K")), []string{"decided", "stored", "end-transaction", "delivered"}; !slices.Equal(got, want) {
		t.Errorf("steps %v, want %v", got, want)
	}
}

// TestRingBound: once full, each new entry evicts the oldest, and a key
// whose entries are all gone leaves the index.
func TestRingBound(t *testing.T) {
	const capacity = 5
	j := newTest(capacity)
	for i := range 12 {
		j.Add(Entry{Step: "stored", Key: fmt.Sprintf("K%d", i), MsgID: fmt.Sprint(i)})
	}
	if got := j.Len(); got != capacity {
		t.Errorf("Len %d, want the capacity %d", got, capacity)
	}
	for i := range 12 {
		n := len(j.Entries(fmt.Sprintf("K%d", i)))
		if want := min(max(i-6, 0), 1); n != want {
			t.Errorf("entries of K%d: %d, want %d (only the last %d entries are kept)", i, n, want, capacity)
		}
	}
	if got := j.Keys(); got != capacity {
		t.Errorf("index holds %d keys, want %d (K7…K11): evicted keys must leave it", got, capacity)
	}
	for i := range 3 {
		j.Add(Entry{Step: "delivered", Key: "shared K11", MsgID: fmt.Sprint("s", i)})
	}
	// Records, oldest first: s0/shared, s0/K11, s1/shared, s1/K11, s2/shared, s2/K11;
	// the last five stay.
	for key, want := range map[string][]string{"K11": {"s0", "s1", "s2"}, "shared": {"s1", "s2"}} {
		var got []string
		for _, e := range j.Entries(key) {
			got = append(got, e.MsgID)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s after three two-key entries: %v, want %v (each took two places)", key, got, want)
		}
	}
	if got := j.Keys(); got != 2 {
		t.Errorf("index holds %d keys, want 2 (shared, K11)", got)
	}
}

// TestArenaBound: entries with long text are evicted when the arena is
// full, before the capacity is reached; what stays reads back intact.
func TestArenaBound(t *testing.T) {
	const chunk = nFields * maxField
	j := newSized(Options{Capacity: 1000, Actor: "broker"}, chunk, 3)
	pad := strings.Repeat("é", 250) // 500 bytes
	for i := range 200 {
		j.Add(Entry{Step: "retry", Key: fmt.Sprintf("K%d", i), Detail: fmt.Sprintf("%d %s", i, pad), Attempt: i})
	}
	n := j.Len()
	if n < 2*chunk/520 || n > 3*chunk/500 {
		t.Errorf("Len %d, want what fits in 2–3 chunks of %d bytes at about 520 bytes an entry", n, chunk)
	}
	if j.Keys() != n {
		t.Errorf("index holds %d keys for %d entries of distinct keys", j.Keys(), n)
	}
	for i := range 200 {
		es := j.Entries(fmt.Sprintf("K%d", i))
		if live := i >= 200-n; len(es) != map[bool]int{true: 1}[live] {
			t.Fatalf("K%d: %d entries; want them for the newest %d only", i, len(es), n)
		}
		if len(es) == 1 && (es[0].Detail != fmt.Sprintf("%d %s", i, pad) || es[0].Attempt != i || es[0].Step != "retry") {
			t.Errorf("K%d read back as %+v", i, es[0])
		}
	}
}

func TestLongFieldsAreCut(t *testing.T) {
	j := newTest(10)
	long := strings.Repeat("é", maxField) // 2 bytes a character
	j.Add(Entry{Step: "stored", Key: "K", Detail: "x" + long})
	j.Add(Entry{Step: "stored", Key: strings.Repeat("k", maxField+1)})
	es := j.Entries("K")
	if len(es) != 1 || len(es[0].Detail) > maxField || !utf8.ValidString(es[0].Detail) || !strings.HasPrefix("x"+long, es[0].Detail) {
		t.Errorf("long detail read back as %d bytes (valid UTF-8: %v), want a prefix of at most %d at a character boundary",
			len(es[0].Detail), utf8.ValidString(es[0].Detail), maxField)
	}
	if j.Len() != 1 {
		t.Errorf("Len %d, want 1: a key longer than %d bytes is not indexed", j.Len(), maxField)
	}
}

func TestJSON(t *testing.T) {
	at := time.Date(2026, 12, 3, 7, 0, 0, 123456789, time.FixedZone("CET", 3600))
	for _, tc := range []struct {
		name string
		e    Entry
		want string
	}{
		{"full", Entry{At: at, Actor: "broker", Instance: "127.0.0.1:9876", Step: "delivered", Key: "RM1", Topic: "T",
			MsgID: "M", TxID: "X", Group: "g", Attempt: 2, Outcome: "commit", Detail: "d"},
			`{"at":"2026-12-03T06:00:00.123456Z","actor":"broker","instance":"127.0.0.1:9876","step":"delivered","key":"RM1",` +
				`"topic":"T","msgId":"M","txId":"X","group":"g","attempt":2,"outcome":"commit","detail":"d"}`},
		{"empty fields omitted, whole second keeps its microseconds", Entry{At: at.Truncate(time.Second), Actor: "broker", Step: "acked", Key: "RM1"},
			`{"at":"2026-12-03T06:00:00.000000Z","actor":"broker","step":"acked","key":"RM1"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := json.Marshal(tc.e)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Errorf("JSON\n got %s\nwant %s", got, tc.want)
			}
		})
	}
}

func TestRetention(t *testing.T) {
	if got, want := New(Options{}).Retention(), "the last 100000 broker events since minirmq started (in memory)"; got != want {
		t.Errorf("Retention() = %q, want %q", got, want)
	}
}

// TestConcurrent is for -race: writers on a small ring and readers at once;
// every answer is in time order and carries only its key.
func TestConcurrent(t *testing.T) {
	j := New(Options{Capacity: 64, Actor: "broker"})
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := range 2000 {
				j.Add(Entry{Step: "delivered", Key: fmt.Sprintf("K%d", (w+i)%10), Attempt: i})
			}
		})
	}
	for r := range 2 {
		wg.Go(func() {
			for i := range 2000 {
				key := fmt.Sprintf("K%d", (r+i)%10)
				es := j.Entries(key)
				for k, e := range es {
					if e.Key != key || (k > 0 && e.At.Before(es[k-1].At)) {
						t.Errorf("Entries(%q)[%d] = %+v: wrong key or out of order", key, k, e)
						return
					}
				}
			}
		})
	}
	wg.Wait()
	if got := j.Len(); got != 64 {
		t.Errorf("Len %d, want 64", got)
	}
}

// BenchmarkJournalAppend is the cost the send and pull paths pay per
// journaled step: a full journal (every Add evicts) over 20,000 keys,
// about five steps per key as with real orders.
func BenchmarkJournalAppend(b *testing.B) {
	j := New(Options{Actor: "broker", Instance: "127.0.0.1:9876"})
	keys := benchKeys
	e := Entry{Step: "delivered", Topic: "ORDER_PAID", MsgID: "7F0000010B2C18B4AAC2693F4C7F0000", Group: "points-order-paid", Attempt: 1}
	for i := range DefaultCapacity {
		e.Key = keys[i%len(keys)]
		j.Add(e)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		e.Key = keys[i%len(keys)]
		j.Add(e)
		i++
	}
}

// BenchmarkJournalAppendParallel is the same under contention from every CPU.
func BenchmarkJournalAppendParallel(b *testing.B) {
	j := New(Options{Actor: "broker"})
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		e := Entry{Step: "delivered", Topic: "ORDER_PAID", MsgID: "7F0000010B2C18B4AAC2693F4C7F0000", Group: "points-order-paid", Attempt: 1}
		i := 0
		for pb.Next() {
			e.Key = benchKeys[i%len(benchKeys)]
			j.Add(e)
			i++
		}
	})
}

var benchKeys = func() []string {
	keys := make([]string, 20_000)
	for i := range keys {
		keys[i] = fmt.Sprintf("RM20261203-%06d", i)
	}
	return keys
}()
