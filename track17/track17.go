// Package track17 reads 17TRACK API v2.2/v2.4 push notifications (webhooks)
// into vtr.Events and verifies their signature (tracking-events.md §4,
// §11).
//
// Parse takes the raw push body, {event: "TRACKING_UPDATED" |
// "TRACKING_STOPPED", data: {number, carrier, param, tag, track_info}}.
// Every event of every provider in track_info.tracking.providers becomes
// one vtr.Event; TRACKING_STOPPED carries no events.
package track17

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
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
const Source = "17track"

// SignatureHeader carries hex(SHA-256(raw body + "/" + security key)): a
// plain hash of the body and the key, not an HMAC (tracking-events.md
// §4.1; https://asset.17track.net/api/document/v2.2_en/index.html,
// Webhook).
const SignatureHeader = "sign"

// errs makes this package's errors, each starting "17track: ".
const errs = adapter.Errors(Source)

type payload struct {
	Event string `json:"event"`
	Data  *struct {
		Number    string `json:"number"`
		Carrier   int64  `json:"carrier"`
		TrackInfo *struct {
			Tracking struct {
				Providers []provider `json:"providers"`
			} `json:"tracking"`
		} `json:"track_info"`
	} `json:"data"`
}

type provider struct {
	Provider struct {
		Key  int64  `json:"key"`
		Name string `json:"name"`
	} `json:"provider"`
	EventsHash json.Number `json:"events_hash"`
	Events     []event     `json:"events"`
}

// event is a track_info.tracking.providers[].events[] entry.
type event struct {
	TimeISO     string `json:"time_iso"`
	TimeUTC     string `json:"time_utc"`
	Description string `json:"description"`
	Stage       string `json:"stage"`
	SubStatus   string `json:"sub_status"` // per event since v2.4
	Address     struct {
		Country    string `json:"country"`
		State      string `json:"state"`
		City       string `json:"city"`
		PostalCode string `json:"postal_code"`
	} `json:"address"`
}

// Parse turns a 17TRACK push into one event per provider event, in payload
// order. Carrier is
// the owner, data.carrier; ReportedBy the provider when it is another
// carrier (a first- or last-mile partner). OccurredAt comes from time_utc
// and the offset from time_iso; SourceID is the provider's events_hash.
// 17TRACK gives no raw carrier code, so Code is empty and TypeCode holds
// 17TRACK's sub_status (v2.4) or, failing that, the event's stage.
func Parse(body []byte) ([]vtr.Event, error) {
	var p payload
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, errs.JSONError("", err)
	}
	switch p.Event {
	case "TRACKING_UPDATED", "TRACKING_STOPPED":
	default:
		return nil, errs.Invalid("event: %q is not a 17TRACK tracking push (TRACKING_UPDATED, TRACKING_STOPPED)", p.Event)
	}
	if p.Data == nil {
		return nil, errs.Invalid("data: required")
	}
	num, reason, _ := tracking.Normalize(nil, p.Data.Number)
	if reason != "" {
		return nil, errs.Invalid("data.number: %q: %s", p.Data.Number, reason.Describe())
	}
	var providers []provider
	if p.Data.TrackInfo != nil {
		providers = p.Data.TrackInfo.Tracking.Providers
	}
	owner, ok := carrierCode(p.Data.Carrier, providers)
	if !ok {
		return nil, errs.Invalid("data.carrier: 17TRACK carrier %d is not a carrier vtr knows", p.Data.Carrier)
	}
	if p.Event == "TRACKING_STOPPED" {
		return nil, nil
	}
	number := string(num)
	n := 0
	for i := range providers {
		n += len(providers[i].Events)
	}
	events := make([]vtr.Event, 0, n)
	for i := range providers {
		pr := &providers[i]
		by := ""
		if code, ok := carrierCode(pr.Provider.Key, nil); ok {
			by = code
		} else if name := strings.TrimSpace(pr.Provider.Name); name != "" {
			if m, ok := tracking.Lookup(name); ok && !m.Carrier.Other {
				by = m.Carrier.Code
			} else {
				by = name
			}
		}
		if by == owner {
			by = ""
		}
		for j := range pr.Events {
			ev := &pr.Events[j]
			field := "data.track_info.tracking.providers[" + strconv.Itoa(i) + "].events[" + strconv.Itoa(j) + "]"
			at, offset, known, err := eventTime(field, ev.TimeISO, ev.TimeUTC)
			if err != nil {
				return nil, err
			}
			sub := strings.TrimSpace(ev.SubStatus)
			status := sub
			if k := strings.IndexByte(sub, '_'); k > 0 {
				status = sub[:k]
			}
			if sub == "" {
				sub = strings.TrimSpace(ev.Stage)
			}
			e := vtr.Event{
				Carrier:        owner,
				ReportedBy:     by,
				TrackingNumber: number,
				OccurredAt:     at,
				OffsetSeconds:  offset,
				OffsetKnown:    known,
				TypeCode:       sub,
				Description:    ev.Description,
				Location: vtr.Location{
					City:       strings.TrimSpace(ev.Address.City),
					State:      strings.TrimSpace(ev.Address.State),
					PostalCode: strings.TrimSpace(ev.Address.PostalCode),
					Country:    adapter.Alpha2(ev.Address.Country), // 17TRACK addresses use alpha-2
				},
				Source:   Source,
				SourceID: pr.EventsHash.String(),
			}
			// 17TRACK's sub_status (or stage) is an aggregator tag, not a
			// carrier's secondary code: classify gets it as Subtag only.
			r := classify.Classify(classify.Input{
				Carrier:     e.Carrier,
				Reporter:    e.ReportedBy,
				Source:      Source,
				Tag:         status,
				Subtag:      sub,
				Description: ev.Description,
				HasLocation: !e.Location.IsZero(),
			})
			e.Status, e.Class, e.ClassRule = r.Status, r.Class, r.Rule
			e.ID = vtr.EventID(&e)
			events = append(events, e)
		}
	}
	return events, nil
}

// carriers maps 17TRACK carrier keys to vtr's canonical codes. Keys are
// from 17TRACK's public carrier list,
// https://res.17track.net/asset/carrier/info/apicarrier.all.json (also
// .csv), linked from the API v2.2 documentation.
var carriers = map[int64]string{
	21051:  "USPS",
	100001: "DHL",                  // DHL Express
	100002: "UPS",                  //
	100003: "FedEx",                //
	100398: "UPS Mail Innovations", //
	7041:   "DHL",                  // DHL Paket, DHL's German parcel network
	7047:   "DHL eCommerce",        // DHL eCommerce US
	7048:   "DHL eCommerce",        // DHL eCommerce Asia
	3011:   "China Post",           //
	3013:   "China Post",           // China EMS, China Post's express arm
	3041:   "Canada Post",          //
	8011:   "Hong Kong Post",       // HongKong Post
	11031:  "Royal Mail",           //
	10021:  "Japan Post",           //
	1151:   "Australia Post",       //
	7044:   "Deutsche Post",        // Deutsche Post Mail
	190012: "Yanwen",               // YANWEN
	190008: "Yun Express",          // YunExpress
	190094: "4PX",                  //
	100012: "SF Express",           //
	190113: "SFC",                  //
	190111: "Chukou1",              //
	190112: "UBI",                  //
	190120: "JCEX",                 //
	190136: "Equick",               //
	190072: "Sunyou",               // SUNYOU
	190086: "WanbExpress",          // Wanb Express
	190200: "YDH",                  //
	190208: "CNE",                  //
	100049: "OnTrac",               //
	100052: "Lasership",            // LaserShip
	100395: "Newgistics",           //
	100021: "Landmark Global",      //
	100042: "Purolator",            //
	100146: "Canpar",               // Canpar Express
	100447: "Spee-Dee",             // Spee-Dee Delivery
	100217: "UDS",                  // United Delivery Service
	100331: "Hermes",               // EVRi
	100017: "Yodel",                //
	100004: "TNT",                  //
	100005: "GLS",                  //
	100006: "Aramex",               //
	100029: "Asendia",              //
	100308: "Amazon Shipping",      // Amazon Shipping + Amazon MCF
}

// carrierCode maps a 17TRACK carrier key to a canonical code. A key the
// table lacks is resolved by the name of the provider with that key, when
// the payload has one and tracking.Lookup knows it.
func carrierCode(key int64, providers []provider) (string, bool) {
	if c, ok := carriers[key]; ok {
		return c, true
	}
	for i := range providers {
		if providers[i].Provider.Key == key {
			if m, ok := tracking.Lookup(providers[i].Provider.Name); ok && !m.Carrier.Other {
				return m.Carrier.Code, true
			}
		}
	}
	return "", false
}

const localLayout = "2006-01-02T15:04:05.999999999"

// eventTime combines time_iso (local time, usually with its offset) and
// time_utc. Either suffices; when both are given they must agree. A
// time_iso without an offset takes it from time_utc; alone, it is local
// wall-clock time with known false.
func eventTime(field, iso, utc string) (at time.Time, offset int, known bool, err error) {
	iso, utc = strings.TrimSpace(iso), strings.TrimSpace(utc)
	var u time.Time
	haveU := false
	if utc != "" {
		t, e := time.Parse(time.RFC3339Nano, utc)
		if e != nil {
			if t, e = time.Parse(localLayout, utc); e != nil {
				return at, 0, false, errs.Invalid("%s.time_utc: %q is not a time", field, utc)
			}
		}
		u, haveU = t.UTC(), true
	}
	switch {
	case iso == "" && !haveU:
		return at, 0, false, errs.Invalid("%s.time_utc: required (neither time_iso nor time_utc is given)", field)
	case iso == "":
		at, known = u, true
	default:
		if t, e := time.Parse(time.RFC3339Nano, iso); e == nil {
			_, offset = t.Zone()
			at, known = t.UTC(), true
			if haveU && !at.Equal(u) {
				return time.Time{}, 0, false, errs.Invalid("%s.time_iso: %q and time_utc %q disagree", field, iso, utc)
			}
		} else if t, e := time.Parse(localLayout, iso); e == nil {
			if !haveU {
				at = t
				break
			}
			d := t.Sub(u)
			if d%(15*time.Minute) != 0 || d > 14*time.Hour || d < -14*time.Hour {
				return time.Time{}, 0, false, errs.Invalid("%s.time_iso: %q and time_utc %q are not a UTC offset apart", field, iso, utc)
			}
			at, offset, known = u, int(d/time.Second), true
		} else {
			return time.Time{}, 0, false, errs.Invalid("%s.time_iso: %q is not a time", field, iso)
		}
	}
	if !adapter.InRange(at) {
		return time.Time{}, 0, false, errs.Invalid("%s.time_utc: %q is out of range", field, adapter.FirstNonEmpty(utc, iso))
	}
	return at, offset, known, nil
}

// Verify checks the sign header of a 17TRACK push: hex(SHA-256(body + "/"
// + key)) with the account's security key, compared in constant time.
// 17TRACK signs no timestamp, so now is unused and a captured push can be
// replayed; pushes are idempotent by event ID. Errors have code
// vtr.EUNAUTHORIZED (vtr.EINTERNAL when no key is configured).
func Verify(body []byte, header http.Header, secret string, now time.Time) error {
	_ = now
	if secret == "" {
		return vtr.Errorf(vtr.EINTERNAL, "17track: no security key configured")
	}
	got := strings.ToLower(strings.TrimSpace(header.Get(SignatureHeader)))
	if got == "" {
		return errs.MissingHeader(SignatureHeader)
	}
	h := sha256.New()
	h.Write(body)
	h.Write([]byte{'/'})
	h.Write([]byte(secret))
	return errs.CheckSignature(SignatureHeader, []byte(got), hex.AppendEncode(nil, h.Sum(nil)))
}
