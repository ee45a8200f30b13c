package sqlite

import (
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/engine"
)

// SellerPolicy returns the policy to report for a seller when none is
// asked: the first of the seller's policies, else the one its packages
// are judged by.
func (s *Store) SellerPolicy(ctx context.Context, sellerID string) (string, error) {
	var pol string
	err := s.db.QueryRowContext(ctx, `SELECT policies FROM sellers WHERE seller_id = ?`, sellerID).Scan(&pol)
	if err == nil {
		var ps []string
		if json.Unmarshal([]byte(pol), &ps) == nil && len(ps) > 0 {
			return ps[0], nil
		}
	}
	var p string
	err = s.db.QueryRowContext(ctx, `SELECT policy FROM packages WHERE seller_id = ? AND policy <> '' LIMIT 1`, sellerID).Scan(&p)
	if err != nil {
		return "", notFound(err, "seller %q has no packages", sellerID)
	}
	return p, nil
}

// window returns the first and last Unix day of a policy's window ending
// on asOf's day.
func window(p *vtr.Policy, asOf time.Time) (int64, int64) {
	last := dayNum(engine.Day(asOf))
	return last - int64(p.WindowDays) + 1, last
}

// Rate answers from the aggregates alone: at most window_days rows per
// group are summed, whatever the number of packages.
func (s *Store) Rate(ctx context.Context, sellerID, policyID string, asOf time.Time, whatIfDays int) (*vtr.RateReport, error) {
	if policyID == "" {
		var err error
		if policyID, err = s.SellerPolicy(ctx, sellerID); err != nil {
			return nil, err
		}
	}
	p, err := s.Policies.Get(policyID)
	if err != nil {
		return nil, err
	}
	first, last := window(p, asOf)
	rep := &vtr.RateReport{SellerID: sellerID, Policy: p.ID, AsOf: asOf.UTC(), WindowDays: p.WindowDays, Target: p.Target, GroupBy: p.GroupBy,
		Categories: []vtr.CategoryRate{}, Carriers: []vtr.KeyRate{}, ShipFroms: []vtr.KeyRate{}, Days: []vtr.KeyRate{}, WhatIf: []vtr.WhatIf{}}

	rows, err := s.db.QueryContext(ctx, `SELECT day, category, carrier, ship_from_id, valid, invalid, exempt, delivered, on_time
		FROM vtr_daily WHERE seller_id = ? AND policy = ? AND day >= ?`, sellerID, p.ID, first)
	if err != nil {
		return nil, fmt.Errorf("rate: %w", err)
	}
	cats, carriers, froms, days := map[string]*vtr.Counts{}, map[string]*vtr.Counts{}, map[string]*vtr.Counts{}, map[string]*vtr.Counts{}
	dueSoon := map[string]*vtr.Counts{} // pending packages due within the what-if horizon
	get := func(m map[string]*vtr.Counts, k string) *vtr.Counts {
		if m[k] == nil {
			m[k] = &vtr.Counts{}
		}
		return m[k]
	}
	var delivered, onTime int
	for rows.Next() {
		var day int64
		var cat, carrier, from string
		var v, i, e, d, o int
		if err := rows.Scan(&day, &cat, &carrier, &from, &v, &i, &e, &d, &o); err != nil {
			rows.Close()
			return nil, err
		}
		if day > last {
			// Not yet due: pending, whatever it will count as.
			for _, c := range []*vtr.Counts{&rep.Overall, get(cats, cat), get(carriers, carrier), get(froms, from)} {
				c.Pending += v + i + e
			}
			if day <= last+int64(whatIfDays) {
				c := get(dueSoon, cat)
				c.Valid += v
				c.Invalid += i
			}
			continue
		}
		dayKey := dayTime(day).Format("2006-01-02")
		for _, c := range []*vtr.Counts{&rep.Overall, get(cats, cat), get(carriers, carrier), get(froms, from), get(days, dayKey)} {
			c.Valid += v
			c.Invalid += i
			c.Exempt += e
		}
		delivered += d
		onTime += o
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rep.Overall.SetRate()
	rep.Status = p.RateStatus(rateOf(rep.Overall), rep.Overall.Rate != nil)
	for _, k := range sortedKeys(cats) {
		c := cats[k]
		c.SetRate()
		rep.Categories = append(rep.Categories, vtr.CategoryRate{Category: k, Counts: *c, Status: p.RateStatus(rateOf(*c), c.Rate != nil)})
	}
	rep.Carriers, rep.ShipFroms, rep.Days = keyRates(carriers), keyRates(froms), keyRates(days)

	// Siblings.
	rep.OnTimeDelivery = ratio(p.WindowDays, onTime, delivered, p.OnTimeDeliveryTarget, true)
	if rep.LateShipment10, err = s.orderRatio(ctx, sellerID, p, "ship", 10, last, p.LateShipmentTarget); err != nil {
		return nil, err
	}
	if rep.LateShipment30, err = s.orderRatio(ctx, sellerID, p, "ship", 30, last, p.LateShipmentTarget); err != nil {
		return nil, err
	}
	if rep.Cancel7, err = s.orderRatio(ctx, sellerID, p, "order", 7, last, p.CancelRateTarget); err != nil {
		return nil, err
	}
	if p.BenefitVTR > 0 {
		rep.BenefitEligible = rep.Overall.Rate != nil && *rep.Overall.Rate >= p.BenefitVTR &&
			rep.OnTimeDelivery.Rate != nil && *rep.OnTimeDelivery.Rate >= p.BenefitOTDR
	}

	// What-if: the window moves whatIfDays ahead; the days that leave it
	// are dropped and the packages due meanwhile (pending now) join it.
	if whatIfDays > 0 {
		leaving := map[string]*vtr.Counts{}
		lrows, err := s.db.QueryContext(ctx, `SELECT category, SUM(valid), SUM(invalid) FROM vtr_daily
			WHERE seller_id = ? AND policy = ? AND day >= ? AND day < ? GROUP BY category`, sellerID, p.ID, first, first+int64(whatIfDays))
		if err != nil {
			return nil, err
		}
		for lrows.Next() {
			var cat string
			var v, i int
			if err := lrows.Scan(&cat, &v, &i); err != nil {
				lrows.Close()
				return nil, err
			}
			leaving[cat] = &vtr.Counts{Valid: v, Invalid: i}
		}
		lrows.Close()
		groups := rep.Categories
		if p.GroupBy == "account" {
			groups = []vtr.CategoryRate{{Category: "(account)", Counts: rep.Overall}}
			sumInto := func(m map[string]*vtr.Counts) *vtr.Counts {
				t := &vtr.Counts{}
				for _, c := range m {
					t.Valid += c.Valid
					t.Invalid += c.Invalid
				}
				return t
			}
			leaving = map[string]*vtr.Counts{"(account)": sumInto(leaving)}
			dueSoon = map[string]*vtr.Counts{"(account)": sumInto(dueSoon)}
		}
		for _, g := range groups {
			v, i := g.Valid, g.Invalid
			if l := leaving[g.Category]; l != nil {
				v, i = v-l.Valid, i-l.Invalid
			}
			if d := dueSoon[g.Category]; d != nil {
				v, i = v+d.Valid, i+d.Invalid
			}
			rep.WhatIf = append(rep.WhatIf, whatIf(p, g.Category, whatIfDays, v, i))
		}
	}
	return rep, nil
}

// whatIf: with v valid and i invalid packages projected in the window, d
// more of the valid ones turning into defects keeps the rate at or above
// the target while (v-d)/(v+i) >= target.
func whatIf(p *vtr.Policy, cat string, days, v, i int) vtr.WhatIf {
	w := vtr.WhatIf{Category: cat, Days: days}
	if v+i == 0 {
		w.Message = fmt.Sprintf("%s: no packages are projected in the window in %d days.", cat, days)
		return w
	}
	d := int(math.Floor(float64(v) - p.Target*float64(v+i) + 1e-9))
	w.MaxDefects = d
	pct := fmt.Sprintf("%.4g%%", p.Target*100)
	if d >= 0 {
		w.Message = fmt.Sprintf("No more than %d more defect(s) among the packages due in the next %d days keeps %s at or above %s.", d, days, cat, pct)
	} else {
		need := int(math.Ceil((p.Target*float64(v+i) - float64(v)) / (1 - p.Target)))
		w.Message = fmt.Sprintf("%s is projected below %s in %d days: it needs about %d more validly tracked package(s) to recover.", cat, pct, days, need)
	}
	return w
}

func rateOf(c vtr.Counts) float64 {
	if c.Rate == nil {
		return 0
	}
	return *c.Rate
}

func sortedKeys(m map[string]*vtr.Counts) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func keyRates(m map[string]*vtr.Counts) []vtr.KeyRate {
	out := []vtr.KeyRate{}
	for _, k := range sortedKeys(m) {
		c := m[k]
		c.SetRate()
		out = append(out, vtr.KeyRate{Key: k, Counts: *c})
	}
	return out
}

// ratio builds a sibling metric; atLeast says whether the target is a
// floor (on-time delivery) or a ceiling (late shipments, cancellations).
func ratio(days, hits, total int, target float64, atLeast bool) vtr.Ratio {
	r := vtr.Ratio{WindowDays: days, Hits: hits, Total: total, Target: target, Meets: true}
	if total > 0 {
		x := float64(hits) / float64(total)
		r.Rate = &x
		if target > 0 {
			r.Meets = atLeast && x >= target || !atLeast && x <= target
		}
	}
	return r
}

func (s *Store) orderRatio(ctx context.Context, sellerID string, p *vtr.Policy, kind string, days int, last int64, target float64) (vtr.Ratio, error) {
	var total, hits int
	err := s.db.QueryRowContext(ctx, `SELECT COALESCE(SUM(total), 0), COALESCE(SUM(hits), 0) FROM order_daily
		WHERE seller_id = ? AND policy = ? AND kind = ? AND day > ? AND day <= ?`, sellerID, p.ID, kind, last-int64(days), last).Scan(&total, &hits)
	if err != nil {
		return vtr.Ratio{}, err
	}
	return ratio(days, hits, total, target, false), nil
}

// ReportFilter selects the rows of the defect report.
type ReportFilter = vtr.ReportFilter

// ReportHeader is the defect report's columns: the marketplace's layout,
// then vtr's own.
var ReportHeader = []string{"Order ID", "Carrier Name", "Tracking ID", "Origin Country", "Promised Delivery Date", "Ship Method",
	"No Valid Tracking", "Shipped Late", "Delivered Late", "Package Value", "Product Category", "Reasons", "Detected Carrier", "Explanation"}

// Report streams the defect report as CSV: packages in the policy's window
// ending at AsOf. It returns the number of rows written.
func (s *Store) Report(ctx context.Context, f ReportFilter, w io.Writer) (int, error) {
	if f.Policy == "" {
		var err error
		if f.Policy, err = s.SellerPolicy(ctx, f.SellerID); err != nil {
			return 0, err
		}
	}
	p, err := s.Policies.Get(f.Policy)
	if err != nil {
		return 0, err
	}
	first, last := window(p, f.AsOf)
	q := `SELECT p.order_id, p.outcome, p.reasons, p.carrier, p.detected, p.explanation, p.delivered, p.on_time, p.category,
		s.carrier, s.carrier_name, s.tracking_number, s.ship_method, s.ship_from_id, o.deliver_by, o.ship_by, o.first_shipped_at,
		o.value_minor, o.currency, sl.ship_from
		FROM packages p
		JOIN shipments s ON s.seller_id = p.seller_id AND s.order_id = p.order_id AND s.package_id = p.package_id AND s.seq = p.cur_seq
		JOIN orders o ON o.seller_id = p.seller_id AND o.order_id = p.order_id
		LEFT JOIN sellers sl ON sl.seller_id = p.seller_id
		WHERE p.seller_id = ? AND p.policy = ? AND p.day BETWEEN ? AND ? AND p.outcome <> 'exempt'`
	args := []any{f.SellerID, p.ID, first, last}
	if f.Carrier != "" {
		q += ` AND p.carrier = ?`
		args = append(args, f.Carrier)
	}
	if f.Category != "" {
		q += ` AND p.category = ?`
		args = append(args, f.Category)
	}
	q += ` ORDER BY p.day, p.order_id, p.package_id`
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return 0, fmt.Errorf("report: %w", err)
	}
	defer rows.Close()
	cw := csv.NewWriter(w)
	if err := cw.Write(ReportHeader); err != nil {
		return 0, err
	}
	n := 0
	origins := map[string]map[string]string{} // ship_from JSON → id → country
	for rows.Next() {
		var orderID, outcome, reasons, carrier, detected, expl, cat, enteredCarrier, carrierName, number, method, fromID, shipFromJSON string
		var delivered, onTime bool
		var deliverBy, shipBy, firstShipped, value int64
		var currency string
		var sfj *string
		if err := rows.Scan(&orderID, &outcome, &reasons, &carrier, &detected, &expl, &delivered, &onTime, &cat,
			&enteredCarrier, &carrierName, &number, &method, &fromID, &deliverBy, &shipBy, &firstShipped, &value, &currency, &sfj); err != nil {
			return n, err
		}
		if sfj != nil {
			shipFromJSON = *sfj
		}
		noValid := outcome == string(vtr.VerdictInvalid)
		shippedLate := shipBy != 0 && firstShipped > shipBy
		deliveredLate := delivered && !onTime
		if !(noValid || f.ShippedLate && shippedLate || f.DeliveredLate && deliveredLate) {
			continue
		}
		trackingID := number
		if strings.Contains(reasons, string(vtr.TrackingMissing)) || strings.Contains(reasons, string(vtr.TrackingMalformed)) {
			// Amazon's report: "<order-id>-InvalidId" when the tracking
			// information cannot be processed (marketplace-rules.md §8).
			trackingID = orderID + "-InvalidId"
		}
		name := enteredCarrier
		if carrierName != "" {
			name = carrierName
		}
		m, ok := origins[shipFromJSON]
		if !ok {
			m = map[string]string{}
			var sfs []vtr.ShipFrom
			if shipFromJSON != "" {
				if err := json.Unmarshal([]byte(shipFromJSON), &sfs); err != nil {
					return n, fmt.Errorf("report: seller ship_from: %w", err)
				}
			}
			for _, sf := range sfs {
				m[sf.ID] = sf.Country
			}
			if len(sfs) == 1 {
				m[""] = sfs[0].Country
			}
			origins[shipFromJSON] = m
		}
		rec := []string{orderID, name, trackingID, m[fromID], fromUnix(deliverBy).Format("2006-01-02"), method,
			x(noValid), x(shippedLate), x(deliveredLate), vtr.Money{Minor: value, Currency: currency}.Decimal() + " " + currency, cat,
			strings.ReplaceAll(reasons, ",", " "), detected, expl}
		if err := cw.Write(rec); err != nil {
			return n, err
		}
		n++
		if n%1024 == 0 {
			cw.Flush()
			if err := cw.Error(); err != nil {
				return n, err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return n, err
	}
	cw.Flush()
	return n, cw.Error()
}

func x(b bool) string {
	if b {
		return "X"
	}
	return ""
}

// UnknownCodes lists the carrier codes no table classified, most frequent
// first.
func (s *Store) UnknownCodes(ctx context.Context) ([][4]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT source, carrier, code, example, count FROM unknown_codes ORDER BY count DESC, source, carrier, code`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out [][4]string
	for rows.Next() {
		var src, carrier, code, example string
		var n int
		if err := rows.Scan(&src, &carrier, &code, &example, &n); err != nil {
			return nil, err
		}
		out = append(out, [4]string{src + " " + carrier, code, example, fmt.Sprint(n)})
	}
	return out, rows.Err()
}

// Sellers lists the sellers, by ID.
func (s *Store) Sellers(ctx context.Context) ([]vtr.Seller, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT seller_id, name, policies FROM sellers ORDER BY seller_id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []vtr.Seller
	for rows.Next() {
		var sl vtr.Seller
		var pol string
		if err := rows.Scan(&sl.ID, &sl.Name, &pol); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(pol), &sl.Policies); err != nil {
			return nil, fmt.Errorf("seller %s: policies: %w", sl.ID, err)
		}
		out = append(out, sl)
	}
	return out, rows.Err()
}

// LastDay returns the latest inclusion day of any package, or the zero
// time when there is none: the natural "as of" for data that is not live.
func (s *Store) LastDay(ctx context.Context) (time.Time, error) {
	var d sql.NullInt64
	if err := s.db.QueryRowContext(ctx, `SELECT MAX(day) FROM packages`).Scan(&d); err != nil {
		return time.Time{}, err
	}
	if !d.Valid {
		return time.Time{}, nil
	}
	return dayTime(d.Int64), nil
}
