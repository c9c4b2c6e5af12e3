package ordering

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/platform/apperr"
	"github.com/rocketmart/rocketmart/services/platform/faults"
)

// Rules bounds what a customer may ask for.
const (
	MaxLines      = 50
	MaxQuantity   = 99
	MaxKeyLength  = 128
	maxFieldChars = 200
)

// Config tunes the Service. Zero fields take the defaults.
type Config struct {
	// PaymentTimeout is how long a new order may be paid (default 15m).
	PaymentTimeout time.Duration
	// ReservationGrace is added to the deadline for the stock reservation's
	// expiry, so inventory's sweeper never races a payable order (default 10m).
	ReservationGrace time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Log receives domain logs (default slog.Default()).
	Log *slog.Logger
	// ChargeWindow is how long after a payment starts its charge (and its
	// points redemption) may still be created (default 5 s; the run sets
	// ORDER_PAYMENT_CALL_TIMEOUT + 2 s): the payment and points services
	// refuse one after that, and until then a check-back that finds none
	// answers "not known yet" instead of rolling back a payment whose
	// charge is still on its way.
	ChargeWindow time.Duration
	// ReturnWindow is how long after delivery a customer may request a
	// return (default 14 days).
	ReturnWindow time.Duration
	// Faults are the service's training fault switches (nil: none):
	// NewService declares PointPayLocal on it, NewChecks
	// PointCheckStrategy.
	Faults *faults.Set
}

// Service runs the order use cases.
type Service struct {
	store     Store
	inventory Inventory
	payments  Payments
	points    Points
	cart      Cart
	events    Events
	cfg       Config
}

// NewService wires the use cases to their dependencies.
func NewService(store Store, inventory Inventory, payments Payments, points Points, cart Cart, events Events, cfg Config) *Service {
	cfg.Faults.Declare(payLocalPoint, placeAfterReservePoint)
	return &Service{store: store, inventory: inventory, payments: payments, points: points, cart: cart, events: events, cfg: cfg.withDefaults()}
}

// withDefaults fills in the zero fields.
func (cfg Config) withDefaults() Config {
	if cfg.PaymentTimeout <= 0 {
		cfg.PaymentTimeout = 15 * time.Minute
	}
	if cfg.ReservationGrace <= 0 {
		cfg.ReservationGrace = 10 * time.Minute
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.ReturnWindow <= 0 {
		cfg.ReturnWindow = 14 * 24 * time.Hour
	}
	if cfg.ChargeWindow <= 0 {
		cfg.ChargeWindow = 5 * time.Second
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	return cfg
}

func (s *Service) now() time.Time { return s.cfg.now() }

// now reads the clock in UTC at millisecond precision: what MySQL's
// DATETIME(3) keeps, so a time reads back as it was written (every service
// does the same).
func (cfg Config) now() time.Time { return cfg.Now().UTC().Truncate(time.Millisecond) }

// Get returns the user's order; another user's order is NotFound, exactly
// like one that does not exist.
func (s *Service) Get(ctx context.Context, userID, orderNo string) (*Order, error) {
	o, err := s.store.Get(ctx, orderNo)
	if err != nil {
		return nil, err
	}
	if o.UserID != userID {
		return nil, errOrderNotFound(orderNo)
	}
	return o, nil
}

// GetAny returns any order, for admins and other services.
func (s *Service) GetAny(ctx context.Context, orderNo string) (*Order, error) {
	return s.store.Get(ctx, orderNo)
}

// List returns the user's newest orders.
func (s *Service) List(ctx context.Context, userID string, limit int) ([]Order, error) {
	return s.store.ListByUser(ctx, userID, limit)
}

// ListAll returns the newest orders of any user, optionally of one status.
func (s *Service) ListAll(ctx context.Context, status Status, limit int) ([]Order, error) {
	if status != "" && !slices.Contains(Statuses, status) {
		return nil, apperr.New(apperr.Invalid, CodeInvalidStatus, "status must be one of "+fmt.Sprint(Statuses)).
			With("field", "status")
	}
	return s.store.List(ctx, status, limit)
}

func errOrderNotFound(orderNo string) error {
	return apperr.New(apperr.NotFound, contracts.CodeOrderNotFound, "no such order").With("orderNo", orderNo)
}

// newID returns a random identifier with a prefix, e.g. "evt-…".
func newID(prefix string) string {
	return prefix + strings.ToLower(rand.Text()[:20])
}

// newOrderNo returns an order number that sorts by day and is safe in URLs
// and message keys: "RM20261121-K3QF9XZ2B7M4".
func newOrderNo(now time.Time) string {
	return fmt.Sprintf("RM%s-%s", now.Format("20060102"), rand.Text()[:12])
}

// isKind reports whether err is an apperr of kind with code (any code when
// code is empty).
func isKind(err error, kind apperr.Kind, code string) bool {
	e, ok := apperr.As(err)
	return ok && e.Kind == kind && (code == "" || e.Code == code)
}
