package reconcile_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/reconcile"
	"github.com/vtr-project/vtr/spapi"
)

func updating() bool { return os.Getenv("UPDATE_GOLDEN") != "" }

func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if updating() {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (UPDATE_GOLDEN=1 go test creates it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s differs (UPDATE_GOLDEN=1 after review):\n got:\n%s\nwant:\n%s", path, got, want)
	}
}

func rate(valid, invalid int) *float64 {
	r := float64(valid) / float64(valid+invalid)
	return &r
}

func ours(policy string, asOf time.Time, days, valid, invalid, pending int) *vtr.RateReport {
	return &vtr.RateReport{SellerID: "S1", Policy: policy, AsOf: asOf, WindowDays: days,
		Overall: vtr.Counts{Valid: valid, Invalid: invalid, Pending: pending, Rate: rate(valid, invalid)}}
}

func read(t *testing.T, path, marketplace string) reconcile.Figures {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fig, err := reconcile.ReadFigures(f, marketplace)
	if err != nil {
		t.Fatal(err)
	}
	return fig
}

func TestCompareGolden(t *testing.T) {
	tests := []struct {
		name, file, marketplace string
		ours                    *vtr.RateReport
	}{
		// The schema example: the same window as vtr's, validTrackingCount
		// above shipmentCount (sic), vtr seeing fewer packages.
		{"amazon_schema_example", "../spapi/testdata/report_schema_example.json", "ATVPDKIKX0DER",
			ours("amazon-us", time.Date(2020, 11, 9, 23, 59, 0, 0, time.UTC), 30, 800000, 40000, 1200)},
		// Percentages, the other cancel-rate spelling, a window two weeks
		// behind vtr's: vtr counts more packages.
		{"amazon_percent_window", "testdata/amazon_percent_window_variant.json", "",
			ours("amazon-us", time.Date(2026, 10, 31, 12, 0, 0, 0, time.UTC), 30, 1300, 52, 40)},
		{"walmart_summary", "testdata/walmart_summary_variant.json", "",
			ours("walmart-us", time.Date(2026, 10, 30, 23, 0, 0, 0, time.UTC), 30, 390, 6, 0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := reconcile.Compare(tt.ours, read(t, tt.file, tt.marketplace))
			var buf bytes.Buffer
			if err := r.WriteText(&buf); err != nil {
				t.Fatal(err)
			}
			for _, l := range strings.Split(buf.String(), "\n") {
				if strings.HasSuffix(l, " ") {
					t.Errorf("trailing space: %q", l)
				}
			}
			golden(t, "testdata/"+tt.name+".txt.golden", buf.Bytes())
			js, err := json.MarshalIndent(r, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			golden(t, "testdata/"+tt.name+".json.golden", append(js, '\n'))
		})
	}
}

func codes(r reconcile.Report) string {
	var c []string
	for _, e := range r.Explanations {
		c = append(c, e.Code)
	}
	return strings.Join(c, ",")
}

func TestCompareTable(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2026, 10, d, 0, 0, 0, 0, time.UTC) }
	f := func(r *float64) *float64 { return r }
	tests := []struct {
		name   string
		ours   *vtr.RateReport
		theirs reconcile.Figures
		want   string
		diff   [2]int
	}{
		{"same window and counts",
			ours("ebay-us", day(30).Add(time.Hour), 30, 95, 5, 0),
			reconcile.Figures{Source: "amazon", From: day(1), To: day(30), Valid: 95, Total: 100, Rate: f(rate(95, 5))},
			"same", [2]int{0, 0}},
		{"marketplace sees more",
			ours("ebay-us", day(30), 30, 90, 5, 0),
			reconcile.Figures{Source: "amazon", From: day(1), To: day(30), Valid: 95, Total: 100, Rate: f(rate(95, 5))},
			"unseen_packages", [2]int{-5, -5}},
		{"vtr sees more, with pending, other window",
			ours("amazon-us", day(30), 30, 120, 5, 7),
			reconcile.Figures{Source: "amazon", From: day(1).AddDate(0, 0, -14), To: day(16), Valid: 95, Total: 100, Rate: f(rate(95, 5))},
			"reporting_lag,refresh,window_dates,not_counted_yet", [2]int{25, 25}},
		{"no window at all",
			ours("ebay-us", day(30), 90, 10, 0, 0),
			reconcile.Figures{Source: "walmart", WindowDays: 30, Rate: f(rate(1, 0)), Derived: true},
			"window_dates,derived_counts", [2]int{10, 10}},
	}
	for _, tt := range tests {
		r := reconcile.Compare(tt.ours, tt.theirs)
		if got := codes(r); got != tt.want {
			t.Errorf("%s: explanations %s, want %s (%+v)", tt.name, got, tt.want, r.Explanations)
		}
		if r.ValidDiff != tt.diff[0] || r.TotalDiff != tt.diff[1] {
			t.Errorf("%s: diffs %d/%d, want %v", tt.name, r.ValidDiff, r.TotalDiff, tt.diff)
		}
	}
}

func TestFigures(t *testing.T) {
	a := read(t, "testdata/amazon_percent_window_variant.json", "")
	if a.Valid != 1190 || a.Total != 1250 || math.Abs(*a.Rate-0.952) > 1e-12 || math.Abs(*a.Target-0.95) > 1e-12 || a.WindowDays != 30 ||
		!a.From.Equal(time.Date(2026, 9, 18, 0, 0, 0, 0, time.UTC)) || !a.To.Equal(time.Date(2026, 10, 17, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("amazon: got %+v", a)
	}
	w := read(t, "testdata/walmart_summary_variant.json", "")
	if w.Valid != 394 || w.Total != 400 || !w.Derived || math.Abs(*w.Rate-0.985) > 1e-12 || w.WindowDays != 30 ||
		!w.To.Equal(time.Date(2026, 10, 30, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("walmart: got %+v", w)
	}
	s := read(t, "../spapi/testdata/report_schema_example.json", "ATVPDKIKX0DER")
	if s.Source != "amazon" || s.Total == 0 {
		t.Errorf("schema example: got %+v", s)
	}
	for _, tt := range []struct{ name, in, market string }{
		{"not figures", `{"hello":1}`, ""},
		{"no such marketplace", `{"performanceMetrics":[{"marketplaceId":"X","validTrackingRate":{"shipmentCount":1}}]}`, "Y"},
		{"two marketplaces", `{"performanceMetrics":[{"marketplaceId":"X","validTrackingRate":{}},{"marketplaceId":"Y","validTrackingRate":{}}]}`, ""},
		{"walmart rate out of range", `{"payload":{"cumulativeRate":-3}}`, ""},
		{"walmart not JSON", `{"cumulativeRate":`, ""},
	} {
		_, err := reconcile.ReadFigures(strings.NewReader(tt.in), tt.market)
		var ve *vtr.Error
		if !errors.As(err, &ve) {
			t.Errorf("%s: got %v, want a *vtr.Error", tt.name, err)
		}
	}
}

func FuzzReadFigures(f *testing.F) {
	for _, file := range []string{"../spapi/testdata/report_schema_example.json", "testdata/amazon_percent_window_variant.json", "testdata/walmart_summary_variant.json"} {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	asOf := time.Date(2026, 10, 31, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, in []byte) {
		fig, err := reconcile.ReadFigures(bytes.NewReader(in), "")
		if err != nil {
			var ve *vtr.Error
			var le *vtr.LineError
			var fe *spapi.FieldError
			if !errors.As(err, &ve) && !errors.As(err, &le) && !errors.As(err, &fe) {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		r := reconcile.Compare(ours("amazon-us", asOf, 30, 10, 1, 1), fig)
		if err := r.WriteText(&bytes.Buffer{}); err != nil {
			t.Fatal(err)
		}
		if _, err := json.Marshal(r); err != nil {
			t.Fatal(err)
		}
	})
}
