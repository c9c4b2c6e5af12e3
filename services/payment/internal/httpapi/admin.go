package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// wallets godoc
//
//	@Summary		List every wallet (audit)
//	@Description	Initial balance, top-ups and balance of every wallet, for the audit's money check:
//	@Description	initialCents + topUpsCents = balanceCents + charges - refunds.
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
