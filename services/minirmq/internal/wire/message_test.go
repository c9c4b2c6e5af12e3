package wire

import (
	"bytes"
	"errors"
	"net/netip"
	"testing"

	"github.com/apache/rocketmq-client-go/v2/primitive"
)

func sample() *Message {
	return &Message{
		Topic: "orders", QueueID: 3, Flag: 7, QueueOffset: 11, CommitLogOffset: 4096, SysFlag: SysFlagCompressed,
		BornTimestamp: 1700000000000, BornHost: netip.MustParseAddrPort("10.1.2.3:5555"),
		StoreTimestamp: 1700000000123, StoreHost: netip.MustParseAddrPort("127.0.0.1:9876"),
		ReconsumeTimes: 2, PreparedTransactionOffset: 99, Body: []byte("hello"),
		Properties: Properties{PropUniqKey: "ABC", PropKeys: "k1 k2", PropTags: "TagA"},
	}
}

// The client's own decoder is the judge of our encoding.
func TestEncodeDecodesWithTheClient(t *testing.T) {
	m := sample()
	data, err := m.Encode()
	if err != nil {
		t.Fatal(err)
	}
	got := primitive.DecodeMessage(append(data, data...))
	if len(got) != 2 {
		t.Fatalf("client decoded %d messages, want 2", len(got))
	}
	c := got[1]
	if c.Topic != "orders" || c.Queue.QueueId != 3 || c.QueueOffset != 11 || c.CommitLogOffset != 4096 ||
		c.ReconsumeTimes != 2 || c.PreparedTransactionOffset != 99 || c.BornHost != "10.1.2.3:5555" ||
		c.StoreHost != "127.0.0.1:9876" || c.GetKeys() != "k1 k2" || c.GetTags() != "TagA" || c.MsgId != "ABC" {
		t.Errorf("client saw %+v", c)
	}
	if want := OffsetMsgID(m.StoreHost, 4096); c.OffsetMsgId != want {
		t.Errorf("client offset id %s, ours %s", c.OffsetMsgId, want)
	}
}

func TestDecodeRoundTrip(t *testing.T) {
	m := sample()
	m.BornHost = netip.MustParseAddrPort("[2001:db8::1]:7000")
	data, err := m.Encode()
	if err != nil {
		t.Fatal(err)
	}
	got, n, err := Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	if n != len(data) || got.Topic != m.Topic || got.BornHost != m.BornHost || got.SysFlag&SysFlagBornHostV6 == 0 ||
		!bytes.Equal(got.Body, m.Body) || got.Properties[PropKeys] != "k1 k2" {
		t.Errorf("got %+v", got)
	}
	Stamp(data, 1, 2, 3)
	meta, err := ReadMeta(data)
	if err != nil {
		t.Fatal(err)
	}
	if meta != (Meta{Topic: "orders", QueueID: 3, QueueOffset: 2, StoreTimestamp: 3}) {
		t.Errorf("meta after stamp = %+v", meta)
	}
	if again, _, _ := Decode(data); again.CommitLogOffset != 1 {
		t.Errorf("commit-log offset after stamp = %d", again.CommitLogOffset)
	}
}

func TestDecodeRejectsEveryTruncation(t *testing.T) {
	data, _ := sample().Encode()
	for i := 0; i < len(data); i++ {
		if _, _, err := Decode(data[:i]); !errors.Is(err, ErrMalformed) {
			t.Fatalf("truncated to %d bytes: err = %v", i, err)
		}
	}
}

func TestOffsetMsgIDRoundTrip(t *testing.T) {
	host := netip.MustParseAddrPort("127.0.0.1:20911")
	id := OffsetMsgID(host, 1000)
	if id != "7F000001000051AF00000000000003E8" { // reference §7.3
		t.Fatalf("id = %s", id)
	}
	gotHost, off, err := ParseOffsetMsgID(id)
	if err != nil || gotHost != host || off != 1000 {
		t.Errorf("parse = %v %d %v", gotHost, off, err)
	}
	if _, _, err := ParseOffsetMsgID("XYZ"); err == nil {
		t.Error("short id parsed")
	}
}

func TestProperties(t *testing.T) {
	// The Go client writes a trailing separator; Java does not.
	p := ParseProperties("a\x011\x02b\x012\x02broken\x02")
	if len(p) != 2 || p["a"] != "1" || p["b"] != "2" {
		t.Errorf("parsed %v", p)
	}
	if got := ParseProperties(p.String()); len(got) != 2 || got["b"] != "2" {
		t.Errorf("round trip %v", got)
	}
}

func TestDecodeBatch(t *testing.T) {
	// Layout as primitive.Message.Marshal writes batch entries (reference §5.3).
	msg := &primitive.Message{Body: []byte("one")}
	msg.WithProperty("KEYS", "k")
	entries, err := DecodeBatch(append(msg.Marshal(), msg.Marshal()...))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 || string(entries[1].Body) != "one" || entries[1].Properties["KEYS"] != "k" {
		t.Errorf("entries = %+v", entries)
	}
	if _, err := DecodeBatch([]byte{0, 0, 0, 9, 1}); err == nil {
		t.Error("garbage batch decoded")
	}
}

func TestReadHead(t *testing.T) {
	for _, tc := range []struct {
		name string
		host string
	}{{"IPv4 hosts", "127.0.0.1:9876"}, {"IPv6 hosts", "[::1]:9876"}} {
		t.Run(tc.name, func(t *testing.T) {
			m := sample()
			m.BornHost = netip.MustParseAddrPort(tc.host)
			m.StoreHost = netip.MustParseAddrPort(tc.host)
			m.Properties["DUP"] = "first"
			data, err := m.Encode()
			if err != nil {
				t.Fatal(err)
			}
			h, err := ReadHead(data)
			if err != nil {
				t.Fatalf("ReadHead: %v", err)
			}
			if h.QueueOffset != 11 || h.CommitLogOffset != 4096 || h.ReconsumeTimes != 2 || h.StoreHost != m.StoreHost {
				t.Errorf("head %+v, want queue offset 11, commit-log offset 4096, reconsume times 2, store host %v", h, m.StoreHost)
			}
			for name, want := range map[string]string{PropKeys: "k1 k2", PropUniqKey: "ABC", PropTags: "TagA", "DUP": "first", "NONE": "", "": ""} {
				if got := h.Property(name); got != want {
					t.Errorf("Property(%q) = %q, want %q", name, got, want)
				}
			}
			if _, err := ReadHead(data[:len(data)-3]); !errors.Is(err, ErrMalformed) {
				t.Errorf("ReadHead of a truncated message: %v, want ErrMalformed", err)
			}
		})
	}
}

func TestHeadPropertyMatchesParse(t *testing.T) {
	for _, raw := range []string{"", "A\x01x", "A\x01x\x02", "A\x01x\x02A\x01y", "A\x01x\x01z\x02B\x01y", "\x02\x02A\x01", "B\x01\x02A"} {
		h := Head{props: []byte(raw)}
		p := ParseProperties(raw)
		for _, name := range []string{"A", "B"} {
			if got, want := h.Property(name), p[name]; got != want {
				t.Errorf("%q: Property(%q) = %q, ParseProperties says %q", raw, name, got, want)
			}
		}
	}
}

func BenchmarkReadHead(b *testing.B) {
	data, err := sample().Encode()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		h, err := ReadHead(data)
		if err != nil || h.Property("NONE") != "" {
			b.Fatal("bad head")
		}
	}
}
