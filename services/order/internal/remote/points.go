package remote

import (
	"context"
	"net/http"
	"net/url"
	"time"

	"github.com/rocketmart/rocketmart/services/order/internal/ordering"
	"github.com/rocketmart/rocketmart/services/platform/apperr"
	"github.com/rocketmart/rocketmart/services/platform/svcclient"
)

// Points calls the points service.
type Points struct{ c *svcclient.Client }

// NewPoints returns the points adapter. Its client's timeout is, like the
// payment adapter's, the longest the pay flow waits for a redemption
// before answering "pending".
func NewPoints(c *svcclient.Client) *Points { return &Points{c: c} }

type redemption struct {
	OrderNo string `json:"orderNo"`
	UserID  string `json:"userId"`
	Points  int64  `json:"points"`
	Status  string `json:"status"`
}

func (r redemption) domain() ordering.Redemption {
	return ordering.Redemption{OrderNo: r.OrderNo, UserID: r.UserID, Points: r.Points, Status: ordering.RedemptionStatus(r.Status)}
}

// Redeem redeems points for orderNo, idempotently.
func (p *Points) Redeem(ctx context.Context, orderNo, userID string, points int64, eventID string, notAfter time.Time) (ordering.Redemption, error) {
	req := struct {
		OrderNo  string    `json:"orderNo"`
		UserID   string    `json:"userId"`
		Points   int64     `json:"points"`
		EventID  string    `json:"eventId,omitempty"`
		NotAfter time.Time `json:"notAfter"`
	}{orderNo, userID, points, eventID, notAfter}
	var res redemption
	if err := p.c.Call(ctx, http.MethodPost, "/api/v1/redemptions", "", req, &res); err != nil {
		return ordering.Redemption{}, err
	}
	return res.domain(), nil
}

// GetRedemption returns orderNo's redemption.
func (p *Points) GetRedemption(ctx context.Context, orderNo string) (ordering.Redemption, bool, error) {
	var res redemption
	err := p.c.Call(ctx, http.MethodGet, "/api/v1/redemptions/"+url.PathEscape(orderNo), "", nil, &res)
	if apperr.KindOf(err) == apperr.NotFound {
		return ordering.Redemption{}, false, nil
	}
	if err != nil {
		return ordering.Redemption{}, false, err
	}
	return res.domain(), true, nil
}

// Balance returns the user's points balance.
func (p *Points) Balance(ctx context.Context, userID string) (int64, error) {
	var res struct {
		Balance int64 `json:"balance"`
	}
	if err := p.c.Call(ctx, http.MethodGet, "/api/v1/points", userID, nil, &res); err != nil {
		return 0, err
	}
	return res.Balance, nil
}
