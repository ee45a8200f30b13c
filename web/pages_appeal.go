package web

import (
	"net/http"
	"time"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/enforce"
	"github.com/vtr-project/vtr/internal/sqlutil"
)

// appealPage is the plan of action: the restricted groups, a group's
// pre-filled form with its root causes, and its appeals.
type appealPage struct {
	Seller   *vtr.Seller
	AsOf     time.Time
	AsOfNote string
	Policy   string
	Group    string
	// Groups lists the seller's restricted and appeal_pending groups
	// (the page without a group).
	Groups []groupView
	State  vtr.EnforcementState
	Draft  *enforce.Draft
	// Plan is what the form shows: the draft, or what was posted.
	Plan    vtr.PlanOfAction
	Appeals []vtr.Appeal
	Error   string
}

// appealForm shows the plan of action for ?policy=&group=, or the
// groups that need one.
func (p *pages) appealForm(w http.ResponseWriter, r *http.Request, ss *sqlutil.Session) error {
	sel, err := p.seller(r, ss)
	if err != nil {
		return err
	}
	q, err := query(r, "policy", "group", "as_of")
	if err != nil {
		return err
	}
	ap := &appealPage{Seller: sel, Policy: q["policy"], Group: q["group"]}
	if ap.AsOf, ap.AsOfNote, err = p.asOf(r, sel.ID); err != nil {
		return err
	}
	if err := p.fillAppeal(r, ap, nil); err != nil {
		return err
	}
	return p.renderAppeal(w, r, ss, http.StatusOK, ap)
}

func (p *pages) renderAppeal(w http.ResponseWriter, r *http.Request, ss *sqlutil.Session, status int, ap *appealPage) error {
	return p.render(w, r, status, "appeal", &page{Title: "Plan of action · " + ap.Seller.ID, Active: "appeal", Key: &ss.Key, SellerID: ap.Seller.ID, CSRF: ss.CSRF, Body: ap})
}

// fillAppeal reads the group's state, its draft when it is restricted,
// and its appeals; plan, when given, is what the seller posted.
func (p *pages) fillAppeal(r *http.Request, ap *appealPage, plan *vtr.PlanOfAction) error {
	ctx := r.Context()
	enf := p.s.cfg.Enforce
	if ap.Policy == "" || ap.Group == "" {
		privs, err := enf.Privileges(ctx, ap.Seller.ID, ap.AsOf)
		if err != nil {
			return err
		}
		for _, pr := range privs {
			if pr.State == vtr.StateRestricted || pr.State == vtr.StateAppealPending {
				ap.Groups = append(ap.Groups, groupView{Privilege: pr, Next: nextStep(pr.State), AppealURL: appealURL(ap.Seller.ID, pr.Policy, pr.Group)})
			}
		}
		as, err := enf.States.Appeals(ctx, ap.Seller.ID, "")
		ap.Appeals = as
		return err
	}
	k := vtr.GroupKey{SellerID: ap.Seller.ID, Policy: ap.Policy, Group: ap.Group}
	st, found, err := enf.States.State(ctx, k)
	if err != nil {
		return err
	}
	ap.State = vtr.StateOK
	if found {
		ap.State = st.State
	}
	if ap.State == vtr.StateRestricted {
		d, err := enf.Draft(ctx, k, ap.AsOf)
		if err != nil && vtr.ErrorCode(err) != vtr.ENOTFOUND {
			return err
		}
		ap.Draft = d
		if d != nil {
			ap.Plan = d.Plan
		}
	}
	if plan != nil {
		ap.Plan = *plan
	}
	all, err := enf.States.Appeals(ctx, ap.Seller.ID, "")
	if err != nil {
		return err
	}
	for _, a := range all {
		if a.Policy == ap.Policy && a.Group == ap.Group {
			ap.Appeals = append(ap.Appeals, a)
		}
	}
	return nil
}

// appeal submits the plan of action (enforce.Service.Submit), then shows
// the group with its appeal's status.
func (p *pages) appeal(w http.ResponseWriter, r *http.Request, ss *sqlutil.Session) error {
	sel, err := p.seller(r, ss)
	if err != nil {
		return err
	}
	ap := &appealPage{Seller: sel, Policy: r.PostFormValue("policy"), Group: r.PostFormValue("group")}
	if ap.Policy == "" || ap.Group == "" {
		return vtr.Errorf(vtr.EINVALID, "the form names no policy and group")
	}
	plan := vtr.PlanOfAction{RootCause: r.PostFormValue("root_cause"), Fixed: r.PostFormValue("fixed"), Prevention: r.PostFormValue("prevention")}
	_, err = p.s.cfg.Enforce.Submit(r.Context(), vtr.GroupKey{SellerID: sel.ID, Policy: ap.Policy, Group: ap.Group}, plan, "key:"+ss.Key.ID, p.s.now())
	if c := vtr.ErrorCode(err); c == vtr.EINVALID || c == vtr.ECONFLICT {
		// Shown on the form, with what was typed kept.
		ap.Error = vtr.ErrorMessage(err)
		if ap.AsOf, ap.AsOfNote, err = p.asOf(r, sel.ID); err != nil {
			return err
		}
		if err := p.fillAppeal(r, ap, &plan); err != nil {
			return err
		}
		return p.renderAppeal(w, r, ss, status(c), ap)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, appealURL(sel.ID, ap.Policy, ap.Group), http.StatusSeeOther)
	return nil
}
