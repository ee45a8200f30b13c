package simulate

import (
	"fmt"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/tracking"
)

// kind is the role of a scan in a journey. It drives where and when the
// journey builder places a scan and how the aggregator formats label it
// (AfterShip subtag, EasyPost status_detail, 17TRACK sub_status).
type kind uint8

const (
	kLabel      kind = iota // label / manifest / pre-advice (electronic)
	kAccept                 // first physical scan: pickup, acceptance, origin scan
	kDepart                 // departed a facility
	kArrive                 // arrived at a facility
	kHandoff                // handed to the last-mile carrier, or its data notice
	kExport                 // arrival at the outward office of exchange / export hub
	kFlight                 // departure from the outward office of exchange / airport
	kImport                 // arrival in the destination country
	kCustoms                // import customs started
	kCustomsOK              // import customs released
	kLogical                // system notice ("In Transit to Next Facility")
	kArriveDest             // arrival at the delivery unit
	kOFD                    // out for delivery
	kAttempt                // delivery attempt
	kDelivered              // delivered
	numKinds
)

// scan is one raw carrier event template: the code, secondary code and
// wording the carrier really uses (tracking-events.md §8-9) and the
// normalised status vtr expects. The class is deliberately absent: vtr
// classifies from the code.
type scan struct {
	code, typeCode, desc string
	status               vtr.EventStatus
	kind                 kind
}

// locStyle says how a carrier spells an event's location.
type locStyle uint8

const (
	styleTitle locStyle = iota // "Edison", "NJ", "08817"
	styleUpper                 // "EDISON", "NJ", "08817"
	styleUPS                   // upper case, postal code only on delivery (§8.1)
	styleUSPS                  // upper case, network facilities by name without state/ZIP (§8.2)
)

// journey is the shape of a carrier's network.
type journey uint8

const (
	jDomestic journey = iota // US ground network
	jPost                    // China-origin postal or consolidator, USPS last mile
	jExpress                 // China-origin express air network
	jFreight                 // LTL freight
)

// carrier is a simulated carrier: its formats, scan tables, hubs and the
// names the aggregators give it.
type carrier struct {
	code    string
	c       *tracking.Carrier
	formats []wformat
	scans   [numKinds][]scan
	hubs    *hubs
	style   locStyle
	journey journey
	// labelLoc: label rows carry the shipper's own address (§1 finding 4).
	labelLoc bool
	// lastMile delivers the parcel in the US and reports those scans
	// itself (reported_by), as USPS does for China Post and the
	// consolidators.
	lastMile *carrier
	hubList  []*place // the hubs its parcels route through
	// checked: at least one format has a check digit (typo-eligible).
	checked bool

	// Aggregator identities: AfterShip slug, EasyPost carrier name,
	// 17TRACK carrier key (0 when not known: 17TRACK consumers then go by
	// the provider name) and name. They match the tables of vtr's
	// aftership, easypost and track17 adapters.
	slug   string
	ep     string
	key17  int
	name17 string
	// noOffset: AfterShip gives this carrier's checkpoint_time without a
	// UTC offset (§2.2: "may lack an offset").
	noOffset bool
}

// wformat is a tracking-number format and its share of the carrier's
// numbers.
type wformat struct {
	f      *tracking.Format
	weight int
}

func s(code, typ, desc string, st vtr.EventStatus, k kind) scan {
	return scan{code: code, typeCode: typ, desc: desc, status: st, kind: k}
}

const (
	pre   = vtr.StatusPreTransit
	acc   = vtr.StatusAccepted
	tr    = vtr.StatusInTransit
	ofd   = vtr.StatusOutForDelivery
	att   = vtr.StatusDeliveryAttempt
	deliv = vtr.StatusDelivered
)

// tables builds a carrier's scan table from a flat list.
func tables(list ...scan) (t [numKinds][]scan) {
	for _, sc := range list {
		t[sc.kind] = append(t[sc.kind], sc)
	}
	return t
}

// The carriers. Codes and wordings: USPS Publication 97 codes (§8.2), UPS
// status types and codes (§8.1), FedEx scan event codes and derived
// status codes (§8.3), DHL Express native codes with the Unified API
// statusCode as the type code (§8.4), UPU EMSEVT codes for China Post
// (§8.6), Amazon Shipping API v2 EventCodes (§7). Carriers without a
// public code table (OnTrac, LaserShip, DHL eCommerce, the Chinese
// consolidators, regional carriers) send wording and a status only.
//
// A carrier that has a code table sends a code with every physical event:
// UPS exceptions (status type X) carry UPS's 3-digit description code
// where no 2-character code of theirs is documented (022 first attempt
// made, 012 clearance in progress; UPS-API/api-documentation#7), and a
// DHL Express failed attempt its checkpoint code NH (not home, Karrio's
// DHL Express map). vtr's classification tables know each of them.
var (
	cUSPS = &carrier{code: "USPS", style: styleUSPS, journey: jDomestic, labelLoc: true, hubList: uspsHubs,
		slug: "usps", ep: "USPS", key17: 21051, name17: "USPS",
		scans: tables(
			s("GX", "", "Shipping Label Created, USPS Awaiting Item", pre, kLabel),
			s("GX", "", "Shipping Label Created, USPS Awaiting Item", pre, kLabel),
			s("MA", "", "Pre-Shipment Info Sent to USPS, USPS Awaiting Item", pre, kLabel),
			s("OA", "", "Accepted at USPS Origin Facility", acc, kAccept),
			s("03", "", "USPS picked up item", acc, kAccept),
			s("10", "", "Arrived at USPS Regional Facility", tr, kArrive),
			s("EF", "", "Departed USPS Regional Facility", tr, kDepart),
			s("NT", "", "In Transit to Next Facility", tr, kLogical),
			s("07", "", "Arrived at Post Office", tr, kArriveDest),
			s("OF", "", "Out for Delivery", ofd, kOFD),
			s("02", "", "Notice Left (No Authorized Recipient Available)", att, kAttempt),
			s("01", "", "Delivered, In/At Mailbox", deliv, kDelivered),
			s("01", "", "Delivered, Front Door/Porch", deliv, kDelivered),
			s("01", "", "Delivered, Parcel Locker", deliv, kDelivered),
			s("10", "", "Processed Through Facility", tr, kImport),
		)}
	cUPS = &carrier{code: "UPS", style: styleUPS, journey: jDomestic, labelLoc: true, hubList: upsHubs,
		slug: "ups", ep: "UPS", key17: 100002, name17: "UPS",
		scans: tables(
			s("MP", "M", "Shipper created a label, UPS has not received the package yet.", pre, kLabel),
			s("MP", "M", "Order Processed: Ready for UPS", pre, kLabel),
			s("PU", "P", "Pickup Scan", acc, kAccept),
			s("OR", "I", "Origin Scan", acc, kAccept),
			s("DP", "I", "Departed from Facility", tr, kDepart),
			s("AR", "I", "Arrived at Facility", tr, kArrive),
			s("AR", "I", "Arrived at Facility", tr, kArriveDest),
			s("OT", "I", "Out For Delivery Today", ofd, kOFD),
			s("022", "X", "The receiver was not available for delivery. We'll make a second attempt the next business day.", att, kAttempt),
			s("FS", "D", "Delivered", deliv, kDelivered),
			s("", "I", "Import Scan", tr, kImport),
			s("012", "X", "Your package is being held for customs clearance.", tr, kCustoms),
			s("", "I", "Your package has been released by the government agency.", tr, kCustomsOK),
			s("DP", "I", "Departed from Facility", tr, kFlight),
			s("AR", "I", "Arrived at Facility", tr, kExport),
		)}
	cFedEx = &carrier{code: "FedEx", style: styleUpper, journey: jDomestic, labelLoc: true, hubList: fedexHubs,
		slug: "fedex", ep: "FedEx", key17: 100003, name17: "FedEx",
		scans: tables(
			s("OC", "IN", "Shipment information sent to FedEx", pre, kLabel),
			s("PU", "PU", "Picked up", acc, kAccept),
			s("DP", "IT", "Departed FedEx location", tr, kDepart),
			s("AR", "IT", "Arrived at FedEx location", tr, kArrive),
			s("AF", "IT", "At local FedEx facility", tr, kArriveDest),
			s("OD", "OD", "On FedEx vehicle for delivery", ofd, kOFD),
			s("DE", "DE", "Delivery exception: Customer not available or business closed", att, kAttempt),
			s("DL", "DL", "Delivered", deliv, kDelivered),
			s("AR", "IT", "Arrived at FedEx hub", tr, kExport),
			s("DP", "IT", "Left FedEx origin facility", tr, kFlight),
			s("AR", "IT", "Arrived at FedEx location", tr, kImport),
			s("CC", "IT", "International shipment release - Import", tr, kCustomsOK),
		)}
	cSmartPost = &carrier{code: "FedEx SmartPost", style: styleUpper, journey: jDomestic, labelLoc: true, hubList: fedexHubs,
		slug: "fedex", ep: "FedExSmartPost", key17: 100003, name17: "FedEx",
		scans: tables(
			s("OC", "IN", "Shipment information sent to FedEx", pre, kLabel),
			s("PU", "PU", "Picked up", acc, kAccept),
			s("DP", "IT", "Departed FedEx location", tr, kDepart),
			s("AR", "IT", "Arrived at FedEx location", tr, kArrive),
			s("OX", "IT", "Shipment information sent to USPS", tr, kHandoff),
			s("AX", "IT", "At USPS facility", tr, kArriveDest),
			s("DL", "DL", "Delivered", deliv, kDelivered),
		)}
	cAmazon = &carrier{code: "Amazon Shipping", style: styleTitle, journey: jDomestic, labelLoc: true, hubList: regionalHubs,
		slug: "amazon", ep: "AmazonShipping", key17: 100308, name17: "Amazon Shipping",
		scans: tables(
			s("ReadyForReceive", "", "Shipping label created", pre, kLabel),
			s("PickupDone", "", "Package picked up", acc, kAccept),
			s("PackageReceivedByCarrier", "", "Package received by carrier", acc, kAccept),
			s("Departed", "", "Package left a carrier facility", tr, kDepart),
			s("ArrivedAtCarrierFacility", "", "Package arrived at a carrier facility", tr, kArrive),
			s("ArrivedAtCarrierFacility", "", "Package arrived at the delivery station", tr, kArriveDest),
			s("OutForDelivery", "", "Out for delivery", ofd, kOFD),
			s("DeliveryAttempted", "", "Delivery attempted", att, kAttempt),
			s("Delivered", "", "Delivered", deliv, kDelivered),
		)}
	cOnTrac = &carrier{code: "OnTrac", style: styleUpper, journey: jDomestic, hubList: regionalHubs[:3],
		slug: "ontrac", ep: "OnTrac", key17: 100049, name17: "OnTrac",
		scans: tables(
			s("", "", "Shipping label created", pre, kLabel),
			s("", "", "Package received at facility", acc, kAccept),
			s("", "", "Departed OnTrac facility", tr, kDepart),
			s("", "", "Arrived at OnTrac facility", tr, kArrive),
			s("", "", "Arrived at local OnTrac facility", tr, kArriveDest),
			s("", "", "Out for delivery", ofd, kOFD),
			s("", "", "Delivery attempted", att, kAttempt),
			s("", "", "Delivered", deliv, kDelivered),
		)}
	cLaserShip = &carrier{code: "Lasership", style: styleUpper, journey: jDomestic, hubList: regionalHubs[3:],
		slug: "lasership", ep: "LaserShip", key17: 100052, name17: "LaserShip",
		scans: tables(
			s("", "", "Order Created", pre, kLabel),
			s("", "", "Received", acc, kAccept),
			s("", "", "Departed LaserShip Facility", tr, kDepart),
			s("", "", "Arrived at LaserShip Facility", tr, kArrive),
			s("", "", "Arrived at Local LaserShip Facility", tr, kArriveDest),
			s("", "", "Out For Delivery", ofd, kOFD),
			s("", "", "Delivery Attempted", att, kAttempt),
			s("", "", "Delivered", deliv, kDelivered),
		)}
	cDHLeC = &carrier{code: "DHL eCommerce", style: styleUpper, journey: jDomestic, hubList: regionalHubs,
		slug: "dhl-global-mail", ep: "DHLEcs", key17: 7047, name17: "DHL eCommerce US",
		scans: tables(
			s("", "pre-transit", "Electronic Notification Received: Your order has been processed and tracking will be updated soon", pre, kLabel),
			s("", "transit", "Package received at DHL eCommerce Distribution Center", acc, kAccept),
			s("", "transit", "Departed DHL eCommerce Facility", tr, kDepart),
			s("", "transit", "Arrival DHL eCommerce Facility", tr, kArrive),
			s("", "transit", "Tendered to Delivery Service Provider", tr, kHandoff),
		)}
	cDHL = &carrier{code: "DHL", style: styleUpper, journey: jExpress,
		slug: "dhl", ep: "DHLExpress", key17: 100001, name17: "DHL Express",
		scans: tables(
			s("", "pre-transit", "Shipment information received", pre, kLabel),
			s("PU", "transit", "Shipment picked up", acc, kAccept),
			s("PL", "transit", "Processed at DHL facility", tr, kExport),
			s("DF", "transit", "Departed Facility", tr, kFlight),
			s("DF", "transit", "Departed Facility", tr, kDepart),
			s("AF", "transit", "Arrived at Sort Facility", tr, kImport),
			s("AF", "transit", "Arrived at Sort Facility", tr, kArrive),
			s("", "transit", "Clearance processing complete", tr, kCustomsOK),
			s("AR", "transit", "Arrived at DHL Delivery Facility", tr, kArriveDest),
			s("WC", "transit", "With delivery courier", ofd, kOFD),
			s("NH", "failure", "Delivery attempted; recipient not home", att, kAttempt),
			s("OK", "delivered", "Delivered", deliv, kDelivered),
		)}
	cChinaPost = &carrier{code: "China Post", style: styleUpper, journey: jPost,
		slug: "china-post", ep: "ChinaPost", key17: 3011, name17: "China Post",
		scans: tables(
			s("", "", "Electronic information received", pre, kLabel),
			s("EMA", "", "Posting/Collection", acc, kAccept),
			s("EMB", "", "Arrival at outward office of exchange", tr, kExport),
			s("EMC", "", "Departure from outward office of exchange", tr, kFlight),
			s("EMD", "", "Arrival at inward office of exchange", tr, kImport),
			s("EDB", "", "Item presented to import Customs", tr, kCustoms),
			s("EDC", "", "Item returned from Customs", tr, kCustomsOK),
			s("EMF", "", "Departure from inward office of exchange", tr, kHandoff),
		)}
	cYun = &carrier{code: "Yun Express", style: styleTitle, journey: jPost, noOffset: true,
		slug: "yunexpress", ep: "YunExpress", key17: 190008, name17: "YunExpress",
		scans: tables(
			s("", "", "Shipment information received", pre, kLabel),
			s("", "", "Arrived at YunExpress facility, shipment received", acc, kAccept),
			s("", "", "Export customs clearance completed", tr, kExport),
			s("", "", "Departed from airport of origin", tr, kFlight),
			s("", "", "Arrived at destination airport", tr, kImport),
			s("", "", "Import customs clearance started", tr, kCustoms),
			s("", "", "Import customs clearance completed", tr, kCustomsOK),
			s("", "", "Handed over to last mile carrier", tr, kHandoff),
		)}
	c4PX = &carrier{code: "4PX", style: styleTitle, journey: jPost, noOffset: true,
		slug: "4px", ep: "4PX", key17: 190094, name17: "4PX",
		scans: tables(
			s("", "", "Shipment information received", pre, kLabel),
			s("", "", "Parcel received at 4PX warehouse", acc, kAccept),
			s("", "", "Sorted and left the 4PX warehouse", tr, kExport),
			s("", "", "Departed from origin airport", tr, kFlight),
			s("", "", "Arrived at destination airport", tr, kImport),
			s("", "", "Customs clearance in process", tr, kCustoms),
			s("", "", "Customs clearance completed", tr, kCustomsOK),
			s("", "", "Handed over to last mile carrier USPS", tr, kHandoff),
		)}
	cYanwen = &carrier{code: "Yanwen", style: styleTitle, journey: jPost, noOffset: true,
		slug: "yanwen", ep: "Yanwen", key17: 190012, name17: "Yanwen",
		scans: tables(
			s("", "", "Shipment information received", pre, kLabel),
			s("", "", "Yanwen pickup scan", acc, kAccept),
			s("", "", "Arrived at Yanwen sorting center", tr, kExport),
			s("", "", "Departed from origin country", tr, kFlight),
			s("", "", "Arrived at destination country", tr, kImport),
			s("", "", "Import customs clearance completed", tr, kCustomsOK),
			s("", "", "Handed over to local postal service", tr, kHandoff),
		)}
	cSF = &carrier{code: "SF Express", style: styleTitle, journey: jPost, noOffset: true,
		slug: "sf-express", ep: "SFExpress", key17: 100012, name17: "SF Express",
		scans: tables(
			s("", "", "Order information received", pre, kLabel),
			s("", "", "Picked up by courier", acc, kAccept),
			s("", "", "Arrived at SF Express transit center", tr, kExport),
			s("", "", "Export customs cleared, departed origin", tr, kFlight),
			s("", "", "Arrived at destination hub", tr, kImport),
			s("", "", "Import customs cleared", tr, kCustomsOK),
			s("", "", "Handed over to local delivery partner", tr, kHandoff),
		)}
	cGOFO = &carrier{code: "GOFO", style: styleTitle, journey: jDomestic, hubList: regionalHubs,
		slug: "gofo-express", ep: "GOFO", key17: 0, name17: "GOFO Express",
		scans: tables(
			s("", "", "Label created", pre, kLabel),
			s("", "", "Package received at GOFO sort center", acc, kAccept),
			s("", "", "Departed sort center", tr, kDepart),
			s("", "", "Arrived at sort center", tr, kArrive),
			s("", "", "Arrived at delivery station", tr, kArriveDest),
			s("", "", "Out for delivery", ofd, kOFD),
			s("", "", "Delivered", deliv, kDelivered),
		)}
	cSpeeDee = &carrier{code: "Spee-Dee", style: styleUpper, journey: jDomestic, hubList: regionalHubs,
		slug: "spee-dee", ep: "SpeeDee", key17: 100447, name17: "Spee-Dee Delivery",
		scans: tables(
			s("", "", "Shipment information received", pre, kLabel),
			s("", "", "Package picked up", acc, kAccept),
			s("", "", "Departed terminal", tr, kDepart),
			s("", "", "Arrived at terminal", tr, kArrive),
			s("", "", "Arrived at delivery terminal", tr, kArriveDest),
			s("", "", "Out for delivery", ofd, kOFD),
			s("", "", "Delivered", deliv, kDelivered),
		)}
	cODFL = &carrier{code: "Old Dominion", style: styleUpper, journey: jFreight, hubList: regionalHubs,
		slug: "old-dominion", ep: "OldDominion", key17: 0, name17: "Old Dominion Freight Line",
		scans: tables(
			s("", "", "Bill of lading received", pre, kLabel),
			s("", "", "Picked up", acc, kAccept),
			s("", "", "Departed service center", tr, kDepart),
			s("", "", "Arrived at service center", tr, kArrive),
			s("", "", "Arrived at destination service center", tr, kArriveDest),
			s("", "", "Out for delivery", ofd, kOFD),
			s("", "", "Delivered", deliv, kDelivered),
		)}
)

// formatsBy names each simulated carrier's formats and their shares. A
// format is used only if it carries a check digit or a fixed prefix of two
// characters or more: bare shapes (DHL eCommerce 14 digits, SF Express
// 12 digits, LaserShip "L", Amazon "International") are ambiguous.
var formatsBy = []struct {
	c       *carrier
	carrier string // format table carrier ("" for S10)
	service string
	weight  int
}{
	{cUPS, "UPS", "1Z", 100},
	{cUSPS, "USPS", "IMpb", 85},
	{cUSPS, "USPS", "Legacy 91", 10},
	{cUSPS, "USPS", "USPS 20", 5},
	{cFedEx, "FedEx", "Express 12", 55},
	{cFedEx, "FedEx", "Ground 96", 20},
	{cFedEx, "FedEx", "Ground 15", 15},
	{cFedEx, "FedEx", "Express 34", 4},
	{cFedEx, "FedEx", "Ground SSCC-18", 3},
	{cFedEx, "FedEx", "ASTRA 32", 3},
	{cSmartPost, "FedEx SmartPost", "IMpb 92-612", 100},
	{cDHL, "DHL", "Express waybill", 100},
	{cDHLeC, "DHL eCommerce", "Global Mail", 100},
	{cOnTrac, "OnTrac", "C/D", 100},
	{cLaserShip, "Lasership", "1LS7", 60},
	{cLaserShip, "Lasership", "1LSCX", 20},
	{cLaserShip, "Lasership", "LS", 20},
	{cChinaPost, "", "S10", 100},
	{cYanwen, "Yanwen", "S10 (YP/YN)", 100},
	{cSF, "SF Express", "SF waybill", 100},
	{c4PX, "4PX", "4PX…CN", 100},
	{cYun, "Yun Express", "YT", 100},
	{cAmazon, "Amazon Shipping", "TBA/TBC/TBM", 100},
	{cGOFO, "GOFO", "GFUS", 100},
	{cSpeeDee, "Spee-Dee", "SP", 100},
	{cODFL, "Old Dominion", "PRO 11", 100},
}

var allCarriers = []*carrier{cUSPS, cUPS, cFedEx, cSmartPost, cAmazon, cOnTrac, cLaserShip, cDHLeC, cDHL,
	cChinaPost, cYun, c4PX, cYanwen, cSF, cGOFO, cSpeeDee, cODFL}

// usable reports whether numbers of f prove anything: a check digit or a
// literal prefix. (tracking.Format.Weak also counts check-digit formats
// without a prefix as weak; the simulator keeps those, since their check
// digit makes them verifiable.)
func usable(f *tracking.Format) bool { return f.CheckDigit != "" || !f.Weak() }

func init() {
	for _, fb := range formatsBy {
		var found *tracking.Format
		for _, f := range tracking.Formats() {
			if f.Carrier == fb.carrier && f.Service == fb.service {
				found = f
			}
		}
		if found == nil || !usable(found) {
			panic(fmt.Sprintf("simulate: format %q/%q missing or weak", fb.carrier, fb.service))
		}
		fb.c.formats = append(fb.c.formats, wformat{f: found, weight: fb.weight})
		if found.CheckDigit != "" {
			fb.c.checked = true
		}
	}
	for _, c := range allCarriers {
		if len(c.hubList) > 0 {
			c.hubs = newHubs(c.hubList)
		}
		c.c = tracking.ByCode(c.code)
		if c.c == nil {
			panic("simulate: unknown carrier " + c.code)
		}
		if len(c.formats) == 0 {
			panic("simulate: no format for " + c.code)
		}
		if len(c.scans[kLabel]) == 0 || len(c.scans[kAccept]) == 0 {
			panic("simulate: carrier without label or acceptance scans: " + c.code)
		}
	}
	// Last miles: USPS delivers for the postal and consolidator networks,
	// DHL eCommerce US hands its parcels to USPS (§8.4 bloodhound note).
	for _, c := range []*carrier{cChinaPost, cYun, c4PX, cYanwen, cSF, cDHLeC} {
		c.lastMile = cUSPS
	}
}

// mix is a carrier choice with its base weight.
type mix struct {
	c      *carrier
	weight float64
}

// Carrier mixes per origin, before each seller's own preferences.
var (
	usMix = []mix{{cUSPS, 30}, {cUPS, 24}, {cFedEx, 18}, {cAmazon, 10}, {cSmartPost, 5}, {cDHLeC, 5}, {cOnTrac, 4}, {cLaserShip, 4}}
	cnMix = []mix{{cYun, 25}, {cChinaPost, 22}, {c4PX, 15}, {cYanwen, 12}, {cSF, 8}, {cUPS, 6}, {cFedEx, 6}, {cDHL, 6}}
	// Carriers Amazon does not list as integrated for the origin
	// (marketplace-rules.md §5, §9): regional US carriers, and for China
	// the USPS last-mile number a consolidator hands back.
	usUnsupported = []*carrier{cGOFO, cSpeeDee}
	cnUnsupported = []*carrier{cUSPS, cGOFO}
)
