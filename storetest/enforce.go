package storetest

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/internal/sqlutil"
)

// RunEnforcement is the contract of enforcement storage. open gives two
// handles on one fresh database (two servers).
func RunEnforcement(t *testing.T, open func(t *testing.T) (*sqlutil.Enforcement, *sqlutil.Enforcement)) {
	ctx := context.Background()
	at := fixedNow()
	none := func(context.Context, *sql.Tx, vtr.OutboxEvent) error { return nil }
	a, b := open(t)
	k := vtr.GroupKey{SellerID: "S1", Policy: "amazon-us", Group: "Toys"}
	if _, found, err := a.State(ctx, k); found || err != nil {
		t.Fatalf("a new group: found %v, %v", found, err)
	}
	first := vtr.Enforcement{GroupKey: k, State: vtr.StateOK, Since: at}
	next := first
	next.State, next.Evaluated, next.Below = vtr.StateRestricted, at, 1
	rate := 0.9
	tr := &vtr.Transition{GroupKey: k, From: vtr.StateOK, To: vtr.StateRestricted, At: at, Actor: vtr.ActorSystem,
		Figures: vtr.Figures{Rate: &rate, Valid: 9, Invalid: 1, Target: 0.95}, Rule: "amazon"}
	if err := a.Apply(ctx, &sqlutil.Change{Cur: first, Next: next, Transition: tr}, none); err != nil {
		t.Fatal(err)
	}
	// The same change from another server, read before the first: a
	// conflict, and nothing written.
	tr2 := *tr
	if err := b.Apply(ctx, &sqlutil.Change{Cur: first, Next: next, Transition: &tr2}, none); vtr.ErrorCode(err) != vtr.ECONFLICT {
		t.Errorf("a second insert of one group: %v, want conflict", err)
	}
	cur, found, err := b.State(ctx, k)
	if err != nil || !found || cur.State != vtr.StateRestricted || cur.Version != 1 || !cur.Evaluated.Equal(at) || cur.Below != 1 {
		t.Fatalf("state = %+v, %v, %v", cur, found, err)
	}
	// An outbox failure rolls the whole change back.
	appealed := cur
	appealed.State = vtr.StateAppealPending
	ap := &vtr.Appeal{ID: "apl_1", GroupKey: k, Plan: vtr.PlanOfAction{RootCause: "r", Fixed: "f", Prevention: "p"}, Status: vtr.AppealPending, SubmittedAt: at, SubmittedBy: "key:x"}
	tr3 := &vtr.Transition{GroupKey: k, From: vtr.StateRestricted, To: vtr.StateAppealPending, At: at.Add(time.Hour), Actor: "key:x"}
	boom := func(context.Context, *sql.Tx, vtr.OutboxEvent) error { return vtr.Errorf(vtr.EINTERNAL, "boom") }
	if err := a.Apply(ctx, &sqlutil.Change{Cur: cur, Next: appealed, Transition: tr3, Appeal: ap, Events: []vtr.OutboxEvent{{ID: "e"}}}, boom); err == nil {
		t.Fatal("a failing outbox did not fail the change")
	}
	if st, _, _ := a.State(ctx, k); st.State != vtr.StateRestricted {
		t.Errorf("a failed change left state %s", st.State)
	}
	if as, _ := a.Appeals(ctx, "", ""); len(as) != 0 {
		t.Errorf("a failed change left appeals %v", as)
	}
	if err := a.Apply(ctx, &sqlutil.Change{Cur: cur, Next: appealed, Transition: tr3, Appeal: ap}, none); err != nil {
		t.Fatal(err)
	}
	// A stale version: conflict.
	if err := b.Apply(ctx, &sqlutil.Change{Cur: cur, Next: appealed}, none); vtr.ErrorCode(err) != vtr.ECONFLICT {
		t.Errorf("stale version: %v, want conflict", err)
	}
	got, err := b.Appeal(ctx, "apl_1")
	if err != nil || got.Plan.Fixed != "f" || got.Status != vtr.AppealPending || got.SellerID != "S1" {
		t.Errorf("appeal = %+v, %v", got, err)
	}
	if _, err := b.Appeal(ctx, "apl_nope"); vtr.ErrorCode(err) != vtr.ENOTFOUND {
		t.Errorf("unknown appeal: %v", err)
	}
	// A decision updates the appeal in place.
	got.Status, got.DecidedAt, got.DecidedBy, got.Note = vtr.AppealApproved, at.Add(2*time.Hour), "key:op", "ok"
	cur, _, _ = a.State(ctx, k)
	reinstated := cur
	reinstated.State = vtr.StateReinstated
	if err := a.Apply(ctx, &sqlutil.Change{Cur: cur, Next: reinstated, Appeal: got}, none); err != nil {
		t.Fatal(err)
	}
	pending, _ := b.Appeals(ctx, "", vtr.AppealPending)
	approved, _ := b.Appeals(ctx, "S1", vtr.AppealApproved)
	other, _ := b.Appeals(ctx, "S2", "")
	if len(pending) != 0 || len(approved) != 1 || approved[0].Note != "ok" || len(other) != 0 {
		t.Errorf("appeals: pending %v approved %v other seller %v", pending, approved, other)
	}
	h, err := b.History(ctx, "S1")
	if err != nil || len(h) != 2 || h[0].Seq != 1 || h[1].Seq != 2 || h[0].To != vtr.StateRestricted || h[0].Figures.Rate == nil || *h[0].Figures.Rate != 0.9 || h[1].Actor != "key:x" {
		t.Errorf("history = %+v, %v", h, err)
	}
	if h, _ := b.History(ctx, "S2"); len(h) != 0 {
		t.Errorf("another seller's history: %v", h)
	}
	all, err := b.AllStates(ctx)
	if err != nil || len(all) != 1 || all[0].State != vtr.StateReinstated {
		t.Errorf("AllStates = %+v, %v", all, err)
	}
}
