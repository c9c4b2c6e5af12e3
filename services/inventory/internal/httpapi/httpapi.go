// Package httpapi is the inventory's HTTP API: gin routes, the JSON shapes
// clients see, and the swag annotations the API docs are generated from.
// Handlers bind input, call one domain method and write one response;
// errors go to httpserver.Handle, which answers in the shared error shape.
package httpapi

import (
	"github.com/gin-gonic/gin"

	"github.com/rocketmart/rocketmart/services/inventory/internal/inventory"
	"github.com/rocketmart/rocketmart/services/platform/httpserver"
)

// API serves the inventory's routes.
type API struct {
	svc *inventory.Service
}

// Register adds the inventory's routes to r. Catalogue and image routes are
// public; reservations and stock are for other services and operators, who
// send the admin token.
func Register(r gin.IRouter, svc *inventory.Service, adminToken string) {
	a := &API{svc: svc}
	r.GET("/api/v1/products", httpserver.Handle(a.listProducts))
	r.GET("/api/v1/products/:sku", httpserver.Handle(a.getProduct))
	r.GET("/images/:file", httpserver.Handle(a.image))

	admin := r.Group("/api/v1", httpserver.RequireAdmin(adminToken))
	admin.POST("/reservations", httpserver.Handle(a.reserve))
	admin.GET("/reservations/:orderNo", httpserver.Handle(a.getReservation))
	admin.POST("/reservations/:orderNo/release", httpserver.Handle(a.release))
	admin.GET("/admin/stock", httpserver.Handle(a.stock))
	admin.POST("/admin/stock/:sku/restock", httpserver.Handle(a.restock))
	admin.GET("/admin/reservations", httpserver.Handle(a.listReservations))
}
