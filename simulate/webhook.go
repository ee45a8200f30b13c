package simulate

import (
	"encoding/base64"
	"time"

	"github.com/vtr-project/vtr/tracking"
)

// aggr is how the aggregators label a scan kind: AfterShip tag / subtag
// (tracking-events.md §2.3-2.4), EasyPost status / status_detail (§3.2),
// 17TRACK status / sub_status / milestone stage (§4.3).
type aggr struct {
	asTag, asSub, asMsg   string
	epStatus, epDetail    string
	t7Status, t7Sub, t7St string
}

// aggrByKind is each kind's labels. A hand-off to the last mile and a
// system notice get the aggregators' catch-all in-transit bucket
// (AfterShip InTransit_001, 17TRACK InTransit_Other), as AfterShip does
// for partner rows (§1.5): §9 lists both as ambiguous, so without a raw
// carrier code (or a description phrase) vtr deliberately leaves such an
// event unknown. Every other kind gets a specific sub-status, the same
// whichever carrier reports it: an aggregator labels what the carrier
// says, so UPS's "AR Arrived at Facility" cannot be an arrival at one hub
// and uncategorised at the next.
var aggrByKind = [numKinds]aggr{
	kLabel:      {"InfoReceived", "InfoReceived_001", "Info Received", "pre_transit", "label_created", "InfoReceived", "InfoReceived", "InfoReceived"},
	kAccept:     {"InTransit", "InTransit_002", "Acceptance scan", "in_transit", "received_at_origin_facility", "InTransit", "InTransit_PickedUp", "PickedUp"},
	kDepart:     {"InTransit", "InTransit_007", "Departure Scan", "in_transit", "departed_facility", "InTransit", "InTransit_Departure", ""},
	kArrive:     {"InTransit", "InTransit_003", "Arrival scan", "in_transit", "arrived_at_facility", "InTransit", "InTransit_Arrival", ""},
	kHandoff:    {"InTransit", "InTransit_001", "In Transit", "in_transit", "transferred_to_destination_carrier", "InTransit", "InTransit_Other", ""},
	kExport:     {"InTransit", "InTransit_003", "Arrival scan", "in_transit", "arrived_at_facility", "InTransit", "InTransit_Arrival", ""},
	kFlight:     {"InTransit", "InTransit_007", "Departure Scan", "in_transit", "departed_origin_facility", "InTransit", "InTransit_Departure", "Departure"},
	kImport:     {"InTransit", "InTransit_004", "Arrived at destination country", "in_transit", "received_at_destination_facility", "InTransit", "InTransit_Arrival", "Arrival"},
	kCustoms:    {"InTransit", "InTransit_006", "Customs clearance started", "in_transit", "in_transit", "InTransit", "InTransit_CustomsProcessing", ""},
	kCustomsOK:  {"InTransit", "InTransit_005", "Customs clearance completed", "in_transit", "in_transit", "InTransit", "InTransit_CustomsReleased", ""},
	kLogical:    {"InTransit", "InTransit_001", "In Transit", "in_transit", "status_update", "InTransit", "InTransit_Other", ""},
	kArriveDest: {"InTransit", "InTransit_003", "Arrival scan", "in_transit", "arrived_at_facility", "InTransit", "InTransit_Arrival", ""},
	kOFD:        {"OutForDelivery", "OutForDelivery_001", "Out for Delivery", "out_for_delivery", "out_for_delivery", "OutForDelivery", "OutForDelivery_Other", "OutForDelivery"},
	kAttempt:    {"AttemptFail", "AttemptFail_001", "Failed Attempt", "failure", "delivery_exception", "DeliveryFailure", "DeliveryFailure_NoBody", ""},
	kDelivered:  {"Delivered", "Delivered_001", "Delivered", "delivered", "arrived_at_destination", "Delivered", "Delivered_Other", "Delivered"},
}

// 17TRACK milestone stages, in the order the API lists them.
var milestones = []string{"InfoReceived", "PickedUp", "Departure", "Arrival", "AvailableForPickup", "OutForDelivery", "Delivered", "Returning", "Returned"}

var iso3 = map[string]string{"US": "USA", "CN": "CHN", "HK": "HKG"}
var countryName = map[string]string{"US": "United States", "CN": "China", "HK": "Hong Kong SAR, China"}

// js is a small JSON appender: keys are written with the comma the
// position needs.
type js struct{ b []byte }

func (j *js) key(k string) {
	if n := len(j.b); n > 0 && j.b[n-1] != '{' && j.b[n-1] != '[' {
		j.b = append(j.b, ',')
	}
	j.b = append(j.b, '"')
	j.b = append(j.b, k...)
	j.b = append(j.b, '"', ':')
}

func (j *js) str(k, v string) { j.key(k); j.b = tracking.AppendJSONString(j.b, v) }

// strn writes v, or null when v is empty.
func (j *js) strn(k, v string) {
	if v == "" {
		j.null(k)
		return
	}
	j.str(k, v)
}
func (j *js) null(k string)         { j.key(k); j.b = append(j.b, "null"...) }
func (j *js) num(k string, n int64) { j.key(k); j.b = itoa(j.b, n) }
func (j *js) raw(k, v string)       { j.key(k); j.b = append(j.b, v...) }
func (j *js) open(k string, c byte) { j.key(k); j.b = append(j.b, c) }
func (j *js) close(c byte)          { j.b = append(j.b, c) }
func (j *js) elem(c byte)           { j.sep(); j.b = append(j.b, c) }
func (j *js) boolean(k string, v bool) {
	if v {
		j.raw(k, "true")
	} else {
		j.raw(k, "false")
	}
}

func (j *js) sep() {
	if n := len(j.b); n > 0 && j.b[n-1] != '{' && j.b[n-1] != '[' {
		j.b = append(j.b, ',')
	}
}

// timeKey writes a time: RFC 3339 in UTC ("Z"), or with the offset off.
func (j *js) time(k string, at int64, off int, utc bool) {
	j.key(k)
	j.b = append(j.b, '"')
	t := time.Unix(at, 0)
	if utc {
		j.b = t.UTC().AppendFormat(j.b, time.RFC3339)
	} else {
		j.b = t.In(time.FixedZone("", off)).AppendFormat(j.b, time.RFC3339)
	}
	j.b = append(j.b, '"')
}

// hash derives a stable pseudo-random number for act i of package p, for
// IDs and delays that must not consume the simulation's random stream
// (the world must not depend on the output format).
func (w *worker) hash(p *pkg, i int, salt uint64) uint64 {
	return splitmix(w.cfg.Seed ^ splitmix(uint64(w.t.s.idx)<<40^p.serial<<8^uint64(i)) ^ splitmix(salt))
}

const hexdigits = "0123456789abcdef"

func appendHex(b []byte, x uint64, n int) []byte {
	for i := n - 1; i >= 0; i-- {
		b = append(b, hexdigits[(x>>(4*uint(i)))&15])
	}
	return b
}

// uuid appends a version-4 UUID made of x and y.
func appendUUID(b []byte, x, y uint64) []byte {
	x = x&^0xf000 | 0x4000     // version 4
	y = y&^(0xc<<60) | 0x8<<60 // variant 10
	b = appendHex(b, x>>32, 8)
	b = append(b, '-')
	b = appendHex(b, x>>16&0xffff, 4)
	b = append(b, '-')
	b = appendHex(b, x&0xffff, 4)
	b = append(b, '-')
	b = appendHex(b, y>>48, 4)
	b = append(b, '-')
	return appendHex(b, y&0xffffffffffff, 12)
}

// webhook writes one payload for act i (an event) of package p in the
// worker's format: each carries the tracking with every event so far, as
// the aggregators send it.
func (w *worker) webhook(p *pkg, i int) error {
	j := js{b: w.wb[:0]}
	switch w.format {
	case AfterShip:
		w.aftership(&j, p, i)
	case EasyPost:
		w.easypost(&j, p, i)
	case Track17:
		w.track17(&j, p, i)
	}
	j.b = append(j.b, '\n')
	w.t.out = append(w.t.out, j.b...)
	w.wb = j.b
	return nil
}

// delay is when the aggregator picked the event up: minutes after it
// happened.
func (w *worker) delay(p *pkg, i int) int64 { return 120 + int64(w.hash(p, i, 1)%2400) }

// trackingCreated is when the aggregator started tracking the number:
// soon after the carrier's first record of it.
func (w *worker) trackingCreated(p *pkg) int64 {
	for k := range p.acts {
		if p.acts[k].what == aEvent {
			return p.acts[k].at + w.delay(p, k)
		}
	}
	return p.acts[0].at
}

// locString is the raw location line: "EDISON, NJ 08817, US".
func locString(b []byte, a *act) []byte {
	l := location(a)
	b = append(b, l.City...)
	if l.State != "" {
		b = append(b, ", "...)
		b = append(b, l.State...)
	}
	if l.PostalCode != "" {
		b = append(b, ' ')
		b = append(b, l.PostalCode...)
	}
	if l.Country != "" && l.City != "" {
		b = append(b, ", "...)
		b = append(b, l.Country...)
	}
	return b
}

// aftership writes a tracking_update webhook (§2.5) whose msg is the
// tracking object (§2.1) with its checkpoints (§2.2), oldest first.
func (w *worker) aftership(j *js, p *pkg, i int) {
	a := &p.acts[i]
	ag := &aggrByKind[a.sc.kind]
	// is_tracking_first_tag: this checkpoint moves the tracking to a tag
	// it has not had before.
	first := true
	for k := 0; k < i; k++ {
		if q := &p.acts[k]; q.what == aEvent && aggrByKind[q.sc.kind].asTag == ag.asTag {
			first = false
			break
		}
	}
	created := a.at + w.delay(p, i)
	j.b = append(j.b, '{')
	j.str("event", "tracking_update")
	j.key("event_id")
	j.b = append(j.b, '"')
	j.b = appendUUID(j.b, w.hash(p, i, 2), w.hash(p, i, 3))
	j.b = append(j.b, '"')
	j.boolean("is_tracking_first_tag", first)
	j.num("ts", created+int64(w.hash(p, i, 4)%30))
	j.open("msg", '{')
	j.key("id")
	j.b = append(j.b, '"')
	j.b = appendHex(j.b, w.hash(p, 0, 5), 16)
	j.b = appendHex(j.b, w.hash(p, 0, 6), 16)
	j.b = append(j.b, '"')
	j.str("tracking_number", p.number)
	j.str("slug", p.c.slug)
	j.boolean("active", a.sc.kind != kDelivered)
	j.str("tag", ag.asTag)
	j.str("subtag", ag.asSub)
	j.str("subtag_message", ag.asMsg)
	j.str("origin_country_iso3", iso3[p.from.Country])
	j.str("origin_state", p.from.State)
	j.str("origin_city", p.from.City)
	j.str("origin_postal_code", p.from.Zip)
	j.str("destination_country_iso3", iso3[p.to.Country])
	j.str("destination_state", p.to.State)
	j.str("destination_city", p.to.City)
	j.str("destination_postal_code", p.to.Zip)
	if p.first != 0 && p.first <= a.at {
		j.time("shipment_pickup_date", p.first, 0, true)
	} else {
		j.null("shipment_pickup_date")
	}
	if a.sc.kind == kDelivered {
		j.time("shipment_delivery_date", a.at, 0, true)
	} else {
		j.null("shipment_delivery_date")
	}
	j.str("order_id", p.ship.OrderID)
	j.time("created_at", w.trackingCreated(p), 0, true)
	j.time("updated_at", created, 0, true)
	j.open("checkpoints", '[')
	for k := 0; k <= i; k++ {
		q := &p.acts[k]
		if q.what != aEvent {
			continue
		}
		qa := &aggrByKind[q.sc.kind]
		l := location(q)
		j.elem('{')
		j.str("slug", q.by.slug)
		j.strn("city", l.City)
		j.strn("state", l.State)
		j.strn("zip", l.PostalCode)
		if l.Country != "" {
			j.str("country_iso3", iso3[l.Country])
			j.str("country_name", countryName[l.Country])
		} else {
			j.null("country_iso3")
			j.null("country_name")
		}
		j.key("location")
		if q.noLoc {
			j.b = append(j.b, "null"...)
		} else {
			j.b = append(j.b, '"')
			j.b = locString(j.b, q)
			j.b = append(j.b, '"')
		}
		j.str("message", q.sc.desc)
		j.str("tag", qa.asTag)
		j.str("subtag", qa.asSub)
		j.str("subtag_message", qa.asMsg)
		j.strn("raw_tag", q.sc.code)
		if q.by.noOffset {
			// §2.2: checkpoint_time is local and may lack an offset.
			j.key("checkpoint_time")
			off := q.pl.tz.offset(q.at)
			j.b = append(j.b, '"')
			j.b = time.Unix(q.at+int64(off), 0).UTC().AppendFormat(j.b, "2006-01-02T15:04:05")
			j.b = append(j.b, '"')
		} else {
			j.time("checkpoint_time", q.at, q.pl.tz.offset(q.at), false)
		}
		j.time("created_at", q.at+w.delay(p, k), 0, true)
		j.raw("coordinates", "[]")
		j.str("source", "carrier")
		j.close('}')
	}
	j.close(']')
	j.close('}')
	j.close('}')
}

// epLocation writes an EasyPost TrackingLocation.
func epLocation(j *js, k string, a *act) {
	j.open(k, '{')
	j.str("object", "TrackingLocation")
	if a == nil || a.noLoc {
		j.null("city")
		j.null("state")
		j.null("country")
		j.null("zip")
	} else {
		l := location(a)
		j.strn("city", l.City)
		j.strn("state", l.State)
		j.strn("country", l.Country)
		j.strn("zip", l.PostalCode)
	}
	j.close('}')
}

// easypost writes a tracker.updated Event (§3.3) whose result is the
// Tracker with its tracking_details, oldest first (§3.1).
func (w *worker) easypost(j *js, p *pkg, i int) {
	a := &p.acts[i]
	ag := &aggrByKind[a.sc.kind]
	created := a.at + w.delay(p, i)
	trk := func() {
		j.b = append(j.b, `"trk_`...)
		j.b = appendHex(j.b, w.hash(p, 0, 7), 16)
		j.b = appendHex(j.b, w.hash(p, 0, 8), 16)
		j.b = append(j.b, '"')
	}
	j.b = append(j.b, '{')
	j.key("id")
	j.b = append(j.b, `"evt_`...)
	j.b = appendHex(j.b, w.hash(p, i, 9), 16)
	j.b = appendHex(j.b, w.hash(p, i, 10), 16)
	j.b = append(j.b, '"')
	j.str("object", "Event")
	j.str("mode", "production")
	j.str("description", "tracker.updated")
	// previous_attributes names the status the tracker had before, when
	// this event changed it.
	j.open("previous_attributes", '{')
	for k := i - 1; k >= 0; k-- {
		if q := &p.acts[k]; q.what == aEvent {
			if prev := aggrByKind[q.sc.kind].epStatus; prev != ag.epStatus {
				j.str("status", prev)
			}
			break
		}
	}
	j.close('}')
	j.open("result", '{')
	j.key("id")
	trk()
	j.str("object", "Tracker")
	j.str("mode", "production")
	j.str("tracking_code", p.number)
	j.str("status", ag.epStatus)
	j.str("status_detail", ag.epDetail)
	j.time("created_at", w.trackingCreated(p), 0, true)
	j.time("updated_at", created, 0, true)
	j.null("signed_by")
	j.null("weight")
	j.null("est_delivery_date")
	j.null("shipment_id")
	j.str("carrier", p.c.ep)
	j.open("tracking_details", '[')
	var firstLoc *act
	for k := 0; k <= i; k++ {
		q := &p.acts[k]
		if q.what != aEvent {
			continue
		}
		if firstLoc == nil && q.sc.kind != kLabel {
			firstLoc = q
		}
		qa := &aggrByKind[q.sc.kind]
		j.elem('{')
		j.str("object", "TrackingDetail")
		j.str("message", q.sc.desc)
		j.str("description", "")
		j.str("status", qa.epStatus)
		j.str("status_detail", qa.epDetail)
		// §3.1: datetime is the local time when the location is known
		// (written with a "Z"), UTC otherwise.
		off := 0
		if !q.noLoc {
			off = q.pl.tz.offset(q.at)
		}
		j.key("datetime")
		j.b = append(j.b, '"')
		j.b = time.Unix(q.at+int64(off), 0).UTC().AppendFormat(j.b, time.RFC3339)
		j.b = append(j.b, '"')
		j.str("source", q.by.ep)
		j.strn("carrier_code", q.sc.code)
		epLocation(j, "tracking_location", q)
		j.null("est_delivery_date")
		j.close('}')
	}
	j.close(']')
	j.open("carrier_detail", '{')
	j.str("object", "CarrierDetail")
	j.strn("service", p.ship.ShipMethod)
	j.null("container_type")
	j.null("est_delivery_date_local")
	j.null("est_delivery_time_local")
	j.str("origin_location", p.from.City+" "+p.from.State+", "+p.from.Zip)
	epLocation(j, "origin_tracking_location", firstLoc)
	j.str("destination_location", p.to.City+" "+p.to.State+", "+p.to.Zip)
	j.open("destination_tracking_location", '{')
	j.str("object", "TrackingLocation")
	j.str("city", p.to.City)
	j.str("state", p.to.State)
	j.str("country", p.to.Country)
	j.str("zip", p.to.Zip)
	j.close('}')
	j.null("guaranteed_delivery_date")
	j.null("alternate_identifier")
	j.null("initial_delivery_attempt")
	j.close('}')
	j.key("public_url")
	j.b = append(j.b, `"https://track.easypost.com/`...)
	var id [40]byte
	idb := append(id[:0], "v1:trk_"...)
	idb = appendHex(idb, w.hash(p, 0, 7), 16)
	idb = appendHex(idb, w.hash(p, 0, 8), 16)
	j.b = base64.RawURLEncoding.AppendEncode(j.b, idb)
	j.b = append(j.b, '"')
	j.raw("fees", "[]")
	j.boolean("finalized", true)
	j.boolean("is_return", false)
	j.close('}')
	j.str("status", "pending")
	j.raw("pending_urls", `["https://vtr.example/webhooks/easypost"]`)
	j.raw("completed_urls", "[]")
	j.key("user_id")
	j.b = append(j.b, `"user_`...)
	j.b = appendHex(j.b, splitmix(w.cfg.Seed^0xea5e), 16)
	j.b = append(j.b, '"')
	j.time("created_at", created, 0, true)
	j.time("updated_at", created, 0, true)
	j.close('}')
}

// t17Address writes a 17TRACK address object.
func t17Address(j *js, k string, country, state, city, zip string) {
	j.open(k, '{')
	j.strn("country", country)
	j.strn("state", state)
	j.strn("city", city)
	j.null("street")
	j.strn("postal_code", zip)
	j.raw("coordinates", `{"longitude":null,"latitude":null}`)
	j.close('}')
}

// t17Event writes one 17TRACK event (§4.2), as an array element or, with
// k set, as the value of key k.
func t17Event(j *js, k string, q *act) {
	qa := &aggrByKind[q.sc.kind]
	off := q.pl.tz.offset(q.at)
	if k != "" {
		j.open(k, '{')
	} else {
		j.elem('{')
	}
	j.time("time_iso", q.at, off, false)
	j.time("time_utc", q.at, 0, true)
	j.open("time_raw", '{')
	local := time.Unix(q.at+int64(off), 0).UTC()
	j.key("date")
	j.b = append(j.b, '"')
	j.b = local.AppendFormat(j.b, "2006-01-02")
	j.b = append(j.b, '"')
	j.key("time")
	j.b = append(j.b, '"')
	j.b = local.AppendFormat(j.b, "15:04:05")
	j.b = append(j.b, '"')
	j.key("timezone")
	j.b = append(j.b, '"')
	j.b = time.Unix(q.at, 0).In(time.FixedZone("", off)).AppendFormat(j.b, "-07:00")
	j.b = append(j.b, '"')
	j.close('}')
	j.str("description", q.sc.desc)
	j.null("description_translation")
	j.key("location")
	if q.noLoc {
		j.b = append(j.b, "null"...)
	} else {
		j.b = append(j.b, '"')
		j.b = locString(j.b, q)
		j.b = append(j.b, '"')
	}
	j.strn("stage", qa.t7St)
	j.str("sub_status", qa.t7Sub)
	if q.noLoc {
		t17Address(j, "address", "", "", "", "")
	} else {
		l := location(q)
		t17Address(j, "address", l.Country, l.State, l.City, l.PostalCode)
	}
	j.close('}')
}

// t17Provider writes a provider and its events by carrier c, newest
// first, up to act i.
func (w *worker) t17Provider(j *js, p *pkg, i int, c *carrier) {
	j.elem('{')
	j.open("provider", '{')
	j.num("key", int64(c.key17))
	j.str("name", c.name17)
	j.str("alias", c.name17)
	j.null("tel")
	j.null("homepage")
	country := "US"
	switch c {
	case cChinaPost, cYun, c4PX, cYanwen, cSF:
		country = "CN"
	case cDHL:
		country = "DE"
	}
	j.str("country", country)
	j.close('}')
	j.null("service_type")
	j.str("latest_sync_status", "Success")
	j.time("latest_sync_time", p.acts[i].at+w.delay(p, i), 0, true)
	var h uint64
	for k := i; k >= 0; k-- {
		if q := &p.acts[k]; q.what == aEvent && q.by == c {
			h = splitmix(h ^ uint64(q.at) ^ uint64(q.sc.kind))
		}
	}
	j.num("events_hash", int64(h>>33))
	j.open("events", '[')
	for k := i; k >= 0; k-- {
		if q := &p.acts[k]; q.what == aEvent && q.by == c {
			t17Event(j, "", q)
		}
	}
	j.close(']')
	j.close('}')
}

// track17 writes a TRACKING_UPDATED push (§4.1) with its track_info
// (§4.2); a parcel handed to a last-mile carrier has two providers.
func (w *worker) track17(j *js, p *pkg, i int) {
	a := &p.acts[i]
	ag := &aggrByKind[a.sc.kind]
	j.b = append(j.b, '{')
	j.str("event", "TRACKING_UPDATED")
	j.open("data", '{')
	j.str("number", p.number)
	j.num("carrier", int64(p.c.key17))
	j.null("param")
	j.null("tag")
	j.open("track_info", '{')
	j.open("shipping_info", '{')
	t17Address(j, "shipper_address", p.from.Country, p.from.State, p.from.City, p.from.Zip)
	t17Address(j, "recipient_address", p.to.Country, p.to.State, p.to.City, p.to.Zip)
	j.close('}')
	j.open("latest_status", '{')
	j.str("status", ag.t7Status)
	j.str("sub_status", ag.t7Sub)
	j.null("sub_status_descr")
	j.close('}')
	t17Event(j, "latest_event", a)
	j.open("time_metrics", '{')
	j.num("days_after_order", (a.at-p.acts[0].at)/86400)
	if p.first != 0 && p.first <= a.at {
		j.num("days_of_transit", (a.at-p.first)/86400)
	} else {
		j.num("days_of_transit", 0)
	}
	if a.sc.kind == kDelivered {
		j.num("days_of_transit_done", (a.at-p.first)/86400)
	} else {
		j.num("days_of_transit_done", 0)
	}
	j.num("days_after_last_update", 0)
	j.raw("estimated_delivery_date", `{"source":null,"from":null,"to":null}`)
	j.close('}')
	j.open("milestone", '[')
	for _, st := range milestones {
		j.elem('{')
		j.str("key_stage", st)
		found := false
		for k := 0; k <= i; k++ {
			if q := &p.acts[k]; q.what == aEvent && aggrByKind[q.sc.kind].t7St == st {
				j.time("time_iso", q.at, q.pl.tz.offset(q.at), false)
				j.time("time_utc", q.at, 0, true)
				found = true
				break
			}
		}
		if !found {
			j.null("time_iso")
			j.null("time_utc")
		}
		j.close('}')
	}
	j.close(']')
	j.open("misc_info", '{')
	j.num("risk_factor", 0)
	j.strn("service_type", p.ship.ShipMethod)
	for _, k := range []string{"weight_raw", "weight_kg", "pieces", "dimensions", "customer_number", "reference_number"} {
		j.null(k)
	}
	lm := p.c.lastMile
	handedOff := false
	for k := 0; k <= i && lm != nil; k++ {
		handedOff = handedOff || (p.acts[k].what == aEvent && p.acts[k].by == lm)
	}
	if handedOff {
		j.str("local_number", p.number)
		j.str("local_provider", lm.name17)
		j.num("local_key", int64(lm.key17))
	} else {
		j.null("local_number")
		j.null("local_provider")
		j.num("local_key", 0)
	}
	j.close('}')
	j.open("tracking", '{')
	j.num("providers_hash", int64(w.hash(p, i, 11)>>33))
	// 17TRACK lists the last-mile provider first.
	j.open("providers", '[')
	if handedOff {
		w.t17Provider(j, p, i, lm)
	}
	w.t17Provider(j, p, i, p.c)
	j.close(']')
	j.close('}')
	j.close('}')
	j.close('}')
	j.close('}')
}
