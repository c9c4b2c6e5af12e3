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
	"strings"
	"sync/atomic"

	"github.com/apache/rocketmq-client-go/v2/primitive"
	"github.com/apache/rocketmq-client-go/v2/rlog"
)

// Property names RocketMart adds to messages.
const (
	// PropTraceID carries the request's trace id from producer to consumers.
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

// resolver builds the client's name-server resolver from the config.
func (c Config) resolver(ctx context.Context) (primitive.NsResolver, error) {
	if err := c.validate(); err != nil {
		return nil, err
	}
	addr, err := ResolveNameServer(ctx, c.NameServer)
	if err != nil {
		return nil, err
	}
	level := c.ClientLogLevel
	if level == "" {
		level = "warn"
	}
	rlog.SetLogLevel(level)
	return primitive.NewPassthroughResolver([]string{addr}), nil
}

var instanceSeq atomic.Int64

// instanceName gives every producer and consumer its own client instance.
// The client shares one instance per (ip, instance name) in a process and
// binds transaction check-backs to the first creator's group, so sharing
// would lose checks (reference §11.9).
func (c Config) instanceName(role, group string) string {
	return strings.Join([]string{c.Service, role, group, fmt.Sprint(os.Getpid()), fmt.Sprint(instanceSeq.Add(1))}, "-")
}

// Ping dials the name server, for readiness checks: it fails while the
// broker is down or unreachable.
func Ping(ctx context.Context, nameServer string) error {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", nameServer)
	if err != nil {
		return fmt.Errorf("mq: name server %s: %w", nameServer, err)
	}
	return conn.Close()
}
