package minirmq_test

// Producers and consumers of the real client, and what consumers saw.

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	rocketmq "github.com/apache/rocketmq-client-go/v2"
	"github.com/apache/rocketmq-client-go/v2/consumer"
	"github.com/apache/rocketmq-client-go/v2/primitive"
	"github.com/apache/rocketmq-client-go/v2/producer"
)

func (b *broker) newProducer(t *testing.T, group string) rocketmq.Producer {
	t.Helper()
	p, err := rocketmq.NewProducer(
		producer.WithNsResolver(b.nameServer()),
		producer.WithGroupName(group),
		producer.WithInstanceName(uniqueName(t, "prod")),
		producer.WithRetry(2),
	)
	if err != nil {
		t.Fatalf("NewProducer: %v", err)
	}
	if err := p.Start(); err != nil {
		t.Fatalf("producer Start: %v", err)
	}
	t.Cleanup(func() { _ = p.Shutdown() })
	return p
}

// txProducer is a started transactional producer and its instance name.
type txProducer struct {
	rocketmq.TransactionProducer
	instance string
}

func (b *broker) newTxProducer(t *testing.T, group string, l primitive.TransactionListener) *txProducer {
	t.Helper()
	instance := uniqueName(t, "txprod")
	p, err := rocketmq.NewTransactionProducer(l,
		producer.WithNsResolver(b.nameServer()),
		producer.WithGroupName(group),
		producer.WithInstanceName(instance),
		producer.WithRetry(1),
	)
	if err != nil {
		t.Fatalf("NewTransactionProducer: %v", err)
	}
	if err := p.Start(); err != nil {
		t.Fatalf("transaction producer Start: %v", err)
	}
	t.Cleanup(func() { _ = p.Shutdown() })
	return &txProducer{TransactionProducer: p, instance: instance}
}

// sendSync sends one message (or one batch) and fails the test unless it is stored.
func sendSync(t *testing.T, p rocketmq.Producer, msgs ...*primitive.Message) *primitive.SendResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := p.SendSync(ctx, msgs...)
	if err != nil {
		t.Fatalf("SendSync: %v", err)
	}
	if res.Status != primitive.SendOK {
		t.Fatalf("SendSync status = %d, want SendOK; %v", res.Status, res)
	}
	return res
}

// delivery is a snapshot of one message handed to a consumer callback.
type delivery struct {
	Consumer       string // instance name of the consumer
	QueueTopic     string // topic of the queue it was pulled from (%RETRY%… for retries)
	QueueID        int
	Topic          string // topic as the client presents it (retry topic restored)
	MsgID          string
	OffsetMsgID    string
	QueueOffset    int64
	ReconsumeTimes int32
	Body           string
	Tags           string
	Keys           string
	Props          map[string]string
	At             time.Time
}

// recorder collects deliveries; its handler answers with decide.
type recorder struct {
	mu   sync.Mutex
	list []delivery
}

func (r *recorder) add(d delivery) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.list = append(r.list, d)
	return len(r.list)
}

func (r *recorder) all() []delivery {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]delivery(nil), r.list...)
}

func (r *recorder) len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.list)
}

// bodies counts deliveries per body.
func (r *recorder) bodies() map[string]int {
	got := map[string]int{}
	for _, d := range r.all() {
		got[d.Body]++
	}
	return got
}

// decideFunc decides the consume result of one delivery; nil means success.
type decideFunc func(ctx context.Context, d delivery) consumer.ConsumeResult

// retryLater asks for redelivery after delay level 1 (100ms with testDelayLevels).
func retryLater(ctx context.Context) consumer.ConsumeResult {
	if cc, ok := primitive.GetConcurrentlyCtx(ctx); ok {
		cc.DelayLevelWhenNextConsume = 1
	}
	return consumer.ConsumeRetryLater
}

type testConsumer struct {
	rocketmq.PushConsumer
	instance string
	group    string
	helper   rocketmq.Producer // see preStartClient; nil unless -race
}

// Shutdown stops the consumer and closes its client instance (the broker
// sees the member leave when the connection closes).
func (c *testConsumer) Shutdown() error {
	err := c.PushConsumer.Shutdown()
	if c.helper != nil {
		_ = c.helper.Shutdown()
	}
	return err
}

// startConsumer starts a clustering push consumer of group on topic (all tags).
func (b *broker) startConsumer(t *testing.T, group, topic string, rec *recorder, decide decideFunc, opts ...consumer.Option) *testConsumer {
	t.Helper()
	instance := uniqueName(t, "cons")
	tc := &testConsumer{instance: instance, group: group}
	if raceEnabled {
		tc.helper = b.preStartClient(t, instance)
	}
	opts = append([]consumer.Option{
		consumer.WithNsResolver(b.nameServer()),
		consumer.WithGroupName(group),
		consumer.WithInstance(instance),
		consumer.WithConsumerModel(consumer.Clustering),
	}, opts...)
	c, err := rocketmq.NewPushConsumer(opts...)
	if err != nil {
		t.Fatalf("NewPushConsumer: %v", err)
	}
	err = c.Subscribe(topic, consumer.MessageSelector{}, func(ctx context.Context, msgs ...*primitive.MessageExt) (consumer.ConsumeResult, error) {
		result := consumer.ConsumeSuccess
		for _, m := range msgs {
			d := snapshot(ctx, instance, m)
			rec.add(d)
			if decide != nil && decide(ctx, d) != consumer.ConsumeSuccess {
				result = consumer.ConsumeRetryLater
			}
		}
		return result, nil
	})
	if err != nil {
		t.Fatalf("Subscribe: %v", err)
	}
	tc.PushConsumer = c
	t.Cleanup(func() { _ = tc.Shutdown() })
	if err := c.Start(); err != nil {
		t.Fatalf("consumer Start (group %s, topic %s): %v", group, topic, err)
	}
	return tc
}

// preStartClient works around a data race inside rocketmq-client-go v2.1.2
// (apache/rocketmq-client-go#961, fixed after v2.1.2) that makes `go test
// -race` fail on almost every run: the client instance's route-refresh timer,
// first run 10 ms after the instance starts, reads SubscriptionData.SubVersion
// with no synchronisation while the consumer's first rebalance writes it.
// Under -race only, the consumer's client instance (same instance name, so
// same ClientID) is started first by a plain producer, and the consumer
// registers after that instance's first timer rounds (route refresh at 10 ms,
// heartbeat at 1 s, observed through the admin API); the next rounds come
// 30 s later. The consumer's own Start reads and its rebalance writes are
// ordered by the client's locks. The producer sends one message to its own
// topic so that it learns the broker address and heartbeats.
func (b *broker) preStartClient(t *testing.T, instance string) rocketmq.Producer {
	t.Helper()
	group := "warm_" + instance
	p, err := rocketmq.NewProducer(
		producer.WithNsResolver(b.nameServer()),
		producer.WithGroupName(group),
		producer.WithInstanceName(instance),
	)
	if err != nil {
		t.Fatalf("NewProducer: %v", err)
	}
	if err := p.Start(); err != nil {
		t.Fatalf("producer Start: %v", err)
	}
	t.Cleanup(func() { _ = p.Shutdown() })
	sendSync(t, p, primitive.NewMessage(group, []byte("client warm-up")))
	eventually(t, 45*time.Second, func() bool {
		for _, id := range b.producerMembers(t, group) {
			if strings.HasSuffix(id, "@"+instance) {
				return true
			}
		}
		return false
	}, "client instance %s heartbeated", instance)
	return p
}

func snapshot(ctx context.Context, instance string, m *primitive.MessageExt) delivery {
	d := delivery{
		Consumer:       instance,
		Topic:          m.Topic,
		MsgID:          m.MsgId,
		OffsetMsgID:    m.OffsetMsgId,
		QueueOffset:    m.QueueOffset,
		ReconsumeTimes: m.ReconsumeTimes,
		Body:           string(m.Body),
		Tags:           m.GetTags(),
		Keys:           m.GetKeys(),
		Props:          m.GetProperties(),
		At:             time.Now(),
	}
	// Orderly consumers have no concurrently context; the client sets Queue.
	if m.Queue != nil {
		d.QueueTopic, d.QueueID = m.Queue.Topic, m.Queue.QueueId
	}
	if cc, ok := primitive.GetConcurrentlyCtx(ctx); ok {
		d.QueueTopic, d.QueueID = cc.MQ.Topic, cc.MQ.QueueId
	}
	return d
}
