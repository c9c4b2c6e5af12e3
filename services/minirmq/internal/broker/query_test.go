package broker

import (
	"fmt"
	"strings"
	"testing"

	"github.com/rocketmart/rocketmart/services/minirmq/internal/wire"
)

// Key search reads queues in pages capped in bytes; a short page must not
// make it skip the messages after it.
func TestSearchKeyFindsMessagesPastAShortPage(t *testing.T) {
	b, _ := startBroker(t)
	body := []byte(strings.Repeat("x", 300<<10)) // a page of 256 of these exceeds any byte cap in use
	for i := 0; i < 300; i++ {
		m := &wire.Message{Topic: "big", QueueID: 0, Body: body,
			Properties: wire.Properties{wire.PropKeys: fmt.Sprintf("order-%d", i)}}
		if _, err := b.put(m); err != nil {
			t.Fatal(err)
		}
	}
	for _, key := range []string{"order-0", "order-230", "order-299"} {
		got, err := b.SearchKey("big", key, 100000)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].Keys != key {
			t.Errorf("search %s found %d messages, want exactly that one", key, len(got))
		}
	}
}
