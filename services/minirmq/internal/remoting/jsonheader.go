package remoting

import (
	"encoding/json"
	"slices"
	"strconv"
	"unicode/utf8"
)

// The JSON header is on every frame, and encoding/json's reflection cost
// about a third of minirmq's CPU under make bench (issue 14). The scanner
// and the encoder below handle the headers clients and minirmq actually
// write; they are not a general JSON codec. The scanner gives up on
// anything outside that shape and the header goes through encoding/json
// (decodeJSONHeaderStd), so both paths accept, reject and decode exactly the
// same inputs; FuzzDecodeFrame holds them to that, and the encoder to
// encoding/json's bytes.

// decodeJSONHeader decodes a JSON header, quickly when it can.
func decodeJSONHeader(b []byte) (*Command, error) {
	if cmd, ok := scanJSONHeader(b); ok {
		return cmd, nil
	}
	return decodeJSONHeaderStd(b)
}

// headerScanner walks one JSON header. Any method that meets something
// it does not handle sets bail; the caller then falls back.
type headerScanner struct {
	b    string // the header copied once; the decoded strings are its substrings
	pos  int
	bail bool
}

// scanJSONHeader decodes headers whose keys are the seven field names
// spelt exactly, each at most once, with integers for the numbers and
// strings for the texts and extension values. It reports false for
// anything else (null, floats, numeric extension values, unknown or
// differently cased keys, lone surrogates, invalid UTF-8, trailing bytes),
// including every malformed header.
func scanJSONHeader(b []byte) (*Command, bool) {
	s := headerScanner{b: string(b)}
	cmd := &Command{}
	var seen uint8
	s.expect('{')
	empty := !s.bail && s.peek() == '}'
	if empty {
		s.pos++
	}
	for more := !s.bail && !empty; more && !s.bail; more = s.next() {
		key := s.rawString()
		s.expect(':')
		var bit uint8
		switch key {
		case "code":
			bit, cmd.Code = 1, int16(s.integer(-1<<15, 1<<15-1))
		case "language":
			bit, cmd.Language = 2, s.str()
		case "version":
			bit, cmd.Version = 4, int16(s.integer(-1<<15, 1<<15-1))
		case "opaque":
			bit, cmd.Opaque = 8, int32(s.integer(-1<<31, 1<<31-1))
		case "flag":
			bit, cmd.Flag = 16, int32(s.integer(-1<<31, 1<<31-1))
		case "remark":
			bit, cmd.Remark = 32, s.str()
		case "extFields":
			bit, cmd.ExtFields = 64, s.extFields()
		default:
			s.bail = true
		}
		if seen&bit != 0 {
			s.bail = true
		}
		seen |= bit
	}
	if s.skipSpace(); s.bail || s.pos != len(b) {
		return nil, false
	}
	if cmd.ExtFields == nil {
		cmd.ExtFields = map[string]string{}
	}
	return cmd, true
}

func (s *headerScanner) skipSpace() {
	for s.pos < len(s.b) {
		switch s.b[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

// peek returns the next byte after white space, or 0 at the end.
func (s *headerScanner) peek() byte {
	s.skipSpace()
	if s.pos == len(s.b) {
		return 0
	}
	return s.b[s.pos]
}

func (s *headerScanner) expect(c byte) {
	if s.bail || s.peek() != c {
		s.bail = true
		return
	}
	s.pos++
}

// integer reads a JSON integer within [lo, hi].
func (s *headerScanner) integer(lo, hi int64) int64 {
	if s.bail {
		return 0
	}
	s.skipSpace()
	start := s.pos
	if s.pos < len(s.b) && s.b[s.pos] == '-' {
		s.pos++
	}
	digits := s.pos
	for s.pos < len(s.b) && s.b[s.pos] >= '0' && s.b[s.pos] <= '9' {
		s.pos++
	}
	n := s.pos - digits
	if n == 0 || n > 18 || (n > 1 && s.b[digits] == '0') {
		s.bail = true // not JSON, or leave the range check to the slow path
		return 0
	}
	if s.pos < len(s.b) {
		if c := s.b[s.pos]; c == '.' || c == 'e' || c == 'E' {
			s.bail = true
			return 0
		}
	}
	v, err := strconv.ParseInt(s.b[start:s.pos], 10, 64)
	if err != nil || v < lo || v > hi {
		s.bail = true
		return 0
	}
	return v
}

// rawString reads a string without escapes, for keys.
func (s *headerScanner) rawString() string {
	if s.bail || s.peek() != '"' {
		s.bail = true
		return ""
	}
	s.pos++
	start := s.pos
	for s.pos < len(s.b) {
		switch c := s.b[s.pos]; {
		case c == '"':
			s.pos++
			return s.b[start : s.pos-1]
		case c < 0x20 || c == '\\' || c >= utf8.RuneSelf:
			s.bail = true
			return ""
		}
		s.pos++
	}
	s.bail = true
	return ""
}

// str reads a string value, undoing JSON's escapes.
func (s *headerScanner) str() string {
	if s.bail || s.peek() != '"' {
		s.bail = true
		return ""
	}
	s.pos++
	start := s.pos
	for s.pos < len(s.b) {
		c := s.b[s.pos]
		switch {
		case c == '"':
			s.pos++
			return s.b[start : s.pos-1]
		case c == '\\':
			return s.escaped(start)
		case c < 0x20:
			s.bail = true
			return ""
		case c >= utf8.RuneSelf:
			r, size := utf8.DecodeRuneInString(s.b[s.pos:])
			if r == utf8.RuneError && size == 1 {
				s.bail = true // encoding/json would substitute U+FFFD
				return ""
			}
			s.pos += size
			continue
		}
		s.pos++
	}
	s.bail = true
	return ""
}

// escaped finishes a string that started at start and has an escape at
// s.pos.
func (s *headerScanner) escaped(start int) string {
	out := append(make([]byte, 0, s.pos-start+16), s.b[start:s.pos]...)
	for s.pos < len(s.b) {
		c := s.b[s.pos]
		switch {
		case c == '"':
			s.pos++
			return string(out)
		case c < 0x20:
			s.bail = true
			return ""
		case c >= utf8.RuneSelf:
			r, size := utf8.DecodeRuneInString(s.b[s.pos:])
			if r == utf8.RuneError && size == 1 {
				s.bail = true
				return ""
			}
			out = append(out, s.b[s.pos:s.pos+size]...)
			s.pos += size
			continue
		case c != '\\':
			out = append(out, c)
			s.pos++
			continue
		}
		if s.pos+1 >= len(s.b) {
			break
		}
		switch e := s.b[s.pos+1]; e {
		case '"', '\\', '/':
			out = append(out, e)
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			if s.pos+6 > len(s.b) {
				s.bail = true
				return ""
			}
			r, err := strconv.ParseUint(s.b[s.pos+2:s.pos+6], 16, 32)
			if err != nil || (r >= 0xD800 && r <= 0xDFFF) {
				s.bail = true // surrogates: leave their pairing rules to encoding/json
				return ""
			}
			out = utf8.AppendRune(out, rune(r))
			s.pos += 6
			continue
		default:
			s.bail = true
			return ""
		}
		s.pos += 2
	}
	s.bail = true
	return ""
}

// extFields reads an object of string values.
func (s *headerScanner) extFields() map[string]string {
	ext := make(map[string]string, 16) // a send header has 13
	s.expect('{')
	if s.peek() == '}' {
		s.pos++
		return ext
	}
	for more := !s.bail; more && !s.bail; more = s.next() {
		k := s.str()
		s.expect(':')
		ext[k] = s.str()
	}
	return ext
}

// next reads what follows a member: ',' (another member follows, true) or
// the object's '}' (false); anything else bails.
func (s *headerScanner) next() bool {
	switch s.peek() {
	case ',':
		s.pos++
		return true
	case '}':
		s.pos++
		return false
	}
	s.bail = true
	return false
}

// appendJSONHeader appends cmd's header as JSON, byte for byte what
// json.Marshal(wireHeader) writes (keys sorted, HTML-safe escapes), without
// its reflection.
func appendJSONHeader(dst []byte, cmd *Command) []byte {
	dst = append(dst, `{"code":`...)
	dst = strconv.AppendInt(dst, int64(cmd.Code), 10)
	dst = append(dst, `,"language":`...)
	dst = appendJSONString(dst, cmd.Language)
	dst = append(dst, `,"version":`...)
	dst = strconv.AppendInt(dst, int64(cmd.Version), 10)
	dst = append(dst, `,"opaque":`...)
	dst = strconv.AppendInt(dst, int64(cmd.Opaque), 10)
	dst = append(dst, `,"flag":`...)
	dst = strconv.AppendInt(dst, int64(cmd.Flag), 10)
	dst = append(dst, `,"remark":`...)
	dst = appendJSONString(dst, cmd.Remark)
	dst = append(dst, `,"extFields":{`...)
	var stack [16]string
	keys := stack[:0]
	for k := range cmd.ExtFields {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for i, k := range keys {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendJSONString(dst, k)
		dst = append(dst, ':')
		dst = appendJSONString(dst, cmd.ExtFields[k])
	}
	return append(dst, "}}"...)
}

// appendJSONString quotes plain ASCII itself and leaves anything that needs
// an escape to encoding/json, whose rules (HTML-safe, U+2028, invalid
// UTF-8) it then matches exactly.
func appendJSONString(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= utf8.RuneSelf || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s) // a string always marshals
			return append(dst, q...)
		}
	}
	dst = append(dst, '"')
	dst = append(dst, s...)
	return append(dst, '"')
}

// jsonHeaderSize estimates the encoded header, to size the frame once.
func jsonHeaderSize(cmd *Command) int {
	n := 112 + len(cmd.Language) + len(cmd.Remark)
	for k, v := range cmd.ExtFields {
		n += len(k) + len(v) + 6
	}
	return n
}
