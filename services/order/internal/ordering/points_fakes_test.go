package ordering_test

import (
	"context"
	"sync"
	"time"

	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/order/internal/ordering"
	"github.com/rocketmart/rocketmart/services/platform/apperr"
)

// fakePoints keeps balances and one redemption per order, like the points
// service; down makes every call Unavailable, redeemThenErr answers
// Unavailable after redeeming (a lost answer).
type fakePoints struct {
	mu            sync.Mutex
	balance       map[string]int64
	redemptions   map[string]ordering.Redemption
	redeemCalls   int
	down          bool
	redeemThenErr bool
}

func newFakePoints(balance map[string]int64) *fakePoints {
	return &fakePoints{balance: balance, redemptions: map[string]ordering.Redemption{}}
}

func (f *fakePoints) Redeem(_ context.Context, orderNo, userID string, points int64, _ string, _ time.Time) (ordering.Redemption, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.redeemCalls++
	if f.down {
		return ordering.Redemption{}, apperr.New(apperr.Unavailable, "DEPENDENCY_UNAVAILABLE", "down")
	}
	if r, ok := f.redemptions[orderNo]; ok {
		if r.Points != points {
			return ordering.Redemption{}, apperr.New(apperr.Conflict, "REDEMPTION_MISMATCH", "other points")
		}
		return r, nil
	}
	if f.balance[userID] < points {
		return ordering.Redemption{}, apperr.New(apperr.Conflict, contracts.CodeInsufficientPoints, "short")
	}
	f.balance[userID] -= points
	r := ordering.Redemption{OrderNo: orderNo, UserID: userID, Points: points, Status: ordering.RedemptionRedeemed}
	f.redemptions[orderNo] = r
	if f.redeemThenErr {
		return ordering.Redemption{}, apperr.New(apperr.Unavailable, "DEPENDENCY_UNAVAILABLE", "timed out")
	}
	return r, nil
}

func (f *fakePoints) GetRedemption(_ context.Context, orderNo string) (ordering.Redemption, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.down {
		return ordering.Redemption{}, false, apperr.New(apperr.Unavailable, "DEPENDENCY_UNAVAILABLE", "down")
	}
	r, ok := f.redemptions[orderNo]
	return r, ok, nil
}

func (f *fakePoints) Balance(_ context.Context, userID string) (int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.down {
		return 0, apperr.New(apperr.Unavailable, "DEPENDENCY_UNAVAILABLE", "down")
	}
	return f.balance[userID], nil
}

// returnRedemption is what the points service does on ORDER_CANCELLED.
func (f *fakePoints) returnRedemption(orderNo string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if r, ok := f.redemptions[orderNo]; ok && r.Status == ordering.RedemptionRedeemed {
		r.Status = ordering.RedemptionReturned
		f.redemptions[orderNo] = r
		f.balance[r.UserID] += r.Points
	}
}
