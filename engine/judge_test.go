package engine

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vtr-project/vtr"
)

var (
	t0       = time.Date(2026, 10, 1, 10, 0, 0, 0, time.UTC)
	policies = vtr.NewPolicySet(nil)
)

func policy(t *testing.T, id string) *vtr.Policy {
	t.Helper()
	p, err := policies.Get(id)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// base is a clean US package: UPS, valid number, scanned in Seattle the
// day after the order, delivered before the promise.
func base() *vtr.PackageFacts {
	return &vtr.PackageFacts{
		Order: vtr.Order{ID: "111-1234567-1234567", SellerID: "S1", Policy: "amazon-us", PurchasedAt: t0, Category: "Electronics",
			Value: vtr.Money{Minor: 2500, Currency: "USD"}, ShipTo: vtr.Location{Country: "US", PostalCode: "10001", City: "New York"},
			ShipBy: t0.Add(36 * time.Hour), DeliverBy: t0.Add(5 * 24 * time.Hour)},
		Seller: vtr.Seller{ID: "S1", ShipFrom: []vtr.ShipFrom{{ID: "WH1", Country: "US", State: "WA", City: "Seattle"}}},
		Shipment: vtr.Shipment{OrderID: "111-1234567-1234567", PackageID: "1", Carrier: "UPS", TrackingNumber: "1Z96F4R8D313969574",
			ShipMethod: "Ground", ShipFromID: "WH1", ShippedAt: t0.Add(24 * time.Hour), UploadedAt: t0.Add(25 * time.Hour)},
		FirstUploadedAt: t0.Add(25 * time.Hour),
		Scans: vtr.ScanSummary{Events: 3, Physical: 2, FirstEventAt: t0.Add(20 * time.Hour),
			FirstPhysicalAt: t0.Add(26 * time.Hour), FirstPhysicalLocation: vtr.Location{City: "Seattle", State: "WA", Country: "US"},
			DeliveredAt: t0.Add(4 * 24 * time.Hour)},
	}
}

func TestJudge(t *testing.T) {
	asOf := t0.Add(30 * 24 * time.Hour)
	tests := []struct {
		name    string
		policy  string
		edit    func(f *vtr.PackageFacts)
		outcome vtr.VerdictStatus
		reasons []vtr.Reason
		expl    string // fragment of the explanation
	}{
		{"clean package is valid (one physical scan, §4.1)", "amazon-us", nil, vtr.VerdictValid, nil, "Valid: UPS recorded a physical scan on"},
		{"no events at all", "amazon-us", func(f *vtr.PackageFacts) { f.Scans = vtr.ScanSummary{} }, vtr.VerdictInvalid,
			[]vtr.Reason{vtr.NoPhysicalScan}, "no event at all"},
		{"label created only is not a physical scan (§4.1)", "amazon-us", func(f *vtr.PackageFacts) {
			f.Scans = vtr.ScanSummary{Events: 1, FirstEventAt: t0.Add(20 * time.Hour)}
		}, vtr.VerdictInvalid, []vtr.Reason{vtr.NoPhysicalScan}, "label-created"},
		{"blank tracking number (InvalidId, §8)", "amazon-us", func(f *vtr.PackageFacts) { f.Shipment.TrackingNumber = " " }, vtr.VerdictInvalid,
			[]vtr.Reason{vtr.TrackingMissing}, "No tracking number"},
		{"special characters (§4.2)", "amazon-us", func(f *vtr.PackageFacts) { f.Shipment.TrackingNumber = "1Z96F4R8D31396957#" }, vtr.VerdictInvalid,
			[]vtr.Reason{vtr.TrackingMalformed}, "'#'"},
		{"UPS number entered as USPS is unconfirmed (§4.2)", "amazon-us", func(f *vtr.PackageFacts) { f.Shipment.Carrier = "USPS" }, vtr.VerdictInvalid,
			[]vtr.Reason{vtr.CarrierMismatch}, "it matches UPS 1Z"},
		{"unknown carrier", "amazon-us", func(f *vtr.PackageFacts) { f.Shipment.Carrier = "Speedy Gonzales" }, vtr.VerdictInvalid,
			[]vtr.Reason{vtr.CarrierUnknown}, "not a carrier"},
		{"integrated carrier typed as Other (§4.2)", "amazon-us", func(f *vtr.PackageFacts) {
			f.Shipment.Carrier, f.Shipment.CarrierName = "Other", "UPS"
		}, vtr.VerdictInvalid, []vtr.Reason{vtr.CarrierUnsupported}, "typed as Other"},
		{"carrier name in Chinese (§4.2)", "amazon-us", func(f *vtr.PackageFacts) { f.Shipment.Carrier = "联邦快递" }, vtr.VerdictInvalid,
			[]vtr.Reason{vtr.CarrierUnsupported, vtr.CarrierMismatch}, "in Chinese"},
		{"uploaded after delivery (§4.3)", "amazon-us", func(f *vtr.PackageFacts) {
			f.Shipment.UploadedAt = f.Scans.DeliveredAt.Add(time.Hour)
			f.Edits = 1
		}, vtr.VerdictInvalid, []vtr.Reason{vtr.UploadedAfterDelivery}, "last edited"},
		{"reused label (DESIGN.md)", "amazon-us", func(f *vtr.PackageFacts) { f.ReusedFrom = "111-0000000-0000001" }, vtr.VerdictInvalid,
			[]vtr.Reason{vtr.TrackingReused}, "111-0000000-0000001"},
		{"label first used by another seller: reused, no order named (ARCHITECTURE.md)", "amazon-us", func(f *vtr.PackageFacts) { f.ReusedElsewhere = true },
			vtr.VerdictInvalid, []vtr.Reason{vtr.TrackingReused}, "already used on another seller's shipment to another address"},
		{"free-text carrier with a scan is valid under Amazon US (§4.2, §14)", "amazon-us", func(f *vtr.PackageFacts) {
			f.Shipment.Carrier, f.Shipment.CarrierName, f.Shipment.TrackingNumber = "Other", "Bob Local Courier", "BLC0012345"
		}, vtr.VerdictValid, nil, "Valid: Bob Local Courier recorded a physical scan"},
		{"free-text carrier without a scan names the carrier", "amazon-us", func(f *vtr.PackageFacts) {
			f.Shipment.Carrier, f.Shipment.CarrierName, f.Shipment.TrackingNumber = "Other", "Bob Local Courier", "BLC0012345"
			f.Scans = vtr.ScanSummary{}
		}, vtr.VerdictInvalid, []vtr.Reason{vtr.NoPhysicalScan}, "Bob Local Courier has recorded no event at all for BLC0012345."},
		{"free-text carrier from China is unsupported (§5)", "amazon-us", func(f *vtr.PackageFacts) {
			f.Shipment.Carrier, f.Shipment.CarrierName, f.Shipment.TrackingNumber = "Other", "Bob Local Courier", "BLC0012345"
			f.Seller.ShipFrom[0] = vtr.ShipFrom{ID: "WH1", Country: "CN", City: "Shenzhen"}
			f.Scans.FirstPhysicalLocation = vtr.Location{City: "Shenzhen", Country: "CN"}
			f.Scans.Physical = 2
		}, vtr.VerdictInvalid, []vtr.Reason{vtr.CarrierUnsupported}, "for packages shipped from CN, not Other"},
		{"first event days before the order (§12.5)", "amazon-us", func(f *vtr.PackageFacts) { f.Scans.FirstEventAt = t0.Add(-72 * time.Hour) }, vtr.VerdictInvalid,
			[]vtr.Reason{vtr.EventBeforeOrder}, "before the order was placed"},
		{"first scan in another state (tracking-events.md §10)", "amazon-us", func(f *vtr.PackageFacts) {
			f.Scans.FirstPhysicalLocation = vtr.Location{City: "Miami", State: "FL", Country: "US"}
		}, vtr.VerdictInvalid, []vtr.Reason{vtr.ShipFromMismatch}, "Miami"},
		{"first scan across a bordering state line is fine", "amazon-us", func(f *vtr.PackageFacts) {
			f.Scans.FirstPhysicalLocation = vtr.Location{City: "Portland", State: "OR", Country: "US"}
		}, vtr.VerdictValid, nil, ""},
		{"origin unverifiable is not a mismatch", "amazon-us", func(f *vtr.PackageFacts) { f.Scans.FirstPhysicalLocation = vtr.Location{} },
			vtr.VerdictValid, nil, ""},
		{"late upload is a warning for Amazon (ideally within 24 h)", "amazon-us", func(f *vtr.PackageFacts) {
			f.FirstUploadedAt = f.Scans.FirstPhysicalAt.Add(30 * time.Hour)
			f.Shipment.UploadedAt = f.FirstUploadedAt
		}, vtr.VerdictValid, nil, ""},
		{"late upload is a defect for eBay (within handling time, §12.4)", "ebay-us", func(f *vtr.PackageFacts) {
			f.FirstUploadedAt = f.Order.ShipBy.Add(time.Hour)
			f.Shipment.UploadedAt = f.FirstUploadedAt
		}, vtr.VerdictInvalid, []vtr.Reason{vtr.UploadedLate}, "after the deadline"},
		{"digital products are exempt (§7)", "amazon-us", func(f *vtr.PackageFacts) { f.Order.Digital = true }, vtr.VerdictExempt,
			[]vtr.Reason{vtr.ExemptDigital}, "digital"},
		{"small/flat under $10 in a USPS First Class envelope is exempt (§7)", "amazon-us", func(f *vtr.PackageFacts) {
			f.Order.Value.Minor = 899
			f.Shipment.Carrier, f.Shipment.ShipMethod = "USPS", "First Class Mail Envelope"
			f.Scans = vtr.ScanSummary{}
		}, vtr.VerdictExempt, []vtr.Reason{vtr.ExemptShipMethod}, "untracked"},
		{"$10 in a First Class envelope is measured (§7)", "amazon-us", func(f *vtr.PackageFacts) {
			f.Order.Value.Minor = 1000
			f.Shipment.Carrier, f.Shipment.ShipMethod, f.Shipment.TrackingNumber = "USPS", "First Class Mail Envelope", "9434611206217011894085"
			f.Scans = vtr.ScanSummary{}
		}, vtr.VerdictInvalid, []vtr.Reason{vtr.NoPhysicalScan}, ""},
		{"cancelled order is not counted", "amazon-us", func(f *vtr.PackageFacts) {
			f.Cancellation = &vtr.Cancellation{OrderID: f.Order.ID, CancelledAt: t0.Add(30 * time.Hour), BySeller: true}
		}, vtr.VerdictExempt, []vtr.Reason{vtr.ExemptCancelled}, "cancelled"},
		{"walmart: the order number is not a tracking number (§12.2)", "walmart-us", func(f *vtr.PackageFacts) {
			f.Order.Policy = "walmart-us"
			f.Order.ID = "1Z96F4R8D313969574"
		}, vtr.VerdictInvalid, []vtr.Reason{vtr.TrackingMalformed}, "order number"},
		{"walmart: a carrier off its list (§12.2)", "walmart-us", func(f *vtr.PackageFacts) {
			f.Shipment.Carrier, f.Shipment.TrackingNumber = "DHL", "1234567891"
		}, vtr.VerdictInvalid, []vtr.Reason{vtr.CarrierUnsupported}, "DHL is not a carrier Walmart US supports"},
		{"etsy: under $10 is excepted (§12.6)", "etsy", func(f *vtr.PackageFacts) { f.Order.Value.Minor = 950 }, vtr.VerdictExempt,
			[]vtr.Reason{vtr.ExemptLowValue}, "below 10.00 USD"},
		{"jp: under 1,000 JPY is not considered (§6)", "amazon-jp", func(f *vtr.PackageFacts) { f.Order.Value = vtr.Money{Minor: 999, Currency: "JPY"} },
			vtr.VerdictExempt, []vtr.Reason{vtr.ExemptLowValue}, "below 1000 JPY"},
		{"eu: a domestic order of €15 or less is not measured (§6)", "amazon-eu", func(f *vtr.PackageFacts) {
			f.Order.Value = vtr.Money{Minor: 1500, Currency: "EUR"}
			f.Order.ShipTo.Country = "DE"
			f.Seller.ShipFrom[0] = vtr.ShipFrom{ID: "WH1", Country: "DE", City: "Berlin"}
		}, vtr.VerdictExempt, []vtr.Reason{vtr.ExemptLowValue}, "below 15.01 EUR"},
		{"eu: €15.01 domestic is measured (§6)", "amazon-eu", func(f *vtr.PackageFacts) {
			f.Order.Value = vtr.Money{Minor: 1501, Currency: "EUR"}
			f.Order.ShipTo.Country = "DE"
			f.Seller.ShipFrom[0] = vtr.ShipFrom{ID: "WH1", Country: "DE", City: "Berlin"}
			f.Scans.FirstPhysicalLocation = vtr.Location{City: "Berlin", Country: "DE"}
		}, vtr.VerdictValid, nil, ""},
		{"eu: a cross-border letter under €20 is exempt (§6)", "amazon-eu", func(f *vtr.PackageFacts) {
			f.Order.Value = vtr.Money{Minor: 1999, Currency: "EUR"}
			f.Order.ShipTo.Country = "FR"
			f.Shipment.ShipMethod = "Letter"
			f.Seller.ShipFrom[0] = vtr.ShipFrom{ID: "WH1", Country: "DE", City: "Berlin"}
		}, vtr.VerdictExempt, []vtr.Reason{vtr.ExemptShipMethod}, "untracked"},
		{"tiktok covers US origins only (§12.5)", "tiktok-us", func(f *vtr.PackageFacts) {
			f.Seller.ShipFrom[0] = vtr.ShipFrom{ID: "WH1", Country: "CN", State: "GD", City: "Shenzhen"}
		}, vtr.VerdictExempt, []vtr.Reason{vtr.ExemptOrigin}, "ships from CN"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := base()
			if tt.edit != nil {
				tt.edit(f)
			}
			v := Judge(policy(t, tt.policy), f, asOf)
			if v.Outcome != tt.outcome || !slices.Equal(v.Reasons, tt.reasons) {
				t.Fatalf("outcome %s %v, want %s %v (%s)", v.Outcome, v.Reasons, tt.outcome, tt.reasons, v.Explanation)
			}
			if !strings.Contains(v.Explanation, tt.expl) || v.Explanation == "" {
				t.Errorf("explanation %q, want it to contain %q", v.Explanation, tt.expl)
			}
		})
	}
}

// A label reused from another seller never shows that seller's order,
// even when the store passes it along (ARCHITECTURE.md: tenancy).
func TestReusedElsewhereNamesNoOrder(t *testing.T) {
	f := base()
	f.ReusedElsewhere, f.ReusedFrom = true, "222-9999999-9999999"
	v := Judge(policy(t, "amazon-us"), f, t0.Add(30*24*time.Hour))
	if !slices.Equal(v.Reasons, []vtr.Reason{vtr.TrackingReused}) || strings.Contains(v.Explanation, "222-") || strings.Contains(v.Explanation, "order ") {
		t.Errorf("reasons %v, explanation %q: want TRACKING_REUSED naming no order", v.Reasons, v.Explanation)
	}
}

// Messages read right when the carrier or the origin is unknown.
func TestMessagesWithUnknowns(t *testing.T) {
	// An operator policy with a carrier list, no home country; a seller
	// with no registered ship-from.
	p := &vtr.Policy{ID: "op", Name: "Operator", Target: 0.95, WindowDays: 30, GroupBy: "account", Inclusion: "ship_date",
		Scans: vtr.Scans(1), Carriers: map[string][]string{"*": {"UPS"}}}
	f := base()
	f.Seller.ShipFrom = nil
	f.Shipment.Carrier, f.Shipment.TrackingNumber = "FedEx", "775817441109"
	v := Judge(p, f, t0)
	if want := "FedEx is not a carrier Operator supports for packages from an unknown origin."; v.Explanation != want {
		t.Errorf("explanation %q, want %q", v.Explanation, want)
	}
	// No carrier and no scan: the carrier's defect comes first.
	f.Shipment.Carrier, f.Scans = "", vtr.ScanSummary{}
	v = Judge(policy(t, "amazon-us"), f, t0)
	if !slices.Equal(v.Reasons, []vtr.Reason{vtr.CarrierUnknown, vtr.NoPhysicalScan}) || !strings.HasPrefix(v.Explanation, "No carrier was entered") {
		t.Errorf("%v %q", v.Reasons, v.Explanation)
	}
	f.Shipment.Carrier = "UPS"
	f.Shipment.TrackingNumber = "1Z96F4R8D313969574"
	if v = Judge(policy(t, "amazon-us"), f, t0); v.Explanation != "UPS has recorded no event at all for 1Z96F4R8D313969574." {
		t.Errorf("explanation %q", v.Explanation)
	}
}

// China origin (marketplace-rules.md §5): below $5 one physical scan is
// enough; at $5 and above two, including a delivery or delivery attempt.
func TestChinaOriginScans(t *testing.T) {
	cn := func(value int64, physical int, delivered bool) *vtr.PackageFacts {
		f := base()
		f.Order.Policy = "amazon-cn-us"
		f.Order.Value.Minor = value
		f.Seller.ShipFrom[0] = vtr.ShipFrom{ID: "WH1", Country: "CN", State: "GD", City: "Shenzhen"}
		f.Shipment.Carrier, f.Shipment.TrackingNumber = "China Post", "LP176445020CN"
		f.Scans = vtr.ScanSummary{Events: physical + 1, Physical: physical, FirstEventAt: t0.Add(20 * time.Hour),
			FirstPhysicalAt: t0.Add(26 * time.Hour), FirstPhysicalLocation: vtr.Location{City: "Shenzhen", State: "GD", Country: "CN"}}
		if delivered {
			f.Scans.DeliveredAt = t0.Add(12 * 24 * time.Hour)
		}
		return f
	}
	p := policy(t, "amazon-cn-us")
	tests := []struct {
		value     int64
		physical  int
		delivered bool
		want      vtr.VerdictStatus
	}{
		{499, 1, false, vtr.VerdictValid},
		{500, 1, false, vtr.VerdictInvalid},
		{500, 2, false, vtr.VerdictInvalid}, // two scans, but neither a delivery nor an attempt
		{500, 2, true, vtr.VerdictValid},
		{2500, 1, true, vtr.VerdictInvalid},
	}
	for _, tt := range tests {
		v := Judge(p, cn(tt.value, tt.physical, tt.delivered), t0.Add(40*24*time.Hour))
		if v.Outcome != tt.want {
			t.Errorf("$%d.%02d, %d physical, delivered %v: %s %v, want %s", tt.value/100, tt.value%100, tt.physical, tt.delivered, v.Outcome, v.Reasons, tt.want)
		}
		if v.Outcome == vtr.VerdictInvalid && v.Reasons[0] != vtr.InsufficientScans {
			t.Errorf("$%d.%02d: reasons %v, want INSUFFICIENT_SCANS", tt.value/100, tt.value%100, v.Reasons)
		}
	}
	// A carrier off the CN-out list is unsupported.
	f := cn(2500, 2, true)
	f.Shipment.Carrier, f.Shipment.TrackingNumber = "OnTrac", "D10011326755777"
	if v := Judge(p, f, t0); !slices.Contains(v.Reasons, vtr.CarrierUnsupported) {
		t.Errorf("OnTrac from China: reasons %v, want CARRIER_UNSUPPORTED", v.Reasons)
	}
}

// A package is pending until its inclusion date; its outcome does not
// depend on the time asked.
func TestPendingUntilPromiseDate(t *testing.T) {
	p := policy(t, "amazon-us")
	f := base()
	before := Judge(p, f, f.Order.DeliverBy.Add(-48*time.Hour))
	on := Judge(p, f, f.Order.DeliverBy)
	if before.Status != vtr.VerdictPending || on.Status != vtr.VerdictValid {
		t.Errorf("status before/on the promise date: %s/%s, want pending/valid", before.Status, on.Status)
	}
	if before.Outcome != on.Outcome {
		t.Errorf("outcome changed with the clock: %s then %s", before.Outcome, on.Outcome)
	}
	if !on.Delivered || !on.OnTime {
		t.Errorf("delivered %v on time %v, want both", on.Delivered, on.OnTime)
	}
	// Delivered at 20:00 in New York on the promised date (00:00 UTC the
	// next day) is on time; the next local day is late.
	f.Scans.DeliveredAt = Day(f.Order.DeliverBy).Add(24 * time.Hour)
	f.Scans.DeliveredOffset = -4 * 3600
	if v := Judge(p, f, f.Order.DeliverBy); !v.OnTime {
		t.Errorf("delivered on the promised local date: on time %v, want true", v.OnTime)
	}
	f.Scans.DeliveredOffset = 0
	if v := Judge(p, f, f.Order.DeliverBy); v.OnTime {
		t.Errorf("delivered the day after the promise: on time %v, want false", v.OnTime)
	}
}

func TestBuiltinPoliciesValid(t *testing.T) {
	ps := vtr.BuiltinPolicies()
	if len(ps) != 8 {
		t.Fatalf("%d built-in policies, want 8", len(ps))
	}
	for _, p := range ps {
		if err := p.Validate(); err != nil {
			t.Errorf("%s: %v", p.ID, err)
		}
		if len(p.Sources) == 0 {
			t.Errorf("%s cites no source", p.ID)
		}
	}
}

func TestOrderCounts(t *testing.T) {
	o := base().Order
	// The expected ship date is a date: later the same day is on time,
	// the next day is late.
	sameDay := OrderCounts(&OrderFacts{Order: o, FirstShippedAt: Day(o.ShipBy).Add(23 * time.Hour)})
	late := OrderCounts(&OrderFacts{Order: o, FirstShippedAt: Day(o.ShipBy).Add(25 * time.Hour)})
	if sameDay[0].Kind != "ship" || sameDay[0].Hits != 0 || late[0].Hits != 1 {
		t.Errorf("shipped the same day / the next day: %+v / %+v, want on time / late", sameDay, late)
	}
	cancelled := OrderCounts(&OrderFacts{Order: o, Cancellation: &vtr.Cancellation{CancelledAt: t0.Add(time.Hour), BySeller: true}})
	if len(cancelled) != 1 || cancelled[0].Kind != "order" || cancelled[0].Hits != 1 {
		t.Errorf("cancelled before shipping: %+v, want a pre-fulfilment cancellation", cancelled)
	}
}

func BenchmarkJudge(b *testing.B) {
	p, _ := policies.Get("amazon-us")
	valid, other := base(), base()
	other.Shipment.Carrier, other.Shipment.CarrierName, other.Shipment.TrackingNumber = "Other", "UPS", "1Z96F4R8D313969574"
	for _, bc := range []struct {
		name string
		f    *vtr.PackageFacts
	}{{"valid", valid}, {"other", other}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				Judge(p, bc.f, t0)
			}
		})
	}
}
