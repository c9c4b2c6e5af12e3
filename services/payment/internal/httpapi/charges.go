package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/rocketmart/rocketmart/services/payment/internal/payment"
	"github.com/rocketmart/rocketmart/services/platform/faults"
	"github.com/rocketmart/rocketmart/services/platform/httpserver"
)

// charge godoc
//
//	@Summary		Charge a wallet for an order
//	@Description	Called by the order service. Debits the wallet at most once per order number:
//	@Description	201 when this call debited, 200 with the existing charge (also a REFUNDED one) when the
//	@Description	order was already charged with the same user and amount. A declined charge records nothing,
//	@Description	so the order can be paid after a top-up.
//	@Tags			charges
//	@Accept			json
//	@Produce		json
//	@Param			X-Admin-Token	header		string			true	"admin token"	extensions(x-example=rocketmart-admin)
//	@Param			body			body		ChargeRequest	true	"the order to charge"
//	@Success		201				{object}	Charge	"debited"
//	@Success		200				{object}	Charge	"already charged; nothing debited"
//	@Failure		400				{object}	httpserver.ErrorResponse	"INVALID_JSON, VALIDATION (details.field names the field)"
//	@Failure		401				{object}	httpserver.ErrorResponse	"admin token missing"
//	@Failure		402				{object}	httpserver.ErrorResponse	"INSUFFICIENT_FUNDS (details: balanceCents, amountCents); PAYMENT_DECLINED under the training fault charge=answer,value=decline"
//	@Failure		403				{object}	httpserver.ErrorResponse	"admin token wrong"
//	@Failure		404				{object}	httpserver.ErrorResponse	"WALLET_NOT_FOUND: no wallet for userId"
//	@Failure		409				{object}	httpserver.ErrorResponse	"CHARGE_MISMATCH, ORDER_CANCELLED, or CHARGE_TOO_LATE (the request came after its notAfter; nothing charged)"
//	@Failure		413				{object}	httpserver.ErrorResponse	"body too large"
//	@Failure		500				{object}	httpserver.ErrorResponse
//	@Security		AdminToken
//	@Router			/api/v1/charges [post]
func (a *API) charge(c *gin.Context) error {
	var req ChargeRequest
	if err := httpserver.BindJSON(c, &req); err != nil {
		return err
	}
	withOrderNo(c, req.OrderNo)
	pr := payment.ChargeRequest{OrderNo: req.OrderNo, UserID: req.UserID, AmountCents: req.AmountCents}
	if req.NotAfter != nil {
		pr.NotAfter = *req.NotAfter
	}
	if err := pr.Validate(); err != nil {
		return err // before the fault point, so a bad request uses up no armed fault
	}
	ctx, hit, err := a.chargeFault(c.Request.Context())
	if err != nil {
		return err
	}
	ch, created, err := a.svc.Charge(ctx, pr)
	if err != nil {
		return err
	}
	if hit.Action == faults.Drop {
		dropAnswer()
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	c.JSON(status, chargeDTO(ch))
	return nil
}

// getCharge godoc
//
//	@Summary	Show the charge of an order
//	@Tags		charges
//	@Produce	json
//	@Param		X-Admin-Token	header		string	true	"admin token"	extensions(x-example=rocketmart-admin)
//	@Param		orderNo			path		string	true	"order number"	extensions(x-example=RM20261121-K3QF9XZ2B7M4)
//	@Success	200				{object}	Charge
//	@Failure	400				{object}	httpserver.ErrorResponse	"VALIDATION: malformed order number (details.field: orderNo)"
//	@Failure	401				{object}	httpserver.ErrorResponse	"admin token missing"
//	@Failure	403				{object}	httpserver.ErrorResponse	"admin token wrong"
//	@Failure	404				{object}	httpserver.ErrorResponse	"CHARGE_NOT_FOUND"
//	@Failure	500				{object}	httpserver.ErrorResponse
//	@Security	AdminToken
//	@Router		/api/v1/charges/{orderNo} [get]
func (a *API) getCharge(c *gin.Context) error {
	orderNo := c.Param("orderNo")
	withOrderNo(c, orderNo)
	ch, err := a.svc.ChargeByOrder(c.Request.Context(), orderNo)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, chargeDTO(ch))
	return nil
}

// refund godoc
//
//	@Summary		Refund the charge of an order
//	@Description	Refunds exactly once: the charge moves from SUCCEEDED to REFUNDED and its amount returns
//	@Description	to the wallet. Refunding a REFUNDED charge answers 200 with it unchanged.
//	@Tags			charges
//	@Accept			json
//	@Produce		json
//	@Param			X-Admin-Token	header		string			true	"admin token"	extensions(x-example=rocketmart-admin)
//	@Param			orderNo			path		string			true	"order number"	extensions(x-example=RM20261121-K3QF9XZ2B7M4)
//	@Param			body			body		RefundRequest	true	"why"
//	@Success		200				{object}	Charge	"REFUNDED"
//	@Failure		400				{object}	httpserver.ErrorResponse	"INVALID_JSON, VALIDATION (details.field names the field)"
//	@Failure		401				{object}	httpserver.ErrorResponse	"admin token missing"
//	@Failure		403				{object}	httpserver.ErrorResponse	"admin token wrong"
//	@Failure		404				{object}	httpserver.ErrorResponse	"CHARGE_NOT_FOUND"
//	@Failure		413				{object}	httpserver.ErrorResponse	"body too large"
//	@Failure		500				{object}	httpserver.ErrorResponse
//	@Security		AdminToken
//	@Router			/api/v1/charges/{orderNo}/refund [post]
func (a *API) refund(c *gin.Context) error {
	orderNo := c.Param("orderNo")
	withOrderNo(c, orderNo)
	var req RefundRequest
	if err := httpserver.BindJSON(c, &req); err != nil {
		return err
	}
	ch, err := a.svc.Refund(c.Request.Context(), orderNo, req.Reason)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, chargeDTO(ch))
	return nil
}
