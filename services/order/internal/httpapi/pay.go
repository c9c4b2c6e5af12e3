package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/rocketmart/rocketmart/services/order/internal/ordering"
	"github.com/rocketmart/rocketmart/services/platform/httpserver"
)

// PayRequest is the optional body of a pay request.
type PayRequest struct {
	// PointsToUse pays this many points of the total (100 points = 1.00,
	// at most totalCents); the rest is charged. Omitted: what an earlier
	// pay of the order applied, else none.
	PointsToUse *int64 `json:"pointsToUse,omitempty" example:"500" minimum:"0"`
}

// pay godoc
//
//	@Summary		Pay an order, optionally partly with points
//	@Description	Sends the ORDER_PAID half message, redeems pointsToUse points at the points service (100 points = 1.00), charges the rest (none when points cover the total) and marks the order PAID in one local transaction; the message is committed if and only if that transaction committed. Paying a paid order is safe: 200 ALREADY_PAID, never a second charge or redemption. 202 PENDING means the payment or points service did not answer in time: the broker's check-back settles the payment from durable state; poll the order.
//	@Description	The body is optional. The first pay of an order fixes its points part; a later pay may omit pointsToUse or must repeat it (409 POINTS_ALREADY_APPLIED), unless a few seconds after the last attempt nothing was redeemed or charged for the order (e.g. a declined charge without points: it may then be paid with points). Points redeemed by a payment that is declined stay held for the order: a later pay uses them, a cancellation or the payment deadline returns them. Paid points earn no points: the credit is chargedCents / 100.
//	@Tags			orders
//	@Accept			json
//	@Produce		json
//	@Security		UserID
//	@Param			orderNo	path		string		true	"order number"	extensions(x-example=RM20261121-K3QF9XZ2B7M4)
//	@Param			request	body		PayRequest	false	"points to use (optional)"
//	@Success		200		{object}	PayResponse					"PAID or ALREADY_PAID"
//	@Success		202		{object}	PayResponse					"PENDING"
//	@Failure		400		{object}	httpserver.ErrorResponse	"INVALID_JSON, INVALID_POINTS (negative or more than the total; details.max)"
//	@Failure		401		{object}	httpserver.ErrorResponse	"missing or unknown X-User-ID"
//	@Failure		402		{object}	httpserver.ErrorResponse	"INSUFFICIENT_FUNDS: declined; the order stays payable"
//	@Failure		404		{object}	httpserver.ErrorResponse	"ORDER_NOT_FOUND"
//	@Failure		409		{object}	httpserver.ErrorResponse	"ORDER_NOT_PAYABLE: cancelled or past its deadline; INSUFFICIENT_POINTS (details: balance, points; nothing taken); POINTS_ALREADY_APPLIED (details.pointsApplied)"
//	@Failure		413		{object}	httpserver.ErrorResponse	"body too large"
//	@Failure		500		{object}	httpserver.ErrorResponse	"INTERNAL: unexpected failure (details.request_id)"
//	@Failure		503		{object}	httpserver.ErrorResponse	"BROKER_UNAVAILABLE or DEPENDENCY_UNAVAILABLE: nothing was charged"
//	@Router			/api/v1/orders/{orderNo}/pay [post]
func (h handlers) pay(c *gin.Context) error {
	var req PayRequest
	if c.Request.ContentLength != 0 {
		if err := httpserver.BindJSON(c, &req); err != nil {
			return err
		}
	}
	outcome, o, err := h.svc.PayWithPoints(c.Request.Context(), httpserver.UserID(c), c.Param("orderNo"), req.PointsToUse)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if outcome == ordering.OutcomePending {
		status = http.StatusAccepted
	}
	c.JSON(status, PayResponse{Outcome: string(outcome), Order: orderResponse(o)})
	return nil
}
