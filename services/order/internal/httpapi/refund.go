package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/rocketmart/rocketmart/services/platform/httpserver"
)

// refund godoc
//
//	@Summary		Cancel a paid order that has not shipped (refund)
//	@Description	Moves the order PAID → REFUNDING and publishes ORDER_REFUNDED transactionally: payment refunds the charge, points claws back the order's points, inventory returns the stock and logistics cancels the shipment, each once. The order becomes REFUNDED when the payment service has confirmed the refund, usually within a second; poll the order. Every error changes nothing.
//	@Tags			orders
//	@Produce		json
//	@Security		UserID
//	@Param			orderNo	path		string	true	"order number"	extensions(x-example=RM20261121-K3QF9XZ2B7M4)
//	@Success		200		{object}	OrderResponse				"status REFUNDING (or REFUNDED)"
//	@Failure		401		{object}	httpserver.ErrorResponse	"missing or unknown X-User-ID"
//	@Failure		404		{object}	httpserver.ErrorResponse	"ORDER_NOT_FOUND (also for another user's order)"
//	@Failure		409		{object}	httpserver.ErrorResponse	"ORDER_ALREADY_SHIPPED (request a return after delivery), ORDER_ALREADY_REFUNDED or ORDER_NOT_PAID; details.status names the order's state"
//	@Failure		500		{object}	httpserver.ErrorResponse	"INTERNAL: unexpected failure (details.request_id)"
//	@Failure		503		{object}	httpserver.ErrorResponse	"BROKER_UNAVAILABLE or REFUND_PENDING: not refunded yet; look at the order, retry"
//	@Router			/api/v1/orders/{orderNo}/refund [post]
func (h handlers) refund(c *gin.Context) error {
	o, err := h.svc.Refund(c.Request.Context(), httpserver.UserID(c), c.Param("orderNo"))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, orderResponse(o))
	return nil
}

// requestReturn godoc
//
//	@Summary		Request the return of a delivered order
//	@Description	Within the return window after delivery (ORDER_RETURN_WINDOW, 14 days by default) a COMPLETED order moves to RETURN_REQUESTED; an admin accepts the return, which refunds it as a cancelled paid order is. Requesting it again answers the order unchanged.
//	@Tags			orders
//	@Produce		json
//	@Security		UserID
//	@Param			orderNo	path		string	true	"order number"	extensions(x-example=RM20261121-K3QF9XZ2B7M4)
//	@Success		200		{object}	OrderResponse				"status RETURN_REQUESTED"
//	@Failure		401		{object}	httpserver.ErrorResponse	"missing or unknown X-User-ID"
//	@Failure		404		{object}	httpserver.ErrorResponse	"ORDER_NOT_FOUND"
//	@Failure		409		{object}	httpserver.ErrorResponse	"ORDER_NOT_DELIVERED, RETURN_WINDOW_CLOSED, ORDER_ALREADY_REFUNDED or ORDER_NOT_PAID; details.status names the order's state"
//	@Failure		500		{object}	httpserver.ErrorResponse	"INTERNAL: unexpected failure (details.request_id)"
//	@Router			/api/v1/orders/{orderNo}/return [post]
func (h handlers) requestReturn(c *gin.Context) error {
	o, err := h.svc.RequestReturn(c.Request.Context(), httpserver.UserID(c), c.Param("orderNo"))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, orderResponse(o))
	return nil
}

// acceptReturn godoc
//
//	@Summary		Accept a requested return (admin)
//	@Description	Moves the order RETURN_REQUESTED → REFUNDING and publishes ORDER_REFUNDED transactionally: payment refunds, points claws back, inventory returns the stock, logistics records the parcel's return. The order becomes REFUNDED when payment has confirmed the refund.
//	@Tags			admin
//	@Produce		json
//	@Security		AdminToken
//	@Param			orderNo	path		string	true	"order number"	extensions(x-example=RM20261121-K3QF9XZ2B7M4)
//	@Success		200		{object}	OrderResponse				"status REFUNDING (or REFUNDED)"
//	@Failure		401		{object}	httpserver.ErrorResponse	"missing admin token"
//	@Failure		403		{object}	httpserver.ErrorResponse	"wrong admin token"
//	@Failure		404		{object}	httpserver.ErrorResponse	"ORDER_NOT_FOUND"
//	@Failure		409		{object}	httpserver.ErrorResponse	"NO_RETURN_REQUESTED or ORDER_ALREADY_REFUNDED; details.status names the order's state"
//	@Failure		500		{object}	httpserver.ErrorResponse	"INTERNAL: unexpected failure (details.request_id)"
//	@Failure		503		{object}	httpserver.ErrorResponse	"BROKER_UNAVAILABLE or REFUND_PENDING: retry"
//	@Router			/api/v1/admin/orders/{orderNo}/return/accept [post]
func (h handlers) acceptReturn(c *gin.Context) error {
	o, err := h.svc.AcceptReturn(c.Request.Context(), c.Param("orderNo"))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, orderResponse(o))
	return nil
}
