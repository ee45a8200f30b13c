package main

import (
	"context"
	"encoding/json"
	"os"
	"time"

	"github.com/vtr-project/vtr/reconcile"
)

const reconcileHelp = `Usage: vtr reconcile --seller ID [--policy P] [--as-of T] [--marketplace ID] [--json] [--db FILE] FILE

The marketplace's own Valid Tracking figures beside vtr's for the same
window: FILE is Amazon's GET_V2_SELLER_PERFORMANCE_REPORT JSON (its schema's
known inconsistencies tolerated: prefulfillmentCancelRate, rates as
fractions or percentages) or Walmart's VTR summary JSON. It prints both
side by side — counts, rates, the difference — and what explains it: the
marketplace's reporting lag and refresh cycle, different window dates,
packages vtr has not seen, packages not counted yet. --as-of defaults to
the last day of the marketplace's window. --marketplace picks one of
several Amazon marketplaces in a report.
`

func (m *Main) reconcile(ctx context.Context, args []string) error {
	fs := newFlags("reconcile")
	sf := addStoreFlags(fs)
	seller := fs.String("seller", "", "")
	policy := fs.String("policy", "", "")
	asOf := fs.String("as-of", "", "")
	market := fs.String("marketplace", "", "")
	asJSON := fs.Bool("json", false, "")
	if ok, err := parse(fs, args, reconcileHelp, m.Stdout); !ok {
		return err
	}
	if *seller == "" || fs.NArg() != 1 {
		return usagef("reconcile: give --seller and one FILE")
	}
	f, err := os.Open(fs.Arg(0))
	if err != nil {
		return usagef("reconcile: %v", err)
	}
	defer f.Close()
	theirs, err := reconcile.ReadFigures(f, *market)
	if err != nil {
		return err
	}
	at := m.now()
	switch {
	case *asOf != "":
		if at, err = parseAsOf(*asOf, at); err != nil {
			return err
		}
	case !theirs.To.IsZero():
		at = theirs.To.UTC().Truncate(24 * time.Hour).Add(24*time.Hour - time.Second)
	}
	store, err := sf.open(ctx, forRead)
	if err != nil {
		return err
	}
	defer store.Close()
	ours, err := store.Rate(ctx, *seller, *policy, at, 0)
	if err != nil {
		return err
	}
	ps, err := policySet(*sf.policies)
	if err != nil {
		return err
	}
	p, err := ps.Get(ours.Policy)
	if err != nil {
		return err
	}
	rep := reconcile.CompareWith(ours, theirs, *p)
	if *asJSON {
		return json.NewEncoder(m.Stdout).Encode(rep)
	}
	return rep.WriteText(m.Stdout)
}
