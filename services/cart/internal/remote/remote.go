// Package remote implements the cart domain's view of other services over
// their HTTP APIs: the inventory's product catalogue (cart.Catalog).
package remote

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"github.com/rocketmart/rocketmart/services/cart/internal/cart"
	"github.com/rocketmart/rocketmart/services/platform/apperr"
	"github.com/rocketmart/rocketmart/services/platform/svcclient"
)

// Inventory calls the inventory service's GET /api/v1/products and
// GET /api/v1/products/{sku}.
type Inventory struct{ c *svcclient.Client }

var _ cart.Catalog = (*Inventory)(nil)

// NewInventory returns the inventory adapter.
func NewInventory(c *svcclient.Client) *Inventory { return &Inventory{c: c} }

// product is inventory's Product as it travels on the wire.
type product struct {
	SKU         string `json:"sku"`
	Name        string `json:"name"`
	Description string `json:"description"`
	PriceCents  int64  `json:"priceCents"`
	ImageURL    string `json:"imageUrl"`
	Available   int    `json:"available"`
}

func (p product) toCart() cart.Product {
	return cart.Product{
		SKU: p.SKU, Name: p.Name, Description: p.Description,
		PriceCents: p.PriceCents, ImageURL: p.ImageURL, Available: p.Available,
	}
}

// Products implements cart.Catalog.
func (i *Inventory) Products(ctx context.Context) ([]cart.Product, error) {
	var body struct {
		Products []product `json:"products"`
	}
	if err := i.c.Call(ctx, http.MethodGet, "/api/v1/products", "", nil, &body); err != nil {
		return nil, failed("list products", err)
	}
	out := make([]cart.Product, 0, len(body.Products))
	for _, p := range body.Products {
		if p.SKU == "" {
			return nil, failed("list products", fmt.Errorf("a product without a sku"))
		}
		out = append(out, p.toCart())
	}
	return out, nil
}

// Product implements cart.Catalog. Only inventory's own "no such SKU"
// (404 UNKNOWN_SKU) means the SKU is unknown; any other 404, such as a
// missing route on a misconfigured INVENTORY_URL, is inventory failing.
func (i *Inventory) Product(ctx context.Context, sku string) (cart.Product, error) {
	var p product
	err := i.c.Call(ctx, http.MethodGet, "/api/v1/products/"+url.PathEscape(sku), "", nil, &p)
	if e, ok := apperr.As(err); ok && e.Kind == apperr.NotFound && e.Code == cart.CodeUnknownSKU {
		return cart.Product{}, cart.UnknownSKU(sku)
	}
	if err != nil {
		return cart.Product{}, failed("get product "+sku, err)
	}
	if p.SKU == "" {
		return cart.Product{}, failed("get product "+sku, fmt.Errorf("the answer has no sku"))
	}
	return p.toCart(), nil
}

// failed makes every failure of a catalogue call Unavailable (503). The
// caller's client did nothing wrong: inventory being down, answering 5xx,
// refusing cart's request or answering something cart cannot read are all
// "a dependency failed", and retrying later may help.
func failed(what string, err error) error {
	cause := fmt.Errorf("inventory: %s: %w", what, err)
	if e, ok := apperr.As(err); ok && e.Kind == apperr.Unavailable {
		return apperr.Wrap(apperr.Unavailable, e.Code, e.Message, cause)
	}
	return apperr.Wrap(apperr.Unavailable, apperr.CodeDependencyUnavailable,
		"the inventory service gave an answer the cart cannot use", cause)
}
