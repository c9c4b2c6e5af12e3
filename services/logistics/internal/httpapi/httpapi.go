// Package httpapi is the logistics service's HTTP API: gin routes, DTOs and
// the swag annotations the OpenAPI document is generated from.
package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/logistics/internal/shipping"
	"github.com/rocketmart/rocketmart/services/platform/httpserver"
)

// handlers binds the routes to the shipping service.
type handlers struct {
	svc *shipping.Service
}

// Register adds the logistics routes to r: the caller's shipments under
// /api/v1/shipments (X-User-ID naming a demo user), and the operators' and
// the audit's views and the shipment transitions under
// /api/v1/admin/shipments (X-Admin-Token).
func Register(r gin.IRouter, svc *shipping.Service, adminToken string) {
	h := handlers{svc: svc}
	user := r.Group("/api/v1", httpserver.RequireUser(contracts.IsDemoUser))
	user.GET("/shipments", httpserver.Handle(h.list))
	user.GET("/shipments/:orderNo", httpserver.Handle(h.get))

	admin := r.Group("/api/v1/admin", httpserver.RequireAdmin(adminToken))
	admin.GET("/shipments", httpserver.Handle(h.adminList))
	admin.GET("/shipments/:orderNo", httpserver.Handle(h.adminGet))
	admin.POST("/shipments/:orderNo/ship", httpserver.Handle(h.ship))
	admin.POST("/shipments/:orderNo/deliver", httpserver.Handle(h.deliver))
}

// withOrderNo adds the order number to every log line of the request, cut
// to the longest valid length so a hostile value cannot flood the logs.
func withOrderNo(c *gin.Context, orderNo string) string {
	logged := orderNo
	if len(logged) > shipping.MaxOrderNoLen {
		logged = logged[:shipping.MaxOrderNoLen]
	}
	c.Request = c.Request.WithContext(httpserver.WithLogAttrs(c.Request.Context(), "order_no", logged))
	return orderNo
}

// list godoc
//
//	@Summary		List the caller's shipments
//	@Description	Every shipment of the caller's paid orders, newest first, each with its tracking events. A shipment exists once the order's ORDER_PAID event reached the logistics service, usually within a second of paying.
//	@Tags			shipments
//	@Produce		json
//	@Param			X-User-ID	header		string	true	"demo user id"	extensions(x-example=alice)
//	@Success		200			{object}	ShipmentList
//	@Failure		401			{object}	httpserver.ErrorResponse	"USER_REQUIRED, UNKNOWN_USER"
//	@Failure		500			{object}	httpserver.ErrorResponse	"INTERNAL"
//	@Security		UserID
//	@Router			/api/v1/shipments [get]
func (h handlers) list(c *gin.Context) error {
	list, err := h.svc.Shipments(c.Request.Context(), httpserver.UserID(c))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, toList(list))
	return nil
}

// get godoc
//
//	@Summary		Show one of the caller's shipments
//	@Description	The shipment of one of the caller's orders with its tracking events, oldest first. Another user's shipment answers 404 exactly like a missing one.
//	@Tags			shipments
//	@Produce		json
//	@Param			X-User-ID	header		string	true	"demo user id"											extensions(x-example=alice)
//	@Param			orderNo		path		string	true	"order number: 1 to 64 characters of A-Z, a-z, 0-9, '-'"	extensions(x-example=RM20300101-K3QF9XZ2B7M4)
//	@Success		200			{object}	Shipment
//	@Failure		400			{object}	httpserver.ErrorResponse	"INVALID_ORDER_NO"
//	@Failure		401			{object}	httpserver.ErrorResponse	"USER_REQUIRED, UNKNOWN_USER"
//	@Failure		404			{object}	httpserver.ErrorResponse	"SHIPMENT_NOT_FOUND: no shipment, or not the caller's"
//	@Failure		500			{object}	httpserver.ErrorResponse	"INTERNAL"
//	@Security		UserID
//	@Router			/api/v1/shipments/{orderNo} [get]
func (h handlers) get(c *gin.Context) error {
	orderNo := withOrderNo(c, c.Param("orderNo"))
	s, err := h.svc.ShipmentOf(c.Request.Context(), httpserver.UserID(c), orderNo)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, toShipment(s))
	return nil
}
