package engine

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/vtr-project/vtr"
)

// The enforcement state machine: the marketplaces' warn-then-enforce loop
// (marketplace-rules.md §3, §12) as pure functions of a group's current
// state, the figures of an evaluation and an explicit time.
//
//	ok ⇄ at_risk → restricted → appeal_pending → reinstated → ok/at_risk/restricted
//	                    ↑______________| (rejected)
//
// Amazon: "Below 95% in a category, seller-fulfilled selling privileges in
// that category may be suspended or removed … Reinstatement is by Plan of
// Action" (§3). Nothing but an approved plan of action ends a restriction:
// Evaluate never moves a restricted or appeal_pending group, Submit moves
// restricted to appeal_pending, Decide moves appeal_pending to reinstated
// or back to restricted.
//
// The functions return the next state and, when the state changes, the
// transition to append to the group's audit history. They never change
// Version (stores compare and set on it and increase it) nor number
// transitions (Seq is the store's).

// GroupFigures is one group a rate report evaluates and what the
// evaluation sees of it.
type GroupFigures struct {
	Group   string
	Figures vtr.Figures
}

// Groups returns the groups a rate report evaluates under its policy: each
// category for a "category" policy (Amazon measures VTR "on a category
// level", §3), the whole account (vtr.AccountGroup) with the overall counts
// otherwise. A category with nothing in the window is not in the report
// and so not returned; its group, if one exists, keeps its state (as a
// group with nothing counted does under Evaluate).
func Groups(p *vtr.Policy, r *vtr.RateReport) []GroupFigures {
	from, to := Window(p, r.AsOf)
	figures := func(c vtr.Counts) vtr.Figures {
		f := vtr.Figures{Valid: c.Valid, Invalid: c.Invalid, Target: p.Target, WindowFrom: from, WindowTo: to}
		if c.Rate != nil {
			rate := *c.Rate
			f.Rate = &rate
		}
		return f
	}
	if p.GroupBy != "category" {
		return []GroupFigures{{Group: vtr.AccountGroup, Figures: figures(r.Overall)}}
	}
	out := make([]GroupFigures, 0, len(r.Categories))
	for _, c := range r.Categories {
		out = append(out, GroupFigures{Group: c.Category, Figures: figures(c.Counts)})
	}
	return out
}

// NewEnforcement returns a group's state before its first evaluation: ok
// since at, never evaluated.
func NewEnforcement(k vtr.GroupKey, at time.Time) vtr.Enforcement {
	return vtr.Enforcement{GroupKey: k, State: vtr.StateOK, Since: at.UTC()}
}

// Privileged reports whether a group in state s may self-fulfil now: what
// a marketplace's listing system asks before it accepts an offer. A
// restricted group may not, nor one whose plan of action is still pending
// (§3: privileges stay suspended until the appeal is approved); ok,
// at_risk (a warning only), reinstated and a group with no state yet may.
func Privileged(s vtr.EnforcementState) bool {
	switch s {
	case "", vtr.StateOK, vtr.StateAtRisk, vtr.StateReinstated:
		return true
	}
	return false
}

// Due reports whether a group is evaluated at time at under the policy's
// cadence (Amazon refreshes the metric every 72 hours, §2): when it was
// never evaluated, or at is at least a cadence after its last evaluation.
// Never for restricted and appeal_pending groups (only a plan of action
// moves them, §3), nor for a reinstated group before its GraceUntil, nor
// at a time before the group entered its state.
func Due(p *vtr.Policy, cur vtr.Enforcement, at time.Time) bool {
	switch {
	case cur.State == vtr.StateRestricted || cur.State == vtr.StateAppealPending:
		return false
	case cur.State == vtr.StateReinstated && at.Before(cur.GraceUntil):
		return false
	case at.Before(cur.Since):
		return false
	case cur.Evaluated.IsZero():
		return true
	}
	cadence := time.Duration(p.EnforcementRules().CadenceHours) * time.Hour
	return !at.Before(cur.Evaluated.Add(cadence))
}

// Evaluate applies one evaluation at time at of a group whose figures over
// the policy's window are f. When the group is not Due it returns cur and
// no transition, so evaluating twice at one time changes nothing the
// second time. Otherwise Evaluated becomes at and, with the rate computed
// from the counts (f.Valid ÷ (f.Valid+f.Invalid)) and banded by
// Policy.RateStatus:
//   - nothing counted (f.Valid+f.Invalid == 0): the group stays as it was;
//   - rate below target: one more evaluation below (Below+1); at the
//     policy's ConsecutiveBelow-th in a row the group is restricted (1 for
//     the marketplaces: Amazon §3, Walmart §12.2, TikTok §12.5; Mirakl
//     operators warn first, §12.7), before it at_risk, a warning;
//   - at or above target but within the at-risk margin: at_risk (Amazon
//     e-mails when a metric falls "from green to yellow", §3), Below 0;
//   - otherwise ok, Below 0.
//
// A reinstated group past its grace is evaluated by the same rules. The
// transition, returned only when the state changes, carries the figures
// and, for a restriction, the policy's Action and Source.
func Evaluate(p *vtr.Policy, cur vtr.Enforcement, f vtr.Figures, at time.Time) (next vtr.Enforcement, t *vtr.Transition) {
	if !Due(p, cur, at) {
		return cur, nil
	}
	at = at.UTC()
	next = cur
	next.Evaluated = at
	n := f.Valid + f.Invalid
	if n <= 0 {
		return next, nil
	}
	rate := float64(f.Valid) / float64(n)
	if f.Rate == nil {
		f.Rate = &rate
	}
	if f.Target == 0 {
		f.Target = p.Target
	}
	rules := p.EnforcementRules()
	var why string
	switch p.RateStatus(rate, true) {
	case vtr.RateBelowTarget:
		next.Below = cur.Below + 1
		if next.Below >= rules.ConsecutiveBelow {
			next.State = vtr.StateRestricted
			why = RuleText(rules)
		} else {
			next.State = vtr.StateAtRisk
			why = fmt.Sprintf("%s is below the %s target (%d of %d evaluations in a row before a restriction)",
				percent(rate), percent(p.Target), next.Below, rules.ConsecutiveBelow)
		}
	case vtr.RateAtRisk:
		next.State, next.Below = vtr.StateAtRisk, 0
		why = fmt.Sprintf("%s is within the at-risk margin above the %s target", percent(rate), percent(p.Target))
	default:
		next.State, next.Below = vtr.StateOK, 0
		why = fmt.Sprintf("%s is at or above %s", percent(rate), percent(p.Target+p.AtRiskMargin))
	}
	if next.State == cur.State {
		return next, nil
	}
	next.Since = at
	return next, &vtr.Transition{GroupKey: cur.GroupKey, From: cur.State, To: next.State, At: at,
		Actor: vtr.ActorSystem, Figures: f, Rule: why}
}

// RuleText is the Rule of a restriction: what it means on the marketplace
// and the rule it cites.
func RuleText(r vtr.EnforcementRule) string {
	if r.Source == "" {
		return r.Action
	}
	return r.Action + " (" + r.Source + ")"
}

// ValidatePlan checks a plan of action and returns it trimmed, the form to
// store: root cause, what was fixed and how it is prevented are each
// required (Amazon asks a Plan of Action for all three, §3) and at most
// vtr.MaxPlanText characters. The error names the field.
func ValidatePlan(plan vtr.PlanOfAction) (vtr.PlanOfAction, error) {
	for _, part := range []struct {
		field string
		text  *string
	}{{"root_cause", &plan.RootCause}, {"fixed", &plan.Fixed}, {"prevention", &plan.Prevention}} {
		s := strings.TrimSpace(*part.text)
		if err := boundedText(part.field, s, true); err != nil {
			return vtr.PlanOfAction{}, err
		}
		*part.text = s
	}
	return plan, nil
}

// planQuestions says what each part of a plan of action answers.
var planQuestions = map[string]string{
	"root_cause": "why the tracking was not valid",
	"fixed":      "what was fixed",
	"prevention": "how it is prevented from happening again",
	"note":       "what the plan of action lacks",
}

func boundedText(field, s string, required bool) error {
	switch {
	case required && s == "":
		return vtr.FieldErrorf(vtr.EINVALID, field, "%s: required: say %s", field, planQuestions[field])
	case !utf8.ValidString(s):
		return vtr.FieldErrorf(vtr.EINVALID, field, "%s: not valid UTF-8 text", field)
	case utf8.RuneCountInString(s) > vtr.MaxPlanText:
		return vtr.FieldErrorf(vtr.EINVALID, field, "%s: %d characters, at most %d", field, utf8.RuneCountInString(s), vtr.MaxPlanText)
	}
	return nil
}

// Submit records a seller's (or an operator's on its behalf) plan of
// action for a restricted group: restricted → appeal_pending (§3:
// "Reinstatement is by Plan of Action"). Only a restricted group takes a
// plan (ECONFLICT otherwise); the plan is checked by ValidatePlan. actor
// is the key that submitted it ("key:<id>").
func Submit(p *vtr.Policy, cur vtr.Enforcement, plan vtr.PlanOfAction, actor string, at time.Time) (next vtr.Enforcement, t *vtr.Transition, err error) {
	if cur.State != vtr.StateRestricted {
		return cur, nil, vtr.Errorf(vtr.ECONFLICT, "%s is %s: only a restricted group takes a plan of action", describeGroup(cur.GroupKey), stateName(cur.State))
	}
	if _, err := ValidatePlan(plan); err != nil {
		return cur, nil, err
	}
	return change(p, cur, vtr.StateAppealPending, "", actor, at)
}

// Decide records an operator's decision on a group's pending plan of
// action: approved → reinstated, left alone for the policy's GraceDays
// (GraceUntil = at + GraceDays) with its count of evaluations below target
// reset; rejected → restricted again, with a note saying what the plan
// lacks (required). Only an appeal_pending group takes a decision
// (ECONFLICT otherwise). The note, trimmed, goes in the transition.
func Decide(p *vtr.Policy, cur vtr.Enforcement, approve bool, note, actor string, at time.Time) (next vtr.Enforcement, t *vtr.Transition, err error) {
	if cur.State != vtr.StateAppealPending {
		return cur, nil, vtr.Errorf(vtr.ECONFLICT, "%s is %s: only a group with a pending plan of action takes a decision", describeGroup(cur.GroupKey), stateName(cur.State))
	}
	note = strings.TrimSpace(note)
	if err := boundedText("note", note, !approve); err != nil {
		return cur, nil, err
	}
	to := vtr.StateRestricted
	if approve {
		to = vtr.StateReinstated
	}
	next, t, err = change(p, cur, to, note, actor, at)
	if err == nil && approve {
		next.Below = 0
		next.GraceUntil = next.Since.AddDate(0, 0, p.EnforcementRules().GraceDays)
	}
	return next, t, err
}

// change moves a group to state to on a person's action.
func change(p *vtr.Policy, cur vtr.Enforcement, to vtr.EnforcementState, note, actor string, at time.Time) (vtr.Enforcement, *vtr.Transition, error) {
	at = at.UTC()
	switch {
	case actor == "":
		return cur, nil, vtr.Errorf(vtr.EINVALID, "actor: required")
	case at.Before(cur.Since):
		// The history is in time order: nothing happens to a group before
		// its last change (a clock behind the one that made it).
		return cur, nil, vtr.Errorf(vtr.ECONFLICT, "%s has been %s since %s, after %s", describeGroup(cur.GroupKey), stateName(cur.State),
			cur.Since.Format(time.RFC3339), at.Format(time.RFC3339))
	}
	next := cur
	next.State, next.Since = to, at
	return next, &vtr.Transition{GroupKey: cur.GroupKey, From: cur.State, To: to, At: at, Actor: actor,
		Figures: vtr.Figures{Target: p.Target}, Note: note}, nil
}

func describeGroup(k vtr.GroupKey) string {
	if k.Group == "" {
		return "the group"
	}
	if k.Group == vtr.AccountGroup {
		return "the account"
	}
	return fmt.Sprintf("category %q", k.Group)
}

func stateName(s vtr.EnforcementState) string {
	if s == "" {
		return string(vtr.StateOK)
	}
	return string(s)
}

// SuggestedAction is a concrete first fix for a defect reason, the draft a
// plan of action starts from (issue 9: "a suggested action for each
// reason"); the seller edits it. Exemption codes need no action. Unknown
// codes get a generic suggestion.
func SuggestedAction(r vtr.Reason) string {
	if s, ok := suggestedActions[r]; ok {
		return s
	}
	if strings.HasPrefix(string(r), "EXEMPT_") {
		return "none: the package is exempt and does not count in the rate"
	}
	return "open the defect report for these orders, find the step where the tracking went wrong and correct it at the source"
}

// suggestedActions answers each defect reason (reason.go, policy.go) with
// what usually causes it in a seller's operation.
var suggestedActions = map[vtr.Reason]string{
	vtr.TrackingMissing: "confirm shipment only once a label is bought, and make the tracking number a required field " +
		"in the order system's shipment confirmation",
	vtr.TrackingMalformed: "scan the label barcode instead of typing the number, and send it without spaces, dashes or other punctuation",
	vtr.CarrierUnknown: "pick the carrier from the marketplace's list instead of typing a name, " +
		"and when Other is unavoidable give the carrier's exact name",
	vtr.CarrierUnsupported: "ship with a carrier the marketplace supports for this origin, " +
		"and choose it from the list rather than as Other",
	vtr.CarrierMismatch: "sync the ship-via from the WMS so the carrier code matches the label",
	vtr.NoPhysicalScan: "hand packages to the carrier the day the label is bought and ask for a pickup scan " +
		"(or drop them off and keep the acceptance receipt)",
	vtr.InsufficientScans: "use a service that scans at delivery (with delivery confirmation) " +
		"for the packages whose value needs two scans",
	vtr.UploadedAfterDelivery: "upload tracking when the label is bought, not after delivery, " +
		"and stop editing tracking on delivered orders",
	vtr.UploadedLate: "upload tracking automatically when the label is printed, " +
		"before the package is handed over (at the latest by the end of the handling time)",
	vtr.ShipFromMismatch: "register every warehouse that ships as a ship-from location, " +
		"and assign each order the location it actually ships from",
	vtr.TrackingReused:   "buy a new label for every package; never reuse a number from an earlier order or a returned parcel",
	vtr.EventBeforeOrder: "buy the label after the order is placed; a number whose first scan precedes the order is read as a recycled label",
}
