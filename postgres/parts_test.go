package postgres

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/ingest"
	"github.com/vtr-project/vtr/report"
	"github.com/vtr-project/vtr/storetest"
)

// An import transaction's writes of fewer than stageRows rows go in
// statements of rowsPerStatement rows and round trips of about
// flushBytes: with both made small (an order, a confirmation, a summary,
// a verdict per few statements; a round trip every few kilobytes), an
// import stores what it stores with the defaults, and verifies clean.
// So it does with every write, of however few rows, by COPY (stageRows
// 1), and with none.
func TestWritesInParts(t *testing.T) {
	ctx := context.Background()
	recs := storetest.Workload(11, 300)
	asOf := time.Date(2026, 10, 25, 0, 0, 0, 0, time.UTC)
	seen := func() string {
		t.Helper()
		d, err := Open(ctx, storetest.PostgresURL(t))
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		s := ingest.New(d, nil)
		st, err := s.Import(ctx, storetest.List(recs), func(err error) { t.Errorf("rejected: %v", err) })
		if err != nil {
			t.Fatal(err)
		}
		if diffs, err := s.Verify(ctx); err != nil || len(diffs) > 0 {
			t.Errorf("verify: %v, %d differences", err, len(diffs))
		}
		var b strings.Builder
		j, _ := json.Marshal(st)
		b.Write(j)
		for _, seller := range []string{"S1", "S2", "S3"} {
			r, err := s.Rate(ctx, seller, "amazon-us", asOf, 7)
			if err != nil {
				t.Fatal(err)
			}
			j, _ := json.Marshal(r)
			b.Write(j)
			enc, err := report.NewCSV(&b)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.Defects(ctx, vtr.ReportFilter{SellerID: seller, Policy: "amazon-us", AsOf: asOf, ShippedLate: true, DeliveredLate: true}, enc.Write); err != nil {
				t.Fatal(err)
			}
			if err := enc.Flush(); err != nil {
				t.Fatal(err)
			}
		}
		return b.String()
	}
	want := seen()
	defer func(rows, bytes, stage int) {
		rowsPerStatement, flushBytes, stageRows = rows, bytes, stage
	}(rowsPerStatement, flushBytes, stageRows)
	stageRows = 1
	if got := seen(); got != want {
		t.Errorf("imported by COPY, a seller sees something else:\n got %.600s\nwant %.600s", got, want)
	}
	rowsPerStatement, flushBytes, stageRows = 7, 4096, 1<<30
	if got := seen(); got != want {
		t.Errorf("imported in parts, a seller sees something else:\n got %.600s\nwant %.600s", got, want)
	}
	if !strings.Contains(want, "Order ID") || strings.Count(want, "\n") < 20 {
		t.Errorf("the comparison holds too little: %.300s", want)
	}
}

// Past a transaction's savepoints, events are stored skipping those
// there from the start (AddEvents): the whole contract holds that way
// too.
func TestContractWithoutSavepoints(t *testing.T) {
	defer func(n int) { maxSavepoints = n }(maxSavepoints)
	maxSavepoints = 0
	contract(t)
}

// Every write of a transaction by COPY (stageRows 1; put), the whole
// contract holds too.
func TestContractByCopy(t *testing.T) {
	defer func(n int) { stageRows = n }(stageRows)
	stageRows = 1
	contract(t)
}

// contract runs the contract suite.
func contract(t *testing.T) {
	open := func(t *testing.T, u string) *DB {
		d, err := Open(context.Background(), u)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { d.Close() })
		return d
	}
	storetest.Run(t, func(t *testing.T) storetest.Opened {
		u := storetest.PostgresURL(t)
		return storetest.Opened{
			Store:   ingest.New(open(t, u), nil),
			Another: func(t *testing.T) vtr.Store { return ingest.New(open(t, u), nil) },
		}
	})
}
