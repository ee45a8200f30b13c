package vtr

import (
	"encoding/json"
	"io"
	"sort"
	"strconv"
	"strings"
)

// Policy is one marketplace's tracking rules as data: vtr has no code path
// per marketplace. Built-in profiles are below; an operator defines its
// own in a JSON file of the same shape (LoadPolicies).
type Policy struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Marketplace string `json:"marketplace"`
	// Target is the minimum VTR (0.95 = 95%); a group below it is
	// below_target, and below Target+AtRiskMargin it is at_risk.
	Target       float64 `json:"target"`
	AtRiskMargin float64 `json:"at_risk_margin"`
	// WindowDays is the rolling window, keyed on the inclusion date.
	WindowDays int `json:"window_days"`
	// GroupBy is "category" (Amazon measures each product category) or
	// "account" (one rate for the whole account).
	GroupBy string `json:"group_by"`
	// Inclusion names the date that puts a package in the window:
	// "promised_delivery" (Amazon) or "ship_date". Packages whose date is
	// still ahead are pending, not counted.
	Inclusion string `json:"inclusion"`
	// ReportingLagDays and RefreshHours describe how late the marketplace
	// itself shows the metric (Amazon: two weeks of latency, a 72-hour
	// refresh); vtr is live, and uses the lag only to mirror the
	// marketplace's own view on request.
	ReportingLagDays int `json:"reporting_lag_days"`
	RefreshHours     int `json:"refresh_hours"`
	// Origins are the ship-from countries the policy covers; empty covers
	// every origin. A package from elsewhere is exempt (EXEMPT_ORIGIN).
	Origins []string `json:"origins,omitempty"`
	// HomeOrigin is the ship-from country (ISO 3166-1 alpha-2) assumed
	// when a package's is unknown: the marketplace's own country, or the
	// origin a cross-border profile is for. See DefaultOrigin.
	HomeOrigin string `json:"home_origin,omitempty"`
	// Carriers are the supported carrier codes by origin country ("*" for
	// any other origin). No entry for an origin means every carrier is
	// measured (Amazon since 15 Jan 2025), Other included; with an entry,
	// only the carriers listed are (engine.AcceptCarrier).
	Carriers map[string][]string `json:"carriers,omitempty"`
	// Exemptions take packages out of the metric.
	Exemptions []Exemption `json:"exemptions,omitempty"`
	// Scans is the scan requirement.
	Scans ScanRule `json:"scans"`
	// UploadBeforeDelivery makes tracking entered or edited after delivery
	// a defect (Amazon: editable "until the order is delivered").
	UploadBeforeDelivery bool `json:"upload_before_delivery"`
	// Upload is the upload deadline.
	Upload UploadRule `json:"upload"`
	// ShipFromCheck compares the first physical scan with the registered
	// ship-from location.
	ShipFromCheck bool `json:"ship_from_check"`
	// EventBeforeOrderHours flags a number whose first event is more than
	// this many hours before the order was placed (a recycled label;
	// TikTok Shop's "timestamp" flag); 0 turns the check off.
	EventBeforeOrderHours int `json:"event_before_order_hours"`
	// ReuseCheck flags a number already used on an order to another
	// destination.
	ReuseCheck bool `json:"reuse_check"`
	// Sibling metrics of the Shipping Performance page. A target of 0 is
	// no target (the metric is shown, never failed).
	LateShipmentTarget   float64 `json:"late_shipment_target"`    // at most (Amazon 4%)
	OnTimeDeliveryTarget float64 `json:"on_time_delivery_target"` // at least (Amazon 97% recommended)
	CancelRateTarget     float64 `json:"cancel_rate_target"`      // at most (Amazon 2.5%)
	// BenefitVTR and BenefitOTDR: tracking on BenefitVTR of shipments with
	// BenefitOTDR on time makes a seller eligible for shorter promises
	// (Amazon: 98% and 97%).
	BenefitVTR  float64 `json:"benefit_vtr"`
	BenefitOTDR float64 `json:"benefit_otdr"`
	// Enforcement is what follows a group below target, as data: how
	// often groups are evaluated, how many evaluations below target
	// restrict, the grace after reinstatement and what a restriction
	// means on the marketplace (engine.Evaluate). Zero fields take the
	// defaults of EnforcementRules.
	Enforcement EnforcementRule `json:"enforcement"`
	// Sources cites where each parameter comes from.
	Sources []string `json:"sources,omitempty"`
}

// Exemption takes a package out of the metric when every condition given
// holds. Conditions left empty do not restrict.
type Exemption struct {
	Code Reason `json:"code"`
	// Origins restricts to these ship-from countries.
	Origins []string `json:"origins,omitempty"`
	// Domestic: "domestic" (origin = destination country), "cross_border",
	// or "" for both.
	Domestic string `json:"domestic,omitempty"`
	// Below: order value strictly below this amount (same currency only).
	Below *Money `json:"below,omitempty"`
	// ShipMethods: the ship method, compared case- and space-insensitively.
	ShipMethods []string `json:"ship_methods,omitempty"`
	// Carriers: carrier codes or names as entered.
	Carriers []string `json:"carriers,omitempty"`
	Freight  bool     `json:"freight,omitempty"`
	Digital  bool     `json:"digital,omitempty"`
}

// ScanRule is how many physical scans make a number valid.
type ScanRule struct {
	MinPhysical int             `json:"min_physical"`
	HighValue   []HighValueRule `json:"high_value,omitempty"`
}

// HighValueRule raises the requirement for packages from some origins at
// or above a value: Amazon's China-origin rule, "at least two scans
// (including a delivery scan or delivery attempt)" from $5.
type HighValueRule struct {
	Origins                  []string `json:"origins"`
	AtLeast                  Money    `json:"at_least"`
	MinPhysical              int      `json:"min_physical"`
	RequireDeliveryOrAttempt bool     `json:"require_delivery_or_attempt"`
}

// UploadRule is when tracking must be uploaded: Hours after From, where
// From is "handover" (the first physical scan) or "ship_by" (the end of
// the handling time). Defect makes a late upload invalid; otherwise it is
// a warning.
type UploadRule struct {
	From   string `json:"from,omitempty"`
	Hours  int    `json:"hours,omitempty"`
	Defect bool   `json:"defect,omitempty"`
}

// Exemption and verdict reason codes beyond the tracking-number ones.
const (
	NoPhysicalScan        Reason = "NO_PHYSICAL_SCAN"
	InsufficientScans     Reason = "INSUFFICIENT_SCANS"
	UploadedAfterDelivery Reason = "UPLOADED_AFTER_DELIVERY"
	UploadedLate          Reason = "UPLOADED_LATE"
	ShipFromMismatch      Reason = "SHIP_FROM_MISMATCH"
	TrackingReused        Reason = "TRACKING_REUSED"
	EventBeforeOrder      Reason = "EVENT_BEFORE_ORDER"

	ExemptLowValue   Reason = "EXEMPT_LOW_VALUE"
	ExemptShipMethod Reason = "EXEMPT_SHIP_METHOD"
	ExemptFreight    Reason = "EXEMPT_FREIGHT"
	ExemptDigital    Reason = "EXEMPT_DIGITAL"
	ExemptCarrier    Reason = "EXEMPT_CARRIER"
	ExemptCancelled  Reason = "EXEMPT_CANCELLED"
	ExemptOrigin     Reason = "EXEMPT_ORIGIN"
)

// Validate reports the first problem with a policy, naming the field.
func (p *Policy) Validate() error {
	switch {
	case p.ID == "":
		return Errorf(EINVALID, "policy: id: required")
	case p.Target <= 0 || p.Target > 1:
		return Errorf(EINVALID, "policy %s: target: %v is not a share between 0 and 1", p.ID, p.Target)
	case p.AtRiskMargin < 0 || p.Target+p.AtRiskMargin > 1:
		return Errorf(EINVALID, "policy %s: at_risk_margin: %v puts the at-risk line above 100%%", p.ID, p.AtRiskMargin)
	case p.WindowDays < 1 || p.WindowDays > 366:
		return Errorf(EINVALID, "policy %s: window_days: %d is not between 1 and 366", p.ID, p.WindowDays)
	case p.GroupBy != "category" && p.GroupBy != "account":
		return Errorf(EINVALID, "policy %s: group_by: %q is not category or account", p.ID, p.GroupBy)
	case p.Inclusion != "promised_delivery" && p.Inclusion != "ship_date":
		return Errorf(EINVALID, "policy %s: inclusion: %q is not promised_delivery or ship_date", p.ID, p.Inclusion)
	case p.Scans.MinPhysical < 1:
		return Errorf(EINVALID, "policy %s: scans.min_physical: at least 1 physical scan is required", p.ID)
	case p.Upload.From != "" && p.Upload.From != "handover" && p.Upload.From != "ship_by":
		return Errorf(EINVALID, "policy %s: upload.from: %q is not handover or ship_by", p.ID, p.Upload.From)
	case p.HomeOrigin != "" && !countryCode(p.HomeOrigin):
		return Errorf(EINVALID, "policy %s: home_origin: %q is not a two-letter country code (US, CN …)", p.ID, p.HomeOrigin)
	case p.LateShipmentTarget < 0 || p.LateShipmentTarget > 1 || p.OnTimeDeliveryTarget < 0 || p.OnTimeDeliveryTarget > 1 ||
		p.CancelRateTarget < 0 || p.CancelRateTarget > 1:
		return Errorf(EINVALID, "policy %s: sibling targets are shares between 0 (no target) and 1", p.ID)
	case p.Enforcement.CadenceHours < 0 || p.Enforcement.CadenceHours > maxCadenceHours:
		return Errorf(EINVALID, "policy %s: enforcement.cadence_hours: %d is not between 0 (default %d) and %d", p.ID, p.Enforcement.CadenceHours, DefaultCadenceHours, maxCadenceHours)
	case p.Enforcement.ConsecutiveBelow < 0 || p.Enforcement.ConsecutiveBelow > maxConsecutiveBelow:
		return Errorf(EINVALID, "policy %s: enforcement.consecutive_below: %d is not between 0 (default %d) and %d", p.ID, p.Enforcement.ConsecutiveBelow, DefaultConsecutiveBelow, maxConsecutiveBelow)
	case p.Enforcement.GraceDays < 0 || p.Enforcement.GraceDays > maxGraceDays:
		return Errorf(EINVALID, "policy %s: enforcement.grace_days: %d is not between 0 (default %d) and %d", p.ID, p.Enforcement.GraceDays, DefaultGraceDays, maxGraceDays)
	}
	for i, e := range p.Exemptions {
		if !strings.HasPrefix(string(e.Code), "EXEMPT_") {
			return Errorf(EINVALID, "policy %s: exemptions[%d].code: %q does not start with EXEMPT_", p.ID, i, e.Code)
		}
		if e.Domestic != "" && e.Domestic != "domestic" && e.Domestic != "cross_border" {
			return Errorf(EINVALID, "policy %s: exemptions[%d].domestic: %q is not domestic or cross_border", p.ID, i, e.Domestic)
		}
	}
	for i, h := range p.Scans.HighValue {
		if h.MinPhysical < 1 || h.AtLeast.Currency == "" {
			return Errorf(EINVALID, "policy %s: scans.high_value[%d]: min_physical and at_least.currency are required", p.ID, i)
		}
	}
	return nil
}

// Enforcement defaults, for the zero fields of a policy's EnforcementRule:
// Amazon's 72-hour metric refresh (marketplace-rules.md §2), a
// restriction at the first evaluation below target (§3, §12), and a
// 30-day grace after reinstatement (no marketplace publishes one: one
// Amazon window, so the packages behind the restriction have left it).
const (
	DefaultCadenceHours     = 72
	DefaultConsecutiveBelow = 1
	DefaultGraceDays        = 30
	// DefaultEnforcementAction is the Action of a policy that states none.
	DefaultEnforcementAction = "self-fulfilment privileges for the group may be restricted until a plan of action is approved"
)

// Bounds of an EnforcementRule: a month between evaluations, ten
// evaluations in a row, a year of grace.
const (
	maxCadenceHours     = 24 * 31
	maxConsecutiveBelow = 10
	maxGraceDays        = 365
)

// EnforcementRules returns the policy's enforcement rule with its zero
// fields defaulted (DefaultCadenceHours, DefaultConsecutiveBelow,
// DefaultGraceDays, DefaultEnforcementAction): what the engine applies.
func (p *Policy) EnforcementRules() EnforcementRule {
	r := p.Enforcement
	if r.CadenceHours == 0 {
		r.CadenceHours = DefaultCadenceHours
	}
	if r.ConsecutiveBelow == 0 {
		r.ConsecutiveBelow = DefaultConsecutiveBelow
	}
	if r.GraceDays == 0 {
		r.GraceDays = DefaultGraceDays
	}
	if r.Action == "" {
		r.Action = DefaultEnforcementAction
	}
	return r
}

// DefaultOrigin is the ship-from country assumed for a package whose own
// is unknown (and `vtr check`'s default --origin): HomeOrigin, else the
// first origin the policy covers, else "" (unknown).
func (p *Policy) DefaultOrigin() string {
	switch {
	case p.HomeOrigin != "":
		return p.HomeOrigin
	case len(p.Origins) > 0:
		return p.Origins[0]
	}
	return ""
}

func countryCode(s string) bool {
	return len(s) == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z'
}

// Status of a rate against a policy.
const (
	RateOK          = "ok"
	RateAtRisk      = "at_risk"
	RateBelowTarget = "below_target"
)

// RateStatus classifies a rate: below the target, within the at-risk
// margin above it, or ok. A group with nothing counted is ok.
func (p *Policy) RateStatus(rate float64, counted bool) string {
	switch {
	case !counted:
		return RateOK
	case rate < p.Target:
		return RateBelowTarget
	case rate < p.Target+p.AtRiskMargin:
		return RateAtRisk
	}
	return RateOK
}

// LoadPolicies reads operator policies: a JSON array of Policy objects.
// Each is validated; an error names the policy and field.
func LoadPolicies(r io.Reader) ([]Policy, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var ps []Policy
	if err := dec.Decode(&ps); err != nil {
		return nil, Errorf(EINVALID, "policies: %v", err)
	}
	seen := map[string]bool{}
	for i := range ps {
		if err := ps[i].Validate(); err != nil {
			return nil, err
		}
		if seen[ps[i].ID] {
			return nil, Errorf(EINVALID, "policy %s: defined twice", ps[i].ID)
		}
		seen[ps[i].ID] = true
	}
	return ps, nil
}

// PolicySet is the policies in force: the built-ins plus an operator's.
type PolicySet struct {
	byID map[string]*Policy
}

// NewPolicySet returns the built-in policies overlaid with extra (an
// operator policy with a built-in's ID replaces it).
func NewPolicySet(extra []Policy) *PolicySet {
	s := &PolicySet{byID: map[string]*Policy{}}
	for _, p := range BuiltinPolicies() {
		s.byID[p.ID] = &p
	}
	for _, p := range extra {
		s.byID[p.ID] = &p
	}
	return s
}

// Get returns the policy with the given ID.
func (s *PolicySet) Get(id string) (*Policy, error) {
	p, ok := s.byID[id]
	if !ok {
		return nil, Errorf(ENOTFOUND, "unknown policy %q (known: %s)", id, strings.Join(s.IDs(), ", "))
	}
	return p, nil
}

// IDs returns the policy IDs, sorted.
func (s *PolicySet) IDs() []string {
	ids := make([]string, 0, len(s.byID))
	for id := range s.byID {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// All returns every policy, sorted by ID.
func (s *PolicySet) All() []*Policy {
	out := make([]*Policy, 0, len(s.byID))
	for _, id := range s.IDs() {
		out = append(out, s.byID[id])
	}
	return out
}

func usd(minor int64) Money { return Money{Minor: minor, Currency: "USD"} }

// Carrier lists (marketplace-rules.md): Amazon's CN-out list (§5) and
// Walmart's supported carrier names (§12.2), as vtr carrier codes.
var (
	amazonCNOut = []string{"4PX", "China Post", "DHL eCommerce", "JCEX", "SFC", "SF Express", "Yanwen", "Yun Express",
		"WanbExpress", "Chukou1", "FedEx", "UPS", "TNT", "DHL", "CNE", "UBI", "Equick", "Sunyou", "YDH", "Hong Kong Post"}
	walmartUS = []string{"UPS", "USPS", "FedEx", "OnTrac", "DHL eCommerce", "Lasership", "UDS", "UPS Mail Innovations",
		"FedEx SmartPost", "China Post", "Yun Express", "Chukou1", "Sunyou", "Yanwen", "4PX", "SF Express", "CNE",
		"WanbExpress", "YDH", "JCEX", "SFC", "UBI", "Equick"}
	chinaHighValue = HighValueRule{Origins: []string{"CN", "HK", "CA", "AS", "UM"}, AtLeast: usd(500), MinPhysical: 2, RequireDeliveryOrAttempt: true}
	ukIndiaHigh    = HighValueRule{Origins: []string{"GB", "IN"}, AtLeast: usd(1500), MinPhysical: 2, RequireDeliveryOrAttempt: true}
)

// BuiltinPolicies returns the built-in profiles. Every figure cites its
// source in ../shared/reference/marketplace-rules.md; where sources
// conflict the profile says which reading it takes.
func BuiltinPolicies() []Policy {
	amazonUS := Policy{
		ID: "amazon-us", Name: "Amazon US", Marketplace: "amazon.com", HomeOrigin: "US",
		Target: 0.95, AtRiskMargin: 0.01, WindowDays: 30, GroupBy: "category", Inclusion: "promised_delivery",
		ReportingLagDays: 14, RefreshHours: 72,

		// Every carrier is measured since 15 Jan 2025 (§4.2), except from
		// China, where only the CN-out integrated carriers are (§5).
		Carriers: map[string][]string{"CN": amazonCNOut, "HK": amazonCNOut},

		Exemptions: []Exemption{
			{Code: ExemptDigital, Digital: true},
			{Code: ExemptFreight, Freight: true, Domestic: "domestic"},
			{Code: ExemptShipMethod, Domestic: "domestic", Below: ptr(usd(1000)), ShipMethods: []string{
				"USPS First Class Mail Envelope", "First Class Mail Envelope", "USPS Standard Mail Envelope", "Standard Mail Envelope",
				"First Class Mail Letter", "USPS First Class Letter"}},
		},
		Scans:                Scans(1, chinaHighValue, ukIndiaHigh),
		UploadBeforeDelivery: true,
		Upload:               UploadRule{From: "handover", Hours: 24},
		ShipFromCheck:        true, ReuseCheck: true, EventBeforeOrderHours: 24,
		LateShipmentTarget: 0.04, OnTimeDeliveryTarget: 0.97, CancelRateTarget: 0.025,
		BenefitVTR: 0.98, BenefitOTDR: 0.97,
		Sources: []string{
			"95% per category, 30 days, promised delivery date, two-week latency, 72 h refresh: marketplace-rules.md §2",
			"at least one physical carrier scan: §4.1; ≥ $5 from CN/CA/AS/UM (≥ $15 from UK/IN) needs 2 scans incl. delivery or attempt: §5",
			"all carriers measured since 15 Jan 2025, Other included unless it names a listed carrier: §4.2, §14; from China only the CN-out integrated carriers: §5; tracking editable until delivery: §8",
			"exemptions: heavy/bulky freight, small/flat < $10 in USPS First Class or Standard Mail envelopes, digital: §7",
			"LSR < 4%, OTDR > 97%, cancel < 2.5%: §10.4; 98% VTR + 97% OTDR benefit: §8",
		},
		Enforcement: EnforcementRule{
			CadenceHours: 72, ConsecutiveBelow: 1, GraceDays: 30,
			Action: "self-fulfilment (non-FBA) selling privileges in the category may be suspended or removed, other categories and FBA unaffected; " +
				"a plan of action (to op-pso-vtr-appeals@amazon.com) is required for reinstatement",
			Source: "metric refreshed every 72 h: marketplace-rules.md §2; category-level suspension and plan of action: §3, " +
				"https://sellercentral.amazon.com/gp/help/external/help.html?itemID=202014610&language=en_US; " +
				"grace after reinstatement unpublished: 30 days (one window) assumed",
		},
	}
	cn := amazonUS
	cn.ID, cn.Name = "amazon-cn-us", "Amazon US, shipped from China"
	cn.Origins, cn.HomeOrigin = []string{"CN", "HK"}, "CN"
	cn.Carriers = map[string][]string{"*": amazonCNOut}
	cn.Exemptions = []Exemption{{Code: ExemptDigital, Digital: true}}
	cn.Scans = Scans(1, chinaHighValue)
	cn.Sources = []string{
		"CN-out: integrated carriers only (CN-out carrier list): marketplace-rules.md §5",
		"< $5: one physical scan; ≥ $5 (value and shipping): two scans incl. delivery or attempt: §5 (2021 official, 2025 update)",
		"95% per category, 30 days, promised delivery date: §2",
	}
	eu := amazonUS
	eu.ID, eu.Name, eu.Marketplace, eu.HomeOrigin = "amazon-eu", "Amazon EU/UK", "amazon.co.uk, amazon.de, …", "GB"
	eu.Exemptions = []Exemption{
		{Code: ExemptDigital, Digital: true},
		{Code: ExemptLowValue, Domestic: "domestic", Below: ptr(Money{Minor: 1501, Currency: "EUR"})},
		{Code: ExemptLowValue, Domestic: "domestic", Below: ptr(Money{Minor: 1501, Currency: "GBP"})},
		{Code: ExemptShipMethod, Domestic: "cross_border", Below: ptr(Money{Minor: 2000, Currency: "EUR"}), ShipMethods: []string{"Letter", "Large Letter", "Standard Letter", "Untracked Letter"}},
		{Code: ExemptShipMethod, ShipMethods: []string{"Stamps", "Franking", "Royal Mail Stamps"}},
	}
	eu.Scans = Scans(1, HighValueRule{Origins: []string{"CN", "HK"}, AtLeast: Money{Minor: 500, Currency: "GBP"}, MinPhysical: 2, RequireDeliveryOrAttempt: true})
	eu.Sources = []string{
		"from 15 Jan 2025 domestic shipments > €15 are measured; cross-border letters < €20 exempt: marketplace-rules.md §6",
		"stamps and untracked services exempt; a scan makes a delivery-confirmation service valid: §4.1, §7",
		"China-origin ≥ £5 needs two scans: §5 (amz10 translation); CN-out carrier names from the EU/IT page: §5",
	}
	eu.Enforcement.Action = "self-fulfilment selling privileges in the category (per category and store on .it) may be suspended; " +
		"a plan of action (op-pso-vtr-appeals@amazon.it on .it) is required for reinstatement"
	eu.Enforcement.Source = "metric refreshed every 72 h: marketplace-rules.md §2; category-level suspension: §3, " +
		"https://sellercentral.amazon.it/gp/help/external/help.html?itemID=201817070&language=en_IT " +
		"(older EU/UK pages say a miss does not suspend the account; vtr takes the current IT reading); grace unpublished: 30 days assumed"
	jp := amazonUS
	jp.ID, jp.Name, jp.Marketplace, jp.HomeOrigin = "amazon-jp", "Amazon JP", "amazon.co.jp", "JP"
	jp.Exemptions = []Exemption{
		{Code: ExemptDigital, Digital: true},
		{Code: ExemptLowValue, Below: ptr(Money{Minor: 1000, Currency: "JPY"})},
		{Code: ExemptCarrier, Carriers: []string{"Seino Transportation", "Fukuyama Transporting", "Seino Super Express", "Super Cargo Service",
			"Okawa Delivery", "Sline", "Sline Gifu", "Toll Express", "TONAMI Transportation", "Home Logistics", "Kurume Transportation"}},
	}
	jp.Scans = Scans(1, HighValueRule{Origins: []string{"CN", "HK"}, AtLeast: Money{Minor: 500, Currency: "USD"}, MinPhysical: 2, RequireDeliveryOrAttempt: true})
	jp.Sources = []string{
		"95% per GL over 30 days; orders ≥ 1,000 JPY considered; exempt carriers: marketplace-rules.md §6, §7",
		"China Post numbers must end in CN (enforced by the tracking engine): §4.2; CN-out VTR policy applies: §5",
	}
	jp.Enforcement.Action = "MFN listing qualification is suspended for each category (GL) below 95% over the 30 days; a plan of action is required"
	jp.Enforcement.Source = "metric refreshed every 72 h: marketplace-rules.md §2; per GL suspension and plan of action: §3, " +
		"https://sellercentral.amazon.co.jp/gp/help/external/201817070?language=en_JP; grace unpublished: 30 days (one window) assumed"
	walmart := Policy{
		ID: "walmart-us", Name: "Walmart US", Marketplace: "walmart.com", HomeOrigin: "US",
		Target: 0.99, AtRiskMargin: 0.005, WindowDays: 30, GroupBy: "account", Inclusion: "ship_date",
		Carriers: map[string][]string{"*": walmartUS}, Scans: Scans(1),
		UploadBeforeDelivery: true, ReuseCheck: true, EventBeforeOrderHours: 24,
		LateShipmentTarget: 0.01, OnTimeDeliveryTarget: 0.95, CancelRateTarget: 0.02,
		RefreshHours: 24,
		Sources: []string{
			"VTR ≥ 99% over 30 days, ≥ 1 valid carrier scan, supported carrier names only, no special characters: marketplace-rules.md §12.2",
			"the seller performance datasets refresh every 24 hours: https://developer.walmart.com/global-marketplace/docs/seller-performance-api-endpoints",
			"cancellation < 2%, on-time delivery > 95%: §12.2",
			"on-time shipment > 99% (2017 partner expectations), so late shipments at most 1%: §12.2",
		},
		Enforcement: EnforcementRule{
			CadenceHours: 24, ConsecutiveBelow: 1, GraceDays: 30,
			Action: "listings may be suppressed, then the account suspended, then terminated",
			Source: "suppression → suspension → termination: marketplace-rules.md §12.1, §12.2, " +
				"https://marketplacelearn.walmart.com/guides/Policies%20&%20standards/Performance/Seller-performance-standards; " +
				"evaluated as often as the metrics refresh (every 24 h, " +
				"https://developer.walmart.com/global-marketplace/docs/seller-performance-api-endpoints); grace unpublished: 30 days (one window) assumed",
		},
	}
	ebay := Policy{
		ID: "ebay-us", Name: "eBay US (Top Rated Seller)", Marketplace: "ebay.com", HomeOrigin: "US",
		Target: 0.95, AtRiskMargin: 0.01, WindowDays: 90, GroupBy: "account", Inclusion: "ship_date",
		Scans: Scans(1), Upload: UploadRule{From: "ship_by", Hours: 0, Defect: true},
		UploadBeforeDelivery: true, ReuseCheck: true, EventBeforeOrderHours: 24,
		Sources: []string{
			"tracking uploaded within handling time and validated by the carrier for 95% of US transactions: marketplace-rules.md §12.4",
			"window: eBay evaluates over 3 months (the reference gives none; 90 days chosen)",
		},
		Enforcement: EnforcementRule{
			CadenceHours: 72, ConsecutiveBelow: 1, GraceDays: 90,
			Action: "the account loses Top Rated Seller status and its benefits (a Top Rated criterion: eBay restricts no selling for it)",
			Source: "criterion for Top Rated status: marketplace-rules.md §12.1, §12.4, https://sellglobal.ebay.in/seller-center/becoming-top-rated-seller/; " +
				"cadence and grace unpublished: 72 h (Amazon's) and 90 days (one window) assumed",
		},
	}
	tiktok := Policy{
		ID: "tiktok-us", Name: "TikTok Shop US", Marketplace: "shop.tiktok.com", HomeOrigin: "US",
		Target: 0.95, AtRiskMargin: 0.01, WindowDays: 30, GroupBy: "account", Inclusion: "ship_date",
		Scans: Scans(1), UploadBeforeDelivery: true, ReuseCheck: true, EventBeforeOrderHours: 24, Origins: []string{"US"},
		Sources: []string{
			"VTR ≥ 95%; a tracking node more than 24 h before the order was placed is flagged; cross-border not supported: marketplace-rules.md §12.5",
			"window unconfirmed (third parties say 14–21 days); 30 days chosen",
		},
		Enforcement: EnforcementRule{
			CadenceHours: 72, ConsecutiveBelow: 1, GraceDays: 30,
			Action: "Account Health Rating points are deducted, visibility is reduced and Seller Shipping is restricted",
			Source: "AHR deductions, visibility, Seller Shipping restrictions: marketplace-rules.md §12.1, §12.5, " +
				"https://seller-us.tiktok.com/university/essay?knowledge_id=1274968588748558; " +
				"cadence and grace unpublished: 72 h (Amazon's) and 30 days (one window) assumed",
		},
	}
	etsy := Policy{
		ID: "etsy", Name: "Etsy (Star Seller)", Marketplace: "etsy.com", HomeOrigin: "US",
		Target: 0.95, AtRiskMargin: 0.01, WindowDays: 90, GroupBy: "account", Inclusion: "ship_date",
		Exemptions: []Exemption{
			{Code: ExemptLowValue, Below: ptr(usd(1000))},
			{Code: ExemptLowValue, Below: ptr(Money{Minor: 1000, Currency: "GBP"})},
			{Code: ExemptLowValue, Below: ptr(Money{Minor: 1000, Currency: "EUR"})},
			{Code: ExemptLowValue, Below: ptr(Money{Minor: 1500, Currency: "CAD"})},
			{Code: ExemptLowValue, Below: ptr(Money{Minor: 1500, Currency: "AUD"})},
		},
		Scans: Scans(1), Upload: UploadRule{From: "ship_by", Defect: true}, UploadBeforeDelivery: true, ReuseCheck: true,
		Sources: []string{
			"≥ 95% shipped on time with valid tracking; orders below $10 / £10 / €10 / CA$15 / AU$15 excepted; pre-transit not validated: marketplace-rules.md §12.6",
			"Star Seller is assessed over 3 months: 90 days",
		},
		Enforcement: EnforcementRule{
			CadenceHours: 72, ConsecutiveBelow: 1, GraceDays: 90,
			Action: "the shop loses Star Seller status (a Star Seller criterion: Etsy restricts no selling for it)",
			Source: "criterion for Star Seller status: marketplace-rules.md §12.1, §12.6, " +
				"https://community.etsy.com/t5/Technical-Issues/Star-seller-status/td-p/144599634; " +
				"cadence and grace unpublished: 72 h (Amazon's) and 90 days (one window) assumed",
		},
	}
	return []Policy{amazonUS, cn, eu, jp, walmart, ebay, tiktok, etsy}
}

// Scans builds a ScanRule.
func Scans(min int, high ...HighValueRule) ScanRule {
	return ScanRule{MinPhysical: min, HighValue: high}
}

func ptr[T any](v T) *T { return &v }

// currencyDigits is the number of decimals of a currency's minor unit
// (ISO 4217), for the currencies that do not use 2.
var currencyDigits = map[string]int{"JPY": 0, "KRW": 0, "CLP": 0, "VND": 0, "ISK": 0, "KWD": 3, "BHD": 3, "JOD": 3, "OMR": 3, "TND": 3}

// CurrencyDigits returns the decimals of a currency's minor unit: 2 unless
// ISO 4217 says otherwise.
func CurrencyDigits(currency string) int {
	if d, ok := currencyDigits[currency]; ok {
		return d
	}
	return 2
}

// Decimal writes the amount as a decimal string ("25.00", "1000" for JPY).
func (m Money) Decimal() string {
	d := CurrencyDigits(m.Currency)
	u := uint64(m.Minor)
	if m.Minor < 0 {
		u = -u // two's complement: right for math.MinInt64 too
	}
	s := strconv.FormatUint(u, 10)
	if d > 0 {
		if len(s) <= d {
			s = strings.Repeat("0", d+1-len(s)) + s
		}
		s = s[:len(s)-d] + "." + s[len(s)-d:]
	}
	if m.Minor < 0 {
		s = "-" + s
	}
	return s
}

// String describes a money amount ("5.00 USD").
func (m Money) String() string { return m.Decimal() + " " + m.Currency }
