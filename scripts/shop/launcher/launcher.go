package launcher

import (
	"cmp"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rocketmart/rocketmart/services/contracts"
)

// Options configure one run of the shop.
type Options struct {
	// BinDir holds the programs built by Build.
	BinDir string
	// DataDir holds the SQLite files, minirmq's store and logs/<program>.log.
	DataDir string
	// FreePorts picks free ports instead of the defaults (tests).
	FreePorts bool
	// ListenHost is the address every program listens on; empty means
	// 127.0.0.1. Beyond loopback the programs refuse the default admin
	// token, so AdminToken must be set. The URLs stay 127.0.0.1.
	ListenHost string
	// MemoryBroker runs minirmq without a data directory (tests).
	MemoryBroker bool
	// BrokerFlags are added to minirmq's command line.
	BrokerFlags []string
	// DB overrides a service's DSN; the default is sqlite:DataDir/<svc>.db.
	DB map[string]string
	// Env is added to every service's environment (e.g. shorter timeouts).
	Env map[string]string
	// AdminToken is shared by every service; empty means rocketmart-admin.
	AdminToken string
	// Progress receives one line per step, and the supervisor's restart
	// lines; nil discards.
	Progress io.Writer
	// ReadyTimeout bounds each program's start-up; 0 means 60 s.
	ReadyTimeout time.Duration
	// Restart is the supervisor's back-off and give-up rule; zero fields
	// take DefaultRestart's.
	Restart RestartPolicy
	// OrderInstances is how many order services run in the one producer
	// group: 0 or 1, or 2 for the check-back lab, which adds SecondOrder on
	// its own port and needs DB["order"] on MySQL (see ErrTwoOrdersOnSQLite).
	OrderInstances int
	// Labs, when set, are served by the control API (see Labs); Shop.SetLabs
	// can plug them in later.
	Labs Labs
}

// SecondOrder is the second order instance's program name (and log file);
// SecondOrderPort its port in the embedded run. The gateway and the other
// services keep calling the first instance.
const (
	SecondOrder     = contracts.ServiceOrder + "-2"
	SecondOrderPort = 8087
)

// ErrTwoOrdersOnSQLite refuses two order instances on one SQLite file.
// SQLite in WAL mode lets two processes share a file without corruption,
// but the platform opens it with one connection per process and deferred
// transactions: that serialises writers inside one process only, and a
// transaction that reads and then writes after the other process committed
// fails at once with SQLITE_BUSY instead of waiting, so paying an order
// could fail under load. MySQL's row locks make two instances safe.
var ErrTwoOrdersOnSQLite = errors.New("two order instances need the order service on MySQL: " +
	"set ORDER_DB=mysql://USER[:PASS]@tcp(HOST:PORT)/DB (two processes on one SQLite file can fail writes with SQLITE_BUSY)")

// Shop is a running shop whose programs are supervised: one that exits
// unexpectedly is restarted (see RestartPolicy); StopProgram and Stop end
// programs for good.
type Shop struct {
	// sessionSecret signs the gateway's session cookies for this run.
	sessionSecret string
	// URL is each program's base URL by name (the services, web, and
	// SecondOrder when it runs).
	URL map[string]string
	// NameServer is minirmq's address; BrokerAdmin its admin API's URL.
	NameServer, BrokerAdmin string
	// LogDir holds one log file per program.
	LogDir string
	// AdminToken is the token every service accepts for its admin API, and
	// the control API.
	AdminToken string
	// ControlURL is the control API's base URL: the programs, stopped,
	// started and crashed; the reset; the labs (see control.go).
	ControlURL string

	opts     Options
	progress io.Writer
	ctx      context.Context // ends with Stop: no restart after that
	cancel   context.CancelFunc
	wg       sync.WaitGroup // the supervisors
	mu       sync.Mutex     // guards each proc's run, state and restarts
	procs    []*proc        // in start order
	control  *control
}

// DefaultBrokerFlags make transaction check-backs come within seconds (see
// the README): Apache's defaults are 6 s before the first check and 60 s
// between checks.
var DefaultBrokerFlags = []string{"-tx-check-after", "2s", "-tx-check-interval", "5s"}

// Start starts minirmq and every service, waiting for each to be ready,
// and supervises them until Stop. On failure it stops what it started and
// says which program failed and where its log is.
func Start(ctx context.Context, opts Options) (*Shop, error) {
	switch opts.OrderInstances {
	case 0, 1, 2:
	default:
		return nil, fmt.Errorf("%d order instances: want 1 or 2", opts.OrderInstances)
	}
	if opts.OrderInstances == 2 && !strings.HasPrefix(opts.DB[contracts.ServiceOrder], "mysql://") {
		return nil, ErrTwoOrdersOnSQLite
	}
	if opts.AdminToken == "" {
		opts.AdminToken = "rocketmart-admin"
	}
	if opts.ReadyTimeout == 0 {
		opts.ReadyTimeout = 60 * time.Second
	}
	opts.Restart = opts.Restart.withDefaults()
	progress := opts.Progress
	if progress == nil {
		progress = io.Discard
	}
	s := &Shop{sessionSecret: rand.Text(), URL: map[string]string{}, LogDir: filepath.Join(opts.DataDir, "logs"), AdminToken: opts.AdminToken,
		opts: opts, progress: &syncWriter{w: progress}}
	s.ctx, s.cancel = context.WithCancel(ctx)
	if err := os.MkdirAll(s.LogDir, 0o755); err != nil {
		return nil, err
	}
	ports, err := choosePorts(opts.FreePorts, opts.OrderInstances == 2)
	if err != nil {
		return nil, err
	}
	for name, port := range ports {
		s.URL[name] = fmt.Sprintf("http://127.0.0.1:%d", port)
	}
	ln, err := listenControl(opts.FreePorts)
	if err != nil {
		return nil, err
	}
	s.control = &control{shop: s, ln: ln, token: opts.AdminToken, labs: opts.Labs}
	s.ControlURL = "http://" + ln.Addr().String()
	s.NameServer = strings.TrimPrefix(s.URL[Broker.Name], "http://")
	s.BrokerAdmin = s.URL["minirmq-admin"]
	delete(s.URL, Broker.Name)
	delete(s.URL, "minirmq-admin")

	brokerArgs := []string{"-listen", s.listenAddr(s.NameServer), "-admin", s.listenAddr(strings.TrimPrefix(s.BrokerAdmin, "http://"))}
	if opts.MemoryBroker {
		brokerArgs = append(brokerArgs, "-memory")
	} else {
		// A restarted minirmq reads this directory again, so its topics,
		// offsets and pending half messages survive a crash.
		brokerArgs = append(brokerArgs, "-data", filepath.Join(opts.DataDir, "minirmq"))
	}
	brokerArgs = append(append(brokerArgs, DefaultBrokerFlags...), opts.BrokerFlags...)
	// minirmq's replay, redeliver and faults routes take the services' token.
	brokerEnv := []string{"ADMIN_TOKEN=" + opts.AdminToken}
	s.procs = append(s.procs, &proc{name: Broker.Name, bin: Broker.Name, args: brokerArgs, env: brokerEnv, readyURL: s.BrokerAdmin + "/healthz"})
	for _, p := range servers() {
		s.procs = append(s.procs, &proc{name: p.Name, bin: p.Name, env: s.serviceEnv(opts, p, ports[p.Name]), readyURL: s.URL[p.Name] + "/readyz"})
		if p.Name == contracts.ServiceOrder && opts.OrderInstances == 2 {
			// Same binary, settings and database, its own port; the other
			// programs' ORDER_URL still names the first.
			s.procs = append(s.procs, &proc{name: SecondOrder, bin: p.Name, env: s.serviceEnv(opts, p, ports[SecondOrder]), readyURL: s.URL[SecondOrder] + "/readyz"})
		}
	}
	for _, p := range s.procs {
		r, err := s.launch(ctx, p, false)
		if err != nil {
			s.Stop()
			return nil, s.startFailed(p, err)
		}
		s.mu.Lock()
		p.state = Running
		s.mu.Unlock()
		s.wg.Add(1)
		go s.supervise(p, r)
	}
	s.control.serve()
	return s, nil
}

// serviceEnv is a service's environment: its address and database, where
// the broker and the other services are, the admin token, then opts.Env.
func (s *Shop) serviceEnv(opts Options, p Program, port int) []string {
	env := []string{fmt.Sprintf("%s_ADDR=%s", p.EnvPrefix, net.JoinHostPort(cmp.Or(opts.ListenHost, "127.0.0.1"), strconv.Itoa(port)))}
	if p.Name == Gateway.Name {
		// One secret for the whole run: a gateway the supervisor restarts
		// still accepts the sessions its predecessor signed.
		env = append(env, "WEB_SESSION_SECRET="+s.sessionSecret, "CONTROL_URL="+s.ControlURL)
	}
	if svc, ok := contracts.ServiceByName(p.Name); ok {
		db := opts.DB[p.Name]
		if db == "" {
			db = "sqlite:" + filepath.Join(opts.DataDir, p.Name+".db")
		}
		env = append(env, svc.DBVar()+"="+db)
	}
	env = append(env,
		"ROCKETMQ_NAMESERVER="+s.NameServer,
		"MINIRMQ_ADMIN_URL="+s.BrokerAdmin,
		"ADMIN_TOKEN="+opts.AdminToken,
	)
	for _, svc := range contracts.Services() {
		env = append(env, svc.URLVar()+"="+s.URL[svc.Name])
	}
	for k, v := range opts.Env {
		env = append(env, k+"="+v)
	}
	return env
}

// listenAddr is where a program whose URL names hostPort (127.0.0.1:port)
// listens: the same port on Options.ListenHost.
func (s *Shop) listenAddr(hostPort string) string {
	_, port, _ := net.SplitHostPort(hostPort)
	return net.JoinHostPort(cmp.Or(s.opts.ListenHost, "127.0.0.1"), port)
}

// Stop ends supervision, then stops every program in reverse start order:
// SIGTERM, then SIGKILL after 15 s. It returns the programs that did not
// exit cleanly.
func (s *Shop) Stop() error {
	s.mu.Lock()
	for _, p := range s.procs {
		p.state = Stopped
	}
	s.mu.Unlock()
	s.cancel()
	if s.control != nil {
		s.control.close() // waits for a control operation under way, which gives up with ctx
	}
	s.wg.Wait() // no supervisor starts anything after this
	var errs []error
	for i := len(s.procs) - 1; i >= 0; i-- {
		s.mu.Lock()
		p, r := s.procs[i], s.procs[i].run
		s.mu.Unlock()
		if r != nil {
			errs = append(errs, r.stop(p.name))
		}
	}
	return errors.Join(errs...)
}
