// Package httpapi is payment's JSON API: the caller's wallet and top-ups for
// users, and charges, refunds and audit views for the order service and
// operators (admin token).
package httpapi

import (
	"github.com/gin-gonic/gin"

	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/payment/internal/payment"
	"github.com/rocketmart/rocketmart/services/platform/faults"
	"github.com/rocketmart/rocketmart/services/platform/httpserver"
)

// HeaderIdempotencyKey makes a top-up safe to retry.
const HeaderIdempotencyKey = "Idempotency-Key"

// API holds the handlers.
type API struct {
	svc    *payment.Service
	faults *faults.Set
}

// Register mounts payment's routes on r. User routes need a demo user in
// X-User-ID; charge and admin routes need adminToken in X-Admin-Token. It
// declares the training fault point charge (PointCharge) on set, which the
// charge route consults; a nil set arms nothing.
func Register(r gin.IRouter, svc *payment.Service, adminToken string, set *faults.Set) {
	set.Declare(chargePoint)
	a := &API{svc: svc, faults: set}
	v1 := r.Group("/api/v1")

	user := v1.Group("", httpserver.RequireUser(contracts.IsDemoUser))
	user.GET("/wallet", httpserver.Handle(a.wallet))
	user.POST("/wallet/top-ups", httpserver.Handle(a.topUp))

	admin := v1.Group("", httpserver.RequireAdmin(adminToken))
	admin.POST("/charges", httpserver.Handle(a.charge))
	admin.GET("/charges/:orderNo", httpserver.Handle(a.getCharge))
	admin.POST("/charges/:orderNo/refund", httpserver.Handle(a.refund))
	admin.GET("/admin/wallets", httpserver.Handle(a.wallets))
	admin.POST("/admin/wallets/top-ups", httpserver.Handle(a.bulkTopUp))
	admin.GET("/admin/charges", httpserver.Handle(a.charges))
}

// withOrderNo adds the order number to every log line of the request,
// including the access log.
func withOrderNo(c *gin.Context, orderNo string) {
	c.Request = c.Request.WithContext(httpserver.WithLogAttrs(c.Request.Context(), "order_no", orderNo))
}
