package flatfile

import (
	"flag"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/vtr-project/vtr"
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
	b, _ := os.ReadFile("testdata/confirm.txt")
	f.Add(string(b))
	f.Add("order-id\tship-date\ttracking-number\n\t\t\n")
	p := policy(f, "amazon-us")
	f.Fuzz(func(t *testing.T, s string) {
		NewChecker(p, "").CheckAll(strings.NewReader(s), func(fd Finding) error {
			if fd.Line < 2 {
				t.Fatalf("finding on line %d, before the rows", fd.Line)
			}
			if !fd.OK() && fd.Message == "" {
				t.Fatalf("finding without a message: %+v", fd)
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
