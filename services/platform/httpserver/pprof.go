package httpserver

import (
	"net/http/pprof"

	"github.com/gin-gonic/gin"
)

// PprofPath is where every service serves Go's profiles (net/http/pprof),
// behind the admin token.
const PprofPath = "/debug/pprof"

// MountPprof serves net/http/pprof under /debug/pprof/ for callers with
// adminToken in X-Admin-Token: the index, every named profile (heap,
// goroutine, mutex, block, allocs, …), a CPU profile (/debug/pprof/profile?seconds=N)
// and an execution trace, so anyone can profile a service under load
// (go tool pprof sends no headers, so fetch the profile with curl first):
//
//	curl -s -H 'X-Admin-Token: rocketmart-admin' 'http://127.0.0.1:8081/debug/pprof/profile?seconds=20' >order.pprof
//	go tool pprof -http=: order.pprof
//
// The server has no write timeout, so a long profile is not cut off. The
// package's side effect of registering on http.DefaultServeMux is harmless:
// no RocketMart program serves that mux.
func (s *Server) MountPprof(adminToken string) {
	s.engine.Any(PprofPath+"/*name", RequireAdmin(adminToken), func(c *gin.Context) {
		switch c.Param("name") {
		case "/cmdline":
			pprof.Cmdline(c.Writer, c.Request)
		case "/profile":
			pprof.Profile(c.Writer, c.Request)
		case "/symbol":
			pprof.Symbol(c.Writer, c.Request)
		case "/trace":
			pprof.Trace(c.Writer, c.Request)
		default: // the index, and named profiles: Index serves /debug/pprof/<name>
			pprof.Index(c.Writer, c.Request)
		}
	})
}
