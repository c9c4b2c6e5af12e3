package launcher

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"sync"
	"time"
)

// RestartPolicy is how the supervisor restarts a program that exits
// unexpectedly. A zero field takes DefaultRestart's value.
type RestartPolicy struct {
	// FirstDelay is the wait before the first restart; it doubles with
	// each restart up to MaxDelay, so a crash loop costs little CPU.
	FirstDelay, MaxDelay time.Duration
	// StableAfter: a program that stayed up this long before exiting is
	// restarted after FirstDelay again, as if it had never crashed.
	StableAfter time.Duration
	// GiveUpAfter is how many restarts in a row may fail (exit or time out
	// before ready) before the supervisor gives up on the program: a broken
	// build or bad setting then says so once instead of looping for ever.
	GiveUpAfter int
}

// DefaultRestart is the policy of `make run`: 250 ms, 500 ms, 1 s … 4 s,
// back to 250 ms after 30 s up; given up after 5 failed restarts in a row.
var DefaultRestart = RestartPolicy{FirstDelay: 250 * time.Millisecond, MaxDelay: 4 * time.Second,
	StableAfter: 30 * time.Second, GiveUpAfter: 5}

func (p RestartPolicy) withDefaults() RestartPolicy {
	d := DefaultRestart
	if p.FirstDelay <= 0 {
		p.FirstDelay = d.FirstDelay
	}
	if p.MaxDelay <= 0 {
		p.MaxDelay = d.MaxDelay
	}
	if p.StableAfter <= 0 {
		p.StableAfter = d.StableAfter
	}
	if p.GiveUpAfter <= 0 {
		p.GiveUpAfter = d.GiveUpAfter
	}
	return p
}

// State is what the supervisor knows of a program.
type State string

// The states of a program.
const (
	Running    State = "running"    // started and ready, watched
	Restarting State = "restarting" // exited unexpectedly; waiting to restart or starting again
	Stopped    State = "stopped"    // by StopProgram or Stop: not restarted
	GaveUp     State = "gave up"    // failed GiveUpAfter restarts in a row: not restarted
)

// supervise watches r, the ready process of p, and restarts p when it exits
// without having been stopped on purpose, until the shop stops, p is
// stopped, or p keeps failing to start.
func (s *Shop) supervise(p *proc, r *run) {
	defer s.wg.Done()
	pol := s.opts.Restart
	delay, failures := pol.FirstDelay, 0
	for {
		up := time.Now()
		select {
		case <-r.exited:
		case <-s.ctx.Done():
			return
		}
		s.mu.Lock()
		// Only the run this goroutine watches counts: after StopProgram and
		// StartProgram another goroutine watches the new one.
		unexpected := p.state == Running && p.run == r
		if unexpected {
			// Counted with the state change, so whoever sees "restarting"
			// (CrashProgram's caller, the control API) sees the restart.
			p.state = Restarting
			p.restarts++
		}
		n := p.restarts
		s.mu.Unlock()
		close(r.noticed)
		if !unexpected {
			return
		}
		if time.Since(up) >= pol.StableAfter {
			delay = pol.FirstDelay
		}
		what := "exited unexpectedly (" + exitStatus(r.err) + ")"
		for {
			fmt.Fprintf(s.progress, "%-10s %s; restart %d in %v\n", p.name, what, n, delay)
			if !sleep(s.ctx, delay) {
				return
			}
			delay = min(2*delay, pol.MaxDelay)
			next, err := s.launch(s.ctx, p, true)
			if err == nil {
				s.mu.Lock()
				if p.state == Restarting {
					p.state = Running
				}
				s.mu.Unlock()
				r, failures = next, 0
				break
			}
			if errors.Is(err, errNotWanted) || s.ctx.Err() != nil {
				return
			}
			if failures++; failures >= pol.GiveUpAfter {
				s.giveUp(p, failures, err)
				return
			}
			what = fmt.Sprintf("restart %d failed: %v", n, err)
			s.mu.Lock()
			p.restarts++
			n = p.restarts
			s.mu.Unlock()
		}
	}
}

// giveUp marks p given up and says so with where to look; the rest of the
// shop keeps running, so the other programs' pages and logs stay available.
func (s *Shop) giveUp(p *proc, failures int, err error) {
	s.mu.Lock()
	if p.state == Restarting {
		p.state = GaveUp
	}
	s.mu.Unlock()
	logPath := filepath.Join(s.LogDir, p.name+".log")
	fmt.Fprintf(s.progress, "%-10s GAVE UP after %d failed restarts in a row (last: %v); the rest of the shop keeps running.\n"+
		"           Its log is %s; last lines:\n%s\n           Fix the cause, then restart make run.\n",
		p.name, failures, err, logPath, tail(logPath, 5))
}

// sleep waits d or until ctx ends; it reports whether d passed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// StopProgram stops one program (SIGTERM, as Ctrl-C would) for tests and
// workshops that take a service away; the supervisor does not restart it,
// StartProgram does.
func (s *Shop) StopProgram(name string) error {
	p, err := s.program(name)
	if err != nil {
		return err
	}
	s.mu.Lock()
	p.state = Stopped
	r := p.run
	s.mu.Unlock()
	if r == nil {
		return nil
	}
	return r.stop(name)
}

// CrashProgram kills a program's process with SIGKILL, as a crash would
// end it (no clean shutdown, no chance to finish what it was doing), for
// tests and workshops; the supervisor restarts it like any crash. It
// returns once the supervisor has seen the exit, so State then says
// Restarting. A program that is not running is ErrProgramState.
func (s *Shop) CrashProgram(name string) error {
	p, err := s.program(name)
	if err != nil {
		return err
	}
	s.mu.Lock()
	r, state := p.run, p.state
	s.mu.Unlock()
	if r == nil || state != Running {
		return fmt.Errorf("crash %s: it is %s: %w", name, cmp.Or(state, "not started"), ErrProgramState)
	}
	if err := r.cmd.Process.Kill(); err != nil {
		return fmt.Errorf("crash %s: %w", name, err)
	}
	<-r.exited
	select {
	case <-r.noticed:
	case <-s.ctx.Done(): // the shop is stopping: nobody will notice
	case <-time.After(5 * time.Second): // a supervisor busy elsewhere; State catches up later
	}
	return nil
}

// StartProgram starts a program that was stopped, or given up on, again
// with the same arguments, environment and port, waits until it is ready
// and supervises it from then on.
func (s *Shop) StartProgram(ctx context.Context, name string) error {
	p, err := s.program(name)
	if err != nil {
		return err
	}
	if s.ctx.Err() != nil {
		return fmt.Errorf("start %s: the shop is stopping: %w", name, ErrProgramState)
	}
	s.mu.Lock()
	state := p.state
	s.mu.Unlock()
	if state == Running || state == Restarting {
		return fmt.Errorf("start %s: it is %s: %w", name, state, ErrProgramState)
	}
	r, err := s.launch(ctx, p, false)
	if err != nil {
		return s.startFailed(p, err)
	}
	s.mu.Lock()
	p.state = Running
	s.mu.Unlock()
	s.wg.Add(1)
	go s.supervise(p, r)
	return nil
}

// Restarts is how many times the supervisor has restarted the program
// (attempts included); StartProgram does not count.
func (s *Shop) Restarts(name string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range s.procs {
		if p.name == name {
			return p.restarts
		}
	}
	return 0
}

// PIDs returns the process id of every program that is running, by name:
// what a benchmark reads CPU time for in /proc/<pid>/stat. A restart gives
// a program a new pid, so two calls that disagree mean it restarted in
// between.
func (s *Shop) PIDs() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.procs))
	for _, p := range s.procs {
		if p.state == Running && p.run != nil && p.run.cmd.Process != nil {
			out[p.name] = p.run.cmd.Process.Pid
		}
	}
	return out
}

// State is the program's state, "" for a name not in this shop.
func (s *Shop) State(name string) State {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range s.procs {
		if p.name == name {
			return p.state
		}
	}
	return ""
}

func (s *Shop) program(name string) (*proc, error) {
	for _, p := range s.procs {
		if p.name == name {
			return p, nil
		}
	}
	return nil, fmt.Errorf("no program %q in this shop: %w", name, ErrUnknownProgram)
}

// The errors of StopProgram, StartProgram and CrashProgram a caller can act
// on (the control API answers them as 404 and 409).
var (
	ErrUnknownProgram = errors.New("unknown program")
	ErrProgramState   = errors.New("the program is not in a state that allows this")
)

// syncWriter serialises the progress lines of concurrent supervisors.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (w *syncWriter) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.w.Write(b)
}
