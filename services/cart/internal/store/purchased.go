package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/cart/internal/cart"
	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/platform/apperr"
	"github.com/rocketmart/rocketmart/services/platform/database"
	"github.com/rocketmart/rocketmart/services/platform/inbox"
)

// checkoutRow records one paid order's effect on a cart. Its primary key
// makes "once per order" hold even if the order service ever published two
// ORDER_PAID events (two event ids) for one order.
type checkoutRow struct {
	OrderNo string    `gorm:"primaryKey;size:64"`
	UserID  string    `gorm:"size:64;not null;index"`
	EventID string    `gorm:"size:128;not null"`
	Removed string    `gorm:"type:text;not null"` // JSON [{sku, quantity}]
	At      time.Time `gorm:"not null"`
}

func (checkoutRow) TableName() string { return "checkouts" }

type removedLine struct {
	SKU      string `json:"sku"`
	Quantity int    `json:"quantity"`
}

// RemovePurchased implements cart.Store. Under the cart's lock (so the
// quantities read are the ones changed) each bought line is deleted when the
// purchase takes all it holds, otherwise decremented; a SKU the user already
// removed is skipped. The claim, the line changes and the checkout record
// commit together or not at all.
func (s *Store) RemovePurchased(ctx context.Context, p cart.Purchase) (cart.Checkout, error) {
	var out cart.Checkout
	err := database.InTx(ctx, s.db, func(tx *gorm.DB) error {
		if err := lockCart(tx, p.UserID); err != nil {
			return err
		}
		if err := inbox.Claim(tx, contracts.ConsumerCartOrderPaid, p.EventID); err != nil {
			return err
		}
		removed, err := removeLines(tx, p.UserID, p.Lines)
		if err != nil {
			return err
		}
		raw, err := json.Marshal(toRemovedJSON(removed))
		if err != nil {
			return err
		}
		row := checkoutRow{OrderNo: p.OrderNo, UserID: p.UserID, EventID: p.EventID, Removed: string(raw), At: time.Now().UTC().Truncate(time.Millisecond)}
		if err := tx.Create(&row).Error; err != nil {
			if database.IsDuplicate(err) {
				// Another event already checked this order out: roll back
				// this claim and these line changes, answer "duplicate".
				return fmt.Errorf("order %s already checked out: %w", p.OrderNo, apperr.ErrAlreadyApplied)
			}
			return fmt.Errorf("record checkout: %w", err)
		}
		out = toCheckout(row, removed)
		return nil
	})
	if err != nil {
		return cart.Checkout{}, fmt.Errorf("store: remove purchase %s (order %s) from cart of %s: %w", p.EventID, p.OrderNo, p.UserID, err)
	}
	return out, nil
}

// removeLines takes the bought quantities off the user's lines and returns
// what each line actually gave up.
func removeLines(tx *gorm.DB, userID string, bought []cart.Line) ([]cart.Line, error) {
	var removed []cart.Line
	for _, b := range bought {
		var rows []lineRow
		if err := tx.Where("user_id = ? AND sku = ?", userID, b.SKU).Limit(1).Find(&rows).Error; err != nil {
			return nil, fmt.Errorf("read line %s: %w", b.SKU, err)
		}
		if len(rows) == 0 {
			continue
		}
		have := rows[0].Quantity
		q := tx.Where("user_id = ? AND sku = ?", userID, b.SKU)
		var err error
		if have <= b.Quantity {
			err = q.Delete(&lineRow{}).Error
		} else {
			err = q.Model(&lineRow{}).Update("quantity", gorm.Expr("quantity - ?", b.Quantity)).Error
		}
		if err != nil {
			return nil, fmt.Errorf("remove bought %s: %w", b.SKU, err)
		}
		removed = append(removed, cart.Line{SKU: b.SKU, Quantity: min(have, b.Quantity)})
	}
	return removed, nil
}

// Checkout implements cart.Store.
func (s *Store) Checkout(ctx context.Context, orderNo string) (cart.Checkout, error) {
	var rows []checkoutRow
	if err := s.db.WithContext(ctx).Where("order_no = ?", orderNo).Limit(1).Find(&rows).Error; err != nil {
		return cart.Checkout{}, fmt.Errorf("store: checkout %s: %w", orderNo, err)
	}
	if len(rows) == 0 {
		return cart.Checkout{}, cart.ErrCheckoutNotFound(orderNo)
	}
	return decodeCheckout(rows[0])
}

// Checkouts implements cart.Store.
func (s *Store) Checkouts(ctx context.Context) ([]cart.Checkout, error) {
	var rows []checkoutRow
	if err := s.db.WithContext(ctx).Order("at, order_no").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: list checkouts: %w", err)
	}
	out := make([]cart.Checkout, 0, len(rows))
	for _, r := range rows {
		c, err := decodeCheckout(r)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

func decodeCheckout(r checkoutRow) (cart.Checkout, error) {
	var lines []removedLine
	if err := json.Unmarshal([]byte(r.Removed), &lines); err != nil {
		return cart.Checkout{}, fmt.Errorf("store: checkout %s: removed lines: %w", r.OrderNo, err)
	}
	removed := make([]cart.Line, 0, len(lines))
	for _, l := range lines {
		removed = append(removed, cart.Line{SKU: l.SKU, Quantity: l.Quantity})
	}
	return toCheckout(r, removed), nil
}

func toCheckout(r checkoutRow, removed []cart.Line) cart.Checkout {
	return cart.Checkout{OrderNo: r.OrderNo, UserID: r.UserID, EventID: r.EventID, Removed: removed, At: r.At.UTC()}
}

func toRemovedJSON(lines []cart.Line) []removedLine {
	out := make([]removedLine, 0, len(lines))
	for _, l := range lines {
		out = append(out, removedLine{SKU: l.SKU, Quantity: l.Quantity})
	}
	return out
}
