// Package svcclient calls another RocketMart service's JSON API. It turns
// the shared error shape back into apperr errors, so a 409 from inventory is
// a Conflict with the same code and details in the caller, and it reports a
// service that cannot be reached, answers 5xx or times out as Unavailable.
package svcclient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/rocketmart/rocketmart/services/platform/apperr"
	"github.com/rocketmart/rocketmart/services/platform/httpserver"
	"github.com/rocketmart/rocketmart/services/platform/tracing"
)

// DefaultTimeout bounds one call when the caller's context has no earlier
// deadline.
const DefaultTimeout = 5 * time.Second

// DefaultMaxResponse bounds a response body; RocketMart's answers are small,
// except the admin lists the audit reads (WithMaxResponse).
const DefaultMaxResponse = 4 << 20

// Client calls one service.
type Client struct {
	base        string
	adminToken  string
	http        *http.Client
	maxResponse int64
}

// New returns a client for the service at baseURL ("http://127.0.0.1:8083").
// Each call has a client span and sends the W3C traceparent when the
// program turned tracing on (tracing.Transport).
// adminToken, when set, is sent with every call. timeout bounds each call; 0
// means DefaultTimeout.
func New(baseURL, adminToken string, timeout time.Duration) *Client {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	return &Client{
		base:        strings.TrimRight(baseURL, "/"),
		adminToken:  adminToken,
		http:        &http.Client{Timeout: timeout, Transport: tracing.Transport(transport())},
		maxResponse: DefaultMaxResponse,
	}
}

// maxIdlePerHost is how many idle connections a client keeps to its
// service. Calls come in bursts, one per request in flight; with
// http.DefaultTransport's 2, every call beyond two in a burst opened a
// connection and closed it afterwards (issue 14: order's connect calls in
// its CPU profile under make bench).
const maxIdlePerHost = 64

// transport is http.DefaultTransport keeping maxIdlePerHost connections.
func transport() *http.Transport {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = maxIdlePerHost
	return tr
}

// WithMaxResponse returns a copy of c that accepts answers of up to n bytes
// (DefaultMaxResponse otherwise): the audit reads every order, charge and
// shipment in one answer each.
func (c *Client) WithMaxResponse(n int64) *Client {
	out := *c
	out.maxResponse = n
	return &out
}

// BaseURL returns the service address the client calls.
func (c *Client) BaseURL() string { return c.base }

// Call sends in (nil for no body) as JSON to method path and decodes a 2xx
// answer into out (nil to discard). userID, when set, goes in X-User-ID.
// Errors are *apperr.Error: the callee's own kind, code and details for a
// 4xx, Unavailable for transport failures, timeouts and 5xx.
func (c *Client) Call(ctx context.Context, method, path, userID string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("svcclient: encode %s %s: %w", method, path, err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return fmt.Errorf("svcclient: build %s %s: %w", method, path, err)
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	if c.adminToken != "" {
		req.Header.Set(httpserver.HeaderAdminToken, c.adminToken)
	}
	if userID != "" {
		req.Header.Set(httpserver.HeaderUserID, userID)
	}
	if id := httpserver.RequestID(ctx); id != "" {
		req.Header.Set(httpserver.HeaderRequestID, id)
	}

	resp, err := c.http.Do(req)
	if err != nil {
		return apperr.Wrap(apperr.Unavailable, apperr.CodeDependencyUnavailable,
			"a service this request needs did not answer", fmt.Errorf("%s %s%s: %w", method, c.base, path, err))
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, c.maxResponse+1))
	if err != nil {
		return apperr.Wrap(apperr.Unavailable, apperr.CodeDependencyUnavailable,
			"a service this request needs did not answer", fmt.Errorf("%s %s%s: read: %w", method, c.base, path, err))
	}
	if int64(len(raw)) > c.maxResponse {
		// Cut off, the JSON would only fail to decode with an unhelpful EOF.
		return fmt.Errorf("svcclient: the answer of %s %s%s is larger than %d bytes", method, c.base, path, c.maxResponse)
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		if out == nil || len(raw) == 0 {
			return nil
		}
		if err := json.Unmarshal(raw, out); err != nil {
			return fmt.Errorf("svcclient: decode %s %s answer: %w", method, path, err)
		}
		return nil
	}
	return statusError(method, c.base+path, resp.StatusCode, raw)
}

// errorBody mirrors the shared error shape.
type errorBody struct {
	Error struct {
		Code    string         `json:"code"`
		Message string         `json:"message"`
		Details map[string]any `json:"details"`
	} `json:"error"`
}

// statusError rebuilds the callee's error. 5xx and anything without the
// shared shape count as Unavailable: the caller may retry, the client did
// nothing wrong.
func statusError(method, url string, status int, raw []byte) error {
	cause := fmt.Errorf("%s %s: status %d: %.200s", method, url, status, raw)
	var eb errorBody
	if status >= 500 || json.Unmarshal(raw, &eb) != nil || eb.Error.Code == "" {
		return apperr.Wrap(apperr.Unavailable, apperr.CodeDependencyUnavailable,
			"a service this request needs failed", cause)
	}
	kind, ok := apperr.KindForStatus(status)
	if !ok {
		kind = apperr.Invalid // some other 4xx: still the caller's request, not an outage
	}
	e := apperr.Wrap(kind, eb.Error.Code, eb.Error.Message, cause)
	e.Details = eb.Error.Details
	return e
}

// IsUnavailable reports whether err means the callee could not be reached or
// did not answer in time: the outcome of the call is unknown.
func IsUnavailable(err error) bool {
	e, ok := apperr.As(err)
	return ok && e.Kind == apperr.Unavailable || errors.Is(err, context.DeadlineExceeded)
}
