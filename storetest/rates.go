package storetest

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/ingest"
)

// multiRater is what a store offers the dashboard beyond vtr.Store: many
// rates from one read, and the defects counted by reason.
type multiRater interface {
	Rates(ctx context.Context, sellerID, policy string, at []ingest.RateAt) ([]*vtr.RateReport, error)
	ReasonCounts(ctx context.Context, sellerID, policy string, asOf time.Time) (map[vtr.Reason]int, error)
}

// testRates holds Rates to Rate, question by question, and ReasonCounts
// to the reasons of the defect report's rows.
func testRates(t *testing.T, open Opener1) {
	s := open(t)
	mr, ok := s.(multiRater)
	if !ok {
		t.Fatalf("%T has no Rates and ReasonCounts", s)
	}
	records(t, s, Workload(3, 1500))
	ctx := context.Background()
	start := time.Date(2026, 9, 5, 18, 30, 0, 0, time.UTC)
	var qs []ingest.RateAt
	for d := 0; d < 60; d += 3 {
		qs = append(qs, ingest.RateAt{AsOf: start.AddDate(0, 0, d), WhatIfDays: []int{0, 7, 30}[d%3]})
	}
	for _, seller := range []string{"S1", "S2"} {
		got, err := mr.Rates(ctx, seller, "amazon-us", qs)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(qs) {
			t.Fatalf("%d answers to %d questions", len(got), len(qs))
		}
		counted := 0
		for i, q := range qs {
			want, err := s.Rate(ctx, seller, "amazon-us", q.AsOf, q.WhatIfDays)
			if err != nil {
				t.Fatal(err)
			}
			a, _ := json.Marshal(got[i])
			b, _ := json.Marshal(want)
			if string(a) != string(b) {
				t.Errorf("%s as of %s +%dd:\nRates %s\nRate  %s", seller, q.AsOf, q.WhatIfDays, a, b)
			}
			counted += want.Overall.Valid + want.Overall.Invalid

			reasons, err := mr.ReasonCounts(ctx, seller, "amazon-us", q.AsOf)
			if err != nil {
				t.Fatal(err)
			}
			fromRows := map[vtr.Reason]int{}
			if _, err := s.Defects(ctx, vtr.ReportFilter{SellerID: seller, Policy: "amazon-us", AsOf: q.AsOf}, func(d *vtr.DefectRow) error {
				for _, r := range d.Reasons {
					fromRows[r]++
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			if len(reasons) != len(fromRows) {
				t.Errorf("%s as of %s: reasons %v, report rows %v", seller, q.AsOf, reasons, fromRows)
			}
			for r, n := range fromRows {
				if reasons[r] != n {
					t.Errorf("%s as of %s: %s counted %d, report rows %d", seller, q.AsOf, r, reasons[r], n)
				}
			}
		}
		if counted == 0 {
			t.Fatalf("%s: no package counted on any day: the workload proves nothing", seller)
		}
	}
	if _, err := mr.Rates(ctx, "nobody", "amazon-us", qs); vtr.ErrorCode(err) != vtr.ENOTFOUND {
		t.Errorf("unknown seller: %v, want not found", err)
	}
}
