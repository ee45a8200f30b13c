package postgres_test

import (
	"context"
	"testing"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/ingest"
	"github.com/vtr-project/vtr/postgres"
	"github.com/vtr-project/vtr/storetest"
)

// With the server's autovacuum off, nothing else analyzes the tables an
// import grows, and prepared statements would keep plans made while they
// were empty: vtr's writes analyze them.
func TestAnalyzeAfterWrites(t *testing.T) {
	ctx := context.Background()
	u := storetest.PostgresURL(t)
	open := func() *postgres.DB {
		d, err := postgres.Open(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	reltuples := func(d *postgres.DB) float64 {
		var n float64
		if err := d.SQL().QueryRowContext(ctx, `SELECT reltuples FROM pg_class WHERE oid = 'scan_summaries'::regclass`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	d := open()
	var av string
	if err := d.SQL().QueryRowContext(ctx, `SHOW autovacuum`).Scan(&av); err != nil {
		t.Fatal(err)
	}
	if n := reltuples(d); n > 0 {
		t.Fatalf("a fresh schema's scan_summaries already analyzed: %v rows", n)
	}
	recs := storetest.Workload(1, 1500)
	if _, err := ingest.New(d, vtr.NewPolicySet(nil)).Import(ctx, storetest.List(recs), func(err error) { t.Errorf("rejected: %v", err) }); err != nil {
		t.Fatal(err)
	}
	d.Close() // waits for an analysis in progress
	if av != "off" {
		t.Logf("autovacuum is %s: PostgreSQL analyzes the tables itself, vtr does not", av)
		return
	}
	d = open()
	defer d.Close()
	if n := reltuples(d); n < 1000 {
		t.Errorf("after an import of %d records, scan_summaries is analyzed with %v rows, want it analyzed", len(recs), n)
	}
}
