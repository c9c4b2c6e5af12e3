package gateway

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/rocketmart/rocketmart/services/platform/apperr"
	"github.com/rocketmart/rocketmart/services/platform/svcclient"
)

// armedCacheTTL is how long one reading of every program's faults answers
// GET /api/faults. Every open page polls it every few seconds, and each
// reading is one request, one access-log line, per program: with the
// cache a room full of browsers costs the services what one does.
const armedCacheTTL = 2 * time.Second

// armedCache holds the last reading. A trainer's change through the gateway
// (invalidate) makes the next poll read again, so the banner follows at once.
type armedCache struct {
	mu    sync.Mutex // held while reading: concurrent pollers wait for one reading
	value ArmedFaults
	at    time.Time
	of    uint64        // the generation value was read in
	gen   atomic.Uint64 // bumped by invalidate
}

// get returns the cached reading, or read's when it is older than the TTL
// or was invalidated.
func (a *armedCache) get(read func() ArmedFaults) ArmedFaults {
	a.mu.Lock()
	defer a.mu.Unlock()
	gen := a.gen.Load()
	if !a.at.IsZero() && a.of == gen && time.Since(a.at) < armedCacheTTL {
		return a.value
	}
	a.value, a.at, a.of = read(), time.Now(), gen
	return a.value
}

// invalidate makes the next get read again, also when a reading is under
// way now (it may predate the change).
func (a *armedCache) invalidate() { a.gen.Add(1) }

// ArmedFaults is GET /api/faults: every armed fault of every program, for
// the banner each page shows while any is armed.
type ArmedFaults struct {
	// Programs are the programs with fault switches, asked in this order.
	Programs []string `json:"programs"`
	// Armed are their armed faults as each program lists them (the fault
	// contract's shape), each with "program" added.
	Armed []map[string]any `json:"armed"`
	// Unreachable are the programs that did not answer, or not with their
	// faults, and why: their faults are unknown, not absent.
	Unreachable []Unreachable `json:"unreachable"`
}

// Unreachable is a program whose faults could not be read.
type Unreachable struct {
	Program string `json:"program"`
	Reason  string `json:"reason"`
}

// armedFaults answers ArmedFaults to anyone, signed in or not: the banner
// is on every page, and what it shows (a point's name, an action, how many
// hits are left) tells no secret of any shopper. The gateway reads with its
// own token; the trainer's is not needed.
func (g *Gateway) armedFaults(c *gin.Context) {
	out := g.trainer.armed.get(func() ArmedFaults {
		// Not the caller's context: the answer is shared with every poller
		// that waits for it, and one tab closing must not spoil it.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(c.Request.Context()), faultsCallTimeout)
		defer cancel()
		return g.readArmed(ctx)
	})
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, out)
}

// readArmed asks every program for its faults, in parallel.
func (g *Gateway) readArmed(ctx context.Context) ArmedFaults {
	type listing struct {
		Armed []map[string]any `json:"armed"`
	}
	lists := make([]listing, len(g.trainer.programs))
	errs := make([]error, len(g.trainer.programs))
	var wg sync.WaitGroup
	for i, name := range g.trainer.programs {
		wg.Go(func() { errs[i] = g.trainer.readers[name].Call(ctx, http.MethodGet, "", "", nil, &lists[i]) })
	}
	wg.Wait()
	out := ArmedFaults{Programs: g.trainer.programs, Armed: []map[string]any{}, Unreachable: []Unreachable{}}
	for i, name := range g.trainer.programs {
		if err := errs[i]; err != nil {
			out.Unreachable = append(out.Unreachable, Unreachable{Program: name, Reason: unreachableReason(err)})
			continue
		}
		for _, a := range lists[i].Armed {
			a["program"] = name
			out.Armed = append(out.Armed, a)
		}
	}
	return out
}

// unreachableReason says in a few words why a program's faults are unknown.
func unreachableReason(err error) string {
	if svcclient.IsUnavailable(err) {
		return "did not answer"
	}
	if e, ok := apperr.As(err); ok {
		if e.Kind == apperr.NotFound {
			return "has no fault switches (" + e.Code + ")"
		}
		return e.Code + ": " + e.Message
	}
	return "answered something other than its faults"
}
