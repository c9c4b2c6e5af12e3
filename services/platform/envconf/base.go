package envconf

import (
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"

	"github.com/rocketmart/rocketmart/services/platform/database"
)

// Service names the variables of a service's own shared settings and their
// defaults in the embedded run. A service passes its row of the services
// table (contracts.Service satisfies this; platform does not import
// contracts, which holds business words).
type Service interface {
	AddrVar() string         // <PREFIX>_ADDR
	DefaultAddr() string     // "127.0.0.1:<port>"
	DBVar() string           // <PREFIX>_DB
	DefaultDB() string       // "sqlite:data/<name>.db"
	MaxReconsumeVar() string // <PREFIX>_MAX_RECONSUME
	FaultsVar() string       // <PREFIX>_FAULTS
}

// Base is what every RocketMart service reads from its environment, parsed,
// plus the two things a test replaces. A service's config embeds it and
// adds only its own settings; program.Open wires it.
type Base struct {
	Addr           string     // <PREFIX>_ADDR, default "127.0.0.1:<port>"
	DB             string     // <PREFIX>_DB, default "sqlite:data/<name>.db"
	NameServer     string     // ROCKETMQ_NAMESERVER, default 127.0.0.1:9876
	ClientLogLevel string     // ROCKETMQ_CLIENT_LOG_LEVEL: the RocketMQ client's own logs, default warn
	MaxReconsume   int32      // <PREFIX>_MAX_RECONSUME: redeliveries before the dead-letter queue, default 16
	AdminToken     string     // ADMIN_TOKEN, default DefaultAdminToken (refused beyond loopback: Exposure)
	LogLevel       slog.Level // LOG_LEVEL, default info
	// Tracing is the OTLP/HTTP receiver spans go to
	// (OTEL_EXPORTER_OTLP_ENDPOINT, e.g. http://jaeger:4318); "", the
	// default, turns tracing off (platform/tracing).
	Tracing string
	// Faults are the training faults armed at start (<PREFIX>_FAULTS,
	// default none), FaultsVar the variable's name for start-up errors.
	Faults    string
	FaultsVar string

	// Listener, when a test sets it, is served instead of Addr.
	Listener net.Listener
	// LogOut is where the JSON logs go: standard output unless a test
	// collects them.
	LogOut io.Writer
}

// Base reads the shared settings of svc. Their names and defaults are
// literals or come from svc here and nowhere else; deploy/internal/envscan
// learns them by calling this method on a Trace. A listen address beyond
// loopback with the default admin token is refused (Exposure).
func (e *Env) Base(svc Service) Base {
	b := Base{
		Addr:           e.ListenAddr(svc.AddrVar(), svc.DefaultAddr()),
		DB:             e.Checked(svc.DBVar(), svc.DefaultDB(), database.CheckDSN),
		NameServer:     e.HostPortList("ROCKETMQ_NAMESERVER", "127.0.0.1:9876"),
		ClientLogLevel: e.ClientLogLevel("ROCKETMQ_CLIENT_LOG_LEVEL", "warn"),
		MaxReconsume:   e.MaxReconsume(svc.MaxReconsumeVar(), "16"),
		AdminToken:     e.Token("ADMIN_TOKEN", DefaultAdminToken),
		LogLevel:       e.LogLevel("LOG_LEVEL", "info"),
		Tracing:        e.Checked("OTEL_EXPORTER_OTLP_ENDPOINT", "", otlpEndpoint),
		Faults:         e.Faults(svc.FaultsVar(), ""),
		FaultsVar:      svc.FaultsVar(),
		LogOut:         os.Stdout,
	}
	e.Fail(Exposure(svc.AddrVar(), b.Addr, "ADMIN_TOKEN", b.AdminToken))
	return b
}

// BaseConfig returns b itself. A service's config embeds Base, so a pointer
// to the config has this method too: that is how a test harness
// (program/programtest) reaches the listener and log output of any
// service's config without knowing its type.
func (b *Base) BaseConfig() *Base { return b }

// Trace returns an Env over an empty environment that calls visit with the
// name and default of every variable read through it, in order: how a tool
// learns what a reader such as Base reads without repeating its rules.
func Trace(visit func(name, def string)) *Env {
	return &Env{get: func(name, def string) string {
		visit(name, def)
		return def
	}}
}

// otlpEndpoint accepts "" (tracing off) or the http(s) base URL of an
// OTLP/HTTP receiver.
func otlpEndpoint(raw string) error {
	if raw == "" {
		return nil
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("%q: want the http(s) base URL of an OTLP/HTTP receiver such as http://127.0.0.1:4318, or unset for no tracing", raw)
	}
	return nil
}
