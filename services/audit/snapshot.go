package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/platform/svcclient"
)

// Snapshot is everything the invariants are checked against, read from the
// services' admin endpoints and the broker's admin API.
type Snapshot struct {
	Orders       []Order
	Charges      []Charge
	Wallets      []Wallet
	Stock        []Stock
	Reservations []Reservation
	Shipments    []Shipment
	Accounts     []PointsAccount
	Ledger       []PointsEntry
	Checkouts    []Checkout
	// Broker is nil when no broker admin API is configured (Apache RocketMQ).
	Broker *BrokerState
}

// Line is a SKU and a quantity.
type Line struct {
	SKU      string `json:"sku"`
	Quantity int    `json:"quantity"`
}

// Order is an order as the order service's admin list shows it.
type Order struct {
	OrderNo    string `json:"orderNo"`
	UserID     string `json:"userId"`
	Status     string `json:"status"`
	TotalCents int64  `json:"totalCents"`
	Lines      []Line `json:"lines"`
}

// Order statuses.
const (
	StatusPending   = "PENDING_PAYMENT"
	StatusPaid      = "PAID"
	StatusCancelled = "CANCELLED"
)

// Charge is one order's charge in payment.
type Charge struct {
	OrderNo     string `json:"orderNo"`
	UserID      string `json:"userId"`
	AmountCents int64  `json:"amountCents"`
	Status      string `json:"status"` // SUCCEEDED or REFUNDED
}

// Wallet is one user's money in payment.
type Wallet struct {
	UserID       string `json:"userId"`
	InitialCents int64  `json:"initialCents"`
	TopUpsCents  int64  `json:"topUpsCents"`
	BalanceCents int64  `json:"balanceCents"`
}

// Stock is one SKU's units in inventory: Initial was seeded, Restocked
// added since by the admin restock endpoint.
type Stock struct {
	SKU       string `json:"sku"`
	Initial   int    `json:"initial"`
	Restocked int    `json:"restocked"`
	Available int    `json:"available"`
	Reserved  int    `json:"reserved"`
	Sold      int    `json:"sold"`
}

// Reservation is one order's stock in inventory.
type Reservation struct {
	OrderNo   string    `json:"orderNo"`
	Status    string    `json:"status"` // RESERVED, RELEASED or SOLD
	Lines     []Line    `json:"lines"`
	ExpiresAt time.Time `json:"expiresAt"`
}

// Shipment is one paid order's shipment in logistics.
type Shipment struct {
	OrderNo    string `json:"orderNo"`
	UserID     string `json:"userId"`
	Status     string `json:"status"`
	TotalCents int64  `json:"totalCents"`
	Lines      []Line `json:"lines"`
}

// PointsAccount is one user's points balance and the sum of its ledger.
type PointsAccount struct {
	UserID    string `json:"userId"`
	Balance   int64  `json:"balance"`
	LedgerSum int64  `json:"ledgerSum"`
}

// PointsEntry is one ledger entry.
type PointsEntry struct {
	UserID  string `json:"userId"`
	OrderNo string `json:"orderNo"`
	Reason  string `json:"reason"`
	Points  int64  `json:"points"`
}

// Checkout is what a paid order took off its user's cart.
type Checkout struct {
	OrderNo string `json:"orderNo"`
	UserID  string `json:"userId"`
	Removed []Line `json:"removed"`
}

// BrokerState is what the broker still holds: undecided half messages,
// consumer lag, retries in flight and dead letters.
type BrokerState struct {
	PendingHalves []Half
	Lag           map[string]int64 // consumer group → messages not consumed
	Retrying      map[string]int64 // %RETRY% topic → retries waiting for their delay
	DeadLetters   []DeadLetter
}

// Half is an undecided half message.
type Half struct {
	TransactionID string `json:"transactionId"`
	Keys          string `json:"keys"`
	ProducerGroup string `json:"producerGroup"`
	CheckCount    int    `json:"checkCount"`
}

// DeadLetter is a message a consumer group gave up on.
type DeadLetter struct {
	Group         string `json:"-"`
	MsgID         string `json:"msgId"`
	Keys          string `json:"keys"`
	OriginalTopic string `json:"originalTopic"`
	QueueOffset   int64  `json:"queueOffset"`
	Replayed      bool   `json:"replayed"`
}

// reader reads one snapshot.
type reader struct {
	cfg    Config
	http   *http.Client
	client map[string]*svcclient.Client
}

// newReader makes a client for every service in contracts' table; a service
// without a URL is a configuration error, not a service the audit skips.
func newReader(cfg Config) (*reader, error) {
	r := &reader{cfg: cfg, http: &http.Client{Timeout: cfg.callTimeout()}, client: map[string]*svcclient.Client{}}
	for _, svc := range contracts.Services() {
		url, ok := cfg.URLs[svc.Name]
		if !ok || url == "" {
			return nil, fmt.Errorf("audit: no URL for the %s service (%s)", svc.Name, svc.URLVar())
		}
		r.client[svc.Name] = svcclient.New(url, cfg.AdminToken, cfg.callTimeout()).WithMaxResponse(maxList)
	}
	return r, nil
}

// maxList bounds one admin list's answer. The lists hold every record (a
// shipment is about 400 bytes of JSON): a benchmark's 10,000 orders already
// pass svcclient's default of 4 MiB, and the audit holds them in memory
// anyway.
const maxList = 512 << 20

// get reads one admin endpoint of a service into out.
func (r *reader) get(ctx context.Context, service, path string, out any) error {
	if err := r.client[service].Call(ctx, http.MethodGet, path, "", nil, out); err != nil {
		return fmt.Errorf("%s %s: %w", service, path, err)
	}
	return nil
}

// lists are the services' admin answers, as they come over the wire.
type lists struct {
	orders       struct{ Orders []Order }
	charges      struct{ Charges []Charge }
	wallets      struct{ Wallets []Wallet }
	stock        struct{ Stock []Stock }
	reservations struct{ Reservations []Reservation }
	shipments    struct{ Shipments []Shipment }
	accounts     struct{ Accounts []PointsAccount }
	ledger       struct{ Entries []PointsEntry }
	checkouts    struct{ Checkouts []Checkout }
}

// source is one admin endpoint the audit reads and where its answer goes.
type source struct {
	service, path string
	out           any
}

// sources are the audit's entries for the services, in the order they are
// read: the orders first, so what was paid is known before what followed.
// Every service in contracts' table needs one (TestEveryServiceIsAudited):
// a service added to the table without one fails the tests rather than
// going unaudited.
func (l *lists) sources() []source {
	return []source{
		{contracts.ServiceOrder, "/api/v1/admin/orders?limit=100000", &l.orders},
		{contracts.ServicePayment, "/api/v1/admin/charges", &l.charges},
		{contracts.ServicePayment, "/api/v1/admin/wallets", &l.wallets},
		{contracts.ServiceInventory, "/api/v1/admin/stock", &l.stock},
		{contracts.ServiceInventory, "/api/v1/admin/reservations", &l.reservations},
		{contracts.ServiceLogistics, "/api/v1/admin/shipments", &l.shipments},
		{contracts.ServicePoints, "/api/v1/admin/points/accounts", &l.accounts},
		{contracts.ServicePoints, "/api/v1/admin/points/ledger", &l.ledger},
		{contracts.ServiceCart, "/api/v1/admin/checkouts", &l.checkouts},
	}
}

// snapshot reads every service, one after another.
func (r *reader) snapshot(ctx context.Context) (*Snapshot, error) {
	var l lists
	for _, src := range l.sources() {
		if err := r.get(ctx, src.service, src.path, src.out); err != nil {
			return nil, err
		}
	}
	s := Snapshot{
		Orders: l.orders.Orders, Charges: l.charges.Charges, Wallets: l.wallets.Wallets,
		Stock: l.stock.Stock, Reservations: l.reservations.Reservations, Shipments: l.shipments.Shipments,
		Accounts: l.accounts.Accounts, Ledger: l.ledger.Entries, Checkouts: l.checkouts.Checkouts,
	}
	if r.cfg.BrokerAdminURL != "" {
		b, err := r.broker(ctx)
		if err != nil {
			return nil, err
		}
		s.Broker = b
	}
	return &s, nil
}

// brokerJSON reads one broker admin path.
func (r *reader) brokerJSON(ctx context.Context, path string, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.cfg.BrokerAdminURL+path, nil)
	if err != nil {
		return err
	}
	resp, err := r.http.Do(req)
	if err != nil {
		return fmt.Errorf("broker admin %s: %w", path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("broker admin %s: status %d", path, resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("broker admin %s: %w", path, err)
	}
	return nil
}

// broker reads the broker's transactional, consumer and dead-letter state.
func (r *reader) broker(ctx context.Context) (*BrokerState, error) {
	var (
		halves struct{ Transactions []Half }
		groups struct {
			Groups []struct {
				Group string
				Lag   int64
			}
		}
		delayed struct{ ByTopic map[string]int64 }
		dlq     struct{ Groups []struct{ Group string } }
	)
	for path, out := range map[string]any{
		"/api/v1/transactions?state=pending": &halves,
		"/api/v1/consumer-groups":            &groups,
		"/api/v1/delayed":                    &delayed,
		"/api/v1/dead-letters":               &dlq,
	} {
		if err := r.brokerJSON(ctx, path, out); err != nil {
			return nil, err
		}
	}
	b := &BrokerState{PendingHalves: halves.Transactions, Lag: map[string]int64{}, Retrying: map[string]int64{}}
	for _, g := range groups.Groups {
		b.Lag[g.Group] = g.Lag
	}
	for topic, n := range delayed.ByTopic {
		if isRetryTopic(topic) {
			b.Retrying[topic] = n
		}
	}
	for _, g := range dlq.Groups {
		var msgs struct{ Messages []DeadLetter }
		if err := r.brokerJSON(ctx, "/api/v1/dead-letters/"+g.Group, &msgs); err != nil {
			return nil, err
		}
		for _, m := range msgs.Messages {
			m.Group = g.Group
			b.DeadLetters = append(b.DeadLetters, m)
		}
	}
	return b, nil
}

func isRetryTopic(topic string) bool { return len(topic) > 7 && topic[:7] == "%RETRY%" }
