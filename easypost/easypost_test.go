package easypost_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/easypost"
	"github.com/vtr-project/vtr/internal/adaptertest"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from Parse (review the diff before committing)")

func TestGolden(t *testing.T) { adaptertest.Golden(t, easypost.Parse, *update) }

// TestClasses pins the judgements the golden files were reviewed for.
func TestClasses(t *testing.T) {
	adaptertest.Classes{
		{"event_tracker_updated_fedex.json", 7, adaptertest.Judgements{
			{0, vtr.StatusPreTransit, vtr.EventElectronic, ""}, // OC Shipment information sent to FedEx
			{1, vtr.StatusAccepted, vtr.EventPhysical, ""},     // PU Picked up
			{4, vtr.StatusInTransit, vtr.EventPhysical, ""},    // IT On the way, with a scan location
		}},
		{"tracking_webhook_ups.json", 6, adaptertest.Judgements{
			{0, vtr.StatusPreTransit, vtr.EventElectronic, ""}, // BILLING INFORMATION RECEIVED
			{1, vtr.StatusInTransit, vtr.EventPhysical, ""},    // ORIGIN SCAN
			{5, vtr.StatusDelivered, vtr.EventPhysical, ""},    // DELIVERED
		}},
		{"tracker_retrieve_usps.json", 2, adaptertest.Judgements{
			{0, vtr.StatusPreTransit, vtr.EventElectronic, ""}, // Pre-Shipment Info Sent to USPS
			{1, vtr.StatusPreTransit, vtr.EventElectronic, ""}, // Shipping Label Created, even with a location
		}},
		{"event_usps_codes_variant.json", 5, adaptertest.Judgements{
			{0, vtr.StatusPreTransit, vtr.EventElectronic, ""}, // MA
			{1, vtr.StatusPreTransit, vtr.EventElectronic, ""}, // GX
			{2, vtr.StatusAccepted, vtr.EventPhysical, "DHL eCommerce"},
			{3, vtr.StatusAccepted, vtr.EventPhysical, ""},  // OA
			{4, vtr.StatusDelivered, vtr.EventPhysical, ""}, // 01
		}},
	}.Run(t, easypost.Parse)
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
	adaptertest.ParseErrors{
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
	}.Run(t, easypost.Parse)
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
	adaptertest.Signatures{
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
	}.Run(t, easypost.Verify)
}

// TestStream: a file of saved payloads imports payload by payload; a
// broken one, or one over the size limit, is one rejected line and the
// payloads after it are read.
func TestStream(t *testing.T) {
	adaptertest.Stream(t, easypost.Parse, "testdata/tracking_webhook_ups.json")
}

// FuzzParse: Parse never panics, and every event it returns is complete:
// a tracking number, a valid class and status, a time, and the ID of
// itself.
func FuzzParse(f *testing.F) {
	adaptertest.Fuzz(f, easypost.Source, easypost.Parse)
}

// BenchmarkParse parses EasyPost's own webhook fixture (7 details) and
// reports the cost per event.
func BenchmarkParse(b *testing.B) {
	adaptertest.Benchmark(b, "testdata/event_tracker_updated_fedex.json", easypost.Parse)
}
