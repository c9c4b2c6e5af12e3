// Package cart holds the shopping cart's rules: what a user's cart may hold,
// how adds and changes are validated, and how a cart is priced from the
// catalogue when it is viewed. Prices are never stored: the inventory service
// owns them, so a cart always shows what checkout would charge now.
package cart

import (
	"context"
	"fmt"
	"time"

	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/platform/apperr"
)

// Limits of a cart. They keep a demo shop's carts sane and bound the work a
// single request can cause.
const (
	MaxQuantity  = 99  // per line, also after an add
	MaxLines     = 50  // distinct SKUs per cart
	MaxSKULen    = 64  // the column size; inventory's SKUs are far shorter
	MaxKeyLen    = 128 // Idempotency-Key header
	MaxUserIDLen = 64
	MaxEventLen  = 128 // the inbox's event id column
	MaxOrderLen  = 64  // the checkouts' order number column
)

// Error codes clients can rely on (the "code" of the shared error shape).
// Those other services answer with too are contracts'.
const (
	CodeInvalidSKU       = "INVALID_SKU"
	CodeQuantityTooLarge = "QUANTITY_TOO_LARGE"
	CodeCartFull         = "CART_FULL"
	CodeCartNotFound     = "CART_NOT_FOUND" // an admin asked for the cart of a user who does not exist
	CodeInvalidPurchase  = "INVALID_PURCHASE"
	CodeCheckoutNotFound = "CHECKOUT_NOT_FOUND"

	CodeUnknownSKU      = contracts.CodeUnknownSKU
	CodeInvalidQuantity = contracts.CodeInvalidQuantity
	CodeInvalidKey      = contracts.CodeInvalidIdempotencyKey
	CodeKeyReused       = contracts.CodeIdempotencyKeyReused
	CodeInvalidUserID   = contracts.CodeInvalidUserID
)

// Line is one stored cart line: a SKU and how many of it. Quantity is always
// 1..MaxQuantity; a line that would reach 0 is deleted.
type Line struct {
	SKU      string
	Quantity int
}

// Product is what the catalogue says about a SKU right now.
type Product struct {
	SKU         string
	Name        string
	Description string
	PriceCents  int64
	ImageURL    string
	Available   int // units in stock that are not reserved
}

// Catalog is the part of the inventory service the cart needs.
type Catalog interface {
	// Products returns the whole catalogue, so a cart is priced with one call
	// however many lines it has.
	Products(ctx context.Context) ([]Product, error)
	// Product returns one product; an unknown SKU is UnknownSKU (404), an
	// unreachable inventory an Unavailable error (503).
	Product(ctx context.Context, sku string) (Product, error)
}

// IdempotencyKey identifies one client attempt at an add. Fingerprint stands
// for the request body, so the same key with another body can be refused.
type IdempotencyKey struct {
	Key         string
	Fingerprint string
}

// Store keeps cart lines. Every method that changes a cart does so in one
// transaction and returns the lines as they are after it, in the order they
// were first added. The store enforces MaxQuantity and MaxLines inside that
// transaction, so concurrent requests cannot overshoot them.
type Store interface {
	// Lines returns the user's lines.
	Lines(ctx context.Context, userID string) ([]Line, error)
	// Add adds line.Quantity to the user's line for line.SKU, creating it.
	// With a key (Key != ""), a repeated key with the same fingerprint
	// changes nothing and returns the current lines; another fingerprint is
	// KeyReused. Errors: QuantityTooLarge, Full.
	Add(ctx context.Context, userID string, line Line, key IdempotencyKey) ([]Line, error)
	// Set sets the user's line for line.SKU to line.Quantity, creating it.
	// Errors: Full.
	Set(ctx context.Context, userID string, line Line) ([]Line, error)
	// Remove deletes the user's line for sku; an absent line is no error.
	Remove(ctx context.Context, userID, sku string) ([]Line, error)
	// Clear deletes all the user's lines.
	Clear(ctx context.Context, userID string) error
	// RemovePurchased claims p.EventID for the ORDER_PAID consumer, takes
	// each line's quantity off the user's cart (deleting lines that reach 0)
	// and records the order's Checkout, all in one transaction. A claimed
	// event or an order already checked out wraps apperr.ErrAlreadyApplied.
	RemovePurchased(ctx context.Context, p Purchase) (Checkout, error)
	// Checkout returns the record of one order's purchase, or
	// ErrCheckoutNotFound.
	Checkout(ctx context.Context, orderNo string) (Checkout, error)
	// Checkouts lists every checkout, oldest first.
	Checkouts(ctx context.Context) ([]Checkout, error)
}

// Purchase is a paid order as the cart sees it: whose cart, and how much of
// each SKU left it.
type Purchase struct {
	OrderNo string
	UserID  string
	EventID string
	Lines   []Line
}

// Checkout records that a paid order's quantities left its user's cart:
// Removed holds what the cart actually gave up (less than bought when the
// user had fewer in the cart, nothing for SKUs not in it).
type Checkout struct {
	OrderNo string
	UserID  string
	EventID string
	Removed []Line
	At      time.Time
}

// ErrCheckoutNotFound says the order's purchase has not reached the cart
// (yet).
func ErrCheckoutNotFound(orderNo string) error {
	return apperr.New(apperr.NotFound, CodeCheckoutNotFound, "no checkout recorded for order "+orderNo)
}

// UnknownSKU is the error for a SKU the catalogue does not have.
func UnknownSKU(sku string) *apperr.Error {
	return apperr.New(apperr.NotFound, CodeUnknownSKU, fmt.Sprintf("no product with SKU %q", sku)).
		With("sku", sku)
}

// QuantityTooLarge is the error for a line that would exceed MaxQuantity;
// have is what the cart holds now, adding what the request asked for.
func QuantityTooLarge(sku string, have, adding int) *apperr.Error {
	return apperr.New(apperr.Invalid, CodeQuantityTooLarge,
		fmt.Sprintf("a cart line holds at most %d units", MaxQuantity)).
		With("field", "quantity").With("sku", sku).With("inCart", have).
		With("requested", adding).With("max", MaxQuantity)
}

// Full is the error for a new line in a cart that has MaxLines already.
func Full(sku string) *apperr.Error {
	return apperr.New(apperr.Conflict, CodeCartFull,
		fmt.Sprintf("a cart holds at most %d different products", MaxLines)).
		With("sku", sku).With("maxLines", MaxLines)
}

// KeyReused is the error for an Idempotency-Key sent again with another body.
func KeyReused() *apperr.Error {
	return apperr.New(apperr.Unprocessable, CodeKeyReused,
		"this Idempotency-Key was already used for a different request").
		With("header", "Idempotency-Key")
}
