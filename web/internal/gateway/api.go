package gateway

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/platform/apperr"
	"github.com/rocketmart/rocketmart/services/platform/httpserver"
	"github.com/rocketmart/rocketmart/web/internal/session"
)

// maxOrderNoLen bounds an order number in the progress and timeline paths.
const maxOrderNoLen = 64

// User is a demo user as the storefront shows it.
type User struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// SessionResponse describes the signed-in user.
type SessionResponse struct {
	UserID    string    `json:"userId"`
	Name      string    `json:"name"`
	ExpiresAt time.Time `json:"expiresAt"`
}

// users lists the demo users for the switcher.
func (g *Gateway) users(c *gin.Context) {
	out := make([]User, 0, len(contracts.DemoUsers))
	for _, u := range contracts.DemoUsers {
		out = append(out, User{ID: u.ID, Name: u.Name})
	}
	c.JSON(http.StatusOK, gin.H{"users": out})
}

func (g *Gateway) getSession(c *gin.Context) {
	id, exp, err := g.sessions.UserID(c.Request)
	if err != nil {
		g.unauthorized(c, err)
		return
	}
	c.JSON(http.StatusOK, sessionResponse(id, exp))
}

// signIn signs a demo user in. There is no password: the demo users are
// public, and the point is that the gateway, not the browser, decides
// which user id the services see.
func (g *Gateway) signIn(c *gin.Context) error {
	var req struct {
		UserID string `json:"userId"`
	}
	if err := httpserver.BindJSON(c, &req); err != nil {
		return err
	}
	if req.UserID == "" {
		return apperr.New(apperr.Invalid, apperr.CodeValidation, "userId is required").With("field", "userId")
	}
	if !contracts.IsDemoUser(req.UserID) {
		return apperr.New(apperr.Unauthorized, apperr.CodeUnknownUser, "there is no demo user "+req.UserID).With("field", "userId")
	}
	exp := g.sessions.Issue(c.Writer, c.Request, req.UserID)
	c.JSON(http.StatusOK, sessionResponse(req.UserID, exp))
	return nil
}

func (g *Gateway) signOut(c *gin.Context) {
	g.sessions.Clear(c.Writer, c.Request)
	c.Status(http.StatusNoContent)
}

func sessionResponse(id string, exp time.Time) SessionResponse {
	r := SessionResponse{UserID: id, ExpiresAt: exp.UTC()}
	for _, u := range contracts.DemoUsers {
		if u.ID == id {
			r.Name = u.Name
		}
	}
	return r
}

// orderProgress answers the progress document of one of the caller's orders.
func (g *Gateway) orderProgress(c *gin.Context) error {
	return g.ownOrderDocument(c, func(ctx context.Context, userID, no string) (any, error) {
		return g.progress.Get(ctx, userID, no)
	})
}

// ownOrderDocument answers a document about one of the signed-in caller's
// orders (the path's order number), built by get, never cached: 401
// without a session, 400 for a malformed number, get's error otherwise.
func (g *Gateway) ownOrderDocument(c *gin.Context, get func(ctx context.Context, userID, orderNo string) (any, error)) error {
	userID, err := g.currentUser(c.Request)
	if err != nil {
		g.unauthorized(c, err)
		return nil
	}
	no, err := orderNoParam(c)
	if err != nil {
		return err
	}
	doc, err := get(c.Request.Context(), userID, no)
	if err != nil {
		return err
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, doc)
	return nil
}

// orderNoParam returns the path's order number, or a 400 for one that no
// order could have.
func orderNoParam(c *gin.Context) (string, error) {
	no := c.Param("orderNo")
	if no == "" || len(no) > maxOrderNoLen || !visibleASCII(no) {
		return "", apperr.New(apperr.Invalid, contracts.CodeInvalidOrderNo, "an order number is 1 to 64 visible ASCII characters").
			With("field", "orderNo")
	}
	return no, nil
}

// runAudit hands everyone, signed in or not, to the audit handler. The
// audit only reads (the services' read-only admin endpoints) and its report
// names orders of the public demo users, so the demo's Consistency page is
// open to the audience without a sign-in.
func (g *Gateway) runAudit(c *gin.Context) {
	g.audit.ServeHTTP(c.Writer, c.Request)
}

func (g *Gateway) currentUser(r *http.Request) (string, error) {
	id, _, err := g.sessions.UserID(r)
	return id, err
}

// unauthorized answers 401 for a missing, tampered or expired session and
// clears a bad cookie so the browser stops sending it.
func (g *Gateway) unauthorized(c *gin.Context, err error) {
	code, msg := "SIGN_IN_REQUIRED", "sign in to do this"
	switch {
	case errors.Is(err, session.ErrExpired):
		code, msg = "SESSION_EXPIRED", "your session has expired; sign in again"
		g.sessions.Clear(c.Writer, c.Request)
	case errors.Is(err, session.ErrInvalid):
		code, msg = "INVALID_SESSION", "your session is not valid; sign in again"
		g.sessions.Clear(c.Writer, c.Request)
	}
	httpserver.WriteError(c, apperr.New(apperr.Unauthorized, code, msg))
}

// sameOrigin refuses state-changing API requests sent by other origins. The
// SameSite=Lax cookie already keeps other sites' POSTs unauthenticated, but
// another port of the same host (a different app on localhost) counts as the
// same site; the Origin header tells them apart. Requests without Origin
// (curl, scripts) carry no ambient browser credentials worth protecting.
func sameOrigin(c *gin.Context) {
	switch c.Request.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		c.Next()
		return
	}
	origin := c.GetHeader("Origin")
	if origin == "" {
		c.Next()
		return
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host != c.Request.Host {
		httpserver.WriteError(c, apperr.New(apperr.Forbidden, "CROSS_ORIGIN",
			"requests from another origin may not change anything here"))
		return
	}
	c.Next()
}

func visibleASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '!' || s[i] > '~' || s[i] == '/' {
			return false
		}
	}
	return true
}
