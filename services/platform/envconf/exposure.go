package envconf

import (
	"fmt"
	"net"
	"strings"
)

// DefaultAdminToken is the admin token every RocketMart program defaults to
// (ADMIN_TOKEN). It is printed in the README, so it protects nothing beyond
// one machine: Exposure refuses it on any other address.
const DefaultAdminToken = "rocketmart-admin"

// Loopback reports whether the listen address addr ([HOST]:PORT) accepts
// connections from this machine only: a loopback IP or "localhost". An
// empty host (every interface), 0.0.0.0, [::], another IP or a host name
// that could resolve anywhere is not.
func Loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Exposure refuses to listen beyond this machine while the admin token is
// the public default: anyone who can reach the address could then use the
// admin endpoints (faults, reset, refunds' audit views). addrVar names the
// setting that holds addr (ORDER_ADDR, -listen …), tokenVar the token's.
// A malformed address is left to ListenAddr's error.
func Exposure(addrVar, addr, tokenVar, token string) error {
	if token != DefaultAdminToken || Loopback(addr) {
		return nil
	}
	if ListenAddr(addrVar, addr) != nil {
		return nil
	}
	return fmt.Errorf("%s=%q listens beyond this machine while %s is the public default %q: "+
		"set %s to a secret of your own, or listen on 127.0.0.1", addrVar, addr, tokenVar, DefaultAdminToken, tokenVar)
}
