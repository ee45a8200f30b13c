package aftership_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"flag"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/aftership"
	"github.com/vtr-project/vtr/internal/adaptertest"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from Parse (review the diff before committing)")

func TestGolden(t *testing.T) { adaptertest.Golden(t, aftership.Parse, *update) }

// TestClasses pins the judgements the golden files were reviewed for: a
// label or pre-advice is electronic, an acceptance is physical, a delivery
// is physical and delivered, a user's mark-as-completed is never a scan.
func TestClasses(t *testing.T) {
	adaptertest.Classes{
		{"get_tracking_fedex.json", 14, adaptertest.Judgements{
			{0, vtr.StatusPreTransit, vtr.EventElectronic, ""}, // Shipment information sent to FedEx
			{1, vtr.StatusAccepted, vtr.EventPhysical, ""},     // Picked up
			{3, vtr.StatusInTransit, vtr.EventUnknown, ""},     // InTransit_001 "In transit": ambiguous, fails closed
			{13, vtr.StatusDelivered, vtr.EventPhysical, ""},   // Delivered
		}},
		{"create_tracking_pending.json", 0, nil},
		{"webhook_usps_docs_variant.json", 7, adaptertest.Judgements{
			{0, vtr.StatusPreTransit, vtr.EventElectronic, ""}, // GX Shipping Label Created
			{1, vtr.StatusAccepted, vtr.EventPhysical, ""},     // OA Accepted at USPS Origin Facility
			{6, vtr.StatusInTransit, vtr.EventPhysical, ""},    // 07 Arrived at Post Office
		}},
		{"webhook_2026_07_trimmed_variant.json", 1, adaptertest.Judgements{
			// Tagged InTransit_001 by AfterShip, but "USPS Awaiting Item"
			// is a pre-advice (tracking-events.md §1.5).
			{0, vtr.StatusPreTransit, vtr.EventElectronic, ""},
		}},
		{"webhook_first_last_mile_variant.json", 4, adaptertest.Judgements{
			{0, vtr.StatusPreTransit, vtr.EventElectronic, ""},
			{1, vtr.StatusAccepted, vtr.EventPhysical, ""},
			{2, vtr.StatusInTransit, vtr.EventPhysical, "USPS"},
			{3, vtr.StatusDelivered, vtr.EventLogical, ""}, // source "user"
		}},
	}.Run(t, aftership.Parse)
}

func TestParseFields(t *testing.T) {
	body, _ := os.ReadFile("testdata/webhook_first_last_mile_variant.json")
	events, err := aftership.Parse(body)
	if err != nil {
		t.Fatal(err)
	}
	e := events[0]
	if e.Carrier != "China Post" || e.TrackingNumber != "LX123456785CN" || e.Source != aftership.Source ||
		e.SourceID != "5d1c8a0e-6f0b-4a59-9c2e-0b9a4f1e7c11" {
		t.Errorf("got carrier %q number %q source %q/%q", e.Carrier, e.TrackingNumber, e.Source, e.SourceID)
	}
	if want := time.Date(2026, 3, 1, 1, 0, 0, 0, time.UTC); !e.OccurredAt.Equal(want) || e.OccurredAt.Location() != time.UTC ||
		e.OffsetSeconds != 8*3600 || !e.OffsetKnown {
		t.Errorf("got %v offset %d known %v, want %v +08:00 known", e.OccurredAt, e.OffsetSeconds, e.OffsetKnown, want)
	}
	if e.Location.Country != "CN" || events[1].Location.Country != "CN" || events[2].Location.Country != "US" {
		t.Errorf("countries: got %q %q %q, want CN CN US (from country_iso3 and country_region)",
			e.Location.Country, events[1].Location.Country, events[2].Location.Country)
	}
	// A checkpoint_time without an offset is local wall-clock time.
	if l := events[2]; l.OffsetKnown || !l.OccurredAt.Equal(time.Date(2026, 3, 9, 6, 40, 0, 0, time.UTC)) {
		t.Errorf("zone-less time: got %v known %v, want 2026-03-09T06:40:00 unknown offset", l.OccurredAt, l.OffsetKnown)
	}
	for i, e := range events {
		if e.ID != vtr.EventID(&e) {
			t.Errorf("event %d: ID %s is not vtr.EventID", i, e.ID)
		}
	}
}

func TestParseErrors(t *testing.T) {
	adaptertest.ParseErrors{
		{"not JSON", `{"event":`, "body is not JSON"},
		{"array", `[]`, "not a JSON object"},
		{"empty object", `{}`, "neither msg (webhook) nor data.tracking"},
		{"other event", `{"event":"return_created","event_id":"x","msg":{}}`, `event: "return_created" is not an AfterShip Tracking event`},
		{"no event id", `{"event":"tracking_update","msg":{"slug":"usps","tracking_number":"1"}}`, "event_id: required"},
		{"unknown slug", `{"event":"tracking_update","event_id":"x","msg":{"slug":"no-such-courier","tracking_number":"1"}}`, `msg.slug: "no-such-courier" is not a carrier`},
		{"bad number", `{"event":"tracking_update","event_id":"x","msg":{"slug":"usps","tracking_number":"N/A"}}`, "msg.tracking_number"},
		{"no number", `{"event":"tracking_update","event_id":"x","msg":{"slug":"usps"}}`, "msg.tracking_number"},
		{"bad time", `{"event":"tracking_update","event_id":"x","msg":{"slug":"usps","tracking_number":"1","checkpoints":[{"checkpoint_time":"2021-01-14T00:52:00"},{"checkpoint_time":"yesterday"}]}}`,
			`msg.checkpoints[1].checkpoint_time: "yesterday" is not a time`},
		{"no time", `{"event":"tracking_update","event_id":"x","msg":{"slug":"usps","tracking_number":"1","checkpoints":[{"message":"x"}]}}`,
			`msg.checkpoints[0].checkpoint_time: "" is required`},
		{"year 1", `{"meta":{},"data":{"tracking":{"slug":"ups","tracking_number":"1","checkpoints":[{"checkpoint_time":"0001-01-01T00:00:00Z"}]}}}`,
			`data.tracking.checkpoints[0].checkpoint_time: "0001-01-01T00:00:00Z" is out of range`},
		{"wrong type", `{"event":"tracking_update","event_id":"x","msg":{"slug":"usps","tracking_number":"1","checkpoints":[{"raw_tag":7}]}}`,
			"msg.checkpoints.raw_tag: expected string, got JSON number"},
	}.Run(t, aftership.Parse)
}

func TestVerify(t *testing.T) {
	const secret = "s3cr3t"
	body := []byte(`{"event":"tracking_update","event_id":"0"}`)
	// Known vector, computed independently (Python hmac/base64).
	const vector = "dueVctVrQ6Uktn4ZRUl6dlk7bzKYFe2ti8WF2hcI364="
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	if got := base64.StdEncoding.EncodeToString(mac.Sum(nil)); got != vector {
		t.Fatalf("test vector: got %s, want %s", got, vector)
	}
	h := func(v string) http.Header {
		hd := http.Header{}
		if v != "" {
			hd.Set(aftership.SignatureHeader, v)
		}
		return hd
	}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	adaptertest.Signatures{
		{"valid", body, h(vector), secret, now, ""},
		{"valid, lower-case header name", body, http.Header{"Aftership-Hmac-Sha256": {vector}}, secret, now, ""},
		{"tampered body", append(bytes.Clone(body), ' '), h(vector), secret, now, vtr.EUNAUTHORIZED},
		{"wrong secret", body, h(vector), "other", now, vtr.EUNAUTHORIZED},
		{"missing header", body, h(""), secret, now, vtr.EUNAUTHORIZED},
		{"not base64", body, h("not*base64"), secret, now, vtr.EUNAUTHORIZED},
		{"hex instead of base64", body, h("75e795b2d56b43a524b67e19454c3a76593b6f3298"), secret, now, vtr.EUNAUTHORIZED},
		{"no secret configured", body, h(vector), "", now, vtr.EINTERNAL},
	}.Run(t, aftership.Verify)
}

// TestStream: a file of saved payloads imports payload by payload; a
// broken one, or one over the size limit, is one rejected line and the
// payloads after it are read.
func TestStream(t *testing.T) {
	adaptertest.Stream(t, aftership.Parse, "testdata/webhook_usps_docs_variant.json")
}

// FuzzParse: Parse never panics, and every event it returns is complete:
// a tracking number, a valid class and status, a time, and the ID of
// itself.
func FuzzParse(f *testing.F) {
	adaptertest.Fuzz(f, aftership.Source, aftership.Parse,
		[]byte(`{"event":"tracking_update","event_id":"x","msg":{"slug":"ups","tracking_number":"1Z","checkpoints":[{"checkpoint_time":"2020-02-29T23:59:59+14:00","country_iso3":"xkx"}]}}`))
}

// BenchmarkParse parses the largest real sample (14 checkpoints) and
// reports the cost per event.
func BenchmarkParse(b *testing.B) {
	adaptertest.Benchmark(b, "testdata/get_tracking_fedex.json", aftership.Parse)
}
