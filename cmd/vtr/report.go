package main

import (
	"bufio"
	"context"
	"fmt"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/report"
)

const reportHelp = `Usage: vtr report --seller ID [--policy P] [--as-of TIME] [--carrier C] [--category C] [--shipped-late] [--delivered-late] [--db FILE]

The defect report as CSV on standard output, streamed, in the marketplace's
column layout followed by vtr's Reasons, Detected Carrier and Explanation,
then the Currency of Package Value (a plain number, empty when unknown).
Rows with no valid tracking are always listed; --shipped-late and
--delivered-late add the rows flagged late.
`

func (m *Main) report(ctx context.Context, args []string) error {
	fs := newFlags("report")
	sf := addStoreFlags(fs)
	var f vtr.ReportFilter
	fs.StringVar(&f.SellerID, "seller", "", "")
	fs.StringVar(&f.Policy, "policy", "", "")
	asOf := fs.String("as-of", "", "")
	fs.StringVar(&f.Carrier, "carrier", "", "")
	fs.StringVar(&f.Category, "category", "", "")
	fs.BoolVar(&f.ShippedLate, "shipped-late", false, "")
	fs.BoolVar(&f.DeliveredLate, "delivered-late", false, "")
	if ok, err := parse(fs, args, reportHelp, m.Stdout); !ok {
		return err
	}
	if f.SellerID == "" {
		return usagef("report: --seller is required")
	}
	var err error
	if f.AsOf, err = parseAsOf(*asOf, m.now()); err != nil {
		return err
	}
	store, err := sf.open(ctx, forRead)
	if err != nil {
		return err
	}
	defer store.Close()
	w := bufio.NewWriterSize(m.Stdout, 64<<10)
	enc, err := report.NewCSV(w)
	if err != nil {
		return err
	}
	n, err := store.Defects(ctx, f, enc.Write)
	if ferr := enc.Flush(); err == nil {
		err = ferr
	}
	if ferr := w.Flush(); err == nil {
		err = ferr
	}
	fmt.Fprintf(m.Stderr, "%d rows\n", n)
	return err
}
