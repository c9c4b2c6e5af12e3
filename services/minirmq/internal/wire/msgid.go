package wire

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"net/netip"
	"sort"
	"strings"
)

// OffsetMsgID is the broker-assigned message id: uppercase hex of the store
// host's IPv4 address, port and commit-log offset (32 characters).
func OffsetMsgID(store netip.AddrPort, commitLogOffset int64) string {
	var b [16]byte
	ip := store.Addr().As4()
	copy(b[0:4], ip[:])
	binary.BigEndian.PutUint32(b[4:8], uint32(store.Port()))
	binary.BigEndian.PutUint64(b[8:16], uint64(commitLogOffset))
	return strings.ToUpper(hex.EncodeToString(b[:]))
}

// ParseOffsetMsgID decodes an id made by OffsetMsgID.
func ParseOffsetMsgID(id string) (netip.AddrPort, int64, error) {
	if len(id) != 32 {
		return netip.AddrPort{}, 0, fmt.Errorf("offset message id %q: want 32 hex characters", id)
	}
	b, err := hex.DecodeString(id)
	if err != nil {
		return netip.AddrPort{}, 0, fmt.Errorf("offset message id %q: %w", id, err)
	}
	addr := netip.AddrFrom4([4]byte(b[0:4]))
	port := binary.BigEndian.Uint32(b[4:8])
	if port > 65535 {
		return netip.AddrPort{}, 0, fmt.Errorf("offset message id %q: port %d out of range", id, port)
	}
	return netip.AddrPortFrom(addr, uint16(port)), int64(binary.BigEndian.Uint64(b[8:16])), nil
}

func sortStrings(s []string) { sort.Strings(s) }
