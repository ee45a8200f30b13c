package web

import (
	"math"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/internal/sqlutil"
)

// operatorPage is the console: every seller by risk, the groups that
// need the operator, plans of action to decide, the policies in force,
// unclassified carrier codes and failed webhook deliveries.
type operatorPage struct {
	AsOf         time.Time
	AsOfNote     string
	Sellers      []sellerRisk
	Groups       []vtr.Enforcement
	Appeals      []appealView
	Policies     []*vtr.Policy
	Unclassified []vtr.UnknownCode
	Failed       []vtr.Delivery
}

// sellerRisk is a seller's standing under one policy.
type sellerRisk struct {
	SellerID, Name, Policy string
	Rate                   *float64
	Target                 float64
	Status                 string
	Valid, Invalid         int
	Worst                  string // the lowest category and its rate
	margin                 float64
}

// appealView is a pending plan of action with the group's figures.
type appealView struct {
	vtr.Appeal
	Rate           *float64
	Target         float64
	Valid, Invalid int
	Status         string
}

// maxFailedDeliveries is how many failed deliveries the console lists.
const maxFailedDeliveries = 50

func (p *pages) operator(w http.ResponseWriter, r *http.Request, ss *sqlutil.Session) error {
	if err := noQueryBut(r, "as_of"); err != nil {
		return err
	}
	ctx := r.Context()
	op := &operatorPage{Policies: p.s.cfg.Policies.All()}
	var err error
	if op.AsOf, op.AsOfNote, err = p.asOf(r, ""); err != nil {
		return err
	}
	sellers, err := p.s.cfg.Store.Sellers(ctx)
	if err != nil {
		return err
	}
	reports := map[[2]string]*vtr.RateReport{}
	for _, sel := range sellers {
		for _, pid := range sel.Policies {
			rep, err := p.s.cfg.Store.Rate(ctx, sel.ID, pid, op.AsOf, 0)
			if vtr.ErrorCode(err) == vtr.ENOTFOUND {
				continue
			}
			if err != nil {
				return err
			}
			reports[[2]string{sel.ID, pid}] = rep
			sr := sellerRisk{SellerID: sel.ID, Name: sel.Name, Policy: pid, Rate: rep.Overall.Rate, Target: rep.Target, Status: rep.Status,
				Valid: rep.Overall.Valid, Invalid: rep.Overall.Invalid, margin: math.Inf(1)}
			if rep.Overall.Rate != nil {
				sr.margin = *rep.Overall.Rate - rep.Target
			}
			var worst *float64
			for _, c := range rep.Categories {
				if c.Rate != nil && (worst == nil || *c.Rate < *worst) {
					worst, sr.Worst = c.Rate, c.Category+" "+pct(c.Rate)
				}
			}
			op.Sellers = append(op.Sellers, sr)
		}
	}
	sort.SliceStable(op.Sellers, func(i, j int) bool {
		a, b := op.Sellers[i], op.Sellers[j]
		if a.margin != b.margin {
			return a.margin < b.margin
		}
		return a.SellerID < b.SellerID
	})
	states, err := p.s.cfg.Enforce.States.AllStates(ctx)
	if err != nil {
		return err
	}
	for _, st := range states {
		if st.State == vtr.StateRestricted || st.State == vtr.StateAppealPending {
			op.Groups = append(op.Groups, st)
		}
	}
	appeals, err := p.s.cfg.Enforce.States.Appeals(ctx, "", vtr.AppealPending)
	if err != nil {
		return err
	}
	for _, a := range appeals {
		av := appealView{Appeal: a}
		if rep := reports[[2]string{a.SellerID, a.Policy}]; rep != nil {
			av.Target = rep.Target
			if a.Group == vtr.AccountGroup {
				av.Rate, av.Valid, av.Invalid, av.Status = rep.Overall.Rate, rep.Overall.Valid, rep.Overall.Invalid, rep.Status
			}
			for _, c := range rep.Categories {
				if strings.EqualFold(c.Category, a.Group) {
					av.Rate, av.Valid, av.Invalid, av.Status = c.Rate, c.Valid, c.Invalid, c.Status
				}
			}
		}
		op.Appeals = append(op.Appeals, av)
	}
	if op.Unclassified, err = p.s.cfg.Store.Unclassified(ctx); err != nil {
		return err
	}
	if p.s.cfg.Outbox != nil {
		if op.Failed, err = p.s.cfg.Outbox.Deliveries(ctx, vtr.DeliveryFailed, maxFailedDeliveries); err != nil {
			return err
		}
	}
	return p.render(w, r, http.StatusOK, "operator", &page{Title: "Operator console", Active: "operator", Key: &ss.Key, CSRF: ss.CSRF, Body: op})
}

// decide approves or rejects a plan of action (enforce.Service.Decide);
// a rejection needs a note.
func (p *pages) decide(w http.ResponseWriter, r *http.Request, ss *sqlutil.Session) error {
	d := r.PostFormValue("decision")
	if d != "approve" && d != "reject" {
		return vtr.FieldErrorf(vtr.EINVALID, "decision", "%q is not approve or reject", d)
	}
	if _, err := p.s.cfg.Enforce.Decide(r.Context(), r.PathValue("appeal"), d == "approve", strings.TrimSpace(r.PostFormValue("note")), "key:"+ss.Key.ID, p.s.now()); err != nil {
		return err
	}
	http.Redirect(w, r, "/operator", http.StatusSeeOther)
	return nil
}
