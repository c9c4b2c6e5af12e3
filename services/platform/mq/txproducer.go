package mq

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"

	rocketmq "github.com/apache/rocketmq-client-go/v2"
	"github.com/apache/rocketmq-client-go/v2/primitive"
	"github.com/apache/rocketmq-client-go/v2/producer"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/rocketmart/rocketmart/services/platform/tracing"
)

// TxState is the outcome of a local transaction.
type TxState int

// Local transaction outcomes.
const (
	// Commit: the local change committed; the event is delivered.
	Commit TxState = iota + 1
	// Rollback: the local change will never commit; the event is dropped.
	Rollback
	// Unknown: the outcome is not known yet; the broker will check back.
	Unknown
)

func (s TxState) String() string {
	switch s {
	case Commit:
		return "commit"
	case Rollback:
		return "rollback"
	case Unknown:
		return "unknown"
	}
	return fmt.Sprintf("TxState(%d)", int(s))
}

func (s TxState) toClient() primitive.LocalTransactionState {
	switch s {
	case Commit:
		return primitive.CommitMessageState
	case Rollback:
		return primitive.RollbackMessageState
	}
	return primitive.UnknowState
}

func stateFromClient(s primitive.LocalTransactionState) TxState {
	switch s {
	case primitive.CommitMessageState:
		return Commit
	case primitive.RollbackMessageState:
		return Rollback
	}
	return Unknown
}

// LocalTx runs the local transaction of a half message. txID is the
// message's transaction id: record it durably in the same local database
// transaction, so a check-back can answer from it.
type LocalTx func(ctx context.Context, txID string) TxState

// Check is a broker's question about a half message whose outcome it never
// learned.
type Check struct {
	TransactionID string
	Delivery
	// Times is how often the broker has asked, this time included.
	Times int
}

// Checker answers a check from durable state only, never from memory, so a
// restarted process or another instance of the group answers correctly. The
// client runs all checks on one goroutine: keep it fast.
type Checker func(ctx context.Context, c Check) TxState

// TxProducer publishes events if and only if a local change commits.
type TxProducer struct {
	p            rocketmq.TransactionProducer
	group        string
	log          *slog.Logger
	check        Checker
	checkTimeout time.Duration
	// calls maps the message handed to the client to its local transaction:
	// the client calls ExecuteLocalTransaction synchronously, in the sending
	// goroutine, with that very message.
	calls sync.Map
}

type localCall struct {
	ctx context.Context
	fn  LocalTx
}

// NewTxProducer starts a transactional producer in its own producer group.
// Use one stable, documented group per kind of transactional event: the
// broker sends check-backs to live members of the group.
//
// It sends one half message to warmUpTopic and rolls it back at once (never
// delivered): a client only heartbeats to brokers it learned from a route,
// i.e. after a send, and without a heartbeat no broker can ask this instance
// about halves left undecided by a crashed instance of the same group.
func NewTxProducer(ctx context.Context, cfg Config, group, warmUpTopic string, check Checker) (*TxProducer, error) {
	ns, err := cfg.resolver(ctx)
	if err != nil {
		return nil, err
	}
	t := &TxProducer{group: group, log: cfg.logger().With("producer_group", group), check: check, checkTimeout: 2 * time.Second}
	p, err := rocketmq.NewTransactionProducer(listener{t}, producer.WithNsResolver(ns), producer.WithGroupName(group),
		producer.WithInstanceName(cfg.instanceName("tx", group)), producer.WithRetry(2))
	if err != nil {
		return nil, fmt.Errorf("mq: new transactional producer %s: %w", group, err)
	}
	if err := p.Start(); err != nil {
		return nil, fmt.Errorf("mq: start transactional producer %s: %w", group, err)
	}
	t.p = p
	warm := Message{Topic: warmUpTopic, Key: "warm-up", Body: []byte("warm-up; rolled back, never delivered")}
	if _, err := t.Publish(ctx, warm, func(context.Context, string) TxState { return Rollback }); err != nil {
		p.Shutdown()
		return nil, fmt.Errorf("mq: warm up transactional producer %s on %s: %w", group, warmUpTopic, err)
	}
	return t, nil
}

// TxResult is what happened to a published half message.
type TxResult struct {
	TransactionID string
	State         TxState
}

// Publish sends msg as a half message, runs local, and commits or rolls back
// the message as local says. With Unknown the broker checks back later.
// An error means the half message was not stored and local did not run.
//
// The whole of it is one send span (see trace.go): the half message carries
// its context, and local runs inside it, so the local transaction's calls
// and SQL, the check-backs and every consumer's span join the same trace.
func (t *TxProducer) Publish(ctx context.Context, msg Message, local LocalTx) (_ TxResult, err error) {
	pm := msg.toClient()
	ctx, span := startSend(ctx, pm, true)
	defer func() { endWith(span, err) }()
	t.calls.Store(pm, localCall{ctx: ctx, fn: local})
	defer t.calls.Delete(pm)
	res, err := t.p.SendMessageInTransaction(ctx, pm)
	if err != nil {
		return TxResult{}, fmt.Errorf("mq: send half message to %s (key %s): %w", msg.Topic, msg.Key, err)
	}
	state := stateFromClient(res.State)
	span.SetAttributes(txAttrs(pm.TransactionId, state)...)
	span.SetAttributes(semconv.MessagingMessageID(res.MsgID))
	return TxResult{TransactionID: pm.TransactionId, State: state}, nil
}

// Close shuts the producer down.
func (t *TxProducer) Close() error { return t.p.Shutdown() }

type listener struct{ t *TxProducer }

func (l listener) ExecuteLocalTransaction(m *primitive.Message) (state primitive.LocalTransactionState) {
	log := l.t.log.With("tx_id", m.TransactionId, "topic", m.Topic, "key", m.GetKeys())
	v, ok := l.t.calls.Load(m)
	if !ok {
		log.Error("no local transaction registered for half message; answering unknown")
		return primitive.UnknowState
	}
	call := v.(localCall)
	ctx, span := tracer().Start(call.ctx, m.Topic+" local transaction", trace.WithAttributes(attrTxID.String(m.TransactionId)))
	defer span.End()
	log = log.With(tracing.TraceAttrs(ctx)...)
	defer recoverAs(log, "local transaction", &state)
	s := call.fn(ctx, m.TransactionId)
	span.SetAttributes(attrTxState.String(s.String()))
	log.InfoContext(ctx, "local transaction finished", "state", s)
	return s.toClient()
}

func (l listener) CheckLocalTransaction(m *primitive.MessageExt) (state primitive.LocalTransactionState) {
	txID := m.TransactionId
	if txID == "" {
		txID = m.MsgId
	}
	ctx, cancel := context.WithTimeout(context.Background(), l.t.checkTimeout)
	defer cancel()
	ctx, span := startReceived(ctx, m, "check-back", attrTxID.String(txID), attrCheckTime.Int(checkTimes(m)))
	defer span.End()
	log := l.t.log.With("tx_id", m.TransactionId, "msg_id", m.MsgId, "topic", m.Topic, "key", m.GetKeys())
	log = log.With(tracing.TraceAttrs(ctx)...)
	defer recoverAs(log, "transaction check", &state)
	s := l.t.check(ctx, Check{TransactionID: txID, Delivery: fromClient(m), Times: checkTimes(m)})
	span.SetAttributes(attrTxState.String(s.String()))
	log.InfoContext(ctx, "answered transaction check", "state", s, "check_times", checkTimes(m))
	return s.toClient()
}

// recoverAs turns a panic in application code into "unknown": the broker
// asks again later instead of the process dying inside the client.
func recoverAs(log *slog.Logger, what string, state *primitive.LocalTransactionState) {
	if r := recover(); r != nil {
		log.Error(what+" panicked; answering unknown", "panic", r, "stack", string(debug.Stack()))
		*state = primitive.UnknowState
	}
}
