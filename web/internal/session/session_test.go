package session

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

var secret = []byte("0123456789abcdef-test-secret")

func known(id string) bool { return id == "alice" || id == "bob" }

// clock is a settable time source for expiring cookies without waiting.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func newManager(t *testing.T, c *clock) *Manager {
	t.Helper()
	m, err := NewManager(secret, time.Hour, known, c.now)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// issued returns the cookie Issue sets for userID.
func issued(t *testing.T, m *Manager, userID string) *http.Cookie {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Issue(rec, httptest.NewRequest("POST", "/api/session", nil), userID)
	cookies := rec.Result().Cookies()
	if len(cookies) != 1 {
		t.Fatalf("Issue set %d cookies, want 1", len(cookies))
	}
	return cookies[0]
}

func requestWith(c *http.Cookie) *http.Request {
	r := httptest.NewRequest("GET", "/api/session", nil)
	if c != nil {
		r.AddCookie(c)
	}
	return r
}

func TestIssueSetsAHardenedCookie(t *testing.T) {
	c := issued(t, newManager(t, &clock{time.Unix(1_700_000_000, 0)}), "alice")
	if c.Name != CookieName || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" {
		t.Fatalf("cookie = %+v, want %s, HttpOnly, SameSite=Lax, Path=/", c, CookieName)
	}
	if c.Secure {
		t.Error("cookie is Secure on a plain-HTTP request: the browser would drop it on http://localhost")
	}
	if c.MaxAge != 3600 {
		t.Errorf("MaxAge = %d, want 3600", c.MaxAge)
	}
}

func TestRoundTrip(t *testing.T) {
	clk := &clock{time.Unix(1_700_000_000, 0)}
	m := newManager(t, clk)
	got, exp, err := m.UserID(requestWith(issued(t, m, "bob")))
	if err != nil || got != "bob" {
		t.Fatalf("UserID = %q, %v; want bob", got, err)
	}
	if want := clk.t.Add(time.Hour); !exp.Equal(want) {
		t.Errorf("expiry = %v, want %v", exp, want)
	}
}

func TestRefusesBadCookies(t *testing.T) {
	clk := &clock{time.Unix(1_700_000_000, 0)}
	m := newManager(t, clk)
	good := issued(t, m, "alice").Value
	payload, mac, _ := strings.Cut(good, ".")
	other, err := NewManager([]byte("another-secret-of-16+bytes"), time.Hour, known, clk.now)
	if err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		name  string
		value string
		want  error
	}{
		{"no cookie", "", ErrNoSession},
		{"payload swapped to bob", b64.EncodeToString([]byte("bob|9999999999")) + "." + mac, ErrInvalid},
		{"signature flipped", payload + "." + flip(mac), ErrInvalid},
		{"signed with another secret", other.encode("alice", clk.t.Add(time.Hour)), ErrInvalid},
		{"no signature", payload, ErrInvalid},
		{"not base64", "!!!.???", ErrInvalid},
		{"unknown user, correctly signed", m.encode("mallory", clk.t.Add(time.Hour)), ErrInvalid},
		{"expired", m.encode("alice", clk.t.Add(-time.Second)), ErrExpired},
		{"expires now", m.encode("alice", clk.t), ErrExpired},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var c *http.Cookie
			if tc.value != "" {
				c = &http.Cookie{Name: CookieName, Value: tc.value}
			}
			id, _, err := m.UserID(requestWith(c))
			if !errors.Is(err, tc.want) || id != "" {
				t.Fatalf("UserID = %q, %v; want %v", id, err, tc.want)
			}
		})
	}
}

func TestCookieExpiresWithTheClock(t *testing.T) {
	clk := &clock{time.Unix(1_700_000_000, 0)}
	m := newManager(t, clk)
	c := issued(t, m, "alice")
	clk.t = clk.t.Add(time.Hour - time.Second)
	if _, _, err := m.UserID(requestWith(c)); err != nil {
		t.Fatalf("a second before expiry: %v", err)
	}
	clk.t = clk.t.Add(time.Second)
	if _, _, err := m.UserID(requestWith(c)); !errors.Is(err, ErrExpired) {
		t.Fatalf("at expiry: err = %v, want ErrExpired", err)
	}
}

func TestShortSecretRefused(t *testing.T) {
	if _, err := NewManager([]byte("short"), 0, known, nil); err == nil {
		t.Fatal("NewManager accepted a 5-byte secret")
	}
}

func TestClearExpiresTheCookie(t *testing.T) {
	rec := httptest.NewRecorder()
	newManager(t, &clock{time.Now()}).Clear(rec, httptest.NewRequest("DELETE", "/api/session", nil))
	c := rec.Result().Cookies()
	if len(c) != 1 || c[0].Name != CookieName || c[0].MaxAge >= 0 {
		t.Fatalf("Clear set %+v, want %s with MaxAge<0", c, CookieName)
	}
}

// flip changes the first character of a base64 string to another valid one.
func flip(s string) string {
	if s[0] == 'A' {
		return "B" + s[1:]
	}
	return "A" + s[1:]
}
