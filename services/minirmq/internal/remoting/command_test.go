package remoting

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"maps"
	"testing"
)

func frameOf(header string, body []byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, uint32(4+len(header)+len(body)))
	b = binary.BigEndian.AppendUint32(b, uint32(len(header)))
	b = append(b, header...)
	return append(b, body...)
}

func TestReadCommandClientFrame(t *testing.T) {
	// A header exactly as rocketmq-client-go v2.1.2 sends it (reference §1.2).
	header := `{"code":34,"language":"GO","version":317,"opaque":12,"flag":0,"remark":"","extFields":{"topic":"T","queueId":"3"}}`
	cmd, err := ReadCommand(bytes.NewReader(frameOf(header, []byte("body"))), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if cmd.Code != 34 || cmd.Version != 317 || cmd.Opaque != 12 || cmd.Flag != 0 || cmd.IsResponse() {
		t.Errorf("got %+v", cmd)
	}
	if got, want := cmd.Ext("queueId"), "3"; got != want {
		t.Errorf("queueId = %q, want %q", got, want)
	}
	if got, want := string(cmd.Body), "body"; got != want {
		t.Errorf("body = %q, want %q", got, want)
	}
}

func TestEncodeRoundTripKeepsStringExtFields(t *testing.T) {
	resp := NewResponse(&Command{Opaque: 7}, QueryNotFound, "not found")
	resp.ExtFields["offset"] = "42"
	resp.Body = []byte{1, 2, 3}
	frame, err := Encode(resp)
	if err != nil {
		t.Fatal(err)
	}
	// The client rejects non-string extField values (reference §1.2).
	if !bytes.Contains(frame, []byte(`"offset":"42"`)) {
		t.Errorf("extField not encoded as a JSON string: %s", frame)
	}
	got, err := ReadCommand(bytes.NewReader(frame), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if got.Code != QueryNotFound || got.Opaque != 7 || !got.IsResponse() || got.Remark != "not found" ||
		got.Ext("offset") != "42" || !bytes.Equal(got.Body, []byte{1, 2, 3}) {
		t.Errorf("round trip: got %+v", got)
	}
}

func TestReadCommandRejectsBadFrames(t *testing.T) {
	tests := []struct {
		name  string
		frame []byte
		want  error
	}{
		{"too large", binary.BigEndian.AppendUint32(nil, 1<<30), ErrFrameTooLarge},
		{"too short", binary.BigEndian.AppendUint32(nil, 2), ErrBadFrame},
		{"header longer than frame", append(binary.BigEndian.AppendUint32(nil, 8), 0, 0, 0x10, 0, 'x', 'x', 'x', 'x'), ErrBadFrame},
		{"not JSON", frameOf("{oops", nil), ErrBadFrame},
		{"code outside int16", frameOf(`{"code":40000}`, nil), ErrBadFrame},
		{"object extField", frameOf(`{"code":1,"extFields":{"a":{"b":1}}}`, nil), ErrBadFrame},
		{"empty binary header", append(binary.BigEndian.AppendUint32(nil, 4), 1, 0, 0, 0), ErrBadFrame},
		{"unknown serialization", append(binary.BigEndian.AppendUint32(nil, 4), 2, 0, 0, 0), ErrBadFrame},
		{"truncated body", frameOf(`{"code":1}`, nil)[:10], io.ErrUnexpectedEOF},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadCommand(bytes.NewReader(tt.frame), 1<<20)
			if !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestDecodeAcceptsNumericExtFields(t *testing.T) {
	cmd, err := DecodeFrame(frameOf(`{"code":10,"extFields":{"queueId":3,"batch":false,"x":null}}`, nil)[4:])
	if err != nil {
		t.Fatal(err)
	}
	if cmd.Ext("queueId") != "3" || cmd.Ext("batch") != "false" || cmd.Ext("x") != "" {
		t.Errorf("ext = %v", cmd.ExtFields)
	}
}

// FuzzDecodeFrame checks that no input crashes the decoder, that the fast
// JSON scanner decodes whatever it accepts as encoding/json does, that the
// encoder writes encoding/json's bytes, and that whatever decodes also
// re-encodes and decodes to the same command. Seeds live in
// testdata/fuzz/FuzzDecodeFrame and run as regression cases in every `go test`.
func FuzzDecodeFrame(f *testing.F) {
	f.Add(frameOf(`{"code":34,"language":"GO","version":317,"opaque":1,"flag":0,"remark":"","extFields":{}}`, []byte("{}"))[4:])
	f.Add(frameOf(`{"code":10,"extFields":{"a":"b"}}`, []byte{0, 1, 2})[4:])
	f.Add([]byte{0, 0, 0, 0})
	f.Add(frameOf(sendHeader, []byte("hello"))[4:])
	f.Add(frameOf(`{"remark":"a\"\u00e9\ud83d","extFields":{"k":"\u0001"}}`, nil)[4:])
	f.Add(binaryFrame(javaHeader(310, 0, 317, 5, 0, "", [][2]string{{"a", "PG"}, {"b", "T"}, {"m", "true"}}), []byte("x"))[4:])
	f.Add(binaryFrame(javaHeader(0, 9, 401, 5, 1, "oops", nil), nil)[4:])
	f.Fuzz(func(t *testing.T, frame []byte) {
		if len(frame) >= 4 && frame[0] == byte(SerializeJSON) {
			if header := frame[4:]; int(binary.BigEndian.Uint32(frame[:4])&0xFFFFFF) <= len(header) {
				header = header[:binary.BigEndian.Uint32(frame[:4])&0xFFFFFF]
				fast, ok := scanJSONHeader(header)
				checkAgainstStd(t, header, fast, ok)
			}
		}
		cmd, err := DecodeFrame(frame)
		if err != nil {
			return
		}
		enc, err := Encode(cmd)
		if err != nil {
			t.Fatalf("decoded command does not encode: %v", err)
		}
		if cmd.Serialization == SerializeJSON {
			headerLen := binary.BigEndian.Uint32(enc[4:8]) & 0xFFFFFF
			if want := marshalReference(t, cmd); !bytes.Equal(enc[8:8+headerLen], want) {
				t.Fatalf("encoded header %s, encoding/json writes %s", enc[8:8+headerLen], want)
			}
		}
		again, err := ReadCommand(bytes.NewReader(enc), len(enc))
		if err != nil {
			t.Fatalf("re-encoded command does not decode: %v", err)
		}
		if again.Code != cmd.Code || again.Opaque != cmd.Opaque || again.Flag != cmd.Flag || again.Version != cmd.Version ||
			again.Remark != cmd.Remark || !bytes.Equal(again.Body, cmd.Body) || !maps.Equal(again.ExtFields, cmd.ExtFields) ||
			again.Serialization != cmd.Serialization || (cmd.Serialization == SerializeRocketMQ && again.Language != cmd.Language) {
			t.Fatalf("round trip changed the command: %+v → %+v", cmd, again)
		}
	})
}
