package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/vtr-project/vtr"
)

const rateHelp = `Usage: vtr rate --seller ID [--policy P] [--as-of TIME] [--what-if DAYS] [--json] [--db FILE]

The seller's Valid Tracking Rate per category over the policy's rolling
window ending at --as-of (default now), from the live aggregates, with the
sibling metrics, the 98%/97% benefit and a what-if projection.
`

func (m *Main) rate(ctx context.Context, args []string) error {
	fs := newFlags("rate")
	sf := addStoreFlags(fs)
	seller := fs.String("seller", "", "")
	policy := fs.String("policy", "", "")
	asOf := fs.String("as-of", "", "")
	whatIf := fs.Int("what-if", 7, "")
	asJSON := fs.Bool("json", false, "")
	if ok, err := parse(fs, args, rateHelp, m.Stdout); !ok {
		return err
	}
	if *seller == "" {
		return usagef("rate: --seller is required")
	}
	t, err := parseAsOf(*asOf, m.now())
	if err != nil {
		return err
	}
	store, err := sf.open(ctx, forRead)
	if err != nil {
		return err
	}
	defer store.Close()
	rep, err := store.Rate(ctx, *seller, *policy, t, *whatIf)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(m.Stdout)
		return enc.Encode(rep)
	}
	return writeRateText(m.Stdout, rep)
}

func pct(r *float64) string {
	if r == nil {
		return "—"
	}
	return fmt.Sprintf("%.2f%%", *r*100)
}

func writeRateText(w io.Writer, r *vtr.RateReport) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "Valid Tracking Rate — seller %s, policy %s, %d days to %s (target %.4g%%)\n\n",
		r.SellerID, r.Policy, r.WindowDays, r.AsOf.Format("2006-01-02"), r.Target*100)
	fmt.Fprintf(bw, "%-24s %8s %8s %8s %8s %9s  %s\n", "category", "valid", "invalid", "pending", "exempt", "VTR", "status")
	for _, c := range r.Categories {
		fmt.Fprintf(bw, "%-24s %8d %8d %8d %8d %9s  %s\n", c.Category, c.Valid, c.Invalid, c.Pending, c.Exempt, pct(c.Rate), c.Status)
	}
	o := r.Overall
	fmt.Fprintf(bw, "%-24s %8d %8d %8d %8d %9s  %s\n\n", "all ("+r.GroupBy+")", o.Valid, o.Invalid, o.Pending, o.Exempt, pct(o.Rate), r.Status)
	fmt.Fprintf(bw, "Late shipment rate      10 d %s, 30 d %s (target ≤ %.4g%%)\n", pct(r.LateShipment10.Rate), pct(r.LateShipment30.Rate), r.LateShipment10.Target*100)
	fmt.Fprintf(bw, "On-time delivery rate   %s of %d validly tracked deliveries (target ≥ %.4g%%)\n", pct(r.OnTimeDelivery.Rate), r.OnTimeDelivery.Total, r.OnTimeDelivery.Target*100)
	fmt.Fprintf(bw, "Pre-fulfilment cancels  7 d %s (target ≤ %.4g%%)\n", pct(r.Cancel7.Rate), r.Cancel7.Target*100)
	if r.BenefitEligible {
		fmt.Fprintln(bw, "Eligible for shorter handling and transit promises (VTR ≥ 98% and on-time delivery ≥ 97%).")
	}
	if len(r.Carriers) > 0 {
		fmt.Fprintf(bw, "\nby carrier: ")
		for i, c := range r.Carriers {
			if i > 0 {
				fmt.Fprint(bw, ", ")
			}
			fmt.Fprintf(bw, "%s %s (%d)", c.Key, pct(c.Rate), c.Valid+c.Invalid)
		}
		fmt.Fprintln(bw)
	}
	if len(r.WhatIf) > 0 {
		fmt.Fprintln(bw, "\nWhat if:")
		for _, w := range r.WhatIf {
			fmt.Fprintf(bw, "  %s\n", w.Message)
		}
	}
	return bw.Flush()
}
