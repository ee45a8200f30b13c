package classify

import (
	"strings"
	"testing"

	"github.com/vtr-project/vtr"
)

var (
	yes = func() *bool { b := true; return &b }()
	no  = func() *bool { b := false; return &b }()
)

// tableInput says how a feed presents each table: the carrier whose code
// table it is, or the aggregator feed.
var tableInput = map[string]Input{
	"UPS":             {Carrier: "UPS"},
	"USPS":            {Carrier: "USPS"},
	"FedEx":           {Carrier: "FedEx"},
	"DHL":             {Carrier: "DHL"},
	"Canada Post":     {Carrier: "Canada Post"},
	"UPU":             {Carrier: "China Post"},
	"Amazon Shipping": {Carrier: "Amazon Shipping"},
	"AfterShip":       {Source: "aftership"},
	"EasyPost":        {Source: "easypost"},
	"17TRACK":         {Source: "17track"},
	"text":            {Carrier: "OnTrac"},
}

// example turns a key into a value it matches: '#' becomes 9, '*' a space.
func example(key string) string {
	return strings.NewReplacer("#", "9", "*", " ").Replace(key)
}

// inputFor builds the smallest input that should reach entry e.
func inputFor(t *testing.T, e Entry) Input {
	t.Helper()
	in, ok := tableInput[e.Table]
	if !ok {
		t.Fatalf("table %q has no input template", e.Table)
	}
	k := example(e.Key)
	switch e.Field {
	case "Code":
		in.Code = k
	case "TypeCode":
		in.TypeCode = k
	case "Tag":
		in.Tag = k
	case "Subtag":
		in.Subtag = k
	case "Description":
		in.Description = k
	case "Logical":
		in.Logical = map[string]*bool{"true": yes, "false": no}[e.Key]
	default:
		t.Fatalf("entry %s %q: unknown field %q", e.Table, e.Key, e.Field)
	}
	in.HasLocation = e.Location == LocationPresent
	return in
}

// TestTables proves every entry is reachable and not shadowed: the
// smallest input carrying its key is classified as the entry says.
func TestTables(t *testing.T) {
	es := Tables()
	if len(es) == 0 {
		t.Fatal("Tables() is empty")
	}
	rules := map[string]string{}
	for _, e := range es {
		name := e.Table + "/" + e.Field + "/" + e.Key + "@" + e.Location
		if e.Source == "" || !strings.Contains(e.Source, "tracking-events.md §") {
			t.Errorf("%s: source %q does not cite tracking-events.md", name, e.Source)
		}
		if !e.Status.Valid() || !e.Class.Valid() {
			t.Errorf("%s: invalid status %q or class %q", name, e.Status, e.Class)
		}
		if e.Table == "text" && e.Class == vtr.EventPhysical {
			t.Errorf("%s: a description phrase is never evidence of a physical scan", name)
		}
		if prev, ok := rules[e.Rule]; ok && e.Field != "Logical" {
			t.Errorf("%s: rule %q already used by %s", name, e.Rule, prev)
		}
		rules[e.Rule] = name
		in := inputFor(t, e)
		got := Classify(in)
		want := Result{Status: e.Status, Class: e.Class, Rule: e.Rule}
		if got != want {
			t.Errorf("%s: Classify(%+v) = %+v, want %+v", name, in, got, want)
		}
	}
	// Tables returns a copy: changing it changes nothing.
	es[0].Class = "changed"
	if Tables()[0].Class == "changed" {
		t.Error("Tables() shares its backing array")
	}
}

// TestTableCoverage checks that the codes tracking-events.md lists are in
// the tables, with the §13.5 defaults for the ambiguous ones.
func TestTableCoverage(t *testing.T) {
	have := map[string]Entry{}
	for _, e := range Tables() {
		have[e.Table+"|"+e.Field+"|"+e.Key+"|"+e.Location] = e
	}
	want := []struct {
		table, field, keys string
		class              vtr.EventClass
	}{
		{"UPS", "TypeCode", "M MV", vtr.EventElectronic},
		{"UPS", "TypeCode", "P I D", vtr.EventPhysical},
		{"UPS", "Code", "MP 003", vtr.EventElectronic},
		{"UPS", "Code", "OR OT FS PU DP AR", vtr.EventPhysical},
		{"USPS", "Code", "GX MA 89 GC TM", vtr.EventElectronic},
		{"USPS", "Code", "DX NT", vtr.EventLogical},
		{"USPS", "Code", "PA 03 OA UA AD 43 10 EF SF 07 PC OF 01 02 52 53 54 55 56 14 16 17 30 04 05 09 21 22 23 24 25 26 27 28 29 31 42 80 81 82", vtr.EventPhysical},
		{"FedEx", "Code", "OC OX RP LP RG RD SHIPMENT_DATA_RECEIVED ANTICIPATED_TENDER", vtr.EventElectronic},
		{"FedEx", "Code", "EP DS DR CA RR RM RC AO ESTIMATED_*", vtr.EventLogical},
		{"FedEx", "Code", "PU PX OF AR AF DP LO SF FD AD OD DL HL HP DE SE CC CP CD TR ACTUAL_PICKUP ACTUAL_TENDER", vtr.EventPhysical},
		{"FedEx", "Code", "OW PM AP", vtr.EventUnknown},
		{"FedEx", "TypeCode", "IN", vtr.EventElectronic},
		{"DHL", "TypeCode", "pre-transit", vtr.EventElectronic},
		{"DHL", "TypeCode", "transit delivered", vtr.EventPhysical},
		{"Canada Post", "Code", "3000 3002", vtr.EventElectronic},
		{"Canada Post", "Code", "1200 1203 12## 2101", vtr.EventLogical},
		{"Canada Post", "Code", "2300 1300 1301 1302 100 101 102 103 104 105 106 107 170 1240 1244 2500 2501 400 405 410 174 500 14## 1407 1701 2407", vtr.EventPhysical},
		{"UPU", "Code", "EMA EMB EMC EXA EXB EXC EXD EXX EMJ EMK EMD EDA EDB EDC EME EMF EDD EDE EMG EDF EDG EDH EMH EMI EDX", vtr.EventPhysical},
		{"AfterShip", "Tag", "Pending InfoReceived", vtr.EventElectronic},
		{"AfterShip", "Tag", "Expired", vtr.EventLogical},
		{"AfterShip", "Subtag", "InTransit_002 InTransit_003 InTransit_004 InTransit_005 InTransit_006 InTransit_007 AvailableForPickup_001", vtr.EventPhysical},
		{"AfterShip", "Subtag", "Exception_020", vtr.EventLogical},
		{"AfterShip", "Subtag", "InTransit_001", vtr.EventUnknown},
		{"EasyPost", "Tag", "pre_transit", vtr.EventElectronic},
		{"EasyPost", "Tag", "in_transit out_for_delivery delivered available_for_pickup return_to_sender failure", vtr.EventPhysical},
		{"EasyPost", "Subtag", "label_created awaiting_information", vtr.EventElectronic},
		{"EasyPost", "Subtag", "received_at_origin_facility arrived_at_facility departed_facility departed_origin_facility arrived_at_destination", vtr.EventPhysical},
		{"17TRACK", "Tag", "NotFound InfoReceived", vtr.EventElectronic},
		{"17TRACK", "Tag", "Expired", vtr.EventLogical},
		{"17TRACK", "Subtag", "InTransit_PickedUp InTransit_Departure InTransit_Arrival OutForDelivery_Other AvailableForPickup_Other Delivered_Other Exception_Returning Exception_Returned", vtr.EventPhysical},
		{"17TRACK", "Subtag", "InTransit_Other", vtr.EventUnknown},
	}
	for _, w := range want {
		for _, k := range strings.Fields(w.keys) {
			e, ok := have[w.table+"|"+w.field+"|"+k+"|"]
			if !ok {
				t.Errorf("%s %s %s: missing", w.table, w.field, k)
				continue
			}
			if e.Class != w.class {
				t.Errorf("%s %s %s: class %s, want %s", w.table, w.field, k, e.Class, w.class)
			}
		}
	}
	for _, k := range []string{"IT", "IX"} {
		if e := have["FedEx|Code|"+k+"|present"]; e.Class != vtr.EventPhysical {
			t.Errorf("FedEx %s with location: class %q, want physical", k, e.Class)
		}
		if e := have["FedEx|Code|"+k+"|absent"]; e.Class == vtr.EventPhysical || e.Class == "" {
			t.Errorf("FedEx %s without location: class %q, want not physical", k, e.Class)
		}
	}
}

func TestClassify(t *testing.T) {
	tests := []struct {
		name   string
		in     Input
		status vtr.EventStatus
		class  vtr.EventClass
		rule   string
	}{
		// Rule 1: UPS logicalScan.
		{"UPS logicalScan true", Input{Carrier: "UPS", Code: "AR", TypeCode: "I", Logical: yes}, vtr.StatusInTransit, vtr.EventLogical, "ups.logicalScan"},
		{"UPS logicalScan false", Input{Carrier: "UPS", Code: "OR", TypeCode: "I", Logical: no}, vtr.StatusAccepted, vtr.EventPhysical, "ups.logicalScan"},
		{"UPS logicalScan false, type X", Input{Carrier: "UPS", Code: "ZZ", TypeCode: "X", Logical: no}, vtr.StatusException, vtr.EventPhysical, "ups.logicalScan"},
		{"UPS logicalScan false, type M", Input{Carrier: "UPS", Code: "MP", TypeCode: "M", Logical: no}, vtr.StatusPreTransit, vtr.EventElectronic, "code:UPS:MP"},
		{"UPS logicalScan false, type MV", Input{Carrier: "UPS", Code: "ZZ", TypeCode: "MV", Logical: no}, vtr.StatusPreTransit, vtr.EventElectronic, "type:UPS:MV"},
		{"UPS logicalScan false, type m lower case", Input{Carrier: "UPS", TypeCode: "m", Logical: no}, vtr.StatusPreTransit, vtr.EventElectronic, "type:UPS:M"},
		// Rule 2: raw carrier codes.
		{"UPS type M beats a physical code", Input{Carrier: "UPS", Code: "OR", TypeCode: "M"}, vtr.StatusPreTransit, vtr.EventElectronic, "type:UPS:M"},
		{"UPS origin scan", Input{Carrier: "UPS", Code: "OR", TypeCode: "I"}, vtr.StatusAccepted, vtr.EventPhysical, "code:UPS:OR"},
		{"UPS unknown code, type I", Input{Carrier: "UPS", Code: "YP", TypeCode: "I"}, vtr.StatusInTransit, vtr.EventPhysical, "type:UPS:I"},
		{"UPS exception without flag", Input{Carrier: "UPS", Code: "ZZ", TypeCode: "X"}, vtr.StatusException, vtr.EventUnknown, "type:UPS:X"},
		{"UPS exception, first attempt made", Input{Carrier: "UPS", Code: "022", TypeCode: "X", Description: "The receiver was not available for delivery. We'll make a second attempt the next business day."}, vtr.StatusDeliveryAttempt, vtr.EventPhysical, "code:UPS:022"},
		{"UPS exception, clearance in progress", Input{Carrier: "UPS", Code: "012", TypeCode: "X"}, vtr.StatusInTransit, vtr.EventPhysical, "code:UPS:012"},
		{"UPS first attempt code under type M", Input{Carrier: "UPS", Code: "022", TypeCode: "M"}, vtr.StatusPreTransit, vtr.EventElectronic, "type:UPS:M"},
		{"USPS label created GX", Input{Carrier: "USPS", Code: "GX", Description: "Shipping Label Created, USPS Awaiting Item"}, vtr.StatusPreTransit, vtr.EventElectronic, "code:USPS:GX"},
		{"USPS label created MA", Input{Carrier: "USPS", Code: "MA"}, vtr.StatusPreTransit, vtr.EventElectronic, "code:USPS:MA"},
		{"USPS 03 accepted", Input{Carrier: "USPS", Code: "03", Description: "USPS picked up item"}, vtr.StatusAccepted, vtr.EventPhysical, "code:USPS:03"},
		{"USPS TM default electronic", Input{Carrier: "USPS", Code: "TM"}, vtr.StatusPreTransit, vtr.EventElectronic, "code:USPS:TM"},
		{"USPS PA default physical", Input{Carrier: "USPS", Code: "PA"}, vtr.StatusAccepted, vtr.EventPhysical, "code:USPS:PA"},
		{"USPS 81 partner physical", Input{Carrier: "USPS", Code: "81"}, vtr.StatusInTransit, vtr.EventPhysical, "code:USPS:81"},
		{"USPS code lower case, spaces", Input{Carrier: "USPS", Code: " gx "}, vtr.StatusPreTransit, vtr.EventElectronic, "code:USPS:GX"},
		{"USPS 30 attempt, not return", Input{Carrier: "USPS", Code: "30"}, vtr.StatusDeliveryAttempt, vtr.EventPhysical, "code:USPS:30"},
		{"FedEx OC electronic", Input{Carrier: "FedEx", Code: "OC", HasLocation: true}, vtr.StatusPreTransit, vtr.EventElectronic, "code:FedEx:OC"},
		{"FedEx PU accepted", Input{Carrier: "FedEx", Code: "PU"}, vtr.StatusAccepted, vtr.EventPhysical, "code:FedEx:PU"},
		{"FedEx IT with location", Input{Carrier: "FedEx", Code: "IT", HasLocation: true}, vtr.StatusInTransit, vtr.EventPhysical, "code:FedEx:IT@location"},
		{"FedEx IT without location", Input{Carrier: "FedEx", Code: "IT"}, vtr.StatusInTransit, vtr.EventLogical, "code:FedEx:IT@no-location"},
		{"FedEx SmartPost OX", Input{Carrier: "FedEx SmartPost", Code: "OX"}, vtr.StatusPreTransit, vtr.EventElectronic, "code:FedEx:OX"},
		{"FedEx SmartPost reported by USPS", Input{Carrier: "FedEx SmartPost", Reporter: "USPS", Code: "03"}, vtr.StatusAccepted, vtr.EventPhysical, "code:USPS:03"},
		{"FedEx derived IN", Input{Carrier: "FedEx", TypeCode: "IN"}, vtr.StatusPreTransit, vtr.EventElectronic, "type:FedEx:IN"},
		{"FedEx ESTIMATED_ pattern", Input{Carrier: "FedEx", Code: "ESTIMATED_DELIVERY"}, vtr.StatusUnknown, vtr.EventLogical, "code:FedEx:ESTIMATED_*"},
		{"FedEx spelled otherwise", Input{Carrier: "fedex smartpost", Code: "PU"}, vtr.StatusAccepted, vtr.EventPhysical, "code:FedEx:PU"},
		{"DHL eCommerce transit", Input{Carrier: "DHL eCommerce", TypeCode: "transit"}, vtr.StatusInTransit, vtr.EventPhysical, "type:DHL:transit"},
		{"DHL pre-transit", Input{Carrier: "DHL", TypeCode: "pre-transit"}, vtr.StatusPreTransit, vtr.EventElectronic, "type:DHL:pre-transit"},
		{"DHL Express code beats statusCode", Input{Carrier: "DHL", Code: "PU", TypeCode: "transit"}, vtr.StatusAccepted, vtr.EventPhysical, "code:DHL:PU"},
		{"DHL Express not home beats failure", Input{Carrier: "DHL", Code: "NH", TypeCode: "failure"}, vtr.StatusDeliveryAttempt, vtr.EventPhysical, "code:DHL:NH"},
		{"DHL failure without a code", Input{Carrier: "DHL", TypeCode: "failure", Description: "Delivery attempted; recipient not home"}, vtr.StatusException, vtr.EventUnknown, "type:DHL:failure"},
		{"Canada Post 3000 electronic", Input{Carrier: "Canada Post", Code: "3000"}, vtr.StatusPreTransit, vtr.EventElectronic, "code:Canada Post:3000"},
		{"Canada Post 1300 accepted", Input{Carrier: "Canada Post", Code: "1300"}, vtr.StatusAccepted, vtr.EventPhysical, "code:Canada Post:1300"},
		{"Canada Post 12xx request", Input{Carrier: "Canada Post", Code: "1250"}, vtr.StatusUnknown, vtr.EventLogical, "code:Canada Post:12##"},
		{"Canada Post 1240 processed, not 12xx", Input{Carrier: "Canada Post", Code: "1240"}, vtr.StatusInTransit, vtr.EventPhysical, "code:Canada Post:1240"},
		{"Canada Post 14xx", Input{Carrier: "Canada Post", Code: "1441"}, vtr.StatusUnknown, vtr.EventPhysical, "code:Canada Post:14##"},
		{"Canada Post 5-digit not 12xx", Input{Carrier: "Canada Post", Code: "12345"}, vtr.StatusUnknown, vtr.EventUnknown, "unknown"},
		{"China Post EMA", Input{Carrier: "China Post", Code: "EMA"}, vtr.StatusAccepted, vtr.EventPhysical, "code:UPU:EMA"},
		{"Hong Kong Post EMI", Input{Carrier: "Hong Kong Post", Code: "EMI"}, vtr.StatusDelivered, vtr.EventPhysical, "code:UPU:EMI"},
		{"Royal Mail speaks UPU", Input{Carrier: "Royal Mail", Code: "EMA"}, vtr.StatusAccepted, vtr.EventPhysical, "code:UPU:EMA"},
		{"China EMS alias", Input{Carrier: "China EMS", Code: "EMA"}, vtr.StatusAccepted, vtr.EventPhysical, "code:UPU:EMA"},
		{"private carrier has no UPU table", Input{Carrier: "Yun Express", Code: "EMA"}, vtr.StatusUnknown, vtr.EventUnknown, "unknown"},
		{"Amazon ReadyForReceive", Input{Carrier: "Amazon Shipping", Code: "ReadyForReceive"}, vtr.StatusPreTransit, vtr.EventElectronic, "code:Amazon Shipping:ReadyForReceive"},
		// A raw code in the table beats a conflicting aggregator tag.
		{"raw code beats AfterShip tag", Input{Carrier: "UPS", Source: "aftership", Tag: "InTransit", Code: "MP", TypeCode: "M"}, vtr.StatusPreTransit, vtr.EventElectronic, "code:UPS:MP"},
		{"raw code beats AfterShip subtag", Input{Carrier: "USPS", Source: "aftership", Tag: "InTransit", Subtag: "InTransit_001", Code: "GX"}, vtr.StatusPreTransit, vtr.EventElectronic, "code:USPS:GX"},
		{"EasyPost carrier_code beats status", Input{Carrier: "USPS", Source: "easypost", Tag: "in_transit", Subtag: "arrived_at_facility", Code: "MA"}, vtr.StatusPreTransit, vtr.EventElectronic, "code:USPS:MA"},
		{"unknown raw code falls to the tag", Input{Carrier: "USPS", Source: "aftership", Tag: "Delivered", Code: "ZZ"}, vtr.StatusDelivered, vtr.EventPhysical, "aftership:tag:Delivered"},
		// Rule 3: aggregators.
		{"AfterShip InfoReceived", Input{Source: "aftership", Tag: "InfoReceived", Subtag: "InfoReceived_001"}, vtr.StatusPreTransit, vtr.EventElectronic, "aftership:subtag:InfoReceived_001"},
		{"AfterShip InfoReceived tag only", Input{Source: "aftership", Tag: "InfoReceived"}, vtr.StatusPreTransit, vtr.EventElectronic, "aftership:tag:InfoReceived"},
		{"AfterShip InTransit_002 accepted", Input{Source: "aftership", Tag: "InTransit", Subtag: "InTransit_002"}, vtr.StatusAccepted, vtr.EventPhysical, "aftership:subtag:InTransit_002"},
		{"AfterShip InTransit_001 ambiguous", Input{Source: "aftership", Tag: "InTransit", Subtag: "InTransit_001", Description: "Departed facility"}, vtr.StatusInTransit, vtr.EventUnknown, "aftership:subtag:InTransit_001"},
		{"AfterShip InTransit_001 refined by text", Input{Source: "aftership", Tag: "InTransit", Subtag: "InTransit_001", Description: "Departed Shipping Partner Facility, USPS Awaiting Item"}, vtr.StatusPreTransit, vtr.EventElectronic, "text:awaiting item"},
		{"AfterShip unknown subtag under a physical tag", Input{Source: "aftership", Tag: "InTransit", Subtag: "InTransit_099"}, vtr.StatusInTransit, vtr.EventUnknown, "aftership:tag:InTransit (sub-status not in the table)"},
		{"AfterShip case-insensitive", Input{Source: "AfterShip", Subtag: "intransit_002"}, vtr.StatusAccepted, vtr.EventPhysical, "aftership:subtag:InTransit_002"},
		{"EasyPost pre_transit", Input{Source: "easypost", Tag: "pre_transit"}, vtr.StatusPreTransit, vtr.EventElectronic, "easypost:status:pre_transit"},
		{"EasyPost pre_transit/status_update", Input{Source: "easypost", Tag: "pre_transit", Subtag: "status_update"}, vtr.StatusPreTransit, vtr.EventElectronic, "easypost:status:pre_transit"},
		{"EasyPost in_transit", Input{Source: "easypost", Tag: "in_transit"}, vtr.StatusInTransit, vtr.EventPhysical, "easypost:status:in_transit"},
		{"EasyPost received_at_origin_facility", Input{Source: "easypost", Tag: "in_transit", Subtag: "received_at_origin_facility"}, vtr.StatusAccepted, vtr.EventPhysical, "easypost:status_detail:received_at_origin_facility"},
		{"EasyPost label created with a location", Input{Source: "easypost", Tag: "pre_transit", Subtag: "label_created", HasLocation: true}, vtr.StatusPreTransit, vtr.EventElectronic, "easypost:status_detail:label_created"},
		{"17TRACK InfoReceived", Input{Source: "17track", Tag: "InfoReceived", Subtag: "InfoReceived"}, vtr.StatusPreTransit, vtr.EventElectronic, "17track:sub_status:InfoReceived"},
		{"17TRACK InTransit_PickedUp", Input{Source: "17track", Tag: "InTransit", Subtag: "InTransit_PickedUp"}, vtr.StatusAccepted, vtr.EventPhysical, "17track:sub_status:InTransit_PickedUp"},
		{"17TRACK InTransit_Other", Input{Source: "17track", Tag: "InTransit", Subtag: "InTransit_Other"}, vtr.StatusInTransit, vtr.EventUnknown, "17track:sub_status:InTransit_Other"},
		{"17TRACK tag alone is not AfterShip's", Input{Source: "17track", Tag: "InTransit"}, vtr.StatusInTransit, vtr.EventUnknown, "17track:status:InTransit"},
		{"aggregator tag without a source", Input{Tag: "InTransit", Subtag: "InTransit_002"}, vtr.StatusUnknown, vtr.EventUnknown, "unknown"},
		// Rule 4: the feed's status.
		{"given status in_transit", Input{Source: "native", Status: vtr.StatusInTransit}, vtr.StatusInTransit, vtr.EventPhysical, "status:in_transit"},
		{"given status pre_transit", Input{Source: "native", Status: vtr.StatusPreTransit}, vtr.StatusPreTransit, vtr.EventElectronic, "status:pre_transit"},
		{"given status exception, refined by text", Input{Source: "native", Status: vtr.StatusException, Description: "Billing information received"}, vtr.StatusPreTransit, vtr.EventElectronic, "text:billing information"},
		{"given status exception", Input{Source: "native", Status: vtr.StatusException}, vtr.StatusException, vtr.EventUnknown, "status:exception"},
		{"given status invalid", Input{Source: "native", Status: "shipped"}, vtr.StatusUnknown, vtr.EventUnknown, "unknown"},
		{"code beats given status", Input{Carrier: "USPS", Code: "GX", Status: vtr.StatusInTransit}, vtr.StatusPreTransit, vtr.EventElectronic, "code:USPS:GX"},
		// Rule 5: text.
		{"text Shipping Label Created", Input{Carrier: "OnTrac", Description: "Shipping Label Created"}, vtr.StatusPreTransit, vtr.EventElectronic, "text:label created"},
		{"text upper case", Input{Carrier: "Lasership", Description: "SHIPPER CREATED A LABEL, UPS HAS NOT RECEIVED THE PACKAGE YET."}, vtr.StatusPreTransit, vtr.EventElectronic, "text:shipper created a label"},
		{"text electronically ... info", Input{Description: "Shipper electronically transmitted shipment info"}, vtr.StatusPreTransit, vtr.EventElectronic, "text:electronic*info"},
		{"text electronic without info", Input{Description: "Electronic scale broken"}, vtr.StatusUnknown, vtr.EventUnknown, "unknown"},
		{"text 待揽件", Input{Carrier: "China Post", Description: "【广州市】 待揽件"}, vtr.StatusPreTransit, vtr.EventElectronic, "text:待揽件"},
		{"text 已揽收 is not physical", Input{Carrier: "China Post", Description: "【广州市】 已揽收"}, vtr.StatusUnknown, vtr.EventUnknown, "unknown"},
		{"text logical", Input{Carrier: "USPS", Description: "In Transit to Next Facility"}, vtr.StatusInTransit, vtr.EventLogical, "text:in transit to next facility"},
		{"text Accepted is not physical", Input{Carrier: "USPS", Description: "Accepted at USPS Origin Facility"}, vtr.StatusUnknown, vtr.EventUnknown, "unknown"},
		// Rule 6.
		{"unknown code, no tag", Input{Carrier: "USPS", Code: "QQ"}, vtr.StatusUnknown, vtr.EventUnknown, "unknown"},
		{"empty input", Input{}, vtr.StatusUnknown, vtr.EventUnknown, "unknown"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Classify(tt.in)
			want := Result{Status: tt.status, Class: tt.class, Rule: tt.rule}
			if got != want {
				t.Errorf("Classify(%+v) = %+v, want %+v", tt.in, got, want)
			}
		})
	}
}

func TestGlob(t *testing.T) {
	tests := []struct {
		p, s string
		want bool
	}{
		{"12##", "1250", true},
		{"12##", "125", false},
		{"12##", "12ab", false},
		{"12##", "12500", false},
		{"estimated_*", "estimated_", true},
		{"estimated_*", "estimated_delivery", true},
		{"estimated_*", "estimate", false},
		{"a*b*c", "axxbyyc", true},
		{"a*b*c", "axxbyy", false},
	}
	for _, tt := range tests {
		if got := glob(tt.p, []byte(tt.s)); got != tt.want {
			t.Errorf("glob(%q, %q) = %v, want %v", tt.p, tt.s, got, tt.want)
		}
	}
}

// benchInputs covers every rule, the slow paths (patterns, text) included.
var benchInputs = []Input{
	{Carrier: "UPS", Code: "OR", TypeCode: "I", Logical: no},
	{Carrier: "UPS", Code: "MP", TypeCode: "M"},
	{Carrier: "USPS", Code: "03", Description: "USPS picked up item"},
	{Carrier: "FedEx", Code: "IT", HasLocation: true},
	{Carrier: "FedEx", Code: "ESTIMATED_DELIVERY"},
	{Carrier: "fedex smartpost", Code: "PU"},
	{Carrier: "Canada Post", Code: "1441"},
	{Carrier: "Royal Mail", Code: "EMA"},
	{Source: "aftership", Tag: "InTransit", Subtag: "InTransit_002", Carrier: "Yun Express"},
	{Source: "aftership", Tag: "InTransit", Subtag: "InTransit_001", Description: "Departed Shipping Partner Facility, USPS Awaiting Item"},
	{Source: "easypost", Tag: "pre_transit", Subtag: "status_update", Carrier: "USPS", Code: "ZZ"},
	{Source: "17track", Tag: "InTransit", Subtag: "InTransit_PickedUp"},
	{Source: "native", Status: vtr.StatusInTransit},
	{Carrier: "OnTrac", Description: "Shipping Label Created"},
	{Carrier: "OnTrac", Description: "Package arrived at the carrier facility in Los Angeles, CA"},
}

func TestZeroAllocations(t *testing.T) {
	for _, in := range benchInputs {
		if n := testing.AllocsPerRun(100, func() { Classify(in) }); n != 0 {
			t.Errorf("Classify(%+v): %v allocations, want 0", in, n)
		}
	}
}

func BenchmarkClassify(b *testing.B) {
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		Classify(benchInputs[i])
		if i++; i == len(benchInputs) {
			i = 0
		}
	}
}

func FuzzClassify(f *testing.F) {
	for _, in := range benchInputs {
		var logical uint8
		if in.Logical != nil {
			logical = 1
			if *in.Logical {
				logical = 2
			}
		}
		f.Add(in.Carrier, in.Reporter, in.Source, in.Code, in.TypeCode, in.Tag, in.Subtag, in.Description, string(in.Status), logical, in.HasLocation)
	}
	f.Add("Canada Post", "", "", "12##", "", "", "", "", "", uint8(0), false)
	f.Add("", "", "aftership", "", "", "", "Exception_0\x00", "electronic\xffdata", "exception", uint8(0), false)
	f.Fuzz(func(t *testing.T, carrier, reporter, source, code, typeCode, tag, subtag, desc, status string, logical uint8, hasLoc bool) {
		in := Input{Carrier: carrier, Reporter: reporter, Source: source, Code: code, TypeCode: typeCode, Tag: tag,
			Subtag: subtag, Description: desc, Status: vtr.EventStatus(status), HasLocation: hasLoc}
		switch logical % 3 {
		case 1:
			in.Logical = no
		case 2:
			in.Logical = yes
		}
		got := Classify(in)
		if !got.Class.Valid() || !got.Status.Valid() || got.Rule == "" {
			t.Fatalf("Classify(%+v) = %+v: invalid class, status or rule", in, got)
		}
		if again := Classify(in); again != got {
			t.Fatalf("Classify(%+v) not deterministic: %+v then %+v", in, got, again)
		}
		if got.Class == vtr.EventPhysical && (got.Rule == RuleUnknown || strings.HasPrefix(got.Rule, "text:")) {
			t.Fatalf("Classify(%+v) = %+v: physical from text or from nothing", in, got)
		}
		// Without code, tag, sub-tag, status or description, only the UPS
		// flag or a raw type code can make an event physical.
		bare := in
		bare.Code, bare.Tag, bare.Subtag, bare.Status, bare.Description = "", "", "", "", ""
		if r := Classify(bare); r.Class == vtr.EventPhysical && r.Rule != "ups.logicalScan" && !strings.HasPrefix(r.Rule, "type:") {
			t.Fatalf("Classify(%+v) = %+v: physical without evidence", bare, r)
		}
		// With no event information at all, never physical.
		bare.TypeCode, bare.Logical = "", nil
		if r := Classify(bare); r.Class == vtr.EventPhysical {
			t.Fatalf("Classify(%+v) = %+v: physical without any information", bare, r)
		}
	})
}
