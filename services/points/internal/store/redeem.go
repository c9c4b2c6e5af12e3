package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/rocketmart/rocketmart/services/platform/apperr"
	"github.com/rocketmart/rocketmart/services/platform/database"
	"github.com/rocketmart/rocketmart/services/platform/inbox"
	"github.com/rocketmart/rocketmart/services/points/internal/points"
)

// voidRow marks an order that was cancelled or refunded before it redeemed
// anything: a redemption for it is then refused. See ReturnRedemption for
// why a redemption racing the cancellation cannot slip through.
type voidRow struct {
	OrderNo  string    `gorm:"primaryKey;size:64"`
	EventID  string    `gorm:"size:128;not null"`
	VoidedAt time.Time `gorm:"not null"`
}

func (voidRow) TableName() string { return "point_voided_orders" }

// errRedemptionExists rolls back a redemption of an order that has one;
// Redeem then answers with the existing one.
var errRedemptionExists = errors.New("store: the order already redeemed points")

// Redeem implements points.Redemptions, in one transaction:
//
//  1. UPDATE point_accounts SET balance = balance − points WHERE user_id = ?
//     AND balance >= points: the check and the debit are one statement, so
//     however many redemptions run at once the balance never goes below 0.
//  2. INSERT the ORDER_REDEEMED entry under UNIQUE (order_no, reason): a
//     second redemption of the order (a retried call, two pay requests at
//     once) fails here, rolls its debit back and gets the first one.
//  3. Read the order's void marker with a locking read: a cancelled order
//     rolls everything back (ReturnRedemption says why this cannot miss a
//     concurrent cancel).
//  4. Last, just before the commit, the deadline: no redemption becomes
//     visible after notAfter, which the order service's check-back relies
//     on.
func (s *Store) Redeem(ctx context.Context, r points.Redemption, notAfter time.Time) (points.Redemption, bool, error) {
	err := s.inTx(ctx, func(tx *gorm.DB) error {
		res := tx.Model(&accountRow{}).
			Where("user_id = ? AND balance >= ?", r.UserID, r.Points).
			Updates(map[string]any{"balance": gorm.Expr("balance - ?", r.Points), "updated_at": r.CreatedAt})
		if res.Error != nil {
			return fmt.Errorf("debit %d points of %s: %w", r.Points, r.UserID, res.Error)
		}
		if res.RowsAffected == 0 {
			return redeemRefused(tx, r)
		}
		row := entryRow{UserID: r.UserID, OrderNo: r.OrderNo, Reason: string(points.ReasonOrderRedeemed),
			Points: -r.Points, EventID: r.EventID, CreatedAt: r.CreatedAt}
		if err := tx.Create(&row).Error; err != nil {
			if database.IsDuplicate(err) {
				return errRedemptionExists
			}
			return fmt.Errorf("append redemption: %w", err)
		}
		if voided, err := isVoided(tx, r.OrderNo); err != nil {
			return err
		} else if voided {
			return points.RedemptionCancelled(r.OrderNo)
		}
		if !notAfter.IsZero() && time.Now().After(notAfter) {
			return points.RedemptionTooLate(r.OrderNo, notAfter)
		}
		return nil
	})
	switch {
	case errors.Is(err, errRedemptionExists):
		existing, found, err := s.Redemption(ctx, r.OrderNo)
		if err == nil && !found {
			err = fmt.Errorf("store: the redemption of order %s vanished", r.OrderNo)
		}
		return existing, false, err
	case err != nil:
		if _, ok := apperr.As(err); ok {
			return points.Redemption{}, false, err
		}
		return points.Redemption{}, false, fmt.Errorf("store: redeem for order %s: %w", r.OrderNo, err)
	}
	return r, true, nil
}

// redeemRefused explains a debit that matched no account row. In order: the
// order has its redemption already (a retry after the balance was spent must
// still get it back), the order was voided, or the balance is short. Nothing
// is written on this path.
func redeemRefused(tx *gorm.DB, r points.Redemption) error {
	if _, found, err := redemption(tx, r.OrderNo); err != nil {
		return err
	} else if found {
		return errRedemptionExists
	}
	if voided, err := isVoided(tx, r.OrderNo); err != nil {
		return err
	} else if voided {
		return points.RedemptionCancelled(r.OrderNo)
	}
	var accounts []accountRow
	if err := tx.Where("user_id = ?", r.UserID).Limit(1).Find(&accounts).Error; err != nil {
		return fmt.Errorf("read account %s: %w", r.UserID, err)
	}
	var balance int64
	if len(accounts) == 1 {
		balance = accounts[0].Balance
	}
	return points.InsufficientPoints(balance, r.Points)
}

// isVoided reads the order's void marker with a locking read (FOR UPDATE on
// MySQL; SQLite ignores the clause and needs none): it sees the latest
// committed row and waits for a transaction that inserted it and has not
// finished.
func isVoided(tx *gorm.DB, orderNo string) (bool, error) {
	var rows []voidRow
	err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("order_no = ?", orderNo).Limit(1).Find(&rows).Error
	if err != nil {
		return false, fmt.Errorf("read void marker of %s: %w", orderNo, err)
	}
	return len(rows) > 0, nil
}

// Redemption implements points.Redemptions.
func (s *Store) Redemption(ctx context.Context, orderNo string) (points.Redemption, bool, error) {
	r, found, err := redemption(s.db.WithContext(ctx), orderNo)
	if err != nil {
		return points.Redemption{}, false, fmt.Errorf("store: %w", err)
	}
	return r, found, nil
}

// redemption reads the order's ORDER_REDEEMED entry and its return, if any.
func redemption(db *gorm.DB, orderNo string) (points.Redemption, bool, error) {
	var rows []entryRow
	err := db.Where("order_no = ? AND reason IN ?", orderNo,
		[]string{string(points.ReasonOrderRedeemed), string(points.ReasonRedemptionReturned)}).Find(&rows).Error
	if err != nil {
		return points.Redemption{}, false, fmt.Errorf("read redemption of %s: %w", orderNo, err)
	}
	var out points.Redemption
	found := false
	for _, row := range rows {
		switch points.Reason(row.Reason) {
		case points.ReasonOrderRedeemed:
			found = true
			out.OrderNo, out.UserID, out.Points, out.EventID = row.OrderNo, row.UserID, -row.Points, row.EventID
			out.CreatedAt = row.CreatedAt.UTC()
		case points.ReasonRedemptionReturned:
			at := row.CreatedAt.UTC()
			out.ReturnedAt = &at
		}
	}
	out.Status = points.RedemptionRedeemed
	if out.ReturnedAt != nil {
		out.Status = points.RedemptionReturned
	}
	return out, found, nil
}

// ReturnRedemption implements points.Redemptions in one transaction: claim
// the event (when a consumer is given), leave the order's void marker, then
// read its ORDER_REDEEMED entry with a locking read; if there is one, append
// its REDEMPTION_RETURNED entry (UNIQUE (order_no, reason): at most once)
// and add the points back with the balance upsert.
//
// Why a redemption and a return of the same order can never both "win" (a
// redemption left standing on a cancelled order): each transaction first
// WRITES its own row and only then READS the other's with a locking read.
//
//	redeem:  insert point_ledger(order_no, ORDER_REDEEMED)  then  locking read point_voided_orders(order_no)
//	return:  insert point_voided_orders(order_no)           then  locking read point_ledger(order_no, ORDER_REDEEMED)
//
// A locking read sees the latest committed row and waits for a transaction
// that inserted that key and has not finished. Each write comes before its
// own read, so at least one of the two reads comes after the other's write
// and finds it: the redemption sees the marker and rolls back with
// ORDER_CANCELLED, or the return sees the redemption and gives it back. If
// both reads wait on each other, InnoDB picks a deadlock victim and inTx
// runs it again after the other committed. No gap locks are needed, so this
// holds under READ COMMITTED. On SQLite the transactions cannot interleave
// (one connection per process, and both begin with a write, which takes
// the database's write lock). It is payment's charge/void argument
// (payment/internal/store/cancel.go) for points.
//
// The marker stays after a return: a later redemption of the order then
// finds its returned redemption (the unique key) or the marker, never
// takes points again.
func (s *Store) ReturnRedemption(ctx context.Context, consumer, eventID, orderNo string, at time.Time) (points.ReturnOutcome, error) {
	var outcome points.ReturnOutcome
	err := s.inTx(ctx, func(tx *gorm.DB) error {
		if consumer != "" {
			if err := inbox.Claim(tx, consumer, eventID); err != nil {
				return err
			}
		}
		marker := voidRow{OrderNo: orderNo, EventID: eventID, VoidedAt: at}
		if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&marker).Error; err != nil {
			return fmt.Errorf("void order %s: %w", orderNo, err)
		}
		var redeemed []entryRow
		err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).
			Where("order_no = ? AND reason = ?", orderNo, string(points.ReasonOrderRedeemed)).Limit(1).Find(&redeemed).Error
		if err != nil {
			return fmt.Errorf("read redemption of %s: %w", orderNo, err)
		}
		if len(redeemed) == 0 {
			outcome = points.ReturnVoided
			return nil
		}
		back := entryRow{UserID: redeemed[0].UserID, OrderNo: orderNo, Reason: string(points.ReasonRedemptionReturned),
			Points: -redeemed[0].Points, EventID: eventID, CreatedAt: at}
		// A failed INSERT undoes only itself, on SQLite and MySQL alike,
		// so the claim and the marker stay.
		if err := tx.Create(&back).Error; database.IsDuplicate(err) {
			outcome = points.ReturnAlreadyReturned
			return nil
		} else if err != nil {
			return fmt.Errorf("append return: %w", err)
		}
		outcome = points.ReturnReturned
		return addToBalance(tx, back)
	})
	if errors.Is(err, apperr.ErrAlreadyApplied) {
		return "", fmt.Errorf("event %s was processed before: %w", eventID, err)
	}
	if err != nil {
		return "", fmt.Errorf("store: return the redemption of order %s: %w", orderNo, err)
	}
	return outcome, nil
}
