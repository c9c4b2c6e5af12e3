//go:build !race

// Built without -race: a group of two push consumers shut down while the
// broker notifies a consumer-list change trips rocketmq-client-go v2.1.2's
// unlocked close flag (rmqClient.Shutdown vs InvokeSync), the client's own
// race; `make test` runs this file in its non-race pass, as it does the
// orderly tests.

package minirmq_test

import (
	"bufio"
	"fmt"
	"maps"
	"net"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/apache/rocketmq-client-go/v2/primitive"

	"github.com/rocketmart/rocketmart/services/minirmq"
	"github.com/rocketmart/rocketmart/services/minirmq/internal/remoting"
)

// transcoder sits between the real client and the broker and re-encodes
// every frame the client sends (JSON, the only serialization rocketmq-client-go
// v2.1.2 sends) as a ROCKETMQ binary header, the way a Java client with
// rocketmq.serialize.type=ROCKETMQ (or another 4.x client) sends it. The
// broker must answer each request in ROCKETMQ; the client decodes those
// answers with its own ROCKETMQ decoder (internal/remote/codec.go). Server
// requests (transaction checks, consumer-list changes) are re-encoded too.
type transcoder struct {
	t      *testing.T
	ln     net.Listener
	target string

	mu       sync.Mutex
	codes    map[int16]int // requests forwarded as ROCKETMQ, by code
	answered map[int16]int // ROCKETMQ responses, by request code
	pending  map[int32]int16
	problems []string
}

func startTranscoder(t *testing.T) *transcoder {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	tc := &transcoder{t: t, ln: ln, codes: map[int16]int{}, answered: map[int16]int{}, pending: map[int32]int16{}}
	t.Cleanup(func() { ln.Close() })
	return tc
}

func (tc *transcoder) serve() {
	for {
		c, err := tc.ln.Accept()
		if err != nil {
			return
		}
		go tc.relay(c)
	}
}

func (tc *transcoder) problem(format string, args ...any) {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	tc.problems = append(tc.problems, fmt.Sprintf(format, args...))
}

func (tc *transcoder) relay(client net.Conn) {
	defer client.Close()
	brk, err := net.Dial("tcp", tc.target)
	if err != nil {
		tc.problem("dial broker: %v", err)
		return
	}
	defer brk.Close()
	done := make(chan struct{}, 2)
	go func() { tc.pipe(client, brk, true); done <- struct{}{} }()
	go func() { tc.pipe(brk, client, false); done <- struct{}{} }()
	<-done
}

// pipe copies frames from src to dst, re-encoding their headers as ROCKETMQ.
func (tc *transcoder) pipe(src, dst net.Conn, fromClient bool) {
	defer dst.Close()
	r := bufio.NewReader(src)
	for {
		cmd, err := remoting.ReadCommand(r, 64<<20)
		if err != nil {
			return
		}
		tc.mu.Lock()
		switch {
		case fromClient && cmd.Serialization != remoting.SerializeJSON:
			tc.problems = append(tc.problems, fmt.Sprintf("client sent code %d in %v", cmd.Code, cmd.Serialization))
		case fromClient && !cmd.IsResponse():
			tc.codes[cmd.Code]++
			tc.pending[cmd.Opaque] = cmd.Code
		case !fromClient && cmd.IsResponse():
			code := tc.pending[cmd.Opaque]
			delete(tc.pending, cmd.Opaque)
			if cmd.Serialization != remoting.SerializeRocketMQ {
				tc.problems = append(tc.problems, fmt.Sprintf("broker answered code %d in %v", code, cmd.Serialization))
			}
			tc.answered[code]++
		}
		tc.mu.Unlock()
		cmd.Serialization = remoting.SerializeRocketMQ
		frame, err := remoting.Encode(cmd)
		if err != nil {
			tc.problem("encode code %d: %v", cmd.Code, err)
			return
		}
		if _, err := dst.Write(frame); err != nil {
			return
		}
	}
}

func (tc *transcoder) seen() (requests, answers map[int16]int, problems []string) {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	return maps.Clone(tc.codes), maps.Clone(tc.answered), slices.Clone(tc.problems)
}

// TestROCKETMQSerializedClient runs the shop's whole client repertoire —
// route, heartbeat, single, batch, delayed and transactional sends (with a
// check-back), a group of two push consumers with their offsets — with every request ROCKETMQ-serialized, and checks what is stored and
// delivered.
func TestROCKETMQSerializedClient(t *testing.T) {
	tc := startTranscoder(t)
	b := startBroker(t, fastTxChecks(5), func(c *minirmq.Config) { c.AdvertiseAddr = tc.ln.Addr().String() })
	tc.target = b.srv.Addr()
	b.nsAddr = tc.ln.Addr().String()
	go tc.serve()

	topic, group := uniqueName(t, "T"), uniqueName(t, "CG")
	p := b.newProducer(t, uniqueName(t, "PG"))
	l := newTxListener(topic, func(body string) primitive.LocalTransactionState {
		if body == "tx-checked" {
			return unknownTx
		}
		return commitTx
	}, func(string) primitive.LocalTransactionState { return commitTx })
	txp := b.newTxProducer(t, uniqueName(t, "TPG"), l)

	// A group of two, balanced before the messages under test are sent (a
	// rebalance may deliver a message twice, which RocketMQ allows): warm-up
	// messages go out until the last 8 reached both members, no queue to both.
	rec := &recorder{}
	c1 := b.startConsumer(t, group, topic, rec, nil)
	c2 := b.startConsumer(t, group, topic, rec, nil)
	var warm []string
	eventually(t, 25*time.Second, func() bool {
		body := fmt.Sprintf("warm-%d", len(warm))
		sendSync(t, p, primitive.NewMessage(topic, []byte(body)))
		warm = append(warm, body)
		if len(warm) < 9 {
			return false
		}
		recent := map[string]bool{}
		for _, w := range warm[len(warm)-8:] {
			recent[w] = true
		}
		owner, got := map[int]string{}, 0
		for _, d := range rec.all() {
			if !recent[d.Body] {
				continue
			}
			got++
			if o, ok := owner[d.QueueID]; ok && o != d.Consumer {
				return false
			}
			owner[d.QueueID] = d.Consumer
		}
		members := map[string]bool{}
		for _, c := range owner {
			members[c] = true
		}
		return got >= 8 && members[c1.instance] && members[c2.instance]
	}, "the group of two consumes from disjoint queues")
	before := len(rec.all())

	want := map[string]bool{}
	for i := range 4 {
		body := fmt.Sprintf("single-%d", i)
		sendSync(t, p, primitive.NewMessage(topic, []byte(body)).WithTag("TagA").WithKeys([]string{"k" + body}))
		want[body] = true
	}
	var batch []*primitive.Message
	for i := range 3 {
		body := fmt.Sprintf("batch-%d", i)
		batch = append(batch, primitive.NewMessage(topic, []byte(body)))
		want[body] = true
	}
	sendSync(t, p, batch...)
	delayed := primitive.NewMessage(topic, []byte("delayed"))
	delayed.WithDelayTimeLevel(2)
	sentAt := time.Now()
	sendSync(t, p, delayed)
	want["delayed"] = true
	sendTx(t, txp, topic, "tx-commit")
	sendTx(t, txp, topic, "tx-checked")
	want["tx-commit"], want["tx-checked"] = true, true

	delivered := func() map[string]int {
		got := map[string]int{}
		for _, d := range rec.all()[before:] {
			got[d.Body]++
		}
		return got
	}
	eventually(t, 30*time.Second, func() bool { return len(delivered()) == len(want) },
		"all %d messages delivered; got %v", len(want), func() string { return fmt.Sprint(delivered()) })
	b.waitCaughtUp(t, group, topic)
	for body, n := range delivered() {
		if !want[body] || n != 1 {
			t.Errorf("%q delivered %d times (expected: %v)", body, n, want[body])
		}
	}
	consumers := map[string]bool{}
	for _, d := range rec.all()[before:] {
		consumers[d.Consumer] = true
		if d.Body == "delayed" && d.At.Sub(sentAt) < testDelayLevels[1]-10*time.Millisecond {
			t.Errorf("delayed message delivered after %v, before its delay %v", d.At.Sub(sentAt), testDelayLevels[1])
		}
		if d.Body == "single-0" && (d.Tags != "TagA" || d.Keys != "ksingle-0") {
			t.Errorf("single-0 delivered with tags %q keys %q", d.Tags, d.Keys)
		}
	}
	if len(consumers) != 2 {
		t.Errorf("deliveries went to %d consumers of the group, want both", len(consumers))
	}
	if err := c1.Shutdown(); err != nil {
		t.Errorf("consumer Shutdown: %v", err)
	}

	requests, answers, problems := tc.seen()
	for _, p := range problems {
		t.Error(p)
	}
	// Every code the shop's clients send on their way here went through as ROCKETMQ and was answered so
	// (15 and 37 are one-way for the client: not answered it waits for).
	for _, code := range []int16{
		remoting.CodeGetRouteInfoByTopic, remoting.CodeHeartbeat, remoting.CodeSendMessage, remoting.CodeSendBatchMessage,
		remoting.CodePullMessage, remoting.CodeQueryConsumerOffset, remoting.CodeGetConsumerListByGroup,
	} {
		if answers[code] == 0 {
			t.Errorf("no ROCKETMQ answer to code %d (requests seen: %v)", code, requests)
		}
	}
	for _, code := range []int16{remoting.CodeUpdateConsumerOffset, remoting.CodeEndTransaction} {
		if requests[code] == 0 {
			t.Errorf("no ROCKETMQ request with code %d (requests seen: %v)", code, requests)
		}
	}
	if l.checks["tx-checked"] == 0 {
		t.Error("the check-back for tx-checked never reached the producer")
	}
	t.Logf("ROCKETMQ requests by code: %v", requests)
}
