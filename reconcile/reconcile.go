// Package reconcile puts a marketplace's own Valid Tracking Rate beside
// vtr's for the same seller and says what explains the difference: the
// marketplace's reporting lag and refresh cycle (marketplace-rules.md §2,
// §8), windows that do not cover the same days, packages vtr has not seen
// and packages the marketplace has not counted yet.
//
// The marketplace's figures are read from Amazon's
// GET_V2_SELLER_PERFORMANCE_REPORT (spapi.DecodeSellerPerformance: the
// validTrackingRate metric of schemas/reports/accountHealthReport-2020-11-18.json)
// or from Walmart's valid tracking rate summary
// (GET /v3/insights/performance/vtr/summary,
// https://developer.walmart.com/us-marketplace/docs/valid-tracking-rate-summaries).
// Everything here is pure: the caller reads vtr's RateReport from a store
// and the marketplace's file from disk.
package reconcile

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/spapi"
)

// Figures are a marketplace's valid tracking figures for one seller.
type Figures struct {
	// Source is "amazon" or "walmart".
	Source        string `json:"source"`
	MarketplaceID string `json:"marketplace_id,omitempty"`
	// From and To are the window's first and last day (UTC), zero when the
	// marketplace does not say (Walmart gives only its length, WindowDays).
	From       time.Time `json:"from,omitzero"`
	To         time.Time `json:"to,omitzero"`
	WindowDays int       `json:"window_days,omitempty"`
	// Valid and Total are the packages with valid tracking and all those
	// counted; Derived says they were worked out from the rate and the
	// impacted count (Walmart publishes no total), so they are estimates.
	Valid   int  `json:"valid"`
	Total   int  `json:"total"`
	Derived bool `json:"derived,omitempty"`
	// Rate is a fraction (0.95), nil when nothing was counted.
	Rate   *float64 `json:"rate"`
	Target *float64 `json:"target,omitempty"`
	Status string   `json:"status,omitempty"`
	// UpdatedAt is when the marketplace computed the figures, when it
	// says (Walmart's updatedTimestamp).
	UpdatedAt time.Time `json:"updated_at,omitzero"`
}

// FromSellerPerformance takes the validTrackingRate of one marketplace
// (or of the only one, when marketplaceID is "") from Amazon's report.
func FromSellerPerformance(sp *spapi.SellerPerformance, marketplaceID string) (Figures, error) {
	var found []spapi.PerformanceMetrics
	for _, pm := range sp.PerformanceMetrics {
		if pm.ValidTrackingRate != nil && (marketplaceID == "" || pm.MarketplaceID == marketplaceID) {
			found = append(found, pm)
		}
	}
	switch {
	case len(found) == 0 && marketplaceID != "":
		return Figures{}, vtr.Errorf(vtr.ENOTFOUND, "the report has no validTrackingRate for marketplace %s", marketplaceID)
	case len(found) == 0:
		return Figures{}, vtr.Errorf(vtr.ENOTFOUND, "the report has no validTrackingRate")
	case len(found) > 1:
		var ids []string
		for _, pm := range found {
			ids = append(ids, pm.MarketplaceID)
		}
		return Figures{}, vtr.Errorf(vtr.EINVALID, "the report has a validTrackingRate for %s: choose a marketplace", strings.Join(ids, ", "))
	}
	pm := found[0]
	v := pm.ValidTrackingRate
	f := Figures{Source: "amazon", MarketplaceID: pm.MarketplaceID, Valid: v.ValidTrackingCount, Total: v.ShipmentCount,
		Rate: v.Rate, Target: v.TargetValue, Status: v.Status}
	if v.ReportingDateRange.From != "" || v.ReportingDateRange.To != "" {
		from, to, err := v.ReportingDateRange.Times()
		if err != nil {
			return Figures{}, err
		}
		f.From, f.To = day(from), day(to)
		f.WindowDays = int(f.To.Sub(f.From).Hours()/24) + 1
	}
	return f, nil
}

// walmartIn is the VTR summary as Walmart's Insights API returns it:
// {"status": "OK", "payload": {...}}, or the payload alone. Walmart's
// public pages describe the fields (cumulative rate, trend, impacted
// customer count, seller accountable rate, risk level, report duration)
// but the stored documentation shows no complete response body; the
// names here are those seen in client code (ecosystem.md §10:
// cumulativeRate, impactedCustomerCount, sellerAccountableRate,
// riskLevel, standard, reportDuration, updatedTimestamp,
// cumulativeRateTrend), and cumulativeRate is a percentage (73.18).
// orderCount / totalOrders / validOrderCount are read too, when a
// response carries them, so that counts need not be derived.
type walmartIn struct {
	Status  string          `json:"status"`
	Payload json.RawMessage `json:"payload"`
}

type walmartPayload struct {
	CumulativeRate        *float64 `json:"cumulativeRate"`
	SellerAccountableRate *float64 `json:"sellerAccountableRate"`
	ImpactedCustomerCount *float64 `json:"impactedCustomerCount"`
	OrderCount            *float64 `json:"orderCount"`
	TotalOrders           *float64 `json:"totalOrders"`
	ValidOrderCount       *float64 `json:"validOrderCount"`
	ReportDuration        *float64 `json:"reportDuration"`
	Standard              any      `json:"standard"`
	RiskLevel             string   `json:"riskLevel"`
	UpdatedTimestamp      any      `json:"updatedTimestamp"`
}

// DecodeWalmartVTR reads Walmart's valid tracking rate summary. The
// window is reportDuration days ending on updatedTimestamp's day (or
// unknown). Without a total in the response, Total is derived as
// impacted ÷ (1 − rate) and Valid as Total − impacted (Derived).
// Percentages above 1 are divided by 100.
func DecodeWalmartVTR(r io.Reader) (Figures, error) {
	body, err := io.ReadAll(io.LimitReader(r, 1<<20+1))
	if err != nil {
		return Figures{}, fmt.Errorf("read walmart vtr summary: %w", err)
	}
	body = bytes.TrimPrefix(body, []byte("\xef\xbb\xbf"))
	var in walmartIn
	if err := json.Unmarshal(body, &in); err != nil {
		return Figures{}, vtr.Errorf(vtr.EINVALID, "walmart vtr summary: not JSON: %v", err)
	}
	raw := in.Payload
	if len(raw) == 0 || string(raw) == "null" {
		raw = body
	}
	var p walmartPayload
	if err := json.Unmarshal(raw, &p); err != nil {
		return Figures{}, vtr.Errorf(vtr.EINVALID, "walmart vtr summary: payload: %v", err)
	}
	if p.CumulativeRate == nil {
		return Figures{}, vtr.Errorf(vtr.EINVALID, "walmart vtr summary: no cumulativeRate (is this GET /v3/insights/performance/vtr/summary?)")
	}
	f := Figures{Source: "walmart", Status: strings.TrimSpace(p.RiskLevel)}
	rate := fraction(*p.CumulativeRate)
	if rate < 0 || rate > 1 || math.IsNaN(rate) {
		return Figures{}, vtr.Errorf(vtr.EINVALID, "walmart vtr summary: cumulativeRate %v is not a rate", *p.CumulativeRate)
	}
	f.Rate = &rate
	if t, ok := p.Standard.(float64); ok {
		t = fraction(t)
		f.Target = &t
	}
	if p.ReportDuration != nil && *p.ReportDuration >= 1 && *p.ReportDuration <= 3660 {
		f.WindowDays = int(*p.ReportDuration)
	}
	f.UpdatedAt = timestamp(p.UpdatedTimestamp)
	if !f.UpdatedAt.IsZero() && f.WindowDays > 0 {
		f.To = day(f.UpdatedAt)
		f.From = f.To.AddDate(0, 0, -(f.WindowDays - 1))
	}
	total := first(p.OrderCount, p.TotalOrders)
	switch {
	case total != nil && p.ValidOrderCount != nil:
		f.Total, f.Valid = count(*total), count(*p.ValidOrderCount)
	case total != nil && p.ImpactedCustomerCount != nil:
		f.Total = count(*total)
		f.Valid = f.Total - count(*p.ImpactedCustomerCount)
	case p.ImpactedCustomerCount != nil && rate < 1:
		bad := count(*p.ImpactedCustomerCount)
		f.Total = int(math.Round(float64(bad) / (1 - rate)))
		f.Valid, f.Derived = f.Total-bad, true
	default:
		f.Derived = true // no counts at all: rate only
	}
	if f.Valid < 0 {
		f.Valid = 0
	}
	return f, nil
}

func first(a, b *float64) *float64 {
	if a != nil {
		return a
	}
	return b
}

func count(x float64) int {
	if x < 0 || math.IsNaN(x) || x > 1<<53 {
		return 0
	}
	return int(math.Round(x))
}

// fraction reads a rate written as a percentage (above 1) as a fraction.
func fraction(x float64) float64 {
	if x > 1 {
		return x / 100
	}
	return x
}

// timestamp reads epoch milliseconds, RFC 3339 or a date.
func timestamp(v any) time.Time {
	switch t := v.(type) {
	case float64:
		if t > 0 && t < 7258118400000 {
			return time.UnixMilli(int64(t)).UTC()
		}
	case string:
		for _, l := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", time.DateOnly} {
			if x, err := time.Parse(l, strings.TrimSpace(t)); err == nil {
				return x.UTC()
			}
		}
	}
	return time.Time{}
}

// ReadFigures reads a marketplace's figures file: Amazon's seller
// performance report (it has performanceMetrics) or Walmart's VTR summary
// (it has cumulativeRate). marketplaceID picks an Amazon marketplace.
func ReadFigures(r io.Reader, marketplaceID string) (Figures, error) {
	body, err := io.ReadAll(io.LimitReader(r, spapi.MaxReport+1))
	if err != nil {
		return Figures{}, fmt.Errorf("read figures: %w", err)
	}
	if bytes.Contains(body, []byte(`"performanceMetrics"`)) {
		sp, err := spapi.DecodeSellerPerformance(bytes.NewReader(body))
		if err != nil {
			return Figures{}, err
		}
		return FromSellerPerformance(sp, marketplaceID)
	}
	if bytes.Contains(body, []byte(`"cumulativeRate"`)) {
		return DecodeWalmartVTR(bytes.NewReader(body))
	}
	return Figures{}, vtr.Errorf(vtr.EINVALID, "neither an Amazon %s report (performanceMetrics) nor a Walmart VTR summary (cumulativeRate)", spapi.ReportType)
}

// Side is one party's figures in a Report.
type Side struct {
	From       string   `json:"from,omitempty"` // first day, 2006-01-02
	To         string   `json:"to,omitempty"`   // last day
	WindowDays int      `json:"window_days,omitempty"`
	Valid      int      `json:"valid"`
	Total      int      `json:"total"`
	Rate       *float64 `json:"rate"`
	Derived    bool     `json:"derived,omitempty"`
	// Pending are vtr's packages not counted yet (their inclusion day
	// has not come); the marketplace does not say.
	Pending int `json:"pending,omitempty"`
}

// Explanation is one reason the figures differ.
type Explanation struct {
	Code string `json:"code"`
	Text string `json:"text"`
}

// Explanation codes.
const (
	ReportingLag  = "reporting_lag"
	Refresh       = "refresh"
	WindowDates   = "window_dates"
	Unseen        = "unseen_packages"
	NotCounted    = "not_counted_yet"
	Inconsistent  = "inconsistent_counts"
	DerivedCounts = "derived_counts"
	Same          = "same"
)

// Report is vtr's figures beside the marketplace's.
type Report struct {
	SellerID    string `json:"seller_id"`
	Policy      string `json:"policy"`
	Marketplace string `json:"marketplace"`
	AsOf        string `json:"as_of"`
	Ours        Side   `json:"vtr"`
	Theirs      Side   `json:"marketplace_figures"`
	// ValidDiff and TotalDiff are ours minus theirs; RateDiff too, in
	// rate units (0.01 = one percentage point), nil unless both rates
	// are known.
	ValidDiff    int           `json:"valid_diff"`
	TotalDiff    int           `json:"total_diff"`
	RateDiff     *float64      `json:"rate_diff"`
	Explanations []Explanation `json:"explanations"`
}

// Compare compares ours with theirs, taking the reporting lag and
// refresh cycle from the built-in policy of ours.Policy (none for an
// operator's own policy: use CompareWith).
func Compare(ours *vtr.RateReport, theirs Figures) Report {
	var pol vtr.Policy
	for _, p := range vtr.BuiltinPolicies() {
		if p.ID == ours.Policy {
			pol = p
		}
	}
	return CompareWith(ours, theirs, pol)
}

// CompareWith is Compare with the policy given.
func CompareWith(ours *vtr.RateReport, theirs Figures, pol vtr.Policy) Report {
	r := Report{SellerID: ours.SellerID, Policy: ours.Policy, Marketplace: marketplaceName(theirs, pol), AsOf: ours.AsOf.UTC().Format(time.RFC3339)}
	ourTo := day(ours.AsOf)
	days := max(ours.WindowDays, 1)
	ourFrom := ourTo.AddDate(0, 0, -(days - 1))
	r.Ours = Side{From: ourFrom.Format(time.DateOnly), To: ourTo.Format(time.DateOnly), WindowDays: days,
		Valid: ours.Overall.Valid, Total: ours.Overall.Valid + ours.Overall.Invalid, Rate: ours.Overall.Rate, Pending: ours.Overall.Pending}
	r.Theirs = Side{WindowDays: theirs.WindowDays, Valid: theirs.Valid, Total: theirs.Total, Rate: theirs.Rate, Derived: theirs.Derived}
	if !theirs.From.IsZero() {
		r.Theirs.From = theirs.From.Format(time.DateOnly)
	}
	if !theirs.To.IsZero() {
		r.Theirs.To = theirs.To.Format(time.DateOnly)
	}
	r.ValidDiff, r.TotalDiff = r.Ours.Valid-r.Theirs.Valid, r.Ours.Total-r.Theirs.Total
	if r.Ours.Rate != nil && r.Theirs.Rate != nil {
		d := *r.Ours.Rate - *r.Theirs.Rate
		r.RateDiff = &d
	}
	add := func(code, format string, args ...any) {
		r.Explanations = append(r.Explanations, Explanation{Code: code, Text: fmt.Sprintf(format, args...)})
	}
	who := r.Marketplace
	if pol.ReportingLagDays > 0 {
		add(ReportingLag, "%s shows the metric about %d days late (packages count once their promised delivery date or ship date has passed and carrier scans have settled); vtr counts them as soon as they are due", who, pol.ReportingLagDays)
	}
	if pol.RefreshHours > 0 {
		age := "a day"
		if days := (pol.RefreshHours + 23) / 24; days > 1 {
			age = fmt.Sprintf("%d days", days)
		}
		text := fmt.Sprintf("%s refreshes the metric every %d hours, so its figures can be up to %s older than vtr's", who, pol.RefreshHours, age)
		if !theirs.UpdatedAt.IsZero() {
			text += fmt.Sprintf(" (these were computed %s)", theirs.UpdatedAt.UTC().Format(time.RFC3339))
		}
		add(Refresh, "%s", text)
	}
	switch {
	case theirs.From.IsZero() && theirs.To.IsZero() && theirs.WindowDays > 0 && theirs.WindowDays != days:
		add(WindowDates, "%s's window is %d days, vtr's %d: compare with the same window (vtr rate --as-of, or the policy's window)", who, theirs.WindowDays, days)
	case theirs.From.IsZero() && theirs.To.IsZero():
		add(WindowDates, "%s does not say which days its figures cover; vtr's window is %s to %s", who, r.Ours.From, r.Ours.To)
	case !theirs.From.Equal(ourFrom) || !theirs.To.Equal(ourTo):
		text := fmt.Sprintf("the windows differ: %s counts %s to %s, vtr %s to %s", who, r.Theirs.From, r.Theirs.To, r.Ours.From, r.Ours.To)
		if !theirs.To.IsZero() && theirs.To.Before(ourTo) {
			text += fmt.Sprintf(" (rerun vtr with --as-of %s to see the same days)", r.Theirs.To)
		}
		add(WindowDates, "%s", text)
	}
	if theirs.Valid > theirs.Total && theirs.Total > 0 {
		add(Inconsistent, "%s reports more valid packages (%d) than packages (%d): its counts are not consistent (the report schema's own example does this); compare rates rather than counts", who, theirs.Valid, theirs.Total)
	}
	if theirs.Derived {
		if theirs.Total > 0 {
			add(DerivedCounts, "%s gives a rate and the number of orders affected, not a total: its counts here are worked out from those two and may be off by one", who)
		} else {
			add(DerivedCounts, "%s gives only a rate: no counts to compare", who)
		}
	}
	if d := theirs.Total - r.Ours.Total; d > 0 && theirs.Total > 0 {
		add(Unseen, "%s counts %d packages more than vtr: orders or shipments vtr has not seen (import the marketplace's orders and shipping confirmations for the window), or packages vtr exempts", who, d)
	}
	if d := r.Ours.Total - theirs.Total; d > 0 && theirs.Total > 0 || r.Ours.Pending > 0 {
		text := ""
		if d > 0 && theirs.Total > 0 {
			text = fmt.Sprintf("vtr counts %d packages more than %s: packages it has not counted yet (its lag) or that fell outside its window", d, who)
		}
		if r.Ours.Pending > 0 {
			if text != "" {
				text += "; "
			}
			text += fmt.Sprintf("%d of vtr's packages are still pending (not due yet) and counted by neither", r.Ours.Pending)
		}
		add(NotCounted, "%s", text)
	}
	if r.TotalDiff == 0 && r.ValidDiff == 0 && theirs.Total > 0 {
		add(Same, "the counts are the same")
	}
	return r
}

func marketplaceName(f Figures, pol vtr.Policy) string {
	switch {
	case f.Source == "amazon":
		return "Amazon"
	case f.Source == "walmart":
		return "Walmart"
	case pol.Name != "":
		return pol.Name
	}
	return "the marketplace"
}

func day(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// WriteText writes the report as a table, vtr beside the marketplace,
// then the differences and their explanations.
func (r *Report) WriteText(w io.Writer) error {
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "Valid Tracking Rate: seller %s, policy %s, as of %s\n\n", r.SellerID, r.Policy, r.AsOf)
	tw := tabwriter.NewWriter(&buf, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "\tvtr\t%s\tdifference\n", r.Marketplace)
	fmt.Fprintf(tw, "window\t%s\t%s\t\n", window(r.Ours), window(r.Theirs))
	fmt.Fprintf(tw, "valid\t%d\t%s\t%+d\n", r.Ours.Valid, est(r.Theirs.Valid, r.Theirs.Derived), r.ValidDiff)
	fmt.Fprintf(tw, "total\t%d\t%s\t%+d\n", r.Ours.Total, est(r.Theirs.Total, r.Theirs.Derived), r.TotalDiff)
	diff := "-"
	if r.RateDiff != nil {
		diff = fmt.Sprintf("%+.2f points", *r.RateDiff*100)
	}
	fmt.Fprintf(tw, "rate\t%s\t%s\t%s\n", pct(r.Ours.Rate), pct(r.Theirs.Rate), diff)
	if r.Ours.Pending > 0 {
		fmt.Fprintf(tw, "pending\t%d\t-\t\n", r.Ours.Pending)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(r.Explanations) > 0 {
		buf.WriteString("\nWhy they may differ:\n")
		for _, e := range r.Explanations {
			fmt.Fprintf(&buf, "  - %s\n", e.Text)
		}
	}
	// tabwriter pads the last column too: no trailing spaces.
	var out bytes.Buffer
	for _, l := range strings.SplitAfter(buf.String(), "\n") {
		out.WriteString(strings.TrimRight(strings.TrimSuffix(l, "\n"), " "))
		if strings.HasSuffix(l, "\n") {
			out.WriteByte('\n')
		}
	}
	_, err := w.Write(out.Bytes())
	return err
}

func window(s Side) string {
	switch {
	case s.From != "" && s.To != "":
		return s.From + " to " + s.To
	case s.WindowDays > 0:
		return fmt.Sprintf("%d days", s.WindowDays)
	}
	return "unknown"
}

func est(n int, derived bool) string {
	if derived {
		return fmt.Sprintf("~%d", n)
	}
	return fmt.Sprint(n)
}

func pct(r *float64) string {
	if r == nil {
		return "-"
	}
	return fmt.Sprintf("%.2f%%", *r*100)
}
