package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/flatfile"
	"github.com/vtr-project/vtr/native"
	"github.com/vtr-project/vtr/sqlite"
)

const importHelp = `Usage: vtr import [--db FILE] [--policies FILE] [--format F] FILE|-

Imports sellers, orders, shipments, cancellations and carrier events,
streaming: native NDJSON (one object per line with a "type"), or Amazon's
shipping-confirmation flat file (recognised by its header). Bad lines are
reported with their line number, field and reason; good lines are kept.
Every package touched is re-judged and the rates updated as it goes.

  --format F   native (default; the flat file is detected by its header),
               flatfile, aftership, easypost, 17track
`

// clock is the CLI's one source of the current time; tests replace it.
var clock = time.Now

func (m *Main) importCmd(ctx context.Context, args []string) error {
	if len(args) > 0 && args[0] == "events" { // `vtr import events FILE` reads the same formats
		args = args[1:]
	}
	fs := newFlags("import")
	sf := addStoreFlags(fs)
	format := fs.String("format", "native", "")
	if ok, err := parse(fs, args, importHelp, m.Stdout); !ok {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("import: give one FILE, or - for standard input")
	}
	in, size, err := m.openInput(fs.Arg(0))
	if err != nil {
		return err
	}
	defer in.Close()
	store, err := sf.open(ctx)
	if err != nil {
		return err
	}
	defer store.Close()

	prog := newProgress(m.Stderr, size)
	br := bufio.NewReaderSize(prog.reader(in), 64<<10)
	next, err := m.recordSource(br, *format)
	if err != nil {
		return err
	}
	var rejected int
	reject := func(err error) {
		rejected++
		prog.clear()
		fmt.Fprintf(m.Stderr, "vtr: %v\n", err)
	}
	start := clock()
	st, err := store.Import(ctx, func() (native.Record, error) {
		rec, err := next()
		if err == nil {
			prog.tick()
		}
		return rec, err
	}, reject)
	prog.done()
	el := clock().Sub(start).Seconds()
	fmt.Fprintf(m.Stderr, "imported %d records in %.1fs: %d sellers, %d orders, %d shipments, %d cancellations, %d events (%d duplicate, %d unclassified); %d packages judged; %d lines rejected\n",
		st.Records, el, st.Sellers, st.Orders, st.Shipments, st.Cancellations, st.Events, st.DuplicateEvents, st.UnknownEvents, st.Packages, st.Rejected)
	if err != nil {
		return err
	}
	if rejected > 0 {
		return errFound
	}
	return nil
}

func (m *Main) openInput(name string) (io.ReadCloser, int64, error) {
	if name == "-" {
		return io.NopCloser(m.Stdin), -1, nil
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, 0, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, err
	}
	return f, fi.Size(), nil
}

// recordSource returns the record reader for a format; "native" also
// recognises the Amazon flat file by its header.
func (m *Main) recordSource(br *bufio.Reader, format string) (func() (native.Record, error), error) {
	switch format {
	case "native":
		head, _ := br.Peek(64)
		if flatfile.LooksLike(head) {
			return flatSource(br)
		}
		dec := native.NewDecoder(br, clock)
		return dec.Next, nil
	case "flatfile":
		return flatSource(br)
	case "aftership", "easypost", "17track":
		return webhookSource(br, format)
	}
	return nil, usagef("import: unknown --format %q (native, flatfile, aftership, easypost, 17track)", format)
}

func flatSource(r io.Reader) (func() (native.Record, error), error) {
	fr, err := flatfile.NewReader(r)
	if err != nil {
		return nil, err
	}
	return func() (native.Record, error) {
		row, err := fr.Next()
		if err != nil {
			return native.Record{}, err
		}
		s, err := row.Shipment(clock())
		if err != nil {
			field, msg, _ := strings.Cut(err.Error(), ": ")
			return native.Record{}, &native.LineError{Line: row.Line, Field: field, Msg: msg}
		}
		return native.Record{Line: row.Line, Type: "shipment", Shipment: s}, nil
	}, nil
}

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
	t, err := parseAsOf(*asOf, clock())
	if err != nil {
		return err
	}
	store, err := sf.open(ctx)
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

const reportHelp = `Usage: vtr report --seller ID [--policy P] [--as-of TIME] [--carrier C] [--category C] [--shipped-late] [--delivered-late] [--db FILE]

The defect report as CSV on standard output, streamed, in the marketplace's
column layout followed by vtr's Reasons, Detected Carrier and Explanation.
Rows with no valid tracking are always listed; --shipped-late and
--delivered-late add the rows flagged late.
`

func (m *Main) report(ctx context.Context, args []string) error {
	fs := newFlags("report")
	sf := addStoreFlags(fs)
	var f sqlite.ReportFilter
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
	if f.AsOf, err = parseAsOf(*asOf, clock()); err != nil {
		return err
	}
	store, err := sf.open(ctx)
	if err != nil {
		return err
	}
	defer store.Close()
	w := bufio.NewWriterSize(m.Stdout, 64<<10)
	n, err := store.Report(ctx, f, w)
	if ferr := w.Flush(); err == nil {
		err = ferr
	}
	fmt.Fprintf(m.Stderr, "%d rows\n", n)
	return err
}

const checkHelp = `Usage: vtr check [--json] FILE|-

Pre-flight of an Amazon shipping-confirmation flat file before upload, with
no database: for every line, what Amazon would reject (REJECTED) or count
against the Valid Tracking Rate (DEFECT), why, and the likely right carrier.
Exit status 1 when any line has a finding.
`

func (m *Main) check(ctx context.Context, args []string) error {
	fs := newFlags("check")
	asJSON := fs.Bool("json", false, "")
	if ok, err := parse(fs, args, checkHelp, m.Stdout); !ok {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("check: give one FILE, or - for standard input")
	}
	in, _, err := m.openInput(fs.Arg(0))
	if err != nil {
		return err
	}
	defer in.Close()
	w := bufio.NewWriter(m.Stdout)
	sum, err := flatfile.CheckAll(in, func(f flatfile.Finding) error {
		if *asJSON {
			b, _ := json.Marshal(f)
			w.Write(append(b, '\n'))
			return nil
		}
		_, err := fmt.Fprintln(w, f.Text())
		return err
	})
	if ferr := w.Flush(); err == nil {
		err = ferr
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stderr, "%d lines: %d ok, %d rejected by Amazon at upload, %d accepted but counted as VTR defects\n", sum.Lines, sum.OK, sum.Rejected, sum.Defects)
	if sum.Rejected+sum.Defects > 0 {
		return errFound
	}
	return nil
}

const verifyHelp = `Usage: vtr verify [--db FILE]

Recomputes every scan summary, verdict and aggregate from the raw data and
reports any difference from the live, incrementally maintained state.
Exit status 1 when there is a difference.
`

func (m *Main) verify(ctx context.Context, args []string) error {
	fs := newFlags("verify")
	sf := addStoreFlags(fs)
	if ok, err := parse(fs, args, verifyHelp, m.Stdout); !ok {
		return err
	}
	store, err := sf.open(ctx)
	if err != nil {
		return err
	}
	defer store.Close()
	diffs, err := store.Verify(ctx)
	if err != nil {
		return err
	}
	for _, d := range diffs {
		fmt.Fprintf(m.Stdout, "%s %s: stored %s, recomputed %s\n", d.What, d.Key, d.Stored, d.Want)
	}
	if len(diffs) > 0 {
		fmt.Fprintf(m.Stderr, "%d differences\n", len(diffs))
		return errFound
	}
	fmt.Fprintln(m.Stderr, "verified: the live aggregates equal a full recomputation")
	return nil
}

const policiesHelp = `Usage: vtr policies [--json] [--policies FILE]

Lists the policies in force — the built-in profiles and any operator
profiles from --policies (a JSON array; a profile with a built-in's id
replaces it) — with their parameters.
`

func (m *Main) policies(args []string) error {
	fs := newFlags("policies")
	file := fs.String("policies", os.Getenv("VTR_POLICIES"), "")
	asJSON := fs.Bool("json", false, "")
	if ok, err := parse(fs, args, policiesHelp, m.Stdout); !ok {
		return err
	}
	set, err := policySet(*file)
	if err != nil {
		var ve *vtr.Error
		if errors.As(err, &ve) {
			return usagef("%v", err)
		}
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(m.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(set.All())
	}
	w := bufio.NewWriter(m.Stdout)
	for _, p := range set.All() {
		fmt.Fprintf(w, "%-13s %s (%s)\n", p.ID, p.Name, p.Marketplace)
		fmt.Fprintf(w, "              target %.4g%% (at risk below %.4g%%), %d-day window by %s, grouped by %s, marketplace lag %d d\n",
			p.Target*100, (p.Target+p.AtRiskMargin)*100, p.WindowDays, strings.ReplaceAll(p.Inclusion, "_", " "), p.GroupBy, p.ReportingLagDays)
		scan := fmt.Sprintf("%d physical scan(s)", p.Scans.MinPhysical)
		for _, h := range p.Scans.HighValue {
			scan += fmt.Sprintf("; from %s at ≥ %s: %d incl. delivery/attempt", strings.Join(h.Origins, "/"), h.AtLeast, h.MinPhysical)
		}
		fmt.Fprintf(w, "              scans: %s\n", scan)
		if len(p.Origins) > 0 {
			fmt.Fprintf(w, "              origins: %s\n", strings.Join(p.Origins, " "))
		}
		for o, cs := range p.Carriers {
			fmt.Fprintf(w, "              carriers (%s): %s\n", o, strings.Join(cs, ", "))
		}
		for _, e := range p.Exemptions {
			fmt.Fprintf(w, "              exempt: %s%s\n", e.Code, describeExemption(e))
		}
		up := []string{}
		if p.UploadBeforeDelivery {
			up = append(up, "before delivery")
		}
		if p.Upload.From != "" {
			kind := "warning"
			if p.Upload.Defect {
				kind = "defect"
			}
			up = append(up, fmt.Sprintf("within %d h of %s (%s)", p.Upload.Hours, strings.ReplaceAll(p.Upload.From, "_", " "), kind))
		}
		fmt.Fprintf(w, "              upload: %s\n", strings.Join(up, ", "))
	}
	return w.Flush()
}

func describeExemption(e vtr.Exemption) string {
	var parts []string
	if e.Digital {
		parts = append(parts, "digital")
	}
	if e.Freight {
		parts = append(parts, "freight")
	}
	if e.Domestic != "" {
		parts = append(parts, strings.ReplaceAll(e.Domestic, "_", "-"))
	}
	if e.Below != nil {
		parts = append(parts, "below "+e.Below.String())
	}
	if len(e.ShipMethods) > 0 {
		parts = append(parts, "ship method "+strings.Join(e.ShipMethods, " | "))
	}
	if len(e.Carriers) > 0 {
		parts = append(parts, "carriers "+strings.Join(e.Carriers, ", "))
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, ", ") + ")"
}
