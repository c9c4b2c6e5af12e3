package broker

import (
	"bytes"
	"encoding/binary"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rocketmart/rocketmart/services/minirmq/internal/remoting"
	"github.com/rocketmart/rocketmart/services/minirmq/internal/testpoll"
)

// syncBuffer collects log output written from the broker's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// metricValue reads a counter or gauge from the broker's registry.
func metricValue(t *testing.T, b *Broker, name string) float64 {
	t.Helper()
	mfs, err := b.metrics.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		m := mf.GetMetric()[0]
		if m.GetCounter() != nil {
			return m.GetCounter().GetValue()
		}
		return m.GetGauge().GetValue()
	}
	return 0
}

// waitNoConnections polls until the broker has closed every connection, so
// that whatever it logs and counts for them has happened.
func waitNoConnections(t *testing.T, b *Broker) {
	t.Helper()
	testpoll.Eventually(t, 5*time.Second, "every connection closed", func() bool {
		return metricValue(t, b, "minirmq_connections") == 0
	})
}

func TestClientDisconnectsAreNotBadFrames(t *testing.T) {
	logs := &syncBuffer{}
	b, addr := startBroker(t, func(o *Options) { o.Logger = slog.New(slog.NewTextHandler(logs, nil)) })
	route := func(rc *rawClient) {
		if got := rc.call(remoting.CodeGetRouteInfoByTopic, map[string]string{"topic": "T"}, nil); got.Code != remoting.Success {
			t.Fatalf("route: %d %q", got.Code, got.Remark)
		}
	}
	// 1. A reset between frames (SO_LINGER 0 sends RST: the broker reads ECONNRESET),
	rc := dial(t, addr)
	route(rc)
	rc.c.(*net.TCPConn).SetLinger(0)
	rc.c.Close()
	// 2. an orderly close between frames (EOF),
	rc = dial(t, addr)
	route(rc)
	rc.c.Close()
	// 3. and a reset in the middle of a frame (the client died while writing).
	rc = dial(t, addr)
	route(rc)
	rc.c.Write(binary.BigEndian.AppendUint32(nil, 100))
	rc.c.(*net.TCPConn).SetLinger(0)
	rc.c.Close()
	waitNoConnections(t, b)
	if n := metricValue(t, b, "minirmq_bad_frames_total"); n != 0 {
		t.Errorf("minirmq_bad_frames_total = %v after clean disconnects, want 0", n)
	}
	if strings.Contains(logs.String(), "bad frame") {
		t.Errorf("disconnects logged as bad frames:\n%s", logs)
	}

	// A malformed frame still counts, once.
	rc = dial(t, addr)
	rc.c.Write(append(binary.BigEndian.AppendUint32(nil, 6), 0, 0, 0, 2, '{', '{'))
	if !rc.closedByServer() {
		t.Fatal("malformed frame: connection not closed")
	}
	waitNoConnections(t, b)
	if n := metricValue(t, b, "minirmq_bad_frames_total"); n != 1 {
		t.Errorf("minirmq_bad_frames_total = %v after one malformed frame, want 1", n)
	}
	if !strings.Contains(logs.String(), "closing connection after a bad frame") {
		t.Errorf("malformed frame not logged:\n%s", logs)
	}
}
