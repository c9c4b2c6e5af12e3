package remoting

import (
	"encoding/binary"
	"fmt"
	"math"
	"slices"
)

// The ROCKETMQ binary header (Java RocketMQSerializable, reference §1.3),
// all integers big-endian:
//
//	code int16 | language byte | version int16 | opaque int32 | flag int32 |
//	remark length int32 | remark | extFields length int32 | extFields
//
// extFields is a run of entries: key length int16 | key | value length
// int32 | value. A length of 0 stands for an absent (Java null) string.

// binaryFixedLen is the header size with no remark and no extFields.
const binaryFixedLen = 2 + 1 + 2 + 4 + 4 + 4 + 4

// languages maps Java's LanguageCode bytes to their names.
var languages = []string{
	0: "JAVA", 1: "CPP", 2: "DOTNET", 3: "PYTHON", 4: "DELPHI", 5: "ERLANG", 6: "RUBY",
	7: "OTHER", 8: "HTTP", 9: "GO", 10: "PHP", 11: "OMS", 12: "RUST",
}

func languageName(code byte) string {
	if int(code) < len(languages) {
		return languages[code]
	}
	return fmt.Sprintf("LANGUAGE_%d", code)
}

// languageCode is the byte for a language name; a name Java does not know
// is sent as OTHER.
func languageCode(name string) byte {
	if i := slices.Index(languages, name); i >= 0 {
		return byte(i)
	}
	var n byte
	if _, err := fmt.Sscanf(name, "LANGUAGE_%d", &n); err == nil {
		return n
	}
	return 7
}

// binReader reads big-endian fields and remembers the first overrun.
type binReader struct {
	b   []byte
	pos int
	err error
}

func (r *binReader) take(n int, what string) []byte {
	if r.err != nil {
		return nil
	}
	if n < 0 || n > len(r.b)-r.pos {
		r.err = fmt.Errorf("%w: ROCKETMQ header: %s needs %d bytes at offset %d, header has %d", ErrBadFrame, what, n, r.pos, len(r.b))
		return nil
	}
	p := r.b[r.pos : r.pos+n]
	r.pos += n
	return p
}

func (r *binReader) u8(what string) byte {
	if p := r.take(1, what); p != nil {
		return p[0]
	}
	return 0
}

func (r *binReader) i16(what string) int16 {
	if p := r.take(2, what); p != nil {
		return int16(binary.BigEndian.Uint16(p))
	}
	return 0
}

func (r *binReader) i32(what string) int32 {
	if p := r.take(4, what); p != nil {
		return int32(binary.BigEndian.Uint32(p))
	}
	return 0
}

// str reads a string of the given length; a negative length is malformed.
func (r *binReader) str(n int, what string) string {
	if r.err == nil && n < 0 {
		r.err = fmt.Errorf("%w: ROCKETMQ header: %s has negative length %d", ErrBadFrame, what, n)
	}
	return string(r.take(n, what))
}

func decodeBinaryHeader(b []byte) (*Command, error) {
	r := &binReader{b: b}
	cmd := &Command{
		Code:     r.i16("code"),
		Language: languageName(r.u8("language")),
		Version:  r.i16("version"),
		Opaque:   r.i32("opaque"),
		Flag:     r.i32("flag"),
	}
	cmd.Remark = r.str(int(r.i32("remark length")), "remark")
	extLen := int(r.i32("extFields length"))
	if r.err == nil && extLen < 0 {
		return nil, fmt.Errorf("%w: ROCKETMQ header: extFields length %d is negative", ErrBadFrame, extLen)
	}
	ext := r.take(extLen, "extFields")
	if r.err != nil {
		return nil, r.err
	}
	if r.pos != len(b) {
		// Java would read the extra bytes as the start of the body.
		return nil, fmt.Errorf("%w: ROCKETMQ header: %d bytes left after the extFields", ErrBadFrame, len(b)-r.pos)
	}
	cmd.ExtFields = map[string]string{}
	er := &binReader{b: ext}
	for er.pos < len(ext) && er.err == nil {
		k := er.str(int(er.i16("extFields key length")), "extFields key")
		v := er.str(int(er.i32("extFields value length")), "extFields value")
		if er.err == nil {
			cmd.ExtFields[k] = v
		}
	}
	if er.err != nil {
		return nil, er.err
	}
	return cmd, nil
}

func encodeBinaryHeader(cmd *Command) ([]byte, error) {
	keys := make([]string, 0, len(cmd.ExtFields))
	extLen := 0
	for k, v := range cmd.ExtFields {
		if len(k) > math.MaxInt16 {
			return nil, fmt.Errorf("extFields key of %d bytes is longer than the ROCKETMQ header allows", len(k))
		}
		keys = append(keys, k)
		extLen += 2 + len(k) + 4 + len(v)
	}
	slices.Sort(keys) // stable output; order carries no meaning
	b := make([]byte, 0, binaryFixedLen+len(cmd.Remark)+extLen)
	b = binary.BigEndian.AppendUint16(b, uint16(cmd.Code))
	b = append(b, languageCode(cmd.Language))
	b = binary.BigEndian.AppendUint16(b, uint16(cmd.Version))
	b = binary.BigEndian.AppendUint32(b, uint32(cmd.Opaque))
	b = binary.BigEndian.AppendUint32(b, uint32(cmd.Flag))
	b = binary.BigEndian.AppendUint32(b, uint32(len(cmd.Remark)))
	b = append(b, cmd.Remark...)
	b = binary.BigEndian.AppendUint32(b, uint32(extLen))
	for _, k := range keys {
		v := cmd.ExtFields[k]
		b = binary.BigEndian.AppendUint16(b, uint16(len(k)))
		b = append(b, k...)
		b = binary.BigEndian.AppendUint32(b, uint32(len(v)))
		b = append(b, v...)
	}
	return b, nil
}
