package vtr

import (
	"math"
	"strings"
	"testing"
)

func builtin(t *testing.T, id string) *Policy {
	t.Helper()
	p, err := NewPolicySet(nil).Get(id)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// Each built-in says which country a package ships from when its own is
// unknown: `vtr check`'s default --origin and the engine's fallback.
func TestDefaultOrigin(t *testing.T) {
	for id, want := range map[string]string{"amazon-us": "US", "amazon-cn-us": "CN", "amazon-eu": "GB", "amazon-jp": "JP",
		"walmart-us": "US", "ebay-us": "US", "tiktok-us": "US", "etsy": "US"} {
		if got := builtin(t, id).DefaultOrigin(); got != want {
			t.Errorf("%s: default origin %q, want %q", id, got, want)
		}
	}
	if got := (&Policy{Origins: []string{"CN", "HK"}}).DefaultOrigin(); got != "CN" {
		t.Errorf("no home origin: %q, want the first covered origin", got)
	}
	if got := (&Policy{}).DefaultOrigin(); got != "" {
		t.Errorf("nothing known: %q, want unknown", got)
	}
}

func TestPolicyValidate(t *testing.T) {
	ok := Policy{ID: "op", Target: 0.95, WindowDays: 30, GroupBy: "account", Inclusion: "ship_date", Scans: Scans(1)}
	tests := []struct {
		edit  func(p *Policy)
		field string // "" for valid
	}{
		{func(p *Policy) {}, ""},
		{func(p *Policy) { p.HomeOrigin = "US" }, ""},
		{func(p *Policy) { p.HomeOrigin = "us" }, "home_origin"},
		{func(p *Policy) { p.HomeOrigin = "USA" }, "home_origin"},
		{func(p *Policy) { p.LateShipmentTarget = -0.01 }, "sibling targets"},
		{func(p *Policy) { p.OnTimeDeliveryTarget = 97 }, "sibling targets"},
		{func(p *Policy) { p.Target = 0 }, "target"},
		{func(p *Policy) {
			p.Enforcement = EnforcementRule{CadenceHours: 24 * 31, ConsecutiveBelow: 10, GraceDays: 365}
		}, ""},
		{func(p *Policy) { p.Enforcement.CadenceHours = -1 }, "enforcement.cadence_hours"},
		{func(p *Policy) { p.Enforcement.CadenceHours = 24*31 + 1 }, "enforcement.cadence_hours"},
		{func(p *Policy) { p.Enforcement.ConsecutiveBelow = -1 }, "enforcement.consecutive_below"},
		{func(p *Policy) { p.Enforcement.ConsecutiveBelow = 11 }, "enforcement.consecutive_below"},
		{func(p *Policy) { p.Enforcement.GraceDays = -1 }, "enforcement.grace_days"},
		{func(p *Policy) { p.Enforcement.GraceDays = 366 }, "enforcement.grace_days"},
	}
	for i, tt := range tests {
		p := ok
		tt.edit(&p)
		err := p.Validate()
		switch {
		case tt.field == "" && err != nil:
			t.Errorf("%d: %v, want valid", i, err)
		case tt.field != "" && (err == nil || !strings.Contains(err.Error(), tt.field)):
			t.Errorf("%d: %v, want an error naming %s", i, err, tt.field)
		}
	}
}

// Sibling targets come from the reference; Walmart's on-time shipment
// "> 99%" (marketplace-rules.md §12.2) is a late-shipment ceiling of 1%,
// not 0.
func TestSiblingTargets(t *testing.T) {
	tests := []struct {
		id                   string
		late, ontime, cancel float64
	}{
		{"amazon-us", 0.04, 0.97, 0.025}, // §10.4
		{"walmart-us", 0.01, 0.95, 0.02}, // §12.2
	}
	for _, tt := range tests {
		p := builtin(t, tt.id)
		if p.LateShipmentTarget != tt.late || p.OnTimeDeliveryTarget != tt.ontime || p.CancelRateTarget != tt.cancel {
			t.Errorf("%s: late %v on time %v cancel %v, want %v %v %v", tt.id, p.LateShipmentTarget, p.OnTimeDeliveryTarget, p.CancelRateTarget, tt.late, tt.ontime, tt.cancel)
		}
	}
}

// Amazon measures every carrier since 15 Jan 2025 (§4.2), except from
// China, where the CN-out list applies (§5); the EU and JP profiles
// inherit it.
func TestCarrierLists(t *testing.T) {
	for _, id := range []string{"amazon-us", "amazon-eu", "amazon-jp"} {
		p := builtin(t, id)
		if _, ok := p.Carriers["US"]; ok {
			t.Errorf("%s lists carriers for US origin", id)
		}
		if len(p.Carriers["CN"]) == 0 || len(p.Carriers["HK"]) == 0 {
			t.Errorf("%s has no CN-out list for CN/HK", id)
		}
	}
	if len(builtin(t, "amazon-cn-us").Carriers["*"]) == 0 || len(builtin(t, "walmart-us").Carriers["*"]) == 0 {
		t.Errorf("amazon-cn-us / walmart-us lost their carrier lists")
	}
}

func TestRateStatus(t *testing.T) {
	p := builtin(t, "amazon-us") // 95%, at risk below 96%
	tests := []struct {
		rate    float64
		counted bool
		want    string
	}{{0.9499, true, RateBelowTarget}, {0.95, true, RateAtRisk}, {0.9599, true, RateAtRisk}, {0.96, true, RateOK}, {0, false, RateOK}}
	for _, tt := range tests {
		if got := p.RateStatus(tt.rate, tt.counted); got != tt.want {
			t.Errorf("RateStatus(%v, %v) = %s, want %s", tt.rate, tt.counted, got, tt.want)
		}
	}
}

// Every built-in profile says what a restriction means on its marketplace
// and cites the rule (marketplace-rules.md §3, §12); Amazon's metric
// refreshes every 72 hours (§2) and the marketplaces restrict at the first
// evaluation below target.
func TestBuiltinEnforcement(t *testing.T) {
	for _, p := range BuiltinPolicies() {
		e := p.Enforcement
		if strings.TrimSpace(e.Action) == "" || !strings.Contains(e.Source, "marketplace-rules.md §") {
			t.Errorf("%s: action %q source %q, want both, the source citing the reference", p.ID, e.Action, e.Source)
		}
		if e.CadenceHours == 0 || e.ConsecutiveBelow != 1 || e.GraceDays == 0 {
			t.Errorf("%s: %+v, want a cadence, a grace and a restriction at the first evaluation below target", p.ID, e)
		}
		if strings.HasPrefix(p.ID, "amazon-") && e.CadenceHours != 72 {
			t.Errorf("%s: cadence %d h, want Amazon's 72", p.ID, e.CadenceHours)
		}
		if p.EnforcementRules() != e {
			t.Errorf("%s: rules %+v, want the profile's own %+v", p.ID, p.EnforcementRules(), e)
		}
		if err := p.Validate(); err != nil {
			t.Error(err)
		}
	}
}

// An operator profile that states no enforcement gets the defaults.
func TestEnforcementRulesDefaults(t *testing.T) {
	got := (&Policy{Enforcement: EnforcementRule{ConsecutiveBelow: 3, Source: "op"}}).EnforcementRules()
	want := EnforcementRule{CadenceHours: 72, ConsecutiveBelow: 3, GraceDays: 30, Action: DefaultEnforcementAction, Source: "op"}
	if got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
	ps, err := LoadPolicies(strings.NewReader(`[{"id": "op", "target": 0.9, "window_days": 30, "group_by": "account", "inclusion": "ship_date",
		"scans": {"min_physical": 1}, "enforcement": {"consecutive_below": 2, "action": "suspension"}}]`))
	if err != nil {
		t.Fatal(err)
	}
	if r := ps[0].EnforcementRules(); r.ConsecutiveBelow != 2 || r.CadenceHours != 72 || r.Action != "suspension" {
		t.Errorf("loaded rules %+v", r)
	}
}

func TestMoneyDecimal(t *testing.T) {
	for _, c := range []struct {
		m    Money
		want string
	}{
		{Money{Minor: 2499, Currency: "USD"}, "24.99"},
		{Money{Minor: 5, Currency: "USD"}, "0.05"},
		{Money{Minor: -5, Currency: "USD"}, "-0.05"},
		{Money{Minor: -2499, Currency: "EUR"}, "-24.99"},
		{Money{Minor: 1500, Currency: "JPY"}, "1500"},
		{Money{Minor: 1250, Currency: "KWD"}, "1.250"},
		{Money{Minor: 0, Currency: "USD"}, "0.00"},
		{Money{Minor: math.MinInt64, Currency: "USD"}, "-92233720368547758.08"},
	} {
		if got := c.m.Decimal(); got != c.want {
			t.Errorf("%d %s: %q, want %q", c.m.Minor, c.m.Currency, got, c.want)
		}
	}
}
