package launcher

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/rocketmart/rocketmart/services/contracts"
)

// These tests supervise real processes that are not the shop: the test
// binary itself, linked under each program's name, answers every readiness
// check until SIGTERM, or exits 3 at start while <name>.fail exists in
// the directory fakeDirVar names. So they need no build and run in seconds.
const fakeDirVar = "LAUNCHER_FAKE_DIR"

func TestMain(m *testing.M) {
	if dir := os.Getenv(fakeDirVar); dir != "" {
		fakeProgram(dir)
		return
	}
	os.Exit(m.Run())
}

func fakeProgram(dir string) {
	name := filepath.Base(os.Args[0])
	if _, err := os.Stat(filepath.Join(dir, name+".fail")); err == nil {
		fmt.Println("fake", name, "told to fail at start")
		os.Exit(3)
	}
	addr := os.Getenv(strings.ToUpper(name) + "_ADDR")
	for i, a := range os.Args {
		if a == "-admin" && i+1 < len(os.Args) {
			addr = os.Args[i+1]
		}
	}
	// Every request but the readiness polls goes to the log, for tests of
	// what the launcher asked a program.
	srv := &http.Server{Addr: addr, Handler: http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/readyz" && r.URL.Path != "/healthz" {
			fmt.Println("fake", name, "got", r.Method, r.URL.Path, "token", r.Header.Get("X-Admin-Token"))
		}
	})}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	go func() { <-ctx.Done(); srv.Close() }()
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		fmt.Println(err)
		os.Exit(1)
	}
}

// lockedBuffer is the progress output, read while supervisors write it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// fastRestart keeps the tests short; the doubling is still visible.
var fastRestart = RestartPolicy{FirstDelay: 50 * time.Millisecond, MaxDelay: 400 * time.Millisecond, StableAfter: time.Hour, GiveUpAfter: 3}

// fakeShop starts the fake programs under a supervisor; fail makes a
// program fail at start from then on.
func fakeShop(t *testing.T, opts Options) (s *Shop, progress *lockedBuffer, fail func(name string, on bool)) {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin, ctl := t.TempDir(), t.TempDir()
	for _, p := range append([]Program{Broker}, servers()...) {
		if err := os.Symlink(exe, filepath.Join(bin, p.Name)); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv(fakeDirVar, ctl)
	progress = &lockedBuffer{}
	opts.BinDir, opts.DataDir, opts.FreePorts, opts.MemoryBroker, opts.Progress = bin, t.TempDir(), true, true, progress
	opts.Restart = fastRestart
	s, err = Start(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Stop(); err != nil {
			t.Errorf("stop: %v", err)
		}
		if t.Failed() {
			t.Logf("progress:\n%s", progress)
		}
	})
	fail = func(name string, on bool) {
		path := filepath.Join(ctl, name+".fail")
		if on {
			err = os.WriteFile(path, nil, 0o644)
		} else {
			err = os.Remove(path)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	return s, progress, fail
}

// kill9 crashes a program through the API the workshops use.
func kill9(t *testing.T, s *Shop, name string) {
	t.Helper()
	if err := s.CrashProgram(name); err != nil {
		t.Fatal(err)
	}
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, what string, within time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not %s within %v", what, within)
		}
		time.Sleep(20 * time.Millisecond) // polling interval
	}
}

func answers(url string) bool {
	resp, err := http.Get(url + "/readyz")
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

func TestKilledProgramIsRestartedWithBackoff(t *testing.T) {
	s, progress, _ := fakeShop(t, Options{})
	for i, want := range []string{
		"payment    exited unexpectedly (signal: killed); restart 1 in 50ms",
		"payment    exited unexpectedly (signal: killed); restart 2 in 100ms", // not up for StableAfter: no reset
	} {
		kill9(t, s, "payment")
		waitFor(t, "restarted and ready", 5*time.Second, func() bool {
			return s.Restarts("payment") == i+1 && s.State("payment") == Running && answers(s.URL["payment"])
		})
		if out := progress.String(); !strings.Contains(out, want) || !strings.Contains(out, "payment    is back: ready in") {
			t.Errorf("progress lacks %q and the back line:\n%s", want, out)
		}
	}
}

func TestStoppedProgramIsNotRestarted(t *testing.T) {
	s, _, _ := fakeShop(t, Options{})
	if err := s.StopProgram("cart"); err != nil {
		t.Fatal(err)
	}
	// A crash elsewhere, restarted after the same delay, shows the
	// supervisors at work; by then cart would be back if it were restarted.
	kill9(t, s, "payment")
	waitFor(t, "payment restarted", 5*time.Second, func() bool { return s.State("payment") == Running && s.Restarts("payment") == 1 })
	if got := s.State("cart"); got != Stopped || s.Restarts("cart") != 0 || answers(s.URL["cart"]) {
		t.Fatalf("after StopProgram cart is %q after %d restarts, answering %v", got, s.Restarts("cart"), answers(s.URL["cart"]))
	}
	if err := s.StartProgram(context.Background(), "cart"); err != nil {
		t.Fatal(err)
	}
	if s.State("cart") != Running || !answers(s.URL["cart"]) {
		t.Fatalf("StartProgram: cart is %q", s.State("cart"))
	}
	kill9(t, s, "cart") // supervised again after StartProgram
	waitFor(t, "cart restarted", 5*time.Second, func() bool { return s.State("cart") == Running && s.Restarts("cart") == 1 })
}

func TestProgramFailingAtStartIsGivenUp(t *testing.T) {
	s, progress, fail := fakeShop(t, Options{})
	fail("points", true)
	kill9(t, s, "points")
	waitFor(t, "given up", 10*time.Second, func() bool { return s.State("points") == GaveUp })
	if got := s.Restarts("points"); got != fastRestart.GiveUpAfter {
		t.Errorf("%d restarts before giving up, want %d", got, fastRestart.GiveUpAfter)
	}
	out := progress.String()
	for _, want := range []string{
		"points     restart 1 failed: it exited (exit status 3); restart 2 in 100ms",
		"points     restart 2 failed: it exited (exit status 3); restart 3 in 200ms",
		"points     GAVE UP after 3 failed restarts in a row (last: it exited (exit status 3))",
		filepath.Join(s.LogDir, "points.log"),
		"fake points told to fail at start", // the log's last lines
	} {
		if !strings.Contains(out, want) {
			t.Errorf("progress lacks %q:\n%s", want, out)
		}
	}
	for _, name := range append(contracts.ServiceNames(), Gateway.Name) {
		if name != "points" && (s.State(name) != Running || !answers(s.URL[name])) {
			t.Errorf("%s is %q after points was given up", name, s.State(name))
		}
	}
	fail("points", false) // the trainer fixes the cause and starts it again
	if err := s.StartProgram(context.Background(), "points"); err != nil {
		t.Fatal(err)
	}
}

// TestBrokerGetsTheAdminToken: minirmq's mutating admin routes accept the
// token the services accept.
func TestBrokerGetsTheAdminToken(t *testing.T) {
	s, _, _ := fakeShop(t, Options{AdminToken: "workshop-token"})
	p, _ := s.program(Broker.Name)
	if got := envMap(t, p.env)["ADMIN_TOKEN"]; got != "workshop-token" {
		t.Errorf("minirmq runs with ADMIN_TOKEN=%q, want the services' workshop-token", got)
	}
}

func TestTwoOrderInstances(t *testing.T) {
	if _, err := Start(context.Background(), Options{OrderInstances: 2, DataDir: t.TempDir()}); !errors.Is(err, ErrTwoOrdersOnSQLite) {
		t.Errorf("two instances on SQLite: %v, want ErrTwoOrdersOnSQLite", err)
	}
	dsn := "mysql://rm@tcp(127.0.0.1:3306)/rm_order"
	s, _, _ := fakeShop(t, Options{OrderInstances: 2, DB: map[string]string{contracts.ServiceOrder: dsn}})
	first, second := s.URL[contracts.ServiceOrder], s.URL[SecondOrder]
	if second == "" || second == first || !answers(second) {
		t.Fatalf("second instance at %q (first %q)", second, first)
	}
	p, _ := s.program(SecondOrder)
	env := envMap(t, p.env)
	if env["ORDER_ADDR"] != strings.TrimPrefix(second, "http://") || env["ORDER_DB"] != dsn {
		t.Errorf("second instance env: ORDER_ADDR=%s ORDER_DB=%s", env["ORDER_ADDR"], env["ORDER_DB"])
	}
	web, _ := s.program(Gateway.Name)
	if got := envMap(t, web.env)["ORDER_URL"]; got != first {
		t.Errorf("the gateway calls %s, want the first instance %s", got, first)
	}
	kill9(t, s, SecondOrder) // supervised like the others
	waitFor(t, "order-2 restarted", 5*time.Second, func() bool { return s.State(SecondOrder) == Running && answers(second) })
}

// PIDs names every running program's process, a restart gives it a new
// one, and a stopped program has none.
func TestPIDs(t *testing.T) {
	s, _, _ := fakeShop(t, Options{})
	before := s.PIDs()
	if got, want := len(before), len(s.Programs()); got != want {
		t.Fatalf("%d pids for %d programs: %v", got, want, before)
	}
	for name, pid := range before {
		// The process's command name is the program's (a link to the test binary).
		if comm, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid)); err == nil && strings.TrimSpace(string(comm)) != name {
			t.Errorf("pid %d of %s is %q", pid, name, strings.TrimSpace(string(comm)))
		}
	}
	kill9(t, s, "payment")
	waitFor(t, "payment restarted", 5*time.Second, func() bool { return s.Restarts("payment") == 1 && s.State("payment") == Running })
	after := s.PIDs()
	if after["payment"] == 0 || after["payment"] == before["payment"] || after["cart"] != before["cart"] {
		t.Errorf("after payment's restart: payment %d (was %d), cart %d (was %d)", after["payment"], before["payment"], after["cart"], before["cart"])
	}
	if err := s.StopProgram("cart"); err != nil {
		t.Fatal(err)
	}
	if pid, ok := s.PIDs()["cart"]; ok {
		t.Errorf("stopped cart still has pid %d", pid)
	}
}
