package sqlite_test

import (
	"bytes"
	"context"
	"flag"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/native"
	"github.com/vtr-project/vtr/sqlite"
)

var update = flag.Bool("update", false, "rewrite golden files")

// The defect report of storetest's scenario, in the marketplace's layout
// plus vtr's columns, is pinned by a golden file.
func TestReportGolden(t *testing.T) {
	s := open(t).(*sqlite.Store)
	dec := native.NewDecoder(strings.NewReader(storetestScenario()), func() time.Time { return time.Date(2026, 10, 15, 0, 0, 0, 0, time.UTC) })
	if _, err := s.Import(context.Background(), dec.Next, func(err error) { t.Error(err) }); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := s.Report(context.Background(), vtr.ReportFilter{SellerID: "S1", AsOf: time.Date(2026, 10, 30, 0, 0, 0, 0, time.UTC),
		ShippedLate: true, DeliveredLate: true}, &buf); err != nil {
		t.Fatal(err)
	}
	const golden = "testdata/report.golden.csv"
	if *update {
		os.WriteFile(golden, buf.Bytes(), 0o644)
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if buf.String() != string(want) {
		t.Errorf("report differs from %s (-update after review):\n%s", golden, buf.String())
	}
}
