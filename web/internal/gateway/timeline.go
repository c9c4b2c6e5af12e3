package gateway

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"
)

// orderTimeline answers the timeline of one of the caller's orders: the
// order service confirms the order is the caller's (another user's is its
// 404) before any journal is read with the gateway's admin token.
func (g *Gateway) orderTimeline(c *gin.Context) error {
	return g.ownOrderDocument(c, func(ctx context.Context, userID, no string) (any, error) {
		return g.timeline.ForUser(ctx, userID, no)
	})
}

// adminTimeline answers the timeline of any order to a caller with the
// admin token (RequireAdmin on the route: 401 without, 403 wrong): the
// trainer's pages and operators. The token is checked here and not sent on.
func (g *Gateway) adminTimeline(c *gin.Context) error {
	no, err := orderNoParam(c)
	if err != nil {
		return err
	}
	doc, err := g.timeline.ForAdmin(c.Request.Context(), no)
	if err != nil {
		return err
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, doc)
	return nil
}
