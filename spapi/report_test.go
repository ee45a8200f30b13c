package spapi_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/spapi"
)

func TestSellerPerformanceGolden(t *testing.T) {
	for _, f := range samples(t, "report_*.json") {
		t.Run(f, func(t *testing.T) {
			fh, err := os.Open(f)
			if err != nil {
				t.Fatal(err)
			}
			defer fh.Close()
			sp, err := spapi.DecodeSellerPerformance(fh)
			golden(t, strings.TrimSuffix(f, ".json")+".golden", render(t, sp, err))
		})
	}
}

func f64(x float64) *float64 { return &x }

// TestDecodeSellerPerformanceSamples pins what the goldens were reviewed
// for.
func TestDecodeSellerPerformanceSamples(t *testing.T) {
	fh, _ := os.Open("testdata/report_schema_example.json")
	defer fh.Close()
	sp, err := spapi.DecodeSellerPerformance(fh)
	if err != nil {
		t.Fatal(err)
	}
	if len(sp.AccountStatuses) != 3 || sp.AccountStatuses[2].Status != "SUSPENDED" || len(sp.PerformanceMetrics) != 1 {
		t.Fatalf("got %+v", sp)
	}
	pm := sp.PerformanceMetrics[0]
	want := &spapi.ValidTrackingRate{Metric: spapi.Metric{
		ReportingDateRange: spapi.ReportingDateRange{From: "2020-10-11T00:00Z", To: "2020-11-09T23:59Z"},
		Status:             "GOOD", Rate: f64(0.9529), TargetValue: f64(0.95), TargetCondition: "GREATER_THAN"},
		ShipmentCount: 878443, ValidTrackingCount: 896462}
	if pm.MarketplaceID != "ATVPDKIKX0DER" || !reflect.DeepEqual(pm.ValidTrackingRate, want) {
		t.Errorf("validTrackingRate: got %+v, want %+v", pm.ValidTrackingRate, want)
	}
	if c := pm.PreFulfillmentCancellationRate; c == nil || c.CancellationCount != 551 || c.OrderCount != 17197 || *c.Rate != 0.005 {
		t.Errorf("prefulfillmentCancelRate (the example's name): got %+v", c)
	}
	if from, to, err := pm.ValidTrackingRate.ReportingDateRange.Times(); err != nil ||
		!from.Equal(time.Date(2020, 10, 11, 0, 0, 0, 0, time.UTC)) || !to.Equal(time.Date(2020, 11, 9, 23, 59, 0, 0, time.UTC)) {
		t.Errorf("Times: got %v %v %v", from, to, err)
	}

	fh2, _ := os.Open("testdata/report_percent_strings_variant.json")
	defer fh2.Close()
	sp, err = spapi.DecodeSellerPerformance(fh2)
	if err != nil {
		t.Fatal(err)
	}
	pm = sp.PerformanceMetrics[0]
	type rt struct{ rate, target float64 }
	for name, tt := range map[string]struct {
		m    *spapi.Metric
		want rt
	}{
		"vtr (95.0, \"95\")":          {&pm.ValidTrackingRate.Metric, rt{0.95, 0.95}},
		"lsr (0.5 by counts, 4)":      {&pm.LateShipmentRate.Metric, rt{0.005, 0.04}},
		"otdr (\"0.5263%\", \"97%\")": {&pm.OnTimeDeliveryRate.Metric, rt{0.005263, 0.97}},
		"cancel (1, 2.5)":             {&pm.PreFulfillmentCancellationRate.Metric, rt{0.01, 0.025}},
	} {
		if got := (rt{*tt.m.Rate, *tt.m.TargetValue}); !near(got.rate, tt.want.rate) || !near(got.target, tt.want.target) {
			t.Errorf("%s: got %+v, want %+v", name, got, tt.want)
		}
	}
	if pm.ValidTrackingRate.ShipmentCount != 200 || pm.LateShipmentRate.OrderCount != 400 || pm.OnTimeDeliveryRate.TargetCondition != "GREATER_THAN" ||
		sp.AccountStatuses[0].Status != "NORMAL" || pm.PreFulfillmentCancellationRate.ReportingDateRange.From != "2026-10-28T00:00Z" {
		t.Errorf("got %+v / %+v", pm, sp.AccountStatuses)
	}
}

func near(a, b float64) bool { return a-b < 1e-12 && b-a < 1e-12 }

func TestDecodeSellerPerformanceErrors(t *testing.T) {
	tests := []struct{ name, body, field, msg string }{
		{"empty", ``, "", "body is empty"},
		{"array", `[{}]`, "", "not a JSON object"},
		{"trailing", `{"performanceMetrics":[]} {}`, "", "data after its JSON object"},
		{"no metrics", `{"accountStatuses":[]}`, "performanceMetrics", "required"},
		{"null metrics", `{"performanceMetrics":null}`, "performanceMetrics", "required"},
		{"metrics object", `{"performanceMetrics":{}}`, "performanceMetrics", "expected array, got JSON object"},
		{"statuses object", `{"performanceMetrics":[],"accountStatuses":{}}`, "accountStatuses", "expected array"},
		{"status number", `{"performanceMetrics":[],"accountStatuses":[{"status":1}]}`, "accountStatuses.status", "expected string"},
		{"entry not object", `{"performanceMetrics":[{},7]}`, "performanceMetrics[1]", "must be a JSON object"},
		{"marketplace number", `{"performanceMetrics":[{"marketplaceId":1}]}`, "performanceMetrics[0].marketplaceId", "expected string"},
		{"metric array", `{"performanceMetrics":[{"validTrackingRate":[]}]}`, "performanceMetrics[0].validTrackingRate", "expected object, got JSON array"},
		{"rate word", `{"performanceMetrics":[{"validTrackingRate":{"rate":"high"}}]}`, "performanceMetrics[0].validTrackingRate.rate", `expected number, got JSON string "high"`},
		{"rate bool", `{"performanceMetrics":[{"lateShipmentRate":{"rate":true}}]}`, "performanceMetrics[0].lateShipmentRate.rate", "expected number, got JSON bool"},
		{"rate negative", `{"performanceMetrics":[{"onTimeDeliveryRate":{"rate":-0.1}}]}`, "performanceMetrics[0].onTimeDeliveryRate.rate", "negative"},
		{"target negative", `{"performanceMetrics":[{"validTrackingRate":{"targetValue":"-1"}}]}`, "performanceMetrics[0].validTrackingRate.targetValue", "negative"},
		{"count fraction", `{"performanceMetrics":[{"validTrackingRate":{"shipmentCount":12.5}}]}`, "performanceMetrics[0].validTrackingRate.shipmentCount", "12.5 is not a count"},
		{"count negative", `{"performanceMetrics":[{"lateShipmentRate":{"orderCount":"-3"}}]}`, "performanceMetrics[0].lateShipmentRate.orderCount", "is not a count"},
		{"count huge", `{"performanceMetrics":[{"onTimeDeliveryRate":{"onTimeDeliveryCount":1e300}}]}`, "performanceMetrics[0].onTimeDeliveryRate.onTimeDeliveryCount", "is not a count"},
		{"count percent", `{"performanceMetrics":[{"preFulfillmentCancellationRate":{"cancellationCount":"5%"}}]}`, "performanceMetrics[0].preFulfillmentCancellationRate.cancellationCount", "is not a count"},
		{"old name", `{"performanceMetrics":[{"prefulfillmentCancelRate":{"orderCount":"many"}}]}`, "performanceMetrics[0].prefulfillmentCancelRate.orderCount", "expected number"},
		{"range type", `{"performanceMetrics":[{"validTrackingRate":{"reportingDateRange":"30d"}}]}`, "performanceMetrics[0].validTrackingRate.reportingDateRange", "expected object"},
		{"too large", `{"performanceMetrics":[],"x":"` + strings.Repeat("a", spapi.MaxReport) + `"}`, "", "larger than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sp, err := spapi.DecodeSellerPerformance(strings.NewReader(tt.body))
			if sp != nil {
				t.Errorf("got %+v with the error", sp)
			}
			checkFieldError(t, err, tt.field, tt.msg)
		})
	}

	// A read error is the reader's, not the document's.
	_, err := spapi.DecodeSellerPerformance(iotest.ErrReader(errors.New("connection reset")))
	var fe *spapi.FieldError
	if err == nil || errors.As(err, &fe) || !strings.Contains(err.Error(), "connection reset") {
		t.Errorf("read error: got %v", err)
	}
}

func TestDecodeSellerPerformanceTolerates(t *testing.T) {
	for _, body := range []string{
		"\xef\xbb\xbf{\"performanceMetrics\":[]}",
		`{"performanceMetrics":[{}],"accountStatuses":[{"marketplaceId":"X","status":"SUSPENDED"}]}`,
		`{"performanceMetrics":[{"validTrackingRate":null,"lateShipmentRate":{"rate":"","orderCount":""}}]}`,
		`{"performanceMetrics":[{"validTrackingRate":{"status":"NONE","shipmentCount":0,"validTrackingCount":0}}]}`,
		`{"performanceMetrics":[{"validTrackingRate":{"rate":0.9,"futureField":{"a":[1]}},"warningStates":"x"}]}`,
	} {
		if _, err := spapi.DecodeSellerPerformance(strings.NewReader(body)); err != nil {
			t.Errorf("%s: %v", body, err)
		}
	}
}

// rateReport is a report as engine.Rate writes one: 190 of 200 validly
// tracked over 30 days as of 3 Nov 2026, 2 late of 400 orders over 30
// days, 170 of 190 on time, no orders in the last 7 days.
func rateReport() *vtr.RateReport {
	return &vtr.RateReport{
		SellerID: "S1", Policy: "amazon-us", AsOf: time.Date(2026, 11, 3, 22, 30, 0, 0, time.FixedZone("PST", -8*3600)),
		WindowDays: 30, Target: 0.95,
		Overall:        vtr.Counts{Valid: 190, Invalid: 10, Pending: 4, Exempt: 3, Rate: f64(0.95)},
		LateShipment10: vtr.Ratio{WindowDays: 10, Hits: 1, Total: 100, Rate: f64(0.01), Target: 0.04, Meets: true},
		LateShipment30: vtr.Ratio{WindowDays: 30, Hits: 2, Total: 400, Rate: f64(0.005), Target: 0.04, Meets: true},
		OnTimeDelivery: vtr.Ratio{WindowDays: 30, Hits: 170, Total: 190, Rate: f64(170.0 / 190), Target: 0.97, Meets: false},
		Cancel7:        vtr.Ratio{WindowDays: 7, Target: 0.025, Meets: true},
	}
}

func TestFromRateGolden(t *testing.T) {
	empty := &vtr.RateReport{AsOf: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), WindowDays: 30, Target: 0.95,
		LateShipment30: vtr.Ratio{WindowDays: 30, Meets: true}, OnTimeDelivery: vtr.Ratio{WindowDays: 30, Meets: true},
		Cancel7: vtr.Ratio{WindowDays: 7, Meets: true}}
	below := rateReport()
	below.Overall = vtr.Counts{Valid: 9, Invalid: 1, Rate: f64(0.9)}
	below.OnTimeDelivery = vtr.Ratio{WindowDays: 30, Meets: true} // no target, nothing counted
	got := map[string]*spapi.SellerPerformance{
		"counted: VTR on target, OTDR below": spapi.FromRate(rateReport(), "ATVPDKIKX0DER"),
		"nothing counted":                    spapi.FromRate(empty, "ATVPDKIKX0DER"),
		"below target, no OTDR counted":      spapi.FromRate(below, "A2EUQ1WTGCTBG2"),
	}
	golden(t, "testdata/from_rate.golden", render(t, got, nil))
}

// TestFromRate pins what the golden was reviewed for.
func TestFromRate(t *testing.T) {
	sp := spapi.FromRate(rateReport(), "ATVPDKIKX0DER")
	pm := sp.PerformanceMetrics[0]
	v := pm.ValidTrackingRate
	if v.ShipmentCount != 200 || v.ValidTrackingCount != 190 || v.Status != "GOOD" || *v.Rate != 0.95 || *v.TargetValue != 0.95 ||
		v.TargetCondition != "GREATER_THAN" {
		t.Errorf("validTrackingRate: got %+v (rate on the target is GOOD)", v)
	}
	if r := v.ReportingDateRange; r.From != "2026-10-06T00:00Z" || r.To != "2026-11-04T23:59Z" {
		t.Errorf("range: got %+v, want 30 days to AsOf's UTC day, 2026-11-04", r)
	}
	if l := pm.LateShipmentRate; l.OrderCount != 400 || l.LateShipmentCount != 2 || l.Status != "GOOD" || l.TargetCondition != "LESS_THAN" {
		t.Errorf("lateShipmentRate: got %+v, want the 30-day ratio", l)
	}
	if o := pm.OnTimeDeliveryRate; o.ShipmentCountWithValidTracking != 190 || o.OnTimeDeliveryCount != 170 || o.Status != "BAD" {
		t.Errorf("onTimeDeliveryRate: got %+v", o)
	}
	if c := pm.PreFulfillmentCancellationRate; c.Status != "NONE" || c.Rate != nil || c.ReportingDateRange.From != "2026-10-29T00:00Z" {
		t.Errorf("preFulfillmentCancellationRate: got %+v, want NONE over 7 days", c)
	}
	if s := sp.AccountStatuses; len(s) != 1 || s[0] != (spapi.AccountStatus{MarketplaceID: "ATVPDKIKX0DER", Status: "AT_RISK"}) {
		t.Errorf("account: got %+v, want AT_RISK (OTDR is BAD)", s)
	}
	if spapi.FromRate(nil, "X") != nil {
		t.Errorf("FromRate(nil): want nil")
	}
}

// What FromRate writes, DecodeSellerPerformance reads back unchanged.
func TestFromRateRoundTrip(t *testing.T) {
	sp := spapi.FromRate(rateReport(), "ATVPDKIKX0DER")
	b, err := json.Marshal(sp)
	if err != nil {
		t.Fatal(err)
	}
	got, err := spapi.DecodeSellerPerformance(bytes.NewReader(b))
	if err != nil || !reflect.DeepEqual(got, sp) {
		t.Errorf("got %+v (%v)\nwant %+v", got, err, sp)
	}
}

// FuzzDecodeSellerPerformance: no panic; an error is an EINVALID
// *FieldError; a report read has no negative rate or count and encodes.
func FuzzDecodeSellerPerformance(f *testing.F) {
	for _, file := range samples(f, "report_*.json") {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	b, _ := json.Marshal(spapi.FromRate(rateReport(), "ATVPDKIKX0DER"))
	f.Add(b)
	f.Fuzz(func(t *testing.T, body []byte) {
		sp, err := spapi.DecodeSellerPerformance(bytes.NewReader(body))
		if err != nil {
			var fe *spapi.FieldError
			if sp != nil || vtr.ErrorCode(err) != vtr.EINVALID || !errors.As(err, &fe) {
				t.Fatalf("got %+v, %T %v: want nil and an EINVALID *FieldError", sp, err, err)
			}
			return
		}
		for _, pm := range sp.PerformanceMetrics {
			var ms []*spapi.Metric
			var counts []int
			if m := pm.ValidTrackingRate; m != nil {
				ms, counts = append(ms, &m.Metric), append(counts, m.ShipmentCount, m.ValidTrackingCount)
			}
			if m := pm.LateShipmentRate; m != nil {
				ms, counts = append(ms, &m.Metric), append(counts, m.OrderCount, m.LateShipmentCount)
			}
			if m := pm.OnTimeDeliveryRate; m != nil {
				ms, counts = append(ms, &m.Metric), append(counts, m.ShipmentCountWithValidTracking, m.OnTimeDeliveryCount)
			}
			if m := pm.PreFulfillmentCancellationRate; m != nil {
				ms, counts = append(ms, &m.Metric), append(counts, m.OrderCount, m.CancellationCount)
			}
			for _, m := range ms {
				if m.Rate != nil && *m.Rate < 0 || m.TargetValue != nil && *m.TargetValue < 0 {
					t.Fatalf("negative rate or target: %+v", m)
				}
			}
			for _, c := range counts {
				if c < 0 {
					t.Fatalf("negative count in %+v", pm)
				}
			}
		}
		if _, err := json.Marshal(sp); err != nil {
			t.Fatalf("decoded report does not encode: %v", err)
		}
	})
}
