package ingest

import (
	"context"
	"time"

	"github.com/vtr-project/vtr"
)

// OrderPackages returns the verdicts of an order's packages as of now,
// read in one snapshot, and whether records for the order are parked waiting for it
// (its order, or its seller, has not arrived).
func (s *Store) OrderPackages(ctx context.Context, sellerID, orderID string, now time.Time) (pkgs []vtr.PackageVerdict, waiting bool, err error) {
	tx, err := s.eng.BeginRead(ctx)
	if err != nil {
		return nil, false, err
	}
	defer tx.Rollback()
	ps, err := tx.OrderPackages(ctx, []OrderRef{{Seller: sellerID, Order: orderID}})
	if err != nil {
		return nil, false, err
	}
	for _, p := range ps {
		c := p.Counted
		status := c.Outcome
		if c.Policy != "" && c.Day > DayNum(now) && c.Outcome != string(vtr.VerdictExempt) {
			status = string(vtr.VerdictPending) // as the rate counts it
		}
		pkgs = append(pkgs, vtr.PackageVerdict{
			PackageID: p.Key.Package, Status: status, Outcome: c.Outcome, IncludedOn: Day(c.Day), Policy: c.Policy, Category: c.Category,
			Carrier: c.Carrier, Detected: c.Detected, Reasons: orNone(splitReasons(c.Reasons)),
			Warnings: orNone(splitReasons(c.Warnings)), Explanation: c.Explanation,
		})
	}
	orphans, err := tx.Orphans(ctx, []string{orderID})
	if err != nil {
		return nil, false, err
	}
	for _, o := range orphans {
		if o.SellerID == sellerID || o.SellerID == "" {
			waiting = true
		}
	}
	return pkgs, waiting, tx.Commit()
}

// orNone makes an empty list encode as [] rather than null.
func orNone(r []vtr.Reason) []vtr.Reason {
	if r == nil {
		return []vtr.Reason{}
	}
	return r
}
