// Package mq is RocketMart's adapter over rocketmq-client-go v2.1.2: plain
// and delayed sends, a transactional producer that publishes an event if and
// only if a local change commits, and push consumers for idempotent handlers.
// Services never import the client directly.
package mq

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/apache/rocketmq-client-go/v2/primitive"
	"github.com/apache/rocketmq-client-go/v2/rlog"
)

// Property names RocketMart adds to messages.
const (
	// PropTraceID carries the request id from producer to consumers (see
	// Message.TraceID); OpenTelemetry's traceparent is a property of its own.
	PropTraceID = "TRACE_ID"
)

// Config is what every producer and consumer needs.
type Config struct {
	// NameServer is "host:port" of the RocketMQ name server (minirmq or
	// Apache). Host names are resolved to an IP: the client accepts IP
	// literals only.
	NameServer string
	// Service names the instances, so logs and admin views say who is who.
	Service string
	// Logger receives the adapter's logs; nil means slog.Default().
	Logger *slog.Logger
	// ClientLogLevel is the client's own log level (debug, info, warn,
	// error); empty means "warn". The client logs through a process-wide
	// logger, so the last setting wins.
	ClientLogLevel string
}

func (c Config) logger() *slog.Logger {
	if c.Logger == nil {
		return slog.Default()
	}
	return c.Logger
}

func (c Config) validate() error {
	if c.NameServer == "" {
		return errors.New("mq: name server address is empty")
	}
	if c.Service == "" {
		return errors.New("mq: service name is empty")
	}
	return nil
}

// ResolveNameServer turns "host:port" into "ip:port", preferring IPv4.
func ResolveNameServer(ctx context.Context, addr string) (string, error) {
	if _, err := netip.ParseAddrPort(addr); err == nil {
		return addr, nil
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("mq: name server %q is not host:port: %w", addr, err)
	}
	ips, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	if err != nil || len(ips) == 0 {
		return "", fmt.Errorf("mq: resolve name server host %q: %w", host, err)
	}
	best := ips[0]
	for _, ip := range ips {
		if ip.Unmap().Is4() {
			best = ip.Unmap()
			break
		}
	}
	return net.JoinHostPort(best.String(), port), nil
}

// SplitNameServers splits a name-server list, "a:9876;b:9876" (the
// client's NAMESRV_ADDR form) or comma-separated, dropping blanks.
func SplitNameServers(list string) []string {
	var out []string
	for _, a := range strings.FieldsFunc(list, func(r rune) bool { return r == ';' || r == ',' }) {
		if a = strings.TrimSpace(a); a != "" {
			out = append(out, a)
		}
	}
	return out
}

// resolver builds the client's name-server resolver from the config. Every
// name must resolve at start-up; the client asks the resolver again every
// two minutes, which re-resolves host names, so a name server that moves
// to a new IP (a restarted container or pod) is followed.
func (c Config) resolver(ctx context.Context) (primitive.NsResolver, error) {
	if err := c.validate(); err != nil {
		return nil, err
	}
	r := &dnsResolver{names: SplitNameServers(c.NameServer), log: c.logger()}
	addrs, err := r.resolve(ctx)
	if err != nil {
		return nil, err
	}
	r.last.Store(&addrs)
	level := c.ClientLogLevel
	if level == "" {
		level = "warn"
	}
	rlog.SetLogLevel(level)
	return r, nil
}

// dnsResolver is a primitive.NsResolver over host names.
type dnsResolver struct {
	names []string
	log   *slog.Logger
	last  atomic.Pointer[[]string] // the last complete resolution
}

// resolveTimeout bounds one re-resolution inside the client's timer.
const resolveTimeout = 5 * time.Second

func (r *dnsResolver) resolve(ctx context.Context) ([]string, error) {
	addrs := make([]string, 0, len(r.names))
	for _, n := range r.names {
		a, err := ResolveNameServer(ctx, n)
		if err != nil {
			return nil, err
		}
		addrs = append(addrs, a)
	}
	return addrs, nil
}

// Resolve answers the current addresses; when a lookup fails it keeps the
// last good ones, so a DNS hiccup never leaves the client without a name
// server.
func (r *dnsResolver) Resolve() []string {
	ctx, cancel := context.WithTimeout(context.Background(), resolveTimeout)
	defer cancel()
	addrs, err := r.resolve(ctx)
	if err != nil {
		r.log.Warn("mq: re-resolving the name server failed; keeping the last addresses", "err", err)
		return *r.last.Load()
	}
	if old := *r.last.Load(); !slices.Equal(old, addrs) {
		r.log.Info("mq: name server addresses changed", "old", old, "new", addrs)
	}
	r.last.Store(&addrs)
	return addrs
}

// Description names the resolver in the client's errors.
func (r *dnsResolver) Description() string {
	return "RocketMart name server " + strings.Join(r.names, ";")
}

var instanceSeq atomic.Int64

// instanceName gives every producer and consumer its own client instance.
// The client shares one instance per (ip, instance name) in a process and
// binds transaction check-backs to the first creator's group, so sharing
// would lose checks (reference §11.9).
func (c Config) instanceName(role, group string) string {
	return strings.Join([]string{c.Service, role, group, fmt.Sprint(os.Getpid()), fmt.Sprint(instanceSeq.Add(1))}, "-")
}

// Ping dials the name servers of a list, for readiness checks: it fails
// while none is reachable.
func Ping(ctx context.Context, nameServer string) error {
	var errs []error
	for _, addr := range SplitNameServers(nameServer) {
		var d net.Dialer
		conn, err := d.DialContext(ctx, "tcp", addr)
		if err == nil {
			return conn.Close()
		}
		errs = append(errs, fmt.Errorf("mq: name server %s: %w", addr, err))
	}
	if len(errs) == 0 {
		return errors.New("mq: no name server address")
	}
	return errors.Join(errs...)
}
