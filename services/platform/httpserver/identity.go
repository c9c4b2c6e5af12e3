package httpserver

import (
	"crypto/subtle"

	"github.com/gin-gonic/gin"

	"github.com/rocketmart/rocketmart/services/platform/apperr"
)

// Identity headers. The gateway signs users in and forwards the user id;
// service-to-service and operator calls carry the admin token.
const (
	HeaderUserID     = "X-User-ID"
	HeaderAdminToken = "X-Admin-Token"
)

const userIDKey = "rocketmart.user_id" // gin context key

// RequireUser admits requests whose X-User-ID names a user known reports as
// existing, and makes the id available through UserID. A missing or unknown
// id is 401: identity is wrong, so nothing about resources is revealed.
func RequireUser(known func(id string) bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		id := c.GetHeader(HeaderUserID)
		switch {
		case id == "":
			WriteError(c, apperr.New(apperr.Unauthorized, apperr.CodeUserRequired,
				"the "+HeaderUserID+" header is required").With("header", HeaderUserID))
			return
		case !known(id):
			WriteError(c, apperr.New(apperr.Unauthorized, apperr.CodeUnknownUser,
				"the "+HeaderUserID+" header names no known user").With("header", HeaderUserID))
			return
		}
		c.Set(userIDKey, id)
		c.Request = c.Request.WithContext(withLogAttrs(c.Request.Context(), "user_id", id))
		c.Next()
	}
}

// UserID returns the caller admitted by RequireUser, or "" on routes without it.
func UserID(c *gin.Context) string {
	return c.GetString(userIDKey)
}

// RequireAdmin admits requests carrying the admin token: 401 without one,
// 403 with a wrong one. The comparison takes constant time.
func RequireAdmin(token string) gin.HandlerFunc {
	return func(c *gin.Context) {
		got := c.GetHeader(HeaderAdminToken)
		switch {
		case got == "":
			WriteError(c, apperr.New(apperr.Unauthorized, apperr.CodeAdminTokenRequired,
				"the "+HeaderAdminToken+" header is required").With("header", HeaderAdminToken))
			return
		case token == "" || subtle.ConstantTimeCompare([]byte(got), []byte(token)) != 1:
			WriteError(c, apperr.New(apperr.Forbidden, apperr.CodeInvalidAdminToken, "the admin token is wrong"))
			return
		}
		c.Next()
	}
}
