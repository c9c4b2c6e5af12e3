// Command mqload measures a RocketMQ name server + broker (minirmq or Apache
// RocketMQ) with rocketmq-client-go: sync-send throughput and latency with N
// producers, and end-to-end latency (send → push-consumer callback) at a
// fixed rate. It only talks to the address it is given.
//
//	mqload -addr 127.0.0.1:9876 -mode send -producers 16 -n 200000 -size 1024
//	mqload -addr 127.0.0.1:9876 -mode e2e -rate 1000 -duration 20s
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/apache/rocketmq-client-go/v2/consumer"
	"github.com/apache/rocketmq-client-go/v2/primitive"
	"github.com/apache/rocketmq-client-go/v2/producer"
	"github.com/apache/rocketmq-client-go/v2/rlog"
)

type options struct {
	addr, mode, topic string
	producers, size   int
	n                 int
	rate              int
	duration          time.Duration
}

func main() {
	var o options
	flag.StringVar(&o.addr, "addr", "127.0.0.1:9876", "name-server address (ip:port)")
	flag.StringVar(&o.mode, "mode", "send", "send (throughput of sync sends) or e2e (send → consume latency)")
	flag.StringVar(&o.topic, "topic", "", "topic (default: a fresh one per run)")
	flag.IntVar(&o.producers, "producers", 1, "concurrent producers, each its own client instance")
	flag.IntVar(&o.size, "size", 1024, "message body bytes")
	flag.IntVar(&o.n, "n", 100000, "messages to send (send mode)")
	flag.IntVar(&o.rate, "rate", 1000, "messages per second (e2e mode)")
	flag.DurationVar(&o.duration, "duration", 20*time.Second, "how long to send (e2e mode)")
	flag.Parse()
	rlog.SetLogLevel("error")
	if o.topic == "" {
		o.topic = "mqload-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	var err error
	switch o.mode {
	case "send":
		err = runSend(ctx, o)
	case "e2e":
		err = runE2E(ctx, o)
	default:
		err = fmt.Errorf("unknown -mode %q (send or e2e)", o.mode)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "mqload:", err)
		os.Exit(1)
	}
}

func newProducer(o options, name string) (rocketmqProducer, error) {
	p, err := producer.NewDefaultProducer(
		producer.WithNsResolver(primitive.NewPassthroughResolver([]string{o.addr})),
		producer.WithInstanceName(name), producer.WithGroupName("mqload"), producer.WithRetry(2))
	if err != nil {
		return nil, err
	}
	return p, p.Start()
}

type rocketmqProducer interface {
	SendSync(context.Context, ...*primitive.Message) (*primitive.SendResult, error)
	Shutdown() error
}

func runSend(ctx context.Context, o options) error {
	prods := make([]rocketmqProducer, o.producers)
	for i := range prods {
		p, err := newProducer(o, fmt.Sprintf("mqload-%d-%d", os.Getpid(), i))
		if err != nil {
			return fmt.Errorf("start producer: %w", err)
		}
		defer p.Shutdown()
		prods[i] = p
	}
	// Warm up routes and connections so the measurement is steady state.
	for _, p := range prods {
		if _, err := p.SendSync(ctx, primitive.NewMessage(o.topic, []byte("warm-up"))); err != nil {
			return fmt.Errorf("warm-up send: %w", err)
		}
	}
	body := make([]byte, o.size)
	var next atomic.Int64
	lat := make([][]time.Duration, o.producers)
	errs := make([]error, o.producers)
	start := time.Now()
	var wg sync.WaitGroup
	for i, p := range prods {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(o.n) && ctx.Err() == nil {
				t0 := time.Now()
				if _, err := p.SendSync(ctx, primitive.NewMessage(o.topic, body)); err != nil {
					errs[i] = err
					return
				}
				lat[i] = append(lat[i], time.Since(t0))
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	if err := errors.Join(errs...); err != nil {
		return err
	}
	all := slices.Concat(lat...)
	fmt.Printf("sync send: %d producers, %d B bodies, %d messages in %v: %.0f msg/s; latency %s\n",
		o.producers, o.size, len(all), elapsed.Round(time.Millisecond), float64(len(all))/elapsed.Seconds(), percentiles(all))
	return nil
}

func runE2E(ctx context.Context, o options) error {
	var mu sync.Mutex
	sent := map[string]time.Time{}
	var lat []time.Duration
	group := o.topic + "-g"
	c, err := consumer.NewPushConsumer(consumer.WithNsResolver(primitive.NewPassthroughResolver([]string{o.addr})),
		consumer.WithGroupName(group), consumer.WithInstance(fmt.Sprintf("mqload-c-%d", os.Getpid())))
	if err != nil {
		return err
	}
	err = c.Subscribe(o.topic, consumer.MessageSelector{}, func(_ context.Context, msgs ...*primitive.MessageExt) (consumer.ConsumeResult, error) {
		now := time.Now()
		mu.Lock()
		for _, m := range msgs {
			if t, ok := sent[string(m.Body)]; ok {
				lat = append(lat, now.Sub(t))
				delete(sent, string(m.Body))
			}
		}
		mu.Unlock()
		return consumer.ConsumeSuccess, nil
	})
	if err != nil {
		return err
	}
	p, err := newProducer(o, fmt.Sprintf("mqload-p-%d", os.Getpid()))
	if err != nil {
		return err
	}
	defer p.Shutdown()
	// The topic must exist before the consumer starts.
	if _, err := p.SendSync(ctx, primitive.NewMessage(o.topic, []byte("warm-up"))); err != nil {
		return err
	}
	if err := c.Start(); err != nil {
		return err
	}
	defer c.Shutdown()

	tick := time.NewTicker(time.Second / time.Duration(o.rate))
	defer tick.Stop()
	deadline := time.Now().Add(o.duration)
	n := 0
	for time.Now().Before(deadline) && ctx.Err() == nil {
		<-tick.C
		key := strconv.Itoa(n)
		n++
		mu.Lock()
		sent[key] = time.Now()
		mu.Unlock()
		if _, err := p.SendSync(ctx, primitive.NewMessage(o.topic, []byte(key))); err != nil {
			return err
		}
	}
	drain := time.Now().Add(10 * time.Second)
	for time.Now().Before(drain) {
		mu.Lock()
		left := len(sent)
		mu.Unlock()
		if left == 0 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	fmt.Printf("end to end: %d messages at %d msg/s, %d received, %d missing; latency %s\n",
		n, o.rate, len(lat), len(sent), percentiles(lat))
	return nil
}

func percentiles(d []time.Duration) string {
	if len(d) == 0 {
		return "n/a"
	}
	slices.Sort(d)
	p := func(q float64) time.Duration {
		return d[min(len(d)-1, int(q*float64(len(d))))].Round(10 * time.Microsecond)
	}
	return fmt.Sprintf("p50 %v, p99 %v, max %v", p(0.50), p(0.99), d[len(d)-1].Round(10*time.Microsecond))
}
