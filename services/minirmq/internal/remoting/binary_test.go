package remoting

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"
)

// javaHeader builds a ROCKETMQ header byte by byte from the rules of Java's
// RocketMQSerializable.rocketMQProtocolEncode (4.9.4), independently of
// encodeBinaryHeader: fields in order, a 0 length for an empty remark, and
// the extFields entries in the order given.
func javaHeader(code int16, lang byte, version int16, opaque, flag int32, remark string, ext [][2]string) []byte {
	var b bytes.Buffer
	binary.Write(&b, binary.BigEndian, code)
	b.WriteByte(lang)
	binary.Write(&b, binary.BigEndian, version)
	binary.Write(&b, binary.BigEndian, opaque)
	binary.Write(&b, binary.BigEndian, flag)
	binary.Write(&b, binary.BigEndian, int32(len(remark)))
	b.WriteString(remark)
	var e bytes.Buffer
	for _, kv := range ext {
		binary.Write(&e, binary.BigEndian, int16(len(kv[0])))
		e.WriteString(kv[0])
		binary.Write(&e, binary.BigEndian, int32(len(kv[1])))
		e.WriteString(kv[1])
	}
	binary.Write(&b, binary.BigEndian, int32(e.Len()))
	b.Write(e.Bytes())
	return b.Bytes()
}

// binaryFrame wraps a ROCKETMQ header and a body into a frame with its
// length prefix; the type byte is 1.
func binaryFrame(header, body []byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, uint32(4+len(header)+len(body)))
	b = binary.BigEndian.AppendUint32(b, 1<<24|uint32(len(header)))
	b = append(b, header...)
	return append(b, body...)
}

func TestReadCommandDecodesJavaBinaryHeader(t *testing.T) {
	// SEND_MESSAGE_V2 as a Java 4.9 producer with rocketmq.serialize.type=ROCKETMQ sends it.
	ext := [][2]string{{"a", "PG"}, {"b", "Orders"}, {"c", "TBW102"}, {"d", "4"}, {"e", "1"}, {"f", "0"},
		{"g", "1700000000000"}, {"h", "0"}, {"i", "KEYS\x01k1\x02"}, {"j", "0"}, {"k", "false"}, {"l", "16"}, {"m", "false"}}
	frame := binaryFrame(javaHeader(310, 0, 395, 42, 0, "", ext), []byte("hello"))
	cmd, err := ReadCommand(bytes.NewReader(frame), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if cmd.Code != 310 || cmd.Language != "JAVA" || cmd.Version != 395 || cmd.Opaque != 42 || cmd.Flag != 0 ||
		cmd.Remark != "" || cmd.Serialization != SerializeRocketMQ || string(cmd.Body) != "hello" {
		t.Errorf("got %+v", cmd)
	}
	for _, kv := range ext {
		if got := cmd.Ext(kv[0]); got != kv[1] {
			t.Errorf("ext %s = %q, want %q", kv[0], got, kv[1])
		}
	}
	if len(cmd.ExtFields) != len(ext) {
		t.Errorf("ext = %v", cmd.ExtFields)
	}
}

func TestResponseKeepsTheRequestSerialization(t *testing.T) {
	req, err := DecodeFrame(binaryFrame(javaHeader(105, 0, 395, 9, 0, "", [][2]string{{"topic", "T"}}), nil)[4:])
	if err != nil {
		t.Fatal(err)
	}
	resp := NewResponse(req, TopicNotExist, "no route for T")
	resp.ExtFields["k"] = "v"
	frame, err := Encode(resp)
	if err != nil {
		t.Fatal(err)
	}
	// Byte for byte what Java's encoder writes for this response.
	want := binaryFrame(javaHeader(TopicNotExist, 9, Version, 9, FlagResponse, "no route for T", [][2]string{{"k", "v"}}), nil)
	if !bytes.Equal(frame, want) {
		t.Errorf("response frame\n got %x\nwant %x", frame, want)
	}
	// A JSON request is still answered in JSON.
	jreq, _ := DecodeFrame(frameOf(`{"code":105,"opaque":3}`, nil)[4:])
	jframe, _ := Encode(NewResponse(jreq, Success, ""))
	if jframe[4] != 0 || jframe[8] != '{' {
		t.Errorf("JSON request answered with %x", jframe[:12])
	}
}

func TestBinaryHeaderWithNullStrings(t *testing.T) {
	// Java writes a null key or value as length 0; it reads back as null, here "".
	cmd, err := DecodeFrame(binaryFrame(javaHeader(34, 0, 1, 1, 2, "", [][2]string{{"x", ""}}), nil)[4:])
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := cmd.ExtFields["x"]; !ok || v != "" || cmd.Flag != FlagOneway || cmd.Body != nil {
		t.Errorf("got %+v", cmd)
	}
}

func TestReadCommandRejectsBadBinaryHeaders(t *testing.T) {
	good := javaHeader(10, 0, 1, 1, 0, "r", [][2]string{{"topic", "T"}})
	set32 := func(b []byte, at int, v int32) []byte {
		b = bytes.Clone(b)
		binary.BigEndian.PutUint32(b[at:], uint32(v))
		return b
	}
	remarkAt, extAt := 13, 18
	tests := map[string][]byte{
		"truncated fixed part":      good[:10],
		"remark longer than header": set32(good, remarkAt, 1000),
		"negative remark length":    set32(good, remarkAt, -1),
		"extFields past the header": set32(good, extAt, 1000),
		"negative extFields length": set32(good, extAt, -5),
		"extFields shorter than entry": func() []byte {
			b := set32(good, extAt, 4) // cuts the entry in its value length
			return b[:extAt+4+4]
		}(),
		"negative key length": func() []byte {
			b := bytes.Clone(good)
			binary.BigEndian.PutUint16(b[extAt+4:], 0xFFFF)
			return b
		}(),
		"bytes after extFields": append(bytes.Clone(good), 0),
	}
	for name, header := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := ReadCommand(bytes.NewReader(binaryFrame(header, nil)), 1<<20)
			if !errors.Is(err, ErrBadFrame) {
				t.Errorf("err = %v, want ErrBadFrame", err)
			}
		})
	}
	if _, err := ReadCommand(bytes.NewReader(binaryFrame(good, nil)), 1<<20); err != nil {
		t.Errorf("the unmodified header: %v", err)
	}
}
