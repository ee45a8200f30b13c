package engine

import (
	"encoding/json"
	"math"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/vtr-project/vtr"
)

var asOfRate = time.Date(2026, 10, 30, 15, 0, 0, 0, time.UTC)

func day(m time.Month, d int) time.Time { return time.Date(2026, m, d, 0, 0, 0, 0, time.UTC) }

func TestWindow(t *testing.T) {
	tests := []struct {
		policy      string
		first, last time.Time
	}{
		{"amazon-us", day(10, 1), day(10, 30)}, // 30 days (§2)
		{"ebay-us", day(8, 2), day(10, 30)},    // 90 days
	}
	for _, tt := range tests {
		first, last := Window(policy(t, tt.policy), asOfRate)
		if !first.Equal(tt.first) || !last.Equal(tt.last) {
			t.Errorf("%s: window %s..%s, want %s..%s", tt.policy, first.Format(time.DateOnly), last.Format(time.DateOnly),
				tt.first.Format(time.DateOnly), tt.last.Format(time.DateOnly))
		}
	}
}

func TestRateCounts(t *testing.T) {
	p := policy(t, "amazon-us")
	daily := []vtr.DailyCount{
		{Day: day(9, 30), Category: "Toys", Carrier: "UPS", ShipFrom: "WH1", Valid: 1000}, // before the window: ignored
		{Day: day(10, 1), Category: "Toys", Carrier: "UPS", ShipFrom: "WH1", Valid: 90, Invalid: 2, Exempt: 3, Delivered: 80, OnTime: 78},
		{Day: day(10, 30).Add(20 * time.Hour), Category: "Toys", Carrier: "USPS", ShipFrom: "WH2", Valid: 8, Invalid: 0, Delivered: 8, OnTime: 8},
		{Day: day(10, 12), Category: "Books", Carrier: "UPS", ShipFrom: "WH1", Valid: 18, Invalid: 2, Delivered: 18, OnTime: 18},
		// Included after as-of: pending, whatever they will count as.
		{Day: day(10, 31), Category: "Toys", Carrier: "UPS", ShipFrom: "WH1", Valid: 4, Invalid: 1, Exempt: 1, Delivered: 4, OnTime: 4},
		{Day: day(11, 20), Category: "Garden", Carrier: "FedEx", ShipFrom: "WH1", Valid: 7},
	}
	r := Rate(p, "S1", asOfRate, 0, daily, nil)
	want := vtr.Counts{Valid: 116, Invalid: 4, Exempt: 3, Pending: 13}
	if got := r.Overall; got.Valid != want.Valid || got.Invalid != want.Invalid || got.Exempt != want.Exempt || got.Pending != want.Pending {
		t.Errorf("overall %+v, want %+v", got, want)
	}
	if r.Overall.Rate == nil || math.Abs(*r.Overall.Rate-116.0/120) > 1e-12 || r.Status != vtr.RateOK {
		t.Errorf("overall rate %v status %s, want 96.7%% ok", r.Overall.Rate, r.Status)
	}
	cats := map[string]vtr.CategoryRate{}
	var names []string
	for _, c := range r.Categories {
		cats[c.Category] = c
		names = append(names, c.Category)
	}
	if !slices.Equal(names, []string{"Books", "Garden", "Toys"}) {
		t.Errorf("categories %v, want Books Garden Toys (sorted, pending-only included)", names)
	}
	// Books 18/20 = 90% is below 95% (§2); Toys 98/100 is ok; Garden has
	// only pending packages: no rate, ok.
	if c := cats["Books"]; c.Status != vtr.RateBelowTarget || c.Valid != 18 || c.Invalid != 2 {
		t.Errorf("Books %+v, want 18/20 below_target", c)
	}
	if c := cats["Toys"]; c.Status != vtr.RateOK || c.Valid != 98 || c.Pending != 6 {
		t.Errorf("Toys %+v, want 98 valid, 6 pending, ok", c)
	}
	if c := cats["Garden"]; c.Rate != nil || c.Pending != 7 || c.Status != vtr.RateOK {
		t.Errorf("Garden %+v, want pending only, no rate, ok", c)
	}
	keys := func(ks []vtr.KeyRate) (out []string) {
		for _, k := range ks {
			out = append(out, k.Key)
		}
		return out
	}
	if got := keys(r.Carriers); !slices.Equal(got, []string{"FedEx", "UPS", "USPS"}) {
		t.Errorf("carriers %v", got)
	}
	if got := keys(r.Days); !slices.Equal(got, []string{"2026-10-01", "2026-10-12", "2026-10-30"}) {
		t.Errorf("days %v, want the counted days only", got)
	}
	if got := keys(r.ShipFroms); !slices.Equal(got, []string{"WH1", "WH2"}) {
		t.Errorf("ship-froms %v", got)
	}
	// On-time delivery over validly tracked, counted packages (§10.4).
	if o := r.OnTimeDelivery; o.Hits != 104 || o.Total != 106 || o.WindowDays != 30 || !o.Meets {
		t.Errorf("on-time delivery %+v, want 104/106 over 30 days, meeting 97%%", o)
	}
	if len(r.WhatIf) != 0 || r.WhatIf == nil {
		t.Errorf("what-if %v, want an empty list without a horizon", r.WhatIf)
	}
}

// The bands are Policy.RateStatus's: below the target, within the
// at-risk margin above it, ok.
func TestRateStatusBands(t *testing.T) {
	p := policy(t, "amazon-us") // 95%, at risk below 96%
	for _, tt := range []struct {
		valid, invalid int
		want           string
	}{{94, 6, vtr.RateBelowTarget}, {95, 5, vtr.RateAtRisk}, {96, 4, vtr.RateOK}, {0, 0, vtr.RateOK}} {
		r := Rate(p, "S1", asOfRate, 0, []vtr.DailyCount{{Day: day(10, 20), Category: "Toys", Valid: tt.valid, Invalid: tt.invalid}}, nil)
		if r.Status != tt.want {
			t.Errorf("%d/%d: status %s, want %s", tt.valid, tt.valid+tt.invalid, r.Status, tt.want)
		}
	}
}

// What-if: seven days ahead the window covers 8 Oct to 6 Nov: the days
// before leave it, the packages due meanwhile join it.
func TestRateWhatIf(t *testing.T) {
	p := policy(t, "amazon-us")
	daily := []vtr.DailyCount{
		// Toys: 100 valid and 5 invalid stay or join: 0.25 packages above
		// the line, so on it.
		{Day: day(10, 2), Category: "Toys", Valid: 50, Invalid: 5}, // leaves
		{Day: day(10, 15), Category: "Toys", Valid: 95, Invalid: 5},
		{Day: day(11, 3), Category: "Toys", Valid: 5}, // due within 7 days
		{Day: day(11, 20), Category: "Toys", Valid: 100},
		// Books: 80/90 projected: below.
		{Day: day(10, 10), Category: "Books", Valid: 80, Invalid: 10},
		// Garden: 200/200: room for 10 defects.
		{Day: day(10, 20), Category: "Garden", Valid: 200},
		// Music: 19/20 exactly on 95%.
		{Day: day(10, 20), Category: "Music", Valid: 19, Invalid: 1},
		// Tools: everything leaves.
		{Day: day(10, 3), Category: "Tools", Valid: 10},
	}
	r := Rate(p, "S1", asOfRate, 7, daily, nil)
	got := map[string]vtr.WhatIf{}
	for _, w := range r.WhatIf {
		got[w.Category] = w
	}
	tests := []struct {
		cat        string
		max, need  int
		status     string
		msg        string
		nilProject bool
	}{
		{"Toys", 0, 15, vtr.RateAtRisk, "sits on the 95% line in 7 days: one more defect takes it below; 15 more", false},
		{"Books", 0, 110, vtr.RateBelowTarget, "projected below 95% in 7 days (88.89%): it absorbs no defect, and needs 110 more", false},
		{"Garden", 10, 0, vtr.RateOK, "No more than 10 more defect(s) among the packages due in the next 7 days keeps Garden at or above 95%", false},
		{"Music", 0, 20, vtr.RateAtRisk, "sits on the 95% line", false},
		{"Tools", 0, 0, vtr.RateOK, "Tools: no packages are projected in the window in 7 days.", true},
	}
	if len(r.WhatIf) != len(tests) {
		t.Fatalf("%d what-ifs, want %d (one per category)", len(r.WhatIf), len(tests))
	}
	for _, tt := range tests {
		w := got[tt.cat]
		if w.MaxDefects != tt.max || w.NeedValid != tt.need || w.ProjectedStatus != tt.status || w.Days != 7 || (w.ProjectedRate == nil) != tt.nilProject {
			t.Errorf("%s: max %d need %d status %s rate %v, want %d %d %s", tt.cat, w.MaxDefects, w.NeedValid, w.ProjectedStatus, w.ProjectedRate, tt.max, tt.need, tt.status)
		}
		if !strings.Contains(w.Message, tt.msg) {
			t.Errorf("%s: message %q, want %q", tt.cat, w.Message, tt.msg)
		}
		if strings.Contains(w.Message, "No more than 0") || w.MaxDefects < 0 || w.NeedValid < 0 {
			t.Errorf("%s: %+v: never 0 or a negative number of defects", tt.cat, w)
		}
	}
	// A horizon longer than the window: only days due later count.
	long := Rate(p, "S1", asOfRate, 40, daily, nil)
	for _, w := range long.WhatIf {
		if w.Category == "Toys" && (w.ProjectedRate == nil || *w.ProjectedRate != 1) {
			t.Errorf("40 days ahead Toys has only the 100 valid packages of 20 Nov: %+v", w)
		}
	}
}

// NeedValid is the fewest valid packages that do it: checked against
// brute force.
func TestWhatIfNeedValidMinimal(t *testing.T) {
	for _, id := range []string{"amazon-us", "walmart-us"} {
		p := policy(t, id)
		for v := 0; v <= 120; v += 3 {
			for i := 0; i <= 12; i++ {
				w := whatIf(p, "G", 7, v, i)
				if v+i == 0 {
					continue
				}
				absorb := func(v, n int) int { return int(math.Floor(float64(v) - p.Target*float64(n) + epsilon)) }
				d := absorb(v, v+i)
				if w.MaxDefects != max(d, 0) {
					t.Fatalf("%s %d/%d: max %d, want %d", id, v, v+i, w.MaxDefects, max(d, 0))
				}
				if d > 0 {
					continue
				}
				room := 0
				if d == 0 {
					room = 1
				}
				k := 0
				for absorb(v+k, v+i+k) < room {
					k++
				}
				if w.NeedValid != k {
					t.Fatalf("%s %d/%d: need %d, want %d (%s)", id, v, v+i, w.NeedValid, k, w.Message)
				}
			}
		}
	}
	// A 100% target with a defect: no number of valid packages helps.
	p := *policy(t, "amazon-us")
	p.Target = 1
	if w := whatIf(&p, "G", 7, 10, 1); w.MaxDefects != 0 || w.NeedValid != 0 || !strings.Contains(w.Message, "no number of valid packages") {
		t.Errorf("100%% target: %+v", w)
	}
}

// Account grouping (Walmart: one rate for the account) projects the
// account, not each category.
func TestRateWhatIfAccount(t *testing.T) {
	p := policy(t, "walmart-us") // 99%
	daily := []vtr.DailyCount{
		{Day: day(10, 20), Category: "Toys", Valid: 300},
		{Day: day(10, 21), Category: "Books", Valid: 100, Invalid: 1},
		{Day: day(11, 2), Category: "Books", Valid: 100}, // due
		{Day: day(10, 2), Category: "Books", Valid: 50},  // leaves
	}
	r := Rate(p, "S1", asOfRate, 7, daily, nil)
	if len(r.WhatIf) != 1 || r.WhatIf[0].Category != "(account)" {
		t.Fatalf("what-if %+v, want one (account) projection", r.WhatIf)
	}
	// 500 valid, 1 invalid: floor(500 - 0.99×501) = 4 (496/501 ≥ 99%).
	if w := r.WhatIf[0]; w.MaxDefects != 4 {
		t.Errorf("account: %+v, want room for 4 defects", w)
	}
	if len(r.Categories) != 2 {
		t.Errorf("categories %+v: still listed under account grouping", r.Categories)
	}
}

func TestRateSiblings(t *testing.T) {
	orders := []vtr.OrderDayCount{
		{Kind: "ship", Day: day(10, 30), Total: 50, Hits: 1},
		{Kind: "ship", Day: day(10, 21), Total: 50, Hits: 1},   // the first of the 10 days
		{Kind: "ship", Day: day(10, 20), Total: 100, Hits: 8},  // 30 days only
		{Kind: "ship", Day: day(10, 1), Total: 100, Hits: 0},   // the first of the 30 days
		{Kind: "ship", Day: day(9, 30), Total: 100, Hits: 100}, // outside
		{Kind: "order", Day: day(10, 24), Total: 40, Hits: 1},
		{Kind: "order", Day: day(10, 23), Total: 40, Hits: 40}, // outside the 7 days
	}
	daily := []vtr.DailyCount{{Day: day(10, 20), Category: "Toys", Valid: 99, Invalid: 1, Delivered: 99, OnTime: 97}}
	r := Rate(policy(t, "amazon-us"), "S1", asOfRate, 0, daily, orders)
	check := func(name string, got vtr.Ratio, hits, total, days int, meets bool) {
		t.Helper()
		if got.Hits != hits || got.Total != total || got.WindowDays != days || got.Meets != meets {
			t.Errorf("%s %+v, want %d/%d over %d days, meets %v", name, got, hits, total, days, meets)
		}
	}
	// Late Shipment Rate < 4% over 10 and 30 days, cancel < 2.5% over 7
	// days, on-time delivery > 97% (§10.4).
	check("late shipments 10 d", r.LateShipment10, 2, 100, 10, true)
	check("late shipments 30 d", r.LateShipment30, 10, 300, 30, true)
	check("cancellations 7 d", r.Cancel7, 1, 40, 7, true)
	check("on-time delivery", r.OnTimeDelivery, 97, 99, 30, true)
	// 99% VTR with 97.98% on time: the 98% + 97% benefit (§8).
	if !r.BenefitEligible {
		t.Errorf("benefit: not eligible at 99%% VTR and 98%% on time")
	}
	daily[0].OnTime = 95
	if r := Rate(policy(t, "amazon-us"), "S1", asOfRate, 0, daily, orders); r.BenefitEligible || r.OnTimeDelivery.Meets {
		t.Errorf("benefit eligible / on time meets at 96%% on time")
	}

	// Walmart: on-time shipment > 99%, so late shipments at most 1%
	// (§12.2): 2 late of 100 fails, where a 0 target used to pass
	// everything by accident.
	w := Rate(policy(t, "walmart-us"), "S1", asOfRate, 0, daily, orders)
	if w.LateShipment10.Target != 0.01 || w.LateShipment10.Meets {
		t.Errorf("walmart late shipments %+v, want target 1%% and not met at 2%%", w.LateShipment10)
	}
	// eBay publishes no late-shipment target: 0 is none, met whatever
	// the rate.
	e := Rate(policy(t, "ebay-us"), "S1", asOfRate, 0, daily, orders)
	if e.LateShipment30.Target != 0 || !e.LateShipment30.Meets || e.LateShipment30.Rate == nil {
		t.Errorf("ebay late shipments %+v, want no target and met", e.LateShipment30)
	}
	// Nothing to count: no rate, met.
	if empty := Rate(policy(t, "amazon-us"), "S1", asOfRate, 0, nil, nil); empty.Cancel7.Rate != nil || !empty.Cancel7.Meets || empty.BenefitEligible {
		t.Errorf("empty: %+v", empty)
	}
}

func TestRatio(t *testing.T) {
	tests := []struct {
		hits, total int
		target      float64
		atLeast     bool
		meets       bool
	}{
		{4, 100, 0.04, false, true},  // at the ceiling
		{5, 100, 0.04, false, false}, // above it
		{97, 100, 0.97, true, true},  // at the floor
		{96, 100, 0.97, true, false},
		{100, 100, 0, false, true}, // no target: never failed
		{0, 100, 0, true, true},
		{0, 0, 0.04, false, true}, // nothing counted
	}
	for _, tt := range tests {
		if r := ratio(30, tt.hits, tt.total, tt.target, tt.atLeast); r.Meets != tt.meets {
			t.Errorf("ratio(%d/%d, target %v, at least %v): meets %v, want %v", tt.hits, tt.total, tt.target, tt.atLeast, r.Meets, tt.meets)
		}
	}
}

// The JSON shape of the rate report is an API: fields are only ever
// added.
func TestRateReportJSONShape(t *testing.T) {
	r := Rate(policy(t, "amazon-us"), "S1", asOfRate, 7, []vtr.DailyCount{{Day: day(10, 20), Category: "Toys", Carrier: "UPS", ShipFrom: "WH1", Valid: 1}}, nil)
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]json.RawMessage
	json.Unmarshal(b, &m)
	want := []string{"as_of", "benefit_eligible", "carriers", "categories", "days", "group_by", "late_shipment_rate_10d", "late_shipment_rate_30d",
		"on_time_delivery_rate", "overall", "policy", "pre_fulfillment_cancel_rate_7d", "seller_id", "ship_froms", "status", "target", "what_if", "window_days"}
	if got := sortedKeys(m); !slices.Equal(got, want) {
		t.Errorf("report keys %v, want %v", got, want)
	}
	var ws []map[string]json.RawMessage
	json.Unmarshal(m["what_if"], &ws)
	if got := sortedKeys(ws[0]); !slices.Equal(got, []string{"category", "days", "max_defects", "message", "need_valid", "projected_rate", "projected_status"}) {
		t.Errorf("what-if keys %v", got)
	}
	var ratio map[string]json.RawMessage
	json.Unmarshal(m["late_shipment_rate_10d"], &ratio)
	if got := sortedKeys(ratio); !slices.Equal(got, []string{"hits", "meets_target", "rate", "target", "total", "window_days"}) {
		t.Errorf("ratio keys %v", got)
	}
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// BenchmarkRate: a seller with 20 categories × 3 carriers × 2 ship-froms
// over a 30-day window plus two weeks pending.
func BenchmarkRate(b *testing.B) {
	p, _ := policies.Get("amazon-us")
	var daily []vtr.DailyCount
	for d := -29; d <= 14; d++ {
		for c := range 20 {
			for _, carrier := range []string{"UPS", "USPS", "FedEx"} {
				for _, from := range []string{"WH1", "WH2"} {
					daily = append(daily, vtr.DailyCount{Day: Day(asOfRate).AddDate(0, 0, d), Category: string(rune('A' + c)), Carrier: carrier, ShipFrom: from,
						Valid: 40, Invalid: 1, Exempt: 1, Delivered: 38, OnTime: 37})
				}
			}
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		Rate(p, "S1", asOfRate, 7, daily, nil)
	}
}
