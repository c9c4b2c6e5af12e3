// Package httpapi is the cart's HTTP API: gin routes, DTOs and the swag
// annotations the OpenAPI document is generated from.
package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/rocketmart/rocketmart/services/cart/internal/cart"
	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/platform/apperr"
	"github.com/rocketmart/rocketmart/services/platform/httpserver"
)

// HeaderIdempotencyKey makes an add safe to retry.
const HeaderIdempotencyKey = "Idempotency-Key"

// handlers binds the routes to the cart service.
type handlers struct {
	svc *cart.Service
}

// Register adds the cart routes to r: the user's cart under /api/v1/cart
// (X-User-ID naming a demo user) and the operators' view under
// /api/v1/admin (X-Admin-Token).
func Register(r gin.IRouter, svc *cart.Service, adminToken string) {
	h := handlers{svc: svc}
	user := r.Group("/api/v1", httpserver.RequireUser(contracts.IsDemoUser))
	user.GET("/cart", httpserver.Handle(h.view))
	user.DELETE("/cart", httpserver.Handle(h.clear))
	user.POST("/cart/items", httpserver.Handle(h.add))
	user.PUT("/cart/items/:sku", httpserver.Handle(h.set))
	user.DELETE("/cart/items/:sku", httpserver.Handle(h.remove))

	admin := r.Group("/api/v1/admin", httpserver.RequireAdmin(adminToken))
	admin.GET("/carts/:userId", httpserver.Handle(h.adminCart))
	admin.GET("/checkouts", httpserver.Handle(h.listCheckouts))
	admin.GET("/checkouts/:orderNo", httpserver.Handle(h.getCheckout))
}

// view godoc
//
//	@Summary		Show the caller's cart
//	@Description	Lines with the catalogue's current prices (asked from inventory on every view; prices are never stored). A line whose SKU the catalogue no longer has is kept with discontinued=true and no price, and is left out of the totals.
//	@Tags			cart
//	@Produce		json
//	@Param			X-User-ID	header		string	true	"demo user id"	extensions(x-example=alice)
//	@Success		200			{object}	CartResponse
//	@Failure		401			{object}	httpserver.ErrorResponse	"USER_REQUIRED, UNKNOWN_USER"
//	@Failure		500			{object}	httpserver.ErrorResponse	"INTERNAL"
//	@Failure		503			{object}	httpserver.ErrorResponse	"DEPENDENCY_UNAVAILABLE: inventory is down"
//	@Security		UserID
//	@Router			/api/v1/cart [get]
func (h handlers) view(c *gin.Context) error {
	v, err := h.svc.View(c.Request.Context(), httpserver.UserID(c))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, cartResponse(v))
	return nil
}

// add godoc
//
//	@Summary		Add a product to the caller's cart
//	@Description	Adds quantity units to the line for sku, creating it. The line may hold at most 99 units afterwards and the cart at most 50 lines; otherwise nothing changes. With an Idempotency-Key, a retried add applies once and answers the current cart; the same key with another body is 422.
//	@Tags			cart
//	@Accept			json
//	@Produce		json
//	@Param			X-User-ID		header		string			true	"demo user id"	extensions(x-example=alice)
//	@Param			Idempotency-Key	header		string			false	"1 to 128 visible ASCII characters, unique per add"	extensions(x-example=add-3f9c2a7e)
//	@Param			body			body		AddItemRequest	true	"what to add"
//	@Success		200				{object}	CartResponse
//	@Failure		400				{object}	httpserver.ErrorResponse	"INVALID_JSON, INVALID_SKU, INVALID_QUANTITY, QUANTITY_TOO_LARGE, INVALID_IDEMPOTENCY_KEY"
//	@Failure		401				{object}	httpserver.ErrorResponse	"USER_REQUIRED, UNKNOWN_USER"
//	@Failure		404				{object}	httpserver.ErrorResponse	"UNKNOWN_SKU"
//	@Failure		409				{object}	httpserver.ErrorResponse	"CART_FULL"
//	@Failure		413				{object}	httpserver.ErrorResponse	"BODY_TOO_LARGE"
//	@Failure		422				{object}	httpserver.ErrorResponse	"IDEMPOTENCY_KEY_REUSED"
//	@Failure		500				{object}	httpserver.ErrorResponse	"INTERNAL"
//	@Failure		503				{object}	httpserver.ErrorResponse	"DEPENDENCY_UNAVAILABLE: inventory is down"
//	@Security		UserID
//	@Router			/api/v1/cart/items [post]
func (h handlers) add(c *gin.Context) error {
	var req AddItemRequest
	if err := httpserver.BindJSON(c, &req); err != nil {
		return err
	}
	var key *string
	switch keys := c.Request.Header.Values(HeaderIdempotencyKey); len(keys) {
	case 0:
	case 1:
		key = &keys[0]
	default:
		return cart.InvalidKey()
	}
	v, err := h.svc.Add(c.Request.Context(), httpserver.UserID(c), cart.Line{SKU: req.SKU, Quantity: req.Quantity}, key)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, cartResponse(v))
	return nil
}

// set godoc
//
//	@Summary		Set the quantity of a product in the caller's cart
//	@Description	Sets the line for sku to quantity (1 to 99), creating it: repeating the call changes nothing more. Use DELETE to remove a line.
//	@Tags			cart
//	@Accept			json
//	@Produce		json
//	@Param			X-User-ID	header		string				true	"demo user id"	extensions(x-example=alice)
//	@Param			sku			path		string				true	"product SKU"	extensions(x-example=RM-TSHIRT-BLK)
//	@Param			body		body		SetQuantityRequest	true	"the new quantity"
//	@Success		200			{object}	CartResponse
//	@Failure		400			{object}	httpserver.ErrorResponse	"INVALID_JSON, INVALID_SKU, INVALID_QUANTITY, QUANTITY_TOO_LARGE"
//	@Failure		401			{object}	httpserver.ErrorResponse	"USER_REQUIRED, UNKNOWN_USER"
//	@Failure		404			{object}	httpserver.ErrorResponse	"UNKNOWN_SKU"
//	@Failure		409			{object}	httpserver.ErrorResponse	"CART_FULL"
//	@Failure		413			{object}	httpserver.ErrorResponse	"BODY_TOO_LARGE"
//	@Failure		500			{object}	httpserver.ErrorResponse	"INTERNAL"
//	@Failure		503			{object}	httpserver.ErrorResponse	"DEPENDENCY_UNAVAILABLE: inventory is down"
//	@Security		UserID
//	@Router			/api/v1/cart/items/{sku} [put]
func (h handlers) set(c *gin.Context) error {
	var req SetQuantityRequest
	if err := httpserver.BindJSON(c, &req); err != nil {
		return err
	}
	v, err := h.svc.SetQuantity(c.Request.Context(), httpserver.UserID(c), cart.Line{SKU: c.Param("sku"), Quantity: req.Quantity})
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, cartResponse(v))
	return nil
}

// remove godoc
//
//	@Summary		Remove a product from the caller's cart
//	@Description	Deletes the line for sku. Removing a line that is not there answers the cart as it is (200), so retries are safe.
//	@Tags			cart
//	@Produce		json
//	@Param			X-User-ID	header		string	true	"demo user id"	extensions(x-example=alice)
//	@Param			sku			path		string	true	"product SKU"	extensions(x-example=RM-TSHIRT-BLK)
//	@Success		200			{object}	CartResponse
//	@Failure		401			{object}	httpserver.ErrorResponse	"USER_REQUIRED, UNKNOWN_USER"
//	@Failure		500			{object}	httpserver.ErrorResponse	"INTERNAL"
//	@Failure		503			{object}	httpserver.ErrorResponse	"DEPENDENCY_UNAVAILABLE: inventory is down (nothing was removed)"
//	@Security		UserID
//	@Router			/api/v1/cart/items/{sku} [delete]
func (h handlers) remove(c *gin.Context) error {
	v, err := h.svc.Remove(c.Request.Context(), httpserver.UserID(c), c.Param("sku"))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, cartResponse(v))
	return nil
}

// clear godoc
//
//	@Summary	Empty the caller's cart
//	@Tags		cart
//	@Produce	json
//	@Param		X-User-ID	header		string	true	"demo user id"	extensions(x-example=alice)
//	@Success	200			{object}	CartResponse
//	@Failure	401			{object}	httpserver.ErrorResponse	"USER_REQUIRED, UNKNOWN_USER"
//	@Failure	500			{object}	httpserver.ErrorResponse	"INTERNAL"
//	@Security	UserID
//	@Router		/api/v1/cart [delete]
func (h handlers) clear(c *gin.Context) error {
	v, err := h.svc.Clear(c.Request.Context(), httpserver.UserID(c))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, cartResponse(v))
	return nil
}

// adminCart godoc
//
//	@Summary		Show a user's cart lines without prices
//	@Description	For operators and the audit: the stored lines only, without calling inventory.
//	@Tags			admin
//	@Produce		json
//	@Param			X-Admin-Token	header		string	true	"admin token"	extensions(x-example=rocketmart-admin)
//	@Param			userId			path		string	true	"demo user id"	extensions(x-example=alice)
//	@Success		200				{object}	AdminCartResponse
//	@Failure		401				{object}	httpserver.ErrorResponse	"ADMIN_TOKEN_REQUIRED"
//	@Failure		403				{object}	httpserver.ErrorResponse	"INVALID_ADMIN_TOKEN"
//	@Failure		404				{object}	httpserver.ErrorResponse	"CART_NOT_FOUND: no such user"
//	@Failure		500				{object}	httpserver.ErrorResponse	"INTERNAL"
//	@Security		AdminToken
//	@Router			/api/v1/admin/carts/{userId} [get]
func (h handlers) adminCart(c *gin.Context) error {
	userID := c.Param("userId")
	if !contracts.IsDemoUser(userID) {
		return apperr.New(apperr.NotFound, cart.CodeCartNotFound, "no such user")
	}
	lines, err := h.svc.Lines(c.Request.Context(), userID)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, adminCartResponse(userID, lines))
	return nil
}

// listCheckouts godoc
//
//	@Summary		List every checkout
//	@Description	For the consistency audit: one record per paid order whose quantities left its user's cart (the ORDER_PAID consumer's effect), oldest first. Not paginated: a demo shop holds a few thousand at most.
//	@Tags			admin
//	@Produce		json
//	@Param			X-Admin-Token	header		string	true	"admin token"	extensions(x-example=rocketmart-admin)
//	@Success		200				{object}	CheckoutListResponse
//	@Failure		401				{object}	httpserver.ErrorResponse	"ADMIN_TOKEN_REQUIRED"
//	@Failure		403				{object}	httpserver.ErrorResponse	"INVALID_ADMIN_TOKEN"
//	@Failure		500				{object}	httpserver.ErrorResponse	"INTERNAL"
//	@Security		AdminToken
//	@Router			/api/v1/admin/checkouts [get]
func (h handlers) listCheckouts(c *gin.Context) error {
	all, err := h.svc.Checkouts(c.Request.Context())
	if err != nil {
		return err
	}
	out := CheckoutListResponse{Checkouts: make([]CheckoutResponse, len(all))}
	for i, co := range all {
		out.Checkouts[i] = checkoutResponse(co)
	}
	c.JSON(http.StatusOK, out)
	return nil
}

// getCheckout godoc
//
//	@Summary		Show one order's checkout
//	@Description	What the paid order took off its user's cart; 404 until the cart's ORDER_PAID consumer has processed the order (the storefront's order page polls this to show "cart cleaned").
//	@Tags			admin
//	@Produce		json
//	@Param			X-Admin-Token	header		string	true	"admin token"	extensions(x-example=rocketmart-admin)
//	@Param			orderNo			path		string	true	"order number"	extensions(x-example=RM-20300101-0001)
//	@Success		200				{object}	CheckoutResponse
//	@Failure		400				{object}	httpserver.ErrorResponse	"INVALID_PURCHASE: malformed order number"
//	@Failure		401				{object}	httpserver.ErrorResponse	"ADMIN_TOKEN_REQUIRED"
//	@Failure		403				{object}	httpserver.ErrorResponse	"INVALID_ADMIN_TOKEN"
//	@Failure		404				{object}	httpserver.ErrorResponse	"CHECKOUT_NOT_FOUND"
//	@Failure		500				{object}	httpserver.ErrorResponse	"INTERNAL"
//	@Security		AdminToken
//	@Router			/api/v1/admin/checkouts/{orderNo} [get]
func (h handlers) getCheckout(c *gin.Context) error {
	co, err := h.svc.Checkout(c.Request.Context(), c.Param("orderNo"))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, checkoutResponse(co))
	return nil
}
