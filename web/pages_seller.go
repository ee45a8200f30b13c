package web

import (
	"context"
	"html/template"
	"math"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/enforce"
	"github.com/vtr-project/vtr/ingest"
	"github.com/vtr-project/vtr/internal/sqlutil"
)

// sellerPage is Shipping Performance: the seller's figures per policy.
type sellerPage struct {
	Seller   *vtr.Seller
	AsOf     time.Time
	AsOfNote string
	Policies []*policyView
}

// policyView is one policy's part of the page.
type policyView struct {
	ID, Name   string
	Target     float64
	Missing    bool // no package judged under it yet
	Report     *vtr.RateReport
	Cards      []card
	Groups     []groupView
	WhatIf     []whatIfRow
	Trends     []trend
	Reasons    []reasonCount
	ReasonsSVG template.HTML
}

// card is a sibling metric's card.
type card struct {
	Label, Value, Target, Sub, Class string
}

// groupView is a group's enforcement state and what to do next.
type groupView struct {
	enforce.Privilege
	Since     time.Time
	Next      string
	AppealURL string
}

// whatIfRow is a category's projection 7 and 30 days ahead.
type whatIfRow struct {
	Category    string
	Week, Month *vtr.WhatIf
	Status      string
}

// trend is a category's 30-day chart.
type trend struct {
	Category string
	SVG      template.HTML
}

// trendDays is how many days the trend charts show.
const trendDays = 30

// sellerHome renders Shipping Performance.
func (p *pages) sellerHome(w http.ResponseWriter, r *http.Request, ss *sqlutil.Session) error {
	sel, err := p.seller(r, ss)
	if err != nil {
		return err
	}
	if err := noQueryBut(r, "as_of"); err != nil {
		return err
	}
	at, note, err := p.asOf(r, sel.ID)
	if err != nil {
		return err
	}
	sp := &sellerPage{Seller: sel, AsOf: at, AsOfNote: note}
	ctx := r.Context()
	privs, err := p.s.cfg.Enforce.Privileges(ctx, sel.ID, at)
	if err != nil {
		return err
	}
	states, err := p.s.cfg.Enforce.States.States(ctx, sel.ID)
	if err != nil {
		return err
	}
	since := map[vtr.GroupKey]time.Time{}
	for _, st := range states {
		since[st.GroupKey] = st.Since
	}
	for _, pid := range sel.Policies {
		pv, err := p.policyView(ctx, sel.ID, pid, at)
		if err != nil {
			return err
		}
		for _, pr := range privs {
			if pr.Policy == pid {
				pv.Groups = append(pv.Groups, groupView{Privilege: pr, Since: since[vtr.GroupKey{SellerID: sel.ID, Policy: pid, Group: pr.Group}],
					Next: nextStep(pr.State), AppealURL: appealURL(sel.ID, pid, pr.Group)})
			}
		}
		sp.Policies = append(sp.Policies, pv)
	}
	return p.render(w, r, http.StatusOK, "seller", &page{Title: "Shipping Performance · " + sel.ID, Active: "performance",
		Key: &ss.Key, SellerID: sel.ID, CSRF: ss.CSRF, Body: sp})
}

func appealURL(seller, policy, group string) string {
	return "/sellers/" + url.PathEscape(seller) + "/appeal?" + url.Values{"policy": {policy}, "group": {group}}.Encode()
}

// nextStep says what a group's state asks of the seller.
func nextStep(st vtr.EnforcementState) string {
	switch st {
	case vtr.StateRestricted:
		return "Restricted: submit a plan of action to have it reinstated."
	case vtr.StateAppealPending:
		return "Plan of action submitted: waiting for the operator."
	case vtr.StateAtRisk:
		return "At risk: fix the causes on the Defects page before the next evaluation."
	case vtr.StateReinstated:
		return "Reinstated after an approved plan of action."
	}
	return "Nothing to do."
}

// policyView reads one policy's figures: the rate with the 7- and
// 30-day what-ifs, the trend, and the defects by reason.
func (p *pages) policyView(ctx context.Context, sellerID, pid string, at time.Time) (*policyView, error) {
	pol, err := p.s.cfg.Policies.Get(pid)
	if err != nil {
		return nil, err
	}
	pv := &policyView{ID: pid, Name: pol.Name, Target: pol.Target}
	// The rate with its 7- and 30-day projections and the trend's days,
	// from one read of the aggregates.
	day0 := at.UTC().Truncate(24 * time.Hour)
	qs := []ingest.RateAt{{AsOf: at, WhatIfDays: 7}, {AsOf: at, WhatIfDays: 30}}
	days := make([]time.Time, trendDays)
	for i := range trendDays {
		days[i] = day0.AddDate(0, 0, i-trendDays+1)
		asOf := days[i].Add(24*time.Hour - time.Second)
		if asOf.After(at) {
			asOf = at
		}
		qs = append(qs, ingest.RateAt{AsOf: asOf})
	}
	reps, err := p.s.cfg.Store.Rates(ctx, sellerID, pid, qs)
	if vtr.ErrorCode(err) == vtr.ENOTFOUND {
		pv.Missing = true
		return pv, nil
	}
	if err != nil {
		return nil, err
	}
	rep, month := reps[0], reps[1]
	pv.Report = rep
	pv.Cards = []card{
		ratioCard("Late Shipment Rate (10 days)", rep.LateShipment10, true),
		ratioCard("Late Shipment Rate (30 days)", rep.LateShipment30, true),
		ratioCard("On-Time Delivery Rate", rep.OnTimeDelivery, false),
		ratioCard("Pre-fulfilment cancel rate", rep.Cancel7, true),
	}
	byCat := map[string]*whatIfRow{}
	var order []*whatIfRow
	row := func(cat string) *whatIfRow {
		k := strings.ToLower(cat)
		if byCat[k] == nil {
			byCat[k] = &whatIfRow{Category: cat}
			order = append(order, byCat[k])
		}
		return byCat[k]
	}
	for _, c := range rep.Categories {
		row(c.Category).Status = c.Status
	}
	for i := range rep.WhatIf {
		row(rep.WhatIf[i].Category).Week = &rep.WhatIf[i]
	}
	for i := range month.WhatIf {
		row(month.WhatIf[i].Category).Month = &month.WhatIf[i]
	}
	for _, r := range order {
		pv.WhatIf = append(pv.WhatIf, *r)
	}

	series := trendSeries(days, reps[2:])
	for _, c := range rep.Categories {
		pv.Trends = append(pv.Trends, trend{Category: c.Category, SVG: trendSVG(c.Category+" over 30 days", series[c.Category], pol.Target)})
	}

	counts, err := p.s.cfg.Store.ReasonCounts(ctx, sellerID, pid, at)
	if err != nil {
		return nil, err
	}
	for x, n := range counts {
		pv.Reasons = append(pv.Reasons, reasonCount{x, n})
	}
	sort.Slice(pv.Reasons, func(i, j int) bool {
		if pv.Reasons[i].Count != pv.Reasons[j].Count {
			return pv.Reasons[i].Count > pv.Reasons[j].Count
		}
		return pv.Reasons[i].Reason < pv.Reasons[j].Reason
	})
	pv.ReasonsSVG = reasonsSVG(pv.Reasons)
	return pv, nil
}

// trendSeries turns the rates as of the end of each trend day into each
// category's points.
func trendSeries(days []time.Time, reps []*vtr.RateReport) map[string][]trendPoint {
	out := map[string][]trendPoint{}
	for i, rep := range reps {
		for _, c := range rep.Categories {
			if out[c.Category] == nil {
				out[c.Category] = make([]trendPoint, len(days))
				for j := range out[c.Category] {
					out[c.Category][j].Day = days[j]
				}
			}
			out[c.Category][i].Rate = c.Rate
		}
	}
	return out
}

// ratioCard shows a sibling metric; lower is better for rates of bad
// events (late shipments, cancellations).
func ratioCard(label string, r vtr.Ratio, lowerIsBetter bool) card {
	c := card{Label: label, Value: pct(r.Rate), Class: "none"}
	c.Sub = strconv.Itoa(r.Hits) + " of " + strconv.Itoa(r.Total) + " over " + strconv.Itoa(r.WindowDays) + " days"
	switch {
	case r.Target == 0:
		c.Target = "no target under this policy"
	case lowerIsBetter:
		c.Target = "target under " + pctTarget(r.Target)
	default:
		c.Target = "target " + pctTarget(r.Target) + " or more"
	}
	if r.Rate != nil && r.Target != 0 {
		c.Class = "ok"
		if !r.Meets {
			c.Class = "bad"
		}
	}
	return c
}

// pctTarget formats a target as a percentage without trailing zeros.
func pctTarget(f float64) string {
	return strconv.FormatFloat(math.Round(f*10000)/100, 'f', -1, 64) + "%"
}

// noQueryBut refuses query parameters a page does not know (a misspelt
// filter must not silently widen what is shown).
func noQueryBut(r *http.Request, allowed ...string) error {
	_, err := query(r, allowed...)
	return err
}
