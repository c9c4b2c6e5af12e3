package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/rocketmart/rocketmart/services/payment/internal/payment"
	"github.com/rocketmart/rocketmart/services/platform/httpserver"
)

// wallets godoc
//
//	@Summary		List every wallet (audit)
//	@Description	Initial balance, top-ups and balance of every wallet, for the audit's money check:
//	@Description	initialCents + topUpsCents = balanceCents + charges - refunds (topUpsCents counts the user's own
//	@Description	top-ups and bulk top-ups).
//	@Tags			admin
//	@Produce		json
//	@Param			X-Admin-Token	header		string	true	"admin token"	extensions(x-example=rocketmart-admin)
//	@Success		200				{object}	WalletsResponse
//	@Failure		401				{object}	httpserver.ErrorResponse	"admin token missing"
//	@Failure		403				{object}	httpserver.ErrorResponse	"admin token wrong"
//	@Failure		500				{object}	httpserver.ErrorResponse
//	@Security		AdminToken
//	@Router			/api/v1/admin/wallets [get]
func (a *API) wallets(c *gin.Context) error {
	ws, err := a.svc.Wallets(c.Request.Context())
	if err != nil {
		return err
	}
	out := make([]AdminWallet, 0, len(ws))
	for _, w := range ws {
		out = append(out, AdminWallet{UserID: w.UserID, InitialCents: w.InitialCents, TopUpsCents: w.TopUpsCents, BalanceCents: w.BalanceCents})
	}
	c.JSON(http.StatusOK, WalletsResponse{Wallets: out})
	return nil
}

// charges godoc
//
//	@Summary	List every charge (audit)
//	@Tags		admin
//	@Produce	json
//	@Param		X-Admin-Token	header		string	true	"admin token"	extensions(x-example=rocketmart-admin)
//	@Success	200				{object}	ChargesResponse
//	@Failure	401				{object}	httpserver.ErrorResponse	"admin token missing"
//	@Failure	403				{object}	httpserver.ErrorResponse	"admin token wrong"
//	@Failure	500				{object}	httpserver.ErrorResponse
//	@Security	AdminToken
//	@Router		/api/v1/admin/charges [get]
func (a *API) charges(c *gin.Context) error {
	cs, err := a.svc.Charges(c.Request.Context())
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, ChargesResponse{Charges: chargeDTOs(cs)})
	return nil
}

// bulkTopUp godoc
//
//	@Summary		Top up several wallets at once
//	@Description	Credits every line's wallet in one transaction, all or none, once per Idempotency-Key (keys are
//	@Description	global to bulk top-ups). Each line counts in its wallet's topUpsCents, so the audit's money check
//	@Description	holds. Replaying a key with the same lines (in any order) answers 200 with the original and credits
//	@Description	nothing; the same key with other lines answers 422 IDEMPOTENCY_KEY_REUSED. For operators funding a
//	@Description	benchmark or a workshop: up to 100 lines of 1..100000000 cents, one per user.
//	@Tags			admin
//	@Accept			json
//	@Produce		json
//	@Param			X-Admin-Token	header		string				true	"admin token"	extensions(x-example=rocketmart-admin)
//	@Param			Idempotency-Key	header		string				true	"1..128 characters, unique per bulk top-up"	extensions(x-example=bench-2025-01-01-funding)
//	@Param			body			body		BulkTopUpRequest	true	"the wallets and amounts"
//	@Success		201				{object}	BulkTopUpResponse	"credited"
//	@Success		200				{object}	BulkTopUpResponse	"replay of an earlier bulk top-up; nothing credited"
//	@Failure		400				{object}	httpserver.ErrorResponse	"INVALID_JSON, VALIDATION (details.field, e.g. topUps[1].amountCents), IDEMPOTENCY_KEY_REQUIRED or INVALID_IDEMPOTENCY_KEY"
//	@Failure		401				{object}	httpserver.ErrorResponse	"admin token missing"
//	@Failure		403				{object}	httpserver.ErrorResponse	"admin token wrong"
//	@Failure		404				{object}	httpserver.ErrorResponse	"WALLET_NOT_FOUND: a line names a user without a wallet (details.userId); nothing credited"
//	@Failure		413				{object}	httpserver.ErrorResponse	"body too large"
//	@Failure		422				{object}	httpserver.ErrorResponse	"IDEMPOTENCY_KEY_REUSED"
//	@Failure		500				{object}	httpserver.ErrorResponse
//	@Security		AdminToken
//	@Router			/api/v1/admin/wallets/top-ups [post]
func (a *API) bulkTopUp(c *gin.Context) error {
	var req BulkTopUpRequest
	if err := httpserver.BindJSON(c, &req); err != nil {
		return err
	}
	lines := make([]payment.BulkLine, 0, len(req.TopUps))
	for _, l := range req.TopUps {
		lines = append(lines, payment.BulkLine{UserID: l.UserID, AmountCents: l.AmountCents})
	}
	b, created, err := a.svc.BulkTopUp(c.Request.Context(), c.GetHeader(HeaderIdempotencyKey), lines)
	if err != nil {
		return err
	}
	out := BulkTopUpResponse{BulkTopUpID: b.ID, TotalCents: b.TotalCents(), CreatedAt: b.CreatedAt, TopUps: make([]BulkTopUpLineResult, 0, len(b.Lines))}
	for _, l := range b.Lines {
		out.TopUps = append(out.TopUps, BulkTopUpLineResult{UserID: l.UserID, AmountCents: l.AmountCents, BalanceCents: l.BalanceCents})
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	c.JSON(status, out)
	return nil
}
