package launcher

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/platform/apperr"
	"github.com/rocketmart/rocketmart/services/platform/svcclient"
)

// ResetReport is what Reset did.
type ResetReport struct {
	// Restarted are the programs stopped and started again on fresh data:
	// every one but the gateway, which holds no data (sessions are signed
	// cookies) and is the one relaying the trainer's reset request.
	Restarted []string `json:"restarted"`
	// Failed are programs that did not start again, with why.
	Failed []ProgramNote `json:"failed"`
	// Wiped are the data files and directories deleted.
	Wiped []string `json:"wiped"`
	// Cleared are the programs whose fault switches were all cleared;
	// NotCleared those that did not answer or refused, with why.
	Cleared    []string      `json:"cleared"`
	NotCleared []ProgramNote `json:"notCleared"`
	// TookMs is how long the whole reset took.
	TookMs int64 `json:"tookMs"`
}

// ProgramNote says something about one program.
type ProgramNote struct {
	Program string `json:"program"`
	Reason  string `json:"reason"`
}

// ErrResetNeedsSQLite refuses to reset a shop with a service on a database
// the launcher does not own (MySQL): dropping someone's schema is not its
// call.
var ErrResetNeedsSQLite = errors.New("reset needs every service on its SQLite file")

// Reset puts the shop back to its seed: it stops every program but the
// gateway (services in reverse start order, then minirmq), deletes their
// SQLite files and minirmq's data directory, starts them again (inventory
// and payment seed the catalogue and the demo wallets on start), and
// finally clears every program's fault switches, also any armed at start
// by a <PREFIX>_FAULTS variable. A program that does not start again is in
// Failed; one whose faults could not be cleared in NotCleared. Neither stops
// the rest of the reset.
func (s *Shop) Reset(ctx context.Context) (ResetReport, error) {
	start := time.Now()
	rep := ResetReport{Restarted: []string{}, Failed: []ProgramNote{}, Wiped: []string{}}
	if others := s.notOnSQLite(); len(others) > 0 {
		return rep, fmt.Errorf("%w: %s on another database", ErrResetNeedsSQLite, strings.Join(others, ", "))
	}
	var cycle []string
	for _, p := range s.procs {
		if p.name != Gateway.Name {
			cycle = append(cycle, p.name)
		}
	}
	fmt.Fprintf(s.progress, "reset: stopping %s\n", strings.Join(cycle, ", "))
	for i := len(cycle) - 1; i >= 0; i-- {
		if err := s.StopProgram(cycle[i]); err != nil {
			fmt.Fprintf(s.progress, "reset: %v\n", err) // an unclean exit; its data goes anyway
		}
	}
	wiped, err := s.wipeData()
	rep.Wiped = wiped
	if err != nil {
		return rep, err
	}
	for _, name := range cycle {
		if err := s.StartProgram(s.ctx, name); err != nil {
			fmt.Fprintf(s.progress, "reset: %v\n", err)
			rep.Failed = append(rep.Failed, ProgramNote{name, firstLine(err)})
			continue
		}
		rep.Restarted = append(rep.Restarted, name)
	}
	rep.Cleared, rep.NotCleared = s.clearFaults(ctx)
	rep.TookMs = time.Since(start).Milliseconds()
	fmt.Fprintf(s.progress, "reset: done in %.1fs (%d restarted, %d failed)\n",
		time.Since(start).Seconds(), len(rep.Restarted), len(rep.Failed))
	return rep, nil
}

// notOnSQLite lists the services whose database is not a SQLite file.
func (s *Shop) notOnSQLite() []string {
	var out []string
	for _, name := range contracts.ServiceNames() {
		if !strings.HasPrefix(s.dsn(name), "sqlite:") {
			out = append(out, name)
		}
	}
	return out
}

// dsn is the database a service runs on.
func (s *Shop) dsn(name string) string {
	if db := s.opts.DB[name]; db != "" {
		return db
	}
	return "sqlite:" + filepath.Join(s.opts.DataDir, name+".db")
}

// wipeData deletes every service's SQLite file (with its WAL and shared
// memory files) and minirmq's data directory; the programs are stopped.
func (s *Shop) wipeData() ([]string, error) {
	wiped := []string{}
	for _, name := range contracts.ServiceNames() {
		path := strings.TrimPrefix(s.dsn(name), "sqlite:")
		if path == "" || strings.Contains(path, ":memory:") || strings.HasPrefix(path, "file:") {
			continue // gone with the process
		}
		for _, f := range []string{path, path + "-wal", path + "-shm", path + "-journal"} {
			switch err := os.Remove(f); {
			case err == nil:
				wiped = append(wiped, f)
			case !errors.Is(err, os.ErrNotExist):
				return wiped, fmt.Errorf("reset: %w", err)
			}
		}
	}
	if !s.opts.MemoryBroker {
		dir := filepath.Join(s.opts.DataDir, "minirmq")
		if err := os.RemoveAll(dir); err != nil {
			return wiped, fmt.Errorf("reset: %w", err)
		}
		wiped = append(wiped, dir)
	}
	return wiped, nil
}

// faultBase is where a program's fault switches are (the fault contract):
// under the admin API of a service, under /api/v1/faults of minirmq's
// admin port; "" for the gateway, which has none.
func (s *Shop) faultBase(name string) string {
	switch {
	case name == Broker.Name:
		return s.BrokerAdmin + "/api/v1/faults"
	case name == Gateway.Name:
		return ""
	default: // a service, or the second order instance
		return s.URL[name] + "/api/v1/admin/faults"
	}
}

// clearFaults asks every program with fault switches, in parallel, to
// clear them all (DELETE on the base).
func (s *Shop) clearFaults(ctx context.Context) (cleared []string, notCleared []ProgramNote) {
	var names []string
	for _, p := range s.procs {
		if s.faultBase(p.name) != "" {
			names = append(names, p.name)
		}
	}
	errs := make([]error, len(names))
	var wg sync.WaitGroup
	for i, name := range names {
		wg.Go(func() {
			c := svcclient.New(s.faultBase(name), s.AdminToken, 3*time.Second)
			errs[i] = c.Call(ctx, http.MethodDelete, "", "", nil, nil)
		})
	}
	wg.Wait()
	cleared, notCleared = []string{}, []ProgramNote{}
	for i, name := range names {
		switch err := errs[i]; {
		case err == nil:
			cleared = append(cleared, name)
		case svcclient.IsUnavailable(err):
			notCleared = append(notCleared, ProgramNote{name, "did not answer"})
		default:
			reason := err.Error()
			if e, ok := apperr.As(err); ok {
				reason = e.Code + ": " + e.Message
			}
			notCleared = append(notCleared, ProgramNote{name, reason})
		}
	}
	return cleared, notCleared
}

// reset is POST /api/v1/reset.
func (c *control) reset(w http.ResponseWriter, r *http.Request) error {
	end, err := c.begin("reset")
	if err != nil {
		return err
	}
	defer end()
	rep, err := c.shop.Reset(c.shop.ctx)
	switch {
	case errors.Is(err, ErrResetNeedsSQLite):
		others := c.shop.notOnSQLite()
		return apperr.Wrap(apperr.Conflict, CodeResetNeedsSQLite, fmt.Sprintf(
			"reset restores the seed by deleting each service's SQLite file, but %s run on MySQL, which the launcher does not own: "+
				"drop and recreate those schemas yourself and restart make run (faults can still be cleared program by program)",
			strings.Join(others, ", ")), err).With("programs", others)
	case err != nil:
		return err
	case len(rep.Failed) > 0:
		return apperr.New(apperr.Unavailable, CodeResetIncomplete,
			fmt.Sprintf("%d program(s) did not start again after the reset; see the launcher's output", len(rep.Failed))).
			With("report", rep)
	}
	writeJSON(w, http.StatusOK, rep)
	return nil
}
