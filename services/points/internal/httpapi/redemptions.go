package httpapi

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/rocketmart/rocketmart/services/platform/httpserver"
	"github.com/rocketmart/rocketmart/services/points/internal/points"
)

// RedeemRequest asks to pay part of an order with points.
type RedeemRequest struct {
	OrderNo string `json:"orderNo" example:"RM20261121-K3QF9XZ2B7M4"`
	UserID  string `json:"userId" example:"alice"`
	// Points to take off the balance, 1 to 100 000 000; 100 points pay 1.00.
	Points int64 `json:"points" example:"250"`
	// EventID is the ORDER_PAID event of the payment (optional, for the ledger).
	EventID string `json:"eventId,omitempty" example:"evt-q7k2m9x4b8n3c5v1z6w0"`
	// NotAfter: no redemption is created after this moment (optional).
	NotAfter *time.Time `json:"notAfter,omitempty" example:"2026-11-21T10:15:05Z" format:"date-time"`
}

// RedemptionResponse is the points an order was paid with.
type RedemptionResponse struct {
	OrderNo string `json:"orderNo" example:"RM20261121-K3QF9XZ2B7M4"`
	UserID  string `json:"userId" example:"alice"`
	Points  int64  `json:"points" example:"250"`
	// REDEEMED: spent on (or held for) the order. RETURNED: given back when
	// the order was cancelled or refunded.
	Status     string     `json:"status" enums:"REDEEMED,RETURNED" example:"REDEEMED"`
	EventID    string     `json:"eventId" example:"evt-q7k2m9x4b8n3c5v1z6w0"`
	CreatedAt  time.Time  `json:"createdAt" example:"2026-11-21T10:15:00.123Z"`
	ReturnedAt *time.Time `json:"returnedAt,omitempty" example:"2026-11-21T10:30:00.456Z"`
}

func redemptionResponse(r points.Redemption) RedemptionResponse {
	return RedemptionResponse{OrderNo: r.OrderNo, UserID: r.UserID, Points: r.Points, Status: string(r.Status),
		EventID: r.EventID, CreatedAt: r.CreatedAt, ReturnedAt: r.ReturnedAt}
}

// redeem godoc
//
//	@Summary		Redeem points for an order
//	@Description	Called by the order service when a customer pays part of an order with points (100 points = 1.00), before it charges the rest. Takes the points off the balance at most once per order number: 201 when this call took them, 200 with the existing redemption (also a RETURNED one) when the order already redeemed the same points for the same user. A refused redemption takes nothing. The redemption stands until the order is paid, or is returned once when the order is cancelled (ORDER_CANCELLED) or refunded.
//	@Tags			redemptions
//	@Accept			json
//	@Produce		json
//	@Param			X-Admin-Token	header		string			true	"admin token"	extensions(x-example=rocketmart-admin)
//	@Param			body			body		RedeemRequest	true	"the order and the points"
//	@Success		201				{object}	RedemptionResponse	"redeemed now"
//	@Success		200				{object}	RedemptionResponse	"redeemed before; nothing taken"
//	@Failure		400				{object}	httpserver.ErrorResponse	"INVALID_JSON, INVALID_ORDER_NO, INVALID_USER_ID, INVALID_POINTS, INVALID_EVENT_ID (details.field names the field)"
//	@Failure		401				{object}	httpserver.ErrorResponse	"ADMIN_TOKEN_REQUIRED"
//	@Failure		403				{object}	httpserver.ErrorResponse	"INVALID_ADMIN_TOKEN"
//	@Failure		409				{object}	httpserver.ErrorResponse	"INSUFFICIENT_POINTS (details: balance, points), REDEMPTION_MISMATCH (details.points: what the order redeemed), ORDER_CANCELLED, REDEMPTION_TOO_LATE (after notAfter); nothing taken"
//	@Failure		413				{object}	httpserver.ErrorResponse	"body too large"
//	@Failure		500				{object}	httpserver.ErrorResponse	"INTERNAL"
//	@Security		AdminToken
//	@Router			/api/v1/redemptions [post]
func (h handlers) redeem(c *gin.Context) error {
	var req RedeemRequest
	if err := httpserver.BindJSON(c, &req); err != nil {
		return err
	}
	r := points.RedeemRequest{OrderNo: req.OrderNo, UserID: req.UserID, Points: req.Points, EventID: req.EventID}
	if req.NotAfter != nil {
		r.NotAfter = *req.NotAfter
	}
	got, created, err := h.svc.Redeem(c.Request.Context(), r)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	c.JSON(status, redemptionResponse(got))
	return nil
}

// redemption godoc
//
//	@Summary		Show the redemption of an order
//	@Description	What the order service's check-back reads to learn whether an order paid entirely with points redeemed them.
//	@Tags			redemptions
//	@Produce		json
//	@Param			X-Admin-Token	header		string	true	"admin token"	extensions(x-example=rocketmart-admin)
//	@Param			orderNo			path		string	true	"order number"	extensions(x-example=RM20261121-K3QF9XZ2B7M4)
//	@Success		200				{object}	RedemptionResponse
//	@Failure		400				{object}	httpserver.ErrorResponse	"INVALID_ORDER_NO"
//	@Failure		401				{object}	httpserver.ErrorResponse	"ADMIN_TOKEN_REQUIRED"
//	@Failure		403				{object}	httpserver.ErrorResponse	"INVALID_ADMIN_TOKEN"
//	@Failure		404				{object}	httpserver.ErrorResponse	"REDEMPTION_NOT_FOUND"
//	@Failure		500				{object}	httpserver.ErrorResponse	"INTERNAL"
//	@Security		AdminToken
//	@Router			/api/v1/redemptions/{orderNo} [get]
func (h handlers) redemption(c *gin.Context) error {
	r, err := h.svc.RedemptionOf(c.Request.Context(), c.Param("orderNo"))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, redemptionResponse(r))
	return nil
}
