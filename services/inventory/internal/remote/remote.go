// Package remote implements the inventory domain's view of other services
// over their HTTP APIs: the order service's order status, for the expiry
// sweeper (inventory.OrderLookup).
package remote

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/rocketmart/rocketmart/services/inventory/internal/inventory"
	"github.com/rocketmart/rocketmart/services/platform/apperr"
	"github.com/rocketmart/rocketmart/services/platform/svcclient"
)

// Orders calls the order service's admin API.
type Orders struct{ c *svcclient.Client }

var _ inventory.OrderLookup = (*Orders)(nil)

// NewOrders returns the order adapter.
func NewOrders(c *svcclient.Client) *Orders { return &Orders{c: c} }

// order is the part of the order service's answer the sweeper needs.
type order struct {
	Status string `json:"status"`
}

// OrderStatus returns the order's status, found false when the order
// service answers 404 for the order. A 404 for the route itself
// (ROUTE_NOT_FOUND: a wrong ORDER_URL or an older order service) is an
// error, not "no such order": concluding absence from it would release the
// stock of live orders.
func (o *Orders) OrderStatus(ctx context.Context, orderNo string) (string, bool, error) {
	var got order
	err := o.c.Call(ctx, http.MethodGet, "/api/v1/admin/orders/"+url.PathEscape(orderNo), "", nil, &got)
	if e, ok := apperr.As(err); ok && e.Kind == apperr.NotFound && e.Code != apperr.CodeRouteNotFound {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("remote: order %s: %w", orderNo, err)
	}
	if got.Status == "" {
		return "", false, errors.New("remote: the order service answered without a status")
	}
	return got.Status, true, nil
}
