package easypost_test

import (
	"bytes"
	"crypto/hmac"
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
	"github.com/vtr-project/vtr/easypost"
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
			events, perr := easypost.Parse(body)
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
		{"event_tracker_updated_fedex.json", 7, []want{
			{0, vtr.StatusPreTransit, vtr.EventElectronic, ""}, // OC Shipment information sent to FedEx
			{1, vtr.StatusAccepted, vtr.EventPhysical, ""},     // PU Picked up
			{4, vtr.StatusInTransit, vtr.EventPhysical, ""},    // IT On the way, with a scan location
		}},
		{"tracking_webhook_ups.json", 6, []want{
			{0, vtr.StatusPreTransit, vtr.EventElectronic, ""}, // BILLING INFORMATION RECEIVED
			{1, vtr.StatusInTransit, vtr.EventPhysical, ""},    // ORIGIN SCAN
			{5, vtr.StatusDelivered, vtr.EventPhysical, ""},    // DELIVERED
		}},
		{"tracker_retrieve_usps.json", 2, []want{
			{0, vtr.StatusPreTransit, vtr.EventElectronic, ""}, // Pre-Shipment Info Sent to USPS
			{1, vtr.StatusPreTransit, vtr.EventElectronic, ""}, // Shipping Label Created, even with a location
		}},
		{"event_usps_codes_variant.json", 5, []want{
			{0, vtr.StatusPreTransit, vtr.EventElectronic, ""}, // MA
			{1, vtr.StatusPreTransit, vtr.EventElectronic, ""}, // GX
			{2, vtr.StatusAccepted, vtr.EventPhysical, "DHL eCommerce"},
			{3, vtr.StatusAccepted, vtr.EventPhysical, ""},  // OA
			{4, vtr.StatusDelivered, vtr.EventPhysical, ""}, // 01
		}},
	}
	for _, tt := range tests {
		body, err := os.ReadFile(filepath.Join("testdata", tt.file))
		if err != nil {
			t.Fatal(err)
		}
		events, err := easypost.Parse(body)
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
	body, _ := os.ReadFile("testdata/event_usps_codes_variant.json")
	events, err := easypost.Parse(body)
	if err != nil {
		t.Fatal(err)
	}
	e := events[0]
	if e.Carrier != "USPS" || e.TrackingNumber != "9405500207552011812894" || e.Source != easypost.Source ||
		e.SourceID != "evt_variant0000000000000000000001" || e.Code != "MA" {
		t.Errorf("got carrier %q number %q source %q/%q code %q", e.Carrier, e.TrackingNumber, e.Source, e.SourceID, e.Code)
	}
	// "Z" without a location: an exact UTC instant.
	if !e.OffsetKnown || e.OffsetSeconds != 0 {
		t.Errorf("event 0: got offset %d known %v, want 0 known", e.OffsetSeconds, e.OffsetKnown)
	}
	// "Z" with a location: EasyPost may have given local time.
	if events[1].OffsetKnown {
		t.Errorf("event 1: a Z time with a location is marked exact")
	}
	// An explicit offset is exact.
	if o := events[3]; !o.OffsetKnown || o.OffsetSeconds != -6*3600 || !o.OccurredAt.Equal(time.Date(2023, 12, 27, 0, 10, 0, 0, time.UTC)) {
		t.Errorf("event 3: got %v offset %d known %v", o.OccurredAt, o.OffsetSeconds, o.OffsetKnown)
	}
	// A bare Tracker (API response) has no delivery id.
	body, _ = os.ReadFile("testdata/tracker_retrieve_usps.json")
	events, err = easypost.Parse(body)
	if err != nil || events[0].SourceID != "" {
		t.Errorf("bare Tracker: got %v, SourceID %q", err, events[0].SourceID)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ name, body, want string }{
		{"not JSON", `{"object":`, "body is not JSON"},
		{"array", `[]`, "not a JSON object"},
		{"no object", `{}`, `object: "" is neither an Event nor a Tracker`},
		{"shipment event", `{"id":"evt_1","object":"Event","description":"shipment.purchased","result":{"object":"Shipment","tracking_code":"1"}}`,
			`result.object: "Shipment" is not a Tracker: event "shipment.purchased" is not a tracking event`},
		{"event without result", `{"id":"evt_1","object":"Event","description":"tracker.updated"}`, "result: required"},
		{"event without id", `{"object":"Event","description":"tracker.updated","result":{"object":"Tracker","carrier":"USPS","tracking_code":"1"}}`, "id: required"},
		{"unknown carrier", `{"object":"Tracker","carrier":"NoSuchCarrier","tracking_code":"1"}`, `carrier: "NoSuchCarrier" is not a carrier`},
		{"bad number", `{"id":"e","object":"Event","result":{"object":"Tracker","carrier":"UPS","tracking_code":"1Z/"}}`, "result.tracking_code"},
		{"bad time", `{"id":"e","object":"Event","result":{"object":"Tracker","carrier":"UPS","tracking_code":"1Z","tracking_details":[{"datetime":"2014-11-21T14:24:00Z"},{"datetime":"21/11/2014"}]}}`,
			`result.tracking_details[1].datetime: "21/11/2014" is not a time`},
		{"no time", `{"object":"Tracker","carrier":"UPS","tracking_code":"1Z","tracking_details":[{"message":"x"}]}`,
			`tracking_details[0].datetime: "" is required`},
		{"wrong type", `{"id":"e","object":"Event","result":{"object":"Tracker","carrier":"UPS","tracking_code":"1Z","tracking_details":[{"carrier_code":1}]}}`,
			"result.tracking_details.carrier_code: expected string, got JSON number"},
	}
	for _, tt := range tests {
		events, err := easypost.Parse([]byte(tt.body))
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
	body := []byte(`{"object":"Event"}`)
	// Known vectors, computed independently (Python hmac).
	const (
		legacy = "hmac-sha256-hex=f167e63a6509eb0f6305b1eb684ee548a979d48c3673dc7536c76f0ff10c4c9a"
		ts     = "Tue, 19 Aug 2025 20:37:09 -0000" // EasyPost's example format
		path   = "/webhooks/easypost"
		v2     = "hmac-sha256-hex=23447d854add8ea096f7ffefa9c6293ba220a1ac1c46907dde6cb9e877d7ad6c"
	)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	if got := "hmac-sha256-hex=" + hex.EncodeToString(mac.Sum(nil)); got != legacy {
		t.Fatalf("legacy vector: got %s, want %s", got, legacy)
	}
	sent := time.Date(2025, 8, 19, 20, 37, 9, 0, time.UTC)
	hdr := func(kv ...string) http.Header {
		h := http.Header{}
		for i := 0; i < len(kv); i += 2 {
			h.Set(kv[i], kv[i+1])
		}
		return h
	}
	v2h := func(sig, stamp, p string) http.Header {
		return hdr(easypost.SignatureHeaderV2, sig, easypost.TimestampHeader, stamp, easypost.PathHeader, p)
	}
	tests := []struct {
		name   string
		body   []byte
		header http.Header
		secret string
		now    time.Time
		code   string
	}{
		{"legacy valid", body, hdr(easypost.SignatureHeader, legacy), secret, sent, ""},
		{"legacy valid, upper-case hex", body, hdr(easypost.SignatureHeader, "hmac-sha256-hex="+strings.ToUpper(legacy[16:])), secret, sent, ""},
		{"legacy tampered body", []byte(`{"object":"Event" }`), hdr(easypost.SignatureHeader, legacy), secret, sent, vtr.EUNAUTHORIZED},
		{"legacy wrong secret", body, hdr(easypost.SignatureHeader, legacy), "other", sent, vtr.EUNAUTHORIZED},
		{"legacy without prefix", body, hdr(easypost.SignatureHeader, legacy[16:]), secret, sent, vtr.EUNAUTHORIZED},
		{"missing header", body, hdr(), secret, sent, vtr.EUNAUTHORIZED},
		{"v2 valid", body, v2h(v2, ts, path), secret, sent, ""},
		{"v2 valid, 4 min late", body, v2h(v2, ts, path), secret, sent.Add(4 * time.Minute), ""},
		{"v2 valid, receiver clock 4 min slow", body, v2h(v2, ts, path), secret, sent.Add(-4 * time.Minute), ""},
		{"v2 stale", body, v2h(v2, ts, path), secret, sent.Add(easypost.Tolerance + time.Second), vtr.EUNAUTHORIZED},
		{"v2 future", body, v2h(v2, ts, path), secret, sent.Add(-easypost.Tolerance - time.Second), vtr.EUNAUTHORIZED},
		{"v2 tampered body", []byte(`{"object":"Tracker"}`), v2h(v2, ts, path), secret, sent, vtr.EUNAUTHORIZED},
		{"v2 wrong secret", body, v2h(v2, ts, path), "other", sent, vtr.EUNAUTHORIZED},
		{"v2 other path", body, v2h(v2, ts, "/other"), secret, sent, vtr.EUNAUTHORIZED},
		{"v2 other timestamp", body, v2h(v2, "Tue, 19 Aug 2025 20:37:10 -0000", path), secret, sent, vtr.EUNAUTHORIZED},
		{"v2 missing timestamp", body, hdr(easypost.SignatureHeaderV2, v2, easypost.PathHeader, path), secret, sent, vtr.EUNAUTHORIZED},
		{"v2 missing path", body, hdr(easypost.SignatureHeaderV2, v2, easypost.TimestampHeader, ts), secret, sent, vtr.EUNAUTHORIZED},
		{"v2 bad timestamp", body, v2h(v2, "yesterday", path), secret, sent, vtr.EUNAUTHORIZED},
		{"v2 wins over a valid legacy header", body, func() http.Header {
			h := v2h("hmac-sha256-hex=00", ts, path)
			h.Set(easypost.SignatureHeader, legacy)
			return h
		}(), secret, sent, vtr.EUNAUTHORIZED},
		{"non-ASCII secret", body, hdr(easypost.SignatureHeader, legacy), "sécret", sent, vtr.EINTERNAL},
		{"no secret configured", body, hdr(easypost.SignatureHeader, legacy), "", sent, vtr.EINTERNAL},
	}
	for _, tt := range tests {
		err := easypost.Verify(tt.body, tt.header, tt.secret, tt.now)
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
		events, err := easypost.Parse(body)
		if err != nil && events != nil {
			t.Fatalf("events and an error: %v", err)
		}
		for i := range events {
			e := &events[i]
			if e.TrackingNumber == "" || !e.Class.Valid() || !e.Status.Valid() || e.OccurredAt.IsZero() ||
				e.Carrier == "" || e.ID != vtr.EventID(e) || e.Source != easypost.Source {
				t.Fatalf("incomplete event %d: %+v", i, e)
			}
		}
	})
}

// BenchmarkParse parses EasyPost's own webhook fixture (7 details) and
// reports the cost per event.
func BenchmarkParse(b *testing.B) {
	body, err := os.ReadFile("testdata/event_tracker_updated_fedex.json")
	if err != nil {
		b.Fatal(err)
	}
	events, err := easypost.Parse(body)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := easypost.Parse(body); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(events)), "ns/event")
}
