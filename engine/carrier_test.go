package engine

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vtr-project/vtr"
)

// AcceptCarrier is the one carrier rule; flatfile's agreement table runs
// many more rows through it and through Judge. These rows pin what each
// field of the answer says.
func TestAcceptCarrier(t *testing.T) {
	tests := []struct {
		name           string
		policy, origin string
		code, carrier  string // carrier code, carrier name
		number         string
		reasons        []vtr.Reason
		resolved       string // Acceptance.Carrier
		likely         string
		field          string
		msg            string // fragment of the message
	}{
		{"integrated carrier, its own number", "amazon-us", "US", "ups", "", "1Z96F4R8D313969574", nil, "UPS", "", "", ""},
		{"Other + an unlisted carrier is measured since 2025 (§4.2, §14)", "amazon-us", "US", "Other", "Bob Local Courier", "BLC0012345",
			nil, "Other", "", "", "cannot check the number's format"},
		{"Other from China: CN-out carriers only (§5)", "amazon-us", "CN", "Other", "Bob Local Courier", "BLC0012345",
			[]vtr.Reason{vtr.CarrierUnsupported}, "Other", "", FieldCarrier, "accepts only the carriers on its list for packages shipped from CN"},
		{"Other under Walmart's list (§12.2)", "walmart-us", "US", "Other", "Bob Local Courier", "BLC0012345",
			[]vtr.Reason{vtr.CarrierUnsupported}, "Other", "", FieldCarrier, "Walmart US accepts only"},
		{"integrated carrier typed as Other, by name (§4.2)", "amazon-us", "US", "Other", "UPS", "1Z96F4R8D313969574",
			[]vtr.Reason{vtr.CarrierUnsupported}, "Other", "UPS", FieldCarrierName, "typed as Other"},
		{"integrated carrier typed as Other, by its number (§4.2, §12.3)", "amazon-us", "US", "Other", "Bob Local Courier", "1Z96F4R8D313969574",
			[]vtr.Reason{vtr.CarrierUnsupported}, "Other", "UPS", FieldCarrier, "is a UPS 1Z number"},
		{"Other needs a name (§11.3)", "amazon-us", "US", "Other", " ", "BLC0012345",
			[]vtr.Reason{vtr.CarrierUnknown}, "Other", "", FieldCarrierName, "without a carrier name"},
		{"carrier code in Chinese (§4.2)", "amazon-cn-us", "CN", "顺丰", "", "SF6043310798724",
			[]vtr.Reason{vtr.CarrierUnsupported}, "SF Express", "SF Express", FieldCarrier, "in Chinese"},
		{"Chinese name typed as Other (§4.2)", "amazon-cn-us", "CN", "Other", "中通快递", "73100012345678",
			[]vtr.Reason{vtr.CarrierUnsupported}, "Other", "", FieldCarrierName, "in Chinese"},
		{"Chinese name and a number of another carrier: both defects", "amazon-us", "US", "联邦快递", "", "1Z96F4R8D313969574",
			[]vtr.Reason{vtr.CarrierUnsupported, vtr.CarrierMismatch}, "FedEx", "FedEx", FieldCarrier, "in Chinese"},
		{"carrier off the list for the origin, number checked too (§5)", "amazon-cn-us", "CN", "OnTrac", "", "D10011326755777",
			[]vtr.Reason{vtr.CarrierUnsupported}, "OnTrac", "", FieldCarrier, "OnTrac is not a carrier Amazon US, shipped from China supports for packages shipped from CN"},
		{"unknown carrier: the number says which was meant (§11.4)", "amazon-us", "US", "Fedx", "", "775817441109",
			[]vtr.Reason{vtr.CarrierUnknown}, "", "FedEx", FieldCarrier, `"Fedx" is not a carrier Amazon US knows`},
		{"unknown carrier and a blank number: InvalidId too (§8)", "amazon-us", "US", "Fedx", "", "",
			[]vtr.Reason{vtr.CarrierUnknown, vtr.TrackingMissing}, "", "", FieldCarrier, "not a carrier"},
		{"mismatch is unconfirmed (§4.2)", "amazon-us", "US", "USPS", "", "1Z999AA10123456784",
			[]vtr.Reason{vtr.CarrierMismatch}, "USPS", "UPS", FieldTrackingNumber, "it matches UPS 1Z"},
		{"the order number is no tracking number (§12.2)", "walmart-us", "US", "Other", "Bob", "111-1234567-1234567",
			[]vtr.Reason{vtr.CarrierUnsupported, vtr.TrackingMalformed}, "Other", "", FieldCarrier, "accepts only"},
		{"unknown origin defaults to the policy's home", "amazon-cn-us", "", "USPS", "", "9400111201080805483016",
			[]vtr.Reason{vtr.CarrierUnsupported}, "USPS", "", FieldCarrier, "shipped from CN"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &vtr.Shipment{OrderID: "111-1234567-1234567", Carrier: tt.code, CarrierName: tt.carrier, TrackingNumber: tt.number}
			a := AcceptCarrier(policy(t, tt.policy), tt.origin, s)
			if !slices.Equal(a.Reasons, tt.reasons) || a.Carrier != tt.resolved || a.Likely != tt.likely || a.Field != tt.field {
				t.Errorf("reasons %v carrier %q likely %q field %q, want %v %q %q %q (%s)",
					a.Reasons, a.Carrier, a.Likely, a.Field, tt.reasons, tt.resolved, tt.likely, tt.field, a.Message)
			}
			if !strings.Contains(a.Message, tt.msg) || len(tt.reasons) > 0 && a.Message == "" {
				t.Errorf("message %q, want it to contain %q", a.Message, tt.msg)
			}
		})
	}
}

// "When our system cannot process the tracking information you entered
// for an order, column E shows 'InvalidId'" (marketplace-rules.md §8).
func TestTrackingCell(t *testing.T) {
	const id = "001-12345-67890"
	tests := []struct {
		number  string
		reasons []vtr.Reason
		want    string
	}{
		{"1Z96F4R8D313969574", nil, "1Z96F4R8D313969574"},
		{"", []vtr.Reason{vtr.TrackingMissing}, id + "-InvalidId"},
		{"775817441109#", []vtr.Reason{vtr.TrackingMalformed}, id + "-InvalidId"},
		{"1Z96F4R8D313969574", []vtr.Reason{vtr.CarrierUnsupported, vtr.TrackingMalformed}, id + "-InvalidId"},
		{"1Z999AA10123456784", []vtr.Reason{vtr.CarrierMismatch}, "1Z999AA10123456784"}, // readable, wrong carrier
		{"9400111201080805483016", []vtr.Reason{vtr.NoPhysicalScan}, "9400111201080805483016"},
	}
	for _, tt := range tests {
		if got := TrackingCell(id, tt.number, tt.reasons); got != tt.want {
			t.Errorf("TrackingCell(%q, %v) = %q, want %q", tt.number, tt.reasons, got, tt.want)
		}
	}
}

// A package counts under its canonical carrier, else under the carrier
// as entered, trimmed, whoever computes the aggregate.
func TestAggregateCarrier(t *testing.T) {
	tests := []struct {
		verdict, entered, want string
	}{
		{"UPS", " ups ", "UPS"},
		{"Other", "Other", "Other"},
		{"", " Speedy Gonzales ", "Speedy Gonzales"},
		{"", "", ""},
	}
	for _, tt := range tests {
		if got := AggregateCarrier(&vtr.Verdict{Carrier: tt.verdict}, &vtr.Shipment{Carrier: tt.entered}); got != tt.want {
			t.Errorf("AggregateCarrier(%q, %q) = %q, want %q", tt.verdict, tt.entered, got, tt.want)
		}
	}
	// Judge and AggregateCarrier together: " UPS " and "UPS" are one row.
	f := base()
	f.Shipment.Carrier = " UPS "
	v := Judge(policy(t, "amazon-us"), f, t0)
	if got := AggregateCarrier(&v, &f.Shipment); got != "UPS" {
		t.Errorf("judged %q: aggregate carrier %q, want UPS", f.Shipment.Carrier, got)
	}
}

func FuzzAcceptCarrier(f *testing.F) {
	f.Add("amazon-us", "US", "Other", "Bob Local Courier", "BLC0012345")
	f.Add("amazon-cn-us", "", "顺丰", "", "SF6043310798724")
	f.Add("walmart-us", "CN", "", "", "")
	f.Add("etsy", "XX", "Other", "中通", "1Z96F4R8D313969574")
	f.Fuzz(func(t *testing.T, pol, origin, code, name, number string) {
		p, err := policies.Get(pol)
		if err != nil {
			p, _ = policies.Get("amazon-us")
		}
		a := AcceptCarrier(p, origin, &vtr.Shipment{OrderID: "111-1234567-1234567", Carrier: code, CarrierName: name, TrackingNumber: number})
		if len(a.Reasons) > 0 && (a.Message == "" || a.Field == "") {
			t.Fatalf("defect without message or field: %+v", a)
		}
		if len(a.Reasons) == 0 && a.Likely != "" {
			t.Fatalf("likely carrier on an accepted entry: %+v", a)
		}
		seen := map[vtr.Reason]bool{}
		for _, r := range a.Reasons {
			if seen[r] {
				t.Fatalf("reason twice: %v", a.Reasons)
			}
			seen[r] = true
		}
	})
}

// The verdict names the carrier a number belongs to whatever the defect,
// so the report's Detected Carrier column is filled whenever the number
// says anything about its carrier (issue 11): on a mismatch, on a defect
// that is not the carrier's, and on a mistyped check digit, where it is
// the carrier the explanation names. Only a sure detection (a check digit
// that computes, a fixed prefix) becomes the Likely carrier.
func TestDetected(t *testing.T) {
	tests := []struct {
		name, code, carrier, number string
		scans                       bool
		detected, likely            string
		reason                      vtr.Reason // the first reason
	}{
		{"valid and scanned", "UPS", "", "1Z96F4R8D313969574", true, "UPS", "", ""},
		{"no scan: not a carrier defect", "UPS", "", "1Z96F4R8D313969574", false, "UPS", "", vtr.NoPhysicalScan},
		{"USPS number, no scan", "USPS", "", "9434611206217011894085", false, "USPS", "", vtr.NoPhysicalScan},
		{"FedEx SmartPost on USPS IMpb: the partner declared", "FedEx SmartPost", "", "9434611206217011894085", true, "FedEx SmartPost", "", ""},
		{"mismatch", "USPS", "", "1Z96F4R8D313969574", true, "UPS", "UPS", vtr.CarrierMismatch},
		{"UPS 1Z with a mistyped check digit", "UPS", "", "1Z96F4R8D313969575", true, "UPS", "", vtr.TrackingMalformed},
		{"a 1Z typo entered as USPS", "USPS", "", "1Z96F4R8D313969575", true, "UPS", "", vtr.TrackingMalformed},
		{"FedEx typo that also fits SF's bare legacy shape: the one the message names", "FedEx", "", "729310102946", true, "FedEx", "", vtr.TrackingMalformed},
		{"unknown carrier, a 1Z typo", "Fedx", "", "1Z96F4R8D313969575", true, "UPS", "", vtr.CarrierUnknown},
		{"unknown carrier, a sure number", "Fedx", "", "775817441109", true, "FedEx", "FedEx", vtr.CarrierUnknown},
		{"Other with a free-text carrier and its own number", "Other", "Bob Local Courier", "BLC0012345", true, "", "", ""},
		{"blank number", "UPS", "", "", true, "", "", vtr.TrackingMissing},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := base()
			f.Shipment.Carrier, f.Shipment.CarrierName, f.Shipment.TrackingNumber = tt.code, tt.carrier, tt.number
			if !tt.scans {
				f.Scans = vtr.ScanSummary{}
			}
			v := Judge(policy(t, "amazon-us"), f, t0.Add(30*24*time.Hour))
			if v.Detected != tt.detected || len(v.Reasons) > 0 != (tt.reason != "") || len(v.Reasons) > 0 && v.Reasons[0] != tt.reason {
				t.Errorf("detected %q reasons %v, want %q %q (%s)", v.Detected, v.Reasons, tt.detected, tt.reason, v.Explanation)
			}
			if a := AcceptCarrier(policy(t, "amazon-us"), "US", &f.Shipment); a.Detected != v.Detected || a.Likely != tt.likely {
				t.Errorf("AcceptCarrier: detected %q likely %q, want %q %q", a.Detected, a.Likely, v.Detected, tt.likely)
			}
		})
	}
}
