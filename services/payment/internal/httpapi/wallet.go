package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/rocketmart/rocketmart/services/platform/httpserver"
)

// wallet godoc
//
//	@Summary		Show the caller's wallet
//	@Description	The caller's balance and their latest charges (at most 50, newest first).
//	@Tags			wallet
//	@Produce		json
//	@Param			X-User-ID	header		string	true	"demo user id"	extensions(x-example=alice)
//	@Success		200			{object}	WalletResponse
//	@Failure		401			{object}	httpserver.ErrorResponse	"X-User-ID missing or unknown"
//	@Failure		404			{object}	httpserver.ErrorResponse	"WALLET_NOT_FOUND"
//	@Failure		500			{object}	httpserver.ErrorResponse
//	@Security		UserID
//	@Router			/api/v1/wallet [get]
func (a *API) wallet(c *gin.Context) error {
	v, err := a.svc.Wallet(c.Request.Context(), httpserver.UserID(c))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, WalletResponse{UserID: v.UserID, BalanceCents: v.BalanceCents, Charges: chargeDTOs(v.Charges)})
	return nil
}

// topUp godoc
//
//	@Summary		Top up the caller's wallet
//	@Description	Credits the caller's demo wallet once per Idempotency-Key (keys are per user).
//	@Description	Replaying a key with the same amount answers 200 with the original top-up and credits nothing;
//	@Description	the same key with another amount answers 422 IDEMPOTENCY_KEY_REUSED.
//	@Tags			wallet
//	@Accept			json
//	@Produce		json
//	@Param			X-User-ID		header		string			true	"demo user id"	extensions(x-example=alice)
//	@Param			Idempotency-Key	header		string			true	"1..128 characters, unique per top-up"	extensions(x-example=topup-3f9c2a7e)
//	@Param			body			body		TopUpRequest	true	"amount to add"
//	@Success		201				{object}	TopUpResponse	"credited"
//	@Success		200				{object}	TopUpResponse	"replay of an earlier top-up; nothing credited"
//	@Failure		400				{object}	httpserver.ErrorResponse	"bad body, IDEMPOTENCY_KEY_REQUIRED or INVALID_IDEMPOTENCY_KEY"
//	@Failure		401				{object}	httpserver.ErrorResponse	"X-User-ID missing or unknown"
//	@Failure		404				{object}	httpserver.ErrorResponse	"WALLET_NOT_FOUND: no wallet"
//	@Failure		413				{object}	httpserver.ErrorResponse	"body too large"
//	@Failure		422				{object}	httpserver.ErrorResponse	"IDEMPOTENCY_KEY_REUSED"
//	@Failure		500				{object}	httpserver.ErrorResponse
//	@Security		UserID
//	@Router			/api/v1/wallet/top-ups [post]
func (a *API) topUp(c *gin.Context) error {
	var req TopUpRequest
	if err := httpserver.BindJSON(c, &req); err != nil {
		return err
	}
	t, created, err := a.svc.TopUp(c.Request.Context(), httpserver.UserID(c), c.GetHeader(HeaderIdempotencyKey), req.AmountCents)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	c.JSON(status, TopUpResponse{TopUpID: t.ID, UserID: t.UserID, AmountCents: t.AmountCents, BalanceCents: t.BalanceCents})
	return nil
}
