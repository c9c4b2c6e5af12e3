package cart_test

import (
	"context"
	"errors"
	"strings"
	"sync"

	"github.com/rocketmart/rocketmart/services/cart/internal/cart"
	"github.com/rocketmart/rocketmart/services/platform/apperr"
)

// fakeCatalog is an in-memory inventory. down makes every call fail as
// svcclient does when inventory cannot be reached.
type fakeCatalog struct {
	mu       sync.Mutex
	products []cart.Product
	down     bool
	lists    int // Products calls
	gets     int // Product calls
}

func newCatalog(products ...cart.Product) *fakeCatalog {
	return &fakeCatalog{products: products}
}

func (f *fakeCatalog) Products(context.Context) ([]cart.Product, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lists++
	if f.down {
		return nil, apperr.New(apperr.Unavailable, "DEPENDENCY_UNAVAILABLE", "down")
	}
	return append([]cart.Product(nil), f.products...), nil
}

// Product matches case-insensitively, as inventory on MySQL may.
func (f *fakeCatalog) Product(_ context.Context, sku string) (cart.Product, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.gets++
	if f.down {
		return cart.Product{}, apperr.New(apperr.Unavailable, "DEPENDENCY_UNAVAILABLE", "down")
	}
	for _, p := range f.products {
		if strings.EqualFold(p.SKU, sku) {
			return p, nil
		}
	}
	return cart.Product{}, cart.UnknownSKU(sku)
}

func (f *fakeCatalog) calls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.lists + f.gets
}

// fakeStore keeps lines in memory with the same rules as the real store. It
// records the last idempotency key and purchase it was given.
type fakeStore struct {
	mu        sync.Mutex
	lines     map[string][]cart.Line
	keys      map[string]string // user+"\x00"+key → fingerprint
	events    map[string]bool
	lastKey   cart.IdempotencyKey
	purchased []cart.Line
	writes    int
}

func newStore() *fakeStore {
	return &fakeStore{lines: map[string][]cart.Line{}, keys: map[string]string{}, events: map[string]bool{}}
}

func (f *fakeStore) Lines(_ context.Context, userID string) ([]cart.Line, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]cart.Line(nil), f.lines[userID]...), nil
}

func (f *fakeStore) Add(_ context.Context, userID string, line cart.Line, key cart.IdempotencyKey) ([]cart.Line, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.writes++
	f.lastKey = key
	if key.Key != "" {
		if fp, ok := f.keys[userID+"\x00"+key.Key]; ok {
			if fp != key.Fingerprint {
				return nil, cart.KeyReused()
			}
			return append([]cart.Line(nil), f.lines[userID]...), nil
		}
	}
	lines := f.lines[userID]
	i := indexOf(lines, line.SKU)
	switch {
	case i >= 0 && lines[i].Quantity+line.Quantity > cart.MaxQuantity:
		return nil, cart.QuantityTooLarge(line.SKU, lines[i].Quantity, line.Quantity)
	case i >= 0:
		lines[i].Quantity += line.Quantity
	case len(lines) >= cart.MaxLines:
		return nil, cart.Full(line.SKU)
	default:
		lines = append(lines, line)
	}
	f.lines[userID] = lines
	if key.Key != "" {
		f.keys[userID+"\x00"+key.Key] = key.Fingerprint
	}
	return append([]cart.Line(nil), lines...), nil
}

func (f *fakeStore) Set(_ context.Context, userID string, line cart.Line) ([]cart.Line, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.writes++
	lines := f.lines[userID]
	switch i := indexOf(lines, line.SKU); {
	case i >= 0:
		lines[i].Quantity = line.Quantity
	case len(lines) >= cart.MaxLines:
		return nil, cart.Full(line.SKU)
	default:
		lines = append(lines, line)
	}
	f.lines[userID] = lines
	return append([]cart.Line(nil), lines...), nil
}

func (f *fakeStore) Remove(_ context.Context, userID, sku string) ([]cart.Line, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.writes++
	lines := f.lines[userID]
	if i := indexOf(lines, sku); i >= 0 {
		lines = append(lines[:i:i], lines[i+1:]...)
	}
	f.lines[userID] = lines
	return append([]cart.Line(nil), lines...), nil
}

func (f *fakeStore) Clear(_ context.Context, userID string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.writes++
	delete(f.lines, userID)
	return nil
}

func (f *fakeStore) RemovePurchased(_ context.Context, p cart.Purchase) (cart.Checkout, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.writes++
	userID, lines := p.UserID, p.Lines
	f.purchased = append([]cart.Line(nil), lines...)
	if f.events[p.EventID] {
		return cart.Checkout{}, apperr.ErrAlreadyApplied
	}
	f.events[p.EventID] = true
	kept := f.lines[userID][:0:0]
	for _, l := range f.lines[userID] {
		if i := indexOf(lines, l.SKU); i >= 0 {
			l.Quantity -= lines[i].Quantity
		}
		if l.Quantity > 0 {
			kept = append(kept, l)
		}
	}
	f.lines[userID] = kept
	return cart.Checkout{OrderNo: p.OrderNo, UserID: userID, EventID: p.EventID}, nil
}

func (f *fakeStore) Checkout(context.Context, string) (cart.Checkout, error) {
	return cart.Checkout{}, errors.New("fake: Checkout not used by these tests")
}

func (f *fakeStore) Checkouts(context.Context) ([]cart.Checkout, error) {
	return nil, errors.New("fake: Checkouts not used by these tests")
}

func (f *fakeStore) writeCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.writes
}

func indexOf(lines []cart.Line, sku string) int {
	for i, l := range lines {
		if l.SKU == sku {
			return i
		}
	}
	return -1
}
