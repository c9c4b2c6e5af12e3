package broker

import "github.com/prometheus/client_golang/prometheus"

// Metrics are the broker's Prometheus collectors.
type Metrics struct {
	Registry      *prometheus.Registry
	messagesIn    prometheus.Counter
	messagesOut   prometheus.Counter
	requests      *prometheus.CounterVec
	halvesPending prometheus.Gauge
	txOutcomes    *prometheus.CounterVec
	checksSent    prometheus.Counter
	retries       prometheus.Counter
	deadLetters   prometheus.Counter
	heldPulls     prometheus.Gauge
	connections   prometheus.Gauge
	badFrames     prometheus.Counter
	faultsFired   *prometheus.CounterVec
}

func newMetrics() *Metrics {
	m := &Metrics{
		Registry:      prometheus.NewRegistry(),
		messagesIn:    prometheus.NewCounter(prometheus.CounterOpts{Name: "minirmq_messages_in_total", Help: "Records appended to the commit log (sends, retries, commits, deliveries of delayed messages)."}),
		messagesOut:   prometheus.NewCounter(prometheus.CounterOpts{Name: "minirmq_messages_out_total", Help: "Messages returned by pulls."}),
		requests:      prometheus.NewCounterVec(prometheus.CounterOpts{Name: "minirmq_requests_total", Help: "Remoting requests by request code."}, []string{"code"}),
		halvesPending: prometheus.NewGauge(prometheus.GaugeOpts{Name: "minirmq_halves_pending", Help: "Transactional half messages not yet committed or rolled back."}),
		txOutcomes:    prometheus.NewCounterVec(prometheus.CounterOpts{Name: "minirmq_transactions_total", Help: "Half messages decided, by outcome."}, []string{"outcome"}),
		checksSent:    prometheus.NewCounter(prometheus.CounterOpts{Name: "minirmq_tx_checks_sent_total", Help: "CHECK_TRANSACTION_STATE requests sent to producers."}),
		retries:       prometheus.NewCounter(prometheus.CounterOpts{Name: "minirmq_retries_total", Help: "Messages sent back by consumers and scheduled for retry."}),
		deadLetters:   prometheus.NewCounter(prometheus.CounterOpts{Name: "minirmq_dead_letters_total", Help: "Messages moved to a dead-letter queue."}),
		heldPulls:     prometheus.NewGauge(prometheus.GaugeOpts{Name: "minirmq_pulls_held", Help: "Pull requests parked by long polling."}),
		connections:   prometheus.NewGauge(prometheus.GaugeOpts{Name: "minirmq_connections", Help: "Open client connections."}),
		badFrames:     prometheus.NewCounter(prometheus.CounterOpts{Name: "minirmq_bad_frames_total", Help: "Connections closed because of a malformed or oversized frame."}),
		faultsFired:   prometheus.NewCounterVec(prometheus.CounterOpts{Name: "minirmq_faults_fired_total", Help: "Hits of armed workshop faults (pulls paused or delayed, messages duplicated, check-backs delayed or dropped)."}, []string{"point", "action"}),
	}
	m.Registry.MustRegister(m.messagesIn, m.messagesOut, m.requests, m.halvesPending, m.txOutcomes,
		m.checksSent, m.retries, m.deadLetters, m.heldPulls, m.connections, m.badFrames, m.faultsFired,
		prometheus.NewGoCollector(), prometheus.NewProcessCollector(prometheus.ProcessCollectorOpts{}))
	return m
}
