package httpserver

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
)

// readyTimeout bounds each readiness check, and so /readyz itself, because
// the checks run concurrently.
const readyTimeout = 2 * time.Second

// healthz answers as long as the process serves HTTP: a liveness probe that
// must not depend on the database, or an outage would restart every pod.
func healthz(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
}

// readyz runs every ReadyCheck concurrently and answers 200 when all pass,
// 503 with each failure's message otherwise. A check that ignores its ctx
// and overruns is reported as timed out rather than holding the probe.
func (s *Server) readyz(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), readyTimeout)
	defer cancel()

	type result struct {
		name string
		err  error
	}
	results := make(chan result, len(s.checks)) // buffered: late checks never block
	checks := make(map[string]string, len(s.checks))
	for _, chk := range s.checks {
		checks[chk.Name] = "no answer within " + readyTimeout.String()
		go func() { results <- result{chk.Name, chk.Check(ctx)} }()
	}

	ready := true
collect:
	for range s.checks {
		select {
		case r := <-results:
			if r.err != nil {
				ready = false
				checks[r.name] = r.err.Error()
				continue
			}
			checks[r.name] = "ok"
		case <-ctx.Done():
			ready = false
			break collect
		}
	}

	status, body := http.StatusOK, gin.H{"status": "ready", "checks": checks}
	if !ready {
		Logger(c.Request.Context()).Warn("not ready", "checks", checks)
		status, body = http.StatusServiceUnavailable, gin.H{"status": "unavailable", "checks": checks}
	}
	for _, n := range s.notes {
		if lines := n.note(); len(lines) > 0 {
			body[n.key] = lines
		}
	}
	c.JSON(status, body)
}
