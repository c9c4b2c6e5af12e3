package remote_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/rocketmart/rocketmart/services/cart/internal/cart"
	"github.com/rocketmart/rocketmart/services/cart/internal/remote"
	"github.com/rocketmart/rocketmart/services/platform/apperr"
	"github.com/rocketmart/rocketmart/services/platform/svcclient"
)

const productsJSON = `{"products":[
 {"sku":"RM-TEE","name":"T-shirt","description":"black","priceCents":2999,"imageUrl":"/tee.png","available":12},
 {"sku":"A?B","name":"Odd","description":"","priceCents":1,"imageUrl":"","available":0}]}`

// fakeInventory speaks inventory's product API. Requests for SKUs in
// replies get that raw answer instead.
func fakeInventory(t *testing.T, replies map[string]func(w http.ResponseWriter)) *httptest.Server {
	t.Helper()
	var list struct {
		Products []json.RawMessage `json:"products"`
	}
	if err := json.Unmarshal([]byte(productsJSON), &list); err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/products", func(w http.ResponseWriter, r *http.Request) {
		if reply, ok := replies["LIST"]; ok {
			reply(w)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(productsJSON))
	})
	mux.HandleFunc("GET /api/v1/products/{sku}", func(w http.ResponseWriter, r *http.Request) {
		sku := r.PathValue("sku")
		if reply, ok := replies[sku]; ok {
			reply(w)
			return
		}
		for _, raw := range list.Products {
			var p struct{ SKU string }
			json.Unmarshal(raw, &p)
			if p.SKU == sku {
				w.Header().Set("Content-Type", "application/json")
				w.Write(raw)
				return
			}
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		w.Write([]byte(`{"error":{"code":"UNKNOWN_SKU","message":"no such product","details":{"sku":"` + sku + `"}}}`))
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func client(url string) *remote.Inventory {
	return remote.NewInventory(svcclient.New(url, "admin-token", 2*time.Second))
}

func TestProducts(t *testing.T) {
	got, err := client(fakeInventory(t, nil).URL).Products(t.Context())
	if err != nil {
		t.Fatalf("Products: %v", err)
	}
	want := []cart.Product{
		{SKU: "RM-TEE", Name: "T-shirt", Description: "black", PriceCents: 2999, ImageURL: "/tee.png", Available: 12},
		{SKU: "A?B", Name: "Odd", PriceCents: 1},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Products = %+v, want %+v", got, want)
	}
}

func TestProduct(t *testing.T) {
	c := client(fakeInventory(t, nil).URL)
	tests := []struct {
		sku  string
		want cart.Product
	}{
		{"RM-TEE", cart.Product{SKU: "RM-TEE", Name: "T-shirt", Description: "black", PriceCents: 2999, ImageURL: "/tee.png", Available: 12}},
		// Without path escaping the '?' would start a query string.
		{"A?B", cart.Product{SKU: "A?B", Name: "Odd", PriceCents: 1}},
	}
	for _, tt := range tests {
		got, err := c.Product(t.Context(), tt.sku)
		if err != nil {
			t.Fatalf("Product(%q): %v", tt.sku, err)
		}
		if got != tt.want {
			t.Errorf("Product(%q) = %+v, want %+v", tt.sku, got, tt.want)
		}
	}
}

func TestProductUnknown(t *testing.T) {
	_, err := client(fakeInventory(t, nil).URL).Product(t.Context(), "NOPE")
	e, ok := apperr.As(err)
	if !ok || e.Kind != apperr.NotFound || e.Code != cart.CodeUnknownSKU || e.Details["sku"] != "NOPE" {
		t.Errorf("Product(NOPE) error = %v, want NotFound %s with details.sku", err, cart.CodeUnknownSKU)
	}
}

// TestFailuresAreUnavailable: whatever goes wrong on inventory's side, the
// cart's caller sees 503, never a 500 or a 4xx it did not cause.
func TestFailuresAreUnavailable(t *testing.T) {
	status := func(code int, body string) func(w http.ResponseWriter) {
		return func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(code)
			w.Write([]byte(body))
		}
	}
	tests := []struct {
		name  string
		reply func(w http.ResponseWriter)
		list  func(w http.ResponseWriter) // nil: reply
	}{
		{"server error", status(http.StatusInternalServerError, `{"error":{"code":"INTERNAL","message":"internal error"}}`), nil},
		{"bad gateway without the error shape", status(http.StatusBadGateway, `<html>nginx</html>`), nil},
		{"route not found", status(http.StatusNotFound, `{"error":{"code":"ROUTE_NOT_FOUND","message":"no such route"}}`), nil},
		{"refused request", status(http.StatusBadRequest, `{"error":{"code":"INVALID_JSON","message":"?"}}`), nil},
		{"not JSON", status(http.StatusOK, `not json`), nil},
		{"product without sku", status(http.StatusOK, `{"name":"x"}`), status(http.StatusOK, `{"products":[{"name":"x"}]}`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			list := tt.list
			if list == nil {
				list = tt.reply
			}
			c := client(fakeInventory(t, map[string]func(http.ResponseWriter){"X": tt.reply, "LIST": list}).URL)
			_, err := c.Product(t.Context(), "X")
			wantUnavailable(t, "Product", err)
			_, err = c.Products(t.Context())
			wantUnavailable(t, "Products", err)
		})
	}
}

func TestServerDown(t *testing.T) {
	srv := fakeInventory(t, nil)
	c := client(srv.URL)
	srv.Close()
	_, err := c.Product(t.Context(), "RM-TEE")
	wantUnavailable(t, "Product", err)
	_, err = c.Products(t.Context())
	wantUnavailable(t, "Products", err)
}

func TestSlowServerTimesOut(t *testing.T) {
	release := make(chan struct{})
	hang := func(http.ResponseWriter) { <-release }
	srv := fakeInventory(t, map[string]func(http.ResponseWriter){"LIST": hang})
	t.Cleanup(func() { close(release) }) // runs before srv.Close, which waits for handlers
	c := remote.NewInventory(svcclient.New(srv.URL, "", 100*time.Millisecond))
	_, err := c.Products(t.Context())
	wantUnavailable(t, "Products", err)
}

func wantUnavailable(t *testing.T, call string, err error) {
	t.Helper()
	e, ok := apperr.As(err)
	if !ok || e.Kind != apperr.Unavailable || e.Code != "DEPENDENCY_UNAVAILABLE" {
		t.Errorf("%s error = %v, want Unavailable DEPENDENCY_UNAVAILABLE", call, err)
		return
	}
	if strings.Contains(e.Message, "127.0.0.1") {
		t.Errorf("%s message %q names a host; clients must not see it", call, e.Message)
	}
}
