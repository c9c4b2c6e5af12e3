// Package httpapi is the order service's HTTP API: gin routes, request and
// response types, and the swag annotations the API docs are generated from.
package httpapi

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/order/internal/ordering"
	"github.com/rocketmart/rocketmart/services/platform/apperr"
	"github.com/rocketmart/rocketmart/services/platform/httpserver"
)

const (
	defaultListLimit = 50
	maxListLimit     = 200
	// maxAdminListLimit lets the audit read a whole demo shop in one call.
	maxAdminListLimit = 100000
)

// Register mounts the API on r.
func Register(r gin.IRouter, svc *ordering.Service, adminToken string) {
	h := handlers{svc: svc}
	user := r.Group("/api/v1/orders", httpserver.RequireUser(contracts.IsDemoUser))
	user.POST("", httpserver.Handle(h.place))
	user.GET("", httpserver.Handle(h.list))
	user.GET("/:orderNo", httpserver.Handle(h.get))
	user.POST("/:orderNo/pay", httpserver.Handle(h.pay))
	user.POST("/:orderNo/cancel", httpserver.Handle(h.cancel))
	user.POST("/:orderNo/refund", httpserver.Handle(h.refund))
	user.POST("/:orderNo/return", httpserver.Handle(h.requestReturn))

	admin := r.Group("/api/v1/admin/orders", httpserver.RequireAdmin(adminToken))
	admin.GET("", httpserver.Handle(h.adminList))
	admin.GET("/:orderNo", httpserver.Handle(h.adminGet))
	admin.POST("/:orderNo/return/accept", httpserver.Handle(h.acceptReturn))
}

type handlers struct {
	svc *ordering.Service
}

// place godoc
//
//	@Summary		Place an order
//	@Description	Reserves stock for every line or none and creates the order in PENDING_PAYMENT with a payment deadline. Without lines, the caller's cart is ordered. The same Idempotency-Key returns the same order (200); reusing it for a different request is 422. A retry after a failure (503, no answer) continues the same attempt on the stock it reserved; after the first attempt's payment deadline it is 409 CHECKOUT_EXPIRED.
//	@Tags			orders
//	@Accept			json
//	@Produce		json
//	@Security		UserID
//	@Param			Idempotency-Key	header		string						true	"unique per checkout attempt, at most 128 characters"	extensions(x-example=checkout-3f9c2a7e)
//	@Param			request			body		PlaceOrderRequest			true	"lines (optional) and shipping address"
//	@Success		201				{object}	OrderResponse				"created"
//	@Success		200				{object}	OrderResponse				"replayed: the order this key created"
//	@Failure		400				{object}	httpserver.ErrorResponse	"VALIDATION, INVALID_JSON, INVALID_QUANTITY, DUPLICATE_SKU, TOO_MANY_LINES, IDEMPOTENCY_KEY_REQUIRED or INVALID_IDEMPOTENCY_KEY (details.field names the field)"
//	@Failure		401				{object}	httpserver.ErrorResponse	"missing or unknown X-User-ID"
//	@Failure		404				{object}	httpserver.ErrorResponse	"UNKNOWN_SKU"
//	@Failure		409				{object}	httpserver.ErrorResponse	"OUT_OF_STOCK (details.short lists the SKUs), CART_EMPTY, or CHECKOUT_EXPIRED (a retry past the first attempt's payment deadline)"
//	@Failure		413				{object}	httpserver.ErrorResponse	"body too large"
//	@Failure		422				{object}	httpserver.ErrorResponse	"IDEMPOTENCY_KEY_REUSED"
//	@Failure		500				{object}	httpserver.ErrorResponse	"INTERNAL: unexpected failure (details.request_id)"
//	@Failure		503				{object}	httpserver.ErrorResponse	"DEPENDENCY_UNAVAILABLE: inventory or cart did not answer; retry with the same Idempotency-Key"
//	@Router			/api/v1/orders [post]
func (h handlers) place(c *gin.Context) error {
	var req PlaceOrderRequest
	if err := httpserver.BindJSON(c, &req); err != nil {
		return err
	}
	o, created, err := h.svc.Place(c.Request.Context(), httpserver.UserID(c), c.GetHeader("Idempotency-Key"), req.domain())
	if err != nil {
		return err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
		c.Header("Location", "/api/v1/orders/"+o.No)
	}
	c.JSON(status, orderResponse(o))
	return nil
}

// list godoc
//
//	@Summary	List my orders
//	@Tags		orders
//	@Produce	json
//	@Security	UserID
//	@Param		limit	query		int	false	"at most this many, newest first (1..200, default 50)"	default(50)	minimum(1)	maximum(200)
//	@Success	200		{object}	OrderListResponse
//	@Failure	400		{object}	httpserver.ErrorResponse	"INVALID_LIMIT"
//	@Failure	401		{object}	httpserver.ErrorResponse	"missing or unknown X-User-ID"
//	@Failure	500		{object}	httpserver.ErrorResponse	"INTERNAL: unexpected failure (details.request_id)"
//	@Router		/api/v1/orders [get]
func (h handlers) list(c *gin.Context) error {
	limit, err := listLimit(c, maxListLimit)
	if err != nil {
		return err
	}
	orders, err := h.svc.List(c.Request.Context(), httpserver.UserID(c), limit)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, listResponse(orders))
	return nil
}

// get godoc
//
//	@Summary	Get one of my orders, with its status history
//	@Tags		orders
//	@Produce	json
//	@Security	UserID
//	@Param		orderNo	path		string	true	"order number"	extensions(x-example=RM20261121-K3QF9XZ2B7M4)
//	@Success	200		{object}	OrderResponse
//	@Failure	401		{object}	httpserver.ErrorResponse	"missing or unknown X-User-ID"
//	@Failure	404		{object}	httpserver.ErrorResponse	"ORDER_NOT_FOUND (also for another user's order)"
//	@Failure	500		{object}	httpserver.ErrorResponse	"INTERNAL: unexpected failure (details.request_id)"
//	@Router		/api/v1/orders/{orderNo} [get]
func (h handlers) get(c *gin.Context) error {
	o, err := h.svc.Get(c.Request.Context(), httpserver.UserID(c), c.Param("orderNo"))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, orderResponse(o))
	return nil
}

// cancel godoc
//
//	@Summary		Cancel an unpaid order
//	@Description	Cancels the order and publishes ORDER_CANCELLED transactionally; inventory releases the stock. Cancelling a cancelled order returns it unchanged.
//	@Tags			orders
//	@Produce		json
//	@Security		UserID
//	@Param			orderNo	path		string	true	"order number"	extensions(x-example=RM20261121-K3QF9XZ2B7M4)
//	@Success		200		{object}	OrderResponse
//	@Failure		401		{object}	httpserver.ErrorResponse	"missing or unknown X-User-ID"
//	@Failure		404		{object}	httpserver.ErrorResponse	"ORDER_NOT_FOUND"
//	@Failure		409		{object}	httpserver.ErrorResponse	"ORDER_ALREADY_PAID: a paid order is refunded with POST /api/v1/orders/{orderNo}/refund instead"
//	@Failure		500		{object}	httpserver.ErrorResponse	"INTERNAL: unexpected failure (details.request_id)"
//	@Failure		503		{object}	httpserver.ErrorResponse	"BROKER_UNAVAILABLE or CANCEL_PENDING: not cancelled yet; retry"
//	@Router			/api/v1/orders/{orderNo}/cancel [post]
func (h handlers) cancel(c *gin.Context) error {
	o, err := h.svc.Cancel(c.Request.Context(), httpserver.UserID(c), c.Param("orderNo"))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, orderResponse(o))
	return nil
}

// adminList godoc
//
//	@Summary		List orders of every user (admin)
//	@Description	Newest first. The consistency audit reads every order with limit=100000.
//	@Tags		admin
//	@Produce	json
//	@Security	AdminToken
//	@Param		status	query		string	false	"only this status"	Enums(PENDING_PAYMENT, PAID, CANCELLED, SHIPPED, COMPLETED, RETURN_REQUESTED, REFUNDING, REFUNDED)
//	@Param		limit	query		int		false	"at most this many, newest first (1..100000, default 50)"	default(50)	minimum(1)	maximum(100000)
//	@Success	200		{object}	OrderListResponse
//	@Failure	400		{object}	httpserver.ErrorResponse	"INVALID_STATUS or INVALID_LIMIT"
//	@Failure	401		{object}	httpserver.ErrorResponse	"missing admin token"
//	@Failure	403		{object}	httpserver.ErrorResponse	"wrong admin token"
//	@Failure	500		{object}	httpserver.ErrorResponse	"INTERNAL: unexpected failure (details.request_id)"
//	@Router		/api/v1/admin/orders [get]
func (h handlers) adminList(c *gin.Context) error {
	limit, err := listLimit(c, maxAdminListLimit)
	if err != nil {
		return err
	}
	orders, err := h.svc.ListAll(c.Request.Context(), ordering.Status(c.Query("status")), limit)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, listResponse(orders))
	return nil
}

// adminGet godoc
//
//	@Summary		Get any order (admin)
//	@Description	Used by inventory's reservation sweeper and the audit.
//	@Tags			admin
//	@Produce		json
//	@Security		AdminToken
//	@Param			orderNo	path		string	true	"order number"	extensions(x-example=RM20261121-K3QF9XZ2B7M4)
//	@Success		200		{object}	OrderResponse
//	@Failure		401		{object}	httpserver.ErrorResponse	"missing admin token"
//	@Failure		403		{object}	httpserver.ErrorResponse	"wrong admin token"
//	@Failure		404		{object}	httpserver.ErrorResponse	"ORDER_NOT_FOUND"
//	@Failure		500		{object}	httpserver.ErrorResponse	"INTERNAL: unexpected failure (details.request_id)"
//	@Router			/api/v1/admin/orders/{orderNo} [get]
func (h handlers) adminGet(c *gin.Context) error {
	o, err := h.svc.GetAny(c.Request.Context(), c.Param("orderNo"))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, orderResponse(o))
	return nil
}

func listLimit(c *gin.Context, max int) (int, error) {
	raw := c.Query("limit")
	if raw == "" {
		return defaultListLimit, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < 1 || n > max {
		return 0, apperr.New(apperr.Invalid, contracts.CodeInvalidLimit, fmt.Sprintf("limit must be an integer 1..%d", max)).With("field", "limit")
	}
	return n, nil
}
