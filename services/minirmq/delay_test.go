package minirmq_test

import (
	"fmt"
	"net/http"
	"sort"
	"testing"
	"time"

	"github.com/apache/rocketmq-client-go/v2/primitive"

	"github.com/rocketmart/rocketmart/services/minirmq"
)

// TestDelayLevels: messages with a delay level arrive no earlier than the
// level's (shortened, see testDelayLevels) delay after sending, in delay
// order even though they are sent longest delay first; a level above the
// table is clamped to the last level.
func TestDelayLevels(t *testing.T) {
	t.Parallel()
	b := startBroker(t)
	topic, group := uniqueName(t, "T"), uniqueName(t, "CG")
	p := b.newProducer(t, uniqueName(t, "PG"))
	last := testDelayLevels[len(testDelayLevels)-1]

	// the consumer is running before the delayed messages are sent, so
	// receive time minus send time is the delay the broker applied
	rec := &recorder{}
	sendSync(t, p, primitive.NewMessage(topic, []byte("no delay")))
	b.startConsumer(t, group, topic, rec, nil)
	eventually(t, 20*time.Second, func() bool { return rec.len() > 0 }, "undelayed message delivered")

	cases := []struct {
		name      string
		level     int
		wantDelay time.Duration
	}{ // sent in this order: longest delay first
		{"above the table", 30, last}, // clamped to level 18
		{"level 18", 18, last},
		{"level 9", 9, testDelayLevels[8]},
		{"level 4", 4, testDelayLevels[3]},
		{"level 1", 1, testDelayLevels[0]},
	}
	sentAt := map[string]time.Time{}
	msgID := map[string]string{}
	for _, c := range cases {
		m := primitive.NewMessage(topic, []byte(c.name)).WithDelayTimeLevel(c.level)
		sentAt[c.name] = time.Now()
		msgID[c.name] = sendSync(t, p, m).MsgID
	}
	eventually(t, 20*time.Second, func() bool { return len(rec.bodies()) == len(cases)+1 },
		"all %d delayed messages delivered; got %s", len(cases), func() string { return fmt.Sprint(rec.bodies()) })

	got := map[string]delivery{}
	for _, d := range rec.all() {
		if _, dup := got[d.Body]; dup {
			t.Errorf("%s: delivered more than once", d.Body)
			continue
		}
		got[d.Body] = d
	}
	for _, c := range cases {
		d := got[c.name]
		waited := d.At.Sub(sentAt[c.name])
		t.Logf("%-16s level %2d: delivered after %v (want ≥ %v)", c.name, c.level, waited.Round(time.Millisecond), c.wantDelay)
		if waited < c.wantDelay-msTolerance {
			t.Errorf("%s: delivered %v after send, want no earlier than %v", c.name, waited, c.wantDelay)
		}
		if d.MsgID != msgID[c.name] || d.Topic != topic {
			t.Errorf("%s: MsgId %s topic %q, want %s %q", c.name, d.MsgID, d.Topic, msgID[c.name], topic)
		}
		if _, ok := d.Props[primitive.PropertyDelayTimeLevel]; ok {
			t.Errorf("%s: delivered message still carries DELAY=%s", c.name, d.Props[primitive.PropertyDelayTimeLevel])
		}
	}

	// delivery order follows the delays (ties between the two clamped ones aside)
	order := append([]delivery(nil), rec.all()...)
	sort.Slice(order, func(i, j int) bool { return order[i].At.Before(order[j].At) })
	wantOrder := []string{"no delay", "level 1", "level 4", "level 9"}
	for i, w := range wantOrder {
		if i < len(order) && order[i].Body != w {
			t.Errorf("delivery #%d is %q, want %q (order by delay %v)", i+1, order[i].Body, w, wantOrder)
		}
	}
}

// TestDelayedView: the admin API counts delayed messages not yet delivered
// by level and by real topic, and forgets them once delivered.
func TestDelayedView(t *testing.T) {
	t.Parallel()
	b := startBroker(t, func(c *minirmq.Config) {
		c.DelayLevels[4] = time.Hour // level 5 never comes due in the test
	})
	topicA, topicB := uniqueName(t, "TA"), uniqueName(t, "TB")
	p := b.newProducer(t, uniqueName(t, "PG"))
	for range 2 {
		sendSync(t, p, primitive.NewMessage(topicA, []byte("a")).WithDelayTimeLevel(5))
	}
	sendSync(t, p, primitive.NewMessage(topicB, []byte("b")).WithDelayTimeLevel(5))
	sendSync(t, p, primitive.NewMessage(topicB, []byte("soon")).WithDelayTimeLevel(1))

	type view struct {
		Pending int64
		ByTopic map[string]int64
		Levels  []struct {
			Level   int
			Pending int64
		}
	}
	var v view
	eventually(t, 10*time.Second, func() bool {
		v = view{}
		b.mustCall(t, "GET", "/api/v1/delayed", "", http.StatusOK, &v)
		return v.Pending == 3
	}, "the level-1 message delivered, three left; got %+v", func() string { return fmt.Sprint(v) })
	if v.ByTopic[topicA] != 2 || v.ByTopic[topicB] != 1 || len(v.Levels) != 1 || v.Levels[0].Level != 5 {
		t.Errorf("delayed = %+v, want 2 of %s and 1 of %s, all in level 5", v, topicA, topicB)
	}
}
