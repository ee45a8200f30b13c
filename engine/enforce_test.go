package engine

import (
	"math/rand"
	"strings"
	"testing"
	"time"

	"github.com/vtr-project/vtr"
)

var (
	enfT0  = time.Date(2026, 11, 2, 6, 0, 0, 0, time.UTC)
	enfKey = vtr.GroupKey{SellerID: "S1", Policy: "amazon-us", Group: "Toys"}
)

// figs are figures of v valid and i invalid packages.
func figs(v, i int) vtr.Figures { return vtr.Figures{Valid: v, Invalid: i, Target: 0.95} }

// operator is an operator profile that warns before it restricts: two
// evaluations in a row below target (as Mirakl operators do, §12.7).
func operator() *vtr.Policy {
	return &vtr.Policy{ID: "op", Target: 0.95, AtRiskMargin: 0.01, WindowDays: 30, GroupBy: "account", Inclusion: "ship_date",
		Scans: vtr.Scans(1), Enforcement: vtr.EnforcementRule{CadenceHours: 24, ConsecutiveBelow: 2, GraceDays: 10, Action: "suspension", Source: "op rule 4"}}
}

func state(s vtr.EnforcementState, below int) vtr.Enforcement {
	return vtr.Enforcement{GroupKey: enfKey, State: s, Since: enfT0.Add(-30 * 24 * time.Hour), Below: below,
		Evaluated: enfT0.Add(-72 * time.Hour), Version: 7}
}

func TestEvaluate(t *testing.T) {
	amazon := policy(t, "amazon-us")
	reinstated := state(vtr.StateReinstated, 0)
	reinstated.GraceUntil = enfT0.Add(-time.Hour)
	graced := reinstated
	graced.GraceUntil = enfT0.Add(time.Hour)
	tests := []struct {
		name  string
		p     *vtr.Policy
		cur   vtr.Enforcement
		f     vtr.Figures
		at    time.Time
		state vtr.EnforcementState
		below int
		moved bool // a transition
		due   bool // Evaluated set to at
	}{
		{"ok stays ok", amazon, state(vtr.StateOK, 0), figs(99, 1), enfT0, vtr.StateOK, 0, false, true},
		{"ok in the margin warns", amazon, state(vtr.StateOK, 0), figs(955, 45), enfT0, vtr.StateAtRisk, 0, true, true},
		{"exactly on target is at risk", amazon, state(vtr.StateOK, 0), figs(19, 1), enfT0, vtr.StateAtRisk, 0, true, true},
		{"at the margin's top is ok", amazon, state(vtr.StateAtRisk, 0), figs(96, 4), enfT0, vtr.StateOK, 0, true, true},
		{"ok below target restricts", amazon, state(vtr.StateOK, 0), figs(90, 10), enfT0, vtr.StateRestricted, 1, true, true},
		{"at risk recovers", amazon, state(vtr.StateAtRisk, 0), figs(100, 0), enfT0, vtr.StateOK, 0, true, true},
		{"at risk stays at risk", amazon, state(vtr.StateAtRisk, 0), figs(955, 45), enfT0, vtr.StateAtRisk, 0, false, true},
		{"at risk below target restricts", amazon, state(vtr.StateAtRisk, 0), figs(0, 3), enfT0, vtr.StateRestricted, 1, true, true},
		{"nothing counted: ok stays", amazon, state(vtr.StateOK, 0), figs(0, 0), enfT0, vtr.StateOK, 0, false, true},
		{"nothing counted: at risk stays", operator(), state(vtr.StateAtRisk, 1), figs(0, 0), enfT0, vtr.StateAtRisk, 1, false, true},
		{"first below warns (N=2)", operator(), state(vtr.StateOK, 0), figs(90, 10), enfT0, vtr.StateAtRisk, 1, true, true},
		{"second below restricts (N=2)", operator(), state(vtr.StateAtRisk, 1), figs(90, 10), enfT0, vtr.StateRestricted, 2, true, true},
		{"margin resets the count (N=2)", operator(), state(vtr.StateAtRisk, 1), figs(955, 45), enfT0, vtr.StateAtRisk, 0, false, true},
		{"ok resets the count (N=2)", operator(), state(vtr.StateAtRisk, 1), figs(99, 1), enfT0, vtr.StateOK, 0, true, true},
		{"restricted: only an appeal moves it", amazon, state(vtr.StateRestricted, 1), figs(100, 0), enfT0, vtr.StateRestricted, 1, false, false},
		{"appeal pending: only a decision moves it", amazon, state(vtr.StateAppealPending, 1), figs(100, 0), enfT0, vtr.StateAppealPending, 1, false, false},
		{"reinstated in grace", amazon, graced, figs(0, 10), enfT0, vtr.StateReinstated, 0, false, false},
		{"reinstated after grace: ok", amazon, reinstated, figs(100, 0), enfT0, vtr.StateOK, 0, true, true},
		{"reinstated after grace: at risk", amazon, reinstated, figs(955, 45), enfT0, vtr.StateAtRisk, 0, true, true},
		{"reinstated after grace: restricted", amazon, reinstated, figs(90, 10), enfT0, vtr.StateRestricted, 1, true, true},
		{"reinstated after grace, nothing counted", amazon, reinstated, figs(0, 0), enfT0, vtr.StateReinstated, 0, false, true},
		{"not due: 71 h after the last", amazon, state(vtr.StateOK, 0), figs(0, 10), enfT0.Add(-time.Hour), vtr.StateOK, 0, false, false},
		{"never evaluated is due", amazon, vtr.Enforcement{GroupKey: enfKey, State: vtr.StateOK, Since: enfT0}, figs(0, 10), enfT0, vtr.StateRestricted, 1, true, true},
		{"before the state began", amazon, vtr.Enforcement{GroupKey: enfKey, State: vtr.StateOK, Since: enfT0}, figs(0, 10), enfT0.Add(-time.Second), vtr.StateOK, 0, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			next, tr := Evaluate(tt.p, tt.cur, tt.f, tt.at)
			if next.State != tt.state || next.Below != tt.below {
				t.Errorf("got %s below %d, want %s below %d", next.State, next.Below, tt.state, tt.below)
			}
			if next.Version != tt.cur.Version || next.GroupKey != tt.cur.GroupKey || !next.GraceUntil.Equal(tt.cur.GraceUntil) {
				t.Errorf("version, key or grace changed: %+v from %+v", next, tt.cur)
			}
			if tt.due != next.Evaluated.Equal(tt.at) {
				t.Errorf("evaluated %s, want due=%v at %s", next.Evaluated, tt.due, tt.at)
			}
			if !tt.due && next != tt.cur {
				t.Errorf("not due, yet %+v became %+v", tt.cur, next)
			}
			if (tr != nil) != tt.moved {
				t.Fatalf("transition %+v, want one: %v", tr, tt.moved)
			}
			if tr == nil {
				if !next.Since.Equal(tt.cur.Since) {
					t.Errorf("since %s, want unchanged %s", next.Since, tt.cur.Since)
				}
				return
			}
			if tr.From != tt.cur.State || tr.To != tt.state || !tr.At.Equal(tt.at) || tr.Actor != vtr.ActorSystem ||
				tr.GroupKey != enfKey || tr.Seq != 0 || !next.Since.Equal(tt.at) {
				t.Errorf("transition %+v (since %s), want %s → %s at %s by the system", tr, next.Since, tt.cur.State, tt.state, tt.at)
			}
			if tr.Figures.Valid != tt.f.Valid || tr.Figures.Invalid != tt.f.Invalid || tr.Figures.Rate == nil {
				t.Errorf("figures %+v, want those evaluated with a rate", tr.Figures)
			}
			if tt.state == vtr.StateRestricted {
				r := tt.p.EnforcementRules()
				if !strings.Contains(tr.Rule, r.Action) || !strings.Contains(tr.Rule, r.Source) {
					t.Errorf("rule %q, want the policy's action and source", tr.Rule)
				}
			}
			// Idempotent: a second evaluation at the same time changes nothing.
			again, tr2 := Evaluate(tt.p, next, figs(0, 100), tt.at)
			if again != next || tr2 != nil {
				t.Errorf("second evaluation at %s: %+v, %+v; want nothing changed", tt.at, again, tr2)
			}
		})
	}
}

func TestDue(t *testing.T) {
	amazon := policy(t, "amazon-us")
	ok := state(vtr.StateOK, 0) // evaluated 72 h before enfT0
	reinstated := state(vtr.StateReinstated, 0)
	reinstated.GraceUntil = enfT0
	tests := []struct {
		name string
		p    *vtr.Policy
		cur  vtr.Enforcement
		at   time.Time
		want bool
	}{
		{"never evaluated", amazon, NewEnforcement(enfKey, enfT0), enfT0, true},
		{"a cadence later", amazon, ok, enfT0, true},
		{"just before a cadence", amazon, ok, enfT0.Add(-time.Nanosecond), false},
		{"same time again", amazon, ok, ok.Evaluated, false},
		{"operator's 24 h cadence", operator(), ok, ok.Evaluated.Add(24 * time.Hour), true},
		{"at risk is evaluated", amazon, state(vtr.StateAtRisk, 0), enfT0, true},
		{"restricted never", amazon, state(vtr.StateRestricted, 1), enfT0.AddDate(1, 0, 0), false},
		{"appeal pending never", amazon, state(vtr.StateAppealPending, 1), enfT0.AddDate(1, 0, 0), false},
		{"reinstated before grace", amazon, reinstated, enfT0.Add(-time.Nanosecond), false},
		{"reinstated at grace's end", amazon, reinstated, enfT0, true},
		{"before the state began", amazon, NewEnforcement(enfKey, enfT0), enfT0.Add(-time.Hour), false},
	}
	for _, tt := range tests {
		if got := Due(tt.p, tt.cur, tt.at); got != tt.want {
			t.Errorf("%s: due %v, want %v", tt.name, got, tt.want)
		}
	}
}

func plan() vtr.PlanOfAction {
	return vtr.PlanOfAction{RootCause: "typed numbers", Fixed: "scanner at the packing bench", Prevention: "numbers are scanned, never typed"}
}

func TestSubmit(t *testing.T) {
	amazon := policy(t, "amazon-us")
	long := strings.Repeat("é", vtr.MaxPlanText+1)
	tests := []struct {
		name  string
		cur   vtr.Enforcement
		edit  func(*vtr.PlanOfAction)
		code  string // "" for accepted
		field string
	}{
		{"restricted takes a plan", state(vtr.StateRestricted, 1), func(*vtr.PlanOfAction) {}, "", ""},
		{"at most MaxPlanText characters", state(vtr.StateRestricted, 1), func(p *vtr.PlanOfAction) { p.Fixed = strings.Repeat("é", vtr.MaxPlanText) }, "", ""},
		{"ok", state(vtr.StateOK, 0), func(*vtr.PlanOfAction) {}, vtr.ECONFLICT, ""},
		{"at risk", state(vtr.StateAtRisk, 0), func(*vtr.PlanOfAction) {}, vtr.ECONFLICT, ""},
		{"appeal pending", state(vtr.StateAppealPending, 1), func(*vtr.PlanOfAction) {}, vtr.ECONFLICT, ""},
		{"reinstated", state(vtr.StateReinstated, 0), func(*vtr.PlanOfAction) {}, vtr.ECONFLICT, ""},
		{"no root cause", state(vtr.StateRestricted, 1), func(p *vtr.PlanOfAction) { p.RootCause = "" }, vtr.EINVALID, "root_cause"},
		{"blank fix", state(vtr.StateRestricted, 1), func(p *vtr.PlanOfAction) { p.Fixed = " \n\t " }, vtr.EINVALID, "fixed"},
		{"no prevention", state(vtr.StateRestricted, 1), func(p *vtr.PlanOfAction) { p.Prevention = "" }, vtr.EINVALID, "prevention"},
		{"root cause too long", state(vtr.StateRestricted, 1), func(p *vtr.PlanOfAction) { p.RootCause = long }, vtr.EINVALID, "root_cause"},
		{"prevention too long", state(vtr.StateRestricted, 1), func(p *vtr.PlanOfAction) { p.Prevention = long }, vtr.EINVALID, "prevention"},
		{"not UTF-8", state(vtr.StateRestricted, 1), func(p *vtr.PlanOfAction) { p.Fixed = "a\xffb" }, vtr.EINVALID, "fixed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pl := plan()
			tt.edit(&pl)
			next, tr, err := Submit(amazon, tt.cur, pl, "key:seller1", enfT0)
			if tt.code != "" {
				var e *vtr.Error
				if vtr.ErrorCode(err) != tt.code || tr != nil || next != tt.cur {
					t.Fatalf("got %+v, %+v, %v; want %s and nothing changed", next, tr, err, tt.code)
				}
				if e, _ = err.(*vtr.Error); e.Field != tt.field {
					t.Errorf("field %q, want %q", e.Field, tt.field)
				}
				if tt.code == vtr.ECONFLICT && (!strings.Contains(err.Error(), string(tt.cur.State)) || !strings.Contains(err.Error(), "only a restricted group")) {
					t.Errorf("%v: want the state and that only a restricted group takes a plan", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if next.State != vtr.StateAppealPending || !next.Since.Equal(enfT0) || next.Below != tt.cur.Below || next.Version != tt.cur.Version {
				t.Errorf("next %+v, want appeal_pending since %s", next, enfT0)
			}
			if tr == nil || tr.From != vtr.StateRestricted || tr.To != vtr.StateAppealPending || tr.Actor != "key:seller1" || !tr.At.Equal(enfT0) || tr.GroupKey != enfKey {
				t.Errorf("transition %+v, want restricted → appeal_pending by key:seller1", tr)
			}
		})
	}
	if _, _, err := Submit(amazon, state(vtr.StateRestricted, 1), plan(), "", enfT0); vtr.ErrorCode(err) != vtr.EINVALID {
		t.Errorf("no actor: %v, want invalid", err)
	}
	cur := state(vtr.StateRestricted, 1)
	if _, _, err := Submit(amazon, cur, plan(), "key:s", cur.Since.Add(-time.Second)); vtr.ErrorCode(err) != vtr.ECONFLICT {
		t.Errorf("before the restriction: %v, want a conflict", err)
	}
}

func TestValidatePlanTrims(t *testing.T) {
	got, err := ValidatePlan(vtr.PlanOfAction{RootCause: " a ", Fixed: "b\n", Prevention: "\tc"})
	if err != nil || got != (vtr.PlanOfAction{RootCause: "a", Fixed: "b", Prevention: "c"}) {
		t.Errorf("got %+v, %v; want the parts trimmed", got, err)
	}
}

func TestDecide(t *testing.T) {
	amazon, op := policy(t, "amazon-us"), operator()
	pending := state(vtr.StateAppealPending, 2)
	tests := []struct {
		name    string
		p       *vtr.Policy
		cur     vtr.Enforcement
		approve bool
		note    string
		code    string
		field   string
		state   vtr.EnforcementState
		grace   time.Time
	}{
		{"approved", amazon, pending, true, "", "", "", vtr.StateReinstated, enfT0.AddDate(0, 0, 30)},
		{"approved, operator grace", op, pending, true, " thanks ", "", "", vtr.StateReinstated, enfT0.AddDate(0, 0, 10)},
		{"rejected with a note", amazon, pending, false, "  no root cause given ", "", "", vtr.StateRestricted, time.Time{}},
		{"rejected without a note", amazon, pending, false, " ", vtr.EINVALID, "note", "", time.Time{}},
		{"note too long", amazon, pending, false, strings.Repeat("x", vtr.MaxPlanText+1), vtr.EINVALID, "note", "", time.Time{}},
		{"restricted has no appeal", amazon, state(vtr.StateRestricted, 1), true, "", vtr.ECONFLICT, "", "", time.Time{}},
		{"ok has no appeal", amazon, state(vtr.StateOK, 0), false, "x", vtr.ECONFLICT, "", "", time.Time{}},
		{"at risk has no appeal", amazon, state(vtr.StateAtRisk, 0), true, "", vtr.ECONFLICT, "", "", time.Time{}},
		{"reinstated has no appeal", amazon, state(vtr.StateReinstated, 0), true, "", vtr.ECONFLICT, "", "", time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			next, tr, err := Decide(tt.p, tt.cur, tt.approve, tt.note, "key:op", enfT0)
			if tt.code != "" {
				e, _ := err.(*vtr.Error)
				if e == nil || e.Code != tt.code || e.Field != tt.field || tr != nil || next != tt.cur {
					t.Fatalf("got %+v, %+v, %v; want %s on %q and nothing changed", next, tr, err, tt.code, tt.field)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			wantBelow := tt.cur.Below
			if tt.approve {
				wantBelow = 0
			}
			if next.State != tt.state || !next.GraceUntil.Equal(tt.grace) || !next.Since.Equal(enfT0) || next.Below != wantBelow || next.Version != tt.cur.Version {
				t.Errorf("next %+v, want %s, grace until %s, below %d", next, tt.state, tt.grace, wantBelow)
			}
			if tr == nil || tr.From != vtr.StateAppealPending || tr.To != tt.state || tr.Actor != "key:op" || tr.Note != strings.TrimSpace(tt.note) {
				t.Errorf("transition %+v, want appeal_pending → %s by key:op with the note", tr, tt.state)
			}
		})
	}
}

func TestPrivileged(t *testing.T) {
	for s, want := range map[vtr.EnforcementState]bool{"": true, vtr.StateOK: true, vtr.StateAtRisk: true, vtr.StateReinstated: true,
		vtr.StateRestricted: false, vtr.StateAppealPending: false, "bogus": false} {
		if got := Privileged(s); got != want {
			t.Errorf("%q: privileged %v, want %v", s, got, want)
		}
	}
}

func TestNewEnforcement(t *testing.T) {
	e := NewEnforcement(enfKey, enfT0.In(time.FixedZone("X", 3600)))
	if e.State != vtr.StateOK || !e.Since.Equal(enfT0) || e.Since.Location() != time.UTC || !e.Evaluated.IsZero() || e.GroupKey != enfKey {
		t.Errorf("got %+v, want ok since %s (UTC), never evaluated", e, enfT0)
	}
}

func TestGroups(t *testing.T) {
	rate := func(v, i int) vtr.Counts { c := vtr.Counts{Valid: v, Invalid: i}; c.SetRate(); return c }
	rep := &vtr.RateReport{AsOf: asOfRate, Overall: rate(190, 10), Categories: []vtr.CategoryRate{
		{Category: "Books", Counts: rate(100, 0)}, {Category: "Toys", Counts: rate(90, 10)}, {Category: "Pending", Counts: vtr.Counts{Pending: 3}}}}

	got := Groups(policy(t, "amazon-us"), rep)
	if len(got) != 3 || got[0].Group != "Books" || got[1].Group != "Toys" || got[2].Group != "Pending" {
		t.Fatalf("groups %+v, want the categories", got)
	}
	toys := got[1].Figures
	if toys.Valid != 90 || toys.Invalid != 10 || toys.Rate == nil || *toys.Rate != 0.9 || toys.Target != 0.95 ||
		!toys.WindowFrom.Equal(day(10, 1)) || !toys.WindowTo.Equal(day(10, 30)) {
		t.Errorf("toys %+v, want 90/10 at 90%% against 95%% over 1–30 Oct", toys)
	}
	if toys.Rate == rep.Categories[1].Rate {
		t.Error("figures share the report's rate pointer")
	}
	if got[2].Figures.Rate != nil {
		t.Errorf("pending-only category: rate %v, want none", *got[2].Figures.Rate)
	}

	got = Groups(policy(t, "walmart-us"), rep)
	if len(got) != 1 || got[0].Group != vtr.AccountGroup || got[0].Figures.Valid != 190 || got[0].Figures.Invalid != 10 || got[0].Figures.Target != 0.99 {
		t.Errorf("account groups %+v, want one with the overall counts", got)
	}
}

func TestSuggestedAction(t *testing.T) {
	defects := []vtr.Reason{vtr.TrackingMissing, vtr.TrackingMalformed, vtr.CarrierUnknown, vtr.CarrierUnsupported, vtr.CarrierMismatch,
		vtr.NoPhysicalScan, vtr.InsufficientScans, vtr.UploadedAfterDelivery, vtr.UploadedLate, vtr.ShipFromMismatch,
		vtr.TrackingReused, vtr.EventBeforeOrder}
	generic := SuggestedAction("SOMETHING_NEW")
	seen := map[string]vtr.Reason{}
	for _, r := range defects {
		s := SuggestedAction(r)
		if s == "" || s == generic {
			t.Errorf("%s: %q, want a suggestion of its own", r, s)
		}
		if other, dup := seen[s]; dup {
			t.Errorf("%s and %s share a suggestion", r, other)
		}
		seen[s] = r
	}
	if len(suggestedActions) != len(defects) {
		t.Errorf("%d suggestions for %d defect reasons: a reason is missing from this test", len(suggestedActions), len(defects))
	}
	for r, want := range map[vtr.Reason]string{vtr.CarrierMismatch: "sync the ship-via from the WMS", vtr.TrackingMalformed: "scan the label barcode",
		vtr.NoPhysicalScan: "ask for a pickup scan"} {
		if !strings.Contains(SuggestedAction(r), want) {
			t.Errorf("%s: %q, want %q", r, SuggestedAction(r), want)
		}
	}
	if s := SuggestedAction(vtr.ExemptFreight); !strings.HasPrefix(s, "none") {
		t.Errorf("exempt: %q, want no action", s)
	}
	if generic == "" {
		t.Error("unknown reason: no suggestion")
	}
}

// TestEnforcementProperties drives random groups through random
// evaluations, plans and decisions at random (mostly increasing) times and
// checks the machine's invariants after every step.
func TestEnforcementProperties(t *testing.T) {
	rng := rand.New(rand.NewSource(9))
	allowed := map[vtr.EnforcementState][]vtr.EnforcementState{
		vtr.StateOK:            {vtr.StateAtRisk, vtr.StateRestricted},
		vtr.StateAtRisk:        {vtr.StateOK, vtr.StateRestricted},
		vtr.StateRestricted:    {vtr.StateAppealPending},
		vtr.StateAppealPending: {vtr.StateReinstated, vtr.StateRestricted},
		vtr.StateReinstated:    {vtr.StateOK, vtr.StateAtRisk, vtr.StateRestricted},
	}
	const runs, steps = 300, 200
	counts := map[string]int{}
	for run := range runs {
		p := &vtr.Policy{ID: "prop", Target: 0.9 + rng.Float64()*0.09, AtRiskMargin: rng.Float64() * 0.01, WindowDays: 30,
			GroupBy: "account", Inclusion: "ship_date", Scans: vtr.Scans(1),
			Enforcement: vtr.EnforcementRule{CadenceHours: rng.Intn(100), ConsecutiveBelow: rng.Intn(4), GraceDays: rng.Intn(40)}}
		if err := p.Validate(); err != nil {
			t.Fatal(err)
		}
		at := enfT0
		cur := NewEnforcement(enfKey, at)
		var history []vtr.Transition
		for step := range steps {
			switch rng.Intn(10) {
			case 0:
				at = at.Add(-time.Duration(rng.Intn(48)) * time.Hour) // a clock behind
			case 1, 2:
				// same time: a repeated evaluation
			default:
				at = at.Add(time.Duration(rng.Intn(96*60)) * time.Minute)
			}
			prev := cur
			var tr *vtr.Transition
			var err error
			op := ""
			switch k := rng.Intn(10); {
			case k < 6:
				op = "evaluate"
				n := rng.Intn(200)
				v := n
				if n > 0 {
					v = n - rng.Intn(n/5+1)
				}
				cur, tr = Evaluate(p, cur, figs(v, n-v), at)
				if prev.State == vtr.StateReinstated && at.Before(prev.GraceUntil) && cur != prev {
					t.Fatalf("run %d step %d: reinstated until %s evaluated at %s", run, step, prev.GraceUntil, at)
				}
				if !Due(p, prev, at) && (cur != prev || tr != nil) {
					t.Fatalf("run %d step %d: not due, yet %+v became %+v", run, step, prev, cur)
				}
				again, tr2 := Evaluate(p, cur, figs(rng.Intn(10), rng.Intn(10)), at)
				if again != cur || tr2 != nil {
					t.Fatalf("run %d step %d: evaluation repeated at %s changed %+v into %+v", run, step, at, cur, again)
				}
			case k < 8:
				op = "submit"
				pl := plan()
				if rng.Intn(4) == 0 {
					pl.Prevention = ""
				}
				cur, tr, err = Submit(p, cur, pl, "key:seller", at)
			default:
				op = "decide"
				note := ""
				if rng.Intn(2) == 0 {
					note = "more detail"
				}
				cur, tr, err = Decide(p, cur, rng.Intn(2) == 0, note, "key:op", at)
			}
			if err != nil {
				counts[op+" refused"]++
				if tr != nil || cur != prev {
					t.Fatalf("run %d step %d: %s refused (%v) yet changed %+v into %+v", run, step, op, err, prev, cur)
				}
				continue
			}
			if cur.Version != prev.Version {
				t.Fatalf("run %d step %d: version changed by the engine", run, step)
			}
			if cur.Since.Before(prev.Since) {
				t.Fatalf("run %d step %d: since went back from %s to %s", run, step, prev.Since, cur.Since)
			}
			if tr == nil {
				if cur.State != prev.State || !cur.Since.Equal(prev.Since) {
					t.Fatalf("run %d step %d: %s moved %s → %s without a transition", run, step, op, prev.State, cur.State)
				}
				continue
			}
			counts[string(tr.From)+"→"+string(tr.To)]++
			if tr.From != prev.State || tr.To != cur.State || tr.From == tr.To || !tr.At.Equal(cur.Since) || tr.GroupKey != enfKey {
				t.Fatalf("run %d step %d: transition %+v for %+v → %+v", run, step, tr, prev, cur)
			}
			if len(history) > 0 {
				last := history[len(history)-1]
				if tr.From != last.To || tr.At.Before(last.At) {
					t.Fatalf("run %d step %d: %s → %s at %s follows %s → %s at %s", run, step, tr.From, tr.To, tr.At, last.From, last.To, last.At)
				}
			} else if tr.From != vtr.StateOK {
				t.Fatalf("run %d: history starts from %s", run, tr.From)
			}
			ok := false
			for _, to := range allowed[tr.From] {
				ok = ok || to == tr.To
			}
			if !ok {
				t.Fatalf("run %d step %d: %s → %s skips the appeal", run, step, tr.From, tr.To)
			}
			if want := tr.To != vtr.StateRestricted && tr.To != vtr.StateAppealPending; Privileged(tr.To) != want {
				t.Fatalf("run %d step %d: %s privileged: %v", run, step, tr.To, Privileged(tr.To))
			}
			n := len(history)
			history = append(history, *tr)
			if len(history) != n+1 {
				t.Fatal("history shrank")
			}
		}
	}
	// Every edge of the machine was exercised.
	for from, tos := range allowed {
		for _, to := range tos {
			if counts[string(from)+"→"+string(to)] == 0 {
				t.Errorf("%s → %s never happened: the generator misses it", from, to)
			}
		}
	}
	t.Logf("%v", counts)
}
