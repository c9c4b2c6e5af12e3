package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/rocketmart/rocketmart/services/minirmq"
	"github.com/rocketmart/rocketmart/services/platform/dbtest"
)

// The flow tests run the shop for real: minirmq in-process, the inventory,
// payment and cart services as separate processes built from their modules,
// and the order service in-process through run(), all talking HTTP and the
// RocketMQ remoting protocol (rocketmq-client-go v2.1.2) over TCP.

const adminToken = "flow-test-admin"

// paymentTimeout is the orders' payment deadline in these tests.
// It is longer than the charge window (call timeout 2 s + 2 s, plus the
// check-back's 1 s slack), so a check-back that waits out the window still
// finds the order payable.
const paymentTimeout = 10 * time.Second

var binDir string // built service binaries

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "rocketmart-flow-bin")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

var buildOnce sync.Once
var buildErr error

// buildServices compiles the other services once per test binary.
func buildServices(t *testing.T) {
	t.Helper()
	buildOnce.Do(func() {
		for _, svc := range []string{"inventory", "payment", "cart", "logistics", "points"} {
			cmd := exec.Command("go", "build", "-o", filepath.Join(binDir, svc), "github.com/rocketmart/rocketmart/services/"+svc)
			if out, err := cmd.CombinedOutput(); err != nil {
				buildErr = fmt.Errorf("build %s: %v\n%s", svc, err, out)
				return
			}
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
}

// world is one running shop.
type world struct {
	t           *testing.T
	brokerAdmin string
	inventory   string
	payment     string
	cart        string
	points      string
	order       string
	proxy       *chargeProxy
	// pointsProxy sits in front of the points service's redemptions.
	pointsProxy *chargeProxy
	// logistics runs only in a whole shop (startShop).
	logistics string
}

// dsns returns one fresh database per service of the given flavour.
func dsns(t *testing.T, flavour string) map[string]string {
	out := map[string]string{}
	for _, svc := range []string{"order", "inventory", "payment", "cart", "logistics", "points"} {
		if flavour == "mysql" {
			out[svc] = dbtest.MySQLDSN(t)
		} else {
			out[svc] = dbtest.SQLiteDSN(t)
		}
	}
	return out
}

// startWorld runs the order service with the services it calls: inventory,
// payment and cart.
func startWorld(t *testing.T, flavour string) *world { t.Helper(); return start(t, flavour, nil) }

// startShop runs the whole shop: the world plus logistics and points, whose
// consumers take part in what happens after payment, each started with the
// extra variables of extra (service → variables).
func startShop(t *testing.T, flavour string, extra map[string]map[string]string) *world {
	t.Helper()
	if extra == nil {
		extra = map[string]map[string]string{}
	}
	return start(t, flavour, extra)
}

func start(t *testing.T, flavour string, shop map[string]map[string]string) *world {
	t.Helper()
	buildServices(t)
	db := dsns(t, flavour)
	logs := t.TempDir()

	bc := minirmq.DefaultConfig()
	bc.ListenAddr = "127.0.0.1:0"
	bc.TxCheckAfter, bc.TxCheckInterval = 400*time.Millisecond, 400*time.Millisecond
	bc.DelayLevels = []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second}
	bc.Logger = slog.New(slog.DiscardHandler)
	broker, err := minirmq.Start(bc)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { broker.Close() })
	admin := httptest.NewServer(broker.AdminHandler())
	t.Cleanup(admin.Close)

	w := &world{t: t, brokerAdmin: admin.URL}
	orderAddr := freeAddr(t)
	w.order = "http://" + orderAddr
	w.inventory = w.startProcess("inventory", logs, map[string]string{
		"INVENTORY_DB": db["inventory"], "ORDER_URL": w.order, "INVENTORY_SWEEP_INTERVAL": "1h",
	}, broker.Addr())
	w.payment = w.startProcess("payment", logs, map[string]string{"PAYMENT_DB": db["payment"]}, broker.Addr())
	w.cart = w.startProcess("cart", logs, map[string]string{"CART_DB": db["cart"], "INVENTORY_URL": w.inventory}, broker.Addr())
	withShop := func(svc string, vars map[string]string) map[string]string {
		maps.Copy(vars, shop[svc])
		return vars
	}
	// points always runs: the pay flow redeems points before it charges.
	w.points = w.startProcess("points", logs, withShop("points", map[string]string{"POINTS_DB": db["points"]}), broker.Addr())
	if shop != nil {
		w.logistics = w.startProcess("logistics", logs, withShop("logistics", map[string]string{"LOGISTICS_DB": db["logistics"]}), broker.Addr())
	}

	target, _ := url.Parse(w.payment)
	w.proxy = &chargeProxy{next: httputil.NewSingleHostReverseProxy(target), path: "/api/v1/charges"}
	proxy := httptest.NewServer(w.proxy)
	t.Cleanup(proxy.Close)
	pointsTarget, _ := url.Parse(w.points)
	w.pointsProxy = &chargeProxy{next: httputil.NewSingleHostReverseProxy(pointsTarget), path: "/api/v1/redemptions"}
	pointsProxy := httptest.NewServer(w.pointsProxy)
	t.Cleanup(pointsProxy.Close)

	env := map[string]string{
		"ORDER_ADDR": orderAddr, "ORDER_DB": db["order"], "ROCKETMQ_NAMESERVER": broker.Addr(), "ADMIN_TOKEN": adminToken,
		"INVENTORY_URL": w.inventory, "PAYMENT_URL": proxy.URL, "CART_URL": w.cart, "POINTS_URL": pointsProxy.URL,
		"ORDER_PAYMENT_TIMEOUT": paymentTimeout.String(), "ORDER_PAYMENT_CALL_TIMEOUT": "2s",
		"ORDER_SWEEP_INTERVAL": "1h", "ORDER_DELAY_LEVELS": "500ms 1s 2s 4s 8s", "LOG_LEVEL": "debug",
		// The client logs every rolled-back local transaction as an error.
		"ROCKETMQ_CLIENT_LOG_LEVEL": "fatal",
	}
	cfg, err := loadConfig(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", orderAddr)
	if err != nil {
		t.Fatal(err)
	}
	logFile, err := os.Create(filepath.Join(logs, "order.log"))
	if err != nil {
		t.Fatal(err)
	}
	cfg.Listener, cfg.LogOut = ln, logFile
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, cfg) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("order service: %v", err)
		}
		logFile.Close()
		if t.Failed() {
			dumpLogs(t, logs)
		}
	})
	w.waitReady("order", w.order)
	return w
}

// startProcess runs a service binary with the shared settings plus env.
func (w *world) startProcess(svc, logs string, env map[string]string, nameServer string) string {
	t := w.t
	addr := freeAddr(t)
	cmd := exec.Command(filepath.Join(binDir, svc))
	cmd.Env = append(os.Environ(),
		strings.ToUpper(svc)+"_ADDR="+addr, "ROCKETMQ_NAMESERVER="+nameServer, "ADMIN_TOKEN="+adminToken, "LOG_LEVEL=debug")
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out, err := os.Create(filepath.Join(logs, svc+".log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(15 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
		out.Close()
	})
	base := "http://" + addr
	w.waitReady(svc, base)
	return base
}

func (w *world) waitReady(svc, base string) {
	w.t.Helper()
	w.eventually(30*time.Second, svc+" ready", func() bool {
		resp, err := http.Get(base + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
}

func dumpLogs(t *testing.T, dir string) {
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		b, _ := os.ReadFile(filepath.Join(dir, e.Name()))
		if len(b) > 20000 {
			b = b[len(b)-20000:]
		}
		t.Logf("==== %s (tail)\n%s", e.Name(), b)
	}
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

func (w *world) eventually(timeout time.Duration, what string, cond func() bool) {
	w.t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			w.t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// call sends a JSON request and decodes the JSON answer.
func (w *world) call(method, url, user string, body any, header ...string) (int, map[string]any) {
	w.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		raw, _ := json.Marshal(b)
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		w.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if user != "" {
		req.Header.Set("X-User-ID", user)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		w.t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if len(raw) > 0 && json.Unmarshal(raw, &out) != nil {
		w.t.Fatalf("%s %s: %d, body is not a JSON object: %.300s", method, url, resp.StatusCode, raw)
	}
	return resp.StatusCode, out
}

func (w *world) admin(method, url string, body any) (int, map[string]any) {
	w.t.Helper()
	return w.call(method, url, "", body, "X-Admin-Token", adminToken)
}

// chargeProxy sits between the order service and the payment (or points)
// service and can break the charge (or redemption) call, POST path, the
// way a network does.
type chargeProxy struct {
	next http.Handler
	path string
	mu   sync.Mutex
	mode chargeMode
}

type chargeMode struct {
	delayBefore time.Duration // wait, then forward
	delayAfter  time.Duration // forward, then wait before answering
	failBefore  bool          // answer 504 without forwarding: no charge
	failAfter   bool          // forward, then answer 504: charged, caller unaware
}

func (p *chargeProxy) set(m chargeMode) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.mode = m
}

func (p *chargeProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	m := p.mode
	p.mu.Unlock()
	if r.Method != http.MethodPost || r.URL.Path != p.path {
		p.next.ServeHTTP(w, r)
		return
	}
	// Latency injection: the delays model a slow network, they do not
	// synchronise the test.
	time.Sleep(m.delayBefore)
	if m.failBefore {
		http.Error(w, "gateway timeout", http.StatusGatewayTimeout)
		return
	}
	rec := httptest.NewRecorder()
	p.next.ServeHTTP(rec, r)
	time.Sleep(m.delayAfter)
	if m.failAfter {
		http.Error(w, "gateway timeout", http.StatusGatewayTimeout)
		return
	}
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	w.Write(rec.Body.Bytes())
}
