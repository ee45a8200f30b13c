// Package aftership reads AfterShip Tracking webhooks into vtr.Events and
// verifies their signature (tracking-events.md §2, §11).
//
// Parse takes the raw webhook body, {event, event_id, msg: Tracking, …}.
// It also takes the Get-a-tracking and Create-a-tracking API responses,
// {meta, data: {tracking: Tracking}}, which carry the same Tracking object,
// so a tracking polled through the API goes through the same code. Each
// checkpoint becomes one event; a tracking with no checkpoint yet (tag
// Pending) yields none.
package aftership

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/classify"
	"github.com/vtr-project/vtr/internal/adapter"
	"github.com/vtr-project/vtr/tracking"
)

// Source is the vtr.Event Source of every event this package makes.
const Source = "aftership"

// SignatureHeader carries base64(HMAC-SHA256(webhook secret, raw body))
// (https://www.aftership.com/docs/tracking/webhook/webhook-signature).
const SignatureHeader = "aftership-hmac-sha256"

// errs makes this package's errors, each starting "aftership: ".
const errs = adapter.Errors(Source)

// Webhook event codes that carry a Tracking object in msg
// (https://www.aftership.com/docs/tracking/webhook/webhook-specifications).
var trackingEvents = map[string]bool{
	"tracking_update":       true,
	"edd_revise":            true,
	"tracking_pending_time": true,
}

type payload struct {
	Event   string `json:"event"`
	EventID string `json:"event_id"`
	Msg     *trk   `json:"msg"`
	Data    *struct {
		Tracking *trk `json:"tracking"`
	} `json:"data"`
}

type trk struct {
	TrackingNumber string       `json:"tracking_number"`
	Slug           string       `json:"slug"`
	Checkpoints    []checkpoint `json:"checkpoints"`
}

// checkpoint is the subset of AfterShip's Checkpoint model
// (github.com/AfterShip/tracking-sdk-go model/checkpoint.go) vtr uses.
type checkpoint struct {
	Slug           string `json:"slug"`
	CheckpointTime string `json:"checkpoint_time"`
	City           string `json:"city"`
	State          string `json:"state"`
	Zip            string `json:"zip"`
	CountryISO3    string `json:"country_iso3"`
	CountryRegion  string `json:"country_region"` // API 2025-01 name of country_iso3
	Message        string `json:"message"`
	Tag            string `json:"tag"`
	Subtag         string `json:"subtag"`
	RawTag         string `json:"raw_tag"`
	Source         string `json:"source"` // "carrier" or "user" (API 2025-01)
}

// Parse turns an AfterShip webhook body (or a Get/Create tracking API
// response) into one event per checkpoint, in payload order. Carrier is
// the owner of the number (msg.slug), ReportedBy the checkpoint's own slug
// when it names another carrier (first/last mile). A checkpoint_time
// without a UTC offset is the carrier's local wall-clock time: it is kept
// as if it were UTC with OffsetKnown false, so OccurredAt may be off by the
// local offset. Any malformed field fails the whole payload with an error
// naming the field: garbage never yields an event.
func Parse(body []byte) ([]vtr.Event, error) {
	var p payload
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, errs.JSONError("", err)
	}
	var t *trk
	var prefix, sourceID string
	switch {
	case p.Msg != nil:
		if !trackingEvents[p.Event] {
			return nil, errs.Invalid("event: %q is not an AfterShip Tracking event (tracking_update, edd_revise, tracking_pending_time)", p.Event)
		}
		if strings.TrimSpace(p.EventID) == "" {
			return nil, errs.Invalid("event_id: required (it identifies the delivery)")
		}
		t, prefix, sourceID = p.Msg, "msg", p.EventID
	case p.Data != nil && p.Data.Tracking != nil:
		t, prefix = p.Data.Tracking, "data.tracking"
	default:
		return nil, errs.Invalid("not an AfterShip tracking payload: neither msg (webhook) nor data.tracking (API response)")
	}
	owner, ok := carrierCode(t.Slug)
	if !ok {
		return nil, errs.Invalid("%s.slug: %q is not a carrier vtr knows", prefix, t.Slug)
	}
	num, reason, _ := tracking.Normalize(nil, t.TrackingNumber)
	if reason != "" {
		return nil, errs.Invalid("%s.tracking_number: %q: %s", prefix, t.TrackingNumber, reason.Describe())
	}
	number := string(num)
	events := make([]vtr.Event, 0, len(t.Checkpoints))
	for i := range t.Checkpoints {
		c := &t.Checkpoints[i]
		field := prefix + ".checkpoints[" + strconv.Itoa(i) + "]"
		at, offset, known, err := parseTime(c.CheckpointTime)
		if err != nil {
			return nil, errs.Invalid("%s.checkpoint_time: %q %v", field, c.CheckpointTime, err)
		}
		e := vtr.Event{
			Carrier:        owner,
			ReportedBy:     adapter.Reporter(owner, c.Slug, carrierCode),
			TrackingNumber: number,
			OccurredAt:     at,
			OffsetSeconds:  offset,
			OffsetKnown:    known,
			Code:           c.RawTag,
			TypeCode:       adapter.FirstNonEmpty(c.Subtag, c.Tag),
			Description:    c.Message,
			Location: vtr.Location{
				City:       strings.TrimSpace(c.City),
				State:      strings.TrimSpace(c.State),
				PostalCode: strings.TrimSpace(c.Zip),
				Country:    country(adapter.FirstNonEmpty(c.CountryISO3, c.CountryRegion)),
			},
			Source:   Source,
			SourceID: sourceID,
		}
		in := classify.Input{
			Carrier:     e.Carrier,
			Reporter:    e.ReportedBy,
			Source:      Source,
			Code:        c.RawTag,
			Tag:         c.Tag,
			Subtag:      c.Subtag,
			Description: c.Message,
			HasLocation: !e.Location.IsZero(),
		}
		r := classify.Classify(in)
		e.Status, e.Class, e.ClassRule = r.Status, r.Class, r.Rule
		if c.Source == "user" {
			// The user marked the tracking completed in AfterShip (API
			// 2025-01 checkpoint source "user"): the tag says Delivered but
			// no carrier handled anything, so it is never a scan
			// (tracking-events.md §13.1, LOGICAL). classify.Input has no
			// field for the origin of a checkpoint, hence the override.
			e.Class, e.ClassRule = vtr.EventLogical, "aftership:source:user"
		}
		e.ID = vtr.EventID(&e)
		events = append(events, e)
	}
	return events, nil
}

// slugs maps AfterShip courier slugs (https://www.aftership.com/couriers)
// whose folded form tracking.Lookup does not resolve, or resolves to a
// different carrier than AfterShip means, to vtr's canonical codes. Every
// other slug goes through tracking.Lookup ("china-post" folds to
// "chinapost", an alias of China Post).
var slugs = map[string]string{
	"usps":            "USPS",
	"ups":             "UPS",
	"ups-mi":          "UPS Mail Innovations",
	"fedex":           "FedEx",
	"dhl":             "DHL",
	"dhl-global-mail": "DHL eCommerce",
	"china-post":      "China Post",
	"china-ems":       "China Post", // EMS is China Post's express arm; Amazon lists one carrier
	"canada-post":     "Canada Post",
	"royal-mail":      "Royal Mail",
	"deutsch-post":    "Deutsche Post", // AfterShip's spelling
	"hong-kong-post":  "Hong Kong Post",
	"japan-post":      "Japan Post",
	"australia-post":  "Australia Post",
	"sf-express":      "SF Express",
	"yunexpress":      "Yun Express",
	"yanwen":          "Yanwen",
	"4px":             "4PX",
	"sfcservice":      "SFC",
	"dpd-uk":          "DPD",
	"asendia-usa":     "Asendia",
	"asendia-uk":      "Asendia",
}

// carrierCode maps a slug, in any case, to a canonical carrier code.
func carrierCode(slug string) (string, bool) {
	return adapter.CarrierCode(slugs, strings.ToLower(strings.TrimSpace(slug)))
}

// country returns the ISO alpha-2 code of an alpha-3 (or alpha-2) code, or
// "" when it is not one: a location is never given a guessed country.
func country(code string) string {
	code = strings.ToUpper(strings.TrimSpace(code))
	if c, ok := iso3to2[code]; ok {
		return c
	}
	if len(code) == 2 && iso2[code] {
		return code
	}
	return ""
}

var iso2 = func() map[string]bool {
	m := make(map[string]bool, len(iso3to2))
	for _, c := range iso3to2 {
		m[c] = true
	}
	return m
}()

// Time layouts AfterShip documents for checkpoint_time ("YYYY-MM-DDTHH:mm:ss"
// or with an offset), plus the date-only and space-separated forms some
// carriers produce.
var (
	zoned = []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999-0700"}
	local = []string{"2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999", "2006-01-02T15:04", "2006-01-02"}
)

// parseTime reads a checkpoint time. With an offset it returns the instant
// in UTC and the offset; without one, the wall-clock time labelled UTC and
// known false.
func parseTime(s string) (at time.Time, offset int, known bool, err error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return at, 0, false, errors.New("is required")
	}
	ok := false
	for _, l := range zoned {
		if t, e := time.Parse(l, s); e == nil {
			_, offset = t.Zone()
			at, known, ok = t.UTC(), true, true
			break
		}
	}
	if !ok {
		for _, l := range local {
			if t, e := time.Parse(l, s); e == nil {
				at, ok = t, true
				break
			}
		}
	}
	if !ok {
		return time.Time{}, 0, false, errors.New("is not a time")
	}
	if !adapter.InRange(at) {
		return time.Time{}, 0, false, errors.New("is out of range")
	}
	return at, offset, known, nil
}

// Verify checks the aftership-hmac-sha256 header of a webhook against the
// raw body: base64(HMAC-SHA256(secret, body)), compared in constant time.
// AfterShip signs no timestamp, so now is unused and a captured request
// can be replayed; deduplicate on event_id. Errors have code
// vtr.EUNAUTHORIZED (vtr.EINTERNAL when no secret is configured).
func Verify(body []byte, header http.Header, secret string, now time.Time) error {
	_ = now
	if secret == "" {
		return vtr.Errorf(vtr.EINTERNAL, "aftership: no webhook secret configured")
	}
	got := strings.TrimSpace(header.Get(SignatureHeader))
	if got == "" {
		return errs.MissingHeader(SignatureHeader)
	}
	sig, err := base64.StdEncoding.DecodeString(got)
	if err != nil {
		return vtr.Errorf(vtr.EUNAUTHORIZED, "aftership: %s header is not base64", SignatureHeader)
	}
	return errs.CheckSignature(SignatureHeader, sig, adapter.HMACSHA256(secret, body))
}
