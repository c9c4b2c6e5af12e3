package main

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/apache/rocketmq-client-go/v2/primitive"
	"github.com/apache/rocketmq-client-go/v2/producer"
	"github.com/apache/rocketmq-client-go/v2/rlog"

	"github.com/rocketmart/rocketmart/services/minirmq/internal/testpoll"
)

func TestMain(m *testing.M) {
	rlog.SetLogLevel(cmp.Or(os.Getenv("MINIRMQ_CLIENT_LOG"), "error"))
	os.Exit(m.Run())
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

type brokerProc struct {
	cmd   *exec.Cmd
	admin string
}

func startProc(t *testing.T, bin, dir, listen, admin string, extra ...string) *brokerProc {
	t.Helper()
	args := append([]string{"-listen", listen, "-admin", admin, "-data", dir,
		"-tx-check-after", "500ms", "-tx-check-interval", "1s", "-delay-levels", "4s", "-log-level", "warn"}, extra...)
	cmd := exec.Command(bin, args...)
	log, err := os.OpenFile(filepath.Join(t.TempDir(), "broker.log"), os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &brokerProc{cmd: cmd, admin: admin}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	testpoll.Eventually(t, 10*time.Second, "broker healthy", func() bool {
		resp, err := http.Get("http://" + admin + "/healthz")
		if err == nil {
			resp.Body.Close()
		}
		return err == nil && resp.StatusCode == 200
	})
	return p
}

func getJSON(t *testing.T, url string, dst any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(dst); err != nil {
		t.Fatal(err)
	}
}

func (p *brokerProc) stored(t *testing.T, topic string) int64 {
	var out struct {
		Topics []struct {
			Topic  string
			Queues []struct{ MinOffset, MaxOffset int64 }
		}
	}
	getJSON(t, "http://"+p.admin+"/api/v1/topics", &out)
	var n int64
	for _, tp := range out.Topics {
		if tp.Topic == topic {
			for _, q := range tp.Queues {
				n += q.MaxOffset - q.MinOffset
			}
		}
	}
	return n
}

func (p *brokerProc) txStates(t *testing.T) map[string]int {
	var out struct{ Transactions []struct{ State string } }
	getJSON(t, "http://"+p.admin+"/api/v1/transactions", &out)
	states := map[string]int{}
	for _, tx := range out.Transactions {
		states[tx.State]++
	}
	return states
}

// listener answers the local transaction with execute and checks with check.
type listener struct {
	execute, check primitive.LocalTransactionState
}

func (l listener) ExecuteLocalTransaction(*primitive.Message) primitive.LocalTransactionState {
	return l.execute
}

func (l listener) CheckLocalTransaction(*primitive.MessageExt) primitive.LocalTransactionState {
	return l.check
}

// TestKill9LosesNothingAcknowledged kills the broker with SIGKILL while it
// holds acknowledged messages, a pending half message and a delayed message,
// and checks that a restart on the same directory still has all three: with
// the asynchronous flush and with -fsync (group commit).
func TestKill9LosesNothingAcknowledged(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "minirmq")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	for _, mode := range []struct {
		name string
		args []string
	}{{"async flush", nil}, {"fsync group commit", []string{"-fsync"}}} {
		t.Run(mode.name, func(t *testing.T) { kill9LosesNothing(t, bin, mode.args...) })
	}
}

func kill9LosesNothing(t *testing.T, bin string, args ...string) {
	dir, listen, admin := t.TempDir(), freeAddr(t), freeAddr(t)
	p := startProc(t, bin, dir, listen, admin, args...)

	// Acknowledged sends from several producers at once.
	const producers, perProducer = 4, 50
	var wg sync.WaitGroup
	errs := make(chan error, producers)
	for i := 0; i < producers; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			pr, err := producer.NewDefaultProducer(producer.WithNsResolver(primitive.NewPassthroughResolver([]string{listen})),
				producer.WithInstanceName(fmt.Sprintf("crash-p%d", i)), producer.WithGroupName("crash-pg"))
			if err == nil {
				err = pr.Start()
			}
			if err != nil {
				errs <- err
				return
			}
			defer pr.Shutdown()
			for j := 0; j < perProducer; j++ {
				if _, err := pr.SendSync(context.Background(), primitive.NewMessage("crash-topic", []byte(strings.Repeat("x", 512)))); err != nil {
					errs <- err
					return
				}
			}
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}

	// A delayed message (level 1 = 4 s here) and a half message answered Unknown.
	pr, err := producer.NewDefaultProducer(producer.WithNsResolver(primitive.NewPassthroughResolver([]string{listen})), producer.WithInstanceName("crash-delay"))
	if err != nil || pr.Start() != nil {
		t.Fatal("start producer", err)
	}
	delayed := primitive.NewMessage("crash-delayed", []byte("later"))
	delayed.WithDelayTimeLevel(1)
	if _, err := pr.SendSync(context.Background(), delayed); err != nil {
		t.Fatal(err)
	}
	pr.Shutdown()
	tx, err := producer.NewTransactionProducer(listener{primitive.UnknowState, primitive.UnknowState},
		producer.WithNsResolver(primitive.NewPassthroughResolver([]string{listen})),
		producer.WithInstanceName("crash-tx-1"), producer.WithGroupName("crash-txg"))
	if err != nil || tx.Start() != nil {
		t.Fatal("start transaction producer", err)
	}
	if _, err := tx.SendMessageInTransaction(context.Background(), primitive.NewMessage("crash-tx", []byte("half"))); err != nil {
		t.Fatal(err)
	}
	tx.Shutdown()
	if got := p.txStates(t)["pending"]; got != 1 {
		t.Fatalf("pending halves before the kill = %d, want 1", got)
	}

	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	p.cmd.Wait()
	p = startProc(t, bin, dir, listen, admin, args...)

	if got, want := p.stored(t, "crash-topic"), int64(producers*perProducer); got != want {
		t.Errorf("messages after kill -9 = %d, want every acknowledged one (%d)", got, want)
	}
	if got := p.txStates(t)["pending"]; got != 1 {
		t.Errorf("pending halves after kill -9 = %d, want 1", got)
	}
	// The delayed message still fires, once.
	testpoll.Eventually(t, 15*time.Second, "delayed message delivered after restart", func() bool { return p.stored(t, "crash-delayed") == 1 })

	// Another instance of the producer group answers the check: committed.
	tx2, err := producer.NewTransactionProducer(listener{primitive.CommitMessageState, primitive.CommitMessageState},
		producer.WithNsResolver(primitive.NewPassthroughResolver([]string{listen})),
		producer.WithInstanceName("crash-tx-2"), producer.WithGroupName("crash-txg"))
	if err != nil || tx2.Start() != nil {
		t.Fatal("start second transaction producer", err)
	}
	defer tx2.Shutdown()
	// A producer heartbeats only to brokers it learned from a route, that is
	// after its first send; until then no broker can check with it (Apache too).
	if _, err := tx2.SendMessageInTransaction(context.Background(), primitive.NewMessage("crash-warmup", []byte("w"))); err != nil {
		t.Fatal(err)
	}
	testpoll.Eventually(t, 20*time.Second, "half committed by a check after restart", func() bool { return p.stored(t, "crash-tx") == 1 })
	// The crashed half and the warm-up one are committed; nothing is pending.
	if got := p.txStates(t); got["committed"] != 2 || got["pending"] != 0 {
		t.Errorf("transaction states = %v, want two committed", got)
	}
}
