// Package easypost reads EasyPost tracker webhooks into vtr.Events and
// verifies their signature (tracking-events.md §3, §11).
//
// Parse takes the raw webhook body, an Event {id, object: "Event",
// description: "tracker.created" | "tracker.updated", result: Tracker}, or
// a bare Tracker as the Trackers API returns it. Each tracking_details
// entry becomes one event.
package easypost

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"net/mail"
	"strings"
	"time"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/classify"
	"github.com/vtr-project/vtr/internal/adapter"
	"github.com/vtr-project/vtr/tracking"
)

// Source is the vtr.Event Source of every event this package makes.
const Source = "easypost"

// Signature headers (https://docs.easypost.com/docs/webhooks and
// https://support.easypost.com/hc/en-us/articles/39826034964237-Webhook-HMAC-Validation).
const (
	// SignatureHeader is the legacy signature: "hmac-sha256-hex=" +
	// hex(HMAC-SHA256(NFKD(secret), raw body)), as the official SDKs'
	// validate_webhook compute it.
	SignatureHeader = "X-Hmac-Signature"
	// SignatureHeaderV2 is the newer signature, sent with TimestampHeader
	// and PathHeader; it is preferred when present.
	SignatureHeaderV2 = "X-Hmac-Signature-V2"
	// TimestampHeader is the RFC 2822 time the v2 signature covers.
	TimestampHeader = "X-Timestamp"
	// PathHeader is the request path the v2 signature covers.
	PathHeader = "X-Path"
)

// Tolerance is how far the v2 X-Timestamp may be from now, either way,
// before a request is rejected as a replay (or a clock error). EasyPost
// does not publish its window; five minutes is the common choice (Stripe,
// Standard Webhooks).
const Tolerance = 5 * time.Minute

const sigPrefix = "hmac-sha256-hex="

// errs makes this package's errors, each starting "easypost: ".
const errs = adapter.Errors(Source)

type envelope struct {
	ID          string          `json:"id"`
	Object      string          `json:"object"`
	Description string          `json:"description"`
	Result      json.RawMessage `json:"result"`
}

type tracker struct {
	Object       string   `json:"object"`
	TrackingCode string   `json:"tracking_code"`
	Carrier      string   `json:"carrier"`
	Details      []detail `json:"tracking_details"`
}

// detail is the subset of EasyPost's TrackingDetail
// (github.com/EasyPost/easypost-go tracker.go) vtr uses.
type detail struct {
	Message      string `json:"message"`
	Description  string `json:"description"`
	Status       string `json:"status"`
	StatusDetail string `json:"status_detail"`
	Datetime     string `json:"datetime"`
	Source       string `json:"source"`
	CarrierCode  string `json:"carrier_code"`
	Location     struct {
		City    string `json:"city"`
		State   string `json:"state"`
		Country string `json:"country"`
		Zip     string `json:"zip"`
	} `json:"tracking_location"`
}

// Parse turns an EasyPost Event (or a bare Tracker) into one event per
// tracking detail, in payload order. An Event whose result is not a
// Tracker (batch.created, shipment.purchased, …) is an error saying so.
// Carrier is the tracker's carrier, ReportedBy the detail's source when it
// names another carrier.
//
// EasyPost documents that a datetime is in the event location's local time
// zone when it knows the location and in UTC otherwise, yet samples carry
// "Z" either way; so a "Z" time with a location is kept as given with
// OffsetKnown false, and only a "Z" time without a location, or an explicit
// offset, is an exact instant.
func Parse(body []byte) ([]vtr.Event, error) {
	var env envelope
	if err := json.Unmarshal(body, &env); err != nil {
		return nil, errs.JSONError("", err)
	}
	var t tracker
	prefix, sourceID := "", ""
	switch env.Object {
	case "Event":
		if len(env.Result) == 0 || string(env.Result) == "null" {
			return nil, errs.Invalid("result: required in an Event")
		}
		if err := json.Unmarshal(env.Result, &t); err != nil {
			return nil, errs.JSONError("result.", err)
		}
		if t.Object != "Tracker" {
			return nil, errs.Invalid("result.object: %q is not a Tracker: event %q is not a tracking event", t.Object, env.Description)
		}
		if strings.TrimSpace(env.ID) == "" {
			return nil, errs.Invalid("id: required (it identifies the delivery)")
		}
		prefix, sourceID = "result.", env.ID
	case "Tracker":
		if err := json.Unmarshal(body, &t); err != nil {
			return nil, errs.JSONError("", err)
		}
	default:
		return nil, errs.Invalid("object: %q is neither an Event nor a Tracker", env.Object)
	}
	owner, ok := carrierCode(t.Carrier)
	if !ok {
		return nil, errs.Invalid("%scarrier: %q is not a carrier vtr knows", prefix, t.Carrier)
	}
	num, reason, _ := tracking.Normalize(nil, t.TrackingCode)
	if reason != "" {
		return nil, errs.Invalid("%stracking_code: %q: %s", prefix, t.TrackingCode, reason.Describe())
	}
	number := string(num)
	events := make([]vtr.Event, 0, len(t.Details))
	for i := range t.Details {
		d := &t.Details[i]
		loc := vtr.Location{
			City:       strings.TrimSpace(d.Location.City),
			State:      strings.TrimSpace(d.Location.State),
			PostalCode: strings.TrimSpace(d.Location.Zip),
			Country:    adapter.Alpha2(d.Location.Country), // EasyPost sends "US"-style codes
		}
		at, offset, known, err := parseTime(d.Datetime, !loc.IsZero())
		if err != nil {
			return nil, errs.Invalid("%stracking_details[%d].datetime: %q %v", prefix, i, d.Datetime, err)
		}
		text := d.Message
		if strings.TrimSpace(text) == "" {
			text = d.Description
		}
		e := vtr.Event{
			Carrier:        owner,
			ReportedBy:     adapter.Reporter(owner, d.Source, carrierCode),
			TrackingNumber: number,
			OccurredAt:     at,
			OffsetSeconds:  offset,
			OffsetKnown:    known,
			Code:           d.CarrierCode,
			TypeCode:       adapter.FirstNonEmpty(d.StatusDetail, d.Status),
			Description:    text,
			Location:       loc,
			Source:         Source,
			SourceID:       sourceID,
		}
		// TypeCode holds EasyPost's own status for the audit trail; it is
		// not a carrier's secondary code, so classify gets it as Tag and
		// Subtag only.
		r := classify.Classify(classify.Input{
			Carrier:     e.Carrier,
			Reporter:    e.ReportedBy,
			Source:      Source,
			Code:        d.CarrierCode,
			Tag:         d.Status,
			Subtag:      d.StatusDetail,
			Description: text,
			HasLocation: !loc.IsZero(),
		})
		e.Status, e.Class, e.ClassRule = r.Status, r.Class, r.Rule
		e.ID = vtr.EventID(&e)
		events = append(events, e)
	}
	return events, nil
}

// carriers maps EasyPost carrier names (Tracker.carrier, TrackingDetail
// source; https://docs.easypost.com/guides/carriers) that tracking.Lookup
// does not resolve to vtr's canonical codes. Others, such as "USPS",
// "FedEx", "CanadaPost", "DHLExpress" or "FedExSmartPost", fold to a code
// or alias tracking.Lookup knows.
var carriers = map[string]string{
	"DHLExpress":            "DHL",
	"DHLGlobalMail":         "DHL eCommerce",
	"DHLEcs":                "DHL eCommerce",
	"DHLeCommerceSolutions": "DHL eCommerce",
	"DHLEcommerceAsia":      "DHL eCommerce",
	"FedExSmartPost":        "FedEx SmartPost",
	"UPSMailInnovations":    "UPS Mail Innovations",
	"UPSSurePost":           "UPS",
	"AmazonShipping":        "Amazon Shipping",
	"AsendiaUsa":            "Asendia",
}

// carrierCode maps an EasyPost carrier name to a canonical carrier code.
func carrierCode(name string) (string, bool) {
	return adapter.CarrierCode(carriers, strings.TrimSpace(name))
}

// parseTime reads a detail datetime (RFC 3339; a zone-less time is
// accepted as local wall-clock time). See Parse for why a "Z" time with a
// location is not an exact instant.
func parseTime(s string, hasLocation bool) (at time.Time, offset int, known bool, err error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return at, 0, false, errors.New("is required")
	}
	if t, e := time.Parse(time.RFC3339Nano, s); e == nil {
		_, offset = t.Zone()
		at = t.UTC()
		known = offset != 0 || !hasLocation || !strings.HasSuffix(s, "Z")
	} else if t, e := time.Parse("2006-01-02T15:04:05.999999999", s); e == nil {
		at = t
	} else {
		return time.Time{}, 0, false, errors.New("is not a time")
	}
	if !adapter.InRange(at) {
		return time.Time{}, 0, false, errors.New("is out of range")
	}
	return at, offset, known, nil
}

// Verify checks an EasyPost webhook's signature against the raw body.
//
// With X-Hmac-Signature-V2 it requires X-Timestamp (RFC 2822) within
// Tolerance of now, either way, and X-Path, and checks "hmac-sha256-hex=" +
// hex(HMAC-SHA256(secret, timestamp + "POST" + path + body)). EasyPost's
// article names the headers and the timestamp check but not the exact
// string to sign; this one is what several independent integrations use
// and is UNCONFIRMED (tracking-events.md §3.3, §14): verify it against a
// Test-mode delivery before relying on v2. Without the v2 header it checks
// the legacy X-Hmac-Signature, "hmac-sha256-hex=" + hex(HMAC-SHA256(secret,
// body)), which carries no timestamp.
//
// EasyPost NFKD-normalises the secret before use. The standard library has
// no Unicode normalisation and NFKD leaves ASCII unchanged, so an ASCII
// secret is used as is and a non-ASCII secret is refused (vtr.EINTERNAL):
// choose an ASCII webhook secret. Comparisons are constant-time. Other
// failures have code vtr.EUNAUTHORIZED.
func Verify(body []byte, header http.Header, secret string, now time.Time) error {
	if secret == "" {
		return vtr.Errorf(vtr.EINTERNAL, "easypost: no webhook secret configured")
	}
	for i := 0; i < len(secret); i++ {
		if secret[i] >= 0x80 {
			return vtr.Errorf(vtr.EINTERNAL, "easypost: the webhook secret has non-ASCII characters; EasyPost NFKD-normalises secrets and vtr (standard library only) cannot, so use an ASCII secret")
		}
	}
	if got := header.Get(SignatureHeaderV2); got != "" {
		return verifyV2(body, header, got, secret, now)
	}
	got := header.Get(SignatureHeader)
	if got == "" {
		return errs.MissingHeader(SignatureHeader)
	}
	return compare(SignatureHeader, got, adapter.HMACSHA256(secret, body))
}

func verifyV2(body []byte, header http.Header, got, secret string, now time.Time) error {
	ts := header.Get(TimestampHeader)
	if ts == "" {
		return errs.MissingHeader(TimestampHeader)
	}
	path := header.Get(PathHeader)
	if path == "" {
		return errs.MissingHeader(PathHeader)
	}
	at, err := mail.ParseDate(ts)
	if err != nil {
		return vtr.Errorf(vtr.EUNAUTHORIZED, "easypost: %s %q is not an RFC 2822 date", TimestampHeader, ts)
	}
	if d := now.Sub(at); d > Tolerance {
		return vtr.Errorf(vtr.EUNAUTHORIZED, "easypost: %s %q is stale (%s old, tolerance %s)", TimestampHeader, ts, d.Round(time.Second), Tolerance)
	} else if d < -Tolerance {
		return vtr.Errorf(vtr.EUNAUTHORIZED, "easypost: %s %q is in the future (by %s, tolerance %s)", TimestampHeader, ts, (-d).Round(time.Second), Tolerance)
	}
	sum := adapter.HMACSHA256(secret, []byte(ts), []byte(http.MethodPost), []byte(path), body)
	return compare(SignatureHeaderV2, got, sum)
}

// compare checks a "hmac-sha256-hex=<hex>" header against a MAC in
// constant time; hex case is not significant.
func compare(name, got string, sum []byte) error {
	got = strings.ToLower(strings.TrimSpace(got))
	want := make([]byte, 0, len(sigPrefix)+2*len(sum))
	want = append(want, sigPrefix...)
	want = hex.AppendEncode(want, sum)
	return errs.CheckSignature(name, []byte(got), want)
}
