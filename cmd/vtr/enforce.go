package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"text/tabwriter"
	"time"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/enforce"
)

const enforceHelp = `Usage: vtr enforce [--as-of TIME] [--json] [--db FILE]

Evaluates every seller group that is due on its policy's cadence (Amazon:
every 72 hours) from the live aggregates, as of --as-of (default now):
at or above target but inside the at-risk margin → at_risk; below target →
restricted (after the policy's number of consecutive evaluations). Each
change is recorded with its figures and announced to the webhook
subscriptions. 'vtr serve' runs the same evaluation on a schedule.
Exit status 1 when a group was restricted.
`

// enforcement opens the database with the enforcement service over it.
func (m *Main) enforcer(ctx context.Context, sf storeFlags) (*enforce.Service, func() error, error) {
	eng, store, err := sf.openBoth(ctx, forWrite)
	if err != nil {
		return nil, nil, err
	}
	ps, err := policySet(*sf.policies)
	if err != nil {
		store.Close()
		return nil, nil, err
	}
	return m.newEnforcer(eng, store, ps), store.Close, nil
}

// newEnforcer is the enforcement service over an engine and its store.
func (m *Main) newEnforcer(eng engine, store vtr.Store, ps *vtr.PolicySet) *enforce.Service {
	ob := eng.Outbox()
	return &enforce.Service{Store: store, Policies: ps, States: eng.Enforcement(), Now: m.now,
		Enqueue: func(ctx context.Context, tx *sql.Tx, ev vtr.OutboxEvent) error {
			_, err := ob.Enqueue(ctx, tx, ev)
			return err
		}}
}

func (m *Main) enforce(ctx context.Context, args []string) error {
	fs := newFlags("enforce")
	sf := addStoreFlags(fs)
	asOf := fs.String("as-of", "", "")
	asJSON := fs.Bool("json", false, "")
	if ok, err := parse(fs, args, enforceHelp, m.Stdout); !ok {
		return err
	}
	at, err := parseAsOf(*asOf, m.now())
	if err != nil {
		return err
	}
	svc, closeFn, err := m.enforcer(ctx, sf)
	if err != nil {
		return err
	}
	defer closeFn()
	res, err := svc.Evaluate(ctx, at)
	if err != nil {
		return err
	}
	if *asJSON {
		if err := json.NewEncoder(m.Stdout).Encode(res); err != nil {
			return err
		}
	} else {
		for _, t := range res.Transitions {
			fmt.Fprintf(m.Stdout, "%s  %s  %-28s %s → %s  %s\n", t.SellerID, t.Policy, t.Group, t.From, t.To, t.Figures)
		}
		fmt.Fprintf(m.Stderr, "evaluated %d of %d groups as of %s: %d changed\n", res.Evaluated, res.Groups, at.Format(time.RFC3339), len(res.Transitions))
	}
	for _, t := range res.Transitions {
		if t.To == vtr.StateRestricted {
			return errFound
		}
	}
	return nil
}

const enforcementHelp = `Usage: vtr enforcement --seller S [--json] [--db FILE]

A seller's enforcement states per policy and group, and the audit history:
every transition with its time, actor, figures and note.
`

func (m *Main) enforcement(ctx context.Context, args []string) error {
	fs := newFlags("enforcement")
	sf := addStoreFlags(fs)
	seller := fs.String("seller", "", "")
	asJSON := fs.Bool("json", false, "")
	if ok, err := parse(fs, args, enforcementHelp, m.Stdout); !ok {
		return err
	}
	if *seller == "" {
		return usagef("enforcement: --seller is required")
	}
	svc, closeFn, err := m.enforcer(ctx, sf)
	if err != nil {
		return err
	}
	defer closeFn()
	if _, err := svc.Store.Seller(ctx, *seller); err != nil {
		return err
	}
	states, err := svc.States.States(ctx, *seller)
	if err != nil {
		return err
	}
	hist, err := svc.States.History(ctx, *seller)
	if err != nil {
		return err
	}
	if *asJSON {
		if states == nil {
			states = []vtr.Enforcement{}
		}
		if hist == nil {
			hist = []vtr.Transition{}
		}
		return json.NewEncoder(m.Stdout).Encode(map[string]any{"states": states, "history": hist})
	}
	tw := tabwriter.NewWriter(m.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "POLICY\tGROUP\tSTATE\tSINCE\tLAST EVALUATED")
	for _, s := range states {
		ev := "-"
		if !s.Evaluated.IsZero() {
			ev = s.Evaluated.Format(time.RFC3339)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", s.Policy, s.Group, s.State, s.Since.Format(time.RFC3339), ev)
	}
	tw.Flush()
	if len(hist) > 0 {
		fmt.Fprintln(m.Stdout, "\nhistory:")
		for _, t := range hist {
			note := ""
			if t.Note != "" {
				note = "  “" + t.Note + "”"
			}
			fmt.Fprintf(m.Stdout, "  %s  %s %s: %s → %s by %s; %s%s\n", t.At.Format(time.RFC3339), t.Policy, t.Group, t.From, t.To, t.Actor, t.Figures, note)
		}
	}
	return nil
}

const appealHelp = `Usage: vtr appeal --seller S --policy P --group G [--file poa.json] [--draft] [--as-of T] [--db FILE]

Submits a plan of action for a restricted group; poa.json holds
{"root_cause": "…", "fixed": "…", "prevention": "…"} (each required, at most
4000 characters). With --draft it prints the plan pre-filled from the
root causes vtr found in the window instead (edit it, then submit it).
`

func (m *Main) appeal(ctx context.Context, args []string) error {
	fs := newFlags("appeal")
	sf := addStoreFlags(fs)
	var k vtr.GroupKey
	fs.StringVar(&k.SellerID, "seller", "", "")
	fs.StringVar(&k.Policy, "policy", "", "")
	fs.StringVar(&k.Group, "group", "", "")
	file := fs.String("file", "", "")
	draft := fs.Bool("draft", false, "")
	asOf := fs.String("as-of", "", "")
	if ok, err := parse(fs, args, appealHelp, m.Stdout); !ok {
		return err
	}
	if k.SellerID == "" || k.Policy == "" || k.Group == "" {
		return usagef("appeal: --seller, --policy and --group are required")
	}
	if *draft == (*file != "") {
		return usagef("appeal: give --file poa.json to submit, or --draft")
	}
	at, err := parseAsOf(*asOf, m.now())
	if err != nil {
		return err
	}
	var plan vtr.PlanOfAction
	if *file != "" {
		b, err := os.ReadFile(*file)
		if err != nil {
			return usagef("appeal: %v", err)
		}
		if err := decodeStrict(b, &plan); err != nil {
			return vtr.Errorf(vtr.EINVALID, "%s: %v", *file, err)
		}
	}
	svc, closeFn, err := m.enforcer(ctx, sf)
	if err != nil {
		return err
	}
	defer closeFn()
	enc := json.NewEncoder(m.Stdout)
	enc.SetIndent("", "  ")
	if *draft {
		d, err := svc.Draft(ctx, k, at)
		if err != nil {
			return err
		}
		return enc.Encode(d)
	}
	a, err := svc.Submit(ctx, k, plan, "cli", at)
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stderr, "appeal %s submitted: %s %s is appeal_pending\n", a.ID, k.Policy, k.Group)
	return enc.Encode(a)
}

const decideHelp = `Usage: vtr decide [--note N] [--db FILE] ID approve|reject

An operator's decision on a pending plan of action: approve reinstates the
group (normal evaluation resumes after the policy's grace period); reject
(a note is required) keeps it restricted.
`

func (m *Main) decide(ctx context.Context, args []string) error {
	fs := newFlags("decide")
	sf := addStoreFlags(fs)
	note := fs.String("note", "", "")
	if ok, err := parse(fs, args, decideHelp, m.Stdout); !ok {
		return err
	}
	if fs.NArg() != 2 || fs.Arg(1) != "approve" && fs.Arg(1) != "reject" {
		return usagef("decide: give an appeal ID and approve or reject")
	}
	svc, closeFn, err := m.enforcer(ctx, sf)
	if err != nil {
		return err
	}
	defer closeFn()
	a, err := svc.Decide(ctx, fs.Arg(0), fs.Arg(1) == "approve", *note, "cli", m.now())
	if err != nil {
		return err
	}
	state := vtr.StateRestricted
	if a.Status == vtr.AppealApproved {
		state = vtr.StateReinstated
	}
	fmt.Fprintf(m.Stdout, "appeal %s %s: %s %s of seller %s is %s\n", a.ID, a.Status, a.Policy, a.Group, a.SellerID, state)
	return nil
}

const privilegesHelp = `Usage: vtr privileges --seller S [--as-of T] [--json] [--db FILE]

Which groups the seller may self-fulfil right now: what a marketplace's
listing system asks before it accepts an offer. Exit status 1 when a group
may not.
`

func (m *Main) privileges(ctx context.Context, args []string) error {
	fs := newFlags("privileges")
	sf := addStoreFlags(fs)
	seller := fs.String("seller", "", "")
	asOf := fs.String("as-of", "", "")
	asJSON := fs.Bool("json", false, "")
	if ok, err := parse(fs, args, privilegesHelp, m.Stdout); !ok {
		return err
	}
	if *seller == "" {
		return usagef("privileges: --seller is required")
	}
	at, err := parseAsOf(*asOf, m.now())
	if err != nil {
		return err
	}
	svc, closeFn, err := m.enforcer(ctx, sf)
	if err != nil {
		return err
	}
	defer closeFn()
	ps, err := svc.Privileges(ctx, *seller, at)
	if err != nil {
		return err
	}
	if *asJSON {
		if err := json.NewEncoder(m.Stdout).Encode(ps); err != nil {
			return err
		}
	} else {
		tw := tabwriter.NewWriter(m.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "POLICY\tGROUP\tSTATE\tSELF-FULFIL")
		for _, p := range ps {
			yes := "yes"
			if !p.Allowed {
				yes = "NO: " + p.Action
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", p.Policy, p.Group, p.State, yes)
		}
		tw.Flush()
	}
	for _, p := range ps {
		if !p.Allowed {
			return errFound
		}
	}
	return nil
}
