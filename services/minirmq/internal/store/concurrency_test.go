package store

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	"github.com/rocketmart/rocketmart/services/minirmq/internal/wire"
)

type sentMsg struct {
	topic string
	qid   int32
	body  string
	size  int64
	Appended
}

// writeConcurrently runs 8 writers (single and batched Appends) and returns
// what each message got.
func writeConcurrently(t *testing.T, s *Store, perWriter int) []sentMsg {
	t.Helper()
	var (
		mu   sync.Mutex
		all  []sentMsg
		wg   sync.WaitGroup
		errs = make(chan error, 8)
	)
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(w), 1))
			for i := 0; i < perWriter; {
				n := min(1+r.IntN(4), perWriter-i)
				var batch [][]byte
				var sent []sentMsg
				for j := range n {
					m := sentMsg{topic: fmt.Sprintf("C%d", r.IntN(3)), qid: int32(r.IntN(4)), body: fmt.Sprintf("w%d-%d", w, i+j)}
					b := msg(t, m.topic, m.qid, m.body)
					m.size = int64(len(b))
					batch, sent = append(batch, b), append(sent, m)
				}
				res, err := s.Append(batch...)
				if err != nil {
					errs <- err
					return
				}
				for j := range sent {
					sent[j].Appended = res[j]
				}
				mu.Lock()
				all = append(all, sent...)
				mu.Unlock()
				i += n
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	return all
}

// readConcurrently keeps reading every queue until stop is closed and checks
// that whatever it sees is complete and consistent. Data deleted by
// retention may vanish (allowMissing); wrong data may never appear.
func readConcurrently(t *testing.T, s *Store, stop <-chan struct{}, allowMissing bool) *sync.WaitGroup {
	var wg sync.WaitGroup
	for rd := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(rd), 2))
			for {
				select {
				case <-stop:
					return
				default:
				}
				topic, qid := fmt.Sprintf("C%d", r.IntN(3)), int32(r.IntN(4))
				lo, hi := s.QueueOffsets(topic, qid)
				if lo > hi {
					t.Errorf("QueueOffsets(%s,%d) = (%d,%d)", topic, qid, lo, hi)
					return
				}
				if lo == hi {
					continue
				}
				from := lo + r.Int64N(hi-lo)
				msgs, err := s.ReadQueue(topic, qid, from, 8, 1<<20)
				if err != nil {
					t.Errorf("ReadQueue: %v", err)
					return
				}
				if len(msgs) == 0 && !allowMissing {
					t.Errorf("ReadQueue(%s,%d,%d) in [%d,%d) returned nothing", topic, qid, from, lo, hi)
					return
				}
				for i, b := range msgs {
					m, _, err := wire.Decode(b)
					if err != nil || m.Topic != topic || m.QueueID != qid || m.QueueOffset != from+int64(i) {
						t.Errorf("ReadQueue(%s,%d,%d)[%d] = %+v, %v", topic, qid, from, i, m, err)
						return
					}
				}
				ent, err := s.Entry(topic, qid, hi-1)
				if err != nil && !(allowMissing && errors.Is(err, ErrNotFound)) {
					t.Errorf("Entry(%s,%d,%d): %v", topic, qid, hi-1, err)
					return
				}
				if err == nil {
					b, err := s.ReadAt(ent.CommitLogOffset)
					if err != nil && !(allowMissing && errors.Is(err, ErrNotFound)) {
						t.Errorf("ReadAt(%d): %v", ent.CommitLogOffset, err)
						return
					}
					if err == nil && int32(len(b)) != ent.Size {
						t.Errorf("ReadAt(%d) = %d bytes, entry says %d", ent.CommitLogOffset, len(b), ent.Size)
					}
					if err := s.Scan(ent.CommitLogOffset, func(int64, []byte) error { return nil }); err != nil &&
						!(allowMissing && errors.Is(err, ErrNotFound)) {
						t.Errorf("Scan(%d): %v", ent.CommitLogOffset, err)
					}
				}
				if got := s.SearchOffsetByTime(topic, qid, 0); got < lo && !allowMissing {
					t.Errorf("SearchOffsetByTime below min: %d < %d", got, lo)
				}
				s.Topics()
				s.Stats()
			}
		}()
	}
	return &wg
}

func TestConcurrentAppendAndRead(t *testing.T) {
	eachMode(t, func(t *testing.T, e *env) {
		e.opts.SegmentBytes = 16 << 10
		s := e.open()
		stop := make(chan struct{})
		readers := readConcurrently(t, s, stop, false)
		all := writeConcurrently(t, s, 250)
		close(stop)
		readers.Wait()

		slices.SortFunc(all, func(a, b sentMsg) int { return int(a.CommitLogOffset - b.CommitLogOffset) })
		var next int64
		perQueue := map[string][]int64{}
		for _, m := range all {
			if m.CommitLogOffset != next {
				t.Fatalf("commit-log offsets not dense: %d after end %d", m.CommitLogOffset, next)
			}
			next += frameHeader + m.size
			k := fmt.Sprintf("%s/%d", m.topic, m.qid)
			perQueue[k] = append(perQueue[k], m.QueueOffset)
			b, err := s.ReadAt(m.CommitLogOffset)
			if err != nil || string(decode(t, b).Body) != m.body {
				t.Fatalf("ReadAt(%d) = %v, want body %s", m.CommitLogOffset, err, m.body)
			}
		}
		if _, end := s.CommitLogRange(); end != next {
			t.Errorf("log end %d, want %d", end, next)
		}
		for k, offs := range perQueue {
			slices.Sort(offs)
			for i, o := range offs {
				if o != int64(i) {
					t.Fatalf("queue %s offsets not unique and dense: %v", k, offs)
				}
			}
		}
	})
}

func TestConcurrentRetention(t *testing.T) {
	eachMode(t, func(t *testing.T, e *env) {
		e.opts.SegmentBytes = 8 << 10
		e.opts.RetainBytes = 24 << 10
		s := e.open()
		stop := make(chan struct{})
		readers := readConcurrently(t, s, stop, true)
		var janitor sync.WaitGroup
		janitor.Add(1)
		go func() {
			defer janitor.Done()
			for {
				select {
				case <-stop:
					return
				default:
					s.runRetention()
				}
			}
		}()
		all := writeConcurrently(t, s, 150)
		close(stop)
		readers.Wait()
		janitor.Wait()
		s.runRetention()
		lo, hi := s.CommitLogRange()
		if hi-lo > 24<<10+8<<10 || lo == 0 {
			t.Errorf("log spans [%d,%d) after retention", lo, hi)
		}
		for _, m := range all {
			_, err := s.ReadAt(m.CommitLogOffset)
			if (m.CommitLogOffset < lo) != errors.Is(err, ErrNotFound) {
				t.Errorf("ReadAt(%d) with min %d: %v", m.CommitLogOffset, lo, err)
			}
		}
	})
}
