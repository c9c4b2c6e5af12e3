//go:build !race

// The client's orderly consumer reads its process-queue cache without a lock
// (consumer/process_queue.go takeMessages in v2.1.2), so the race detector
// flags the client itself. `make test` runs this file in a separate pass
// without -race; see the Makefile.

package minirmq_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/apache/rocketmq-client-go/v2/consumer"
	"github.com/apache/rocketmq-client-go/v2/primitive"
)

// TestOrderlyConsumer: an orderly consumer cannot consume a queue before the
// broker grants it the queue lock (LOCK_BATCH_MQ); once granted, it receives
// every message of each queue once and in queue order.
func TestOrderlyConsumer(t *testing.T) {
	t.Parallel()
	b := startBroker(t)
	topic, group := uniqueName(t, "T"), uniqueName(t, "CG")
	p := b.newProducer(t, uniqueName(t, "PG"))
	const n = 40
	for i := range n {
		sendSync(t, p, primitive.NewMessage(topic, []byte(fmt.Sprintf("m-%02d", i))))
	}

	rec := &recorder{}
	b.startConsumer(t, group, topic, rec, nil, consumer.WithConsumerOrder(true))
	eventually(t, 30*time.Second, func() bool { return rec.len() >= n }, "orderly consumer received %s of %d", func() string { return fmt.Sprint(rec.len()) }, n)

	lastOffset := map[int]int64{}
	for _, d := range rec.all() {
		if prev, seen := lastOffset[d.QueueID]; seen && d.QueueOffset != prev+1 {
			t.Errorf("queue %d: offset %d after %d; orderly delivery must follow queue order without gaps or repeats", d.QueueID, d.QueueOffset, prev)
		} else if !seen && d.QueueOffset != 0 {
			t.Errorf("queue %d: first offset %d, want 0", d.QueueID, d.QueueOffset)
		}
		lastOffset[d.QueueID] = d.QueueOffset
	}
	for body, count := range rec.bodies() {
		if count != 1 {
			t.Errorf("%s delivered %d times, want once", body, count)
		}
	}
	if got := len(rec.bodies()); got != n {
		t.Errorf("distinct messages received = %d, want %d", got, n)
	}
}
