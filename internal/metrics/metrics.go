// Package metrics is a small Prometheus instrumentation library for vtr's
// HTTP server: counters, gauges and histograms, with or without labels,
// exposed in the Prometheus text exposition format version 0.0.4.
//
// It uses the standard library only. The full client (prometheus/
// client_golang) brings a dozen transitive modules, protobuf included, for
// features vtr does not use; what vtr needs is a few counters and latency
// histograms on /metrics.
//
// Registering a metric with an invalid or duplicate name, or asking for a
// series with the wrong number of label values, is a programmer error and
// panics. Everything else is safe for concurrent use; once a series exists
// (keep the *Counter, *Gauge or *Histogram, or look it up again with With)
// recording a value is a few atomic operations and does not allocate.
package metrics

import (
	"fmt"
	"math"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"
)

// ContentType is the media type of the text exposition format written by
// WriteTo and served by Handler.
const ContentType = "text/plain; version=0.0.4; charset=utf-8"

// DefBuckets are histogram upper bounds for HTTP request latencies in
// seconds, from 1 ms to 10 s. Registry.Histogram copies its buckets, so
// changing DefBuckets later does not affect registered histograms.
var DefBuckets = []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}

// Registry holds metric families and writes them, in registration order,
// in the text exposition format. The zero value is not usable; call
// NewRegistry.
type Registry struct {
	mu       sync.Mutex
	families []*family
	names    map[string]string // every sample name in use → family that owns it
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{names: make(map[string]string)}
}

// family is one metric name with its HELP, TYPE and samples.
type family struct {
	name, help, typ string
	samples         func(w *expWriter, name string)
}

// register validates a family's names and adds it, panicking on a
// programmer error. suffixes are the sample-name suffixes the family
// writes ("" for the name itself), so that, say, a counter
// "req_count" cannot be registered next to a histogram "req".
func (r *Registry) register(f *family, labels []string, reserved string, suffixes ...string) {
	if !validMetricName(f.name) {
		panic(fmt.Sprintf("metrics: invalid metric name %q", f.name))
	}
	for i, l := range labels {
		if !validLabelName(l) {
			panic(fmt.Sprintf("metrics: %s: invalid label name %q", f.name, l))
		}
		if l == reserved {
			panic(fmt.Sprintf("metrics: %s: label name %q is reserved for %ss", f.name, l, f.typ))
		}
		if slices.Contains(labels[:i], l) {
			panic(fmt.Sprintf("metrics: %s: duplicate label name %q", f.name, l))
		}
	}
	// Help text may come from anywhere; the format is UTF-8.
	f.help = strings.ToValidUTF8(f.help, "\uFFFD")
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range suffixes {
		if owner, ok := r.names[f.name+s]; ok {
			panic(fmt.Sprintf("metrics: %s: sample name %q is already used by metric %q", f.name, f.name+s, owner))
		}
	}
	for _, s := range suffixes {
		r.names[f.name+s] = f.name
	}
	r.families = append(r.families, f)
}

// Counter registers a counter, a value that only goes up (requests served,
// errors), with the given label names. By convention counter names end in
// "_total".
func (r *Registry) Counter(name, help string, labels ...string) *CounterVec {
	v := new(CounterVec)
	v.init(labels, func() *Counter { return new(Counter) })
	r.register(&family{name: name, help: help, typ: "counter", samples: v.samples}, labels, "", "")
	return v
}

// Gauge registers a gauge, a value that goes up and down (requests in
// flight, queue length), with the given label names.
func (r *Registry) Gauge(name, help string, labels ...string) *GaugeVec {
	v := new(GaugeVec)
	v.init(labels, func() *Gauge { return new(Gauge) })
	r.register(&family{name: name, help: help, typ: "gauge", samples: v.samples}, labels, "", "")
	return v
}

// GaugeFunc registers a gauge without labels whose value is fn's result at
// scrape time (open connections, pool size). fn is called once per scrape,
// with no lock of the registry held, and must be safe for concurrent use.
func (r *Registry) GaugeFunc(name, help string, fn func() float64) {
	if fn == nil {
		panic(fmt.Sprintf("metrics: %s: nil function", name))
	}
	samples := func(w *expWriter, name string) {
		w.sample(name, "", nil, nil, "", fn())
	}
	r.register(&family{name: name, help: help, typ: "gauge", samples: samples}, nil, "", "")
}

// Histogram registers a histogram counting observations (request latencies,
// body sizes) into buckets with the given upper bounds, with the given label
// names. buckets must be strictly increasing; a final +Inf bound is implied
// and may be omitted; nil means DefBuckets. The label name "le" is reserved.
func (r *Registry) Histogram(name, help string, buckets []float64, labels ...string) *HistogramVec {
	if buckets == nil {
		buckets = DefBuckets
	}
	upper := slices.Clone(buckets)
	if n := len(upper); n > 0 && math.IsInf(upper[n-1], +1) {
		upper = upper[:n-1]
	}
	for i, b := range upper {
		if math.IsNaN(b) || (i > 0 && b <= upper[i-1]) {
			panic(fmt.Sprintf("metrics: %s: buckets %v are not strictly increasing", name, buckets))
		}
	}
	les := make([]string, len(upper)+1)
	for i, b := range upper {
		les[i] = string(appendFloat(nil, b))
	}
	les[len(upper)] = "+Inf"
	v := &HistogramVec{les: les}
	v.init(labels, func() *Histogram {
		return &Histogram{upper: upper, counts: make([]atomic.Uint64, len(upper)+1)}
	})
	r.register(&family{name: name, help: help, typ: "histogram", samples: v.samples}, labels, "le", "_bucket", "_sum", "_count")
	return v
}

// vec maps label values to the series of one family.
type vec[T any] struct {
	labels []string
	create func() *T

	mu     sync.RWMutex
	series map[string]*series[T] // key: label values, each followed by 0xff
}

// series is one combination of label values and its metric.
type series[T any] struct {
	values []string
	m      *T
}

func (v *vec[T]) init(labels []string, create func() *T) {
	v.labels = slices.Clone(labels)
	v.create = create
	v.series = make(map[string]*series[T])
	if len(labels) == 0 {
		// A metric without labels is exposed (as zero) from the start, so
		// that a scrape tells "nothing happened" from "not instrumented".
		v.series[""] = &series[T]{m: create()}
	}
}

// with returns the series for lvs, creating it on first use. On a hit it
// takes a read lock and does not allocate.
func (v *vec[T]) with(lvs []string) *T {
	if len(lvs) != len(v.labels) {
		panicLabelCount(v.labels, len(lvs))
	}
	var buf [128]byte
	key := buf[:0]
	for _, s := range lvs {
		if !utf8.ValidString(s) {
			// The exposition format is UTF-8; an invalid value (from a
			// request, say) is recorded with U+FFFD rather than panicking
			// in a server. Its key is sanitised too, so it names one series.
			s = strings.ToValidUTF8(s, "\uFFFD")
		}
		// 0xff never occurs in valid UTF-8, so the key is unambiguous.
		key = append(append(key, s...), 0xff)
	}
	v.mu.RLock()
	s := v.series[string(key)]
	v.mu.RUnlock()
	if s != nil {
		return s.m
	}
	return v.add(string(key), lvs)
}

func (v *vec[T]) add(key string, lvs []string) *T {
	v.mu.Lock()
	defer v.mu.Unlock()
	if s := v.series[key]; s != nil {
		return s.m
	}
	values := make([]string, len(lvs))
	for i, s := range lvs {
		values[i] = strings.Clone(strings.ToValidUTF8(s, "\uFFFD"))
	}
	s := &series[T]{values: values, m: v.create()}
	v.series[key] = s
	return s.m
}

// sorted returns the series ordered by label values, for stable output.
func (v *vec[T]) sorted() []*series[T] {
	v.mu.RLock()
	all := make([]*series[T], 0, len(v.series))
	for _, s := range v.series {
		all = append(all, s)
	}
	v.mu.RUnlock()
	slices.SortFunc(all, func(a, b *series[T]) int { return slices.Compare(a.values, b.values) })
	return all
}

func panicLabelCount(labels []string, n int) {
	panic(fmt.Sprintf("metrics: got %d label values, want %d (%s)", n, len(labels), strings.Join(labels, ", ")))
}

// CounterVec is a counter family; With selects one series by label values.
type CounterVec struct{ vec[Counter] }

// With returns the counter for the given label values, one per label name
// in registration order, creating it at zero on first use. It panics if
// the number of values is wrong.
func (v *CounterVec) With(labelValues ...string) *Counter { return v.with(labelValues) }

func (v *CounterVec) samples(w *expWriter, name string) {
	for _, s := range v.sorted() {
		w.sample(name, "", v.labels, s.values, "", s.m.Value())
	}
}

// Counter is one counter series. It is safe for concurrent use.
type Counter struct {
	n    atomic.Uint64 // integer increments: the common case, one atomic add
	bits atomic.Uint64 // float64 bits of the fractional increments
}

// Inc adds 1.
func (c *Counter) Inc() { c.n.Add(1) }

// Add adds v, which must not be negative or NaN: a counter only goes up,
// and Prometheus reads a decrease as a restart.
func (c *Counter) Add(v float64) {
	if v < 0 || math.IsNaN(v) {
		panic(fmt.Sprintf("metrics: counter cannot add %v", v))
	}
	if v <= 1<<53 && v == math.Trunc(v) {
		c.n.Add(uint64(v))
		return
	}
	addFloat(&c.bits, v)
}

// Value returns the current count.
func (c *Counter) Value() float64 {
	return float64(c.n.Load()) + math.Float64frombits(c.bits.Load())
}

// GaugeVec is a gauge family; With selects one series by label values.
type GaugeVec struct{ vec[Gauge] }

// With returns the gauge for the given label values, one per label name in
// registration order, creating it at zero on first use. It panics if the
// number of values is wrong.
func (v *GaugeVec) With(labelValues ...string) *Gauge { return v.with(labelValues) }

func (v *GaugeVec) samples(w *expWriter, name string) {
	for _, s := range v.sorted() {
		w.sample(name, "", v.labels, s.values, "", s.m.Value())
	}
}

// Gauge is one gauge series. It is safe for concurrent use.
type Gauge struct {
	bits atomic.Uint64 // float64 bits
}

// Set sets the gauge to v.
func (g *Gauge) Set(v float64) { g.bits.Store(math.Float64bits(v)) }

// Add adds v, which may be negative.
func (g *Gauge) Add(v float64) { addFloat(&g.bits, v) }

// Inc adds 1.
func (g *Gauge) Inc() { addFloat(&g.bits, 1) }

// Dec subtracts 1.
func (g *Gauge) Dec() { addFloat(&g.bits, -1) }

// Value returns the gauge's current value.
func (g *Gauge) Value() float64 { return math.Float64frombits(g.bits.Load()) }

// HistogramVec is a histogram family; With selects one series by label
// values.
type HistogramVec struct {
	vec[Histogram]
	les []string // formatted upper bounds, "+Inf" last
}

// With returns the histogram for the given label values, one per label
// name in registration order, creating it empty on first use. It panics if
// the number of values is wrong.
func (v *HistogramVec) With(labelValues ...string) *Histogram { return v.with(labelValues) }

func (v *HistogramVec) samples(w *expWriter, name string) {
	counts := make([]uint64, len(v.les))
	for _, s := range v.sorted() {
		h := s.m
		// Buckets are read once and the count derived from them, so that
		// +Inf always equals _count even while observations arrive; _sum
		// may be a few observations ahead or behind.
		var cum uint64
		for i := range counts {
			cum += h.counts[i].Load()
			counts[i] = cum
		}
		for i, c := range counts {
			w.sample(name, "_bucket", v.labels, s.values, v.les[i], float64(c))
		}
		w.sample(name, "_sum", v.labels, s.values, "", math.Float64frombits(h.sum.Load()))
		w.sample(name, "_count", v.labels, s.values, "", float64(cum))
	}
}

// Histogram is one histogram series. It is safe for concurrent use.
type Histogram struct {
	upper  []float64       // bucket upper bounds, +Inf implied
	counts []atomic.Uint64 // per bucket, not cumulative; last is +Inf
	sum    atomic.Uint64   // float64 bits
}

// Observe records v: it counts in the first bucket whose upper bound is at
// least v (NaN counts in +Inf only) and adds v to the sum.
func (h *Histogram) Observe(v float64) {
	h.counts[sort.SearchFloat64s(h.upper, v)].Add(1)
	addFloat(&h.sum, v)
}

// addFloat adds v to the float64 whose bits are in u.
func addFloat(u *atomic.Uint64, v float64) {
	for {
		old := u.Load()
		if u.CompareAndSwap(old, math.Float64bits(math.Float64frombits(old)+v)) {
			return
		}
	}
}

// Handler returns an HTTP handler serving the registry's metrics to GET and
// HEAD requests.
func (r *Registry) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.Method != http.MethodGet && req.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		w.Header().Set("Content-Type", ContentType)
		// An error here is the client going away; the status is sent.
		r.WriteTo(w)
	})
}

func validMetricName(s string) bool {
	return validName(s, true)
}

func validLabelName(s string) bool {
	return validName(s, false)
}

// validName reports whether s matches [a-zA-Z_:][a-zA-Z0-9_:]* (metric
// names, colon allowed) or [a-zA-Z_][a-zA-Z0-9_]* (label names), and does
// not start with "__", which Prometheus reserves for internal use.
func validName(s string, colon bool) bool {
	if s == "" || strings.HasPrefix(s, "__") {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '_':
		case c == ':' && colon:
		case c >= '0' && c <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}
