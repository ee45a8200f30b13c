package flatfile

import (
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/engine"
)

var update = flag.Bool("update", false, "rewrite golden files")

var policies = vtr.NewPolicySet(nil)

func policy(t testing.TB, id string) *vtr.Policy {
	t.Helper()
	p, err := policies.Get(id)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// testdata/confirm.txt is a shipping-confirmation file in Amazon's
// template layout with one line per kind of problem.
func TestCheckGolden(t *testing.T) {
	f, err := os.Open("testdata/confirm.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out strings.Builder
	sum, err := NewChecker(policy(t, "amazon-us"), "").CheckAll(f, func(fd Finding) error {
		out.WriteString(fd.Text() + "\n")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Lines != 14 || sum.OK != 4 || sum.Rejected != 3 || sum.Defects != 7 {
		t.Errorf("summary %+v, want 14 lines: 4 ok, 3 rejected, 7 defects", sum)
	}
	golden := "testdata/confirm.golden"
	if *update {
		os.WriteFile(golden, []byte(out.String()), 0o644)
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if out.String() != string(want) {
		t.Errorf("check output differs from %s (run with -update after review):\n%s", golden, out.String())
	}
}

func TestHeaderErrors(t *testing.T) {
	for _, in := range []string{"", "\n\n", "order-id\tship-date\n", "foo\tbar\n"} {
		if _, err := NewReader(strings.NewReader(in)); err == nil {
			t.Errorf("NewReader(%q): no error", in)
		}
	}
}

func TestShipment(t *testing.T) {
	r := Row{OrderID: "111-1234567-1234567", ShipDate: "2026-10-02", CarrierCode: "UPS", TrackingNumber: "1Z96F4R8D313969574"}
	r0 := time.Date(2026, 10, 3, 0, 0, 0, 0, time.UTC)
	s, err := r.Shipment(r0)
	if err != nil || s.PackageID != "1" || s.ShippedAt.Format("2006-01-02") != "2026-10-02" {
		t.Errorf("Shipment = %+v, %v", s, err)
	}
	r.OrderID = "1-2-3"
	if _, err := r.Shipment(r0); err == nil || !strings.HasPrefix(err.Error(), "order-id:") {
		t.Errorf("bad order id: %v", err)
	}
}

func FuzzCheck(f *testing.F) {
	for _, name := range []string{"testdata/confirm.txt", "testdata/confirm.csv", "testdata/fix.txt"} {
		b, _ := os.ReadFile(name)
		f.Add(string(b))
	}
	f.Add("order-id\tship-date\ttracking-number\n\t\t\n")
	p := policy(f, "amazon-us")
	f.Fuzz(func(t *testing.T, s string) {
		fr, err := NewReader(strings.NewReader(s))
		if err != nil {
			return
		}
		c := NewChecker(p, "")
		c.CheckReader(fr, func(r Row, fd Finding) error {
			if fd.Line < 2 {
				t.Fatalf("finding on line %d, before the rows", fd.Line)
			}
			if !fd.OK() && fd.Message == "" {
				t.Fatalf("finding without a message: %+v", fd)
			}
			if strings.HasSuffix(fd.Text(), " ") {
				t.Fatalf("text ends in a space: %q", fd.Text())
			}
			// A line is fixed only by its likely carrier, or kept as it is.
			fixed, change, err := c.Fix(r, fd)
			switch {
			case err != nil:
			case fd.OK() && (change != "" || fmt.Sprint(fixed.Cells) != fmt.Sprint(r.Cells)):
				t.Fatalf("clean line %d changed: %q → %q", fd.Line, r.Cells, fixed.Cells)
			case !fd.OK() && (fd.Likely == "" || fixed.CarrierCode != fd.Likely):
				t.Fatalf("line %d fixed to carrier %q, likely %q", fd.Line, fixed.CarrierCode, fd.Likely)
			}
			return nil
		})
	})
}

// A line too long to read is one rejected finding; the lines after it
// are still checked.
func TestCheckAllLongLine(t *testing.T) {
	in := "order-id\tship-date\tcarrier-code\ttracking-number\n" +
		"111-1234567-1234567\t2026-10-03\tUPS\t1Z96F4R8D313969574\n" +
		"111-1234567-1234568\t2026-10-03\tUPS\t" + strings.Repeat("9", MaxLine+10) + "\n" +
		"111-1234567-1234569\t2026-10-03\tUPS\t1Z96F4R8D313969574\n"
	var got []Finding
	sum, err := NewChecker(policy(t, "amazon-us"), "").CheckAll(strings.NewReader(in), func(f Finding) error { got = append(got, f); return nil })
	if err != nil {
		t.Fatal(err)
	}
	if sum.Lines != 3 || sum.Rejected != 1 || len(got) != 3 || !got[1].Rejected || got[1].Line != 3 || got[2].Line != 4 {
		t.Fatalf("summary %+v, findings %+v", sum, got)
	}
}

// testdata/confirm.csv is confirm.txt as a spreadsheet saves it as CSV
// (LibreOffice, "quote all text cells": a byte-order mark, CRLF, text in
// double quotes): it is read as comma-separated, with the same findings.
func TestCheckCSVGolden(t *testing.T) {
	text := func(path string) (string, byte) {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		fr, err := NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		var out strings.Builder
		if _, err := NewChecker(policy(t, "amazon-us"), "").CheckReader(fr, func(_ Row, fd Finding) error {
			out.WriteString(fd.Text() + "\n")
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return out.String(), fr.Separator()
	}
	csv, sep := text("testdata/confirm.csv")
	want, err := os.ReadFile("testdata/confirm.golden")
	if err != nil {
		t.Fatal(err)
	}
	if sep != ',' || csv != string(want) {
		t.Errorf("confirm.csv: separator %q, findings\n%s\nwant ',' and testdata/confirm.golden", sep, csv)
	}
}

// A tracking number that is the line's order number is said to be so,
// first, whatever else the engine finds in it (a format the carrier does
// not have), and counts as the engine counts it: TRACKING_MALFORMED.
// Under Walmart's policy the order number is the purchase-order number.
func TestCheckOrderIDAsTracking(t *testing.T) {
	tests := []struct {
		policy, order, code, name, number string
		rejected                          bool
		want                              string
	}{
		{"amazon-us", "111-1234567-1234567", "UPS", "", "111-1234567-1234567", false, "this line's order ID (111-1234567-1234567)"},
		{"amazon-us", "111-1234567-1234567", "USPS", "", "11112345671234567", false, "this line's order ID (11112345671234567)"},
		{"amazon-us", "111-1234567-1234567", "FedEx", "", " 111 1234567 1234567 ", false, "this line's order ID (111 1234567 1234567)"},
		{"amazon-us", "111-1234567-1234567", "SFC", "", "111-1234567-1234567", false, "this line's order ID"},
		{"amazon-us", "111-1234567-1234567", "Other", "Bob Local Courier", "111-1234567-1234567", false, "this line's order ID"},
		{"amazon-us", "111-1234567-1234567", "Fedx", "", "111-1234567-1234567", true, `"Fedx" is not a carrier Amazon US knows`},
		{"walmart-us", "1796277083022", "USPS", "", "1796277083022", false, "this line's purchase-order number (1796277083022)"},
		{"walmart-us", "1796277083022", "FedEx", "", "1796-2770-83022", false, "purchase-order number was probably pasted"},
	}
	for _, tt := range tests {
		p := policy(t, tt.policy)
		f := NewChecker(p, "").Check(Row{Line: 2, OrderID: tt.order, ShipDate: "2026-10-02", CarrierCode: tt.code, CarrierName: tt.name, TrackingNumber: tt.number})
		name := fmt.Sprintf("%s %s %q as %s", tt.policy, tt.order, tt.number, tt.code)
		if !strings.Contains(f.Message, tt.want) || !strings.Contains(f.Message, "not a carrier's tracking number") || f.Rejected != tt.rejected {
			t.Errorf("%s: %s; want a message with %q, rejected %v", name, f.Text(), tt.want, tt.rejected)
		}
		if !tt.rejected && (f.Reason != vtr.TrackingMalformed || f.Field != "tracking-number" || f.Likely != "") {
			t.Errorf("%s: reason %s, field %q, likely %q; want TRACKING_MALFORMED on tracking-number, no likely carrier", name, f.Reason, f.Field, f.Likely)
		}
		// The engine counts it the same way.
		a := engine.AcceptCarrier(p, "", &vtr.Shipment{OrderID: tt.order, Carrier: tt.code, CarrierName: tt.name, TrackingNumber: tt.number})
		if !slices.Contains(a.Reasons, vtr.TrackingMalformed) {
			t.Errorf("%s: the engine's reasons are %v, without TRACKING_MALFORMED", name, a.Reasons)
		}
	}
	// A number that only contains the order ID is another finding.
	f := NewChecker(policy(t, "amazon-us"), "").Check(Row{Line: 2, OrderID: "111-1234567-1234567", ShipDate: "2026-10-02", CarrierCode: "UPS", TrackingNumber: "1111234567123456700"})
	if strings.Contains(f.Message, "order ID") {
		t.Errorf("a longer number: %s", f.Text())
	}
}

// Finding.Text keeps its columns whatever the values: the order ID and
// the verdict start at the same place on every line, for line numbers of
// one to seven digits and order IDs shorter or longer than Amazon's, and
// no line ends in a space.
func TestTextColumns(t *testing.T) {
	findings := []Finding{
		{Line: 2, OrderID: "111-1234567-1234567"},
		{Line: 3, OrderID: "111-1234567-1234568", Reason: vtr.CarrierMismatch, Message: "m.", Likely: "UPS"},
		{Line: 10, OrderID: "1", Rejected: true, Message: `"1" is not an Amazon order ID (3-7-7 digits).`},
		{Line: 1234567, OrderID: "111-1234567-1234567-1234567-extra", Rejected: true, Message: "x."},
		{Line: 99, OrderID: "", Rejected: true, Message: "Longer than 1048576 bytes."},
		{Line: 100, OrderID: "1796277083022", Message: "a note "},
	}
	for _, f := range findings {
		s := f.Text()
		if strings.TrimRight(s, " ") != s {
			t.Errorf("%q ends in a space", s)
		}
		r := []rune(s + strings.Repeat(" ", 60))
		line, id, verdict := string(r[:lineColumn+2]), string(r[lineColumn+2:lineColumn+2+orderColumn+2]), string(r[lineColumn+2+orderColumn+2:][:10])
		wantID := f.OrderID
		if len(wantID) > orderColumn {
			wantID = wantID[:orderColumn-1] + "…"
		}
		wantVerdict := map[bool]string{true: "REJECTED", false: "ok"}[f.Rejected]
		if f.Reason != "" && !f.Rejected {
			wantVerdict = "DEFECT"
		}
		if strings.TrimRight(line, " ") != fmt.Sprint("line ", f.Line) || !strings.HasSuffix(line, "  ") ||
			strings.TrimRight(id, " ") != wantID || !strings.HasSuffix(id, "  ") ||
			strings.TrimRight(verdict, " ") != wantVerdict {
			t.Errorf("%q: columns %q %q %q, want line %d, %q, %s", s, line, id, verdict, f.Line, wantID, wantVerdict)
		}
	}
	if got := findings[3].Text(); !strings.Contains(got, "111-1234567-123456…  REJECTED") {
		t.Errorf("a long order ID: %q, want it cut to the column", got)
	}
	if got := findings[0].Text(); got != "line 2        111-1234567-1234567  ok" {
		t.Errorf("a clean line: %q", got)
	}
}

// testdata/fix.txt has one line per kind of finding; Fix corrects the
// carrier where the engine is sure of it and the corrected line checks
// clean, copies clean lines as they are, and leaves out the rest, each
// with why. testdata/fix.golden is the corrected file.
func TestFixGolden(t *testing.T) {
	in, err := os.Open("testdata/fix.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	fr, err := NewReader(in)
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	w, err := NewWriter(&out, fr.Header())
	if err != nil {
		t.Fatal(err)
	}
	c := NewChecker(policy(t, "amazon-us"), "")
	changes, left := map[int]string{}, map[int]string{}
	if _, err := c.CheckReader(fr, func(r Row, f Finding) error {
		fixed, change, err := c.Fix(r, f)
		if err != nil {
			left[f.Line] = err.Error()
			return nil
		}
		if change != "" {
			changes[f.Line] = change
		}
		return w.Write(fixed)
	}); err != nil {
		t.Fatal(err)
	}
	w.Flush()
	golden := "testdata/fix.golden"
	if *update {
		os.WriteFile(golden, []byte(out.String()), 0o644)
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if out.String() != string(want) {
		t.Errorf("fixed file differs from %s (run with -update after review):\n%s", golden, out.String())
	}
	wantChanges := map[int]string{
		3:  `carrier-code "USPS" → "UPS"`,
		4:  `carrier-code "Other" → "FedEx", carrier-name "FedEx" removed`,
		5:  `carrier-code "顺丰" → "SF Express"`,
		6:  `carrier-code "Chna Post" → "China Post"`,
		14: `carrier-code "UPS" → "Amazon Shipping"`,
	}
	if fmt.Sprint(changes) != fmt.Sprint(wantChanges) {
		t.Errorf("changes %v\nwant %v", changes, wantChanges)
	}
	wantLeft := map[int]string{
		7:  "check digit is 5",
		8:  "TRACKING_MISSING",
		9:  "is this line's order ID",
		13: "TRACKING_REUSED",
		16: "is not a date",
	}
	if len(left) != len(wantLeft) {
		t.Errorf("left out %v, want lines 7 8 9 13 16", left)
	}
	for line, why := range wantLeft {
		if !strings.Contains(left[line], why) {
			t.Errorf("line %d left out with %q, want %q", line, left[line], why)
		}
	}
}

// A carrier fix is made only when it is certain: the engine names a
// likely carrier, the file has a carrier-code column, and the corrected
// line checks clean.
func TestFixUncertain(t *testing.T) {
	p := policy(t, "amazon-us")
	read := func(in string) Row {
		t.Helper()
		fr, err := NewReader(strings.NewReader(in))
		if err != nil {
			t.Fatal(err)
		}
		r, err := fr.Next()
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	tests := []struct {
		name, in, why string
	}{
		{"no carrier-code column", "order-id\tship-date\tcarrier-name\ttracking-number\n111-1234567-1234567\t2026-10-02\t\t1Z96F4R8D313969574\n", "no carrier-code column"},
		{"no likely carrier", "order-id\tship-date\tcarrier-code\ttracking-number\n111-1234567-1234567\t2026-10-02\tFedx\tBLC0012345\n", "cannot tell the right carrier"},
		{"a number finding", "order-id\tship-date\tcarrier-code\ttracking-number\n111-1234567-1234567\t2026-10-02\tUSPS\t111-1234567-1234567\n", "order ID"},
	}
	for _, tt := range tests {
		r := read(tt.in)
		c := NewChecker(p, "")
		f := c.Check(r)
		if f.OK() {
			t.Fatalf("%s: %s, want a finding", tt.name, f.Text())
		}
		if _, _, err := c.Fix(r, f); err == nil || !strings.Contains(err.Error(), tt.why) {
			t.Errorf("%s: Fix error %v, want one with %q (finding %s)", tt.name, err, tt.why, f.Text())
		}
	}
	// The corrected line must check clean: here its label is already on
	// another order of the file.
	fr, err := NewReader(strings.NewReader("order-id\tship-date\tcarrier-code\tcarrier-name\ttracking-number\n" +
		"111-1234567-1234567\t2026-10-02\tUPS\t\t1Z999AA10123456784\n" +
		"111-1234567-1234568\t2026-10-02\tOther\tUPS\t1Z999AA10123456784\n"))
	if err != nil {
		t.Fatal(err)
	}
	c := NewChecker(p, "")
	var whys []string
	c.CheckReader(fr, func(r Row, f Finding) error {
		if _, _, err := c.Fix(r, f); err != nil {
			whys = append(whys, err.Error())
		}
		return nil
	})
	if len(whys) != 1 || !strings.Contains(whys[0], "with UPS as the carrier: TRACKING_REUSED") {
		t.Errorf("a corrected line reusing a label: %q", whys)
	}
	// From China under the CN-out list, OnTrac is no likely carrier.
	c = NewChecker(policy(t, "amazon-cn-us"), "")
	r := read("order-id\tship-date\tcarrier-code\ttracking-number\n111-1234567-1234567\t2026-10-02\tUPS\tD10011326755777\n")
	if f := c.Check(r); f.Likely != "" {
		t.Errorf("OnTrac from CN: likely %q", f.Likely)
	} else if _, _, err := c.Fix(r, f); err == nil {
		t.Errorf("OnTrac from CN: fixed")
	}
}
