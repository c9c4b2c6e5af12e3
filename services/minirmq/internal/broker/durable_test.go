package broker

import (
	"io"
	"log/slog"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/rocketmart/rocketmart/services/minirmq/internal/remoting"
	"github.com/rocketmart/rocketmart/services/minirmq/internal/store"
	"github.com/rocketmart/rocketmart/services/minirmq/internal/wire"
)

// TestFsyncAnswersAfterGroupCommit: with -fsync, the answer to a send and a
// half message leaves only once the group commit has put the
// stored records on disk, although the broker appends without waiting while
// it holds its state lock. The background flush is off, so only the group
// commit can have synced them.
func TestFsyncAnswersAfterGroupCommit(t *testing.T) {
	st, err := store.Open(store.Options{Dir: t.TempDir(), Fsync: true, FlushInterval: 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	_, addr := startBrokerOn(t, st)
	rc := dial(t, addr)
	check := func(what string, resp *remoting.Command) {
		t.Helper()
		if resp.Code != remoting.Success {
			t.Fatalf("%s: %d %s", what, resp.Code, resp.Remark)
		}
		if _, end := st.CommitLogRange(); st.DurableOffset() < end {
			t.Errorf("%s answered with the log on disk up to %d of %d", what, st.DurableOffset(), end)
		}
	}
	check("send", rc.call(remoting.CodeSendMessage, sendExt("D", "0", wire.Properties{}), []byte("x")))
	check("half message", rc.call(remoting.CodeSendMessage, sendExt("D", "0", wire.Properties{wire.PropTranMsg: "true", wire.PropProducerGroup: "pg"}), []byte("h")))
}

// startBrokerOn is startBroker on a given store.
func startBrokerOn(t *testing.T, st *store.Store) (*Broker, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	b, err := New(Options{
		Advertise: netip.MustParseAddrPort(ln.Addr().String()), ClusterName: "c", BrokerName: "b",
		DefaultQueues: 4, TxCheckAfter: time.Hour, TxCheckInterval: time.Hour, TxCheckMax: 1,
		DelayLevels: []time.Duration{time.Second}, MaxFrameBytes: 1 << 20, MaxMessageBytes: 1 << 10,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}, st)
	if err != nil {
		t.Fatal(err)
	}
	go b.Serve(ln)
	t.Cleanup(func() { b.Close(); st.Close() })
	return b, ln.Addr().String()
}
