package classify

import "github.com/vtr-project/vtr"

// Entry is one row of the classification tables: a raw code, type code,
// aggregator tag or description phrase and what it means.
//
// Keys are matched ignoring ASCII case and surrounding white space. In a
// key, '#' stands for one digit and '*' for any run of characters (so
// "12##" is every four-digit Canada Post code starting with 12, and
// "electronic*info" is "electronic" followed somewhere by "info"); an exact
// key always wins over a pattern.
type Entry struct {
	// Table names the taxonomy: "UPS", "USPS", "FedEx", "DHL",
	// "Canada Post", "UPU" (EMSEVT, used by China Post, Hong Kong Post and
	// the other postal operators), "Amazon Shipping", "AfterShip",
	// "EasyPost", "17TRACK", or "text" for the description phrases.
	Table string
	// Field is the Input field the key is matched against: "Code",
	// "TypeCode", "Tag", "Subtag", "Logical" ("true" or "false") or
	// "Description".
	Field string
	// Key is the code, tag or phrase, spelled as its source spells it.
	Key string
	// Location is "present" or "absent" for the entries that depend on
	// Input.HasLocation (FedEx IT and IX), "" for all others.
	Location string
	// Status and Class are what the entry gives an event.
	Status vtr.EventStatus
	Class  vtr.EventClass
	// Rule is the Result.Rule the entry produces, e.g. "code:USPS:03".
	Rule string
	// Source cites the document the fact comes from.
	Source string
	// Note explains a decision where the reference is ambiguous.
	Note string
}

// Location conditions of an Entry (FedEx IT and IX, tracking-events.md
// §13.5 rule 2).
const (
	// LocationPresent marks an entry for events with a scan location.
	LocationPresent = "present"
	// LocationAbsent marks an entry for events without one.
	LocationAbsent = "absent"
)

// Tables returns a copy of every table entry, in the order Classify
// consults the tables (carrier flag, carrier codes, aggregators, text), for
// documentation and for an operator reviewing the mappings.
func Tables() []Entry { return append([]Entry(nil), entries...) }

// Short names keep the tables below one row per line.
const (
	pre = vtr.StatusPreTransit
	acc = vtr.StatusAccepted
	tra = vtr.StatusInTransit
	ofd = vtr.StatusOutForDelivery
	att = vtr.StatusDeliveryAttempt
	dlv = vtr.StatusDelivered
	afp = vtr.StatusAvailableForPickup
	ret = vtr.StatusReturned
	exc = vtr.StatusException
	cxl = vtr.StatusCancelled
	xpd = vtr.StatusExpired
	nfd = vtr.StatusNotFound
	unk = vtr.StatusUnknown

	phys = vtr.EventPhysical
	elec = vtr.EventElectronic
	logi = vtr.EventLogical
	ambi = vtr.EventUnknown // ambiguous: never counts; the text fallback may still refine it
)

// Sources, as tracking-events.md names them.
const (
	srcUPSFlag   = "UPS Tracking OpenAPI activity.logicalScan (May 2026), UPS-API/api-documentation Tracking.yaml (tracking-events.md §1.3, §13.5 rule 1)"
	srcUPSType   = "UPS Track API status types, UPS-API/api-documentation Tracking.yaml and UPSTrackAlert.yaml (tracking-events.md §8.1, §9)"
	srcUPSLegacy = "UPS legacy XML API status type P, https://metacpan.org/pod/Business::UPS::Tracking::Element::Activity (tracking-events.md §8.1)"
	srcUPSCode   = "UPS Track API status codes, UPS-API/api-documentation Tracking.yaml (tracking-events.md §8.1, §9)"
	srcUPSDesc   = "UPS description codes, laziercoder/go-shipments (tracking-events.md §8.1)"
	srcUPSList   = "UPS Track API code list (activity status code, 3-digit description code, category, description) as reposted in https://github.com/UPS-API/api-documentation/issues/7; it gives 5, 11 and 21 for the description codes tracking-events.md §8.1 cites, type X per §9"
	srcUSPS      = "USPS event codes, https://about.usps.com/publications/pub97/pub97_appi.htm via USPS::WebTools::Tracking::Codes and https://app.theneo.io/ehub/ehub-api/tracking-event-descriptions (tracking-events.md §8.2, §9)"
	srcUSPSDef   = "USPS ambiguous-code default (tracking-events.md §9, §13.5 rule 2)"
	srcFedEx     = "FedEx Track API trackingstatuscodes, OpenAPI track.json vendored in karrioapi/karrio (tracking-events.md §8.3, §9)"
	srcFedExDate = "FedEx Track API dateAndTimes[].type, OpenAPI track.json vendored in karrioapi/karrio (tracking-events.md §8.3, §9)"
	srcFedExLoc  = "FedEx IT/IX default: physical only with a scanLocation (tracking-events.md §9, §13.5 rule 2)"
	srcDHL       = "DHL Shipment Tracking - Unified statusCode, https://developer.dhl.com/api-reference/shipment-tracking (tracking-events.md §8.4, §9)"
	srcDHLExp    = "DHL Express native codes, karrioapi/karrio modules/connectors/dhl_express/karrio/providers/dhl_express/units.py TrackingStatus (tracking-events.md §8.4)"
	srcCP        = "Canada Post messagescodetables.jsf via karrioapi/karrio (tracking-events.md §8.5, §9)"
	srcUPU       = "UPU EMSEVT event codes, community tables (tracking-events.md §8.6, §9)"
	srcAmazon    = "Amazon Shipping API v2 EventCode, https://docs.rs/crate/amazon-spapi/2.0.3/source/docs/shipping_v2/EventCode.md (tracking-events.md §7, §9)"
	srcASTag     = "AfterShip delivery statuses, https://www.aftership.com/docs/tracking/2025-01/enum/delivery-statuses (tracking-events.md §2.3, §9)"
	srcASSub     = "AfterShip delivery sub-statuses, https://www.aftership.com/docs/tracking/enum/delivery-sub-statuses (tracking-events.md §2.4, §9)"
	srcASSub2026 = "AfterShip sub-statuses from 2026-03-27, https://tracking-helpcenter.aftership.com/en/article/learn-about-delivery-sub-status-1b0hdlx (tracking-events.md §2.4)"
	srcEPStatus  = "EasyPost tracker status, https://docs.easypost.com/docs/trackers (tracking-events.md §3.2, §9)"
	srcEPDetail  = "EasyPost status_detail, https://docs.easypost.com/docs/trackers and a community SDK mirror (tracking-events.md §3.2, §9)"
	src17Status  = "17TRACK API v2.2 status, https://asset.17track.net/api/document/v2.2_en/index.html, community enums (tracking-events.md §4.3, §9)"
	src17Sub     = "17TRACK API v2.2 sub_status, https://asset.17track.net/api/document/v2.2_en/index.html, community enums (tracking-events.md §4.3, §9)"
	src17Stage   = "17TRACK API v2.2 milestone key_stage / event stage (tracking-events.md §4.3, §9)"
	src17V1      = "17TRACK API v1 numeric status (tracking-events.md §4.3)"
	srcText      = "description phrases of the classification rule (tracking-events.md §13.5 rule 4)"
)

// row is one entry of a group; group gives the table, field and rule
// prefix its rows share.
type row struct {
	key    string
	status vtr.EventStatus
	class  vtr.EventClass
	source string
	note   string
}

type group struct {
	table    tableID
	field    fieldID
	location string // LocationPresent, LocationAbsent or ""
	rule     string // rule prefix, or the whole rule when fixed is set
	fixed    bool
	rows     []row
}

const (
	noteNotIn9   = "not in the §9 lists; classified by what the event is"
	noteSysDelay = "a delay notice is system-generated, like \"arriving late\" (§13.5 rule 4)"
	noteCustomer = "a customer or shipper request, not a carrier scan"
	noteUnconf   = "meaning unconfirmed (§2.4, §14); a Pending sub-status is never a scan"
	noteEPMirror = "SDK-mirror spelling of a value colliding with a status (§3.2); the wire value is unconfirmed (§14)"
)

// groups is the data, in the order Classify consults it.
var groups = []group{
	// Rule 1: the only explicit physical flag (§1.3). Status comes from
	// the UPS code tables when the code is known.
	{table: tUPS, field: fLogical, rule: "ups.logicalScan", fixed: true, rows: []row{
		{"true", unk, logi, srcUPSFlag, "\"true for logical event\""},
		{"false", tra, phys, srcUPSFlag, "\"false for physical event\", unless the status type is M or MV"},
	}},

	// Rule 2: raw carrier codes.
	{table: tUPS, field: fType, rule: "type:UPS:", rows: []row{
		{"M", pre, elec, srcUPSType, "manifest information; wins over the status code (§13.5 rule 1)"},
		{"MV", pre, elec, srcUPSType, "manifest information; wins over the status code (§13.5 rule 1)"},
		{"P", acc, phys, srcUPSLegacy, "pickup"},
		{"I", tra, phys, srcUPSType, "in progress; bloodhound and Broad DSM count it as movement (§9)"},
		{"D", dlv, phys, srcUPSType, ""},
		{"X", exc, ambi, srcUPSType, "§9: most are physical but without logicalScan it cannot be told (fail closed)"},
		{"U", unk, logi, srcUPSType, "update, e.g. scheduled delivery changed"},
	}},
	{table: tUPS, field: fCode, rule: "code:UPS:", rows: []row{
		{"MP", pre, elec, srcUPSCode, "\"Order Processed: Ready for UPS\" / \"Shipper created a label\""},
		{"PU", acc, phys, srcUPSCode, ""},
		{"OR", acc, phys, srcUPSCode, "\"Origin Scan\""},
		{"DP", tra, phys, srcUPSCode, ""},
		{"AR", tra, phys, srcUPSCode, ""},
		{"OT", ofd, phys, srcUPSCode, ""},
		{"FS", dlv, phys, srcUPSCode, ""},
		{"003", pre, elec, srcUPSDesc, "description code: label created"},
		{"005", tra, phys, srcUPSDesc, "description code: in transit"},
		{"011", dlv, phys, srcUPSDesc, "description code: delivered"},
		{"021", ofd, phys, srcUPSDesc, "description code: out for delivery"},
		{"012", tra, phys, srcUPSList, "description code: \"Clearance in Progress\" (category IN TRANSIT): the parcel is at the import gateway, like FedEx CC/CD/CP and 17TRACK InTransit_CustomsProcessing (§9)"},
		{"022", att, phys, srcUPSList, "description code: \"First Attempt Made\" / \"Delivery Attempted\" (codes 3J, 3L): the driver was at the door with the parcel, like USPS 02 and FedEx DE (§9)"},
	}},

	{table: tUSPS, field: fCode, rule: "code:USPS:", rows: []row{
		{"GX", pre, elec, srcUSPS, "Shipping Label Created, USPS Awaiting Item"},
		{"MA", pre, elec, srcUSPS, "Pre-Shipment Info Sent to USPS"},
		{"89", pre, elec, srcUSPS, "Merchant Order Receipt Notification"},
		{"GC", pre, elec, srcUSPS, "meaning not given; §9 lists it as not physical"},
		{"TM", pre, elec, srcUSPSDef, "truck manifest / SCAN form: the piece itself was not scanned"},
		{"PA", acc, phys, srcUSPSDef, "passive acceptance, derived from a later scan"},
		{"03", acc, phys, srcUSPS, "Accept or Pickup"},
		{"OA", acc, phys, srcUSPS, "Origin Acceptance"},
		{"UA", acc, phys, srcUSPS, "Accepted at USPS Facility"},
		{"AD", acc, phys, srcUSPS, "Acceptance at Destination"},
		{"43", dlv, phys, srcUSPS, "\"Picked Up\": the recipient's pickup at the Post Office (Pub. 97 lists it with the delivery events), not the carrier's acceptance"},
		{"10", tra, phys, srcUSPS, "Processed / Arrived at facility"},
		{"EF", tra, phys, srcUSPS, "Departed Sort Facility"},
		{"SF", tra, phys, srcUSPS, "Departed Post Office"},
		{"07", tra, phys, srcUSPS, "Arrival at Unit"},
		{"PC", tra, phys, srcUSPS, "Sorting Complete"},
		{"OF", ofd, phys, srcUSPS, ""},
		{"01", dlv, phys, srcUSPS, ""},
		{"02", att, phys, srcUSPS, "Notice Left"},
		{"52", att, phys, srcUSPS, "Notice Left"},
		{"53", att, phys, srcUSPS, "Notice Left"},
		{"54", att, phys, srcUSPS, "Notice Left"},
		{"55", att, phys, srcUSPS, "Notice Left"},
		{"56", att, phys, srcUSPS, "Notice Left"},
		{"14", afp, phys, srcUSPS, "Arrival at Pickup Point"},
		{"16", afp, phys, srcUSPS, ""},
		{"17", dlv, phys, srcUSPS, "Picked up by agent"},
		{"30", att, phys, srcUSPS, "Attempt, no access; listed on its own although inside the 21-31 return range"},
		{"04", exc, phys, srcUSPS, "Refused"},
		{"05", exc, phys, srcUSPS, "Undeliverable as addressed"},
		{"09", ret, phys, srcUSPS, "Return to sender"},
		{"21", ret, phys, srcUSPS, "Return to sender"},
		{"22", ret, phys, srcUSPS, "Return to sender"},
		{"23", ret, phys, srcUSPS, "Return to sender"},
		{"24", ret, phys, srcUSPS, "Return to sender"},
		{"25", ret, phys, srcUSPS, "Return to sender"},
		{"26", ret, phys, srcUSPS, "Return to sender"},
		{"27", ret, phys, srcUSPS, "Return to sender"},
		{"28", ret, phys, srcUSPS, "Return to sender"},
		{"29", ret, phys, srcUSPS, "Return to sender"},
		{"31", ret, phys, srcUSPS, "Return to sender"},
		{"DX", unk, logi, srcUSPS, "Delivery status not updated"},
		{"NT", tra, logi, srcUSPS, "predictive text: In Transit to Next Facility, Arriving On Time/Late"},
		{"42", tra, phys, srcUSPSDef, "USPS handoff to shipping partner: the §13.5 partner default for 80/81/82 applied to the same group"},
		{"80", acc, phys, srcUSPSDef, "Picked up by Shipping Partner"},
		{"81", tra, phys, srcUSPSDef, "Arrived at Shipping Partner facility"},
		{"82", tra, phys, srcUSPSDef, "Departed Shipping Partner facility"},
	}},

	{table: tFedEx, field: fCode, location: LocationPresent, rule: "code:FedEx:", rows: []row{
		{"IT", tra, phys, srcFedExLoc, "in transit, with a scan location"},
		{"IX", tra, phys, srcFedExLoc, "in transit (see details), with a scan location"},
	}},
	{table: tFedEx, field: fCode, location: LocationAbsent, rule: "code:FedEx:", rows: []row{
		{"IT", tra, logi, srcFedExLoc, "in transit without a scan location: system-generated"},
		{"IX", tra, logi, srcFedExLoc, "in transit without a scan location: system-generated"},
	}},
	{table: tFedEx, field: fCode, rule: "code:FedEx:", rows: []row{
		{"OC", pre, elec, srcFedEx, "order created: shipment information sent to FedEx"},
		{"OX", pre, elec, srcFedEx, "shipment information sent to USPS"},
		{"EP", pre, logi, srcFedEx, "enroute to pickup (vehicle event)"},
		{"DS", pre, logi, srcFedEx, "vehicle dispatched"},
		{"DR", pre, logi, srcFedEx, "vehicle furnished, not used"},
		{"PD", pre, logi, srcFedEx, "pickup delay; " + noteNotIn9},
		{"AP", pre, ambi, srcFedEx, "at pickup: the driver is there, the parcel may not be tendered (§9 ambiguous)"},
		{"CA", cxl, logi, srcFedEx, ""},
		{"RP", pre, elec, srcFedEx, "return label link"},
		{"LP", pre, elec, srcFedEx, "return label link"},
		{"RG", pre, elec, srcFedEx, "return label link"},
		{"RD", pre, elec, srcFedEx, "return label link"},
		{"RR", unk, logi, srcFedEx, "CDO requested; " + noteCustomer},
		{"RM", unk, logi, srcFedEx, "CDO modified; " + noteCustomer},
		{"RC", unk, logi, srcFedEx, "CDO cancelled; " + noteCustomer},
		{"AO", tra, logi, srcFedEx, "arriving on time"},
		{"PU", acc, phys, srcFedEx, "picked up"},
		{"PX", acc, phys, srcFedEx, "picked up (see details)"},
		{"OF", acc, phys, srcFedEx, "at FedEx origin facility"},
		{"AR", tra, phys, srcFedEx, ""},
		{"AF", tra, phys, srcFedEx, "at local FedEx facility"},
		{"DP", tra, phys, srcFedEx, ""},
		{"LO", tra, phys, srcFedEx, "left origin"},
		{"SF", tra, phys, srcFedEx, "at sort facility"},
		{"FD", tra, phys, srcFedEx, "at FedEx destination"},
		{"TR", tra, phys, srcFedEx, "transfer"},
		{"CC", tra, phys, srcFedEx, "customs"},
		{"CD", tra, phys, srcFedEx, "customs"},
		{"CP", tra, phys, srcFedEx, "customs"},
		{"AA", tra, phys, srcFedEx, "at airport; " + noteNotIn9 + " (an \"at\" scan like AF, FD)"},
		{"AC", tra, phys, srcFedEx, "at Canada Post facility; " + noteNotIn9 + " (an \"at\" scan like AF, FD)"},
		{"AX", tra, phys, srcFedEx, "at USPS facility; " + noteNotIn9 + " (an \"at\" scan like AF, FD)"},
		{"AD", ofd, phys, srcFedEx, "at delivery"},
		{"OD", ofd, phys, srcFedEx, "out for delivery"},
		{"DL", dlv, phys, srcFedEx, ""},
		{"HL", afp, phys, srcFedEx, "hold at location"},
		{"HP", afp, phys, srcFedEx, "ready for recipient pickup"},
		{"DE", exc, phys, srcFedEx, "delivery exception"},
		{"SE", exc, phys, srcFedEx, "shipment exception"},
		{"RS", ret, phys, srcFedEx, "return to shipper; " + noteNotIn9 + " (a return needs the parcel, like USPS 09)"},
		{"OW", tra, ambi, srcFedEx, "on the way: may be logical (§9); the §13.5 location default is given for IT/IX only"},
		{"PM", tra, ambi, srcFedEx, "in progress: may be logical (§9)"},
		{"EA", tra, ambi, srcFedEx, "enroute to airport or export approved (§8.3 gives both); " + noteNotIn9},
		{"ED", ofd, ambi, srcFedEx, "enroute to delivery; " + noteNotIn9},
		{"EO", tra, ambi, srcFedEx, "enroute to origin airport; " + noteNotIn9},
		{"PF", tra, logi, srcFedEx, "plane in flight: derived from flight data; " + noteNotIn9},
		{"PL", tra, logi, srcFedEx, "plane landed: derived from flight data; " + noteNotIn9},
		{"CH", unk, logi, srcFedEx, "location changed; " + noteNotIn9},
		{"DD", exc, logi, srcFedEx, "delivery delay; " + noteSysDelay},
		{"DY", exc, logi, srcFedEx, "delay; " + noteSysDelay},
		{"SP", unk, ambi, srcFedEx, "split status; " + noteNotIn9},
		// dateAndTimes types, for feeds that turn them into events.
		{"SHIPMENT_DATA_RECEIVED", pre, elec, srcFedExDate, ""},
		{"ANTICIPATED_TENDER", pre, elec, srcFedExDate, ""},
		{"SHIP", pre, elec, srcFedExDate, "the ship date the shipper declared"},
		{"ESTIMATED_*", unk, logi, srcFedExDate, "estimates"},
		{"COMMITMENT", unk, logi, srcFedExDate, "a promise, not a scan"},
		{"APPOINTMENT_DELIVERY", unk, logi, srcFedExDate, "a schedule, not a scan"},
		{"ACTUAL_PICKUP", acc, phys, srcFedExDate, ""},
		{"ACTUAL_TENDER", acc, phys, srcFedExDate, ""},
		{"ATTEMPTED_DELIVERY", att, phys, srcFedExDate, ""},
		{"ACTUAL_DELIVERY", dlv, phys, srcFedExDate, ""},
	}},
	{table: tFedEx, field: fType, rule: "type:FedEx:", rows: []row{
		{"IN", pre, elec, srcFedEx, "derived status Initiated (label)"},
	}},

	{table: tDHL, field: fCode, rule: "code:DHL:", rows: []row{
		{"PU", acc, phys, srcDHLExp, "picked up"},
		{"PL", tra, phys, srcDHLExp, "processed"},
		{"AF", tra, phys, srcDHLExp, "arrived"},
		{"AR", tra, phys, srcDHLExp, "arrived"},
		{"DF", tra, phys, srcDHLExp, "departed"},
		{"WC", ofd, phys, srcDHLExp, "with courier"},
		{"OK", dlv, phys, srcDHLExp, "delivered"},
		{"NH", att, phys, srcDHLExp, "not home: Karrio lists it under delivery_failed and as the incident reason consignee_not_home; an attempt is physical like USPS 02 (§9)"},
	}},
	{table: tDHL, field: fType, rule: "type:DHL:", rows: []row{
		{"pre-transit", pre, elec, srcDHL, ""},
		{"transit", tra, phys, srcDHL, ""},
		{"delivered", dlv, phys, srcDHL, ""},
		{"failure", exc, ambi, srcDHL, "§9 says check the description: fail closed, the text fallback may refine"},
		{"unknown", unk, ambi, srcDHL, ""},
	}},

	{table: tCanadaPost, field: fCode, rule: "code:Canada Post:", rows: []row{
		{"3000", pre, elec, srcCP, "electronic information submitted by shipper"},
		{"3002", pre, elec, srcCP, "return label created"},
		{"1200", unk, logi, srcCP, "expected delivery date updated"},
		{"1203", unk, logi, srcCP, "expected delivery date updated"},
		{"12##", unk, logi, srcCP, "delivery preference / redirection requests; " + noteCustomer},
		{"2101", unk, logi, srcCP, "meaning not given; §9 classifies it as not physical"},
		{"2300", acc, phys, srcCP, "item picked up by Canada Post"},
		{"1300", acc, phys, srcCP, "item accepted"},
		{"1301", acc, phys, srcCP, "item accepted"},
		{"1302", acc, phys, srcCP, "item accepted"},
		{"100", tra, phys, srcCP, "item processed"},
		{"101", tra, phys, srcCP, "item processed"},
		{"102", tra, phys, srcCP, "item processed"},
		{"103", tra, phys, srcCP, "item processed"},
		{"104", tra, phys, srcCP, "item processed"},
		{"105", tra, phys, srcCP, "item processed"},
		{"106", tra, phys, srcCP, "item processed"},
		{"107", tra, phys, srcCP, "item processed"},
		{"170", tra, phys, srcCP, "item processed"},
		{"1240", tra, phys, srcCP, "item processed (overrides 12##)"},
		{"1244", tra, phys, srcCP, "item processed (overrides 12##)"},
		{"2500", tra, phys, srcCP, "item processed"},
		{"2501", tra, phys, srcCP, "item processed"},
		{"400", tra, phys, srcCP, "arrived / departed"},
		{"405", tra, phys, srcCP, "arrived / departed"},
		{"410", tra, phys, srcCP, "arrived / departed"},
		{"113", tra, ambi, srcCP, "partner facility / transfer (§9 ambiguous; no default given)"},
		{"114", tra, ambi, srcCP, "partner facility / transfer (§9 ambiguous; no default given)"},
		{"115", tra, ambi, srcCP, "partner facility / transfer (§9 ambiguous; no default given)"},
		{"116", tra, ambi, srcCP, "partner facility / transfer (§9 ambiguous; no default given)"},
		{"174", ofd, phys, srcCP, "out for delivery"},
		{"500", ofd, phys, srcCP, "out for delivery"},
		{"1405", dlv, phys, srcCP, "delivered variant"},
		{"1406", dlv, phys, srcCP, "delivered variant"},
		{"1408", dlv, phys, srcCP, "delivered variant"},
		{"1409", dlv, phys, srcCP, "delivered variant"},
		{"1407", afp, phys, srcCP, "available for pick-up"},
		{"1701", afp, phys, srcCP, "available for pick-up"},
		{"2407", afp, phys, srcCP, "available for pick-up"},
		{"14##", unk, phys, srcCP, "§8.5 gives 1405-1498 as delivered variants and 141x-149x as return / hold: the stage cannot be told, the class (§9 14xx) can"},
		{"4000", acc, ambi, srcCP, "international item mailed in origin country: a foreign operator's acceptance (§9 ambiguous)"},
	}},

	{table: tUPU, field: fCode, rule: "code:UPU:", rows: []row{
		{"EMA", acc, phys, srcUPU, "posting / collection: the operator received the parcel"},
		{"EMB", tra, phys, srcUPU, "arrival at outward office of exchange"},
		{"EMC", tra, phys, srcUPU, "departure from outward office of exchange"},
		{"EXA", tra, phys, srcUPU, "export customs"},
		{"EXB", tra, phys, srcUPU, "export customs"},
		{"EXC", tra, phys, srcUPU, "export customs"},
		{"EXD", tra, phys, srcUPU, "export customs"},
		{"EXX", tra, phys, srcUPU, "export customs"},
		{"EMJ", tra, phys, srcUPU, "arrival at transit office of exchange"},
		{"EMK", tra, phys, srcUPU, "departure from transit office of exchange"},
		{"EMD", tra, phys, srcUPU, "arrival at inward office of exchange"},
		{"EDA", tra, phys, srcUPU, "import customs"},
		{"EDB", tra, phys, srcUPU, "import customs"},
		{"EDC", tra, phys, srcUPU, "import customs"},
		{"EME", tra, phys, srcUPU, "import customs"},
		{"EMF", tra, phys, srcUPU, "departure from inward office of exchange"},
		{"EDD", tra, phys, srcUPU, "sorting centre"},
		{"EDE", tra, phys, srcUPU, "sorting centre"},
		{"EMG", tra, phys, srcUPU, "arrival at delivery office"},
		{"EDF", exc, phys, srcUPU, "held at depot"},
		{"EDG", ofd, phys, srcUPU, "out for delivery"},
		{"EDH", afp, phys, srcUPU, "at collection point"},
		{"EMH", att, phys, srcUPU, "unsuccessful delivery attempt"},
		{"EMI", dlv, phys, srcUPU, "final delivery"},
		{"EDX", exc, phys, srcUPU, "import terminated"},
	}},

	{table: tAmazon, field: fCode, rule: "code:Amazon Shipping:", rows: []row{
		{"ReadyForReceive", pre, elec, srcAmazon, ""},
		{"PackageReceivedByCarrier", acc, phys, srcAmazon, "moves the package from PreTransit to InTransit"},
		{"PickupDone", acc, phys, srcAmazon, ""},
		{"ArrivedAtCarrierFacility", tra, phys, srcAmazon, ""},
		{"Departed", tra, phys, srcAmazon, ""},
		{"OutForDelivery", ofd, phys, srcAmazon, ""},
		{"DeliveryAttempted", att, phys, srcAmazon, ""},
		{"Delivered", dlv, phys, srcAmazon, ""},
		{"AvailableForPickup", afp, phys, srcAmazon, noteNotIn9 + " (the parcel is at the pickup point)"},
		{"PickupCancelled", cxl, logi, srcAmazon, ""},
		{"RecipientRequestedAlternateDeliveryTiming", unk, logi, srcAmazon, noteCustomer},
		{"Lost", exc, ambi, srcAmazon, noteNotIn9},
		{"Rejected", exc, ambi, srcAmazon, noteNotIn9},
		{"Undeliverable", exc, ambi, srcAmazon, noteNotIn9},
		{"ReturnInitiated", ret, ambi, srcAmazon, noteNotIn9 + "; may be a request only"},
	}},

	// Rule 3: aggregators. A sub-status decides when known; the tag only
	// when there is none (see aggregator in classify.go).
	{table: tAfterShip, field: fSubtag, rule: "aftership:subtag:", rows: []row{
		{"Pending_001", unk, elec, srcASSub, "no information yet"},
		{"Pending_002", unk, elec, srcASSub, noteUnconf},
		{"Pending_003", unk, elec, srcASSub, noteUnconf},
		{"Pending_004", unk, elec, srcASSub, noteUnconf},
		{"Pending_005", unk, elec, srcASSub, noteUnconf},
		{"Pending_006", unk, elec, srcASSub, noteUnconf},
		{"InfoReceived_001", pre, elec, srcASSub, ""},
		{"InTransit_001", tra, ambi, srcASSub, "generic in transit; AfterShip tags USPS \"Awaiting Item\" partner rows with it (§1.5, §9)"},
		{"InTransit_002", acc, phys, srcASSub, "acceptance scan"},
		{"InTransit_003", tra, phys, srcASSub, "arrival scan"},
		{"InTransit_004", tra, phys, srcASSub, "arrived at destination country"},
		{"InTransit_005", tra, phys, srcASSub, "customs clearance completed"},
		{"InTransit_006", tra, phys, srcASSub, "customs clearance started"},
		{"InTransit_007", tra, phys, srcASSub, "departure scan"},
		{"InTransit_008", tra, ambi, srcASSub, "problem resolved: a notice; " + noteNotIn9},
		{"InTransit_009", tra, ambi, srcASSub, "forwarded; " + noteNotIn9},
		{"OutForDelivery_001", ofd, phys, srcASSub, ""},
		{"OutForDelivery_002", afp, phys, srcASSub, "available for pickup (older)"},
		{"OutForDelivery_003", ofd, phys, srcASSub, "customer contacted"},
		{"OutForDelivery_004", ofd, phys, srcASSub, "delivery appointment"},
		{"AttemptFail_001", att, phys, srcASSub, ""},
		{"AttemptFail_002", att, phys, srcASSub, "addressee not available"},
		{"AttemptFail_003", att, phys, srcASSub, "business closed"},
		{"Delivered_001", dlv, phys, srcASSub, ""},
		{"Delivered_002", dlv, phys, srcASSub, "picked up by customer"},
		{"Delivered_003", dlv, phys, srcASSub, "signed"},
		{"Delivered_004", dlv, phys, srcASSub, "COD collected"},
		{"Delivered_005", dlv, phys, srcASSub, "left with neighbour"},
		{"AvailableForPickup_001", afp, phys, srcASSub, ""},
		{"Exception_001", exc, ambi, srcASSub, "§9: Exception_* other than _020 are ambiguous"},
		{"Exception_002", exc, ambi, srcASSub, "moved"},
		{"Exception_003", exc, ambi, srcASSub, "refused"},
		{"Exception_004", exc, ambi, srcASSub, "customs delay"},
		{"Exception_005", exc, ambi, srcASSub, "external delay"},
		{"Exception_006", exc, ambi, srcASSub, "held for payment"},
		{"Exception_007", exc, ambi, srcASSub, "incorrect address"},
		{"Exception_008", exc, ambi, srcASSub, "pickup missed"},
		{"Exception_009", exc, ambi, srcASSub, "rejected by carrier"},
		{"Exception_010", ret, ambi, srcASSub, "returning to sender"},
		{"Exception_011", ret, ambi, srcASSub, "returned to sender"},
		{"Exception_012", exc, ambi, srcASSub, "damaged"},
		{"Exception_013", exc, ambi, srcASSub, "lost"},
		{"Exception_016", exc, ambi, srcASSub2026, "processing delay"},
		{"Exception_017", exc, ambi, srcASSub2026, "weather"},
		{"Exception_018", exc, ambi, srcASSub2026, "documents"},
		{"Exception_019", exc, ambi, srcASSub2026, "late flight"},
		{"Exception_020", cxl, logi, srcASSub2026, "shipment cancelled"},
		{"Exception_021", exc, ambi, srcASSub2026, "disposed"},
		{"Expired_001", xpd, logi, srcASSub, ""},
	}},
	{table: tAfterShip, field: fTag, rule: "aftership:tag:", rows: []row{
		{"Pending", unk, elec, srcASTag, "no information yet (§1.2)"},
		{"InfoReceived", pre, elec, srcASTag, ""},
		{"InTransit", tra, phys, srcASTag, "\"Carrier has accepted or picked up shipment\""},
		{"OutForDelivery", ofd, phys, srcASTag, ""},
		{"AttemptFail", att, phys, srcASTag, ""},
		{"Delivered", dlv, phys, srcASTag, ""},
		{"AvailableForPickup", afp, phys, srcASTag, ""},
		{"Exception", exc, ambi, srcASTag, ""},
		{"Expired", xpd, logi, srcASTag, "no information for 30 days"},
	}},

	{table: tEasyPost, field: fSubtag, rule: "easypost:status_detail:", rows: []row{
		{"label_created", pre, elec, srcEPDetail, ""},
		{"awaiting_information", pre, elec, srcEPDetail, ""},
		{"status_update", unk, ambi, srcEPDetail, "generic: the status decides (USPS MA arrives as pre_transit/status_update)"},
		{"unknown", unk, ambi, srcEPDetail, "generic: the status decides"},
		{"substatus_unknown", unk, ambi, srcEPDetail, noteEPMirror},
		{"received_at_origin_facility", acc, phys, srcEPDetail, ""},
		{"departed_origin_facility", tra, phys, srcEPDetail, ""},
		{"arrived_at_facility", tra, phys, srcEPDetail, ""},
		{"departed_facility", tra, phys, srcEPDetail, ""},
		{"arrived_at_destination", tra, phys, srcEPDetail, ""},
		{"received_at_destination_facility", tra, phys, srcEPDetail, ""},
		{"transferred_to_destination_carrier", tra, phys, srcEPDetail, ""},
		{"in_transit", tra, phys, srcEPDetail, ""},
		{"substatus_in_transit", tra, phys, srcEPDetail, noteEPMirror},
		{"out_for_delivery", ofd, phys, srcEPDetail, ""},
		{"substatus_out_for_delivery", ofd, phys, srcEPDetail, noteEPMirror},
		{"arrived_at_pickup_location", afp, phys, srcEPDetail, ""},
		{"failure", att, phys, srcEPDetail, ""},
		{"substatus_failure", att, phys, srcEPDetail, noteEPMirror},
		{"delivery_exception", exc, phys, srcEPDetail, ""},
		{"damaged", exc, phys, srcEPDetail, ""},
		{"held", exc, phys, srcEPDetail, ""},
		{"missorted", exc, phys, srcEPDetail, ""},
		{"refused", exc, phys, srcEPDetail, ""},
		{"return", ret, phys, srcEPDetail, ""},
		{"address_correction", exc, ambi, srcEPDetail, "may be a data correction: the status decides"},
		{"transit_exception", exc, ambi, srcEPDetail, "the status decides"},
		{"lost", exc, ambi, srcEPDetail, "the status decides"},
		{"delayed", tra, logi, srcEPDetail, noteSysDelay},
		{"weather_delay", tra, logi, srcEPDetail, noteSysDelay},
		{"cancelled", cxl, logi, srcEPDetail, ""},
		{"substatus_cancelled", cxl, logi, srcEPDetail, noteEPMirror},
		{"expired", xpd, logi, srcEPDetail, ""},
	}},
	{table: tEasyPost, field: fTag, rule: "easypost:status:", rows: []row{
		{"unknown", unk, ambi, srcEPStatus, ""},
		{"pre_transit", pre, elec, srcEPStatus, ""},
		{"in_transit", tra, phys, srcEPStatus, ""},
		{"out_for_delivery", ofd, phys, srcEPStatus, ""},
		{"delivered", dlv, phys, srcEPStatus, ""},
		{"available_for_pickup", afp, phys, srcEPStatus, ""},
		{"return_to_sender", ret, phys, srcEPStatus, ""},
		{"failure", att, phys, srcEPStatus, "DELIVERY_ATTEMPTED (§13.2)"},
		{"cancelled", cxl, logi, srcEPStatus, ""},
		{"error", unk, logi, srcEPStatus, "a tracker error, not an event"},
	}},

	{table: t17Track, field: fSubtag, rule: "17track:sub_status:", rows: []row{
		{"NotFound_Other", nfd, elec, src17Sub, ""},
		{"NotFound_InvalidCode", nfd, elec, src17Sub, ""},
		{"InfoReceived", pre, elec, src17Sub, ""},
		{"InTransit_PickedUp", acc, phys, src17Sub, "the first real acceptance (§4.3)"},
		{"InTransit_Other", tra, ambi, src17Sub, "§9 ambiguous"},
		{"InTransit_Departure", tra, phys, src17Sub, ""},
		{"InTransit_Arrival", tra, phys, src17Sub, ""},
		{"InTransit_CustomsProcessing", tra, phys, src17Sub, ""},
		{"InTransit_CustomsReleased", tra, phys, src17Sub, ""},
		{"InTransit_CustomsRequiringInformation", tra, phys, src17Sub, ""},
		{"Expired_Other", xpd, logi, src17Sub, ""},
		{"AvailableForPickup_Other", afp, phys, src17Sub, ""},
		{"OutForDelivery_Other", ofd, phys, src17Sub, ""},
		{"DeliveryFailure_Other", att, phys, src17Sub, ""},
		{"DeliveryFailure_NoBody", att, phys, src17Sub, ""},
		{"DeliveryFailure_Security", att, phys, src17Sub, ""},
		{"DeliveryFailure_Rejected", att, phys, src17Sub, ""},
		{"DeliveryFailure_InvalidAddress", att, phys, src17Sub, ""},
		{"Delivered_Other", dlv, phys, src17Sub, ""},
		{"Exception_Returning", ret, phys, src17Sub, ""},
		{"Exception_Returned", ret, phys, src17Sub, ""},
		{"Exception_NoBody", exc, phys, src17Sub, "a delivery-side event; §9 \"Exception_Returning / Returned / …\""},
		{"Exception_Security", exc, phys, src17Sub, "a handling event; §9 \"…\""},
		{"Exception_Damage", exc, phys, src17Sub, "a handling event; §9 \"…\""},
		{"Exception_Rejected", exc, phys, src17Sub, "a delivery-side event; §9 \"…\""},
		{"Exception_Destroyed", exc, phys, src17Sub, "a handling event; §9 \"…\""},
		{"Exception_Other", exc, ambi, src17Sub, "generic"},
		{"Exception_Delayed", exc, ambi, src17Sub, "may be a notice only"},
		{"Exception_Lost", exc, ambi, src17Sub, "a determination, not a scan"},
		{"Exception_Cancel", cxl, logi, src17Sub, ""},
	}},
	{table: t17Track, field: fSubtag, rule: "17track:stage:", rows: []row{
		{"PickedUp", acc, phys, src17Stage, ""},
		{"Departure", tra, phys, src17Stage, ""},
		{"Arrival", tra, phys, src17Stage, ""},
		{"AvailableForPickup", afp, phys, src17Stage, ""},
		{"OutForDelivery", ofd, phys, src17Stage, ""},
		{"Delivered", dlv, phys, src17Stage, ""},
		{"Returning", ret, phys, src17Stage, ""},
		{"Returned", ret, phys, src17Stage, ""},
	}},
	{table: t17Track, field: fTag, rule: "17track:status:", rows: []row{
		{"NotFound", nfd, elec, src17Status, ""},
		{"InfoReceived", pre, elec, src17Status, ""},
		{"InTransit", tra, ambi, src17Status, "without a sub_status it cannot be told from InTransit_Other"},
		{"Expired", xpd, logi, src17Status, ""},
		{"AvailableForPickup", afp, phys, src17Status, ""},
		{"OutForDelivery", ofd, phys, src17Status, ""},
		{"DeliveryFailure", att, phys, src17Status, ""},
		{"Delivered", dlv, phys, src17Status, ""},
		{"Exception", exc, ambi, src17Status, ""},
		{"0", nfd, elec, src17V1, "NotFound"},
		{"10", tra, ambi, src17V1, "InTransit; v1 had no InfoReceived, so it may be a pre-advice"},
		{"20", xpd, logi, src17V1, "Expired"},
		{"30", afp, phys, src17V1, "PickUp: ready for pickup"},
		{"35", att, phys, src17V1, "Undelivered"},
		{"40", dlv, phys, src17V1, "Delivered"},
		{"50", exc, ambi, src17V1, "Alert"},
	}},

	// Rule 5: description phrases, electronic first. They never give
	// PHYSICAL: prose is not evidence of a scan.
	{table: tText, field: fDescription, rule: "text:", rows: []row{
		{"label created", pre, elec, srcText, ""},
		{"shipment information", pre, elec, srcText, ""},
		{"pre-shipment", pre, elec, srcText, ""},
		{"electronic*info", pre, elec, srcText, "\"electronic\" or \"electronically\" followed by \"info\""},
		{"electronic*data", pre, elec, srcText, "\"electronic\" or \"electronically\" followed by \"data\""},
		{"awaiting item", pre, elec, srcText, ""},
		{"order processed", pre, elec, srcText, ""},
		{"ready for UPS", pre, elec, srcText, ""},
		{"ready for pickup", pre, elec, srcText, "the shipper's parcel waits for the carrier; a post-office \"ready for pickup\" is thus never counted from text"},
		{"billing information", pre, elec, srcText, ""},
		{"manifest", pre, elec, srcText, ""},
		{"shipper created a label", pre, elec, srcText, ""},
		{"待揽件", pre, elec, srcText, "awaiting pickup (§8.6)"},
		{"arriving on time", tra, logi, srcText, ""},
		{"arriving late", tra, logi, srcText, ""},
		{"in transit to next facility", tra, logi, srcText, ""},
		{"expected delivery", unk, logi, srcText, ""},
		{"delivery date updated", unk, logi, srcText, ""},
	}},
}
