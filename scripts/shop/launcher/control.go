package launcher

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/rocketmart/rocketmart/services/platform/apperr"
	"github.com/rocketmart/rocketmart/services/platform/httpserver"
)

// ControlPort is the control API's port in the embedded run; with
// Options.FreePorts the kernel picks one.
const ControlPort = 8089

// The control API's own error codes; the token's are apperr's.
const (
	CodeUnknownProgram    = "UNKNOWN_PROGRAM"     // 404
	CodeProgramRunning    = "PROGRAM_RUNNING"     // 409: start on a running or restarting program
	CodeProgramNotRunning = "PROGRAM_NOT_RUNNING" // 409: stop or crash on a program that is not running
	CodeControlBusy       = "CONTROL_BUSY"        // 409: another stop, start, crash or reset is under way
	CodeResetNeedsSQLite  = "RESET_NEEDS_SQLITE"  // 409: a service's database is not the launcher's to wipe
	CodeResetIncomplete   = "RESET_INCOMPLETE"    // 503: a program did not start again after a reset
	CodeLabsNotAvailable  = "LABS_NOT_AVAILABLE"  // 404: no Labs were given to the launcher
	CodeUnknownLab        = "UNKNOWN_LAB"         // 404
	CodeInvalidLang       = "INVALID_LANG"        // 400: the labs' lang parameter is not a language they speak
)

// ProgramInfo is one program as the control API lists it.
type ProgramInfo struct {
	Name     string `json:"name"`
	State    State  `json:"state"`
	Restarts int    `json:"restarts"`
	// URL is the program's HTTP base URL; minirmq's is its admin API.
	URL string `json:"url"`
}

// Programs lists every program in start order with what the supervisor
// knows of it.
func (s *Shop) Programs() []ProgramInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]ProgramInfo, 0, len(s.procs))
	for _, p := range s.procs {
		out = append(out, s.info(p))
	}
	return out
}

// info describes p; the caller holds s.mu.
func (s *Shop) info(p *proc) ProgramInfo {
	url := s.URL[p.name]
	if p.name == Broker.Name {
		url = s.BrokerAdmin
	}
	return ProgramInfo{Name: p.name, State: p.state, Restarts: p.restarts, URL: url}
}

// control serves the launcher's control API (see Handler) on a loopback
// port, for the gateway's trainer page, the labs and curl.
type control struct {
	shop  *Shop
	ln    net.Listener
	srv   *http.Server
	token string
	// busy lets one operation that changes programs run at a time: a stop
	// racing a reset would leave the shop half restarted.
	busy sync.Mutex
	// op names the operation holding busy, for CONTROL_BUSY's message.
	opMu sync.Mutex
	op   string
	labs Labs // guarded by opMu; nil until the labs plug in
}

// listenControl opens the control API's listener before the programs start,
// since the gateway is told its URL.
func listenControl(free bool) (net.Listener, error) {
	addr := fmt.Sprintf("127.0.0.1:%d", ControlPort)
	if free {
		addr = "127.0.0.1:0" // held from now on, so nobody can take it
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("the control API's port: %w (is RocketMart already running?)", err)
	}
	return ln, nil
}

// serve starts answering on the listener.
func (c *control) serve() {
	c.srv = &http.Server{Handler: c.handler(), ReadHeaderTimeout: 10 * time.Second}
	go c.srv.Serve(c.ln)
}

// close stops answering and waits for an operation under way, which ends
// quickly once the shop's context is cancelled (launches give up).
func (c *control) close() {
	if c.srv != nil {
		c.srv.Close()
	}
	c.ln.Close()
	c.busy.Lock()
	defer c.busy.Unlock()
}

// handler routes the control API. Every route needs the admin token.
func (c *control) handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/api/v1/programs", only(http.MethodGet, c.listPrograms))
	mux.Handle("/api/v1/programs/{name}/{action}", only(http.MethodPost, c.programAction))
	mux.Handle("/api/v1/reset", only(http.MethodPost, c.reset))
	mux.Handle("/api/v1/labs", only(http.MethodGet, c.listLabs))
	mux.Handle("/api/v1/labs/{name}/grade", only(http.MethodPost, c.gradeLab))
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
		writeError(w, apperr.New(apperr.NotFound, apperr.CodeRouteNotFound, "no such route; see the launcher's control API"))
	})
	return c.requireToken(mux)
}

// requireToken answers 401 without the admin token and 403 with a wrong
// one, as the services' admin routes do.
func (c *control) requireToken(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got := r.Header.Get(httpserver.HeaderAdminToken)
		switch {
		case got == "":
			writeError(w, apperr.New(apperr.Unauthorized, apperr.CodeAdminTokenRequired,
				"the "+httpserver.HeaderAdminToken+" header is required").With("header", httpserver.HeaderAdminToken))
		case subtle.ConstantTimeCompare([]byte(got), []byte(c.token)) != 1:
			writeError(w, apperr.New(apperr.Forbidden, apperr.CodeInvalidAdminToken, "the admin token is wrong"))
		default:
			next.ServeHTTP(w, r)
		}
	})
}

// only admits one method; ServeMux's own 405 would not be JSON.
func only(method string, fn func(http.ResponseWriter, *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != method {
			w.Header().Set("Allow", method)
			writeJSON(w, http.StatusMethodNotAllowed, httpserver.ErrorResponse{Error: httpserver.ErrorDetail{
				Code: apperr.CodeMethodNotAllowed, Message: "method not allowed on this route; use " + method}})
			return
		}
		if err := fn(w, r); err != nil {
			writeError(w, err)
		}
	})
}

// begin takes the busy lock for op, or answers CONTROL_BUSY.
func (c *control) begin(op string) (end func(), err error) {
	if !c.busy.TryLock() {
		c.opMu.Lock()
		other := c.op
		c.opMu.Unlock()
		return nil, apperr.New(apperr.Conflict, CodeControlBusy,
			"another control operation is under way ("+other+"); try again when it has finished").With("running", other)
	}
	c.opMu.Lock()
	c.op = op
	c.opMu.Unlock()
	return c.busy.Unlock, nil
}

func (c *control) listPrograms(w http.ResponseWriter, _ *http.Request) error {
	writeJSON(w, http.StatusOK, map[string]any{"programs": c.shop.Programs()})
	return nil
}

// programAction stops, starts or crashes one program and answers its entry.
func (c *control) programAction(w http.ResponseWriter, r *http.Request) error {
	name, action := r.PathValue("name"), r.PathValue("action")
	if action != "stop" && action != "start" && action != "crash" {
		return apperr.New(apperr.NotFound, apperr.CodeRouteNotFound, "a program can be stopped, started or crashed: POST …/stop, …/start or …/crash")
	}
	p, err := c.shop.program(name)
	if err != nil {
		return unknownProgram(c.shop, name)
	}
	end, err := c.begin(action + " " + name)
	if err != nil {
		return err
	}
	defer end()
	state := c.shop.State(name)
	switch action {
	case "stop":
		if state != Running && state != Restarting {
			return notRunning(name, state)
		}
		err = c.shop.StopProgram(name)
	case "start":
		if state == Running || state == Restarting {
			return apperr.New(apperr.Conflict, CodeProgramRunning, fmt.Sprintf("%s is %s already", name, state)).
				With("program", name).With("state", state)
		}
		// The shop's context, not the request's: a trainer closing the tab
		// should not leave a half-started program.
		err = c.shop.StartProgram(c.shop.ctx, name)
	case "crash":
		if state != Running {
			return notRunning(name, state)
		}
		err = c.shop.CrashProgram(name)
	}
	if errors.Is(err, ErrProgramState) {
		return notRunning(name, c.shop.State(name))
	}
	if err != nil {
		return apperr.Wrap(apperr.Unavailable, apperr.CodeDependencyUnavailable,
			fmt.Sprintf("%s %s failed: %v", action, name, firstLine(err)), err).With("program", name)
	}
	c.shop.mu.Lock()
	info := c.shop.info(p)
	c.shop.mu.Unlock()
	writeJSON(w, http.StatusOK, info)
	return nil
}

func unknownProgram(s *Shop, name string) error {
	var names []string
	for _, p := range s.procs {
		names = append(names, p.name)
	}
	return apperr.New(apperr.NotFound, CodeUnknownProgram, "there is no program called "+name).With("programs", names)
}

func notRunning(name string, state State) error {
	return apperr.New(apperr.Conflict, CodeProgramNotRunning, fmt.Sprintf("%s is %s, not running", name, state)).
		With("program", name).With("state", state)
}

// firstLine keeps a start failure's reason and drops the log tail that
// startFailed appends, which belongs in the launcher's output, not an answer.
func firstLine(err error) string {
	line, _, _ := strings.Cut(err.Error(), "\n")
	return line
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// writeError answers in the shop's error shape, with the status of the
// error's apperr kind; anything unclassified is a bare 500.
func writeError(w http.ResponseWriter, err error) {
	e, ok := apperr.As(err)
	if !ok || e.Kind == apperr.Internal {
		writeJSON(w, http.StatusInternalServerError, httpserver.ErrorResponse{Error: httpserver.ErrorDetail{
			Code: apperr.CodeInternal, Message: "internal error; see the launcher's output"}})
		return
	}
	writeJSON(w, e.Kind.Status(), httpserver.ErrorResponse{Error: httpserver.ErrorDetail{
		Code: e.Code, Message: e.Message, Details: e.Details}})
}
