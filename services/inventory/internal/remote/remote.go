// Package orderclient asks the order service about orders, for the expiry
// sweeper (inventory.OrderLookup).
package orderclient

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/rocketmart/rocketmart/services/inventory/internal/inventory"
	"github.com/rocketmart/rocketmart/services/platform/apperr"
	"github.com/rocketmart/rocketmart/services/platform/svcclient"
)

// Client calls the order service's admin API.
type Client struct {
	http *svcclient.Client
}

var _ inventory.OrderLookup = (*Client)(nil)

// New returns a client of the order service at baseURL, sending adminToken.
// timeout bounds each call; 0 means svcclient.DefaultTimeout.
func New(baseURL, adminToken string, timeout time.Duration) *Client {
	return &Client{http: svcclient.New(baseURL, adminToken, timeout)}
}

// order is the part of the order service's answer the sweeper needs.
type order struct {
	Status string `json:"status"`
}

// OrderStatus returns the order's status, found false when the order
// service answers 404 for the order. A 404 for the route itself
// (ROUTE_NOT_FOUND: a wrong ORDER_URL or an older order service) is an
// error, not "no such order": concluding absence from it would release the
// stock of live orders.
func (c *Client) OrderStatus(ctx context.Context, orderNo string) (string, bool, error) {
	var o order
	err := c.http.Call(ctx, http.MethodGet, "/api/v1/admin/orders/"+url.PathEscape(orderNo), "", nil, &o)
	if e, ok := apperr.As(err); ok && e.Kind == apperr.NotFound && e.Code != "ROUTE_NOT_FOUND" {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("orderclient: order %s: %w", orderNo, err)
	}
	if o.Status == "" {
		return "", false, errors.New("orderclient: the order service answered without a status")
	}
	return o.Status, true, nil
}
