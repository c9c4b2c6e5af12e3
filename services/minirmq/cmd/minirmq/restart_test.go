//go:build !race

// Across a broker restart the consumer's rebalances write
// SubscriptionData.SubVersion while the client's 30 s route refresh reads it:
// a data race inside rocketmq-client-go v2.1.2 (apache/rocketmq-client-go#961;
// the root package's preStartClient only avoids it at start). `make test`
// runs this file in a separate pass without -race; see the Makefile.

package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/apache/rocketmq-client-go/v2/consumer"
	"github.com/apache/rocketmq-client-go/v2/primitive"
	"github.com/apache/rocketmq-client-go/v2/producer"

	"github.com/rocketmart/rocketmart/services/minirmq/internal/testpoll"
)

// TestConsumerReceivesAfterKill9Restart kills minirmq with SIGKILL while a
// real push consumer is attached (its pulls parked in the broker) and
// restarts it on the same data directory and port: a message sent after the
// restart reaches the consumer within restartDeliveryBound of the kill.
//
// What sets the time is the client, not the broker: rocketmq-client-go
// v2.1.2 does not fail a request whose connection closed, so each pull
// parked in the killed broker waits for its own 30 s timeout, and the pull
// loop then backs off 3 s before it pulls again (against Apache RocketMQ
// the same). The consumer's heartbeat (every 30 s) re-registers it in
// between, so its next pull is served at once. A kill just after the pulls
// were parked is the worst case: about 33 s.
func TestConsumerReceivesAfterKill9Restart(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "minirmq")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	dir, listen, admin := t.TempDir(), freeAddr(t), freeAddr(t)
	p := startProc(t, bin, dir, listen, admin)
	ns := primitive.NewPassthroughResolver([]string{listen})
	const topic, group = "restart-topic", "restart-group"

	var mu sync.Mutex
	got := map[string]time.Time{}
	received := func(body string) (time.Time, bool) {
		mu.Lock()
		defer mu.Unlock()
		at, ok := got[body]
		return at, ok
	}
	pc, err := consumer.NewPushConsumer(consumer.WithNsResolver(ns), consumer.WithGroupName(group),
		consumer.WithInstance("restart-c"), consumer.WithConsumerModel(consumer.Clustering))
	if err != nil {
		t.Fatal(err)
	}
	err = pc.Subscribe(topic, consumer.MessageSelector{}, func(_ context.Context, msgs ...*primitive.MessageExt) (consumer.ConsumeResult, error) {
		mu.Lock()
		defer mu.Unlock()
		for _, m := range msgs {
			if _, seen := got[string(m.Body)]; !seen {
				got[string(m.Body)] = time.Now()
			}
		}
		return consumer.ConsumeSuccess, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	pr, err := producer.NewDefaultProducer(producer.WithNsResolver(ns), producer.WithInstanceName("restart-p"), producer.WithRetry(0))
	if err != nil {
		t.Fatal(err)
	}
	// The topic exists (with its queues) before the consumer starts.
	if err := pr.Start(); err != nil {
		t.Fatal(err)
	}
	defer pr.Shutdown()
	send := func(body string) error {
		_, err := pr.SendSync(context.Background(), primitive.NewMessage(topic, []byte(body)))
		return err
	}
	if err := send("before"); err != nil {
		t.Fatal(err)
	}
	if err := pc.Start(); err != nil {
		t.Fatal(err)
	}
	defer pc.Shutdown()
	testpoll.Eventually(t, 20*time.Second, "message sent before the kill consumed", func() bool { _, ok := received("before"); return ok })
	// Let every queue's pull be parked in the broker, as on an idle shop:
	// the topic's four queues and the group's retry queue.
	testpoll.Eventually(t, 10*time.Second, "pulls parked", func() bool { return heldPulls(t, admin) >= 5 })

	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	p.cmd.Wait()
	killed := time.Now()
	p = startProc(t, bin, dir, listen, admin)
	ready := time.Now()

	// The producer's connection died with the broker: retry until a send is accepted.
	var sent time.Time
	testpoll.Eventually(t, 10*time.Second, "a send accepted after the restart", func() bool {
		sent = time.Now()
		return send("after") == nil
	})
	var at time.Time
	testpoll.Eventually(t, time.Until(killed.Add(restartDeliveryBound)), fmt.Sprintf(
		"the consumer to receive a message sent after the restart, within %v of the kill (restart took %v)",
		restartDeliveryBound, ready.Sub(killed).Round(time.Millisecond)), func() bool {
		var ok bool
		at, ok = received("after")
		return ok
	})
	t.Logf("restart took %v; message sent %v after it was ready, received %v after it was sent (%v after the kill)",
		ready.Sub(killed).Round(time.Millisecond), sent.Sub(ready).Round(time.Millisecond),
		at.Sub(sent).Round(time.Millisecond), at.Sub(killed).Round(time.Millisecond))
}

// restartDeliveryBound is the client's 30 s pull timeout, its 3 s back-off
// after a failed pull, and margin for a busy machine.
const restartDeliveryBound = 40 * time.Second

// heldPulls reads minirmq_pulls_held from the admin API's metrics.
func heldPulls(t *testing.T, admin string) int {
	t.Helper()
	resp, err := http.Get("http://" + admin + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(body), "\n") {
		var n int
		if _, err := fmt.Sscanf(line, "minirmq_pulls_held %d", &n); err == nil {
			return n
		}
	}
	return 0
}
