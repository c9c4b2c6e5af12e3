package shipping

import (
	"fmt"
	"strings"

	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/platform/apperr"
)

// Limits. They match the column sizes of the store, so anything that passes
// validation fits and a stored shipment never fails on length.
const (
	MaxOrderNoLen    = 64
	MaxTrackingNoLen = 64
	MaxCarrierLen    = 32
	MaxUserIDLen     = 64
	MaxSKULen        = 64
	MaxTextLen       = 200 // product names and address fields, as the order service allows
	MaxEventIDLen    = 128 // the inbox's key size
	MaxLines         = 100
)

// DefaultCarrier ships parcels whose ship request names none.
const DefaultCarrier = "RocketPost"

// isIdent reports whether s is 1..max characters of [A-Za-z0-9-]: order and
// tracking numbers appear in URLs and message keys, where nothing must need
// escaping.
func isIdent(s string, max int) bool {
	if s == "" || len(s) > max {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}

// ValidateOrderNo accepts 1..64 characters of A-Z, a-z, 0-9 and '-'.
func ValidateOrderNo(orderNo string) error {
	if !isIdent(orderNo, MaxOrderNoLen) {
		return apperr.New(apperr.Invalid, CodeInvalidOrderNo,
			fmt.Sprintf("orderNo must be 1 to %d characters of A-Z, a-z, 0-9 and '-'", MaxOrderNoLen)).
			With("field", "orderNo")
	}
	return nil
}

// ShipRequest says how a shipment leaves the warehouse. Both fields are
// optional: the carrier defaults to DefaultCarrier and a tracking number is
// generated when none is given.
type ShipRequest struct {
	Carrier    string
	TrackingNo string
}

// validate checks the fields that were given.
func (r ShipRequest) validate() error {
	if r.Carrier != "" && !validCarrier(r.Carrier) {
		return apperr.New(apperr.Invalid, CodeInvalidCarrier,
			fmt.Sprintf("carrier must be 1 to %d characters of letters, digits, spaces, '-' and '.', starting with a letter or digit", MaxCarrierLen)).
			With("field", "carrier")
	}
	if r.TrackingNo != "" && !isIdent(r.TrackingNo, MaxTrackingNoLen) {
		return apperr.New(apperr.Invalid, CodeInvalidTrackingNo,
			fmt.Sprintf("trackingNo must be 1 to %d characters of A-Z, a-z, 0-9 and '-'", MaxTrackingNoLen)).
			With("field", "trackingNo")
	}
	return nil
}

func validCarrier(s string) bool {
	if len(s) > MaxCarrierLen || strings.TrimSpace(s) != s {
		return false
	}
	for i, r := range s {
		alnum := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
		if !alnum && (i == 0 || (r != ' ' && r != '-' && r != '.')) {
			return false
		}
	}
	return true
}

// validateOrderPaid checks what contracts.Decode leaves to consumers: that
// every field fits the shipment's columns and the order number has the
// shape the HTTP API accepts. An event failing here can never be stored, so
// the consumer treats it as poison rather than retrying it into the
// dead-letter queue.
func validateOrderPaid(ev contracts.OrderPaid) error {
	bad := func(format string, args ...any) error {
		return apperr.New(apperr.Invalid, CodeInvalidEvent, "ORDER_PAID event: "+fmt.Sprintf(format, args...))
	}
	switch {
	case len(ev.EventID) > MaxEventIDLen:
		return bad("eventId is longer than %d characters", MaxEventIDLen)
	case !isIdent(ev.OrderNo, MaxOrderNoLen):
		return bad("orderNo %q is not 1 to %d characters of A-Z, a-z, 0-9 and '-'", truncate(ev.OrderNo, MaxOrderNoLen+1), MaxOrderNoLen)
	case len(ev.UserID) > MaxUserIDLen:
		return bad("userId is longer than %d characters", MaxUserIDLen)
	case len(ev.Lines) > MaxLines:
		return bad("%d lines, at most %d", len(ev.Lines), MaxLines)
	}
	for i, l := range ev.Lines {
		if len(l.SKU) > MaxSKULen || len(l.Name) > MaxTextLen {
			return bad("line %d: sku longer than %d or name longer than %d characters", i, MaxSKULen, MaxTextLen)
		}
	}
	a := ev.Address
	for _, f := range []struct{ name, value string }{
		{"name", a.Name}, {"line1", a.Line1}, {"line2", a.Line2}, {"city", a.City},
		{"postalCode", a.PostalCode}, {"country", a.Country}, {"phone", a.Phone},
	} {
		if len(f.value) > MaxTextLen {
			return bad("address.%s is longer than %d characters", f.name, MaxTextLen)
		}
	}
	return nil
}

// truncate cuts s to at most n bytes, so a hostile value cannot flood an
// error message or a log line.
func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
