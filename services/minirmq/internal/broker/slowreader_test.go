package broker

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rocketmart/rocketmart/services/minirmq/internal/remoting"
	"github.com/rocketmart/rocketmart/services/minirmq/internal/wire"
)

// A client that requests far more than it reads only stalls its own
// connection: producers on other connections keep getting answers.
func TestSlowReaderDoesNotBlockProducers(t *testing.T) {
	_, addr := startBroker(t)
	producer := dial(t, addr)
	body := []byte(strings.Repeat("x", 1000))
	for i := 0; i < 32; i++ {
		if resp := producer.call(remoting.CodeSendMessage, sendExt("slow", "0", wire.Properties{}), body); resp.Code != remoting.Success {
			t.Fatalf("send %d: %d %s", i, resp.Code, resp.Remark)
		}
	}

	// The slow reader asks for 32 messages (~33 KiB) thousands of times and
	// reads nothing: its socket buffers and outbound queue fill up.
	slow := dial(t, addr)
	pull := remoting.NewRequest(remoting.CodePullMessage, false, map[string]string{
		"consumerGroup": "g", "topic": "slow", "queueId": "1", "queueOffset": "0", "maxMsgNums": "32",
		"sysFlag": "4", "subscription": "*", // carries its subscription: served without a heartbeat
	}, nil)
	frame, _ := remoting.Encode(pull)
	flood := make(chan error, 1)
	go func() {
		slow.c.SetWriteDeadline(time.Now().Add(20 * time.Second))
		for i := 0; i < 5000; i++ {
			if _, err := slow.c.Write(frame); err != nil {
				flood <- err // the server stopped reading from us: expected
				return
			}
		}
		flood <- nil
	}()

	deadline := time.Now().Add(5 * time.Second)
	for i := 0; i < 200; i++ {
		producer.c.SetDeadline(deadline)
		if resp := producer.call(remoting.CodeSendMessage, sendExt("slow", "0", wire.Properties{}), body); resp.Code != remoting.Success {
			t.Fatalf("send during the flood: %d %s", resp.Code, resp.Remark)
		}
	}
	got := producer.call(remoting.CodeGetMaxOffset, map[string]string{"topic": "slow", "queueId": "1"}, nil).Ext("offset")
	if want := strconv.Itoa(232); got != want {
		t.Errorf("stored %s messages, want %s", got, want)
	}
	slow.c.Close()
	<-flood
}
