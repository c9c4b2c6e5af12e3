// Package timeline answers "what happened to this order's messages?": every
// step that every program journaled under the order number (the message
// key), merged in time order, so the order page can draw the transaction as
// a sequence diagram (see the timeline contract: entries, steps, endpoints).
//
// The sources are each service's journal (GET /api/v1/admin/journal?key=…,
// with the gateway's admin token) and minirmq's (GET /api/v1/journal?key=…
// on its admin API), read in parallel with a short limit each. As in the
// progress document, a source that does not answer is reported in the
// answer's sources, never turned into an error: a timeline with a gap is
// still worth showing. A source that answers 404 keeps no journal (a
// version older than the timeline contract), which the page says too.
package timeline

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"sync"
	"time"

	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/platform/apperr"
	"github.com/rocketmart/rocketmart/services/platform/svcclient"
)

// DefaultCallTimeout bounds each source's answer: the page asks every
// second, and one slow journal should cost it one source, not the poll.
const DefaultCallTimeout = 2 * time.Second

// SourceBroker names minirmq's journal among the sources; it is also the
// actor of the broker's entries.
const SourceBroker = "broker"

// Source states.
const (
	StateOK           = "ok"
	StateNoJournal    = "no journal"                   // 404: the program keeps no journal (older than the contract)
	StateUnreachable  = "unreachable"                  // did not answer, refused the token, or answered something else
	StateNotAvailable = "not available on this broker" // no broker admin API (Apache RocketMQ)
)

// StepStatus is the step of the entries the gateway adds itself: one per
// change in the order's own status history, so the page has the order's
// durable milestones even where no journal is kept.
const StepStatus = "status-changed"

// Entry is one step of one program, in the contract's shape. Empty fields
// are left out; Attempt is 1-based where it applies.
type Entry struct {
	At       string `json:"at"`
	Actor    string `json:"actor"`
	Instance string `json:"instance,omitempty"`
	Step     string `json:"step"`
	Key      string `json:"key,omitempty"`
	Topic    string `json:"topic,omitempty"`
	MsgID    string `json:"msgId,omitempty"`
	TxID     string `json:"txId,omitempty"`
	Group    string `json:"group,omitempty"`
	Attempt  int    `json:"attempt,omitempty"`
	Outcome  string `json:"outcome,omitempty"`
	Detail   string `json:"detail,omitempty"`
}

// Source says what one journal contributed.
type Source struct {
	Source string `json:"source"`
	State  string `json:"state"`
	// Detail says why a source is not ok, for people.
	Detail string `json:"detail,omitempty"`
	// Retention is how long the source keeps entries, as it says itself.
	Retention string `json:"retention,omitempty"`
}

// Document is GET /api/timeline/{orderNo}.
type Document struct {
	OrderNo string `json:"orderNo"`
	// Status is the order's status; empty when an admin asked and the order
	// service did not answer.
	Status string `json:"status"`
	// Entries are every source's entries and the order's status changes,
	// oldest first; entries at the same instant keep the sources' order.
	Entries []Entry  `json:"entries"`
	Sources []Source `json:"sources"`
	// CheckedAt is when the gateway asked (RFC 3339, UTC).
	CheckedAt string `json:"checkedAt"`
}

// Clients are what the timeline reads.
type Clients struct {
	// Journals holds a client for every service in contracts.Services(), by
	// name, each carrying the gateway's admin token.
	Journals map[string]*svcclient.Client
	// Owner is the order service without the admin token: the order is read
	// as its owner, so the order service checks ownership.
	Owner *svcclient.Client
	// Broker is minirmq's admin API, or nil when there is none.
	Broker *svcclient.Client
}

// Service builds timelines.
type Service struct {
	c       Clients
	sources []string // order, the broker, then the other services in start order
	timeout time.Duration
	now     func() time.Time
}

// New returns a Service; a service of the table without a journal client is
// an error, so a missing one shows at start-up.
func New(c Clients) (*Service, error) {
	if c.Owner == nil {
		return nil, errors.New("timeline: no client for reading orders as their owner")
	}
	sources := []string{contracts.ServiceOrder, SourceBroker}
	for _, name := range contracts.ServiceNames() {
		if c.Journals[name] == nil {
			return nil, fmt.Errorf("timeline: no journal client for the %s service", name)
		}
		if name != contracts.ServiceOrder {
			sources = append(sources, name)
		}
	}
	return &Service{c: c, sources: sources, timeout: DefaultCallTimeout, now: time.Now}, nil
}

// order is the part of the order service's answer the timeline reads.
type order struct {
	Status  string `json:"status"`
	History []struct {
		From   string `json:"from"`
		To     string `json:"to"`
		Reason string `json:"reason"`
		At     string `json:"at"`
	} `json:"history"`
}

// ForUser returns the timeline of one of userID's orders. The order is read
// as its owner first, and only then are the journals asked: someone else's
// order is the order service's 404, returned as it is (as are its 503s).
func (s *Service) ForUser(ctx context.Context, userID, orderNo string) (Document, error) {
	var o order
	if err := s.call(ctx, s.c.Owner, "/api/v1/orders/"+url.PathEscape(orderNo), userID, &o); err != nil {
		return Document{}, err
	}
	doc := s.collect(ctx, orderNo)
	return s.finish(doc, &o), nil
}

// ForAdmin returns the timeline of any order, reading the order with the
// admin token alongside the journals. An order the order service does not
// know is its 404; an order service that does not answer leaves Status
// empty (its journal's source says why).
func (s *Service) ForAdmin(ctx context.Context, orderNo string) (Document, error) {
	var (
		o    order
		oErr error
		doc  Document
		wg   sync.WaitGroup
	)
	wg.Go(func() {
		oErr = s.call(ctx, s.c.Journals[contracts.ServiceOrder], "/api/v1/admin/orders/"+url.PathEscape(orderNo), "", &o)
	})
	wg.Go(func() { doc = s.collect(ctx, orderNo) })
	wg.Wait()
	if oErr != nil {
		if apperr.KindOf(oErr) == apperr.NotFound {
			return Document{}, oErr
		}
		return s.finish(doc, nil), nil
	}
	return s.finish(doc, &o), nil
}

// finish adds the order's status and status changes and sorts the entries.
func (s *Service) finish(doc Document, o *order) Document {
	if o != nil {
		doc.Status = o.Status
		for _, h := range o.History {
			detail := h.To
			if h.From != "" {
				detail = h.From + " → " + h.To
			}
			if h.Reason != "" {
				detail += " (" + h.Reason + ")"
			}
			doc.Entries = append(doc.Entries, Entry{At: h.At, Actor: contracts.ServiceOrder, Step: StepStatus,
				Key: doc.OrderNo, Outcome: h.To, Detail: detail})
		}
	}
	sortByTime(doc.Entries)
	doc.CheckedAt = s.now().UTC().Format(time.RFC3339Nano)
	return doc
}

// call asks one source with the per-call limit.
func (s *Service) call(ctx context.Context, c *svcclient.Client, path, userID string, out any) error {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	return c.Call(ctx, "GET", path, userID, nil, out)
}

// sortByTime orders entries by At, oldest first. The sort is stable, so
// entries at the same instant stay in the sources' order; an At that does
// not parse sorts last rather than failing the answer.
func sortByTime(entries []Entry) {
	type timed struct {
		e  Entry
		t  time.Time
		ok bool
	}
	ts := make([]timed, len(entries))
	for i, e := range entries {
		t, err := time.Parse(time.RFC3339Nano, e.At)
		if e.Step == StepStatus {
			// The order's history keeps milliseconds, the journals
			// microseconds: a status change sorts after the steps of its
			// own millisecond (the commit that made the order PAID).
			t = t.Truncate(time.Millisecond).Add(time.Millisecond - time.Nanosecond)
		}
		ts[i] = timed{e: e, t: t, ok: err == nil}
	}
	slices.SortStableFunc(ts, func(a, b timed) int {
		switch {
		case a.ok && b.ok:
			return a.t.Compare(b.t)
		case a.ok:
			return -1
		case b.ok:
			return 1
		}
		return 0
	})
	for i := range ts {
		entries[i] = ts[i].e
	}
}
