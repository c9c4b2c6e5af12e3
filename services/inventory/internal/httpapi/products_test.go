package httpapi_test

import (
	"net/http"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/inventory/internal/httpapi"
	"github.com/rocketmart/rocketmart/services/inventory/internal/inventory"
	"github.com/rocketmart/rocketmart/services/platform/dbtest"
)

func TestProducts(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		a := newAPI(t, db)
		r := a.call(t, http.MethodGet, "/api/v1/products", "", nil)
		if r.status != http.StatusOK {
			t.Fatalf("list: %d %s", r.status, r.body)
		}
		list := decode[httpapi.ProductList](t, r).Products
		if got, want := len(list), len(inventory.Catalogue()); got != want {
			t.Fatalf("%d products, want %d", got, want)
		}
		for _, p := range list {
			if p.ImageURL != "/images/"+p.SKU+".svg" || p.Name == "" || p.Description == "" || p.PriceCents <= 0 {
				t.Errorf("product %+v is incomplete", p)
			}
		}

		r = a.call(t, http.MethodGet, "/api/v1/products/"+rocket, "", nil)
		if r.status != http.StatusOK {
			t.Fatalf("detail: %d %s", r.status, r.body)
		}
		want := httpapi.Product{SKU: rocket, Name: "Limited Edition Rocket Lamp", PriceCents: 15999,
			ImageURL: "/images/RM-LAMP-ROCKET.svg", Available: 5}
		got := decode[httpapi.Product](t, r)
		got.Description = ""
		if got != want {
			t.Errorf("detail = %+v, want %+v", got, want)
		}

		for _, sku := range []string{"RM-NOPE", "rm-lamp-rocket", "%27%20OR%201%3D1", strings.Repeat("X", 500)} {
			r = a.call(t, http.MethodGet, "/api/v1/products/"+sku, "", nil)
			if r.status != http.StatusNotFound || r.errorCode() != "UNKNOWN_SKU" {
				t.Errorf("unknown %q: %d %s, want 404 UNKNOWN_SKU", sku, r.status, r.body)
			}
		}
		if d := a.call(t, http.MethodGet, "/api/v1/products/RM-NOPE", "", nil).errorDetails(); d["sku"] != "RM-NOPE" {
			t.Errorf("details = %v, want the sku", d)
		}
	})
}

func TestImages(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		a := newAPI(t, db)
		for _, p := range inventory.Catalogue() {
			r := a.call(t, http.MethodGet, "/images/"+p.Product.SKU+".svg", "", nil)
			if r.status != http.StatusOK || r.header.Get("Content-Type") != "image/svg+xml" {
				t.Errorf("%s: %d %s", p.Product.SKU, r.status, r.header.Get("Content-Type"))
				continue
			}
			if body := string(r.body); !strings.HasPrefix(body, "<svg") || !strings.Contains(body, p.Product.Name) {
				t.Errorf("%s: the picture is not an SVG naming %q", p.Product.SKU, p.Product.Name)
			}
			if r.header.Get("X-Content-Type-Options") != "nosniff" || r.header.Get("Content-Security-Policy") == "" {
				t.Errorf("%s: served without nosniff and a content security policy", p.Product.SKU)
			}
		}
		for _, path := range []string{"/images/RM-NOPE.svg", "/images/RM-TENT-2P.png", "/images/RM-TENT-2P",
			"/images/..%2Fhttpapi.go", "/images/%2E%2E%2Fimages%2FRM-TENT-2P.svg", "/images/.svg"} {
			r := a.call(t, http.MethodGet, path, "", nil)
			if r.status != http.StatusNotFound || r.errorCode() == "" {
				t.Errorf("%s: %d %s, want a 404 in the shared error shape", path, r.status, r.body)
			}
		}
	})
}
