// Package remoting implements the RocketMQ 4.x remoting frame: a length-prefixed
// frame holding a header and an opaque body. The header is JSON (what
// rocketmq-client-go v2.1.2 and the Java client send by default) or the
// ROCKETMQ binary layout (Java's RocketMQSerializable); a response is written
// in the serialization of its request, as Apache's broker does.
package remoting

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
)

// Flag bits of a command.
const (
	FlagResponse = 1 << 0
	FlagOneway   = 1 << 1
)

// Serialization is the header encoding, carried in the high byte of the
// header-length word.
type Serialization byte

// The two serializations RocketMQ 4.x defines (Java SerializeType).
const (
	SerializeJSON     Serialization = 0
	SerializeRocketMQ Serialization = 1
)

func (s Serialization) String() string {
	switch s {
	case SerializeJSON:
		return "JSON"
	case SerializeRocketMQ:
		return "ROCKETMQ"
	}
	return fmt.Sprintf("serialization(%d)", byte(s))
}

// LanguageGo is what minirmq reports as its language; the client ignores it.
const LanguageGo = "GO"

// Version is the protocol version minirmq answers with (Apache RocketMQ 4.9.4).
const Version = 401

// Command is one remoting request or response.
type Command struct {
	Code      int16
	Language  string
	Version   int16
	Opaque    int32
	Flag      int32
	Remark    string
	ExtFields map[string]string
	Body      []byte
	// Serialization is the header encoding the command arrived in, and the
	// one Encode writes. Responses inherit their request's.
	Serialization Serialization
}

// IsResponse reports whether the command answers an earlier request.
func (c *Command) IsResponse() bool { return c.Flag&FlagResponse != 0 }

// Ext returns an extension field, or "" when absent.
func (c *Command) Ext(key string) string { return c.ExtFields[key] }

// NewResponse builds the response to req with the given code and remark.
func NewResponse(req *Command, code int16, remark string) *Command {
	return &Command{
		Code:      code,
		Language:  LanguageGo,
		Version:   Version,
		Opaque:    req.Opaque,
		Flag:      FlagResponse,
		Remark:    remark,
		ExtFields: map[string]string{},
		// Apache answers in the serialization of the request
		// (NettyRemotingAbstract.processRequestCommand).
		Serialization: req.Serialization,
	}
}

// NewRequest builds a server-to-client request. It is JSON-serialized, the
// default of Apache's broker (rocketmq.serialize.type unset).
func NewRequest(code int16, oneway bool, ext map[string]string, body []byte) *Command {
	flag := int32(0)
	if oneway {
		flag = FlagOneway
	}
	if ext == nil {
		ext = map[string]string{}
	}
	return &Command{Code: code, Language: LanguageGo, Version: Version, Flag: flag, ExtFields: ext, Body: body}
}

// Errors returned by ReadCommand. Any of them means the connection cannot be
// trusted any more and should be closed.
var (
	ErrFrameTooLarge = errors.New("remoting: frame too large")
	ErrBadFrame      = errors.New("remoting: malformed frame")
)

// minimum frame: the 4-byte serialization/header-length word.
const minFrameLength = 4

// ReadCommand reads one frame from r. maxFrame bounds the frame length so a
// hostile length prefix cannot make the server allocate gigabytes.
func ReadCommand(r io.Reader, maxFrame int) (*Command, error) {
	var lenBuf [4]byte
	if _, err := io.ReadFull(r, lenBuf[:]); err != nil {
		return nil, err
	}
	frameLen := int64(binary.BigEndian.Uint32(lenBuf[:]))
	if frameLen < minFrameLength {
		return nil, fmt.Errorf("%w: frame length %d", ErrBadFrame, frameLen)
	}
	if frameLen > int64(maxFrame) {
		return nil, fmt.Errorf("%w: %d bytes (limit %d)", ErrFrameTooLarge, frameLen, maxFrame)
	}
	frame := make([]byte, frameLen)
	if _, err := io.ReadFull(r, frame); err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	return DecodeFrame(frame)
}

// DecodeFrame decodes a frame without its 4-byte length prefix.
func DecodeFrame(frame []byte) (*Command, error) {
	if len(frame) < minFrameLength {
		return nil, fmt.Errorf("%w: %d bytes", ErrBadFrame, len(frame))
	}
	word := binary.BigEndian.Uint32(frame[:4])
	serialization := byte(word >> 24)
	headerLen := int(word & 0xFFFFFF)
	if headerLen > len(frame)-4 {
		return nil, fmt.Errorf("%w: header length %d exceeds frame", ErrBadFrame, headerLen)
	}
	header := frame[4 : 4+headerLen]
	var cmd *Command
	var err error
	switch Serialization(serialization) {
	case SerializeJSON:
		cmd, err = decodeJSONHeader(header)
	case SerializeRocketMQ:
		cmd, err = decodeBinaryHeader(header)
	default:
		err = fmt.Errorf("%w: unknown serialization type %d", ErrBadFrame, serialization)
	}
	if err != nil {
		return nil, err
	}
	cmd.Serialization = Serialization(serialization)
	if body := frame[4+headerLen:]; len(body) > 0 {
		cmd.Body = body
	}
	return cmd, nil
}

// jsonHeader is lenient on input: numbers may arrive as any JSON number and
// extension values as strings, numbers or booleans.
type jsonHeader struct {
	Code      json.Number                `json:"code"`
	Language  string                     `json:"language"`
	Version   json.Number                `json:"version"`
	Opaque    json.Number                `json:"opaque"`
	Flag      json.Number                `json:"flag"`
	Remark    *string                    `json:"remark"`
	ExtFields map[string]json.RawMessage `json:"extFields"`
}

// decodeJSONHeaderStd decodes a JSON header with encoding/json: the
// reference for scanJSONHeader, and the path for headers it gives up on.
func decodeJSONHeaderStd(b []byte) (*Command, error) {
	var h jsonHeader
	if err := json.Unmarshal(b, &h); err != nil {
		return nil, fmt.Errorf("%w: header is not valid JSON: %v", ErrBadFrame, err)
	}
	code, err := intField("code", h.Code, math.MinInt16, math.MaxInt16)
	if err != nil {
		return nil, err
	}
	version, err := intField("version", h.Version, math.MinInt16, math.MaxInt16)
	if err != nil {
		return nil, err
	}
	opaque, err := intField("opaque", h.Opaque, math.MinInt32, math.MaxInt32)
	if err != nil {
		return nil, err
	}
	flag, err := intField("flag", h.Flag, math.MinInt32, math.MaxInt32)
	if err != nil {
		return nil, err
	}
	cmd := &Command{
		Code:      int16(code),
		Language:  h.Language,
		Version:   int16(version),
		Opaque:    int32(opaque),
		Flag:      int32(flag),
		ExtFields: make(map[string]string, len(h.ExtFields)),
	}
	if h.Remark != nil {
		cmd.Remark = *h.Remark
	}
	for k, raw := range h.ExtFields {
		v, err := extValue(raw)
		if err != nil {
			return nil, fmt.Errorf("%w: extFields[%q]: %v", ErrBadFrame, k, err)
		}
		cmd.ExtFields[k] = v
	}
	return cmd, nil
}

func intField(name string, n json.Number, lo, hi int64) (int64, error) {
	if n == "" {
		return 0, nil
	}
	v, err := strconv.ParseInt(string(n), 10, 64)
	if err != nil || v < lo || v > hi {
		return 0, fmt.Errorf("%w: %s %q is not an integer in [%d, %d]", ErrBadFrame, name, n, lo, hi)
	}
	return v, nil
}

func extValue(raw json.RawMessage) (string, error) {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return "", err
	}
	switch t := v.(type) {
	case string:
		return t, nil
	case nil:
		return "", nil
	case bool, float64:
		// Accept what Java clients sometimes send; store the JSON text.
		return string(raw), nil
	default:
		return "", fmt.Errorf("value must be a string, got %s", raw)
	}
}

// Encode returns the complete frame for cmd, length prefix included, with
// the header in cmd.Serialization. The frame is allocated once and written
// to the connection in one piece.
func Encode(cmd *Command) ([]byte, error) {
	var frame []byte
	switch cmd.Serialization {
	case SerializeJSON:
		frame = appendJSONHeader(make([]byte, 8, 8+jsonHeaderSize(cmd)+len(cmd.Body)), cmd)
	case SerializeRocketMQ:
		header, err := encodeBinaryHeader(cmd)
		if err != nil {
			return nil, fmt.Errorf("remoting: encode header: %w", err)
		}
		frame = append(make([]byte, 8, 8+len(header)+len(cmd.Body)), header...)
	default:
		return nil, fmt.Errorf("remoting: encode header: unknown serialization %d", cmd.Serialization)
	}
	headerLen := len(frame) - 8
	if headerLen > 0xFFFFFF {
		return nil, fmt.Errorf("remoting: header of %d bytes is too large", headerLen)
	}
	frame = append(frame, cmd.Body...)
	binary.BigEndian.PutUint32(frame[0:4], uint32(len(frame)-4))
	binary.BigEndian.PutUint32(frame[4:8], uint32(cmd.Serialization)<<24|uint32(headerLen))
	return frame, nil
}
