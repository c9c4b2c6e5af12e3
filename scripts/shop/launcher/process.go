package launcher

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// proc is one program of the shop: how to start it, and (guarded by
// Shop.mu) its current process and what the supervisor knows of it.
type proc struct {
	name     string // also its log file's name
	bin      string // the binary in BinDir; order-2 runs order's
	args     []string
	env      []string
	readyURL string

	run      *run // the current or last process; nil before the first launch
	state    State
	restarts int
}

// run is one process of a program; a restart makes a new one, so whoever
// holds a run waits on that process and not on its successor.
type run struct {
	cmd    *exec.Cmd
	exited chan struct{}
	err    error // the exit status, set before exited closes
	// noticed closes once the supervisor has seen the exit and set the
	// program's state, so CrashProgram can return "restarting", not a
	// "running" that is already stale.
	noticed chan struct{}
}

// errNotWanted: the program was stopped on purpose while the supervisor
// was about to restart it.
var errNotWanted = errors.New("stopped on purpose")

// launch starts one process of p and waits until its readyURL answers 200.
// With restart set it starts nothing unless p is still Restarting, so a
// StopProgram that came during the back-off wins. A process that does not
// become ready is stopped, so nothing is left holding the port; the error
// is the short reason (see startFailed for the long form).
func (s *Shop) launch(ctx context.Context, p *proc, restart bool) (*run, error) {
	logPath := filepath.Join(s.LogDir, p.name+".log")
	if !restart {
		fmt.Fprintf(s.progress, "starting %-10s log %s\n", p.name, logPath)
	}
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(filepath.Join(s.opts.BinDir, p.bin), p.args...)
	cmd.Env = append(os.Environ(), p.env...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	// Setpgid: Ctrl-C in the terminal reaches the launcher only, which stops
	// the programs in order. Pdeathsig: if the launcher dies without that
	// (SIGKILL), the kernel sends each program SIGTERM instead of leaving it
	// holding its port. (It fires when the forking OS thread exits; the Go
	// runtime only ends threads of goroutines that lock one, which this
	// package never does.)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}

	s.mu.Lock()
	if restart && p.state != Restarting {
		s.mu.Unlock()
		logFile.Close()
		return nil, errNotWanted
	}
	err = cmd.Start()
	r := &run{cmd: cmd, exited: make(chan struct{}), noticed: make(chan struct{})}
	if err == nil {
		p.run = r
	}
	s.mu.Unlock()
	if err != nil {
		logFile.Close()
		return nil, fmt.Errorf("start: %w (was it built? run make build)", err)
	}
	// The child has its own copy of the log's descriptor; ours is only
	// needed until it has been handed over, but closing it after Wait keeps
	// the bookkeeping in one place.
	go func() { r.err = cmd.Wait(); logFile.Close(); close(r.exited) }()

	start := time.Now()
	err = waitReady(ctx, r, p.readyURL, s.opts.ReadyTimeout)
	if err == nil {
		select {
		case <-r.exited: // the answer came from someone else on its port
			err = fmt.Errorf("it exited (%s)", exitStatus(r.err))
		default:
		}
	}
	if err != nil {
		r.stop(p.name)
		return r, err
	}
	if !restart {
		fmt.Fprintf(s.progress, "  %-10s ready in %.1fs\n", p.name, time.Since(start).Seconds())
	} else {
		fmt.Fprintf(s.progress, "%-10s is back: ready in %.1fs after restart %d\n", p.name, time.Since(start).Seconds(), s.Restarts(p.name))
	}
	return r, nil
}

// startFailed is the error of a program that did not start: the reason,
// its log file and the log's last lines, which usually say why.
func (s *Shop) startFailed(p *proc, err error) error {
	logPath := filepath.Join(s.LogDir, p.name+".log")
	return fmt.Errorf("%s did not start: %w\nits log is %s; last lines:\n%s", p.name, err, logPath, tail(logPath, 15))
}

// waitReady polls url until it answers 200, the process exits or the
// timeout passes.
func waitReady(ctx context.Context, r *run, url string, timeout time.Duration) error {
	client := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(timeout)
	last := "no answer yet"
	for {
		select {
		case <-r.exited:
			return fmt.Errorf("it exited (%s)", exitStatus(r.err))
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

// stop ends the process unless it has already exited: SIGTERM, then
// SIGKILL after 15 s. It returns an unclean exit as an error.
func (r *run) stop(name string) error {
	select {
	case <-r.exited:
		return nil
	default:
	}
	r.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-r.exited:
		if r.err != nil {
			return fmt.Errorf("%s: %w", name, r.err)
		}
		return nil
	case <-time.After(15 * time.Second):
		r.cmd.Process.Kill()
		<-r.exited
		return fmt.Errorf("%s did not stop within 15 s; killed", name)
	}
}

// exitStatus reads Wait's error as a person would: "exit status 3",
// "signal: killed", or "exit status 0" for a clean exit nobody asked for.
func exitStatus(err error) string {
	if err == nil {
		return "exit status 0"
	}
	return err.Error()
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
