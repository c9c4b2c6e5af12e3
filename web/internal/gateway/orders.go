package gateway

import (
	"fmt"
	"net/http"
	"regexp"

	"github.com/gin-gonic/gin"

	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/platform/httpserver"
)

// orderNoPattern is what an order number may look like in a trainer path.
var orderNoPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9-]{0,63}$`)

// orderActions are the trainer's after-payment moves: each maps to one
// service's admin endpoint for the order (%s is the order number).
var orderActions = map[string]struct{ service, path string }{
	"ship":          {contracts.ServiceLogistics, "/api/v1/admin/shipments/%s/ship"},
	"deliver":       {contracts.ServiceLogistics, "/api/v1/admin/shipments/%s/deliver"},
	"accept-return": {contracts.ServiceOrder, "/api/v1/admin/orders/%s/return/accept"},
}

// trainerOrders maps GET /api/trainer/orders[?status=] to the order
// service's admin list of every user's orders, with the trainer's token:
// the trainer page lists the orders it can ship, deliver or take back.
func (g *Gateway) trainerOrders(c *gin.Context) {
	g.forward(c, &target{service: contracts.ServiceOrder, route: routeAPI, path: "/api/v1/admin/orders",
		adminToken: c.GetHeader(httpserver.HeaderAdminToken)})
}

// trainerOrderAction maps POST /api/trainer/orders/{orderNo}/{action} to
// the admin endpoint in orderActions, with the trainer's token: logistics
// ships or delivers the order's shipment (SHIPMENT_SHIPPED/DELIVERED move
// the order on), the order service accepts a requested return.
func (g *Gateway) trainerOrderAction(c *gin.Context) {
	no := c.Param("orderNo")
	act, ok := orderActions[c.Param("action")]
	if !ok || !orderNoPattern.MatchString(no) {
		notFound(c)
		return
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, trainerBodyLimit)
	g.forward(c, &target{service: act.service, route: routeAPI, path: fmt.Sprintf(act.path, no),
		adminToken: c.GetHeader(httpserver.HeaderAdminToken)})
}
