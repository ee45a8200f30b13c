package tracking

import (
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/vtr-project/vtr"
)

func check(t *testing.T, number, claimed string) *Result {
	t.Helper()
	var c *Carrier
	if claimed != "" {
		m, ok := Lookup(claimed)
		if !ok {
			t.Fatalf("Lookup(%q): not found", claimed)
		}
		c = m.Carrier
	}
	r := new(Result)
	r.Check(number, c)
	return r
}

// Public example numbers from sources outside the data set
// (tracking-numbers.md §3–§5; the source is named on each row).
func TestPublicExamples(t *testing.T) {
	tests := []struct {
		number, carrier, service, source string
	}{
		{"1Z96F4R8D313969574", "UPS", "1Z", "AST Pro autodetector"},
		{"775817441109", "FedEx", "Express 12", "AST Pro autodetector"},
		{"CP337500215CN", "China Post", "S10", "hdnpt/geartrack issue #49"},
		{"LP176445020CN", "China Post", "S10", "AST Pro autodetector (ePacket)"},
		{"EV008712571CN", "China Post", "S10", "AST Pro autodetector (EMS)"},
		{"PG616083375CA", "Canada Post", "S10", "AST Pro autodetector"},
		{"9434611206217011894085", "USPS", "IMpb", "USPS/api-examples issue #34"},
		{"92026124161170148800003176", "USPS", "IMpb", "USPS/api-examples issue #34 (AI 92 with a 6-digit MID)"},
		{"92041124161170148800003131", "USPS", "IMpb", "USPS/api-examples issue #34 (AI 92 with a 6-digit MID)"},
		{"420113859374869903508141282867", "USPS", "IMpb", "AST Pro autodetector (DHL eCommerce US on USPS IMpb)"},
		{"D10011326755777", "OnTrac", "C/D", "tracking_number_data issue #17"},
		{"D10012696756908", "OnTrac", "C/D", "AST Pro autodetector"},
		{"LX16641251", "Lasership", "L", "tracking_number_data issue #4"},
		{"1LS72301001401854622", "Lasership", "1LS long", "tracking_number_data issue #4"},
		{"1LS716317038000783263", "Lasership", "1LS long", "tracking_number_data issue #4"},
		{"GM545115623000274746", "DHL eCommerce", "Global Mail", "tracking_number_data issue #30"},
		{"GM545118533001742985", "DHL eCommerce", "Global Mail", "AST Pro autodetector"},
		{"TBA115177973904", "Amazon Shipping", "TBA/TBC/TBM", "AST Pro autodetector"},
		{"YT2203621272033099", "Yun Express", "YT", "AST Pro autodetector"},
		{"SF6043310798724", "SF Express", "SF waybill", "AST Pro autodetector"},
		{"SF1125346238243", "SF Express", "SF waybill", "AST Pro autodetector"},
		{"4PX3001794604846CN", "4PX", "4PX…CN", "itsvic-dev/deliveries issue #147"},
		{"UG336196744YP", "Yanwen", "S10 (YP/YN)", "AST Pro autodetector"},
		{"AC550032883YN", "Yanwen", "S10 (YP/YN)", "hdnpt/geartrack-website issue #51"},
		{"976186294981", "SF Express", "legacy 12-digit", "kuaidi100 (SF legacy 12-digit)"},
		{"1LSCXVE0058631Y", "Lasership", "1LSCX", "tracking_number_data README v2.0.0"},
		{"1LSCXVE005BUEFX", "Lasership", "1LSCX", "tracking_number_data README v2.0.0"},
		{"TBC000000000000", "Amazon Shipping", "TBA/TBC/TBM", "tracking_number_data README v2.0.0"},
	}
	for _, tt := range tests {
		// Entered with its carrier: valid, with the right service.
		r := check(t, tt.number, tt.carrier)
		if !r.Valid || r.Service() != tt.service {
			t.Errorf("%s as %s (%s): valid=%v service=%q reason=%s %s; want valid %q",
				tt.number, tt.carrier, tt.source, r.Valid, r.Service(), r.Reason, r.Message(), tt.service)
		}
		// Bare: the carrier is among the candidates.
		r = check(t, tt.number, "")
		found := false
		for _, c := range r.Candidates() {
			found = found || c.Carrier.Code == tt.carrier
		}
		if !r.Valid || !found {
			t.Errorf("Detect(%s) (%s): valid=%v candidates=%v; want %s among them", tt.number, tt.source, r.Valid, codes(r), tt.carrier)
		}
	}
}

func codes(r *Result) []string {
	var out []string
	for _, c := range r.Candidates() {
		out = append(out, c.Carrier.Code+"/"+c.Format.Service)
	}
	return out
}

// Every format's generator makes numbers the format accepts with its own
// carrier first among its peers, and changing the check digit of a
// checked format makes the format reject it.
func TestGeneratedNumbers(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	var res Result
	for _, f := range formats {
		for range 500 {
			n := f.Generate(r)
			owner := f.Owner(n)
			res.Check(n, owner)
			if !res.Valid {
				t.Fatalf("%s %s: generated %s is invalid for its own carrier: %s", f.Carrier, f.Service, n, res.Message())
			}
			res.Detect(n)
			found := false
			for _, c := range res.Candidates() {
				if c.Carrier == owner { // one candidate per carrier: its best format
					found = true
				}
			}
			if !found {
				t.Fatalf("%s %s: Detect(%s) = %v, want the format among the candidates", f.Carrier, f.Service, n, codes(&res))
			}
			if f.CheckDigit == "" || strings.HasPrefix(n, "420") {
				// A routed IMpb number can be read with a ZIP5 or a ZIP9
				// routing prefix; a changed digit may make the other
				// reading valid, a real ambiguity of the format.
				continue
			}
			// Change the check digit: this format must reject it.
			b := []byte(n)
			m := f.match(b)
			b[m.pos] = byte('0' + (int(b[m.pos]-'0')+1+r.IntN(9))%10)
			if mm := f.match(b); mm.ok && mm.got == mm.want {
				t.Fatalf("%s %s: %s with check digit changed to %s still passes", f.Carrier, f.Service, n, b)
			}
		}
	}
}

func TestMismatch(t *testing.T) {
	tests := []struct {
		number, claimed string
		reason          vtr.Reason
		matched         string // the carrier the message names
		msg             string // a fragment of the message
	}{
		// A UPS number entered as USPS: Amazon calls it "unconfirmed".
		{"1Z96F4R8D313969574", "USPS", vtr.CarrierMismatch, "UPS",
			"The tracking ID 1Z96F4R8D313969574 for USPS does not match the expected format for the carrier; it matches UPS 1Z."},
		{"9434611206217011894085", "FedEx", vtr.CarrierMismatch, "USPS", "it matches USPS IMpb"},
		{"CP337500215CN", "UPS", vtr.CarrierMismatch, "China Post", "it matches China Post S10"},
		{"PG616083375CA", "China Post", vtr.CarrierMismatch, "Canada Post", "it matches Canada Post S10"},
		// A typo in the check digit of the carrier named.
		{"1Z96F4R8D313969575", "UPS", vtr.TrackingMalformed, "", "check digit is 5 where the carrier's formula gives 4"},
		// Nothing fits the carrier named.
		{"ABC", "UPS", vtr.TrackingMalformed, "", "does not match the expected format for the carrier"},
		// Partners: IMpb declared as SmartPost, Newgistics, DHL eCommerce; LaserShip as OnTrac.
		{"9434611206217011894085", "FedEx SmartPost", "", "FedEx SmartPost", "a USPS format that FedEx SmartPost also prints"},
		{"9434611206217011894085", "Newgistics", "", "Newgistics", ""},
		{"420113859374869903508141282867", "DHL eCommerce", "", "DHL eCommerce", ""},
		{"LX16641251", "OnTrac", "", "OnTrac", ""},
		// Free text under Other: accepted unverified, with what the number
		// looks like (whether a policy accepts it is engine.AcceptCarrier's).
		{"1Z96F4R8D313969574", "Other", "", "UPS", "a free-text carrier; vtr cannot check the number's format (it has the form of UPS"},
		// A carrier with no published format: accepted, unverified.
		{"SFC123456789", "SFC", "", "", "publishes no tracking-number format"},
		// Chinese carrier names resolve.
		{"SF6043310798724", "顺丰", "", "SF Express", ""},
		{"LP176445020CN", "中国邮政", "", "China Post", ""},
		// Amazon JP: China Post numbers must end in CN; …HK is Hong Kong Post.
		{"LP176445020HK", "China Post", vtr.CarrierMismatch, "Hong Kong Post", "it matches Hong Kong Post S10"},
	}
	for _, tt := range tests {
		r := check(t, tt.number, tt.claimed)
		msg := r.Message()
		if r.Reason != tt.reason {
			t.Errorf("%s as %s: reason %q, want %q (%s)", tt.number, tt.claimed, r.Reason, tt.reason, msg)
			continue
		}
		if tt.matched != "" {
			if m := r.Match(); m == nil || m.Carrier.Code != tt.matched {
				t.Errorf("%s as %s: matched %v, want %s", tt.number, tt.claimed, m, tt.matched)
			}
		}
		if !strings.Contains(msg, tt.msg) {
			t.Errorf("%s as %s: message %q, want it to contain %q", tt.number, tt.claimed, msg, tt.msg)
		}
	}
}

func TestNormalizeHostile(t *testing.T) {
	tests := []struct {
		in     string
		norm   string
		reason vtr.Reason
	}{
		{"1z96 f4r8-d313 969574", "1Z96F4R8D313969574", ""},
		{"  9400 1112 0108 0805 4830 16\r\n", "9400111201080805483016", ""},
		{"", "", vtr.TrackingMissing},
		{" \t ", "", vtr.TrackingMissing},
		{"---", "", vtr.TrackingMalformed},
		{"N/A", "", vtr.TrackingMalformed},
		{"1Z999AA1#0123456784", "", vtr.TrackingMalformed},
		{"１Ｚ９９９", "", vtr.TrackingMalformed},                 // full-width digits
		{"TBA\u00a0115177973904", "", vtr.TrackingMalformed}, // no-break space
		{"1Z\x00999", "", vtr.TrackingMalformed},
		{"1Z\t999", "", vtr.TrackingMalformed},
		{"\xff\xfe", "", vtr.TrackingMalformed},
		{strings.Repeat("9", MaxLen+1), "", vtr.TrackingMalformed},
		{"'; DROP TABLE packages; --", "", vtr.TrackingMalformed},
	}
	for _, tt := range tests {
		b, reason, _ := Normalize(nil, tt.in)
		if string(b) != tt.norm || reason != tt.reason {
			t.Errorf("Normalize(%q) = %q, %q; want %q, %q", tt.in, b, reason, tt.norm, tt.reason)
		}
	}
}

func TestLookup(t *testing.T) {
	tests := []struct{ in, code string }{
		{"UPS", "UPS"}, {"ups", "UPS"}, {" u.p.s. ", "UPS"},
		{"fedex smartpost", "FedEx SmartPost"}, {"FEDEX_SMARTPOST", "FedEx SmartPost"}, {"FEDEXSP", "FedEx SmartPost"},
		{"DHL Global Mail", "DHL eCommerce"}, {"DHL Ecommerce-US", "DHL eCommerce"},
		{"On Trac", "OnTrac"}, {"LaserShip", "Lasership"}, {"LS", "Lasership"},
		{"yunexpress", "Yun Express"}, {"Amazon Logistics", "Amazon Shipping"},
		{"递四方", "4PX"}, {"燕文", "Yanwen"}, {"云途物流", "Yun Express"}, {"顺丰速运", "SF Express"}, {"中国邮政", "China Post"},
		{"UPSMI", "UPS Mail Innovations"}, {"other", "Other"},
		{"la poste suisse", "La Poste Suisse"}, {"Posta Shqiptare", "Posta Shqiptare"},
	}
	for _, tt := range tests {
		m, ok := Lookup(tt.in)
		if !ok || m.Carrier.Code != tt.code {
			t.Errorf("Lookup(%q) = %v, %v; want %s", tt.in, m.Carrier, ok, tt.code)
		}
	}
	if m, _ := Lookup("递四方"); !m.Chinese {
		t.Errorf("Lookup(递四方).Chinese = false, want true")
	}
	for _, bad := range []string{"", "  ", "Fedx", "UPS Freight Express Deluxe", "中国"} {
		if m, ok := Lookup(bad); ok {
			t.Errorf("Lookup(%q) = %s, want not found", bad, m.Carrier.Code)
		}
	}
}

// Every S10 country code of the UPU table has an owner, and every
// carrier's code finds itself.
func TestRegistryConsistency(t *testing.T) {
	for _, op := range upuOperators {
		if _, ok := PostalOperator(op.Code); !ok {
			t.Errorf("S10 country %s has no postal operator", op.Code)
		}
	}
	for _, c := range Carriers() {
		if ByCode(c.Code) != c {
			t.Errorf("ByCode(%q) does not find the carrier", c.Code)
		}
	}
}

func TestJSON(t *testing.T) {
	for _, in := range []string{"1Z96F4R8D313969574", "", "\"\\\x00\xff\u2028<>", "1Z96F4R8D313969575"} {
		var r Result
		r.Check(in, ByCode("USPS"))
		line := r.AppendJSON(nil)
		var v struct {
			Input      string  `json:"input"`
			Normalized *string `json:"normalized"`
			Valid      bool    `json:"valid"`
			Carrier    *string `json:"carrier"`
			Candidates []struct {
				Carrier string `json:"carrier"`
			} `json:"candidates"`
			Reason  *string `json:"reason"`
			Message string  `json:"message"`
		}
		if err := json.Unmarshal(line, &v); err != nil {
			t.Fatalf("AppendJSON(%q) = %s: %v", in, line, err)
		}
		if strings.ContainsAny(string(line), "\n\u2028") {
			t.Errorf("AppendJSON(%q) breaks the line: %s", in, line)
		}
		if v.Valid != r.Valid || v.Reason == nil != r.Valid || v.Message == "" || *v.Carrier != "USPS" {
			t.Errorf("AppendJSON(%q) = %s, inconsistent with the result", in, line)
		}
	}
}

func TestZeroAllocations(t *testing.T) {
	var r Result
	usps := ByCode("USPS")
	inputs := []string{"1Z96F4R8D313969574", "9434 6112 0621 7011 8940 85", "CP337500215CN", "abc#", "420113859374869903508141282867"}
	var buf []byte
	for _, in := range inputs {
		if n := testing.AllocsPerRun(100, func() { r.Detect(in) }); n != 0 {
			t.Errorf("Detect(%q): %v allocations, want 0", in, n)
		}
		if n := testing.AllocsPerRun(100, func() { r.Check(in, usps) }); n != 0 {
			t.Errorf("Check(%q): %v allocations, want 0", in, n)
		}
		buf = r.AppendJSON(buf[:0])
		if n := testing.AllocsPerRun(100, func() { buf = r.AppendJSON(buf[:0]) }); n != 0 {
			t.Errorf("AppendJSON(%q): %v allocations, want 0", in, n)
		}
	}
	if n := testing.AllocsPerRun(100, func() { Lookup("fedex smartpost") }); n != 0 {
		t.Errorf("Lookup: %v allocations, want 0", n)
	}
}

// NearMiss is the format the malformed message names: the claimed
// carrier's when its shape fits, else the first that fits.
func TestNearMiss(t *testing.T) {
	tests := []struct {
		number, claimed string
		carrier         string // "" when there is no near miss
	}{
		{"1Z96F4R8D313969575", "UPS", "UPS"},
		{"1Z96F4R8D313969575", "USPS", "UPS"},
		{"1Z96F4R8D313969575", "", "UPS"},
		{"729310102946", "FedEx", "FedEx"},
		{"1Z96F4R8D313969574", "UPS", ""},
		{"ABC", "UPS", ""},
	}
	for _, tt := range tests {
		r := check(t, tt.number, tt.claimed)
		c, f, ok := r.NearMiss()
		got := ""
		if ok {
			got = c.Code
			if f == nil || !strings.Contains(r.Message(), "has the form of a "+c.Code+" "+f.Service) {
				t.Errorf("%s as %q: near miss %s %v not the one the message names: %s", tt.number, tt.claimed, got, f, r.Message())
			}
		}
		if got != tt.carrier {
			t.Errorf("%s as %q: near miss %q, want %q", tt.number, tt.claimed, got, tt.carrier)
		}
	}
}
