package ingest

import (
	"context"
	"time"

	"github.com/vtr-project/vtr"
)

// OrderVerdicts are what is stored of an order's packages: their
// verdicts, and whether records for the order wait for it (its order, or
// its seller, has not arrived).
type OrderVerdicts struct {
	Packages []vtr.PackageVerdict
	Waiting  bool
}

// OrdersPackages returns the verdicts of the packages of several orders
// as of now, read in one snapshot: a package counts as pending until its
// inclusion day has come, as the rate counts it.
func (s *Store) OrdersPackages(ctx context.Context, refs []OrderRef, now time.Time) (map[OrderRef]OrderVerdicts, error) {
	tx, err := s.eng.BeginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	ps, err := tx.OrderPackages(ctx, refs)
	if err != nil {
		return nil, err
	}
	out := make(map[OrderRef]OrderVerdicts, len(refs))
	for _, p := range ps {
		c := p.Counted
		status := c.Outcome
		if c.Policy != "" && c.Day > DayNum(now) && c.Outcome != string(vtr.VerdictExempt) {
			status = string(vtr.VerdictPending) // as the rate counts it
		}
		ref := OrderRef{Seller: p.Key.Seller, Order: p.Key.Order}
		v := out[ref]
		v.Packages = append(v.Packages, vtr.PackageVerdict{
			PackageID: p.Key.Package, Status: status, Outcome: c.Outcome, IncludedOn: Day(c.Day), Policy: c.Policy, Category: c.Category,
			Carrier: c.Carrier, Detected: c.Detected, Reasons: orNone(splitReasons(c.Reasons)),
			Warnings: orNone(splitReasons(c.Warnings)), Explanation: c.Explanation,
		})
		out[ref] = v
	}
	ids := make([]string, 0, len(refs))
	for _, r := range refs {
		ids = append(ids, r.Order)
	}
	orphans, err := tx.Orphans(ctx, ids)
	if err != nil {
		return nil, err
	}
	for _, o := range orphans {
		for _, r := range refs {
			if r.Order == o.OrderID && (o.SellerID == r.Seller || o.SellerID == "") {
				v := out[r]
				v.Waiting = true
				out[r] = v
			}
		}
	}
	return out, tx.Commit()
}

// orNone makes an empty list encode as [] rather than null.
func orNone(r []vtr.Reason) []vtr.Reason {
	if r == nil {
		return []vtr.Reason{}
	}
	return r
}
