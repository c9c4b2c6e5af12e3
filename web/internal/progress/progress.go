// Package progress answers "where is my order?" across the services: the
// order itself, its payment, and the four effects ORDER_PAID causes in
// inventory, logistics, points and cart. It is the storefront's window on
// eventual consistency: each effect appears as its consumer applies it.
//
// It reads the order as its owner first, so nobody sees another user's
// progress, and only then asks the other services with the admin token.
// A service that does not answer makes its part "unknown" rather than
// failing the whole answer.
package progress

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"sync"
	"time"

	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/platform/apperr"
	"github.com/rocketmart/rocketmart/services/platform/svcclient"
)

// DefaultCallTimeout bounds each downstream call, so one hung service costs
// the page one second of staleness rather than a stuck poll.
const DefaultCallTimeout = 2 * time.Second

// Clients are the services progress reads.
type Clients struct {
	// Services holds a client for every service in contracts.Services(), by
	// name. The order's must send no admin token (the order is read as its
	// owner); the others carry the admin token.
	Services map[string]*svcclient.Client
	// Broker is minirmq's admin API, or nil when broker views are disabled.
	Broker *svcclient.Client
}

// Service builds progress documents.
type Service struct {
	c       Clients
	pays    *PayTracker
	timeout time.Duration
	now     func() time.Time
}

// New returns a Service. pays tells which orders have a pay request running
// through this gateway (nil: none are tracked). A service of the table
// without a client is an error, so a missing one shows at start-up rather
// than as a nil client on the first order page.
func New(c Clients, pays *PayTracker) (*Service, error) {
	for _, svc := range contracts.Services() {
		if c.Services[svc.Name] == nil {
			return nil, fmt.Errorf("progress: no client for the %s service", svc.Name)
		}
	}
	if pays == nil {
		pays = NewPayTracker()
	}
	return &Service{c: c, pays: pays, timeout: DefaultCallTimeout, now: time.Now}, nil
}

// order is the part of the order service's answer progress reads.
type order struct {
	Status        string `json:"status"`
	PointsApplied int64  `json:"pointsApplied"`
	ChargedCents  int64  `json:"chargedCents"`
	History       []struct {
		To string `json:"to"`
		At string `json:"at"`
	} `json:"history"`
}

// Get returns the progress of orderNo for userID. The order's own errors
// (404 for someone else's order, 503) are returned as they are.
func (s *Service) Get(ctx context.Context, userID, orderNo string) (Document, error) {
	var raw json.RawMessage
	if err := s.call(ctx, s.c.Services[contracts.ServiceOrder], "/api/v1/orders/"+url.PathEscape(orderNo), userID, &raw); err != nil {
		return Document{}, err
	}
	var o order
	if err := json.Unmarshal(raw, &o); err != nil {
		return Document{}, apperr.Wrap(apperr.Unavailable, apperr.CodeDependencyUnavailable, "the order service answered something unexpected", err)
	}

	var (
		wg  sync.WaitGroup
		doc = Document{Order: raw}
		pay payFacts
		sh  shipmentFacts
		pts pointsFacts
	)
	wg.Go(func() { doc.Effects.StockSold = s.stockSold(ctx, orderNo, o.Status) })
	wg.Go(func() { sh = s.shipment(ctx, orderNo, o.Status) })
	wg.Go(func() { pts = s.points(ctx, orderNo, o.Status) })
	wg.Go(func() { doc.Effects.CartCleaned = s.cartCleaned(ctx, orderNo, o.Status) })
	wg.Go(func() { pay = s.payFacts(ctx, orderNo, o.Status) })
	wg.Wait()

	doc.Effects.Shipment, doc.Effects.Points = sh.effect, pts.effect
	doc.Payment = paymentState(o, pay)
	doc.AfterPay = afterPay(o, sh, pts, doc.Effects.StockSold, pay)
	doc.Complete = doc.Effects.complete()
	stock := doc.Effects.StockSold
	released := o.Status == orderCancelled && stock.State != StateUnknown && stock.Reservation != "RESERVED"
	switch {
	case refundStarted(o.Status):
		doc.Final = o.Status == orderRefunded && doc.AfterPay.Refund.done()
	default:
		doc.Final = doc.Complete || released
	}
	doc.CheckedAt = s.now().UTC().Format(time.RFC3339Nano)
	return doc, nil
}

// call asks one service with the per-call deadline.
func (s *Service) call(ctx context.Context, c *svcclient.Client, path, userID string, out any) error {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	return c.Call(ctx, "GET", path, userID, nil, out)
}

// lookup asks a service for a record that may not exist yet: found=false for
// a 404, and a reason for the page when the service could not be asked.
func (s *Service) lookup(ctx context.Context, name string, c *svcclient.Client, path string, out any) (found bool, reason string) {
	err := s.call(ctx, c, path, "", out)
	switch {
	case err == nil:
		return true, ""
	case apperr.KindOf(err) == apperr.NotFound:
		return false, ""
	default:
		return false, unknownReason(name, err)
	}
}

// unknownReason explains for people why name's part is unknown. Messages of
// apperr errors are written for clients; anything else is not shown.
func unknownReason(name string, err error) string {
	if svcclient.IsUnavailable(err) {
		return "the " + name + " service did not answer"
	}
	if e, ok := apperr.As(err); ok {
		switch e.Kind {
		case apperr.Unauthorized, apperr.Forbidden:
			return "the " + name + " service refused the gateway's admin token"
		case apperr.Internal:
		default:
			return "the " + name + " service answered " + e.Code + ": " + e.Message
		}
	}
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	if errors.As(err, &syntax) || errors.As(err, &typ) {
		return "the " + name + " service answered something unexpected"
	}
	return "the " + name + " service could not be asked"
}

func (s *Service) stockSold(ctx context.Context, orderNo, orderStatus string) StockSold {
	var r struct {
		Status    string `json:"status"`
		UpdatedAt string `json:"updatedAt"`
	}
	found, reason := s.lookup(ctx, contracts.ServiceInventory, s.c.Services[contracts.ServiceInventory], "/api/v1/reservations/"+url.PathEscape(orderNo), &r)
	// A returned reservation was sold first: the sale stays done.
	sold := found && (r.Status == "SOLD" || r.Status == "RETURNED")
	return StockSold{Status: status(sold, r.UpdatedAt, reason, orderStatus), Reservation: r.Status, updatedAt: r.UpdatedAt}
}

// shipmentFacts is the shipment effect with the tracking events behind the
// delivery and refund steps.
type shipmentFacts struct {
	effect    Shipment
	found     bool
	reason    string
	updatedAt string
	events    map[string]string // tracking status → when
}

func (s *Service) shipment(ctx context.Context, orderNo, orderStatus string) shipmentFacts {
	var sh struct {
		Status     string `json:"status"`
		Carrier    string `json:"carrier"`
		TrackingNo string `json:"trackingNo"`
		CreatedAt  string `json:"createdAt"`
		UpdatedAt  string `json:"updatedAt"`
		Events     []struct {
			Status string `json:"status"`
			At     string `json:"at"`
		} `json:"events"`
	}
	found, reason := s.lookup(ctx, contracts.ServiceLogistics, s.c.Services[contracts.ServiceLogistics], "/api/v1/admin/shipments/"+url.PathEscape(orderNo), &sh)
	f := shipmentFacts{found: found, reason: reason, updatedAt: sh.UpdatedAt, events: map[string]string{},
		effect: Shipment{Status: status(found, sh.CreatedAt, reason, orderStatus),
			Shipment: sh.Status, Carrier: sh.Carrier, TrackingNo: sh.TrackingNo}}
	for _, e := range sh.Events {
		f.events[e.Status] = e.At
	}
	return f
}

// pointsFacts is the points effect with the order's ledger entries by reason.
type pointsFacts struct {
	effect  Points
	reason  string
	entries map[string]ledgerEntry // ledger reason → its entry (UNIQUE (order_no, reason))
}

type ledgerEntry struct {
	Reason    string `json:"reason"`
	Points    int64  `json:"points"`
	CreatedAt string `json:"createdAt"`
}

// The points ledger's reasons progress reads.
const (
	ledgerPaid     = "ORDER_PAID"
	ledgerRedeemed = "ORDER_REDEEMED"
	ledgerReturned = "REDEMPTION_RETURNED"
	ledgerRefunded = "ORDER_REFUNDED"
)

func (s *Service) points(ctx context.Context, orderNo, orderStatus string) pointsFacts {
	var l struct {
		Entries []ledgerEntry `json:"entries"`
	}
	_, reason := s.lookup(ctx, contracts.ServicePoints, s.c.Services[contracts.ServicePoints], "/api/v1/admin/points/ledger?orderNo="+url.QueryEscape(orderNo), &l)
	f := pointsFacts{reason: reason, entries: map[string]ledgerEntry{}}
	for _, e := range l.Entries {
		f.entries[e.Reason] = e
	}
	credit, credited := f.entries[ledgerPaid]
	f.effect = Points{Status: status(credited, credit.CreatedAt, reason, orderStatus), Points: credit.Points,
		Redeemed: -f.entries[ledgerRedeemed].Points}
	return f
}

func (s *Service) cartCleaned(ctx context.Context, orderNo, orderStatus string) CartCleaned {
	var ch struct {
		Removed []CartLine `json:"removed"`
		At      string     `json:"at"`
	}
	found, reason := s.lookup(ctx, contracts.ServiceCart, s.c.Services[contracts.ServiceCart], "/api/v1/admin/checkouts/"+url.PathEscape(orderNo), &ch)
	return CartCleaned{Status: status(found, ch.At, reason, orderStatus), Removed: ch.Removed}
}

// before compares two RFC 3339 times; unparsable ones compare as text so a
// surprising format still gives a stable answer.
func before(a, b string) bool {
	ta, errA := time.Parse(time.RFC3339Nano, a)
	tb, errB := time.Parse(time.RFC3339Nano, b)
	if errA != nil || errB != nil {
		return a < b
	}
	return ta.Before(tb)
}
