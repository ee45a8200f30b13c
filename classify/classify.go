// Package classify decides whether a carrier tracking event is a PHYSICAL
// scan. Amazon counts a tracking number as valid "only if [it has] at least
// one physical carrier scan recorded" (tracking-events.md §1), so this is
// the one judgement the Valid Tracking Rate rests on.
//
// Classify applies the deterministic rule of tracking-events.md §13.5,
// first match wins:
//
//  1. the UPS logicalScan flag;
//  2. the raw carrier code table of the reporting carrier (a raw code in the
//     table wins over any aggregator tag, because aggregators' mappings are
//     lossy and heuristic, §1.5);
//  3. the aggregator tables (AfterShip, EasyPost, 17TRACK);
//  4. the status the feed gave, with vtr.EventStatus.DefaultClass;
//  5. the description phrases (electronic and logical only);
//  6. otherwise unknown.
//
// Entries the reference calls ambiguous (§9) give a status and the class
// unknown; for them, and for a feed status whose default class is unknown,
// the description phrases of rule 5 may still show the event is electronic
// or logical. Nothing unknown ever becomes physical: the rule fails closed.
//
// The package is pure: no I/O, no clock, tables built once at start-up and
// never changed, and Classify does not allocate.
package classify

import (
	"strings"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/tracking"
)

// Input is what a feed knows about one event.
type Input struct {
	// Carrier is the canonical code of the carrier that owns the number
	// (Amazon's carrier-code spelling: "UPS", "USPS", "FedEx",
	// "FedEx SmartPost", "DHL", "DHL eCommerce", "Canada Post",
	// "China Post", …); other spellings tracking.Lookup knows also work.
	Carrier string
	// Reporter is the carrier that emitted the event when it is not the
	// owner (a partner), else "".
	Reporter string
	// Source is the feed: "native", "aftership", "easypost" or "17track".
	Source string
	// Code is the raw carrier code: UPS status.code (or its 3-digit
	// description code), USPS eventCode, FedEx eventType, Canada Post
	// event identifier, UPU/EMS event code, Amazon Shipping eventCode,
	// EasyPost carrier_code, AfterShip raw_tag.
	Code string
	// TypeCode is the secondary raw code: UPS status.type (I, P, M, MV, D,
	// X, U), FedEx derivedStatusCode, DHL Unified statusCode.
	TypeCode string
	// Tag is the aggregator's normalised status: AfterShip tag, EasyPost
	// status, 17TRACK status (as the vendor spells it).
	Tag string
	// Subtag is the AfterShip subtag, EasyPost status_detail or 17TRACK
	// sub_status (or event stage).
	Subtag string
	// Description is the raw text.
	Description string
	// Logical is UPS activity.logicalScan when present.
	Logical *bool
	// Status is a status already given by the feed (native NDJSON), ""
	// if none.
	Status vtr.EventStatus
	// HasLocation reports whether the event carries a scan location; FedEx
	// IT and IX are physical only with one (§13.5 rule 2).
	HasLocation bool
}

// Result is the classification of one event.
type Result struct {
	Status vtr.EventStatus
	Class  vtr.EventClass
	// Rule names what decided, for the audit trail: "ups.logicalScan",
	// "code:USPS:03", "type:UPS:M", "aftership:subtag:InTransit_002",
	// "easypost:status:pre_transit", "17track:sub_status:InfoReceived",
	// "status:pre_transit", "text:label created" or "unknown". Every
	// table rule is the Rule of an Entry listed by Tables.
	Rule string
}

// RuleUnknown is the Rule of an event nothing classified.
const RuleUnknown = "unknown"

var unknownResult = Result{Status: vtr.StatusUnknown, Class: vtr.EventUnknown, Rule: RuleUnknown}

// Classify classifies one event by the rule of tracking-events.md §13.5.
// It is deterministic and does not allocate.
func Classify(in Input) Result {
	if r, ok := byFlag(&in); ok {
		return r
	}
	r, ok := byCarrier(&in)
	if !ok {
		r, ok = byAggregator(&in)
	}
	if !ok {
		r, ok = byStatus(in.Status)
	}
	if ok && r.Class != vtr.EventUnknown {
		return r
	}
	// Rule 5, and the special handling of ambiguous entries (§9): prose
	// can show an event is electronic or logical, never that it is
	// physical.
	if i, found := lookupText(in.Description); found {
		return entries[i].result()
	}
	if ok {
		return r
	}
	return unknownResult
}

// byFlag is rule 1: logicalScan true is LOGICAL; false is PHYSICAL unless
// the status type is M or MV (manifest), which rule 2 then classifies.
// The flag exists only in UPS activities, whichever carrier owns the
// number. The status comes from the UPS tables when they know the code.
func byFlag(in *Input) (Result, bool) {
	if in.Logical == nil {
		return Result{}, false
	}
	var r Result
	if *in.Logical {
		r = entries[flagTrue].result()
	} else {
		if t, ok := lookup(tUPS, fType, in.TypeCode, false); ok && entries[t].Class == vtr.EventElectronic {
			return Result{}, false
		}
		r = entries[flagFalse].result()
	}
	if e, ok := upsCode(in); ok && entries[e].Status != vtr.StatusUnknown {
		r.Status = entries[e].Status
	}
	return r, true
}

// byCarrier is rule 2: the raw code table of the reporting carrier.
func byCarrier(in *Input) (Result, bool) {
	name := in.Reporter
	if name == "" {
		name = in.Carrier
	}
	t := carrierTable(name)
	if t == tNone {
		return Result{}, false
	}
	if t == tUPS {
		if e, ok := upsCode(in); ok {
			return entries[e].result(), true
		}
		return Result{}, false
	}
	if e, ok := lookup(t, fCode, in.Code, in.HasLocation); ok {
		return entries[e].result(), true
	}
	if e, ok := lookup(t, fType, in.TypeCode, in.HasLocation); ok {
		return entries[e].result(), true
	}
	return Result{}, false
}

// upsCode finds the UPS entry for an activity: a manifest status type (M,
// MV) wins over any status code that is not itself electronic, since such
// an activity is never a scan (§9, §13.5 rule 1); otherwise the code, then
// the type.
func upsCode(in *Input) (int, bool) {
	t, tok := lookup(tUPS, fType, in.TypeCode, false)
	c, cok := lookup(tUPS, fCode, in.Code, false)
	if tok && entries[t].Class == vtr.EventElectronic && (!cok || entries[c].Class != vtr.EventElectronic) {
		return t, true
	}
	if cok {
		return c, true
	}
	return t, tok
}

// carrierTable maps a carrier code to its raw code table. FedEx SmartPost
// events come in FedEx codes, DHL eCommerce's in DHL's; postal operators
// without a table of their own (China Post, Hong Kong Post, …) speak UPU
// EMSEVT (§8.6).
func carrierTable(name string) tableID {
	switch name {
	case "":
		return tNone
	case "UPS":
		return tUPS
	case "USPS":
		return tUSPS
	case "FedEx", "FedEx SmartPost":
		return tFedEx
	case "DHL", "DHL eCommerce":
		return tDHL
	case "Canada Post":
		return tCanadaPost
	case "Amazon Shipping":
		return tAmazon
	case "China Post", "Hong Kong Post":
		return tUPU
	}
	m, ok := tracking.Lookup(name)
	if !ok {
		return tNone
	}
	if m.Carrier.Code != name {
		if t := carrierTable(m.Carrier.Code); t != tNone {
			return t
		}
	}
	if m.Carrier.Postal {
		return tUPU
	}
	return tNone
}

// byAggregator is rule 3. The feed names the aggregator, since AfterShip
// and 17TRACK spell several statuses alike.
func byAggregator(in *Input) (Result, bool) {
	switch {
	case strings.EqualFold(in.Source, "aftership"):
		return bySubtag(tAfterShip, in)
	case strings.EqualFold(in.Source, "17track"):
		return bySubtag(t17Track, in)
	case strings.EqualFold(in.Source, "easypost"):
		return byEasyPost(in)
	}
	return Result{}, false
}

// bySubtag serves AfterShip and 17TRACK, whose sub-statuses refine the
// tag: a known sub-status decides, ambiguity included (InTransit_001 must
// not borrow the physical class of its tag, §9). The tag decides when there
// is no sub-status; with one the table does not know, a physical tag gives
// the class unknown (fail closed on new vendor values).
func bySubtag(t tableID, in *Input) (Result, bool) {
	if e, ok := lookup(t, fSubtag, in.Subtag, false); ok {
		return entries[e].result(), true
	}
	e, ok := lookup(t, fTag, in.Tag, false)
	if !ok {
		return Result{}, false
	}
	if entries[e].Class == vtr.EventPhysical && trim(in.Subtag) != "" {
		return Result{Status: entries[e].Status, Class: vtr.EventUnknown, Rule: unrecognised[e]}, true
	}
	return entries[e].result(), true
}

// byEasyPost: EasyPost's status is its primary field and status_detail
// refines it, so a detail decides when its class is known and the status
// decides otherwise (USPS MA arrives as pre_transit/status_update, §3.2).
func byEasyPost(in *Input) (Result, bool) {
	d, dok := lookup(tEasyPost, fSubtag, in.Subtag, false)
	if dok && entries[d].Class != vtr.EventUnknown {
		return entries[d].result(), true
	}
	if s, ok := lookup(tEasyPost, fTag, in.Tag, false); ok {
		return entries[s].result(), true
	}
	if dok {
		return entries[d].result(), true
	}
	return Result{}, false
}

// byStatus is rule 4: the feed's own status, with its default class.
func byStatus(s vtr.EventStatus) (Result, bool) {
	rule, ok := statusRules[s]
	if !ok {
		return Result{}, false
	}
	return Result{Status: s, Class: s.DefaultClass(), Rule: rule}, true
}

func (e *Entry) result() Result { return Result{Status: e.Status, Class: e.Class, Rule: e.Rule} }
