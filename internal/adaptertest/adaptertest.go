// Package adaptertest is the test harness the webhook adapters (aftership,
// easypost, track17) share: golden files, the table of class judgements,
// the tables of rejected bodies and of signature checks, the fuzz target,
// the benchmark and the check of a carrier table. Each adapter's tests keep
// their own data (samples, cases, test vectors); only the running of it
// lives here, so the three adapters are tested to the same standard.
//
// The table types are slices of unnamed structs so that an adapter's test
// writes its rows positionally, as it would a table of its own.
package adaptertest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/internal/adapter"
	"github.com/vtr-project/vtr/tracking"
)

// ParseFunc is an adapter's Parse: a raw payload to events, or an error and
// no events.
type ParseFunc func(body []byte) ([]vtr.Event, error)

// VerifyFunc is an adapter's Verify: nil when the request's signature
// matches its body, a vtr.Error otherwise.
type VerifyFunc func(body []byte, header http.Header, secret string, now time.Time) error

// Samples returns the payloads in testdata/*.json, the real (and varied)
// samples every adapter keeps, and fails the test when there are none.
func Samples(t testing.TB) []string {
	t.Helper()
	files, err := filepath.Glob("testdata/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no testdata/*.json: %v", err)
	}
	return files
}

// render is the golden form of a Parse result: one JSON event per line, or
// one {"error": …} line.
func render(t *testing.T, events []vtr.Event, err error) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err != nil {
		b, _ := json.Marshal(map[string]string{"error": err.Error()})
		buf.Write(b)
		buf.WriteByte('\n')
		return buf.Bytes()
	}
	for i := range events {
		b, merr := json.Marshal(&events[i])
		if merr != nil {
			t.Fatalf("marshal event %d: %v", i, merr)
		}
		buf.Write(b)
		buf.WriteByte('\n')
	}
	return buf.Bytes()
}

// Golden parses every testdata/*.json sample, in a subtest named after the
// file, and compares the result, one JSON event a line or one {"error": …}
// line, with testdata/<name>.golden, failing at the first line that
// differs. With update it rewrites the golden files instead; the caller
// owns the -update flag.
func Golden(t *testing.T, parse ParseFunc, update bool) {
	t.Helper()
	for _, f := range Samples(t) {
		t.Run(filepath.Base(f), func(t *testing.T) {
			body, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			events, perr := parse(body)
			got := render(t, events, perr)
			golden := strings.TrimSuffix(f, ".json") + ".golden"
			if update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
				for i := 0; i < len(gl) || i < len(wl); i++ {
					var g, w string
					if i < len(gl) {
						g = gl[i]
					}
					if i < len(wl) {
						w = wl[i]
					}
					if g != w {
						t.Fatalf("%s line %d:\n got %s\nwant %s\n(go test -update rewrites the golden file; review the diff)", golden, i+1, g, w)
					}
				}
			}
		})
	}
}

// Classes is a table of the judgements a sample's golden file was reviewed
// for: the sample in testdata, how many events Parse makes of it, and the
// judgements of some of them.
type Classes []struct {
	File string
	N    int
	Want Judgements
}

// Judgements are the status, class and ReportedBy of events, by index in
// the result of Parse.
type Judgements []struct {
	I      int
	Status vtr.EventStatus
	Class  vtr.EventClass
	By     string
}

// Run parses each sample and checks its event count and judgements.
func (tests Classes) Run(t *testing.T, parse ParseFunc) {
	t.Helper()
	for _, tt := range tests {
		body, err := os.ReadFile(filepath.Join("testdata", tt.File))
		if err != nil {
			t.Fatal(err)
		}
		events, err := parse(body)
		if err != nil {
			t.Fatalf("%s: %v", tt.File, err)
		}
		if len(events) != tt.N {
			t.Fatalf("%s: got %d events, want %d", tt.File, len(events), tt.N)
		}
		for _, w := range tt.Want {
			e := events[w.I]
			if e.Status != w.Status || e.Class != w.Class || e.ReportedBy != w.By {
				t.Errorf("%s event %d (%q): got %s/%s by %q (rule %s), want %s/%s by %q",
					tt.File, w.I, e.Description, e.Status, e.Class, e.ReportedBy, e.ClassRule, w.Status, w.Class, w.By)
			}
		}
	}
}

// ParseErrors is a table of bodies Parse must reject: a case name, the
// body, and a piece of the error message that names what is wrong.
type ParseErrors []struct{ Name, Body, Want string }

// Run checks that Parse rejects each body with a vtr.EINVALID error
// containing Want, and returns no events with it.
func (tests ParseErrors) Run(t *testing.T, parse ParseFunc) {
	t.Helper()
	for _, tt := range tests {
		events, err := parse([]byte(tt.Body))
		if err == nil || !strings.Contains(err.Error(), tt.Want) {
			t.Errorf("%s: got %v, want an error containing %q", tt.Name, err, tt.Want)
		}
		if events != nil {
			t.Errorf("%s: got %d events with the error, want none", tt.Name, len(events))
		}
		if vtr.ErrorCode(err) != vtr.EINVALID {
			t.Errorf("%s: error code %q, want %q", tt.Name, vtr.ErrorCode(err), vtr.EINVALID)
		}
	}
}

// Signatures is a table of requests for Verify: a case name, the body, the
// headers, the configured secret, the time of receipt, and the vtr error
// code Verify must return ("" for a valid request).
type Signatures []struct {
	Name   string
	Body   []byte
	Header http.Header
	Secret string
	Now    time.Time
	Code   string
}

// Run checks the error code Verify returns for each request.
func (tests Signatures) Run(t *testing.T, verify VerifyFunc) {
	t.Helper()
	for _, tt := range tests {
		err := verify(tt.Body, tt.Header, tt.Secret, tt.Now)
		if got := vtr.ErrorCode(err); got != tt.Code {
			t.Errorf("%s: got %v (code %q), want code %q", tt.Name, err, got, tt.Code)
		}
	}
}

// CheckEvents fails the test unless a Parse result is either an error
// with no events or events that are all complete: a carrier, a tracking
// number, a valid class and status, a time, the given source, and the ID
// of itself.
func CheckEvents(t testing.TB, source string, events []vtr.Event, err error) {
	t.Helper()
	if err != nil && events != nil {
		t.Fatalf("events and an error: %v", err)
	}
	for i := range events {
		e := &events[i]
		if e.TrackingNumber == "" || !e.Class.Valid() || !e.Status.Valid() || e.OccurredAt.IsZero() ||
			e.Carrier == "" || e.ID != vtr.EventID(e) || e.Source != source {
			t.Fatalf("incomplete event %d: %+v", i, e)
		}
	}
}

// Fuzz is every adapter's fuzz target: seeded with testdata/*.json and
// any extra seeds, Parse never panics and its results pass CheckEvents.
func Fuzz(f *testing.F, source string, parse ParseFunc, seeds ...[]byte) {
	f.Helper()
	for _, file := range Samples(f) {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		events, err := parse(body)
		CheckEvents(t, source, events, err)
	})
}

// Benchmark parses one sample file (a path such as
// "testdata/x.json") and reports bytes per second, allocations and
// the cost per event, "ns/event".
func Benchmark(b *testing.B, file string, parse ParseFunc) {
	b.Helper()
	body, err := os.ReadFile(file)
	if err != nil {
		b.Fatal(err)
	}
	events, err := parse(body)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := parse(body); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(events)), "ns/event")
}

// CarrierTable checks that every carrier code in an adapter's table of
// vendor carrier names (or keys) is a canonical code the registry has
// (tracking.ByCode); what names the keys in the failure ("slug", "carrier",
// "17TRACK carrier").
func CarrierTable[K comparable](t *testing.T, what string, table map[K]string) {
	t.Helper()
	for key, code := range table {
		if tracking.ByCode(code) == nil {
			t.Errorf("%s %#v maps to %q, which is not a canonical carrier code", what, key, code)
		}
	}
}

// Stream checks how a file of an adapter's payloads imports through
// adapter.Stream, built from one sample (a path such as
// "testdata/x.json", pretty-printed, with events): one payload a line
// and pretty-printed payloads back to back, each with a broken or
// rejected payload between two good ones, a payload over
// adapter.MaxPayload, and a leading byte-order mark. Every bad payload is
// one *vtr.LineError naming the line it starts on; the good payloads'
// events all arrive, each with the line of its payload.
func Stream(t *testing.T, parse ParseFunc, file string) {
	t.Helper()
	pretty, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	pretty = bytes.TrimSpace(pretty)
	events, err := parse(pretty)
	if err != nil || len(events) == 0 {
		t.Fatalf("%s: %d events, %v; want a sample with events", file, len(events), err)
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, pretty); err != nil {
		t.Fatal(err)
	}
	compact := buf.String()
	p := string(pretty)
	pl := strings.Count(p, "\n") + 1 // lines of the pretty sample
	// A pretty payload with a string cut at the end of a line, and one
	// with its closing brace lost.
	cutString := p[:strings.Index(p, "\":")] + "\n" + p[strings.Index(p, "\":")+1:]
	noClose := strings.TrimSuffix(p, "}")
	huge := `{"padding":"` + strings.Repeat("x", adapter.MaxPayload) + `",` + compact[1:]
	type want struct {
		lines  []int // the line of each good payload, in order
		reject []int // the line of each rejected payload
	}
	tests := []struct {
		name string
		in   string
		want want
	}{
		{"one a line, truncated", compact + "\n" + compact[:len(compact)/2] + "\n" + compact + "\n", want{[]int{1, 3}, []int{2}}},
		{"one a line, not JSON", compact + "\n" + strings.Replace(compact, ":", " ", 1) + "\n" + compact + "\n", want{[]int{1, 3}, []int{2}}},
		{"one a line, a bracket lost", compact + "\n" + strings.TrimSuffix(compact, "}") + "\n" + compact, want{[]int{1, 3}, []int{2}}},
		{"one a line, not a payload of this vendor", compact + "\n{\"hello\":1}\n" + compact + "\n", want{[]int{1, 3}, []int{2}}},
		{"one a line, garbage", compact + "\nhello\n" + compact + "\n", want{[]int{1, 3}, []int{2}}},
		{"pretty, truncated", p + "\n" + p[:len(p)/2] + "\n" + p + "\n", want{[]int{1, 2*pl + 1 - strings.Count(p[len(p)/2:], "\n")}, []int{pl + 1}}},
		{"pretty, string cut", p + "\n" + cutString + "\n" + p, want{[]int{1, 2*pl + 2}, []int{pl + 1}}},
		{"pretty, closing brace lost", p + "\n" + noClose + "\n" + p, want{[]int{1, 2*pl + 1}, []int{pl + 1}}},
		{"pretty, back to back", p + p + "\n" + p, want{[]int{1, pl, 2 * pl}, nil}},
		{"over the limit, one a line", compact + "\n" + huge + "\n" + compact, want{[]int{1, 3}, []int{2}}},
		{"over the limit, pretty", p + "\n" + strings.Replace(p, "{", "{\n  \"padding\": \""+strings.Repeat("x", adapter.MaxPayload)+"\",", 1) + "\n" + p, want{[]int{1, 2*pl + 2}, []int{pl + 1}}},
		{"byte-order mark", "\ufeff" + p + "\n" + compact + "\n", want{[]int{1, pl + 1}, nil}},
		{"byte-order mark, one a line", "\ufeff" + compact + "\n" + compact + "\n", want{[]int{1, 2}, nil}},
	}
	for _, tt := range tests {
		s := adapter.NewStream(strings.NewReader(tt.in), parse)
		var got want
		var n int // events of the payload in progress
		for calls := 0; ; calls++ {
			if calls > len(tt.in) {
				t.Fatalf("%s: no io.EOF after %d calls", tt.name, calls)
			}
			rec, err := s.Next()
			if err == io.EOF {
				break
			}
			var le *vtr.LineError
			if errors.As(err, &le) {
				got.reject = append(got.reject, le.Line)
				continue
			}
			if err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
			if len(got.lines) == 0 || got.lines[len(got.lines)-1] != rec.Line || n == len(events) {
				got.lines, n = append(got.lines, rec.Line), 0
			}
			if rec.Type != "event" || rec.Event == nil || rec.Event.ID != events[n].ID {
				t.Fatalf("%s: line %d event %d: got %s %+v, want the sample's event %d", tt.name, rec.Line, n, rec.Type, rec.Event, n)
			}
			n++
		}
		if fmt.Sprint(got.lines) != fmt.Sprint(tt.want.lines) || fmt.Sprint(got.reject) != fmt.Sprint(tt.want.reject) {
			t.Errorf("%s: got payloads on lines %v, rejected lines %v; want %v, %v", tt.name, got.lines, got.reject, tt.want.lines, tt.want.reject)
		}
	}
}
