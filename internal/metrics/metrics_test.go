package metrics

import (
	"bufio"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"
)

// expose returns r's exposition text, checking that WriteTo's count matches.
func expose(t testing.TB, r *Registry) string {
	t.Helper()
	var sb strings.Builder
	n, err := r.WriteTo(&sb)
	if err != nil {
		t.Fatalf("WriteTo: %v", err)
	}
	if n != int64(sb.Len()) {
		t.Fatalf("WriteTo returned %d, wrote %d bytes", n, sb.Len())
	}
	return sb.String()
}

func assertText(t *testing.T, r *Registry, want string) {
	t.Helper()
	got := expose(t, r)
	if got != want {
		t.Errorf("exposition:\n--- got ---\n%s--- want ---\n%s", got, want)
	}
	if err := parse(got); err != nil {
		t.Errorf("parse: %v", err)
	}
}

func TestCounter(t *testing.T) {
	r := NewRegistry()
	plain := r.Counter("vtr_imports_total", "Imports run.")
	req := r.Counter("vtr_http_requests_total", "HTTP requests served,\nby route and code; C:\\ paths too.", "route", "code")
	r.Counter("vtr_unused_total", "Never incremented.", "kind")

	plain.With().Inc()
	plain.With().Add(2)
	req.With("GET /v1/packages", "200").Add(3)
	req.With("GET /v1/packages", "200").Inc()
	req.With("POST /v1/import", "400").Add(0.5)
	req.With("GET /v1/packages", "500").Inc()
	req.With(`a "quoted"`+"\nnew\\line", "200").Inc()
	req.With("\xff", "200").Inc() // invalid UTF-8 is recorded as U+FFFD

	assertText(t, r, `# HELP vtr_imports_total Imports run.
# TYPE vtr_imports_total counter
vtr_imports_total 3
# HELP vtr_http_requests_total HTTP requests served,\nby route and code; C:\\ paths too.
# TYPE vtr_http_requests_total counter
vtr_http_requests_total{route="GET /v1/packages",code="200"} 4
vtr_http_requests_total{route="GET /v1/packages",code="500"} 1
vtr_http_requests_total{route="POST /v1/import",code="400"} 0.5
vtr_http_requests_total{route="a \"quoted\"\nnew\\line",code="200"} 1
vtr_http_requests_total{route="`+"\uFFFD"+`",code="200"} 1
# HELP vtr_unused_total Never incremented.
# TYPE vtr_unused_total counter
`)
	if got := req.With("GET /v1/packages", "200").Value(); got != 4 {
		t.Errorf("Value = %v, want 4", got)
	}
}

func TestGauge(t *testing.T) {
	r := NewRegistry()
	g := r.Gauge("vtr_in_flight", "Requests in flight.")
	q := r.Gauge("vtr_queue_depth", "", "queue")
	open := 7
	r.GaugeFunc("vtr_open_conns", "Open connections.", func() float64 { return float64(open) })

	g.With().Inc()
	g.With().Inc()
	g.With().Dec()
	g.With().Add(-3.25)
	q.With("b").Set(math.Inf(+1))
	q.With("a").Set(1e21)
	q.With("c").Set(math.NaN())
	q.With("d").Set(math.Inf(-1))
	q.With("e").Set(-0.0)
	q.With("f").Set(1e-5)
	q.With("g").Set(-1 << 53)
	open = 9

	assertText(t, r, `# HELP vtr_in_flight Requests in flight.
# TYPE vtr_in_flight gauge
vtr_in_flight -2.25
# TYPE vtr_queue_depth gauge
vtr_queue_depth{queue="a"} 1e+21
vtr_queue_depth{queue="b"} +Inf
vtr_queue_depth{queue="c"} NaN
vtr_queue_depth{queue="d"} -Inf
vtr_queue_depth{queue="e"} 0
vtr_queue_depth{queue="f"} 1e-05
vtr_queue_depth{queue="g"} -9007199254740992
# HELP vtr_open_conns Open connections.
# TYPE vtr_open_conns gauge
vtr_open_conns 9
`)
}

func TestHistogram(t *testing.T) {
	r := NewRegistry()
	h := r.Histogram("vtr_http_request_duration_seconds", "Request latency.", []float64{0.1, 0.5, 1, math.Inf(+1)}, "route")
	d := r.Histogram("vtr_import_seconds", "Import duration.", nil)

	for _, v := range []float64{0.05, 0.1, 0.3, 2, math.Inf(+1)} {
		h.With(`GET /v1/{id}`).Observe(v)
	}
	h.With(`GET /`).Observe(0.75)
	d.With().Observe(0.002)
	d.With().Observe(12)

	assertText(t, r, `# HELP vtr_http_request_duration_seconds Request latency.
# TYPE vtr_http_request_duration_seconds histogram
vtr_http_request_duration_seconds_bucket{route="GET /",le="0.1"} 0
vtr_http_request_duration_seconds_bucket{route="GET /",le="0.5"} 0
vtr_http_request_duration_seconds_bucket{route="GET /",le="1"} 1
vtr_http_request_duration_seconds_bucket{route="GET /",le="+Inf"} 1
vtr_http_request_duration_seconds_sum{route="GET /"} 0.75
vtr_http_request_duration_seconds_count{route="GET /"} 1
vtr_http_request_duration_seconds_bucket{route="GET /v1/{id}",le="0.1"} 2
vtr_http_request_duration_seconds_bucket{route="GET /v1/{id}",le="0.5"} 3
vtr_http_request_duration_seconds_bucket{route="GET /v1/{id}",le="1"} 3
vtr_http_request_duration_seconds_bucket{route="GET /v1/{id}",le="+Inf"} 5
vtr_http_request_duration_seconds_sum{route="GET /v1/{id}"} +Inf
vtr_http_request_duration_seconds_count{route="GET /v1/{id}"} 5
# HELP vtr_import_seconds Import duration.
# TYPE vtr_import_seconds histogram
vtr_import_seconds_bucket{le="0.001"} 0
vtr_import_seconds_bucket{le="0.0025"} 1
vtr_import_seconds_bucket{le="0.005"} 1
vtr_import_seconds_bucket{le="0.01"} 1
vtr_import_seconds_bucket{le="0.025"} 1
vtr_import_seconds_bucket{le="0.05"} 1
vtr_import_seconds_bucket{le="0.1"} 1
vtr_import_seconds_bucket{le="0.25"} 1
vtr_import_seconds_bucket{le="0.5"} 1
vtr_import_seconds_bucket{le="1"} 1
vtr_import_seconds_bucket{le="2.5"} 1
vtr_import_seconds_bucket{le="5"} 1
vtr_import_seconds_bucket{le="10"} 1
vtr_import_seconds_bucket{le="+Inf"} 2
vtr_import_seconds_sum 12.002
vtr_import_seconds_count 2
`)
}

func TestHistogramNoSeries(t *testing.T) {
	r := NewRegistry()
	r.Histogram("vtr_latency_seconds", "Latency.", []float64{1}, "route")
	r.Histogram("vtr_size_bytes", "Size.", []float64{1024})
	assertText(t, r, `# HELP vtr_latency_seconds Latency.
# TYPE vtr_latency_seconds histogram
# HELP vtr_size_bytes Size.
# TYPE vtr_size_bytes histogram
vtr_size_bytes_bucket{le="1024"} 0
vtr_size_bytes_bucket{le="+Inf"} 0
vtr_size_bytes_sum 0
vtr_size_bytes_count 0
`)
}

func TestConcurrent(t *testing.T) {
	r := NewRegistry()
	c := r.Counter("vtr_requests_total", "Requests.", "route")
	h := r.Histogram("vtr_latency_seconds", "Latency.", DefBuckets, "route")
	g := r.Gauge("vtr_in_flight", "In flight.")
	f := r.Counter("vtr_bytes_total", "Bytes.")

	const goroutines, each = 64, 2000
	routes := []string{"a", "b", "c", "d"}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	scraped := make(chan error, 1)
	go func() { // scrape while writers run: every scrape must parse
		var err error
		for {
			select {
			case <-stop:
				scraped <- err
				return
			default:
			}
			var sb strings.Builder
			if _, werr := r.WriteTo(&sb); werr != nil {
				err = werr
			} else if perr := parse(sb.String()); perr != nil && err == nil {
				err = perr
			}
		}
	}()
	for i := range goroutines {
		wg.Go(func() {
			route := routes[i%len(routes)]
			for j := range each {
				g.With().Inc()
				c.With(route).Inc()
				c.With("all").Inc()
				h.With(route).Observe(float64(j%100) / 100)
				f.With().Add(0.5)
				g.With().Dec()
			}
		})
	}
	wg.Wait()
	close(stop)
	if err := <-scraped; err != nil {
		t.Errorf("scrape during writes: %v", err)
	}

	if got, want := c.With("all").Value(), float64(goroutines*each); got != want {
		t.Errorf("counter all = %v, want %v", got, want)
	}
	var sum float64
	for _, route := range routes {
		sum += c.With(route).Value()
	}
	if want := float64(goroutines * each); sum != want {
		t.Errorf("sum of route counters = %v, want %v", sum, want)
	}
	if got, want := f.With().Value(), float64(goroutines*each)/2; got != want {
		t.Errorf("float counter = %v, want %v", got, want)
	}
	if got := g.With().Value(); got != 0 {
		t.Errorf("gauge = %v, want 0", got)
	}
	text := expose(t, r)
	wantLine := fmt.Sprintf(`vtr_requests_total{route="all"} %d`, goroutines*each)
	if !strings.Contains(text, wantLine+"\n") {
		t.Errorf("exposition lacks %q", wantLine)
	}
	wantLine = fmt.Sprintf(`vtr_latency_seconds_count{route="a"} %d`, goroutines/len(routes)*each)
	if !strings.Contains(text, wantLine+"\n") {
		t.Errorf("exposition lacks %q", wantLine)
	}
}

func TestPanics(t *testing.T) {
	for _, tt := range []struct {
		name string
		fn   func(r *Registry)
	}{
		{"empty name", func(r *Registry) { r.Counter("", "h") }},
		{"name starts with digit", func(r *Registry) { r.Counter("1abc", "h") }},
		{"name with dash", func(r *Registry) { r.Gauge("vtr-up", "h") }},
		{"name with dot", func(r *Registry) { r.Histogram("vtr.latency", "h", nil) }},
		{"reserved name", func(r *Registry) { r.Counter("__vtr", "h") }},
		{"invalid label", func(r *Registry) { r.Counter("vtr_x", "h", "a:b") }},
		{"label starts with digit", func(r *Registry) { r.Counter("vtr_x", "h", "0a") }},
		{"reserved label", func(r *Registry) { r.Gauge("vtr_x", "h", "__name") }},
		{"empty label", func(r *Registry) { r.Gauge("vtr_x", "h", "") }},
		{"duplicate label", func(r *Registry) { r.Counter("vtr_x", "h", "code", "code") }},
		{"le on histogram", func(r *Registry) { r.Histogram("vtr_x", "h", nil, "le") }},
		{"duplicate name", func(r *Registry) { r.Counter("vtr_x", "h"); r.Gauge("vtr_x", "h") }},
		{"duplicate gauge func", func(r *Registry) { r.GaugeFunc("vtr_x", "h", func() float64 { return 0 }); r.Counter("vtr_x", "h") }},
		{"histogram sample name taken", func(r *Registry) { r.Counter("vtr_x_count", "h"); r.Histogram("vtr_x", "h", nil) }},
		{"histogram takes sample name", func(r *Registry) { r.Histogram("vtr_x", "h", nil); r.Gauge("vtr_x_sum", "h") }},
		{"unsorted buckets", func(r *Registry) { r.Histogram("vtr_x", "h", []float64{1, 0.5}) }},
		{"repeated bucket", func(r *Registry) { r.Histogram("vtr_x", "h", []float64{1, 1}) }},
		{"NaN bucket", func(r *Registry) { r.Histogram("vtr_x", "h", []float64{math.NaN()}) }},
		{"nil gauge func", func(r *Registry) { r.GaugeFunc("vtr_x", "h", nil) }},
		{"too few label values", func(r *Registry) { r.Counter("vtr_x", "h", "a", "b").With("1") }},
		{"too many label values", func(r *Registry) { r.Gauge("vtr_x", "h", "a").With("1", "2") }},
		{"values on unlabelled", func(r *Registry) { r.Histogram("vtr_x", "h", nil).With("1") }},
		{"no values", func(r *Registry) { r.Counter("vtr_x", "h", "a").With() }},
		{"negative add", func(r *Registry) { r.Counter("vtr_x", "h").With().Add(-1) }},
		{"NaN add", func(r *Registry) { r.Counter("vtr_x", "h").With().Add(math.NaN()) }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("no panic")
				}
			}()
			tt.fn(NewRegistry())
		})
	}
}

func TestValidNames(t *testing.T) {
	r := NewRegistry()
	// None of these may panic.
	r.Counter("vtr:requests:rate5m", "colons are for recording rules")
	r.Counter("_x", "h", "_l", "L9", "a_b")
	r.Histogram("vtr_y", "h", []float64{math.Inf(+1)}) // +Inf alone: one bucket
	r.Histogram("vtr_z", "h", []float64{})
	if err := parse(expose(t, r)); err != nil {
		t.Error(err)
	}
}

func TestHandler(t *testing.T) {
	r := NewRegistry()
	r.Counter("vtr_requests_total", "Requests.").With().Inc()
	srv := httptest.NewServer(r.Handler())
	defer srv.Close()

	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("status = %d, want 200", resp.StatusCode)
	}
	if got, want := resp.Header.Get("Content-Type"), "text/plain; version=0.0.4; charset=utf-8"; got != want {
		t.Errorf("Content-Type = %q, want %q", got, want)
	}
	var sb strings.Builder
	if _, err := bufio.NewReader(resp.Body).WriteTo(&sb); err != nil {
		t.Fatal(err)
	}
	if want := "# HELP vtr_requests_total Requests.\n# TYPE vtr_requests_total counter\nvtr_requests_total 1\n"; sb.String() != want {
		t.Errorf("body = %q, want %q", sb.String(), want)
	}

	resp, err = http.Post(srv.URL, "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST status = %d, want 405", resp.StatusCode)
	}
}

type failWriter struct{ after int }

func (w *failWriter) Write(p []byte) (int, error) {
	if len(p) > w.after {
		return w.after, errors.New("disk full")
	}
	w.after -= len(p)
	return len(p), nil
}

func TestWriteToError(t *testing.T) {
	r := NewRegistry()
	c := r.Counter("vtr_requests_total", "Requests.", "id")
	for i := range 1000 {
		c.With(strconv.Itoa(i)).Inc()
	}
	n, err := r.WriteTo(&failWriter{after: 10000})
	if err == nil || err.Error() != "disk full" {
		t.Errorf("err = %v, want disk full", err)
	}
	if n != 10000 {
		t.Errorf("n = %d, want 10000", n)
	}
}

func TestAppendFloat(t *testing.T) {
	for _, tt := range []struct {
		v    float64
		want string
	}{
		{0, "0"}, {math.Copysign(0, -1), "0"}, {1, "1"}, {-1, "-1"}, {42, "42"},
		{1e6, "1000000"}, {1 << 53, "9007199254740992"}, {1 << 54, "1.8014398509481984e+16"},
		{0.1, "0.1"}, {2.5, "2.5"}, {1e-9, "1e-09"}, {123456.789, "123456.789"},
		{math.Inf(+1), "+Inf"}, {math.Inf(-1), "-Inf"}, {math.NaN(), "NaN"},
	} {
		if got := string(appendFloat(nil, tt.v)); got != tt.want {
			t.Errorf("appendFloat(%v) = %q, want %q", tt.v, got, tt.want)
		}
	}
}

// FuzzLabelValue checks that any label value and help text survive the
// exposition: the output parses and the value reads back as written
// (after invalid UTF-8 is replaced).
func FuzzLabelValue(f *testing.F) {
	for _, s := range []string{"", "plain", `a"b`, `c:\d`, "e\nf", "\\\"\n", "\xff\xfe"} {
		f.Add(s, s)
	}
	f.Fuzz(func(t *testing.T, value, help string) {
		r := NewRegistry()
		r.Counter("vtr_c_total", help, "v").With(value).Inc()
		r.Histogram("vtr_h", help, []float64{1}, "v").With(value).Observe(1)
		text := expose(t, r)
		fams, err := parseFamilies(text)
		if err != nil {
			t.Fatalf("%v\n%s", err, text)
		}
		want := strings.ToValidUTF8(value, "\uFFFD")
		wantHelp := strings.ToValidUTF8(help, "\uFFFD")
		for _, fam := range fams {
			if fam.help != wantHelp {
				t.Errorf("%s help = %q, want %q", fam.name, fam.help, wantHelp)
			}
			for _, s := range fam.samples {
				if s.labels["v"] != want {
					t.Errorf("%s label v = %q, want %q", s.name, s.labels["v"], want)
				}
			}
		}
	})
}

func BenchmarkCounterInc(b *testing.B) {
	c := NewRegistry().Counter("vtr_requests_total", "Requests.", "route", "code")
	b.Run("series", func(b *testing.B) {
		s := c.With("GET /v1/packages/{id}", "200")
		b.ReportAllocs()
		for b.Loop() {
			s.Inc()
		}
	})
	b.Run("with", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			c.With("GET /v1/packages/{id}", "200").Inc()
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				c.With("GET /v1/packages/{id}", "200").Inc()
			}
		})
	})
}

func BenchmarkHistogramObserve(b *testing.B) {
	h := NewRegistry().Histogram("vtr_latency_seconds", "Latency.", DefBuckets, "route")
	b.Run("series", func(b *testing.B) {
		s := h.With("GET /v1/packages/{id}")
		b.ReportAllocs()
		v := 0.0
		for b.Loop() {
			s.Observe(v)
			v += 0.0007
		}
	})
	b.Run("with", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			h.With("GET /v1/packages/{id}").Observe(0.042)
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				h.With("GET /v1/packages/{id}").Observe(0.042)
			}
		})
	})
}

func BenchmarkWriteTo(b *testing.B) {
	r := NewRegistry()
	c := r.Counter("vtr_requests_total", "Requests.", "route", "code")
	h := r.Histogram("vtr_latency_seconds", "Latency.", DefBuckets, "route")
	for i := range 50 {
		route := fmt.Sprintf("GET /v1/route%d", i)
		c.With(route, "200").Inc()
		h.With(route).Observe(0.01)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.WriteTo(discard{}); err != nil {
			b.Fatal(err)
		}
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

// TestParse checks that the test's parser catches what it claims to, so
// that the exposition tests passing through it mean something.
func TestParse(t *testing.T) {
	const hist = "# TYPE h histogram\n"
	for _, tt := range []struct{ name, text string }{
		{"no TYPE", "x 1\n"},
		{"other family", "# TYPE x counter\ny 1\n"},
		{"suffix on counter", "# TYPE x counter\nx_count 1\n"},
		{"family twice", "# TYPE x counter\nx 1\n# TYPE x counter\n"},
		{"duplicate sample", "# TYPE x counter\nx{a=\"1\"} 1\nx{a=\"1\"} 2\n"},
		{"negative counter", "# TYPE x counter\nx -1\n"},
		{"bad escape", "# TYPE x gauge\nx{a=\"\\t\"} 1\n"},
		{"unterminated", "# TYPE x gauge\nx{a=\"1} 1\n"},
		{"bad value", "# TYPE x gauge\nx 1e\n"},
		{"no newline", "# TYPE x gauge\nx 1"},
		{"not cumulative", hist + "h_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n"},
		{"le not increasing", hist + "h_bucket{le=\"2\"} 1\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n"},
		{"no +Inf", hist + "h_bucket{le=\"1\"} 1\nh_sum 1\nh_count 1\n"},
		{"+Inf not count", hist + "h_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 1\n"},
		{"no count", hist + "h_bucket{le=\"+Inf\"} 1\nh_sum 1\n"},
		{"le on sum", hist + "h_bucket{le=\"+Inf\"} 1\nh_sum{le=\"1\"} 1\nh_count 1\n"},
	} {
		if err := parse(tt.text); err == nil {
			t.Errorf("%s: parse accepted %q", tt.name, tt.text)
		}
	}
	ok := hist + "h_bucket{a=\"x\",le=\"1\"} 1\nh_bucket{a=\"x\",le=\"+Inf\"} 3\nh_sum{a=\"x\"} 9\nh_count{a=\"x\"} 3\n"
	if err := parse(ok); err != nil {
		t.Errorf("parse rejected a valid histogram: %v", err)
	}
}

// parsedFamily is one family read back by parseFamilies.
type parsedFamily struct {
	name, help, typ string
	samples         []parsedSample
}

type parsedSample struct {
	name   string
	labels map[string]string
	value  float64
}

// parse checks text against the exposition format as this package writes it.
func parse(text string) error {
	_, err := parseFamilies(text)
	return err
}

// parseFamilies is a small parser for the text format 0.0.4. Besides the
// syntax, it checks that every sample belongs to the family declared by the
// TYPE line before it, that no family or sample appears twice, and that each
// histogram's buckets are cumulative, in increasing le order, and end with
// le="+Inf" equal to _count.
func parseFamilies(text string) ([]*parsedFamily, error) {
	if text != "" && !strings.HasSuffix(text, "\n") {
		return nil, errors.New("text does not end with a newline")
	}
	var (
		fams  []*parsedFamily
		cur   *parsedFamily
		seen  = map[string]bool{} // family names
		helps = map[string]string{}
	)
	for i, line := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		if text == "" {
			break
		}
		lineErr := func(format string, args ...any) error {
			return fmt.Errorf("line %d %q: %s", i+1, line, fmt.Sprintf(format, args...))
		}
		if rest, ok := strings.CutPrefix(line, "# HELP "); ok {
			name, help, _ := strings.Cut(rest, " ")
			if !validMetricName(name) {
				return nil, lineErr("invalid name")
			}
			if _, dup := helps[name]; dup {
				return nil, lineErr("second HELP")
			}
			h, err := unescape(help, false)
			if err != nil {
				return nil, lineErr("%v", err)
			}
			helps[name] = h
			continue
		}
		if rest, ok := strings.CutPrefix(line, "# TYPE "); ok {
			name, typ, _ := strings.Cut(rest, " ")
			if !validMetricName(name) {
				return nil, lineErr("invalid name")
			}
			switch typ {
			case "counter", "gauge", "histogram", "summary", "untyped":
			default:
				return nil, lineErr("unknown type")
			}
			if seen[name] {
				return nil, lineErr("family declared twice")
			}
			seen[name] = true
			cur = &parsedFamily{name: name, help: helps[name], typ: typ}
			fams = append(fams, cur)
			continue
		}
		if strings.HasPrefix(line, "#") {
			continue // comment
		}
		s, err := parseSample(line)
		if err != nil {
			return nil, lineErr("%v", err)
		}
		if cur == nil {
			return nil, lineErr("sample before any TYPE line")
		}
		suffix, ok := strings.CutPrefix(s.name, cur.name)
		switch {
		case !ok:
			ok = false
		case cur.typ == "histogram":
			ok = suffix == "_bucket" || suffix == "_sum" || suffix == "_count"
		default:
			ok = suffix == ""
		}
		if !ok {
			return nil, lineErr("sample does not belong to family %s (%s)", cur.name, cur.typ)
		}
		if _, hasLE := s.labels["le"]; hasLE != (suffix == "_bucket") {
			return nil, lineErr("le label on a sample that is not a bucket, or bucket without le")
		}
		if cur.typ == "counter" && !(s.value >= 0) {
			return nil, lineErr("counter value %v", s.value)
		}
		for _, prev := range cur.samples {
			if prev.name == s.name && labelKey(prev.labels, "") == labelKey(s.labels, "") {
				return nil, lineErr("duplicate sample")
			}
		}
		cur.samples = append(cur.samples, s)
	}
	for _, f := range fams {
		if f.typ == "histogram" {
			if err := checkHistogram(f); err != nil {
				return nil, fmt.Errorf("histogram %s: %w", f.name, err)
			}
		}
	}
	return fams, nil
}

// checkHistogram checks each series (label set without le) of f.
func checkHistogram(f *parsedFamily) error {
	type hseries struct {
		les, counts []float64
		count, sum  *float64
	}
	all := map[string]*hseries{}
	var order []string
	for _, s := range f.samples {
		key := labelKey(s.labels, "le")
		h := all[key]
		if h == nil {
			h = &hseries{}
			all[key] = h
			order = append(order, key)
		}
		switch strings.TrimPrefix(s.name, f.name) {
		case "_bucket":
			if h.count != nil {
				return fmt.Errorf("{%s}: bucket after _count", key)
			}
			le, err := parseValue(s.labels["le"])
			if err != nil {
				return fmt.Errorf("{%s}: le: %v", key, err)
			}
			if n := len(h.les); n > 0 && !(le > h.les[n-1]) {
				return fmt.Errorf("{%s}: le %v after %v", key, le, h.les[n-1])
			}
			if n := len(h.counts); n > 0 && s.value < h.counts[n-1] {
				return fmt.Errorf("{%s}: bucket le=%v count %v below the previous %v: not cumulative", key, le, s.value, h.counts[n-1])
			}
			h.les = append(h.les, le)
			h.counts = append(h.counts, s.value)
		case "_sum":
			h.sum = &s.value
		case "_count":
			h.count = &s.value
		}
	}
	for _, key := range order {
		h := all[key]
		n := len(h.les)
		switch {
		case n == 0 || !math.IsInf(h.les[n-1], +1):
			return fmt.Errorf("{%s}: buckets do not end with le=\"+Inf\"", key)
		case h.count == nil || h.sum == nil:
			return fmt.Errorf("{%s}: missing _sum or _count", key)
		case h.counts[n-1] != *h.count:
			return fmt.Errorf("{%s}: +Inf bucket %v, _count %v", key, h.counts[n-1], *h.count)
		}
	}
	return nil
}

// labelKey renders labels, without the one named except, in a canonical order.
func labelKey(labels map[string]string, except string) string {
	var pairs []string
	for k, v := range labels {
		if k != except {
			pairs = append(pairs, strconv.Quote(k)+"="+strconv.Quote(v))
		}
	}
	slices.Sort(pairs)
	return strings.Join(pairs, ",")
}

// parseSample parses `name{label="value",...} value`.
func parseSample(line string) (parsedSample, error) {
	s := parsedSample{labels: map[string]string{}}
	i := strings.IndexAny(line, "{ ")
	if i < 0 {
		return s, errors.New("no value")
	}
	s.name, line = line[:i], line[i:]
	if !validMetricName(s.name) {
		return s, fmt.Errorf("invalid metric name %q", s.name)
	}
	if strings.HasPrefix(line, "{") {
		line = line[1:]
		for !strings.HasPrefix(line, "}") {
			eq := strings.Index(line, `="`)
			if eq < 0 {
				return s, errors.New(`label without ="`)
			}
			name := line[:eq]
			if !validLabelName(name) {
				return s, fmt.Errorf("invalid label name %q", name)
			}
			line = line[eq+2:]
			end := -1 // index of the closing quote
			for j := 0; j < len(line); j++ {
				if line[j] == '\\' {
					j++
				} else if line[j] == '"' {
					end = j
					break
				}
			}
			if end < 0 {
				return s, errors.New("unterminated label value")
			}
			v, err := unescape(line[:end], true)
			if err != nil {
				return s, err
			}
			if _, dup := s.labels[name]; dup {
				return s, fmt.Errorf("label %s twice", name)
			}
			s.labels[name] = v
			line = line[end+1:]
			if rest, ok := strings.CutPrefix(line, ","); ok {
				line = rest
				if strings.HasPrefix(line, "}") {
					return s, errors.New("trailing comma")
				}
			} else if !strings.HasPrefix(line, "}") {
				return s, errors.New("expected , or } after label value")
			}
		}
		line = line[1:]
	}
	value, ok := strings.CutPrefix(line, " ")
	if !ok {
		return s, errors.New("no space before value")
	}
	v, err := parseValue(value)
	if err != nil {
		return s, err
	}
	s.value = v
	return s, nil
}

// parseValue parses a sample value as the format spells it.
func parseValue(s string) (float64, error) {
	switch s {
	case "+Inf":
		return math.Inf(+1), nil
	case "-Inf":
		return math.Inf(-1), nil
	case "NaN":
		return math.NaN(), nil
	}
	if s == "" || strings.ContainsAny(s, " \tIiNn") {
		return 0, fmt.Errorf("invalid value %q", s)
	}
	return strconv.ParseFloat(s, 64)
}

// unescape undoes the format's escapes: \\ and \n, and \" in label values.
func unescape(s string, quoted bool) (string, error) {
	if !utf8.ValidString(s) {
		return "", errors.New("invalid UTF-8")
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\n' || (quoted && c == '"') {
			return "", fmt.Errorf("unescaped %q", c)
		}
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		if i++; i == len(s) {
			return "", errors.New("trailing backslash")
		}
		switch s[i] {
		case '\\':
			b.WriteByte('\\')
		case 'n':
			b.WriteByte('\n')
		case '"':
			if !quoted {
				return "", errors.New(`\" outside a label value`)
			}
			b.WriteByte('"')
		default:
			return "", fmt.Errorf("unknown escape \\%c", s[i])
		}
	}
	return b.String(), nil
}
