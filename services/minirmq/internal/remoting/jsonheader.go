package remoting

import (
	"strconv"
	"unicode/utf8"
)

// The JSON header is on every frame, and encoding/json's reflection cost
// about a third of minirmq's CPU under make bench (issue 14). The scanner
// below and the encoder in jsonencode.go handle the headers clients and
// minirmq actually write; they are not a general JSON codec. The scanner
// gives up on anything outside that shape and the header goes through
// encoding/json (decodeJSONHeaderStd), so both paths accept, reject and
// decode exactly the same inputs; FuzzDecodeFrame holds them to that, and
// the encoder to encoding/json's bytes.

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
		key := s.str() // unescaped, as encoding/json matches field names
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

// str reads a string, undoing JSON's escapes. Without escapes it is a
// substring of the header; out collects the text once there is one.
func (s *headerScanner) str() string {
	if s.bail || s.peek() != '"' {
		s.bail = true
		return ""
	}
	s.pos++
	start := s.pos
	var out []byte
	for s.pos < len(s.b) {
		c := s.b[s.pos]
		switch {
		case c == '"':
			s.pos++
			if out == nil {
				return s.b[start : s.pos-1]
			}
			return string(out)
		case c < 0x20:
			s.bail = true // not JSON
			return ""
		case c >= utf8.RuneSelf:
			r, size := utf8.DecodeRuneInString(s.b[s.pos:])
			if r == utf8.RuneError && size == 1 {
				s.bail = true // encoding/json would substitute U+FFFD
				return ""
			}
			if out != nil {
				out = append(out, s.b[s.pos:s.pos+size]...)
			}
			s.pos += size
		case c != '\\':
			if out != nil {
				out = append(out, c)
			}
			s.pos++
		default:
			if out == nil {
				out = append(make([]byte, 0, s.pos-start+16), s.b[start:s.pos]...)
			}
			if out = s.unescape(out); s.bail {
				return ""
			}
		}
	}
	s.bail = true
	return ""
}

// unescape appends the character of the escape at s.pos to out.
func (s *headerScanner) unescape(out []byte) []byte {
	if s.pos+1 >= len(s.b) {
		s.bail = true
		return nil
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
			return nil
		}
		r, err := strconv.ParseUint(s.b[s.pos+2:s.pos+6], 16, 32)
		if err != nil || (r >= 0xD800 && r <= 0xDFFF) {
			s.bail = true // surrogates: leave their pairing rules to encoding/json
			return nil
		}
		s.pos += 6
		return utf8.AppendRune(out, rune(r))
	default:
		s.bail = true
		return nil
	}
	s.pos += 2
	return out
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
