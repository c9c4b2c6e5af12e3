package httpapi_test

import (
	"encoding/json"
	"fmt"
	"github.com/rocketmart/rocketmart/services/platform/httpserver/servetest"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/cart/internal/cart"
	"github.com/rocketmart/rocketmart/services/cart/internal/httpapi"
	"github.com/rocketmart/rocketmart/services/cart/internal/remote"
	"github.com/rocketmart/rocketmart/services/cart/internal/store"
	"github.com/rocketmart/rocketmart/services/platform/httpserver"
	"github.com/rocketmart/rocketmart/services/platform/svcclient"
)

const adminToken = "test-admin-token"

// catalogue is a fake inventory service speaking its product API.
type catalogue struct {
	mu       sync.Mutex
	products map[string]map[string]any // sku → product JSON
	order    []string
	lists    int
}

func newCatalogue(t *testing.T) (*catalogue, *httptest.Server) {
	t.Helper()
	c := &catalogue{products: map[string]map[string]any{}}
	c.put("RM-TEE", "T-shirt", 2999, 12)
	c.put("RM-MUG", "Mug", 1250, 0)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/products", func(w http.ResponseWriter, r *http.Request) {
		c.mu.Lock()
		defer c.mu.Unlock()
		c.lists++
		list := []map[string]any{}
		for _, sku := range c.order {
			if p, ok := c.products[sku]; ok {
				list = append(list, p)
			}
		}
		writeJSON(w, http.StatusOK, map[string]any{"products": list})
	})
	mux.HandleFunc("GET /api/v1/products/{sku}", func(w http.ResponseWriter, r *http.Request) {
		c.mu.Lock()
		defer c.mu.Unlock()
		if p, ok := c.products[r.PathValue("sku")]; ok {
			writeJSON(w, http.StatusOK, p)
			return
		}
		writeJSON(w, http.StatusNotFound, map[string]any{"error": map[string]any{"code": "UNKNOWN_SKU", "message": "no such product"}})
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return c, srv
}

func (c *catalogue) put(sku, name string, price int64, available int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.products[sku]; !ok {
		c.order = append(c.order, sku)
	}
	c.products[sku] = map[string]any{"sku": sku, "name": name, "description": name, "priceCents": price,
		"imageUrl": "/img/" + strings.ToLower(sku) + ".png", "available": available}
}

func (c *catalogue) drop(sku string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.products, sku)
}

func (c *catalogue) listCalls() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lists
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// app is the cart's HTTP API on a real database, calling inventoryURL.
type app struct {
	handler http.Handler
	store   *store.Store
}

func newApp(t *testing.T, db *gorm.DB, inventoryURL string) app {
	t.Helper()
	if err := store.Migrate(db); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	st := store.New(db)
	svc := cart.NewService(st, remote.NewInventory(svcclient.New(inventoryURL, adminToken, 2*time.Second)))
	srv := httpserver.New(httpserver.Config{ServiceName: "cart-test"}, nil)
	httpapi.Register(srv.Router(), svc, adminToken)
	return app{handler: srv.Handler(), store: st}
}

// response is one answer as a client sees it, with this package's decoders.
type response struct{ servetest.Response }

// do sends a request; headers are name, value pairs.
func (a app) do(t *testing.T, method, path, body string, headers ...string) response {
	t.Helper()
	return response{servetest.Do(a.handler, method, path, body, headers...)}
}

// as sends a request as user.
func (a app) as(t *testing.T, user, method, path, body string, headers ...string) response {
	t.Helper()
	return a.do(t, method, path, body, append([]string{httpserver.HeaderUserID, user}, headers...)...)
}

// cart decodes a 200 Cart answer.
func (r response) cart(t *testing.T) httpapi.CartResponse {
	t.Helper()
	if r.Status != http.StatusOK {
		t.Fatalf("status = %d, body %s; want 200", r.Status, r.Body)
	}
	var c httpapi.CartResponse
	if err := json.Unmarshal(r.Body, &c); err != nil {
		t.Fatalf("decode cart %s: %v", r.Body, err)
	}
	return c
}

// lines returns user's stored lines.
func (a app) lines(t *testing.T, user string) []cart.Line {
	t.Helper()
	got, err := a.store.Lines(t.Context(), user)
	if err != nil {
		t.Fatalf("Lines: %v", err)
	}
	return got
}

func (a app) wantLines(t *testing.T, user string, want []cart.Line) {
	t.Helper()
	if got := a.lines(t, user); !reflect.DeepEqual(got, want) {
		t.Errorf("%s's lines = %+v, want %+v", user, got, want)
	}
}

func addBody(sku string, qty int) string {
	return fmt.Sprintf(`{"sku":%q,"quantity":%d}`, sku, qty)
}
