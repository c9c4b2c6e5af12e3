// Package minirmq is an embedded RocketMQ-compatible name server and broker.
//
// It serves the RocketMQ 4.x remoting protocol on one TCP address (name-server
// and broker request codes share the port), so the unmodified
// rocketmq-client-go/v2 client talks to it exactly as it talks to Apache
// RocketMQ. It is a development and test broker: one node, no replication,
// no ACL. Production uses Apache RocketMQ.
package minirmq

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"strings"
	"time"

	"github.com/rocketmart/rocketmart/services/minirmq/internal/faults"
)

// Config configures a Server. The zero value is not valid; start from
// DefaultConfig.
type Config struct {
	// ListenAddr is the TCP address for both name-server and broker traffic.
	// Beyond loopback (and so AdminAddr) Validate wants an AdminToken other
	// than DefaultAdminToken.
	ListenAddr string
	// AdvertiseAddr is the broker address put into topic routes and store
	// hosts ("ip:port"). Empty means the listen address (after binding, so
	// port 0 works).
	AdvertiseAddr string
	// AdminAddr is the address of the admin HTTP API; empty disables the listener
	// (the handler is still available from Server.AdminHandler).
	AdminAddr string
	// AdminToken is what the admin API's mutating routes (replay,
	// redeliver, faults) require in X-Admin-Token; the services' ADMIN_TOKEN.
	AdminToken string
	// Faults are workshop faults armed at start, in the MINIRMQ_FAULTS
	// syntax: "deliver.points-order-paid=pause;check-back=drop,count=3".
	// They live in memory only: a restart starts with these again, nothing else.
	Faults string

	// DataDir holds the commit log, consume queues and broker state. Empty
	// means in-memory: nothing survives Close.
	DataDir string
	// Fsync makes every write reach the disk (the commit log, by group
	// commit) before the producer is answered.
	// Off (Apache's default, asynchronous flush), data is fsynced every FlushInterval.
	Fsync         bool
	FlushInterval time.Duration
	// SegmentBytes is the commit-log segment size.
	SegmentBytes int64
	// RetainBytes and RetainAge bound the commit log (0 = unlimited), like
	// Apache's file reservation time.
	RetainBytes int64
	RetainAge   time.Duration

	// DefaultQueues is the number of queues of an auto-created topic.
	DefaultQueues int

	// TxCheckAfter is how old a half message must be before it is checked
	// (Apache transactionTimeOut); TxCheckInterval is how often the check loop
	// runs and the minimum gap between two checks of one message
	// (transactionCheckInterval); TxCheckMax is the number of checks after
	// which a half message is discarded (transactionCheckMax).
	TxCheckAfter    time.Duration
	TxCheckInterval time.Duration
	TxCheckMax      int

	// DelayLevels are the delays of levels 1..len(DelayLevels) (Apache
	// messageDelayLevel). Tests shorten them.
	DelayLevels []time.Duration

	// MaxFrameBytes bounds one remoting frame; MaxMessageBytes one message body.
	MaxFrameBytes   int
	MaxMessageBytes int

	// ClusterName is stamped on stored messages (CLUSTER) and used in routes.
	ClusterName string
	// BrokerName is the broker's name in routes.
	BrokerName string

	// Logger receives structured logs; nil means slog.Default().
	Logger *slog.Logger
}

// DefaultDelayLevels is Apache RocketMQ's messageDelayLevel
// "1s 5s 10s 30s 1m 2m 3m 4m 5m 6m 7m 8m 9m 10m 20m 30m 1h 2h".
var DefaultDelayLevels = []time.Duration{
	time.Second, 5 * time.Second, 10 * time.Second, 30 * time.Second,
	time.Minute, 2 * time.Minute, 3 * time.Minute, 4 * time.Minute, 5 * time.Minute,
	6 * time.Minute, 7 * time.Minute, 8 * time.Minute, 9 * time.Minute, 10 * time.Minute,
	20 * time.Minute, 30 * time.Minute, time.Hour, 2 * time.Hour,
}

// DefaultAdminToken is the demo admin token every RocketMart program
// defaults to (ADMIN_TOKEN).
const DefaultAdminToken = "rocketmart-admin"

// DefaultConfig returns Apache RocketMQ's defaults where they exist.
func DefaultConfig() Config {
	return Config{
		ListenAddr:      "127.0.0.1:9876",
		AdminToken:      DefaultAdminToken,
		FlushInterval:   500 * time.Millisecond,
		SegmentBytes:    64 << 20,
		RetainAge:       72 * time.Hour,
		DefaultQueues:   4,
		TxCheckAfter:    6 * time.Second,
		TxCheckInterval: 60 * time.Second,
		TxCheckMax:      15,
		DelayLevels:     append([]time.Duration(nil), DefaultDelayLevels...),
		MaxFrameBytes:   16 << 20,
		MaxMessageBytes: 4 << 20,
		ClusterName:     "DefaultCluster",
		BrokerName:      "minirmq",
	}
}

// Validate reports the first configuration error.
func (c Config) Validate() error {
	var errs []error
	if c.ListenAddr == "" {
		errs = append(errs, errors.New("listen address is empty"))
	}
	if c.AdvertiseAddr != "" {
		if _, err := netip.ParseAddrPort(c.AdvertiseAddr); err != nil {
			errs = append(errs, fmt.Errorf("advertise address %q must be ip:port (the client dials IP literals): %w", c.AdvertiseAddr, err))
		}
	}
	if c.FlushInterval <= 0 && !c.Fsync {
		errs = append(errs, errors.New("flush interval must be positive"))
	}
	if c.SegmentBytes < 1<<16 {
		errs = append(errs, fmt.Errorf("segment size %d is below 64 KiB", c.SegmentBytes))
	}
	if c.DefaultQueues < 1 || c.DefaultQueues > 64 {
		errs = append(errs, fmt.Errorf("default queues %d out of range 1..64", c.DefaultQueues))
	}
	if c.TxCheckAfter < 0 || c.TxCheckInterval <= 0 || c.TxCheckMax < 1 {
		errs = append(errs, errors.New("transaction check after must be ≥ 0, interval > 0 and max ≥ 1"))
	}
	if len(c.DelayLevels) == 0 {
		errs = append(errs, errors.New("at least one delay level is required"))
	}
	for i, d := range c.DelayLevels {
		if d <= 0 {
			errs = append(errs, fmt.Errorf("delay level %d is %v; must be positive", i+1, d))
		}
	}
	if c.MaxMessageBytes < 1 || c.MaxFrameBytes < c.MaxMessageBytes {
		errs = append(errs, errors.New("max message bytes must be positive and not above max frame bytes"))
	}
	if c.BrokerName == "" || c.ClusterName == "" {
		errs = append(errs, errors.New("broker and cluster names must not be empty"))
	}
	if err := CheckAdminToken(c.AdminToken); err != nil {
		errs = append(errs, err)
	}
	errs = append(errs, c.checkExposure()...)
	if _, err := faults.ParseList(c.Faults); err != nil {
		errs = append(errs, fmt.Errorf("faults: %w", err))
	}
	return errors.Join(errs...)
}

// CheckAdminToken applies the services' rule to an admin token: it travels
// in an HTTP header, so it must be non-empty without spaces or control
// characters.
func CheckAdminToken(token string) error {
	if token == "" || strings.ContainsFunc(token, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		return errors.New("admin token must be non-empty without spaces or control characters")
	}
	return nil
}

// checkExposure refuses a listen or admin address beyond loopback while the
// admin token is the public DefaultAdminToken: the admin API's replay,
// redeliver, faults and profiles would be open to anyone who can reach it.
// The services apply the same rule (platform/envconf.Exposure).
func (c Config) checkExposure() []error {
	if c.AdminToken != DefaultAdminToken {
		return nil
	}
	var errs []error
	for _, a := range []struct{ what, addr string }{{"listen address (-listen)", c.ListenAddr}, {"admin address (-admin)", c.AdminAddr}} {
		if a.addr != "" && !loopback(a.addr) {
			errs = append(errs, fmt.Errorf("%s %q is beyond this machine while the admin token is the public default %q: "+
				"set ADMIN_TOKEN (or -admin-token) to a secret of your own, or listen on 127.0.0.1", a.what, a.addr, DefaultAdminToken))
		}
	}
	return errs
}

// loopback reports whether listen address addr accepts connections from
// this machine only: a loopback IP or localhost (an empty host is every
// interface).
func loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.Unmap().IsLoopback()
}

// resolveAdvertise picks the address clients are told to dial.
func (c Config) resolveAdvertise(bound net.Addr) (netip.AddrPort, error) {
	if c.AdvertiseAddr != "" {
		return netip.ParseAddrPort(c.AdvertiseAddr)
	}
	ap, err := netip.ParseAddrPort(bound.String())
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("listen address %s: %w", bound, err)
	}
	if ap.Addr().IsUnspecified() {
		return netip.AddrPortFrom(netip.AddrFrom4([4]byte{127, 0, 0, 1}), ap.Port()), nil
	}
	if !ap.Addr().Unmap().Is4() {
		return netip.AddrPort{}, fmt.Errorf("listen address %s is not IPv4; set an IPv4 advertise address", bound)
	}
	return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port()), nil
}
