package track17_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/track17"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from Parse (review the diff before committing)")

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

func samples(t testing.TB) []string {
	t.Helper()
	files, err := filepath.Glob("testdata/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no testdata/*.json: %v", err)
	}
	return files
}

func TestGolden(t *testing.T) {
	for _, f := range samples(t) {
		t.Run(filepath.Base(f), func(t *testing.T) {
			body, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			events, perr := track17.Parse(body)
			got := render(t, events, perr)
			golden := strings.TrimSuffix(f, ".json") + ".golden"
			if *update {
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

// TestClasses pins the judgements the golden files were reviewed for.
func TestClasses(t *testing.T) {
	type want struct {
		i      int
		status vtr.EventStatus
		class  vtr.EventClass
		by     string
	}
	tests := []struct {
		file string
		n    int
		want []want
	}{
		{"push_dhl_paket.json", 1, []want{
			{0, vtr.StatusAvailableForPickup, vtr.EventPhysical, ""},
		}},
		{"push_stopped_variant.json", 0, nil},
		{"push_ups_variant.json", 5, []want{
			{0, vtr.StatusDelivered, vtr.EventPhysical, ""},
			{1, vtr.StatusOutForDelivery, vtr.EventPhysical, ""},
			// "Origin Scan" and "Arrived at Facility" come with neither
			// sub_status nor stage: nothing classifies them (fail closed).
			{3, vtr.StatusUnknown, vtr.EventUnknown, ""},
			{4, vtr.StatusPreTransit, vtr.EventElectronic, ""}, // Shipper created a label
		}},
		{"push_yanwen_usps_variant.json", 4, []want{
			{0, vtr.StatusDelivered, vtr.EventPhysical, "USPS"},
			{1, vtr.StatusInTransit, vtr.EventPhysical, "USPS"},
			{2, vtr.StatusAccepted, vtr.EventPhysical, ""},     // InTransit_PickedUp
			{3, vtr.StatusPreTransit, vtr.EventElectronic, ""}, // InfoReceived
		}},
	}
	for _, tt := range tests {
		body, err := os.ReadFile(filepath.Join("testdata", tt.file))
		if err != nil {
			t.Fatal(err)
		}
		events, err := track17.Parse(body)
		if err != nil {
			t.Fatalf("%s: %v", tt.file, err)
		}
		if len(events) != tt.n {
			t.Fatalf("%s: got %d events, want %d", tt.file, len(events), tt.n)
		}
		for _, w := range tt.want {
			e := events[w.i]
			if e.Status != w.status || e.Class != w.class || e.ReportedBy != w.by {
				t.Errorf("%s event %d (%q): got %s/%s by %q (rule %s), want %s/%s by %q",
					tt.file, w.i, e.Description, e.Status, e.Class, e.ReportedBy, e.ClassRule, w.status, w.class, w.by)
			}
		}
	}
}

func TestParseFields(t *testing.T) {
	body, _ := os.ReadFile("testdata/push_yanwen_usps_variant.json")
	events, err := track17.Parse(body)
	if err != nil {
		t.Fatal(err)
	}
	e := events[0]
	if e.Carrier != "Yanwen" || e.TrackingNumber != "UG123456785YP" || e.Source != track17.Source ||
		e.SourceID != "-1234567890" || e.TypeCode != "Delivered_Other" || e.Code != "" {
		t.Errorf("got carrier %q number %q source %q/%q type %q code %q", e.Carrier, e.TrackingNumber, e.Source, e.SourceID, e.TypeCode, e.Code)
	}
	if !e.OffsetKnown || e.OffsetSeconds != -4*3600 || !e.OccurredAt.Equal(time.Date(2026, 3, 12, 18, 2, 0, 0, time.UTC)) {
		t.Errorf("event 0: got %v offset %d known %v", e.OccurredAt, e.OffsetSeconds, e.OffsetKnown)
	}
	// time_iso without an offset takes it from time_utc.
	if o := events[1]; !o.OffsetKnown || o.OffsetSeconds != -4*3600 || !o.OccurredAt.Equal(time.Date(2026, 3, 9, 10, 40, 0, 0, time.UTC)) {
		t.Errorf("event 1: got %v offset %d known %v", o.OccurredAt, o.OffsetSeconds, o.OffsetKnown)
	}
	if events[2].SourceID != "1600000001" {
		t.Errorf("event 2: SourceID %q, want the Yanwen provider's events_hash", events[2].SourceID)
	}
}

func TestParseErrors(t *testing.T) {
	const head = `{"event":"TRACKING_UPDATED","data":{"number":"RR123456789CN","carrier":3011,"track_info":{"tracking":{"providers":[{"provider":{"key":3011},"events":[`
	tests := []struct{ name, body, want string }{
		{"not JSON", `{"event":`, "body is not JSON"},
		{"array", `[]`, "not a JSON object"},
		{"other event", `{"event":"TRACKING_DELETED","data":{}}`, `event: "TRACKING_DELETED" is not a 17TRACK tracking push`},
		{"v1 push", `{"event":"TRACKING_UPDATED","data":[{"number":"1"}]}`, "data: expected"},
		{"no data", `{"event":"TRACKING_UPDATED"}`, "data: required"},
		{"bad number", `{"event":"TRACKING_UPDATED","data":{"number":"RR 1234/CN","carrier":3011}}`, "data.number"},
		{"unknown carrier", `{"event":"TRACKING_UPDATED","data":{"number":"1","carrier":999999}}`, "data.carrier: 17TRACK carrier 999999"},
		{"no time", head + `{"description":"x"}]}]}}}}`, "providers[0].events[0].time_utc: required"},
		{"bad utc", head + `{"time_utc":"now"}]}]}}}}`, `providers[0].events[0].time_utc: "now" is not a time`},
		{"bad iso", head + `{"time_iso":"2022-13-01T00:00:00+08:00"}]}]}}}}`, "providers[0].events[0].time_iso"},
		{"disagree", head + `{"time_iso":"2022-04-04T16:35:22-07:00","time_utc":"2022-04-04T23:35:23Z"}]}]}}}}`, "disagree"},
		{"not an offset", head + `{"time_iso":"2022-04-04T16:35:22","time_utc":"2022-04-04T23:35:23Z"}]}]}}}}`, "not a UTC offset apart"},
		{"wrong type", head + `{"time_utc":"2022-04-04T23:35:22Z","sub_status":1}]}]}}}}`,
			"data.track_info.tracking.providers.events.sub_status: expected string, got JSON number"},
	}
	for _, tt := range tests {
		events, err := track17.Parse([]byte(tt.body))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: got %v, want an error containing %q", tt.name, err, tt.want)
		}
		if events != nil {
			t.Errorf("%s: got %d events with the error, want none", tt.name, len(events))
		}
		if vtr.ErrorCode(err) != vtr.EINVALID {
			t.Errorf("%s: error code %q, want %q", tt.name, vtr.ErrorCode(err), vtr.EINVALID)
		}
	}
}

func TestVerify(t *testing.T) {
	const secret = "s3cr3t"
	body := []byte(`{"event":"TRACKING_STOPPED"}`)
	// Known vector, computed independently (Python hashlib).
	const vector = "f768c6732312c99fb44992f44ee8bc1680ab1c6b1e1896ebebc74800927b81d1"
	sum := sha256.Sum256([]byte(string(body) + "/" + secret))
	if got := hex.EncodeToString(sum[:]); got != vector {
		t.Fatalf("test vector: got %s, want %s", got, vector)
	}
	h := func(v string) http.Header {
		hd := http.Header{}
		if v != "" {
			hd.Set(track17.SignatureHeader, v)
		}
		return hd
	}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		body   []byte
		header http.Header
		secret string
		code   string
	}{
		{"valid", body, h(vector), secret, ""},
		{"valid, upper-case hex", body, h(strings.ToUpper(vector)), secret, ""},
		{"tampered body", []byte(`{"event":"TRACKING_UPDATED"}`), h(vector), secret, vtr.EUNAUTHORIZED},
		{"wrong key", body, h(vector), "other", vtr.EUNAUTHORIZED},
		{"missing header", body, h(""), secret, vtr.EUNAUTHORIZED},
		{"truncated", body, h(vector[:63]), secret, vtr.EUNAUTHORIZED},
		{"no key configured", body, h(vector), "", vtr.EINTERNAL},
	}
	for _, tt := range tests {
		err := track17.Verify(tt.body, tt.header, tt.secret, now)
		if got := vtr.ErrorCode(err); got != tt.code {
			t.Errorf("%s: got %v (code %q), want code %q", tt.name, err, got, tt.code)
		}
	}
}

// FuzzParse: Parse never panics, and every event it returns is complete:
// a tracking number, a valid class and status, a time, and the ID of
// itself.
func FuzzParse(f *testing.F) {
	for _, file := range samples(f) {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		events, err := track17.Parse(body)
		if err != nil && events != nil {
			t.Fatalf("events and an error: %v", err)
		}
		for i := range events {
			e := &events[i]
			if e.TrackingNumber == "" || !e.Class.Valid() || !e.Status.Valid() || e.OccurredAt.IsZero() ||
				e.Carrier == "" || e.ID != vtr.EventID(e) || e.Source != track17.Source {
				t.Fatalf("incomplete event %d: %+v", i, e)
			}
		}
	})
}

// BenchmarkParse parses the five-event UPS push and reports the cost per
// event.
func BenchmarkParse(b *testing.B) {
	body, err := os.ReadFile("testdata/push_ups_variant.json")
	if err != nil {
		b.Fatal(err)
	}
	events, err := track17.Parse(body)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := track17.Parse(body); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(events)), "ns/event")
}
