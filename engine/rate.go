package engine

import (
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/vtr-project/vtr"
)

// OrderWindowDays is the longest window of the order-level siblings (the
// 30-day Late Shipment Rate, marketplace-rules.md §10.4): Rate needs the
// order rows (vtr.OrderDayCount) of the OrderWindowDays days ending on the
// window's last day, that is from last-(OrderWindowDays-1) days to last.
const OrderWindowDays = 30

// Sibling windows (marketplace-rules.md §10.4): Late Shipment Rate over 10
// and 30 days, pre-fulfilment cancel rate over 7 days.
const (
	lateShipmentShortDays = 10
	lateShipmentLongDays  = OrderWindowDays
	cancelDays            = 7
)

// epsilon absorbs float noise in target arithmetic (0.95 × 20 is not
// exactly 19 in binary).
const epsilon = 1e-9

// Window returns the UTC days of a policy's rolling window ending on
// asOf's day: first = last - (WindowDays-1) days, last = Day(asOf).
//
// What Rate needs from a store: the daily rows (vtr.DailyCount) of the
// seller and policy from first on, with no upper bound (days after last
// are pending, and those within the what-if horizon feed the what-if);
// and the order rows from last-(OrderWindowDays-1) days to last.
func Window(p *vtr.Policy, asOf time.Time) (first, last time.Time) {
	last = Day(asOf)
	return last.AddDate(0, 0, -(p.WindowDays - 1)), last
}

// Rate computes a seller's rate report under policy p as of asOf from the
// aggregate rows alone (see Window for which rows), whatever the number
// of packages behind them:
//   - counts per category, carrier, ship-from and day over the window,
//     rates valid ÷ (valid + invalid), status bands by Policy.RateStatus;
//   - packages included after asOf's day are pending: counted as such per
//     category, carrier and ship-from, not in any rate;
//   - the siblings of the Shipping Performance page: On-Time Delivery Rate
//     over validly tracked packages, Late Shipment Rate over 10 and 30
//     days, pre-fulfilment cancel rate over 7 days (§10.4), and the 98%
//     VTR + 97% OTDR benefit (§8);
//   - with whatIfDays > 0, a projection per group (category, or the
//     account) whatIfDays ahead: the window moves on, its oldest days
//     leave it and the packages due meanwhile join it at their current
//     outcome.
//
// Rows before the window are ignored. Rate is pure: asOf is the only
// clock.
func Rate(p *vtr.Policy, sellerID string, asOf time.Time, whatIfDays int, daily []vtr.DailyCount, orders []vtr.OrderDayCount) *vtr.RateReport {
	first, last := Window(p, asOf)
	rep := &vtr.RateReport{SellerID: sellerID, Policy: p.ID, AsOf: asOf.UTC(), WindowDays: p.WindowDays, Target: p.Target, GroupBy: p.GroupBy,
		Categories: []vtr.CategoryRate{}, Carriers: []vtr.KeyRate{}, ShipFroms: []vtr.KeyRate{}, Days: []vtr.KeyRate{}, WhatIf: []vtr.WhatIf{}}

	cats, carriers, froms, days := counts{}, counts{}, counts{}, counts{}
	var delivered, onTime int
	var prevDay time.Time // rows come grouped by day: format each day once
	var dayKey string
	for i := range daily {
		r := &daily[i]
		d := Day(r.Day)
		switch {
		case d.Before(first):
			continue
		case d.After(last):
			// Not yet due: pending, whatever it will count as.
			for _, c := range []*vtr.Counts{&rep.Overall, cats.get(r.Category), carriers.get(r.Carrier), froms.get(r.ShipFrom)} {
				c.Pending += r.Valid + r.Invalid + r.Exempt
			}
			continue
		}
		if !d.Equal(prevDay) || dayKey == "" {
			prevDay, dayKey = d, d.Format(time.DateOnly)
		}
		for _, c := range []*vtr.Counts{&rep.Overall, cats.get(r.Category), carriers.get(r.Carrier), froms.get(r.ShipFrom), days.get(dayKey)} {
			c.Valid += r.Valid
			c.Invalid += r.Invalid
			c.Exempt += r.Exempt
		}
		delivered += r.Delivered
		onTime += r.OnTime
	}
	rep.Overall.SetRate()
	rep.Status = p.RateStatus(rateOf(rep.Overall), rep.Overall.Rate != nil)
	for _, k := range cats.keys() {
		c := cats[k]
		c.SetRate()
		rep.Categories = append(rep.Categories, vtr.CategoryRate{Category: k, Counts: *c, Status: p.RateStatus(rateOf(*c), c.Rate != nil)})
	}
	rep.Carriers, rep.ShipFroms, rep.Days = carriers.rates(), froms.rates(), days.rates()

	// Siblings (§10.4) and the benefit (§8).
	rep.OnTimeDelivery = ratio(p.WindowDays, onTime, delivered, p.OnTimeDeliveryTarget, true)
	rep.LateShipment10 = orderRatio(orders, "ship", lateShipmentShortDays, last, p.LateShipmentTarget)
	rep.LateShipment30 = orderRatio(orders, "ship", lateShipmentLongDays, last, p.LateShipmentTarget)
	rep.Cancel7 = orderRatio(orders, "order", cancelDays, last, p.CancelRateTarget)
	if p.BenefitVTR > 0 {
		rep.BenefitEligible = rep.Overall.Rate != nil && *rep.Overall.Rate >= p.BenefitVTR &&
			rep.OnTimeDelivery.Rate != nil && *rep.OnTimeDelivery.Rate >= p.BenefitOTDR
	}

	if whatIfDays > 0 {
		rep.WhatIf = projections(p, rep, daily, first, last, whatIfDays)
	}
	return rep
}

// projections moves the window whatIfDays ahead: it then covers the days
// from first+whatIfDays to last+whatIfDays, counted days and pending ones
// alike.
func projections(p *vtr.Policy, rep *vtr.RateReport, daily []vtr.DailyCount, first, last time.Time, whatIfDays int) []vtr.WhatIf {
	from, to := first.AddDate(0, 0, whatIfDays), last.AddDate(0, 0, whatIfDays)
	const account = "(account)"
	projected := counts{}
	for i := range daily {
		r := &daily[i]
		if d := Day(r.Day); d.Before(from) || d.After(to) {
			continue
		}
		key := r.Category
		if p.GroupBy == "account" {
			key = account
		}
		c := projected.get(key)
		c.Valid += r.Valid
		c.Invalid += r.Invalid
	}
	groups := []string{account}
	if p.GroupBy != "account" {
		groups = groups[:0]
		for _, c := range rep.Categories {
			groups = append(groups, c.Category)
		}
	}
	out := []vtr.WhatIf{}
	for _, g := range groups {
		var v, i int
		if c := projected[g]; c != nil {
			v, i = c.Valid, c.Invalid
		}
		out = append(out, whatIf(p, g, whatIfDays, v, i))
	}
	return out
}

// whatIf projects one group with v valid and i invalid packages in the
// moved window. d more of the valid ones turning into defects keeps the
// rate at or above the target while (v-d)/(v+i) ≥ target, so the group
// can absorb floor(v - target×(v+i)) more defects. When that is 0 (on
// the line) or negative (below), MaxDefects is 0 and NeedValid says how
// many validly tracked packages would make room for one defect, or bring
// the group back to the target.
func whatIf(p *vtr.Policy, group string, days, v, i int) vtr.WhatIf {
	w := vtr.WhatIf{Category: group, Days: days, ProjectedStatus: p.RateStatus(0, false)}
	n := v + i
	if n == 0 {
		w.Message = fmt.Sprintf("%s: no packages are projected in the window in %d days.", group, days)
		return w
	}
	rate := float64(v) / float64(n)
	w.ProjectedRate, w.ProjectedStatus = &rate, p.RateStatus(rate, true)
	slack := float64(v) - p.Target*float64(n) // packages above the target line
	d := int(math.Floor(slack + epsilon))
	pct := percent(p.Target)
	switch {
	case d > 0:
		w.MaxDefects = d
		w.Message = fmt.Sprintf("No more than %d more defect(s) among the packages due in the next %d days keeps %s at or above %s.", d, days, group, pct)
	case d == 0:
		need, ok := needValid(p.Target, slack, 1)
		if !ok {
			w.Message = fmt.Sprintf("%s sits on the %s line in %d days: one more defect takes it below.", group, pct, days)
			break
		}
		w.NeedValid = need
		w.Message = fmt.Sprintf("%s sits on the %s line in %d days: one more defect takes it below; %d more validly tracked package(s) would let it absorb one.",
			group, pct, days, need)
	default:
		need, ok := needValid(p.Target, slack, 0)
		if !ok {
			w.Message = fmt.Sprintf("%s is projected below %s in %d days (%s): it absorbs no defect, and at a %s target no number of valid packages brings it back until its defects leave the window.",
				group, pct, days, percent(rate), pct)
			break
		}
		w.NeedValid = need
		w.Message = fmt.Sprintf("%s is projected below %s in %d days (%s): it absorbs no defect, and needs %d more validly tracked package(s), with no new defect, to get back to %s.",
			group, pct, days, percent(rate), need, pct)
	}
	return w
}

// needValid returns the fewest k ≥ 0 validly tracked packages that raise
// the slack above the target line to at least room: slack + k×(1-target)
// ≥ room. ok is false when no number does (a 100% target).
func needValid(target, slack float64, room int) (int, bool) {
	if target >= 1 {
		return 0, false
	}
	k := max(0, int(math.Ceil((float64(room)-slack-epsilon)/(1-target))))
	for k > 0 && slack+float64(k-1)*(1-target)+epsilon >= float64(room) {
		k--
	}
	for slack+float64(k)*(1-target)+epsilon < float64(room) {
		k++
	}
	return k, true
}

func percent(x float64) string { return fmt.Sprintf("%.4g%%", x*100) }

// ratio builds a sibling metric; atLeast says whether the target is a
// floor (on-time delivery) or a ceiling (late shipments, cancellations).
// A target of 0 is no target, never "anything above 0 fails": the policy
// states none (eBay, TikTok Shop and Etsy publish no sibling targets).
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

// orderRatio sums the order rows of a kind over the days days ending on
// last.
func orderRatio(orders []vtr.OrderDayCount, kind string, days int, last time.Time, target float64) vtr.Ratio {
	from := last.AddDate(0, 0, -days)
	var total, hits int
	for i := range orders {
		o := &orders[i]
		if d := Day(o.Day); o.Kind == kind && d.After(from) && !d.After(last) {
			total += o.Total
			hits += o.Hits
		}
	}
	return ratio(days, hits, total, target, false)
}

func rateOf(c vtr.Counts) float64 {
	if c.Rate == nil {
		return 0
	}
	return *c.Rate
}

// counts are package counts by key.
type counts map[string]*vtr.Counts

func (m counts) get(k string) *vtr.Counts {
	c := m[k]
	if c == nil {
		c = &vtr.Counts{}
		m[k] = c
	}
	return c
}

func (m counts) keys() []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func (m counts) rates() []vtr.KeyRate {
	out := []vtr.KeyRate{}
	for _, k := range m.keys() {
		c := m[k]
		c.SetRate()
		out = append(out, vtr.KeyRate{Key: k, Counts: *c})
	}
	return out
}
