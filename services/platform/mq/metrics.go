package mq

import "github.com/prometheus/client_golang/prometheus"

// Consumer outcomes, the values of the "outcome" metric label and of
// ConsumerOptions.Observe's argument.
const (
	OutcomeProcessed = "processed" // the effect was applied
	OutcomeDuplicate = "duplicate" // processed before; acknowledged without effect
	OutcomePoison    = "poison"    // can never be processed; acknowledged without effect
	OutcomeFailed    = "failed"    // the broker redelivers it later
	// OutcomeDeadLettered is a failure on the last allowed attempt: the
	// broker moves the message to the group's dead-letter queue.
	OutcomeDeadLettered = "dead_lettered"
)

// ConsumerMetrics counts deliveries of every consumer of a service in one
// Prometheus counter, rocketmart_consumer_deliveries_total{group,topic,outcome}.
type ConsumerMetrics struct {
	deliveries *prometheus.CounterVec
}

// NewConsumerMetrics registers the counter on reg (the service's HTTP
// server registry, so it appears on /metrics).
func NewConsumerMetrics(reg prometheus.Registerer) *ConsumerMetrics {
	m := &ConsumerMetrics{deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "rocketmart_consumer_deliveries_total",
		Help: "Message deliveries handled by consumers, by consumer group, topic and outcome " +
			"(processed, duplicate, poison, failed, dead_lettered).",
	}, []string{"group", "topic", "outcome"})}
	reg.MustRegister(m.deliveries)
	return m
}

func (m *ConsumerMetrics) observe(group, topic, outcome string) {
	if m != nil {
		m.deliveries.WithLabelValues(group, topic, outcome).Inc()
	}
}
