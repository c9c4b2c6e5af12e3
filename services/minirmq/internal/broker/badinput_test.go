package broker

import (
	"bufio"
	"encoding/binary"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/rocketmart/rocketmart/services/minirmq/internal/remoting"
	"github.com/rocketmart/rocketmart/services/minirmq/internal/store"
)

func startBroker(t testing.TB, mutate ...func(*Options)) (*Broker, string) {
	t.Helper()
	st, err := store.Open(store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	opts := Options{
		Advertise: netip.MustParseAddrPort(ln.Addr().String()), ClusterName: "c", BrokerName: "b",
		DefaultQueues: 4, TxCheckAfter: time.Hour, TxCheckInterval: time.Hour, TxCheckMax: 1,
		DelayLevels: []time.Duration{time.Second}, MaxFrameBytes: 1 << 20, MaxMessageBytes: 1 << 10,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	for _, m := range mutate {
		m(&opts)
	}
	b, err := New(opts, st)
	if err != nil {
		t.Fatal(err)
	}
	go b.Serve(ln)
	t.Cleanup(func() { b.Close(); st.Close() })
	return b, ln.Addr().String()
}

type rawClient struct {
	t *testing.T
	c net.Conn
	r *bufio.Reader
}

func dial(t *testing.T, addr string) *rawClient {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(10 * time.Second))
	return &rawClient{t: t, c: c, r: bufio.NewReader(c)}
}

func (rc *rawClient) call(code int16, ext map[string]string, body []byte) *remoting.Command {
	rc.t.Helper()
	req := remoting.NewRequest(code, false, ext, body)
	req.Opaque = 77
	frame, err := remoting.Encode(req)
	if err != nil {
		rc.t.Fatal(err)
	}
	if _, err := rc.c.Write(frame); err != nil {
		rc.t.Fatal(err)
	}
	resp, err := remoting.ReadCommand(rc.r, 1<<24)
	if err != nil {
		rc.t.Fatalf("code %d: no response: %v", code, err)
	}
	if resp.Opaque != 77 || !resp.IsResponse() {
		rc.t.Fatalf("response %+v does not answer the request", resp)
	}
	return resp
}

// closedByServer reports whether the server closed the connection.
func (rc *rawClient) closedByServer() bool {
	_, err := rc.r.ReadByte()
	return err == io.EOF
}

func TestBadRequestsGetClearAnswers(t *testing.T) {
	_, addr := startBroker(t)
	rc := dial(t, addr)
	send := func(ext map[string]string, body string) *remoting.Command {
		base := map[string]string{"producerGroup": "g", "topic": "T", "queueId": "0", "sysFlag": "0", "bornTimestamp": "1", "flag": "0", "properties": ""}
		for k, v := range ext {
			base[k] = v
		}
		return rc.call(remoting.CodeSendMessage, base, []byte(body))
	}
	tests := []struct {
		name     string
		resp     *remoting.Command
		wantCode int16
		remark   string
	}{
		{"unknown code", rc.call(9999, nil, nil), remoting.RequestCodeNotSupported, "not supported"},
		{"bad topic", send(map[string]string{"topic": "a/b"}, "x"), remoting.MessageIllegal, "invalid"},
		{"system topic", send(map[string]string{"topic": HalfTopic}, "x"), remoting.MessageIllegal, "reserved"},
		{"queue out of range", send(map[string]string{"queueId": "9"}, "x"), remoting.MessageIllegal, "illegal"},
		{"non-numeric queue", send(map[string]string{"queueId": "x"}, "x"), remoting.MessageIllegal, "not an integer"},
		{"body too large", send(nil, strings.Repeat("x", 2000)), remoting.MessageIllegal, "exceeds"},
		{"bad delay level", send(map[string]string{"properties": "DELAY\x01soon"}, "x"), remoting.MessageIllegal, "DELAY"},
		{"heartbeat not JSON", rc.call(remoting.CodeHeartbeat, nil, []byte("{")), remoting.SystemError, "JSON"},
		{"batch garbage", rc.call(remoting.CodeSendBatchMessage, map[string]string{"a": "g", "b": "T", "c": "TBW102", "d": "4", "e": "0", "f": "0", "g": "1", "h": "0"}, []byte{0, 0, 0, 99, 1}), remoting.MessageIllegal, "batch"},
		{"pull without offset", rc.call(remoting.CodePullMessage, map[string]string{"topic": "T", "queueId": "0"}, nil), remoting.SystemError, "queueOffset"},
		{"lock not JSON", rc.call(remoting.CodeLockBatchMQ, nil, []byte("x")), remoting.SystemError, "JSON"},
		{"send-back unknown offset", rc.call(remoting.CodeConsumerSendMsgBack, map[string]string{"group": "g", "offset": "123456"}, nil), remoting.SystemError, "look message by offset failed"},
	}
	for _, tt := range tests {
		if tt.resp.Code != tt.wantCode || !strings.Contains(tt.resp.Remark, tt.remark) {
			t.Errorf("%s: got %d %q, want %d containing %q", tt.name, tt.resp.Code, tt.resp.Remark, tt.wantCode, tt.remark)
		}
	}
	// None of that stored anything, and the connection still works.
	if got := rc.call(remoting.CodeGetMaxOffset, map[string]string{"topic": "T", "queueId": "0"}, nil); got.Ext("offset") != "0" {
		t.Errorf("max offset after rejected sends = %s, want 0", got.Ext("offset"))
	}
	if got := send(nil, "ok"); got.Code != remoting.Success || len(got.Ext("msgId")) != 32 {
		t.Errorf("valid send after bad ones: %d %q", got.Code, got.Remark)
	}
}

func TestMalformedFramesCloseOnlyThatConnection(t *testing.T) {
	_, addr := startBroker(t)
	frames := map[string][]byte{
		"oversized length": binary.BigEndian.AppendUint32(nil, 1<<30),
		"not JSON":         append(binary.BigEndian.AppendUint32(nil, 9), 0, 0, 0, 5, '{', '{', '{', '{', '{'),
		"short frame":      binary.BigEndian.AppendUint32(nil, 1),
	}
	for name, frame := range frames {
		rc := dial(t, addr)
		rc.c.Write(frame)
		if !rc.closedByServer() {
			t.Errorf("%s: connection not closed", name)
		}
	}
	// The broker still serves a well-behaved client.
	rc := dial(t, addr)
	if got := rc.call(remoting.CodeGetRouteInfoByTopic, map[string]string{"topic": "T"}, nil); got.Code != remoting.Success {
		t.Errorf("route after bad frames: %d %q", got.Code, got.Remark)
	}
}

func TestRouteIsCompactForEveryTopic(t *testing.T) {
	_, addr := startBroker(t)
	rc := dial(t, addr)
	for _, topic := range []string{"new-topic", "%RETRY%g", "TBW102"} {
		got := rc.call(remoting.CodeGetRouteInfoByTopic, map[string]string{"topic": topic}, nil)
		if got.Code != remoting.Success {
			t.Fatalf("%s: code %d", topic, got.Code)
		}
		// The client splits brokerAddrs by hand and breaks on whitespace (reference §3.1).
		if body := string(got.Body); strings.ContainsAny(body, " \n") || !strings.Contains(body, `"brokerAddrs":{"0":"`+addr+`"}`) {
			t.Errorf("%s: route %s", topic, body)
		}
	}
	if got := rc.call(remoting.CodeGetRouteInfoByTopic, map[string]string{"topic": "bad topic"}, nil); got.Code != remoting.TopicNotExist {
		t.Errorf("invalid topic: code %d", got.Code)
	}
}
