package remoting

import (
	"encoding/json"
	"slices"
	"strconv"
	"unicode/utf8"
)

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
