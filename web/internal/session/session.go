// Package session signs demo users in with an HMAC-SHA256-signed cookie.
//
// The cookie is the only identity the gateway trusts: services receive the
// user id in X-User-ID, so whoever can set that header can act as anyone.
// The gateway therefore derives the header from this cookie alone, and the
// cookie cannot be forged without the server's secret.
package session

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// CookieName is the session cookie's name.
const CookieName = "rm_session"

// DefaultTTL is how long a sign-in lasts: a working day of demos.
const DefaultTTL = 12 * time.Hour

// MinSecretLen is the shortest secret accepted: shorter keys make the HMAC
// guessable offline from one cookie.
const MinSecretLen = 16

// Errors of UserID. Callers answer 401 for all of them; they differ for logs
// and for the message shown to the user.
var (
	ErrNoSession = errors.New("no session cookie")
	ErrInvalid   = errors.New("session cookie is invalid")
	ErrExpired   = errors.New("session has expired")
)

// Manager issues and verifies session cookies.
type Manager struct {
	secret []byte
	ttl    time.Duration
	known  func(userID string) bool
	now    func() time.Time
}

// NewManager returns a manager signing with secret. known decides which user
// ids may hold a session (contracts.IsDemoUser): a cookie for a user that no
// longer exists is refused even if its signature is good. now is the clock
// (nil means time.Now); tests pass their own to expire cookies.
func NewManager(secret []byte, ttl time.Duration, known func(string) bool, now func() time.Time) (*Manager, error) {
	if len(secret) < MinSecretLen {
		return nil, errors.New("session: the secret must be at least 16 bytes")
	}
	if ttl <= 0 {
		ttl = DefaultTTL
	}
	if now == nil {
		now = time.Now
	}
	return &Manager{secret: append([]byte(nil), secret...), ttl: ttl, known: known, now: now}, nil
}

// Issue sets a cookie signing userID in until the returned expiry. The
// cookie is HttpOnly (scripts cannot read or steal it) and SameSite=Lax
// (other sites cannot make the browser send it with their POSTs); it is
// Secure when the request came over TLS.
func (m *Manager) Issue(w http.ResponseWriter, r *http.Request, userID string) time.Time {
	exp := m.now().Add(m.ttl).Truncate(time.Second)
	http.SetCookie(w, &http.Cookie{
		Name:     CookieName,
		Value:    m.encode(userID, exp),
		Path:     "/",
		Expires:  exp,
		MaxAge:   int(m.ttl / time.Second),
		HttpOnly: true,
		Secure:   r.TLS != nil,
		SameSite: http.SameSiteLaxMode,
	})
	return exp
}

// Clear removes the cookie from the browser.
func (m *Manager) Clear(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{
		Name: CookieName, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteLaxMode,
	})
}

// UserID returns the signed-in user of r and when the session ends.
func (m *Manager) UserID(r *http.Request) (string, time.Time, error) {
	c, err := r.Cookie(CookieName)
	if err != nil || c.Value == "" {
		return "", time.Time{}, ErrNoSession
	}
	return m.decode(c.Value)
}

// encode renders "base64(userID|expiry).base64(mac)". The payload is
// readable by anyone holding the cookie; it holds nothing secret.
func (m *Manager) encode(userID string, exp time.Time) string {
	payload := userID + "|" + strconv.FormatInt(exp.Unix(), 10)
	return b64.EncodeToString([]byte(payload)) + "." + b64.EncodeToString(m.mac(payload))
}

func (m *Manager) decode(value string) (string, time.Time, error) {
	rawPayload, rawMAC, ok := strings.Cut(value, ".")
	if !ok {
		return "", time.Time{}, ErrInvalid
	}
	payload, err1 := b64.DecodeString(rawPayload)
	mac, err2 := b64.DecodeString(rawMAC)
	if err1 != nil || err2 != nil || !hmac.Equal(mac, m.mac(string(payload))) {
		return "", time.Time{}, ErrInvalid
	}
	userID, rawExp, ok := strings.Cut(string(payload), "|")
	unix, err := strconv.ParseInt(rawExp, 10, 64)
	if !ok || err != nil || !m.known(userID) {
		return "", time.Time{}, ErrInvalid
	}
	exp := time.Unix(unix, 0)
	if !m.now().Before(exp) {
		return "", time.Time{}, ErrExpired
	}
	return userID, exp, nil
}

func (m *Manager) mac(payload string) []byte {
	h := hmac.New(sha256.New, m.secret)
	h.Write([]byte("rocketmart-session-v1|" + payload)) // hash.Hash.Write never fails
	return h.Sum(nil)
}

var b64 = base64.RawURLEncoding
