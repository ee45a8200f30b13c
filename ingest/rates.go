package ingest

import (
	"context"
	"time"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/engine"
)

// RateAt is one question to Rates: the rates as of a time, with a
// what-if projection that many days ahead (0: none).
type RateAt struct {
	AsOf       time.Time
	WhatIfDays int
}

// Rates answers several Rate questions about one seller and policy (a
// trend's days, the 7- and 30-day projections) from one read of the
// aggregate rows that covers all their windows. Each answer equals
// Rate's for the same question: engine.Rate skips the rows outside its
// own window.
func (s *Store) Rates(ctx context.Context, sellerID, policyID string, at []RateAt) ([]*vtr.RateReport, error) {
	p, err := s.policy(ctx, sellerID, policyID)
	if err != nil {
		return nil, err
	}
	if len(at) == 0 {
		return nil, nil
	}
	var first, ordersFrom, ordersTo time.Time
	for i, q := range at {
		f, l := engine.Window(p, q.AsOf)
		of := l.AddDate(0, 0, -engine.OrderWindowDays+1)
		if i == 0 || f.Before(first) {
			first = f
		}
		if i == 0 || of.Before(ordersFrom) {
			ordersFrom = of
		}
		if i == 0 || l.After(ordersTo) {
			ordersTo = l
		}
	}
	daily, err := s.eng.Daily(ctx, sellerID, p.ID, first)
	if err != nil {
		return nil, err
	}
	orders, err := s.eng.OrderDaily(ctx, sellerID, p.ID, ordersFrom, ordersTo)
	if err != nil {
		return nil, err
	}
	out := make([]*vtr.RateReport, len(at))
	for i, q := range at {
		out[i] = engine.Rate(p, sellerID, q.AsOf, q.WhatIfDays, daily, orders)
	}
	return out, nil
}

// ReasonCounts counts the reasons of the seller's packages with no valid
// tracking in the policy's window ending at asOf (a package with two
// reasons counts under each): the defects-by-reason chart, from the
// aggregates kept with the rates (a row a day and reason), not from the
// packages.
func (s *Store) ReasonCounts(ctx context.Context, sellerID, policyID string, asOf time.Time) (map[vtr.Reason]int, error) {
	p, err := s.policy(ctx, sellerID, policyID)
	if err != nil {
		return nil, err
	}
	first, last := engine.Window(p, asOf)
	return s.eng.ReasonDaily(ctx, sellerID, p.ID, first, last)
}
