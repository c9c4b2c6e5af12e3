package remoting

import (
	"bytes"
	"encoding/json"
	"maps"
	"testing"
)

// wireHeader is the reference for appendJSONHeader: what json.Marshal
// writes for a header, every extension value a JSON string as the Go client
// requires.
type wireHeader struct {
	Code      int16             `json:"code"`
	Language  string            `json:"language"`
	Version   int16             `json:"version"`
	Opaque    int32             `json:"opaque"`
	Flag      int32             `json:"flag"`
	Remark    string            `json:"remark"`
	ExtFields map[string]string `json:"extFields"`
}

func marshalReference(t testing.TB, cmd *Command) []byte {
	ext := cmd.ExtFields
	if ext == nil {
		ext = map[string]string{}
	}
	want, err := json.Marshal(wireHeader{Code: cmd.Code, Language: cmd.Language, Version: cmd.Version,
		Opaque: cmd.Opaque, Flag: cmd.Flag, Remark: cmd.Remark, ExtFields: ext})
	if err != nil {
		t.Fatal(err)
	}
	return want
}

// sendHeader is a SEND_MESSAGE_V2 header as rocketmq-client-go v2.1.2
// writes it: short keys, the properties joined by \u0001 and \u0002.
const sendHeader = `{"code":310,"language":"GO","version":317,"opaque":4711,"flag":0,"remark":"",` +
	`"extFields":{"a":"payment-producer","b":"payment-charged","c":"TBW102","d":"4","e":"1","f":"0",` +
	`"g":"1733230000000","h":"0","i":"KEYS\u0001ord-123\u0002TRAN_MSG\u0001true\u0002PGROUP\u0001payment-producer\u0002",` +
	`"j":"0","k":"false","l":"0","m":"false"}}`

func TestAppendJSONHeaderMatchesEncodingJSON(t *testing.T) {
	tests := []struct {
		name string
		cmd  Command
	}{
		{"empty", Command{}},
		{"response", Command{Code: -1, Language: "GO", Version: Version, Opaque: -2147483648, Flag: FlagResponse, Remark: "not found",
			ExtFields: map[string]string{"offset": "42", "minOffset": "0", "maxOffset": "9"}}},
		{"escapes", Command{Remark: "a \"quote\" \\ <b> & \n\t\x01", ExtFields: map[string]string{"i": "K\x01v\x02", "<": "&"}}},
		{"unicode", Command{Remark: "grüße 🚀 \u2028\u2029", ExtFields: map[string]string{"ключ": "значение"}}},
		{"invalid UTF-8", Command{Remark: "\xff\xfe", ExtFields: map[string]string{"\xc3": "\xed\xa0\x80"}}},
		{"nil extFields", Command{Code: 5, ExtFields: nil}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := appendJSONHeader(nil, &tt.cmd)
			if want := marshalReference(t, &tt.cmd); !bytes.Equal(got, want) {
				t.Errorf("got  %s\nwant %s", got, want)
			}
		})
	}
}

func TestScanJSONHeaderAgreesWithEncodingJSON(t *testing.T) {
	tests := []struct {
		name   string
		header string
		fast   bool // whether the scanner handles it rather than falling back
	}{
		{"client send", sendHeader, true},
		{"empty object", `{}`, true},
		{"white space", " {\n\t\"code\" : 11 , \"extFields\" : { \"a\" : \"b\" } }\r\n", true},
		{"escapes", `{"remark":"a\"b\\c\/d\b\f\n\r\t\u00e9\u0000","extFields":{"k\u0041":"\u20ac"}}`, true},
		{"raw unicode", `{"remark":"grüße 🚀","extFields":{"ключ":"значение"}}`, true},
		{"negative and zero", `{"code":-0,"opaque":-2147483648,"flag":2147483647}`, true},
		{"empty extFields", `{"code":1,"extFields":{}}`, true},
		{"numeric extField", `{"code":10,"extFields":{"queueId":3,"batch":false,"x":null}}`, false},
		{"null remark", `{"code":1,"remark":null}`, false},
		{"null extFields", `{"code":1,"extFields":null}`, false},
		{"float code", `{"code":1.0}`, false},
		{"exponent code", `{"code":1e2}`, false},
		{"code outside int16", `{"code":40000}`, false},
		{"leading zero", `{"code":01}`, false},
		{"capitalised key", `{"Code":5}`, false},
		{"unknown key", `{"code":5,"serializeTypeCurrentRPC":"JSON"}`, false},
		{"duplicate key", `{"code":5,"code":6}`, false},
		{"surrogate pair", `{"remark":"\ud83d\ude80"}`, false},
		{"lone surrogate", `{"remark":"\ud83d"}`, false},
		{"invalid UTF-8", "{\"remark\":\"\xff\"}", false},
		{"control byte", "{\"remark\":\"a\x01\"}", false},
		{"trailing comma", `{"code":1,}`, false},
		{"trailing comma in extFields", `{"extFields":{"a":"b",}}`, false},
		{"trailing bytes", `{"code":1}x`, false},
		{"not an object", `null`, false},
		{"truncated", `{"code":1,"extFields":{"a":"b`, false},
		{"object extField", `{"code":1,"extFields":{"a":{"b":1}}}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fast, ok := scanJSONHeader([]byte(tt.header))
			if ok != tt.fast {
				t.Errorf("scanner handled it = %v, want %v", ok, tt.fast)
			}
			checkAgainstStd(t, []byte(tt.header), fast, ok)
		})
	}
}

// checkAgainstStd fails t unless a header the scanner handled decodes the
// same with encoding/json.
func checkAgainstStd(t *testing.T, header []byte, fast *Command, ok bool) {
	t.Helper()
	if !ok {
		return
	}
	std, err := decodeJSONHeaderStd(header)
	if err != nil {
		t.Fatalf("the scanner accepted %q, encoding/json rejects it: %v", header, err)
	}
	if fast.Code != std.Code || fast.Language != std.Language || fast.Version != std.Version || fast.Opaque != std.Opaque ||
		fast.Flag != std.Flag || fast.Remark != std.Remark || !maps.Equal(fast.ExtFields, std.ExtFields) || fast.ExtFields == nil {
		t.Fatalf("header %q:\nscanner       %+v\nencoding/json %+v", header, fast, std)
	}
}

func BenchmarkDecodeSendHeader(b *testing.B) {
	frame := frameOf(sendHeader, []byte("body"))[4:]
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DecodeFrame(frame); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncodeSendResponse(b *testing.B) {
	resp := NewResponse(&Command{Opaque: 4711}, Success, "")
	resp.ExtFields = map[string]string{"msgId": "0A0000010000271F00000000000004D2", "queueId": "3", "queueOffset": "1234",
		"transactionId": "0A0000010000271F00000000000004D2", "MSG_REGION": "DefaultRegion", "TRACE_ON": "true"}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Encode(resp); err != nil {
			b.Fatal(err)
		}
	}
}
