package pipeline

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the runner's Prometheus collectors. A nil *Metrics is valid and
// records nothing.
type Metrics struct {
	RecordsRead    prometheus.Counter     // voc_pipeline_records_read_total
	RecordsWritten prometheus.Counter     // voc_pipeline_records_written_total: delivered to the data sinks
	DeadLetters    *prometheus.CounterVec // voc_pipeline_dead_letters_total{reason}
	StageErrors    prometheus.Counter     // voc_pipeline_stage_errors_total: fatal stage errors
	SinkErrors     *prometheus.CounterVec // voc_pipeline_sink_errors_total{sink}: failed write attempts
	SinkPermanent  *prometheus.CounterVec // voc_pipeline_sink_permanent_errors_total{sink}: errors that stopped the pipeline
	AckErrors      prometheus.Counter     // voc_pipeline_ack_errors_total
	BatchSeconds   prometheus.Histogram   // voc_pipeline_batch_seconds: write of one batch to all sinks, retries included
	BatchRecords   prometheus.Histogram   // voc_pipeline_batch_records
	InFlight       prometheus.Gauge       // voc_pipeline_in_flight: read and not yet acknowledged
	ConsumerLag    prometheus.Gauge       // voc_pipeline_consumer_lag: messages behind the end, set by the source
}

// NewMetrics creates the collectors and registers them with reg (when reg is
// not nil).
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	m := &Metrics{
		RecordsRead: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "voc_pipeline_records_read_total", Help: "Messages read from the source."}),
		RecordsWritten: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "voc_pipeline_records_written_total", Help: "Records written to every data sink and acknowledged."}),
		DeadLetters: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "voc_pipeline_dead_letters_total", Help: "Records routed to the dead-letter sink, by reason."}, []string{"reason"}),
		StageErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "voc_pipeline_stage_errors_total", Help: "Stage errors that stopped the pipeline."}),
		SinkErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "voc_pipeline_sink_errors_total", Help: "Failed batch write attempts, by sink."}, []string{"sink"}),
		SinkPermanent: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "voc_pipeline_sink_permanent_errors_total", Help: "Permanent sink errors (not retried; they stop the pipeline), by sink."}, []string{"sink"}),
		AckErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "voc_pipeline_ack_errors_total", Help: "Acknowledgements the source refused."}),
		BatchSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "voc_pipeline_batch_seconds", Help: "Time to write one batch to all sinks, retries included.",
			Buckets: prometheus.ExponentialBuckets(0.001, 2, 16)}),
		BatchRecords: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "voc_pipeline_batch_records", Help: "Records per batch.",
			Buckets: prometheus.ExponentialBuckets(1, 2, 14)}),
		InFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "voc_pipeline_in_flight", Help: "Records read and not yet acknowledged."}),
		ConsumerLag: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "voc_pipeline_consumer_lag", Help: "Messages between the source's position and the end of its input."}),
	}
	if reg != nil {
		for _, c := range []prometheus.Collector{m.RecordsRead, m.RecordsWritten, m.DeadLetters, m.StageErrors,
			m.SinkErrors, m.SinkPermanent, m.AckErrors, m.BatchSeconds, m.BatchRecords, m.InFlight, m.ConsumerLag} {
			if err := reg.Register(c); err != nil {
				return nil, fmt.Errorf("pipeline: register metrics: %w", err)
			}
		}
	}
	return m, nil
}

// SetConsumerLag sets the consumer lag gauge; sources call it.
func (m *Metrics) SetConsumerLag(n int64) {
	if m != nil {
		m.ConsumerLag.Set(float64(n))
	}
}

func (m *Metrics) read() {
	if m != nil {
		m.RecordsRead.Inc()
		m.InFlight.Inc()
	}
}

func (m *Metrics) released(n int) {
	if m != nil {
		m.InFlight.Sub(float64(n))
	}
}

func (m *Metrics) written(n int) {
	if m != nil {
		m.RecordsWritten.Add(float64(n))
	}
}

func (m *Metrics) deadLetter(reason string) {
	if m != nil {
		m.DeadLetters.WithLabelValues(reason).Inc()
	}
}

func (m *Metrics) stageError() {
	if m != nil {
		m.StageErrors.Inc()
	}
}

func (m *Metrics) sinkError(sink string) {
	if m != nil {
		m.SinkErrors.WithLabelValues(sink).Inc()
	}
}

func (m *Metrics) permanentError(sink string) {
	if m != nil {
		m.SinkPermanent.WithLabelValues(sink).Inc()
	}
}

func (m *Metrics) ackError() {
	if m != nil {
		m.AckErrors.Inc()
	}
}

func (m *Metrics) batch(n int, seconds float64) {
	if m != nil {
		m.BatchRecords.Observe(float64(n))
		m.BatchSeconds.Observe(seconds)
	}
}
