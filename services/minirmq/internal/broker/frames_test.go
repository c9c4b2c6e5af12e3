package broker

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/rocketmart/rocketmart/services/minirmq/internal/remoting"
	"github.com/rocketmart/rocketmart/services/minirmq/internal/wire"
)

// Byte-level requests as Java 4.9 clients send them. The encoders below are
// written from the Java source's rules (RemotingCommand / RocketMQSerializable
// for frames, MessageDecoder.encodeMessages for batch bodies), not with
// minirmq's own encoders.

type kv = [2]string

// jsonFrame is a JSON-serialized request frame (type byte 0) with the
// extFields in the given order, as Java's fastjson writes it.
func jsonFrame(code int16, opaque int32, ext []kv, body []byte) []byte {
	var h strings.Builder
	fmt.Fprintf(&h, `{"code":%d,"extFields":{`, code)
	for i, f := range ext {
		if i > 0 {
			h.WriteByte(',')
		}
		fmt.Fprintf(&h, "%s:%s", jsonString(f[0]), jsonString(f[1]))
	}
	fmt.Fprintf(&h, `},"flag":0,"language":"JAVA","opaque":%d,"serializeTypeCurrentRPC":"JSON","version":395}`, opaque)
	b := binary.BigEndian.AppendUint32(nil, uint32(4+h.Len()+len(body)))
	b = binary.BigEndian.AppendUint32(b, uint32(h.Len()))
	b = append(b, h.String()...)
	return append(b, body...)
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// rocketmqFrame is the same request with a ROCKETMQ binary header (type byte 1).
func rocketmqFrame(code int16, opaque int32, ext []kv, body []byte) []byte {
	var e bytes.Buffer
	for _, f := range ext {
		binary.Write(&e, binary.BigEndian, int16(len(f[0])))
		e.WriteString(f[0])
		binary.Write(&e, binary.BigEndian, int32(len(f[1])))
		e.WriteString(f[1])
	}
	var h bytes.Buffer
	binary.Write(&h, binary.BigEndian, code)
	h.WriteByte(0) // JAVA
	binary.Write(&h, binary.BigEndian, int16(395))
	binary.Write(&h, binary.BigEndian, opaque)
	binary.Write(&h, binary.BigEndian, int32(0)) // flag
	binary.Write(&h, binary.BigEndian, int32(0)) // no remark
	binary.Write(&h, binary.BigEndian, int32(e.Len()))
	h.Write(e.Bytes())
	b := binary.BigEndian.AppendUint32(nil, uint32(4+h.Len()+len(body)))
	b = binary.BigEndian.AppendUint32(b, 1<<24|uint32(h.Len()))
	b = append(b, h.Bytes()...)
	return append(b, body...)
}

// javaBatch encodes messages as Java's MessageDecoder.encodeMessages does:
// per message total size, magic 0, body CRC 0, flag, body length + body,
// properties length (int16) + properties.
func javaBatch(msgs ...batchMsg) []byte {
	var b bytes.Buffer
	for _, m := range msgs {
		binary.Write(&b, binary.BigEndian, int32(4+4+4+4+4+len(m.body)+2+len(m.props)))
		binary.Write(&b, binary.BigEndian, int32(0))
		binary.Write(&b, binary.BigEndian, int32(0))
		binary.Write(&b, binary.BigEndian, m.flag)
		binary.Write(&b, binary.BigEndian, int32(len(m.body)))
		b.WriteString(m.body)
		binary.Write(&b, binary.BigEndian, int16(len(m.props)))
		b.WriteString(m.props)
	}
	return b.Bytes()
}

type batchMsg struct {
	flag  int32
	body  string
	props string
}

// props joins name/value pairs the way Java's messageProperties2String does.
func props(pairs ...string) string {
	var s strings.Builder
	for i := 0; i < len(pairs); i += 2 {
		s.WriteString(pairs[i] + "\x01" + pairs[i+1] + "\x02")
	}
	return s.String()
}

// v2Header is SEND_MESSAGE_V2's header with every letter a–m, as
// SendMessageRequestHeaderV2.encode writes it; set overrides letters.
func v2Header(topic string, queue int, batch bool, set ...string) []kv {
	h := []kv{{"a", "PG"}, {"b", topic}, {"c", "TBW102"}, {"d", "4"}, {"e", strconv.Itoa(queue)}, {"f", "0"},
		{"g", "1700000000123"}, {"h", "0"}, {"i", props("KEYS", "order-1", "TAGS", "paid", "WAIT", "true")},
		{"j", "0"}, {"k", "false"}, {"l", "16"}, {"m", strconv.FormatBool(batch)}}
	return override(h, set...)
}

// v1Header is SEND_MESSAGE's header with its full field names.
func v1Header(topic string, queue int, batch bool, set ...string) []kv {
	h := []kv{{"producerGroup", "PG"}, {"topic", topic}, {"defaultTopic", "TBW102"}, {"defaultTopicQueueNums", "4"},
		{"queueId", strconv.Itoa(queue)}, {"sysFlag", "0"}, {"bornTimestamp", "1700000000123"}, {"flag", "0"},
		{"properties", props("KEYS", "order-1", "TAGS", "paid")}, {"reconsumeTimes", "0"}, {"unitMode", "false"},
		{"maxReconsumeTimes", "16"}, {"batch", strconv.FormatBool(batch)}}
	return override(h, set...)
}

func override(h []kv, set ...string) []kv {
	for i := 0; i < len(set); i += 2 {
		found := false
		for j := range h {
			if h[j][0] == set[i] {
				h[j][1], found = set[i+1], true
			}
		}
		if !found {
			h = append(h, kv{set[i], set[i+1]})
		}
	}
	return h
}

// roundTrip writes one raw request frame and reads its answer.
func (rc *rawClient) roundTrip(frame []byte) *remoting.Command {
	rc.t.Helper()
	if _, err := rc.c.Write(frame); err != nil {
		rc.t.Fatal(err)
	}
	for {
		resp, err := remoting.ReadCommand(rc.r, 1<<24)
		if err != nil {
			rc.t.Fatalf("no response: %v", err)
		}
		if resp.IsResponse() {
			return resp
		}
		// A server request (NOTIFY_CONSUMER_IDS_CHANGED after a consumer heartbeat): not ours to check.
	}
}

// pullAll reads every message stored in a queue, as a consumer is served them.
func (rc *rawClient) pullAll(topic string, queue int) []*wire.Message {
	rc.t.Helper()
	resp := rc.call(remoting.CodePullMessage, map[string]string{"consumerGroup": "CG", "topic": topic,
		"queueId": strconv.Itoa(queue), "queueOffset": "0", "maxMsgNums": "32",
		"sysFlag": "4", "subscription": "*"}, nil) // carries its subscription: served without a heartbeat
	if resp.Code == remoting.PullNotFound {
		return nil
	}
	if resp.Code != remoting.Success {
		rc.t.Fatalf("pull %s/%d: %d %q", topic, queue, resp.Code, resp.Remark)
	}
	var msgs []*wire.Message
	for body := resp.Body; len(body) > 0; {
		m, n, err := wire.Decode(body)
		if err != nil {
			rc.t.Fatalf("pull %s/%d: %v", topic, queue, err)
		}
		msgs = append(msgs, m)
		body = body[n:]
	}
	return msgs
}

var serializations = []struct {
	name  string
	ser   remoting.Serialization
	frame func(int16, int32, []kv, []byte) []byte
}{
	{"JSON", remoting.SerializeJSON, jsonFrame},
	{"ROCKETMQ", remoting.SerializeRocketMQ, rocketmqFrame},
}

func bodies(msgs []*wire.Message) []string {
	var out []string
	for _, m := range msgs {
		out = append(out, string(m.Body))
	}
	return out
}
