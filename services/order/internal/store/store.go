package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/order/internal/ordering"
	"github.com/rocketmart/rocketmart/services/platform/apperr"
	"github.com/rocketmart/rocketmart/services/platform/database"
	"github.com/rocketmart/rocketmart/services/platform/txlog"
)

// Store implements ordering.Store.
type Store struct {
	db *gorm.DB
}

var _ ordering.Store = (*Store)(nil)

// New returns a Store over db; call Migrate first.
func New(db *gorm.DB) *Store { return &Store{db: db} }

// Create inserts the order, its lines, its first history entry and the
// idempotency key in one transaction.
func (s *Store) Create(ctx context.Context, o *ordering.Order, key *ordering.IdempotencyKey) error {
	return database.InTx(ctx, s.db, func(tx *gorm.DB) error {
		if key != nil {
			k := *key
			if k.CreatedAt.IsZero() {
				k.CreatedAt = o.CreatedAt
			}
			if err := keepKey(tx, k, o.No); err != nil {
				return err
			}
		}
		if err := tx.Create(toRow(o)).Error; database.IsDuplicate(err) {
			return ordering.ErrOrderExists
		} else if err != nil {
			return fmt.Errorf("store: insert order %s: %w", o.No, err)
		}
		lines := make([]lineRow, len(o.Lines))
		for i, l := range o.Lines {
			lines[i] = lineRow{OrderNo: o.No, SKU: l.SKU, Position: i, Name: l.Name, Quantity: l.Quantity, UnitPriceCents: l.UnitPriceCents}
		}
		if err := tx.Create(&lines).Error; err != nil {
			return fmt.Errorf("store: insert lines of %s: %w", o.No, err)
		}
		for _, h := range o.History {
			if err := tx.Create(&historyRow{OrderNo: o.No, FromStatus: string(h.From), ToStatus: string(h.To), Reason: h.Reason, At: h.At}).Error; err != nil {
				return fmt.Errorf("store: insert history of %s: %w", o.No, err)
			}
		}
		return nil
	})
}

// ClaimKey records a checkout attempt before it reserves stock.
func (s *Store) ClaimKey(ctx context.Context, key ordering.IdempotencyKey) error {
	return claimKey(s.db.WithContext(ctx), key)
}

// keepKey makes sure the user's key names orderNo: claimed by this very
// attempt is fine (Place claims before it reserves, so this is one read),
// by another order is ErrKeyTaken, and a key nobody claimed is claimed
// here (a concurrent claim wins: ErrKeyTaken).
func keepKey(tx *gorm.DB, key ordering.IdempotencyKey, orderNo string) error {
	r, found, err := findKey(tx, key.UserID, key.Key)
	switch {
	case err != nil:
		return err
	case !found:
		return claimKey(tx, key)
	case r.OrderNo != orderNo:
		return ordering.ErrKeyTaken
	}
	return nil
}

// claimKey inserts key with db (a transaction or not): ErrKeyTaken when
// the user has it already.
func claimKey(db *gorm.DB, key ordering.IdempotencyKey) error {
	err := db.Create(&keyRow{UserID: key.UserID, IdemKey: key.Key, RequestHash: key.RequestHash,
		OrderNo: key.OrderNo, CreatedAt: key.CreatedAt}).Error
	if database.IsDuplicate(err) {
		return ordering.ErrKeyTaken
	}
	if err != nil {
		return fmt.Errorf("store: insert idempotency key: %w", err)
	}
	return nil
}

// FindKey returns the user's idempotency key.
func (s *Store) FindKey(ctx context.Context, userID, key string) (ordering.IdempotencyKey, bool, error) {
	r, found, err := findKey(s.db.WithContext(ctx), userID, key)
	if !found || err != nil {
		return ordering.IdempotencyKey{}, false, err
	}
	return ordering.IdempotencyKey{UserID: r.UserID, Key: r.IdemKey, RequestHash: r.RequestHash, OrderNo: r.OrderNo,
		CreatedAt: r.CreatedAt.UTC()}, true, nil
}

// findKey reads the user's key with db (a transaction or not).
func findKey(db *gorm.DB, userID, key string) (keyRow, bool, error) {
	var r keyRow
	err := db.Where("user_id = ? AND idem_key = ?", userID, key).Take(&r).Error
	if database.IsNotFound(err) {
		return keyRow{}, false, nil
	}
	if err != nil {
		return keyRow{}, false, fmt.Errorf("store: read idempotency key: %w", err)
	}
	return r, true, nil
}

// Get returns the order with its lines and history.
func (s *Store) Get(ctx context.Context, orderNo string) (*ordering.Order, error) {
	db := s.db.WithContext(ctx)
	var r orderRow
	err := db.Where("order_no = ?", orderNo).Take(&r).Error
	if database.IsNotFound(err) {
		return nil, apperr.New(apperr.NotFound, contracts.CodeOrderNotFound, "no such order").With("orderNo", orderNo)
	}
	if err != nil {
		return nil, fmt.Errorf("store: read order %s: %w", orderNo, err)
	}
	o := fromRow(r)
	if err := s.loadLines(ctx, []*ordering.Order{o}); err != nil {
		return nil, err
	}
	if err := s.loadPoints(ctx, []*ordering.Order{o}); err != nil {
		return nil, err
	}
	var hist []historyRow
	if err := db.Where("order_no = ?", orderNo).Order("id").Find(&hist).Error; err != nil {
		return nil, fmt.Errorf("store: read history of %s: %w", orderNo, err)
	}
	for _, h := range hist {
		o.History = append(o.History, ordering.StatusChange{From: ordering.Status(h.FromStatus), To: ordering.Status(h.ToStatus), Reason: h.Reason, At: h.At.UTC()})
	}
	return o, nil
}

// ListByUser returns the user's newest orders with their lines.
func (s *Store) ListByUser(ctx context.Context, userID string, limit int) ([]ordering.Order, error) {
	return s.list(ctx, s.db.WithContext(ctx).Where("user_id = ?", userID), limit)
}

// List returns the newest orders, of one status when status is set.
func (s *Store) List(ctx context.Context, status ordering.Status, limit int) ([]ordering.Order, error) {
	q := s.db.WithContext(ctx)
	if status != "" {
		q = q.Where("status = ?", string(status))
	}
	return s.list(ctx, q, limit)
}

func (s *Store) list(ctx context.Context, q *gorm.DB, limit int) ([]ordering.Order, error) {
	var rows []orderRow
	if err := q.Order("created_at DESC, order_no DESC").Limit(limit).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: list orders: %w", err)
	}
	ptrs := make([]*ordering.Order, len(rows))
	for i, r := range rows {
		ptrs[i] = fromRow(r)
	}
	if err := s.loadLines(ctx, ptrs); err != nil {
		return nil, err
	}
	if err := s.loadPoints(ctx, ptrs); err != nil {
		return nil, err
	}
	out := make([]ordering.Order, len(ptrs))
	for i, p := range ptrs {
		out[i] = *p
	}
	return out, nil
}

func (s *Store) loadLines(ctx context.Context, orders []*ordering.Order) error {
	if len(orders) == 0 {
		return nil
	}
	byNo, nos := byOrderNo(orders)
	var lines []lineRow
	if err := s.db.WithContext(ctx).Where("order_no IN ?", nos).Order("order_no, position").Find(&lines).Error; err != nil {
		return fmt.Errorf("store: read order lines: %w", err)
	}
	for _, l := range lines {
		o := byNo[l.OrderNo]
		o.Lines = append(o.Lines, ordering.Line{SKU: l.SKU, Name: l.Name, Quantity: l.Quantity, UnitPriceCents: l.UnitPriceCents})
	}
	return nil
}

// Transition logs txID as committed and moves the order from change.From
// to change.To with a history entry, or changes nothing. The log entry goes
// first, so a check-back that decided "rolled back" makes this fail before
// anything changes; the conditional update then refuses an order that left
// change.From meanwhile.
func (s *Store) Transition(ctx context.Context, orderNo, txID string, change ordering.StatusChange) error {
	set := map[string]any{}
	switch change.To {
	case ordering.Paid:
		set["paid_tx_id"] = txID
	case ordering.Cancelled:
		set["cancel_reason"] = change.Reason
	}
	return database.InTx(ctx, s.db, func(tx *gorm.DB) error {
		if err := txlog.RecordCommit(tx, txID); errors.Is(err, txlog.ErrDecided) {
			return ordering.ErrTxDecided
		} else if err != nil {
			return err
		}
		moved, err := move(tx, orderNo, change, set)
		if err != nil {
			return err
		}
		if !moved {
			return ordering.ErrStateChanged
		}
		return nil
	})
}

// LookupTx reads the transaction log.
func (s *Store) LookupTx(ctx context.Context, txID string) (committed, found bool, err error) {
	outcome, found, err := txlog.Lookup(ctx, s.db, txID)
	return outcome == txlog.Committed, found, err
}

// ResolveTx applies txlog's check rule.
func (s *Store) ResolveTx(ctx context.Context, txID string) (bool, error) {
	outcome, err := txlog.Resolve(ctx, s.db, txID)
	return outcome == txlog.Committed, err
}

// Overdue lists pending orders whose deadline is before t, oldest first.
func (s *Store) Overdue(ctx context.Context, t time.Time, limit int) ([]string, error) {
	var nos []string
	err := s.db.WithContext(ctx).Model(&orderRow{}).
		Where("status = ? AND payment_deadline < ?", string(ordering.PendingPayment), t).
		Order(clause.OrderByColumn{Column: clause.Column{Name: "payment_deadline"}}).
		Limit(limit).Pluck("order_no", &nos).Error
	if err != nil {
		return nil, fmt.Errorf("store: list overdue orders: %w", err)
	}
	return nos, nil
}

func toRow(o *ordering.Order) *orderRow {
	a := o.Address
	return &orderRow{
		OrderNo: o.No, UserID: o.UserID, Status: string(o.Status), TotalCents: o.TotalCents,
		ShipName: a.Name, ShipLine1: a.Line1, ShipLine2: a.Line2, ShipCity: a.City,
		ShipPostalCode: a.PostalCode, ShipCountry: a.Country, ShipPhone: a.Phone,
		PaymentDeadline: o.PaymentDeadline, PaidTxID: o.PaidTxID, CancelReason: o.CancelReason,
		CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt,
	}
}

func fromRow(r orderRow) *ordering.Order {
	return &ordering.Order{
		No: r.OrderNo, UserID: r.UserID, Status: ordering.Status(r.Status), TotalCents: r.TotalCents,
		Address: contracts.Address{Name: r.ShipName, Line1: r.ShipLine1, Line2: r.ShipLine2, City: r.ShipCity,
			PostalCode: r.ShipPostalCode, Country: r.ShipCountry, Phone: r.ShipPhone},
		PaymentDeadline: r.PaymentDeadline.UTC(), PaidTxID: r.PaidTxID, CancelReason: r.CancelReason,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
	}
}
