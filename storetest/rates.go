package storetest

import (
	"context"
	"encoding/json"
	"slices"
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

	// LastDay: the latest day a seller's packages count on; nothing of
	// the seller after it, and the latest of all sellers' for "".
	var latest time.Time
	for _, seller := range []string{"S1", "S2", "S3"} {
		last, err := s.LastDay(ctx, seller)
		if err != nil || last.IsZero() {
			t.Fatalf("%s: LastDay %v, %v", seller, last, err)
		}
		if last.After(latest) {
			latest = last
		}
		rep, err := s.Rate(ctx, seller, "amazon-us", last.Add(24*time.Hour-time.Second), 0)
		if err != nil {
			t.Fatal(err)
		}
		if n := len(rep.Days); n == 0 || rep.Days[n-1].Key != last.Format(time.DateOnly) || rep.Overall.Pending != 0 {
			t.Errorf("%s: LastDay %s, but the rate as of then has days %v and %d pending", seller, last.Format(time.DateOnly), rep.Days, rep.Overall.Pending)
		}
	}
	if all, err := s.LastDay(ctx, ""); err != nil || !all.Equal(latest) {
		t.Errorf("LastDay of all: %v %v, want %v", all, err, latest)
	}
	if none, err := s.LastDay(ctx, "nobody"); err != nil || !none.IsZero() {
		t.Errorf("LastDay of an unknown seller: %v %v, want zero", none, err)
	}
}

// testDefectPages holds the defect stream's positions to the whole
// report: pages after a row, pages before one, a limit, filters, and the
// scans read with the rows.
func testDefectPages(t *testing.T, open Opener1) {
	s := open(t)
	records(t, s, Workload(5, 1500))
	ctx := context.Background()
	asOf := time.Date(2026, 10, 10, 0, 0, 0, 0, time.UTC)
	for _, base := range []vtr.ReportFilter{
		{SellerID: "S1", Policy: "amazon-us", AsOf: asOf},
		{SellerID: "S1", Policy: "amazon-us", AsOf: asOf, Carrier: "ups"},
		{SellerID: "S2", Policy: "amazon-us", AsOf: asOf, ShippedLate: true, DeliveredLate: true},
	} {
		var all []string
		rowKey := func(d *vtr.DefectRow) string {
			return d.IncludedOn.Format(time.DateOnly) + " " + d.OrderID + "/" + d.PackageID
		}
		if _, err := s.Defects(ctx, base, func(d *vtr.DefectRow) error {
			if d.Scans != nil {
				t.Errorf("scans read without being asked")
			}
			all = append(all, rowKey(d))
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if len(all) < 20 {
			t.Fatalf("%+v: %d rows: too few to page", base, len(all))
		}
		const size = 7
		// Forward, page after page.
		var fwd []string
		var after *vtr.DefectCursor
		for pages := 0; ; pages++ {
			if pages > len(all) {
				t.Fatal("paging forward does not end")
			}
			f := base
			f.After, f.Limit = after, size
			var page []*vtr.DefectRow
			n, err := s.Defects(ctx, f, func(d *vtr.DefectRow) error { page = append(page, d); return nil })
			if err != nil {
				t.Fatal(err)
			}
			if n != len(page) || n > size {
				t.Fatalf("page of %d rows says %d (limit %d)", len(page), n, size)
			}
			if n == 0 {
				break
			}
			for _, d := range page {
				fwd = append(fwd, rowKey(d))
			}
			c := page[len(page)-1].Cursor()
			after = &c
		}
		if !slices.Equal(fwd, all) {
			t.Errorf("%+v: pages forward\n%v\nwant\n%v", base, fwd, all)
		}
		// Backward from the end: the same rows, last first.
		var back []string
		f := base
		f.Before = after
		if _, err := s.Defects(ctx, f, func(d *vtr.DefectRow) error { back = append(back, rowKey(d)); return nil }); err != nil {
			t.Fatal(err)
		}
		slices.Reverse(back)
		if !slices.Equal(back, all[:len(all)-1]) {
			t.Errorf("%+v: backward from the last row\n%v\nwant\n%v", base, back, all[:len(all)-1])
		}
	}
	// Scans come with each row when asked.
	seen := 0
	if _, err := s.Defects(ctx, vtr.ReportFilter{SellerID: "S1", Policy: "amazon-us", AsOf: asOf, Scans: true}, func(d *vtr.DefectRow) error {
		switch {
		case d.Scans == nil:
			t.Fatalf("%s: no scans", d.OrderID)
		case slices.Contains(d.Reasons, vtr.NoPhysicalScan) && d.Scans.Physical != 0:
			t.Errorf("%s: %s with %d physical scans", d.OrderID, vtr.NoPhysicalScan, d.Scans.Physical)
		case d.Scans.Informational() < 0 || d.Scans.Physical > d.Scans.Events:
			t.Errorf("%s: inconsistent scans %+v", d.OrderID, d.Scans)
		case d.Scans.Events > 0 && d.Scans.LastAt.IsZero():
			t.Errorf("%s: %d events and no last one", d.OrderID, d.Scans.Events)
		}
		seen += d.Scans.Events
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if seen == 0 {
		t.Error("no defect row has any scan: the check proves nothing")
	}
}
