package envconf

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/rocketmart/rocketmart/services/platform/faults"
)

// Env reads one program's settings and collects every error, so that
// loadConfig reads each variable once, in one line, and start-up reports
// every bad setting at once, each naming its variable:
//
//	env := envconf.New(getenv)
//	c := config{Addr: env.ListenAddr("CART_ADDR", ":8086"), ...}
//	return c, env.Err()
//
// Each method returns the parsed value (the zero value when it is bad) and
// takes the variable's name and default as literals, which is how
// deploy/internal/envscan finds them.
type Env struct {
	get  func(name, def string) string
	errs []error
}

// New reads through getenv: os.Getenv in main, a map in tests.
func New(getenv func(string) string) *Env {
	return &Env{get: Getter(getenv)}
}

// Err joins every error found so far, nil when all settings are good.
func (e *Env) Err() error { return errors.Join(e.errs...) }

// Fail records a problem found by a rule across settings (such as "this
// timeout must stay under that budget"); nil is ignored. Name the variable.
func (e *Env) Fail(err error) {
	if err != nil {
		e.errs = append(e.errs, err)
	}
}

// String returns the value unchecked.
func (e *Env) String(name, def string) string { return e.get(name, def) }

// Checked returns the value after check accepts it; check's error is
// reported under the variable's name (database.CheckDSN, for example,
// which does not know the name).
func (e *Env) Checked(name, def string, check func(string) error) string {
	v := e.get(name, def)
	if err := check(v); err != nil {
		e.Fail(fmt.Errorf("%s: %w", name, err))
	}
	return v
}

// ListenAddr returns a listen address, [HOST]:PORT.
func (e *Env) ListenAddr(name, def string) string {
	v := e.get(name, def)
	e.Fail(ListenAddr(name, v))
	return v
}

// HostPortList returns a list of dial addresses separated by ';' or ','.
func (e *Env) HostPortList(name, def string) string {
	v := e.get(name, def)
	e.Fail(HostPortList(name, v))
	return v
}

// BaseURL returns the base URL of another service.
func (e *Env) BaseURL(name, def string) string {
	v := e.get(name, def)
	e.Fail(BaseURL(name, v))
	return v
}

// Token returns a shared secret such as the admin token.
func (e *Env) Token(name, def string) string {
	v := e.get(name, def)
	e.Fail(Token(name, v))
	return v
}

// Faults returns the training faults to arm at start, a list in
// faults.Parse's syntax whose syntax is checked here; the program checks its
// points and actions when it has declared them (program.App.Serve).
func (e *Env) Faults(name, def string) string {
	v := e.get(name, def)
	if _, err := faults.Parse(v); err != nil {
		e.Fail(fmt.Errorf("%s: %w", name, err))
	}
	return v
}

// ClientLogLevel returns the RocketMQ client's own log level.
func (e *Env) ClientLogLevel(name, def string) string {
	v := e.get(name, def)
	e.Fail(ClientLogLevel(name, v))
	return v
}

// LogLevel returns a slog level: debug, info, warn or error.
func (e *Env) LogLevel(name, def string) slog.Level {
	l, err := LogLevel(name, e.get(name, def))
	e.Fail(err)
	return l
}

// MaxReconsume returns a consumer's maximum redeliveries, 1 to 32.
func (e *Env) MaxReconsume(name, def string) int32 {
	n, err := MaxReconsume(name, e.get(name, def))
	e.Fail(err)
	return n
}

// Duration returns a duration of at least min (which must be positive):
// a zero or negative interval would spin or never fire.
func (e *Env) Duration(name, def string, min time.Duration) time.Duration {
	raw := e.get(name, def)
	d, err := time.ParseDuration(raw)
	switch {
	case err != nil:
		e.Fail(fmt.Errorf("%s=%q: want a duration such as 30s or 15m", name, raw))
	case d < min:
		e.Fail(fmt.Errorf("%s=%q: too short; use %v or more", name, raw, min))
	}
	return d
}

// DurationList returns a list of positive durations separated by commas or
// spaces, such as "1s,5s,30s"; nil when unset.
func (e *Env) DurationList(name, def string) []time.Duration {
	var out []time.Duration
	for _, f := range strings.Fields(strings.ReplaceAll(e.get(name, def), ",", " ")) {
		d, err := time.ParseDuration(f)
		if err != nil || d <= 0 {
			e.Fail(fmt.Errorf("%s: %q is not a positive duration", name, f))
		}
		out = append(out, d)
	}
	return out
}
