package httpserver_test

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/rocketmart/rocketmart/services/platform/apperr"
	"github.com/rocketmart/rocketmart/services/platform/httpserver"
)

func TestWriteError(t *testing.T) {
	sqlCause := errors.New("Error 1146: Table 'order.orders' doesn't exist: SELECT * FROM orders")
	tests := []struct {
		name       string
		err        error
		wantStatus int
		wantBody   string // exact JSON; "" to skip
		wantCode   string
		wantLog    string // msg of a log line that must carry the cause; "" for none
	}{
		{
			name:       "kind, code, message and details",
			err:        apperr.New(apperr.Conflict, "OUT_OF_STOCK", "not enough stock").With("skus", []string{"A-1"}),
			wantStatus: http.StatusConflict,
			wantBody:   `{"error":{"code":"OUT_OF_STOCK","message":"not enough stock","details":{"skus":["A-1"]}}}`,
			wantCode:   "OUT_OF_STOCK",
		},
		{
			name:       "details omitted when empty",
			err:        apperr.New(apperr.PaymentRequired, "DECLINED", "payment declined"),
			wantStatus: http.StatusPaymentRequired,
			wantBody:   `{"error":{"code":"DECLINED","message":"payment declined"}}`,
			wantCode:   "DECLINED",
		},
		{
			name:       "kind found through %w",
			err:        fmt.Errorf("pay order 7: %w", apperr.New(apperr.Forbidden, "NOT_YOURS", "not your order")),
			wantStatus: http.StatusForbidden,
			wantCode:   "NOT_YOURS",
		},
		{
			name:       "no code or message falls back to the kind",
			err:        apperr.New(apperr.NotFound, "", ""),
			wantStatus: http.StatusNotFound,
			wantBody:   `{"error":{"code":"NOT_FOUND","message":"Not Found"}}`,
			wantCode:   "NOT_FOUND",
		},
		{
			name:       "cause of a client error is not shown",
			err:        apperr.Wrap(apperr.Conflict, "DUPLICATE", "already exists", sqlCause),
			wantStatus: http.StatusConflict,
			wantBody:   `{"error":{"code":"DUPLICATE","message":"already exists"}}`,
			wantCode:   "DUPLICATE",
		},
		{
			name:       "unavailable keeps its message and logs the cause",
			err:        apperr.Wrap(apperr.Unavailable, "PAYMENT_DOWN", "payment service unavailable", errors.New("dial tcp 10.0.0.7:8082: refused")),
			wantStatus: http.StatusServiceUnavailable,
			wantBody:   `{"error":{"code":"PAYMENT_DOWN","message":"payment service unavailable"}}`,
			wantCode:   "PAYMENT_DOWN",
			wantLog:    "dependency unavailable",
		},
		{
			name:       "plain error is internal",
			err:        fmt.Errorf("load order: %w", sqlCause),
			wantStatus: http.StatusInternalServerError,
			wantCode:   "INTERNAL",
			wantLog:    "internal error",
		},
		{
			name:       "internal apperr hides its message too",
			err:        apperr.Wrap(apperr.Internal, "CONFIG", "config table order.settings missing", sqlCause),
			wantStatus: http.StatusInternalServerError,
			wantCode:   "INTERNAL",
			wantLog:    "internal error",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, sink := newServer(t, httpserver.Config{})
			srv.Router().GET("/x", httpserver.Handle(func(c *gin.Context) error { return tt.err }))

			rec := do(t, srv.Handler(), http.MethodGet, "/x", nil)

			if rec.Code != tt.wantStatus {
				t.Errorf("status = %d, want %d", rec.Code, tt.wantStatus)
			}
			body := decodeError(t, rec)
			if body.Error.Code != tt.wantCode {
				t.Errorf("code = %q, want %q", body.Error.Code, tt.wantCode)
			}
			if tt.wantBody != "" && rec.Body.String() != tt.wantBody {
				t.Errorf("body = %s, want %s", rec.Body, tt.wantBody)
			}
			for _, leak := range []string{"SELECT", "1146", "10.0.0.7", "order.settings"} {
				if strings.Contains(rec.Body.String(), leak) {
					t.Errorf("body %s leaks %q", rec.Body, leak)
				}
			}
			if tt.wantStatus == http.StatusInternalServerError {
				if body.Error.Message != "internal error" {
					t.Errorf("message = %q, want %q", body.Error.Message, "internal error")
				}
				if got, want := body.Error.Details["request_id"], rec.Header().Get(httpserver.HeaderRequestID); got != want {
					t.Errorf("details.request_id = %v, want %q", got, want)
				}
			}
			if tt.wantLog != "" {
				lines := sink.lines(t, tt.wantLog)
				if len(lines) != 1 || !strings.Contains(fmt.Sprint(lines[0]["error"]), tt.err.Error()) {
					t.Errorf("%q log lines = %v, want one carrying the cause", tt.wantLog, lines)
				}
			}
			access := sink.lines(t, "http request")
			if len(access) != 1 || access[0]["error_code"] != tt.wantCode {
				t.Errorf("access log = %v, want error_code %q", access, tt.wantCode)
			}
		})
	}
}

// bindTarget exercises json names that differ from Go names, nesting and
// binding rules.
type bindTarget struct {
	SKU      string     `json:"sku" binding:"required"`
	Quantity int        `json:"quantity" binding:"min=1,max=99"`
	Lines    []bindLine `json:"lines" binding:"dive"`
}

type bindLine struct {
	ProductID string `json:"product_id" binding:"required"`
}

func TestBindJSON(t *testing.T) {
	tests := []struct {
		name       string
		body       string
		wantStatus int
		wantCode   string
		wantField  string
		wantRule   string
	}{
		{"valid", `{"sku":"A-1","quantity":2,"lines":[{"product_id":"p"}]}`, http.StatusOK, "", "", ""},
		{"trailing whitespace is fine", "{\"sku\":\"A-1\",\"quantity\":2}\n", http.StatusOK, "", "", ""},
		{"broken JSON", `{"sku":"A-1",`, http.StatusBadRequest, "INVALID_JSON", "", ""},
		{"syntax error", `{"sku" "A-1"}`, http.StatusBadRequest, "INVALID_JSON", "", ""},
		{"empty body", ``, http.StatusBadRequest, "INVALID_JSON", "", ""},
		{"not an object", `[1,2]`, http.StatusBadRequest, "INVALID_JSON", "", ""},
		{"trailing value", `{"sku":"A-1","quantity":2} {"sku":"B"}`, http.StatusBadRequest, "INVALID_JSON", "", ""},
		{"unknown field", `{"sku":"A-1","quantity":2,"colour":"red"}`, http.StatusBadRequest, "INVALID_JSON", "colour", ""},
		{"wrong type", `{"sku":"A-1","quantity":"two"}`, http.StatusBadRequest, "INVALID_JSON", "quantity", ""},
		{"missing required", `{"quantity":2}`, http.StatusBadRequest, "VALIDATION", "sku", "required"},
		{"out of range", `{"sku":"A-1","quantity":0}`, http.StatusBadRequest, "VALIDATION", "quantity", "min"},
		{"nested rule", `{"sku":"A-1","quantity":1,"lines":[{"product_id":"p"},{}]}`, http.StatusBadRequest, "VALIDATION", "lines[1].product_id", "required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, _ := newServer(t, httpserver.Config{})
			srv.Router().POST("/x", httpserver.Handle(func(c *gin.Context) error {
				var in bindTarget
				if err := httpserver.BindJSON(c, &in); err != nil {
					return err
				}
				c.JSON(http.StatusOK, in)
				return nil
			}))

			rec := do(t, srv.Handler(), http.MethodPost, "/x", strings.NewReader(tt.body))

			if rec.Code != tt.wantStatus {
				t.Fatalf("status = %d, want %d; body %s", rec.Code, tt.wantStatus, rec.Body)
			}
			if tt.wantStatus == http.StatusOK {
				return
			}
			body := decodeError(t, rec)
			if body.Error.Code != tt.wantCode {
				t.Errorf("code = %q, want %q", body.Error.Code, tt.wantCode)
			}
			if got := body.Error.Details["field"]; tt.wantField != "" && got != tt.wantField {
				t.Errorf("details.field = %v, want %q", got, tt.wantField)
			}
			if got := body.Error.Details["rule"]; tt.wantRule != "" && got != tt.wantRule {
				t.Errorf("details.rule = %v, want %q", got, tt.wantRule)
			}
			if strings.Contains(rec.Body.String(), "bindTarget") || strings.Contains(rec.Body.String(), "ProductID") {
				t.Errorf("body %s shows Go names; want JSON names", rec.Body)
			}
		})
	}
}

func TestBodyLimit(t *testing.T) {
	const limit = 64
	big := `{"sku":"` + strings.Repeat("x", 2*limit) + `","quantity":1}`
	tests := []struct {
		name       string
		path       string
		body       io.Reader
		wantStatus int
	}{
		{"small body through BindJSON", "/bind", strings.NewReader(`{"sku":"A","quantity":1}`), http.StatusOK},
		{"declared too large", "/bind", strings.NewReader(big), http.StatusRequestEntityTooLarge},
		// No Content-Length: only reading crosses the limit.
		{"streamed too large through BindJSON", "/bind", io.MultiReader(strings.NewReader(big)), http.StatusRequestEntityTooLarge},
		{"streamed too large through io.ReadAll", "/raw", io.MultiReader(strings.NewReader(big)), http.StatusRequestEntityTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, _ := newServer(t, httpserver.Config{BodyLimit: limit})
			srv.Router().POST("/bind", httpserver.Handle(func(c *gin.Context) error {
				var in bindTarget
				if err := httpserver.BindJSON(c, &in); err != nil {
					return err
				}
				c.Status(http.StatusOK)
				return nil
			}))
			srv.Router().POST("/raw", httpserver.Handle(func(c *gin.Context) error {
				if _, err := io.ReadAll(c.Request.Body); err != nil {
					return fmt.Errorf("read upload: %w", err)
				}
				c.Status(http.StatusOK)
				return nil
			}))

			rec := do(t, srv.Handler(), http.MethodPost, tt.path, tt.body)

			if rec.Code != tt.wantStatus {
				t.Fatalf("status = %d, want %d; body %s", rec.Code, tt.wantStatus, rec.Body)
			}
			if tt.wantStatus == http.StatusOK {
				return
			}
			body := decodeError(t, rec)
			if got, want := body.Error.Code, "BODY_TOO_LARGE"; got != want {
				t.Errorf("code = %q, want %q", got, want)
			}
			if got, want := body.Error.Details["limit_bytes"], float64(limit); got != want {
				t.Errorf("details.limit_bytes = %v, want %v", got, want)
			}
		})
	}
}

func TestDefaultBodyLimitIs1MiB(t *testing.T) {
	srv, _ := newServer(t, httpserver.Config{})
	srv.Router().POST("/raw", httpserver.Handle(func(c *gin.Context) error {
		if _, err := io.ReadAll(c.Request.Body); err != nil {
			return err
		}
		c.Status(http.StatusOK)
		return nil
	}))
	tests := []struct {
		size       int
		wantStatus int
	}{
		{1 << 20, http.StatusOK},
		{1<<20 + 1, http.StatusRequestEntityTooLarge},
	}
	for _, tt := range tests {
		rec := do(t, srv.Handler(), http.MethodPost, "/raw", strings.NewReader(strings.Repeat("x", tt.size)))
		if rec.Code != tt.wantStatus {
			t.Errorf("%d bytes: status = %d, want %d", tt.size, rec.Code, tt.wantStatus)
		}
	}
}
