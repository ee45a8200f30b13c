package track17_test

import (
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/internal/adaptertest"
	"github.com/vtr-project/vtr/track17"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from Parse (review the diff before committing)")

func TestGolden(t *testing.T) { adaptertest.Golden(t, track17.Parse, *update) }

// TestClasses pins the judgements the golden files were reviewed for.
func TestClasses(t *testing.T) {
	adaptertest.Classes{
		{"push_dhl_paket.json", 1, adaptertest.Judgements{
			{0, vtr.StatusAvailableForPickup, vtr.EventPhysical, ""},
		}},
		{"push_stopped_variant.json", 0, nil},
		{"push_ups_variant.json", 5, adaptertest.Judgements{
			{0, vtr.StatusDelivered, vtr.EventPhysical, ""},
			{1, vtr.StatusOutForDelivery, vtr.EventPhysical, ""},
			// "Origin Scan" and "Arrived at Facility" come with neither
			// sub_status nor stage: nothing classifies them (fail closed).
			{3, vtr.StatusUnknown, vtr.EventUnknown, ""},
			{4, vtr.StatusPreTransit, vtr.EventElectronic, ""}, // Shipper created a label
		}},
		{"push_yanwen_usps_variant.json", 4, adaptertest.Judgements{
			{0, vtr.StatusDelivered, vtr.EventPhysical, "USPS"},
			{1, vtr.StatusInTransit, vtr.EventPhysical, "USPS"},
			{2, vtr.StatusAccepted, vtr.EventPhysical, ""},     // InTransit_PickedUp
			{3, vtr.StatusPreTransit, vtr.EventElectronic, ""}, // InfoReceived
		}},
	}.Run(t, track17.Parse)
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
	adaptertest.ParseErrors{
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
	}.Run(t, track17.Parse)
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
	adaptertest.Signatures{
		{"valid", body, h(vector), secret, now, ""},
		{"valid, upper-case hex", body, h(strings.ToUpper(vector)), secret, now, ""},
		{"tampered body", []byte(`{"event":"TRACKING_UPDATED"}`), h(vector), secret, now, vtr.EUNAUTHORIZED},
		{"wrong key", body, h(vector), "other", now, vtr.EUNAUTHORIZED},
		{"missing header", body, h(""), secret, now, vtr.EUNAUTHORIZED},
		{"truncated", body, h(vector[:63]), secret, now, vtr.EUNAUTHORIZED},
		{"no key configured", body, h(vector), "", now, vtr.EINTERNAL},
	}.Run(t, track17.Verify)
}

// TestStream: a file of saved payloads imports payload by payload; a
// broken one, or one over the size limit, is one rejected line and the
// payloads after it are read.
func TestStream(t *testing.T) {
	adaptertest.Stream(t, track17.Parse, "testdata/push_ups_variant.json")
}

// FuzzParse: Parse never panics, and every event it returns is complete:
// a tracking number, a valid class and status, a time, and the ID of
// itself.
func FuzzParse(f *testing.F) {
	adaptertest.Fuzz(f, track17.Source, track17.Parse)
}

// BenchmarkParse parses the five-event UPS push and reports the cost per
// event.
func BenchmarkParse(b *testing.B) {
	adaptertest.Benchmark(b, "testdata/push_ups_variant.json", track17.Parse)
}
