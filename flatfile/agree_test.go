package flatfile

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/engine"
)

// agreeCase is one row of testdata/agree.json: a carrier and number as
// entered, for a policy and origin, and the reason both the pre-flight
// and the engine must give ("" for none). cmd/vtr runs the same table
// through `vtr check`.
type agreeCase struct {
	Policy, Origin, Code, Name, Number, Want, Rule string
}

func agreeCases(t *testing.T) []agreeCase {
	t.Helper()
	b, err := os.ReadFile("testdata/agree.json")
	if err != nil {
		t.Fatal(err)
	}
	var cs []agreeCase
	if err := json.Unmarshal(b, &cs); err != nil {
		t.Fatal(err)
	}
	return cs
}

const agreeOrderID = "111-1234567-1234567"

// agreeFacts are a package on which only the carrier and number rules
// can fire: scanned twice, delivered on time, uploaded before pickup,
// first scanned at the registered ship-from, no exemption.
func agreeFacts(c agreeCase) *vtr.PackageFacts {
	t0 := time.Date(2026, 10, 1, 10, 0, 0, 0, time.UTC)
	return &vtr.PackageFacts{
		Order: vtr.Order{ID: agreeOrderID, SellerID: "S1", Policy: c.Policy, PurchasedAt: t0, Category: "Toys",
			Value: vtr.Money{Minor: 2500, Currency: "USD"}, ShipTo: vtr.Location{Country: "US", City: "New York", PostalCode: "10001"},
			ShipBy: t0.Add(48 * time.Hour), DeliverBy: t0.Add(10 * 24 * time.Hour)},
		Seller: vtr.Seller{ID: "S1", ShipFrom: []vtr.ShipFrom{{ID: "WH1", Country: c.Origin, City: "Origin City"}}},
		Shipment: vtr.Shipment{OrderID: agreeOrderID, PackageID: "1", Carrier: c.Code, CarrierName: c.Name, TrackingNumber: c.Number,
			ShipMethod: "Standard", ShipFromID: "WH1", ShippedAt: t0.Add(24 * time.Hour), UploadedAt: t0.Add(20 * time.Hour)},
		FirstUploadedAt: t0.Add(20 * time.Hour),
		Scans: vtr.ScanSummary{Events: 3, Physical: 2, FirstEventAt: t0.Add(2 * time.Hour), FirstPhysicalAt: t0.Add(26 * time.Hour),
			FirstPhysicalLocation: vtr.Location{Country: c.Origin, City: "Origin City"}, DeliveredAt: t0.Add(7 * 24 * time.Hour)},
	}
}

// TestCheckAgreesWithJudge: each rule exists once (engine.AcceptCarrier),
// so the pre-flight and the engine give the same reason for every row of
// the shared table. The findings' wording is kept in testdata/agree.golden.
func TestCheckAgreesWithJudge(t *testing.T) {
	var out strings.Builder
	for i, c := range agreeCases(t) {
		p := policy(t, c.Policy)
		row := Row{Line: i + 2, OrderID: agreeOrderID, ShipDate: "2026-10-02", CarrierCode: c.Code, CarrierName: c.Name, TrackingNumber: c.Number}
		f := NewChecker(p, c.Origin).Check(row)
		v := engine.Judge(p, agreeFacts(c), time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))
		var judged vtr.Reason
		if len(v.Reasons) > 0 {
			judged = v.Reasons[0]
		}
		name := fmt.Sprintf("%s from %s: %q/%q %q (%s)", c.Policy, c.Origin, c.Code, c.Name, c.Number, c.Rule)
		if f.Reason != vtr.Reason(c.Want) || judged != vtr.Reason(c.Want) {
			t.Errorf("%s:\n  check: %q (%s)\n  judge: %q %s (%s)\n  want %q", name, f.Reason, f.Message, judged, v.Outcome, v.Explanation, c.Want)
		}
		if c.Want == "" && (v.Outcome != vtr.VerdictValid || !f.OK()) {
			t.Errorf("%s: judge %s, check ok %v; want valid and ok", name, v.Outcome, f.OK())
		}
		fmt.Fprintf(&out, "# %s\n%s\n", name, f.Text())
	}
	golden := "testdata/agree.golden"
	if *update {
		os.WriteFile(golden, []byte(out.String()), 0o644)
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if out.String() != string(want) {
		t.Errorf("findings differ from %s (run with -update after review):\n%s", golden, out.String())
	}
}
