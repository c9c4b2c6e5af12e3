// Package broker implements minirmq's name-server and broker request handling
// on top of the message store: routes, sends, long-polling pulls, consumer
// groups and offsets, retries and dead letters, delay levels, transactional
// half messages with check-back, and orderly-consumer queue locks.
package broker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/rocketmart/rocketmart/services/minirmq/internal/faults"
	"github.com/rocketmart/rocketmart/services/minirmq/internal/journal"
	"github.com/rocketmart/rocketmart/services/minirmq/internal/store"
)

// System topics, named as in Apache RocketMQ.
const (
	HalfTopic      = "RMQ_SYS_TRANS_HALF_TOPIC"
	OpTopic        = "RMQ_SYS_TRANS_OP_HALF_TOPIC"
	CheckMaxTopic  = "TRANS_CHECK_MAX_TIME_TOPIC"
	ScheduleTopic  = "SCHEDULE_TOPIC_XXXX"
	DefaultTopic   = "TBW102"
	RetryPrefix    = "%RETRY%"
	DLQPrefix      = "%DLQ%"
	defaultRegion  = "DefaultRegion"
	maxPullBytes   = 256 << 10
	maxPullMsgs    = 32
	maxHold        = 20 * time.Second
	heartbeatLimit = 120 * time.Second
	lockLifetime   = 60 * time.Second
)

// Options configure a Broker.
type Options struct {
	Advertise       netip.AddrPort
	ClusterName     string
	BrokerName      string
	DefaultQueues   int
	TxCheckAfter    time.Duration
	TxCheckInterval time.Duration
	TxCheckMax      int
	DelayLevels     []time.Duration
	MaxFrameBytes   int
	MaxMessageBytes int
	// StatePath is where broker state (offsets, halves, schedule progress) is
	// snapshotted; empty keeps it in memory only.
	StatePath string
	// Faults are the armed workshop faults the broker consults when it
	// delivers and when it checks back; nil means an empty set.
	Faults *faults.Set
	// JournalCapacity is how many timeline entries the journal keeps; 0
	// means journal.DefaultCapacity. Tests make it small.
	JournalCapacity int
	Logger          *slog.Logger
	Now             func() time.Time
}

// Broker serves remoting connections. Create it with New, then Serve.
type Broker struct {
	opts    Options
	log     *slog.Logger
	store   *store.Store
	metrics *Metrics
	reg     *registry
	locks   *lockTable
	faults  *faults.Set
	journal *journal.Journal
	acks    *ackTracker

	// mu guards the broker state below and makes "append to the store, then
	// apply the record to the state" one step, so a snapshot is always
	// consistent with the commit-log offset it records.
	mu              sync.Mutex
	state           state
	dirty           bool
	savedDispatched int64

	schedWake chan struct{}

	connsMu sync.Mutex
	conns   map[*conn]struct{}
	lns     []net.Listener

	ctx    context.Context
	cancel context.CancelFunc

	started time.Time // for GET_BROKER_RUNTIME_INFO's totals and rates
	wg      sync.WaitGroup
	closed  bool
}

// New builds a broker on an opened store and recovers its state: the last
// snapshot plus every record appended after it.
func New(opts Options, st *store.Store) (*Broker, error) {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Faults == nil {
		opts.Faults = faults.New(opts.Logger)
	}
	ctx, cancel := context.WithCancel(context.Background())
	jr := journal.New(journal.Options{Capacity: opts.JournalCapacity, Actor: "broker", Instance: opts.Advertise.String(), Now: opts.Now})
	b := &Broker{
		opts:      opts,
		log:       opts.Logger,
		store:     st,
		metrics:   newMetrics(),
		reg:       newRegistry(),
		locks:     newLockTable(),
		faults:    opts.Faults,
		journal:   jr,
		acks:      newAckTracker(),
		schedWake: make(chan struct{}, 1),
		conns:     map[*conn]struct{}{},
		ctx:       ctx,
		cancel:    cancel,
		started:   opts.Now(),
	}
	if err := b.recover(); err != nil {
		cancel()
		return nil, err
	}
	b.wg.Add(3)
	go b.runTransactionChecks()
	go b.runScheduler()
	go b.runHousekeeping()
	return b, nil
}

// Metrics returns the broker's Prometheus collectors.
func (b *Broker) Metrics() *Metrics { return b.metrics }

// Serve accepts connections on ln until Close. It returns nil after Close.
func (b *Broker) Serve(ln net.Listener) error {
	b.connsMu.Lock()
	if b.closed {
		b.connsMu.Unlock()
		return errors.New("broker: closed")
	}
	b.lns = append(b.lns, ln)
	b.connsMu.Unlock()
	for {
		nc, err := ln.Accept()
		if err != nil {
			if b.ctx.Err() != nil {
				return nil
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			return fmt.Errorf("broker: accept: %w", err)
		}
		c := newConn(b, nc)
		b.connsMu.Lock()
		if b.closed {
			b.connsMu.Unlock()
			nc.Close()
			continue
		}
		b.conns[c] = struct{}{}
		b.connsMu.Unlock()
		b.metrics.connections.Inc()
		go c.serve()
	}
}

// Close stops accepting, closes every connection, stops the background loops
// and writes a final state snapshot. It does not close the store.
func (b *Broker) Close() error {
	b.connsMu.Lock()
	if b.closed {
		b.connsMu.Unlock()
		return nil
	}
	b.closed = true
	for _, ln := range b.lns {
		ln.Close()
	}
	conns := make([]*conn, 0, len(b.conns))
	for c := range b.conns {
		conns = append(conns, c)
	}
	b.connsMu.Unlock()
	b.cancel()
	for _, c := range conns {
		c.close()
	}
	b.wg.Wait()
	return b.saveState()
}

func (b *Broker) forgetConn(c *conn) {
	b.connsMu.Lock()
	delete(b.conns, c)
	b.connsMu.Unlock()
	b.metrics.connections.Dec()
}

func (b *Broker) now() time.Time { return b.opts.Now() }

// storeHost is the address stamped on stored messages and in offset ids.
func (b *Broker) storeHost() netip.AddrPort { return b.opts.Advertise }
