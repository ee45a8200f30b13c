package ingest

import (
	"context"
	"fmt"
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
	out, err := readVerdicts(ctx, tx, refs, now)
	if err != nil {
		return nil, err
	}
	return out, tx.Commit()
}

// Confirm applies records in one transaction (at most BatchSize of them:
// a server's group of shipment confirmations) and reads the verdicts of
// the orders refs names as OrdersPackages does: on an engine that sends
// statements together (Pipelined), in the same transaction before it
// commits, with its last writes; otherwise just after the commit. refs is
// called once the records are applied (a record the rules refuse is
// passed to reject and skipped).
func (s *Store) Confirm(ctx context.Context, recs []vtr.Record, reject func(error), refs func() []OrderRef, now time.Time) (vtr.ImportStats, map[OrderRef]OrderVerdicts, error) {
	if len(recs) > s.BatchSize {
		return vtr.ImportStats{}, nil, fmt.Errorf("confirm: %d records, more than one transaction holds (%d)", len(recs), s.BatchSize)
	}
	if p, ok := s.eng.(Pipelined); !ok || !p.Pipelined() {
		// Where a call is no round trip the read costs less in a read
		// transaction of its own than in the writer's (measured on SQLite
		// with bench/serve: p99 31–44 ms that way, 48–63 ms inside).
		st, err := s.write(ctx, recs, reject, nil)
		if err != nil {
			return vtr.ImportStats{}, nil, err
		}
		out, err := s.OrdersPackages(ctx, refs(), now)
		return st, out, err
	}
	var out map[OrderRef]OrderVerdicts
	st, err := s.write(ctx, recs, reject, func(tx Tx) error {
		var err error
		out, err = readVerdicts(ctx, tx, refs(), now)
		return err
	})
	if err != nil {
		return vtr.ImportStats{}, nil, err
	}
	return st, out, nil
}

// Pipelined is an engine that sends a transaction's statements together
// (PostgreSQL): a read added to a write transaction costs no round trip.
type Pipelined interface{ Pipelined() bool }

// readVerdicts reads the verdicts of the packages of orders, and whether
// records wait for them, in one call (Tx.Read).
func readVerdicts(ctx context.Context, tx Tx, refs []OrderRef, now time.Time) (map[OrderRef]OrderVerdicts, error) {
	out := make(map[OrderRef]OrderVerdicts, len(refs))
	if len(refs) == 0 {
		return out, nil
	}
	// Each order once: two confirmations of one order in a group name it
	// twice, and an engine may read a package once per time its order is
	// named (SQLite's join did: the answer listed the package twice).
	seen := make(map[OrderRef]bool, len(refs))
	uniq := make([]OrderRef, 0, len(refs))
	ids := make([]string, 0, len(refs))
	for _, r := range refs {
		if !seen[r] {
			seen[r] = true
			uniq = append(uniq, r)
			ids = append(ids, r.Order)
		}
	}
	refs = uniq
	f, err := tx.Read(ctx, Reads{Orders: refs, OrphansOf: ids})
	if err != nil {
		return nil, err
	}
	for _, p := range f.Packages {
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
	for _, o := range f.Orphans {
		for _, r := range refs {
			if r.Order == o.OrderID && (o.SellerID == r.Seller || o.SellerID == "") {
				v := out[r]
				v.Waiting = true
				out[r] = v
			}
		}
	}
	return out, nil
}

// orNone makes an empty list encode as [] rather than null.
func orNone(r []vtr.Reason) []vtr.Reason {
	if r == nil {
		return []vtr.Reason{}
	}
	return r
}
