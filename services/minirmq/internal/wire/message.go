package wire

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"net/netip"
)

// Message sysFlag bits (MessageSysFlag).
const (
	SysFlagCompressed          int32 = 0x1
	SysFlagMultiTags           int32 = 0x2
	SysFlagTransactionPrepared int32 = 0x4
	SysFlagTransactionCommit   int32 = 0x8
	SysFlagTransactionRollback int32 = 0xC
	SysFlagBornHostV6          int32 = 0x10
	SysFlagStoreHostV6         int32 = 0x20

	sysFlagTransactionMask int32 = 0xC
)

// TransactionType returns the transaction bits of a sysFlag.
func TransactionType(sysFlag int32) int32 { return sysFlag & sysFlagTransactionMask }

// WithTransactionType replaces the transaction bits of a sysFlag.
func WithTransactionType(sysFlag, typ int32) int32 {
	return sysFlag&^sysFlagTransactionMask | typ
}

// magicCode is what Apache RocketMQ writes into every stored message.
const magicCode uint32 = 0xDAA320A7

// Limits of the binary layout.
const (
	MaxTopicLength      = 255 // one length byte
	MaxPropertiesLength = math.MaxInt16
)

// Fixed positions in an encoded message.
const (
	posQueueID         = 12
	posQueueOffset     = 20
	posCommitLogOffset = 28
	posSysFlag         = 36
	posBornHost        = 48
)

// Message is a stored message in its decoded form.
type Message struct {
	Topic                     string
	QueueID                   int32
	Flag                      int32
	QueueOffset               int64
	CommitLogOffset           int64
	SysFlag                   int32
	BornTimestamp             int64
	BornHost                  netip.AddrPort
	StoreTimestamp            int64
	StoreHost                 netip.AddrPort
	ReconsumeTimes            int32
	PreparedTransactionOffset int64
	Body                      []byte
	Properties                Properties
}

// ErrMalformed is returned for bytes that are not a well-formed message.
var ErrMalformed = errors.New("wire: malformed message")

func hostLen(a netip.AddrPort) int {
	if a.Addr().Is4() || a.Addr().Is4In6() || !a.IsValid() {
		return 8
	}
	return 20
}

// Encode returns the message in the 4.x binary layout. It sets the host
// version bits of SysFlag from the addresses and computes the body CRC.
func (m *Message) Encode() ([]byte, error) {
	if len(m.Topic) == 0 || len(m.Topic) > MaxTopicLength {
		return nil, &EncodeError{fmt.Errorf("topic length %d out of range 1..%d", len(m.Topic), MaxTopicLength)}
	}
	props := m.Properties.String()
	if len(props) > MaxPropertiesLength {
		return nil, &EncodeError{fmt.Errorf("properties of %d bytes exceed %d", len(props), MaxPropertiesLength)}
	}
	sysFlag := m.SysFlag &^ (SysFlagBornHostV6 | SysFlagStoreHostV6)
	if hostLen(m.BornHost) == 20 {
		sysFlag |= SysFlagBornHostV6
	}
	if hostLen(m.StoreHost) == 20 {
		sysFlag |= SysFlagStoreHostV6
	}
	size := 4 + 4 + 4 + 4 + 4 + 8 + 8 + 4 + 8 + hostLen(m.BornHost) + 8 + hostLen(m.StoreHost) +
		4 + 8 + 4 + len(m.Body) + 1 + len(m.Topic) + 2 + len(props)
	b := make([]byte, 0, size)
	b = binary.BigEndian.AppendUint32(b, uint32(size))
	b = binary.BigEndian.AppendUint32(b, magicCode)
	b = binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(m.Body))
	b = binary.BigEndian.AppendUint32(b, uint32(m.QueueID))
	b = binary.BigEndian.AppendUint32(b, uint32(m.Flag))
	b = binary.BigEndian.AppendUint64(b, uint64(m.QueueOffset))
	b = binary.BigEndian.AppendUint64(b, uint64(m.CommitLogOffset))
	b = binary.BigEndian.AppendUint32(b, uint32(sysFlag))
	b = binary.BigEndian.AppendUint64(b, uint64(m.BornTimestamp))
	b = appendHost(b, m.BornHost)
	b = binary.BigEndian.AppendUint64(b, uint64(m.StoreTimestamp))
	b = appendHost(b, m.StoreHost)
	b = binary.BigEndian.AppendUint32(b, uint32(m.ReconsumeTimes))
	b = binary.BigEndian.AppendUint64(b, uint64(m.PreparedTransactionOffset))
	b = binary.BigEndian.AppendUint32(b, uint32(len(m.Body)))
	b = append(b, m.Body...)
	b = append(b, byte(len(m.Topic)))
	b = append(b, m.Topic...)
	b = binary.BigEndian.AppendUint16(b, uint16(len(props)))
	b = append(b, props...)
	return b, nil
}

func appendHost(b []byte, a netip.AddrPort) []byte {
	if hostLen(a) == 20 {
		ip := a.Addr().As16()
		b = append(b, ip[:]...)
	} else {
		var ip [4]byte
		if a.IsValid() {
			ip = a.Addr().Unmap().As4()
		}
		b = append(b, ip[:]...)
	}
	return binary.BigEndian.AppendUint32(b, uint32(a.Port()))
}

// reader walks an encoded message with bounds checks.
type reader struct {
	b   []byte
	pos int
	err error
}

func (r *reader) next(n int) []byte {
	if r.err != nil {
		return nil
	}
	if n < 0 || r.pos+n > len(r.b) {
		r.err = fmt.Errorf("%w: need %d bytes at %d, have %d", ErrMalformed, n, r.pos, len(r.b))
		return nil
	}
	s := r.b[r.pos : r.pos+n]
	r.pos += n
	return s
}

func (r *reader) u8() byte {
	if s := r.next(1); s != nil {
		return s[0]
	}
	return 0
}

func (r *reader) u16() uint16 {
	if s := r.next(2); s != nil {
		return binary.BigEndian.Uint16(s)
	}
	return 0
}

func (r *reader) i32() int32 {
	if s := r.next(4); s != nil {
		return int32(binary.BigEndian.Uint32(s))
	}
	return 0
}

func (r *reader) i64() int64 {
	if s := r.next(8); s != nil {
		return int64(binary.BigEndian.Uint64(s))
	}
	return 0
}

func (r *reader) host(v6 bool) netip.AddrPort {
	n := 4
	if v6 {
		n = 16
	}
	ip := r.next(n)
	port := r.i32()
	if r.err != nil {
		return netip.AddrPort{}
	}
	addr, _ := netip.AddrFromSlice(ip)
	return netip.AddrPortFrom(addr, uint16(port))
}

// Decode decodes the first message in b and returns it with its encoded size.
// Body and topic alias b.
func Decode(b []byte) (*Message, int, error) {
	r := &reader{b: b}
	size := r.i32()
	r.i32() // magic code
	r.i32() // body CRC
	m := &Message{}
	m.QueueID = r.i32()
	m.Flag = r.i32()
	m.QueueOffset = r.i64()
	m.CommitLogOffset = r.i64()
	m.SysFlag = r.i32()
	m.BornTimestamp = r.i64()
	m.BornHost = r.host(m.SysFlag&SysFlagBornHostV6 != 0)
	m.StoreTimestamp = r.i64()
	m.StoreHost = r.host(m.SysFlag&SysFlagStoreHostV6 != 0)
	m.ReconsumeTimes = r.i32()
	m.PreparedTransactionOffset = r.i64()
	m.Body = r.next(int(r.i32()))
	m.Topic = string(r.next(int(r.u8())))
	m.Properties = ParseProperties(string(r.next(int(r.u16()))))
	if r.err != nil {
		return nil, 0, r.err
	}
	if int(size) != r.pos {
		return nil, 0, fmt.Errorf("%w: store size %d but fields span %d bytes", ErrMalformed, size, r.pos)
	}
	if m.Topic == "" {
		return nil, 0, fmt.Errorf("%w: empty topic", ErrMalformed)
	}
	return m, r.pos, nil
}

// Meta holds the fields of an encoded message that index it.
type Meta struct {
	Topic          string
	QueueID        int32
	QueueOffset    int64
	StoreTimestamp int64
}

// ReadMeta returns the index fields of an encoded message, validating the whole record.
func ReadMeta(b []byte) (Meta, error) {
	m, _, err := Decode(b)
	if err != nil {
		return Meta{}, err
	}
	return Meta{Topic: m.Topic, QueueID: m.QueueID, QueueOffset: m.QueueOffset, StoreTimestamp: m.StoreTimestamp}, nil
}

// Stamp writes the offsets and store time assigned at append time into an
// encoded message, in place.
func Stamp(b []byte, commitLogOffset, queueOffset, storeTimestamp int64) {
	binary.BigEndian.PutUint64(b[posQueueOffset:], uint64(queueOffset))
	binary.BigEndian.PutUint64(b[posCommitLogOffset:], uint64(commitLogOffset))
	sysFlag := int32(binary.BigEndian.Uint32(b[posSysFlag:]))
	pos := posBornHost + 8
	if sysFlag&SysFlagBornHostV6 != 0 {
		pos = posBornHost + 20
	}
	binary.BigEndian.PutUint64(b[pos:], uint64(storeTimestamp))
}

// EncodeError reports a message that cannot be stored as given (a client
// mistake, not a broker failure).
type EncodeError struct{ Err error }

func (e *EncodeError) Error() string { return e.Err.Error() }
func (e *EncodeError) Unwrap() error { return e.Err }
