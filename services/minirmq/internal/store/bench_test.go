package store

import (
	"bytes"
	"fmt"
	"runtime"
	"testing"

	"github.com/rocketmart/rocketmart/services/minirmq/internal/wire"
)

// msg1KiB is a message with a 1 KiB body and a few small properties.
func msg1KiB(t testing.TB, topic string, qid int32) []byte {
	m := wire.Message{
		Topic: topic, QueueID: qid, BornTimestamp: 1, BornHost: bornHost, StoreHost: storeHost,
		Body:       bytes.Repeat([]byte("x"), 1024),
		Properties: wire.Properties{wire.PropTags: "t", wire.PropUniqKey: "0A0101010000000000000000000000"},
	}
	b, err := m.Encode()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func BenchmarkAppend1KiB(b *testing.B) {
	e := newEnv(b, "file")
	s := e.open()
	m := msg1KiB(b, "Bench", 0) // Append stamps in place, so one buffer serves every call
	b.SetBytes(int64(len(m)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Append(m); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}

func BenchmarkAppend1KiBBatch32(b *testing.B) {
	e := newEnv(b, "file")
	s := e.open()
	batch := make([][]byte, 32)
	for i := range batch {
		batch[i] = msg1KiB(b, "Bench", int32(i%4))
	}
	b.SetBytes(int64(32 * len(batch[0])))
	for b.Loop() {
		if _, err := s.Append(batch...); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(32*b.N)/b.Elapsed().Seconds(), "msgs/s")
}

func BenchmarkReadQueue1KiB(b *testing.B) {
	e := newEnv(b, "file")
	s := e.open()
	m := msg1KiB(b, "Bench", 0)
	const n = 10000
	for range n {
		if _, err := s.Append(m); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(32 * len(m)))
	i := int64(0)
	for b.Loop() {
		got, err := s.ReadQueue("Bench", 0, i%(n-32), 32, 1<<20)
		if err != nil || len(got) != 32 {
			b.Fatalf("ReadQueue: %d, %v", len(got), err)
		}
		i += 32
	}
	b.ReportMetric(float64(32*b.N)/b.Elapsed().Seconds(), "msgs/s")
}

func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse
}

// TestHeapDoesNotGrowWithLog stores 200k 1 KiB messages (~230 MiB of log)
// and checks that the heap does not hold them.
func TestHeapDoesNotGrowWithLog(t *testing.T) {
	if testing.Short() {
		t.Skip("writes ~230 MiB")
	}
	const total, batchSize = 200_000, 100
	e := newEnv(t, "file")
	s := e.open()
	batch := make([][]byte, batchSize)
	for i := range batch {
		batch[i] = msg1KiB(t, fmt.Sprintf("Heap%d", i%4), int32(i%8))
	}
	before := heapInUse()
	for range total / batchSize {
		if _, err := s.Append(batch...); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	after := heapInUse()
	st := s.Stats()
	growth := int64(after) - int64(before)
	t.Logf("heap in use: %.1f MiB before, %.1f MiB after storing %d messages (%.0f MiB of log in %d segments); growth %.1f MiB",
		float64(before)/(1<<20), float64(after)/(1<<20), total, float64(st.CommitLogBytes)/(1<<20), st.Segments, float64(growth)/(1<<20))
	if st.CommitLogBytes < total*1024 {
		t.Fatalf("log holds %d bytes, want at least %d", st.CommitLogBytes, total*1024)
	}
	if growth > 64<<20 {
		t.Errorf("heap grew by %d MiB", growth>>20)
	}
	// The data is there and readable from the files.
	got, err := s.ReadQueue("Heap1", 1, 12345, 1, 1<<20)
	if err != nil || len(got) != 1 || len(decode(t, got[0]).Body) != 1024 {
		t.Errorf("ReadQueue after the fill: %d msgs, %v", len(got), err)
	}
}
