// Package remote implements the order domain's view of the inventory,
// payment and cart services over their HTTP APIs.
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

// Inventory calls the inventory service.
type Inventory struct{ c *svcclient.Client }

// NewInventory returns the inventory adapter.
func NewInventory(c *svcclient.Client) *Inventory { return &Inventory{c: c} }

type reserveLine struct {
	SKU      string `json:"sku"`
	Quantity int    `json:"quantity"`
}

type reservation struct {
	OrderNo   string    `json:"orderNo"`
	Status    string    `json:"status"`
	ExpiresAt time.Time `json:"expiresAt"`
	Lines     []struct {
		SKU            string `json:"sku"`
		Name           string `json:"name"`
		Quantity       int    `json:"quantity"`
		UnitPriceCents int64  `json:"unitPriceCents"`
	} `json:"lines"`
}

// statusReserved is inventory's status of a reservation that holds its stock.
const statusReserved = "RESERVED"

// Reserve reserves the lines for orderNo (or finds the reservation an
// earlier call made) and returns it priced.
func (i *Inventory) Reserve(ctx context.Context, orderNo string, lines []ordering.LineRequest, expiresAt time.Time) (ordering.Reservation, error) {
	req := struct {
		OrderNo   string        `json:"orderNo"`
		Lines     []reserveLine `json:"lines"`
		ExpiresAt time.Time     `json:"expiresAt"`
	}{OrderNo: orderNo, ExpiresAt: expiresAt.UTC()}
	for _, l := range lines {
		req.Lines = append(req.Lines, reserveLine{SKU: l.SKU, Quantity: l.Quantity})
	}
	var res reservation
	if err := i.c.Call(ctx, http.MethodPost, "/api/v1/reservations", "", req, &res); err != nil {
		return ordering.Reservation{}, err
	}
	out := ordering.Reservation{Lines: make([]ordering.Line, len(res.Lines)), Held: res.Status == statusReserved, ExpiresAt: res.ExpiresAt}
	for n, l := range res.Lines {
		out.Lines[n] = ordering.Line{SKU: l.SKU, Name: l.Name, Quantity: l.Quantity, UnitPriceCents: l.UnitPriceCents}
	}
	return out, nil
}

// Release releases orderNo's reservation; one that does not exist is fine.
func (i *Inventory) Release(ctx context.Context, orderNo string) error {
	err := i.c.Call(ctx, http.MethodPost, "/api/v1/reservations/"+url.PathEscape(orderNo)+"/release", "", nil, nil)
	if apperr.KindOf(err) == apperr.NotFound {
		return nil
	}
	return err
}

// Payments calls the payment service.
type Payments struct{ c *svcclient.Client }

// NewPayments returns the payment adapter. Its client's timeout is the
// longest the pay flow waits for a charge before answering "pending".
func NewPayments(c *svcclient.Client) *Payments { return &Payments{c: c} }

type charge struct {
	OrderNo     string `json:"orderNo"`
	UserID      string `json:"userId"`
	AmountCents int64  `json:"amountCents"`
	Status      string `json:"status"`
}

func (c charge) domain() ordering.Charge {
	return ordering.Charge{OrderNo: c.OrderNo, UserID: c.UserID, AmountCents: c.AmountCents, Status: ordering.ChargeStatus(c.Status)}
}

// Charge charges the buyer for orderNo, idempotently.
func (p *Payments) Charge(ctx context.Context, orderNo, userID string, amountCents int64, notAfter time.Time) (ordering.Charge, error) {
	req := struct {
		OrderNo     string    `json:"orderNo"`
		UserID      string    `json:"userId"`
		AmountCents int64     `json:"amountCents"`
		NotAfter    time.Time `json:"notAfter"`
	}{orderNo, userID, amountCents, notAfter}
	var res charge
	if err := p.c.Call(ctx, http.MethodPost, "/api/v1/charges", "", req, &res); err != nil {
		return ordering.Charge{}, err
	}
	return res.domain(), nil
}

// GetCharge returns orderNo's charge.
func (p *Payments) GetCharge(ctx context.Context, orderNo string) (ordering.Charge, bool, error) {
	var res charge
	err := p.c.Call(ctx, http.MethodGet, "/api/v1/charges/"+url.PathEscape(orderNo), "", nil, &res)
	if apperr.KindOf(err) == apperr.NotFound {
		return ordering.Charge{}, false, nil
	}
	if err != nil {
		return ordering.Charge{}, false, err
	}
	return res.domain(), true, nil
}

// Refund refunds orderNo's charge exactly once; no charge is fine.
func (p *Payments) Refund(ctx context.Context, orderNo, reason string) error {
	req := struct {
		Reason string `json:"reason"`
	}{reason}
	err := p.c.Call(ctx, http.MethodPost, "/api/v1/charges/"+url.PathEscape(orderNo)+"/refund", "", req, nil)
	if apperr.KindOf(err) == apperr.NotFound {
		return nil
	}
	return err
}

// Cart calls the cart service.
type Cart struct{ c *svcclient.Client }

// NewCart returns the cart adapter.
func NewCart(c *svcclient.Client) *Cart { return &Cart{c: c} }

// Lines returns the user's cart lines.
func (c *Cart) Lines(ctx context.Context, userID string) ([]ordering.LineRequest, error) {
	var res struct {
		Lines []struct {
			SKU      string `json:"sku"`
			Quantity int    `json:"quantity"`
		} `json:"lines"`
	}
	if err := c.c.Call(ctx, http.MethodGet, "/api/v1/cart", userID, nil, &res); err != nil {
		return nil, err
	}
	out := make([]ordering.LineRequest, len(res.Lines))
	for i, l := range res.Lines {
		out[i] = ordering.LineRequest{SKU: l.SKU, Quantity: l.Quantity}
	}
	return out, nil
}
