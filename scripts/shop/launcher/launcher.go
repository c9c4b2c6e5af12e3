package launcher

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
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
	// Progress receives one line per step; nil discards.
	Progress io.Writer
	// ReadyTimeout bounds each program's start-up; 0 means 60 s.
	ReadyTimeout time.Duration
}

// Shop is a running shop.
type Shop struct {
	// URL is each service's base URL by name.
	URL map[string]string
	// NameServer is minirmq's address; BrokerAdmin its admin API's URL.
	NameServer, BrokerAdmin string
	// LogDir holds one log file per program.
	LogDir     string
	AdminToken string
	opts       Options
	progress   io.Writer
	procs      []*proc // in start order
}

// proc is one started program.
type proc struct {
	name     string
	args     []string
	env      []string
	readyURL string
	cmd      *exec.Cmd
	log      *os.File
	exited   chan struct{}
	err      error // set before exited closes
}

// DefaultBrokerFlags make transaction check-backs come within seconds (see
// the README): Apache's defaults are 6 s before the first check and 60 s
// between checks.
var DefaultBrokerFlags = []string{"-tx-check-after", "2s", "-tx-check-interval", "5s"}

// Start starts minirmq and every service, waiting for each to be ready. On
// failure it stops what it started and says which program failed and where
// its log is.
func Start(ctx context.Context, opts Options) (*Shop, error) {
	if opts.AdminToken == "" {
		opts.AdminToken = "rocketmart-admin"
	}
	if opts.ReadyTimeout == 0 {
		opts.ReadyTimeout = 60 * time.Second
	}
	progress := opts.Progress
	if progress == nil {
		progress = io.Discard
	}
	s := &Shop{URL: map[string]string{}, LogDir: filepath.Join(opts.DataDir, "logs"), AdminToken: opts.AdminToken,
		opts: opts, progress: progress}
	if err := os.MkdirAll(s.LogDir, 0o755); err != nil {
		return nil, err
	}
	ports, err := choosePorts(opts.FreePorts)
	if err != nil {
		return nil, err
	}
	for _, p := range servers() {
		s.URL[p.Name] = fmt.Sprintf("http://127.0.0.1:%d", ports[p.Name])
	}
	s.NameServer = fmt.Sprintf("127.0.0.1:%d", ports[Broker.Name])
	s.BrokerAdmin = fmt.Sprintf("http://127.0.0.1:%d", ports["minirmq-admin"])

	brokerArgs := []string{"-listen", s.NameServer, "-admin", strings.TrimPrefix(s.BrokerAdmin, "http://")}
	if opts.MemoryBroker {
		brokerArgs = append(brokerArgs, "-memory")
	} else {
		brokerArgs = append(brokerArgs, "-data", filepath.Join(opts.DataDir, "minirmq"))
	}
	brokerArgs = append(append(brokerArgs, DefaultBrokerFlags...), opts.BrokerFlags...)
	s.procs = append(s.procs, &proc{name: Broker.Name, args: brokerArgs, readyURL: s.BrokerAdmin + "/healthz"})
	for _, p := range servers() {
		s.procs = append(s.procs, &proc{name: p.Name, env: s.serviceEnv(opts, p, ports[p.Name]), readyURL: s.URL[p.Name] + "/readyz"})
	}
	for _, p := range s.procs {
		if err := s.launch(ctx, p); err != nil {
			s.Stop()
			return nil, err
		}
	}
	return s, nil
}

// serviceEnv is a service's environment: its address and database, where
// the broker and the other services are, the admin token, then opts.Env.
func (s *Shop) serviceEnv(opts Options, p Program, port int) []string {
	env := []string{fmt.Sprintf("%s_ADDR=127.0.0.1:%d", p.EnvPrefix, port)}
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

// launch starts one program and waits until its readyURL answers 200.
func (s *Shop) launch(ctx context.Context, p *proc) error {
	logPath := filepath.Join(s.LogDir, p.name+".log")
	fmt.Fprintf(s.progress, "starting %-10s log %s\n", p.name, logPath)
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	cmd := exec.Command(filepath.Join(s.opts.BinDir, p.name), p.args...)
	cmd.Env = append(os.Environ(), p.env...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	// Setpgid: Ctrl-C in the terminal reaches the launcher only, which stops
	// the programs in order. Pdeathsig: if the launcher dies without that
	// (SIGKILL), the kernel sends each program SIGTERM instead of leaving it
	// holding its port. (It fires when the forking OS thread exits; the Go
	// runtime only ends threads of goroutines that lock one, which this
	// package never does.)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return fmt.Errorf("start %s: %w (was it built? run make build)", p.name, err)
	}
	p.cmd, p.log, p.err, p.exited = cmd, logFile, nil, make(chan struct{})
	go func() { p.err = cmd.Wait(); close(p.exited) }()

	start := time.Now()
	err = waitReady(ctx, p, p.readyURL, s.opts.ReadyTimeout)
	if err == nil {
		select {
		case <-p.exited: // the answer came from someone else on its port
			err = fmt.Errorf("it exited (%v)", p.err)
		default:
		}
	}
	if err != nil {
		return fmt.Errorf("%s did not start: %w\nits log is %s; last lines:\n%s", p.name, err, logPath, tail(logPath, 15))
	}
	fmt.Fprintf(s.progress, "  %-10s ready in %.1fs\n", p.name, time.Since(start).Seconds())
	return nil
}

// StopProgram stops one running program (SIGTERM, as Ctrl-C would), for
// tests and workshops that take a service away and bring it back with
// StartProgram. A channel from Exited reports it like a crash.
func (s *Shop) StopProgram(name string) error {
	p, err := s.program(name)
	if err != nil {
		return err
	}
	return p.stop()
}

// StartProgram starts a program that StopProgram stopped (or that crashed)
// again, with the same arguments, environment and port, and waits until it
// is ready.
func (s *Shop) StartProgram(ctx context.Context, name string) error {
	p, err := s.program(name)
	if err != nil {
		return err
	}
	select {
	case <-p.exited:
	default:
		return fmt.Errorf("%s is running", name)
	}
	return s.launch(ctx, p)
}

func (s *Shop) program(name string) (*proc, error) {
	for _, p := range s.procs {
		if p.name == name && p.cmd != nil {
			return p, nil
		}
	}
	return nil, fmt.Errorf("no program %q in this shop", name)
}

// waitReady polls url until it answers 200, the process exits or the
// timeout passes.
func waitReady(ctx context.Context, p *proc, url string, timeout time.Duration) error {
	client := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(timeout)
	last := "no answer yet"
	for {
		select {
		case <-p.exited:
			return fmt.Errorf("it exited (%v)", p.err)
		case <-ctx.Done():
			return ctx.Err()
		default:
		}
		if resp, err := client.Get(url); err == nil {
			body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			last = fmt.Sprintf("%s answered %d %s", url, resp.StatusCode, bytes.TrimSpace(body))
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not ready after %v: %s", timeout, last)
		}
		time.Sleep(100 * time.Millisecond) // polling interval
	}
}

// Stop stops every program in reverse start order: SIGTERM, then SIGKILL
// after 15 s. It returns the programs that did not exit cleanly.
func (s *Shop) Stop() error {
	var errs []error
	for i := len(s.procs) - 1; i >= 0; i-- {
		if p := s.procs[i]; p.cmd != nil {
			errs = append(errs, p.stop())
		}
	}
	s.procs = nil
	return errors.Join(errs...)
}

// stop ends the program unless it has already exited (a crash the caller
// saw in Exited, or StopProgram) and closes its log.
func (p *proc) stop() error {
	var err error
	select {
	case <-p.exited:
	default:
		p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.exited:
			if p.err != nil {
				err = fmt.Errorf("%s: %w", p.name, p.err)
			}
		case <-time.After(15 * time.Second):
			p.cmd.Process.Kill()
			<-p.exited
			err = fmt.Errorf("%s did not stop within 15 s; killed", p.name)
		}
	}
	p.log.Close()
	return err
}

// Exited returns a channel that yields the name of the first program to
// exit on its own, so a caller can report a crash.
func (s *Shop) Exited() <-chan string {
	out := make(chan string, 1)
	for _, p := range s.procs {
		go func() {
			<-p.exited
			select {
			case out <- p.name:
			default:
			}
		}()
	}
	return out
}

// tail returns the last n lines of a file.
func tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "(" + err.Error() + ")"
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return "  " + strings.Join(lines, "\n  ")
}

// choosePorts returns every program's port: the defaults, checked free, or
// free ones picked at random below the kernel's ephemeral range (32768 and
// up on Linux). A port the kernel hands out for bind(0) or an outgoing
// connection can be taken by another process between this check and the
// program's own bind; ports below that range are only taken on purpose.
func choosePorts(free bool) (map[string]int, error) {
	want := map[string]int{Broker.Name: Broker.Port, "minirmq-admin": BrokerAdminPort}
	for _, p := range servers() {
		want[p.Name] = p.Port
	}
	taken := map[int]bool{}
	for name, port := range want {
		if !free {
			if !portFree(port) {
				return nil, fmt.Errorf("port %d for %s is in use: is RocketMart already running? (see who holds it: ss -ltnp 'sport = :%d')", port, name, port)
			}
			continue
		}
		for tries := 0; ; tries++ {
			port = freePortLow + rand.IntN(freePortHigh-freePortLow)
			if !taken[port] && portFree(port) {
				break
			}
			if tries == 200 {
				return nil, fmt.Errorf("no free port for %s between %d and %d", name, freePortLow, freePortHigh)
			}
		}
		taken[port] = true
		want[name] = port
	}
	return want, nil
}

// The range free ports are picked from: above the well-known demo ports,
// below the ephemeral range.
const freePortLow, freePortHigh = 20000, 32000

func portFree(port int) bool {
	ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		return false
	}
	ln.Close()
	return true
}
