package spapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/vtr-project/vtr"
)

// ReportType is the Reports API type of the seller performance report.
const ReportType = "GET_V2_SELLER_PERFORMANCE_REPORT"

// MaxReport is the largest report DecodeSellerPerformance reads, in
// bytes. The report has one entry per marketplace and no per-order rows:
// real ones are a few KiB to a few hundred.
const MaxReport = 32 << 20

// Metric statuses, target conditions and account statuses of the report
// schema (accountHealthReport-2020-11-18.json). The schema's example also
// shows an account status SUSPENDED, outside its enum; the decoder keeps
// whatever status it reads.
const (
	StatusGood = "GOOD"
	StatusBad  = "BAD"
	StatusNone = "NONE"

	ConditionGreaterThan = "GREATER_THAN"
	ConditionLessThan    = "LESS_THAN"
	ConditionEquals      = "EQUALS"

	AccountNormal      = "NORMAL"
	AccountAtRisk      = "AT_RISK"
	AccountDeactivated = "DEACTIVATED"
)

// SellerPerformance is the part of the seller performance report vtr
// reads and writes: the account status and the four shipping metrics of
// each marketplace. The report's other metrics (order defect rate,
// policy violations, account health rating, warning states) are not
// modelled and are dropped on reading.
type SellerPerformance struct {
	AccountStatuses    []AccountStatus      `json:"accountStatuses"`
	PerformanceMetrics []PerformanceMetrics `json:"performanceMetrics"`
}

// AccountStatus is the seller's account status in one marketplace.
type AccountStatus struct {
	MarketplaceID string `json:"marketplaceId"`
	Status        string `json:"status"`
}

// PerformanceMetrics are the shipping metrics of one marketplace; a metric
// the report does not carry is nil.
type PerformanceMetrics struct {
	MarketplaceID                  string                          `json:"marketplaceId"`
	ValidTrackingRate              *ValidTrackingRate              `json:"validTrackingRate,omitempty"`
	LateShipmentRate               *LateShipmentRate               `json:"lateShipmentRate,omitempty"`
	OnTimeDeliveryRate             *OnTimeDeliveryRate             `json:"onTimeDeliveryRate,omitempty"`
	PreFulfillmentCancellationRate *PreFulfillmentCancellationRate `json:"preFulfillmentCancellationRate,omitempty"`
}

// ReportingDateRange is a metric's window, as Amazon writes it:
// "2020-10-11T00:00Z" to "2020-11-09T23:59Z" (UTC, both days included).
type ReportingDateRange struct {
	From string `json:"reportingDateFrom"`
	To   string `json:"reportingDateTo"`
}

// Metric is what every rate metric of the report has. Rate and
// TargetValue are fractions (0.95, not 95); Rate is nil when nothing was
// counted (Status NONE), TargetValue nil and TargetCondition "" when no
// target applies.
type Metric struct {
	ReportingDateRange ReportingDateRange `json:"reportingDateRange"`
	Status             string             `json:"status"`
	Rate               *float64           `json:"rate,omitempty"`
	TargetValue        *float64           `json:"targetValue,omitempty"`
	TargetCondition    string             `json:"targetCondition,omitempty"`
}

// ValidTrackingRate is validTrackingCount ÷ shipmentCount.
type ValidTrackingRate struct {
	Metric
	ShipmentCount      int `json:"shipmentCount"`
	ValidTrackingCount int `json:"validTrackingCount"`
}

// LateShipmentRate is lateShipmentCount ÷ orderCount.
type LateShipmentRate struct {
	Metric
	OrderCount        int `json:"orderCount"`
	LateShipmentCount int `json:"lateShipmentCount"`
}

// OnTimeDeliveryRate is onTimeDeliveryCount ÷
// shipmentCountWithValidTracking.
type OnTimeDeliveryRate struct {
	Metric
	ShipmentCountWithValidTracking int `json:"shipmentCountWithValidTracking"`
	OnTimeDeliveryCount            int `json:"onTimeDeliveryCount"`
}

// PreFulfillmentCancellationRate is cancellationCount ÷ orderCount.
type PreFulfillmentCancellationRate struct {
	Metric
	OrderCount        int `json:"orderCount"`
	CancellationCount int `json:"cancellationCount"`
}

// Times parses the range: the first instant of From and the last minute
// of To, in UTC. It takes Amazon's "2020-10-11T00:00Z", RFC 3339 and a
// bare date.
func (d ReportingDateRange) Times() (from, to time.Time, err error) {
	if from, err = parseReportingDate(d.From); err != nil {
		return from, to, vtr.Errorf(vtr.EINVALID, "reportingDateFrom: %v", err)
	}
	if to, err = parseReportingDate(d.To); err != nil {
		return from, to, vtr.Errorf(vtr.EINVALID, "reportingDateTo: %v", err)
	}
	return from, to, nil
}

func parseReportingDate(s string) (time.Time, error) {
	for _, l := range []string{"2006-01-02T15:04Z07:00", time.RFC3339Nano, time.DateOnly} {
		if t, err := time.Parse(l, strings.TrimSpace(s)); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a date", s)
}

// FromRate builds the report vtr would show for r in one marketplace, so
// a seller can compare it with Amazon's:
//   - validTrackingRate over r's window: shipmentCount = valid + invalid
//     packages, validTrackingCount = valid, target r.Target (at least);
//   - lateShipmentRate from LateShipment30 (Amazon reports the 30-day
//     rate; the schema's example spans 30 days), onTimeDeliveryRate from
//     OnTimeDelivery, preFulfillmentCancellationRate from Cancel7, each
//     over its own WindowDays;
//   - each window ends on AsOf's day (UTC) and starts WindowDays-1 days
//     before, written as Amazon writes it (from T00:00Z, to T23:59Z);
//   - status GOOD when the rate meets its target, BAD when not, NONE when
//     nothing was counted (and then no rate);
//   - targetCondition GREATER_THAN for a floor (VTR, on-time delivery),
//     LESS_THAN for a ceiling (late shipments, cancellations): the
//     schema's enum has no "or equal", though vtr, like Amazon's help
//     pages, counts a rate on the target as meeting it; a Ratio with
//     Target 0 (the policy sets none) has no targetValue and no
//     targetCondition, and is GOOD;
//   - the account status is AT_RISK when any metric is BAD and NORMAL
//     otherwise: vtr's reading of its own metrics, not Amazon's account
//     state (vtr never says DEACTIVATED).
//
// FromRate returns nil for a nil r.
func FromRate(r *vtr.RateReport, marketplaceID string) *SellerPerformance {
	if r == nil {
		return nil
	}
	last := day(r.AsOf)
	rng := func(days int) ReportingDateRange {
		if days < 1 {
			days = r.WindowDays
		}
		if days < 1 {
			days = 1
		}
		first := last.AddDate(0, 0, -(days - 1))
		return ReportingDateRange{From: first.Format(time.DateOnly) + "T00:00Z", To: last.Format(time.DateOnly) + "T23:59Z"}
	}
	ratio := func(x vtr.Ratio, condition string) Metric {
		m := Metric{ReportingDateRange: rng(x.WindowDays), Status: StatusNone}
		if x.Target > 0 {
			m.TargetValue, m.TargetCondition = float(x.Target), condition
		}
		if x.Rate != nil {
			m.Rate, m.Status = float(*x.Rate), StatusBad
			if x.Meets {
				m.Status = StatusGood
			}
		}
		return m
	}

	vtrm := Metric{ReportingDateRange: rng(r.WindowDays), Status: StatusNone}
	if r.Target > 0 {
		vtrm.TargetValue, vtrm.TargetCondition = float(r.Target), ConditionGreaterThan
	}
	if o := r.Overall.Rate; o != nil {
		vtrm.Rate, vtrm.Status = float(*o), StatusGood
		if *o < r.Target {
			vtrm.Status = StatusBad
		}
	}
	pm := PerformanceMetrics{
		MarketplaceID: marketplaceID,
		ValidTrackingRate: &ValidTrackingRate{Metric: vtrm,
			ShipmentCount: r.Overall.Valid + r.Overall.Invalid, ValidTrackingCount: r.Overall.Valid},
		LateShipmentRate: &LateShipmentRate{Metric: ratio(r.LateShipment30, ConditionLessThan),
			OrderCount: r.LateShipment30.Total, LateShipmentCount: r.LateShipment30.Hits},
		OnTimeDeliveryRate: &OnTimeDeliveryRate{Metric: ratio(r.OnTimeDelivery, ConditionGreaterThan),
			ShipmentCountWithValidTracking: r.OnTimeDelivery.Total, OnTimeDeliveryCount: r.OnTimeDelivery.Hits},
		PreFulfillmentCancellationRate: &PreFulfillmentCancellationRate{Metric: ratio(r.Cancel7, ConditionLessThan),
			OrderCount: r.Cancel7.Total, CancellationCount: r.Cancel7.Hits},
	}
	status := AccountNormal
	for _, s := range []string{pm.ValidTrackingRate.Status, pm.LateShipmentRate.Status, pm.OnTimeDeliveryRate.Status, pm.PreFulfillmentCancellationRate.Status} {
		if s == StatusBad {
			status = AccountAtRisk
		}
	}
	return &SellerPerformance{
		AccountStatuses:    []AccountStatus{{MarketplaceID: marketplaceID, Status: status}},
		PerformanceMetrics: []PerformanceMetrics{pm},
	}
}

func day(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func float(x float64) *float64 { return &x }

// The report as read: every number may be a JSON number or a string, and
// the cancellation metric may carry either of its two names.
type reportIn struct {
	AccountStatuses    []AccountStatus    `json:"accountStatuses"`
	PerformanceMetrics *[]json.RawMessage `json:"performanceMetrics"`
}

type metricsIn struct {
	MarketplaceID                  string    `json:"marketplaceId"`
	ValidTrackingRate              *metricIn `json:"validTrackingRate"`
	LateShipmentRate               *metricIn `json:"lateShipmentRate"`
	OnTimeDeliveryRate             *metricIn `json:"onTimeDeliveryRate"`
	PreFulfillmentCancellationRate *metricIn `json:"preFulfillmentCancellationRate"`
	PrefulfillmentCancelRate       *metricIn `json:"prefulfillmentCancelRate"` // the schema example's name
}

// metricIn holds the counts of all four metrics; each metric reads its
// own two.
type metricIn struct {
	ReportingDateRange             ReportingDateRange `json:"reportingDateRange"`
	Status                         string             `json:"status"`
	Rate                           *number            `json:"rate"`
	TargetValue                    *number            `json:"targetValue"`
	TargetCondition                string             `json:"targetCondition"`
	ShipmentCount                  *number            `json:"shipmentCount"`
	ValidTrackingCount             *number            `json:"validTrackingCount"`
	OrderCount                     *number            `json:"orderCount"`
	LateShipmentCount              *number            `json:"lateShipmentCount"`
	ShipmentCountWithValidTracking *number            `json:"shipmentCountWithValidTracking"`
	OnTimeDeliveryCount            *number            `json:"onTimeDeliveryCount"`
	CancellationCount              *number            `json:"cancellationCount"`
}

// number is a JSON number, or a string holding one, optionally ending in
// "%" (then a percentage for certain). An empty string is no number.
type number struct {
	v       float64
	percent bool
	blank   bool
}

var float64Type = reflect.TypeFor[float64]()

func (n *number) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var orig string
		if err := json.Unmarshal(b, &orig); err != nil {
			return err
		}
		s := strings.TrimSpace(orig)
		if s == "" {
			n.blank = true
			return nil
		}
		if t, ok := strings.CutSuffix(s, "%"); ok {
			s, n.percent = strings.TrimSpace(t), true
		}
		v, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
			return &json.UnmarshalTypeError{Value: "string " + strconv.Quote(orig), Type: float64Type}
		}
		n.v = v
		return nil
	}
	var v float64
	if err := json.Unmarshal(b, &v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return &json.UnmarshalTypeError{Value: te.Value, Type: float64Type}
		}
		return err
	}
	n.v = v
	return nil
}

func (n *number) known() bool { return n != nil && !n.blank }

// DecodeSellerPerformance reads a GET_V2_SELLER_PERFORMANCE_REPORT
// document (already decompressed), tolerating what real reports and the
// schema's own example do:
//   - the cancellation metric named prefulfillmentCancelRate (the
//     example's name) instead of preFulfillmentCancellationRate (the
//     schema's required name); the latter wins when both are present;
//   - numbers as JSON strings ("0.95", "95%");
//   - rates and targets as percentages (issue #5159): a metric's rate and
//     target are read as percentages and divided by 100 when either is
//     above 1 or written with "%", or when its counts say so (the rate is
//     closer to 100 × count ÷ total than to count ÷ total);
//   - statuses and conditions in any case (upper-cased), SUSPENDED and
//     other statuses outside the enum (kept), counts that do not add up
//     (validTrackingCount above shipmentCount in the example: kept);
//   - metrics the report lacks (nil) and every field vtr does not model.
//
// It refuses, with a *FieldError naming the field, what is not such a
// report: not one JSON object, no performanceMetrics, a known field of a
// type no reading makes sense of, a count that is not a whole number
// from 0 to 2^53, a negative rate. A leading UTF-8 byte-order mark is
// skipped; the document may be at most MaxReport bytes.
func DecodeSellerPerformance(r io.Reader) (*SellerPerformance, error) {
	body, err := io.ReadAll(io.LimitReader(r, MaxReport+1))
	if err != nil {
		return nil, fmt.Errorf("spapi: read seller performance report: %w", err)
	}
	if len(body) > MaxReport {
		return nil, invalid("", "report is larger than %d bytes", MaxReport)
	}
	body = bytes.TrimPrefix(body, []byte("\xef\xbb\xbf"))
	var in reportIn
	if err := decodeObject(body, &in); err != nil {
		return nil, err
	}
	if in.PerformanceMetrics == nil {
		return nil, invalid("performanceMetrics", "required (is this a %s document?)", ReportType)
	}
	sp := &SellerPerformance{AccountStatuses: []AccountStatus{}, PerformanceMetrics: []PerformanceMetrics{}}
	for _, a := range in.AccountStatuses {
		sp.AccountStatuses = append(sp.AccountStatuses, AccountStatus{
			MarketplaceID: strings.TrimSpace(a.MarketplaceID), Status: strings.ToUpper(strings.TrimSpace(a.Status))})
	}
	for i, raw := range *in.PerformanceMetrics {
		field := "performanceMetrics[" + strconv.Itoa(i) + "]"
		if len(raw) == 0 || raw[0] != '{' {
			return nil, invalid(field, "must be a JSON object")
		}
		var mi metricsIn
		if err := json.Unmarshal(raw, &mi); err != nil {
			return nil, jsonError(field+".", err)
		}
		pm, err := mi.metrics(field)
		if err != nil {
			return nil, err
		}
		sp.PerformanceMetrics = append(sp.PerformanceMetrics, pm)
	}
	return sp, nil
}

func (mi *metricsIn) metrics(field string) (PerformanceMetrics, error) {
	pm := PerformanceMetrics{MarketplaceID: strings.TrimSpace(mi.MarketplaceID)}
	var err error
	if m := mi.ValidTrackingRate; m != nil {
		f := field + ".validTrackingRate"
		v := &ValidTrackingRate{}
		if v.ShipmentCount, err = count(f+".shipmentCount", m.ShipmentCount); err != nil {
			return pm, err
		}
		if v.ValidTrackingCount, err = count(f+".validTrackingCount", m.ValidTrackingCount); err != nil {
			return pm, err
		}
		if v.Metric, err = m.metric(f, v.ValidTrackingCount, v.ShipmentCount); err != nil {
			return pm, err
		}
		pm.ValidTrackingRate = v
	}
	if m := mi.LateShipmentRate; m != nil {
		f := field + ".lateShipmentRate"
		v := &LateShipmentRate{}
		if v.OrderCount, err = count(f+".orderCount", m.OrderCount); err != nil {
			return pm, err
		}
		if v.LateShipmentCount, err = count(f+".lateShipmentCount", m.LateShipmentCount); err != nil {
			return pm, err
		}
		if v.Metric, err = m.metric(f, v.LateShipmentCount, v.OrderCount); err != nil {
			return pm, err
		}
		pm.LateShipmentRate = v
	}
	if m := mi.OnTimeDeliveryRate; m != nil {
		f := field + ".onTimeDeliveryRate"
		v := &OnTimeDeliveryRate{}
		if v.ShipmentCountWithValidTracking, err = count(f+".shipmentCountWithValidTracking", m.ShipmentCountWithValidTracking); err != nil {
			return pm, err
		}
		if v.OnTimeDeliveryCount, err = count(f+".onTimeDeliveryCount", m.OnTimeDeliveryCount); err != nil {
			return pm, err
		}
		if v.Metric, err = m.metric(f, v.OnTimeDeliveryCount, v.ShipmentCountWithValidTracking); err != nil {
			return pm, err
		}
		pm.OnTimeDeliveryRate = v
	}
	m, f := mi.PreFulfillmentCancellationRate, field+".preFulfillmentCancellationRate"
	if m == nil {
		m, f = mi.PrefulfillmentCancelRate, field+".prefulfillmentCancelRate"
	}
	if m != nil {
		v := &PreFulfillmentCancellationRate{}
		if v.OrderCount, err = count(f+".orderCount", m.OrderCount); err != nil {
			return pm, err
		}
		if v.CancellationCount, err = count(f+".cancellationCount", m.CancellationCount); err != nil {
			return pm, err
		}
		if v.Metric, err = m.metric(f, v.CancellationCount, v.OrderCount); err != nil {
			return pm, err
		}
		pm.PreFulfillmentCancellationRate = v
	}
	return pm, nil
}

// maxCount is the largest count read: 2^53, the last integer a float64
// (and so a JSON number in most producers) holds exactly.
const maxCount = 1 << 53

// count reads a count: absent or blank is 0.
func count(field string, n *number) (int, error) {
	if !n.known() {
		return 0, nil
	}
	if n.percent || n.v < 0 || n.v > maxCount || n.v != math.Trunc(n.v) {
		return 0, invalid(field, "%v is not a count (a whole number from 0)", n.v)
	}
	return int(n.v), nil
}

// metric normalises the common fields; hits ÷ total is the metric's rate
// by its counts, used to tell a percentage from a fraction.
func (m *metricIn) metric(field string, hits, total int) (Metric, error) {
	out := Metric{
		ReportingDateRange: ReportingDateRange{From: strings.TrimSpace(m.ReportingDateRange.From), To: strings.TrimSpace(m.ReportingDateRange.To)},
		Status:             strings.ToUpper(strings.TrimSpace(m.Status)),
		TargetCondition:    strings.ToUpper(strings.TrimSpace(m.TargetCondition)),
	}
	rate, target := m.Rate, m.TargetValue
	for _, x := range []struct {
		name string
		n    *number
	}{{"rate", rate}, {"targetValue", target}} {
		if x.n.known() && x.n.v < 0 {
			return out, invalid(field+"."+x.name, "%v is negative", x.n.v)
		}
	}
	percent := false
	for _, n := range []*number{rate, target} {
		if n.known() && (n.percent || n.v > 1) {
			percent = true
		}
	}
	if !percent && rate.known() && total > 0 {
		byCounts := float64(hits) / float64(total)
		percent = math.Abs(rate.v/100-byCounts) < math.Abs(rate.v-byCounts)
	}
	scale := func(n *number) *float64 {
		if !n.known() {
			return nil
		}
		if percent {
			return float(n.v / 100)
		}
		return float(n.v)
	}
	out.Rate, out.TargetValue = scale(rate), scale(target)
	return out, nil
}
