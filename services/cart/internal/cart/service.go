package cart

import (
	"context"
	"fmt"

	"github.com/rocketmart/rocketmart/services/platform/apperr"
)

// Service is the cart's use cases. Every method that changes a cart asks the
// catalogue everything it needs before it touches the database, so an
// inventory outage answers 503 and changes nothing.
type Service struct {
	store   Store
	catalog Catalog
}

// NewService returns a Service keeping lines in store and pricing them with
// catalog.
func NewService(store Store, catalog Catalog) *Service {
	return &Service{store: store, catalog: catalog}
}

// View returns the user's cart with current prices: one catalogue call
// whatever the number of lines, none for an empty cart.
func (s *Service) View(ctx context.Context, userID string) (View, error) {
	lines, err := s.store.Lines(ctx, userID)
	if err != nil {
		return View{}, fmt.Errorf("cart: view: %w", err)
	}
	if len(lines) == 0 {
		return price(userID, nil, nil), nil
	}
	products, err := s.catalog.Products(ctx)
	if err != nil {
		return View{}, fmt.Errorf("cart: view: %w", err)
	}
	return price(userID, lines, products), nil
}

// Add adds line.Quantity units of line.SKU to the user's cart. With an
// idempotency key (nil for none) a retried add applies once. The resulting
// line may hold at most MaxQuantity units and the cart at most MaxLines
// lines; the SKU must be in the catalogue.
func (s *Service) Add(ctx context.Context, userID string, line Line, idempotencyKey *string) (View, error) {
	if err := validateSKU(line.SKU); err != nil {
		return View{}, err
	}
	if err := validateQuantity(line.SKU, line.Quantity); err != nil {
		return View{}, err
	}
	var key IdempotencyKey
	if idempotencyKey != nil {
		if err := validateKey(*idempotencyKey); err != nil {
			return View{}, err
		}
		key = IdempotencyKey{Key: *idempotencyKey, Fingerprint: addFingerprint(line.SKU, line.Quantity)}
	}
	sku, products, err := s.checkSKU(ctx, line.SKU)
	if err != nil {
		return View{}, fmt.Errorf("cart: add: %w", err)
	}
	lines, err := s.store.Add(ctx, userID, Line{SKU: sku, Quantity: line.Quantity}, key)
	if err != nil {
		return View{}, fmt.Errorf("cart: add: %w", err)
	}
	return price(userID, lines, products), nil
}

// SetQuantity sets the user's line for line.SKU to line.Quantity (1 to
// MaxQuantity), creating it if absent: a repeated call changes nothing more.
// Removing a line is Remove, not quantity 0.
func (s *Service) SetQuantity(ctx context.Context, userID string, line Line) (View, error) {
	if err := validateSKU(line.SKU); err != nil {
		return View{}, err
	}
	if err := validateQuantity(line.SKU, line.Quantity); err != nil {
		return View{}, err
	}
	sku, products, err := s.checkSKU(ctx, line.SKU)
	if err != nil {
		return View{}, fmt.Errorf("cart: set quantity: %w", err)
	}
	lines, err := s.store.Set(ctx, userID, Line{SKU: sku, Quantity: line.Quantity})
	if err != nil {
		return View{}, fmt.Errorf("cart: set quantity: %w", err)
	}
	return price(userID, lines, products), nil
}

// Remove deletes the user's line for sku. Removing an absent line is not an
// error, so a retried remove answers the same cart. Any SKU is accepted: a
// line for a SKU the catalogue dropped must stay removable.
func (s *Service) Remove(ctx context.Context, userID, sku string) (View, error) {
	products, err := s.catalog.Products(ctx)
	if err != nil {
		return View{}, fmt.Errorf("cart: remove: %w", err)
	}
	lines, err := s.store.Remove(ctx, userID, sku)
	if err != nil {
		return View{}, fmt.Errorf("cart: remove: %w", err)
	}
	return price(userID, lines, products), nil
}

// Clear empties the user's cart and returns the empty cart.
func (s *Service) Clear(ctx context.Context, userID string) (View, error) {
	if err := s.store.Clear(ctx, userID); err != nil {
		return View{}, fmt.Errorf("cart: clear: %w", err)
	}
	return price(userID, nil, nil), nil
}

// Lines returns the user's lines without prices, for operators and the
// audit; it never calls the catalogue.
func (s *Service) Lines(ctx context.Context, userID string) ([]Line, error) {
	if err := validateUserID(userID); err != nil {
		return nil, err
	}
	lines, err := s.store.Lines(ctx, userID)
	if err != nil {
		return nil, fmt.Errorf("cart: lines: %w", err)
	}
	return lines, nil
}

// RemovePurchased takes the quantities of a paid order off the user's cart,
// once per event and once per order: the ORDER_PAID consumer's effect.
// Lines that reach 0 are deleted; a line is never negative, and a SKU not in
// the cart is skipped (the user may have removed it). A repeated event or
// order returns an error wrapping apperr.ErrAlreadyApplied and changes nothing.
func (s *Service) RemovePurchased(ctx context.Context, p Purchase) (Checkout, error) {
	if err := validateUserID(p.UserID); err != nil {
		return Checkout{}, err
	}
	if p.EventID == "" || len(p.EventID) > MaxEventLen {
		return Checkout{}, apperr.New(apperr.Invalid, CodeInvalidPurchase,
			fmt.Sprintf("event id must be 1 to %d characters", MaxEventLen))
	}
	if p.OrderNo == "" || len(p.OrderNo) > MaxOrderLen {
		return Checkout{}, apperr.New(apperr.Invalid, CodeInvalidPurchase,
			fmt.Sprintf("order number must be 1 to %d characters", MaxOrderLen))
	}
	merged, err := mergePurchase(p.Lines)
	if err != nil {
		return Checkout{}, err
	}
	p.Lines = merged
	c, err := s.store.RemovePurchased(ctx, p)
	if err != nil {
		return Checkout{}, fmt.Errorf("cart: remove purchased: %w", err)
	}
	return c, nil
}

// Checkout returns what a paid order took off its user's cart.
func (s *Service) Checkout(ctx context.Context, orderNo string) (Checkout, error) {
	if orderNo == "" || len(orderNo) > MaxOrderLen {
		return Checkout{}, apperr.New(apperr.Invalid, CodeInvalidPurchase,
			fmt.Sprintf("order number must be 1 to %d characters", MaxOrderLen))
	}
	return s.store.Checkout(ctx, orderNo)
}

// Checkouts lists every checkout, for the consistency audit.
func (s *Service) Checkouts(ctx context.Context) ([]Checkout, error) {
	return s.store.Checkouts(ctx)
}

// checkSKU asks the catalogue for sku and for the whole catalogue (to price
// the cart afterwards). It returns the SKU as the catalogue spells it, so a
// case-insensitive lookup in inventory cannot create two lines for one
// product.
func (s *Service) checkSKU(ctx context.Context, sku string) (string, []Product, error) {
	p, err := s.catalog.Product(ctx, sku)
	if err != nil {
		return "", nil, err
	}
	products, err := s.catalog.Products(ctx)
	if err != nil {
		return "", nil, err
	}
	return p.SKU, products, nil
}
