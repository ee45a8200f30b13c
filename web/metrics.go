package web

import "github.com/vtr-project/vtr/internal/metrics"

// serverMetrics are the server's Prometheus metrics.
type serverMetrics struct {
	reg        *metrics.Registry
	requests   *metrics.CounterVec   // route, method, status
	latency    *metrics.HistogramVec // route
	records    *metrics.CounterVec   // type, source
	rejected   *metrics.CounterVec   // source
	classes    *metrics.CounterVec   // class
	verdicts   *metrics.CounterVec   // status, reason
	signatures *metrics.CounterVec   // source
	inFlight   *metrics.GaugeVec
}

func newServerMetrics() *serverMetrics {
	r := metrics.NewRegistry()
	return &serverMetrics{
		reg:        r,
		requests:   r.Counter("vtr_http_requests_total", "HTTP requests answered, by route pattern, method and status.", "route", "method", "status"),
		latency:    r.Histogram("vtr_http_request_duration_seconds", "Time to answer an HTTP request, by route pattern.", metrics.DefBuckets, "route"),
		records:    r.Counter("vtr_records_ingested_total", "Records committed, by record type and source (api, spapi, or the webhook's format).", "type", "source"),
		rejected:   r.Counter("vtr_records_rejected_total", "Records or lines rejected, by source.", "source"),
		classes:    r.Counter("vtr_events_total", "Carrier events received, by event class (unknown: no table classified the code).", "class"),
		verdicts:   r.Counter("vtr_verdicts_total", "Package verdicts answered to shipment confirmations, by status and reason (\"\" for none).", "status", "reason"),
		signatures: r.Counter("vtr_webhook_signature_failures_total", "Webhook deliveries refused for a missing, bad or stale signature, by format.", "source"),
		inFlight:   r.Gauge("vtr_http_requests_in_flight", "HTTP requests being answered."),
	}
}
