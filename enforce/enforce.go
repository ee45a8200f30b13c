// Package enforce runs the enforcement loop over a store: it evaluates
// every seller group on its policy's cadence from the live aggregates,
// takes plans of action and operators' decisions, and answers which
// groups a seller may self-fulfil. The rules are engine's (pure); the
// state, its audit history and the outgoing webhooks announcing each
// change are written in one transaction (sqlutil.Enforcement.Apply).
package enforce

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/engine"
	"github.com/vtr-project/vtr/internal/sqlutil"
)

// Service is the enforcement loop over one database.
type Service struct {
	Store    vtr.Store
	Policies *vtr.PolicySet
	States   *sqlutil.Enforcement
	// Enqueue queues an outgoing webhook in the change's transaction.
	Enqueue func(context.Context, *sql.Tx, vtr.OutboxEvent) error
	// Now is the wall clock (time.Now when nil): events are stamped when
	// they are written, whatever time an evaluation is as of, so that
	// their retries are timed from then.
	Now func() time.Time
}

func (s *Service) event(typ, sellerID string, data any) (vtr.OutboxEvent, error) {
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	return event(typ, sellerID, now(), data)
}

// Result is what one evaluation run did.
type Result struct {
	Groups      int              `json:"groups"`      // groups looked at
	Evaluated   int              `json:"evaluated"`   // groups due and evaluated
	Transitions []vtr.Transition `json:"transitions"` // state changes made
}

// Evaluate evaluates, as of at, every group of every seller and policy
// that is due on its policy's cadence. Evaluating twice at one time
// changes nothing the second time. A group another evaluator changed
// meanwhile is left to it.
func (s *Service) Evaluate(ctx context.Context, at time.Time) (*Result, error) {
	sellers, err := s.Store.Sellers(ctx)
	if err != nil {
		return nil, err
	}
	res := &Result{Transitions: []vtr.Transition{}}
	for _, sel := range sellers {
		for _, pid := range sel.Policies {
			if err := s.evaluateSeller(ctx, sel.ID, pid, at, res); err != nil {
				return res, fmt.Errorf("seller %s, %s: %w", sel.ID, pid, err)
			}
		}
	}
	return res, nil
}

func (s *Service) evaluateSeller(ctx context.Context, sellerID, policyID string, at time.Time, res *Result) error {
	p, err := s.Policies.Get(policyID)
	if err != nil {
		return err
	}
	rep, err := s.Store.Rate(ctx, sellerID, policyID, at, 0)
	if vtr.ErrorCode(err) == vtr.ENOTFOUND {
		return nil // judged by no package under it yet
	}
	if err != nil {
		return err
	}
	for _, g := range engine.Groups(p, rep) {
		res.Groups++
		k := vtr.GroupKey{SellerID: sellerID, Policy: policyID, Group: g.Group}
		cur, found, err := s.States.State(ctx, k)
		if err != nil {
			return err
		}
		if !found {
			cur = engine.NewEnforcement(k, at)
		}
		if !engine.Due(p, cur, at) {
			continue
		}
		res.Evaluated++
		next, t := engine.Evaluate(p, cur, g.Figures, at)
		if !found {
			cur.Version = 0
		}
		c := &sqlutil.Change{Cur: cur, Next: next, Transition: t}
		if t != nil {
			ev, err := s.event(vtr.EventEnforcementChanged, sellerID, t)
			if err != nil {
				return err
			}
			c.Events = append(c.Events, ev)
		}
		switch err := s.States.Apply(ctx, c, s.Enqueue); {
		case vtr.ErrorCode(err) == vtr.ECONFLICT:
			continue // another evaluator got there first
		case err != nil:
			return err
		}
		if t != nil {
			res.Transitions = append(res.Transitions, *t)
		}
	}
	return nil
}

// event builds an outgoing webhook event with a fresh, stable ID.
func event(typ, sellerID string, at time.Time, data any) (vtr.OutboxEvent, error) {
	b, err := json.Marshal(data)
	if err != nil {
		return vtr.OutboxEvent{}, err
	}
	return vtr.OutboxEvent{ID: "evt_" + randomID(), Type: typ, SellerID: sellerID, At: at.UTC(), Data: b}, nil
}

func randomID() string {
	var b [12]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Submit takes a seller's plan of action for a restricted group.
func (s *Service) Submit(ctx context.Context, k vtr.GroupKey, plan vtr.PlanOfAction, actor string, at time.Time) (*vtr.Appeal, error) {
	p, err := s.Policies.Get(k.Policy)
	if err != nil {
		return nil, err
	}
	cur, found, err := s.States.State(ctx, k)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, vtr.Errorf(vtr.ECONFLICT, "the %s group %q of seller %s is not restricted (never evaluated); only a restricted group takes a plan of action", k.Policy, k.Group, k.SellerID)
	}
	next, t, err := engine.Submit(p, cur, plan, actor, at)
	if err != nil {
		return nil, err
	}
	if plan, err = engine.ValidatePlan(plan); err != nil {
		return nil, err
	}
	t.Figures = s.figures(ctx, p, k, at)
	a := &vtr.Appeal{ID: "apl_" + randomID()[:16], GroupKey: k, Plan: plan, Status: vtr.AppealPending, SubmittedAt: at.UTC(), SubmittedBy: actor}
	t.Note = "plan of action " + a.ID
	ev, err := s.event(vtr.EventEnforcementChanged, k.SellerID, t)
	if err != nil {
		return nil, err
	}
	if err := s.States.Apply(ctx, &sqlutil.Change{Cur: cur, Next: next, Transition: t, Appeal: a, Events: []vtr.OutboxEvent{ev}}, s.Enqueue); err != nil {
		return nil, err
	}
	return a, nil
}

// Decide approves or rejects a pending appeal.
func (s *Service) Decide(ctx context.Context, appealID string, approve bool, note, actor string, at time.Time) (*vtr.Appeal, error) {
	a, err := s.States.Appeal(ctx, appealID)
	if err != nil {
		return nil, err
	}
	if a.Status != vtr.AppealPending {
		return nil, vtr.Errorf(vtr.ECONFLICT, "appeal %s was already %s", a.ID, a.Status)
	}
	p, err := s.Policies.Get(a.Policy)
	if err != nil {
		return nil, err
	}
	cur, _, err := s.States.State(ctx, a.GroupKey)
	if err != nil {
		return nil, err
	}
	next, t, err := engine.Decide(p, cur, approve, note, actor, at)
	if err != nil {
		return nil, err
	}
	t.Figures = s.figures(ctx, p, a.GroupKey, at)
	a.Status, a.DecidedAt, a.DecidedBy, a.Note = vtr.AppealRejected, at.UTC(), actor, note
	if approve {
		a.Status = vtr.AppealApproved
	}
	changed, err := s.event(vtr.EventEnforcementChanged, a.SellerID, t)
	if err != nil {
		return nil, err
	}
	decided, err := s.event(vtr.EventAppealDecided, a.SellerID, a)
	if err != nil {
		return nil, err
	}
	if err := s.States.Apply(ctx, &sqlutil.Change{Cur: cur, Next: next, Transition: t, Appeal: a, Events: []vtr.OutboxEvent{changed, decided}}, s.Enqueue); err != nil {
		return nil, err
	}
	return a, nil
}

// figures are a group's current figures for a transition made by a
// person (a plan, a decision): what the group stood at then. When the
// rate cannot be read, the transition keeps the target alone.
func (s *Service) figures(ctx context.Context, p *vtr.Policy, k vtr.GroupKey, at time.Time) vtr.Figures {
	f := vtr.Figures{Target: p.Target}
	rep, err := s.Store.Rate(ctx, k.SellerID, k.Policy, at, 0)
	if err != nil {
		return f
	}
	for _, g := range engine.Groups(p, rep) {
		if g.Group == k.Group {
			return g.Figures
		}
	}
	return f
}

// Privilege is whether a seller may self-fulfil in a group right now.
type Privilege struct {
	Policy  string               `json:"policy"`
	Group   string               `json:"group"`
	State   vtr.EnforcementState `json:"state"`
	Allowed bool                 `json:"self_fulfil"`
	// Action is what a restriction means on this marketplace.
	Action string `json:"action,omitempty"`
}

// Privileges lists the seller's groups — those with a rate as of at and
// those with an enforcement state — and whether each may self-fulfil:
// what a listing system asks before it accepts an offer.
func (s *Service) Privileges(ctx context.Context, sellerID string, at time.Time) ([]Privilege, error) {
	sel, err := s.Store.Seller(ctx, sellerID)
	if err != nil {
		return nil, err
	}
	states, err := s.States.States(ctx, sellerID)
	if err != nil {
		return nil, err
	}
	seen := map[vtr.GroupKey]vtr.EnforcementState{}
	for _, st := range states {
		seen[st.GroupKey] = st.State
	}
	for _, pid := range sel.Policies {
		p, err := s.Policies.Get(pid)
		if err != nil {
			return nil, err
		}
		rep, err := s.Store.Rate(ctx, sellerID, pid, at, 0)
		if vtr.ErrorCode(err) == vtr.ENOTFOUND {
			continue
		}
		if err != nil {
			return nil, err
		}
		for _, g := range engine.Groups(p, rep) {
			k := vtr.GroupKey{SellerID: sellerID, Policy: pid, Group: g.Group}
			if _, ok := seen[k]; !ok {
				seen[k] = vtr.StateOK
			}
		}
	}
	out := make([]Privilege, 0, len(seen))
	for k, st := range seen {
		pr := Privilege{Policy: k.Policy, Group: k.Group, State: st, Allowed: engine.Privileged(st)}
		if !pr.Allowed {
			if p, err := s.Policies.Get(k.Policy); err == nil {
				pr.Action = p.EnforcementRules().Action
			}
		}
		out = append(out, pr)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Policy != out[j].Policy {
			return out[i].Policy < out[j].Policy
		}
		return out[i].Group < out[j].Group
	})
	return out, nil
}

// Cause is one defect reason found in a group's window, with what to do.
type Cause struct {
	Reason    vtr.Reason `json:"reason"`
	Describe  string     `json:"description"`
	Count     int        `json:"count"`
	Examples  []string   `json:"example_orders"`
	Carriers  []Count    `json:"carriers"`
	ShipFroms []Count    `json:"ship_from_countries"`
	Days      []Count    `json:"days"`
	Suggested string     `json:"suggested_action"`
}

// Count is a key and how many defects it holds.
type Count struct {
	Key   string `json:"key"`
	Count int    `json:"count"`
}

// Draft is a plan of action pre-filled from what vtr found.
type Draft struct {
	vtr.GroupKey
	AsOf    time.Time        `json:"as_of"`
	Figures vtr.Figures      `json:"figures"`
	Causes  []Cause          `json:"root_causes"`
	Plan    vtr.PlanOfAction `json:"plan"`
}

// maxExamples bounds the example orders per reason.
const maxExamples = 5

// Draft finds the root causes of a group's defects in its window as of
// at: each reason with its count, example orders, the carriers, ship-
// from countries and days involved, and a suggested action; the plan's
// text is pre-filled from them for the seller to edit.
func (s *Service) Draft(ctx context.Context, k vtr.GroupKey, at time.Time) (*Draft, error) {
	p, err := s.Policies.Get(k.Policy)
	if err != nil {
		return nil, err
	}
	rep, err := s.Store.Rate(ctx, k.SellerID, k.Policy, at, 0)
	if err != nil {
		return nil, err
	}
	d := &Draft{GroupKey: k, AsOf: at.UTC(), Causes: []Cause{}}
	found := false
	for _, g := range engine.Groups(p, rep) {
		if g.Group == k.Group {
			d.Figures, found = g.Figures, true
		}
	}
	if !found {
		return nil, vtr.Errorf(vtr.ENOTFOUND, "seller %s has no %s group %q as of %s", k.SellerID, k.Policy, k.Group, at.Format(time.DateOnly))
	}
	f := vtr.ReportFilter{SellerID: k.SellerID, Policy: k.Policy, AsOf: at}
	if k.Group != vtr.AccountGroup {
		f.Category = k.Group
	}
	type tally struct {
		c                     *Cause
		carriers, froms, days map[string]int
	}
	by := map[vtr.Reason]*tally{}
	_, err = s.Store.Defects(ctx, f, func(r *vtr.DefectRow) error {
		if !r.NoValidTracking {
			return nil
		}
		for _, reason := range r.Reasons {
			t := by[reason]
			if t == nil {
				t = &tally{c: &Cause{Reason: reason, Describe: reason.Describe(), Suggested: engine.SuggestedAction(reason)},
					carriers: map[string]int{}, froms: map[string]int{}, days: map[string]int{}}
				by[reason] = t
			}
			t.c.Count++
			if len(t.c.Examples) < maxExamples && !slices.Contains(t.c.Examples, r.OrderID) {
				t.c.Examples = append(t.c.Examples, r.OrderID)
			}
			t.carriers[r.CarrierName]++
			t.froms[r.OriginCountry]++
			t.days[r.IncludedOn.Format(time.DateOnly)]++
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, t := range by {
		t.c.Carriers, t.c.ShipFroms, t.c.Days = top(t.carriers), top(t.froms), top(t.days)
		d.Causes = append(d.Causes, *t.c)
	}
	sort.Slice(d.Causes, func(i, j int) bool {
		if d.Causes[i].Count != d.Causes[j].Count {
			return d.Causes[i].Count > d.Causes[j].Count
		}
		return d.Causes[i].Reason < d.Causes[j].Reason
	})
	d.Plan = prefill(d)
	return d, nil
}

// top sorts counts, largest first, and keeps the first ten.
func top(m map[string]int) []Count {
	out := make([]Count, 0, len(m))
	for k, n := range m {
		out = append(out, Count{k, n})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Key < out[j].Key
	})
	if len(out) > 10 {
		out = out[:10]
	}
	return out
}

// prefill writes the plan's first draft from the causes.
func prefill(d *Draft) vtr.PlanOfAction {
	var cause, fixed, prevent strings.Builder
	fmt.Fprintf(&cause, "Valid Tracking Rate for %s: %s.", d.Group, d.Figures)
	for _, c := range d.Causes {
		carriers := make([]string, 0, len(c.Carriers))
		for _, k := range c.Carriers {
			carriers = append(carriers, k.Key)
		}
		fmt.Fprintf(&cause, " %d packages: %s (carriers: %s; e.g. orders %s).", c.Count, c.Describe, strings.Join(carriers, ", "), strings.Join(c.Examples, ", "))
		fmt.Fprintf(&fixed, "%s: %s. ", c.Reason, c.Suggested)
	}
	fmt.Fprint(&prevent, "Every tracking number is checked with vtr before it is uploaded (vtr check / POST /v1/validate), and the Valid Tracking Rate is watched daily per category with an alert at the at-risk line.")
	return vtr.PlanOfAction{RootCause: cause.String(), Fixed: strings.TrimSpace(fixed.String()), Prevention: prevent.String()}
}
