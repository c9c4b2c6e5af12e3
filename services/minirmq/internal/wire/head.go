package wire

import (
	"bytes"
	"net/netip"
)

// Head is what the broker's journal needs of a message it delivers, read
// in place from the encoded bytes: no body copy and no property map, so a
// message without the property asked for costs no allocation.
type Head struct {
	QueueOffset     int64
	CommitLogOffset int64
	ReconsumeTimes  int32
	StoreHost       netip.AddrPort
	props           []byte // aliases the encoded message
}

// ReadHead reads the head of the first message in b.
func ReadHead(b []byte) (Head, error) {
	r := reader{b: b}
	r.next(posQueueOffset)
	var h Head
	h.QueueOffset = r.i64()
	h.CommitLogOffset = r.i64()
	sysFlag := r.i32()
	r.i64() // born timestamp
	r.host(sysFlag&SysFlagBornHostV6 != 0)
	r.i64() // store timestamp
	h.StoreHost = r.host(sysFlag&SysFlagStoreHostV6 != 0)
	h.ReconsumeTimes = r.i32()
	r.i64() // prepared transaction offset
	r.next(int(r.i32()))
	r.next(int(r.u8()))
	h.props = r.next(int(r.u16()))
	return h, r.err
}

// Property returns a property's value, "" when the message has none. Like
// ParseProperties, a pair that does not split in two is skipped and the
// last of repeated names wins.
func (h Head) Property(name string) string {
	var val []byte
	found := false
	for rest := h.props; len(rest) > 0; {
		pair := rest
		if i := bytes.IndexByte(rest, propertySeparator); i >= 0 {
			pair, rest = rest[:i], rest[i+1:]
		} else {
			rest = nil
		}
		i := bytes.IndexByte(pair, nameValueSeparator)
		if i < 0 || bytes.IndexByte(pair[i+1:], nameValueSeparator) >= 0 || string(pair[:i]) != name {
			continue
		}
		val, found = pair[i+1:], true
	}
	if !found {
		return ""
	}
	return string(val)
}
