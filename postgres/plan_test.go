package postgres_test

import (
	"context"
	"database/sql"
	"slices"
	"testing"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/ingest"
	"github.com/vtr-project/vtr/internal/sqlutil"
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
	// Only the columns of indexes: the keys have statistics, the long
	// texts none.
	var cols []string
	rows, err := d.SQL().QueryContext(ctx, `SELECT attname FROM pg_stats WHERE schemaname = current_schema() AND tablename = 'packages' ORDER BY attname`)
	if err := sqlutil.Each(rows, err, func(r *sql.Rows) error {
		var c string
		err := r.Scan(&c)
		cols = append(cols, c)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(cols, "tracking_norm") || !slices.Contains(cols, "order_id") || slices.Contains(cols, "explanation") {
		t.Errorf("packages analyzed on %v, want its index columns (tracking_norm, order_id, …) and not explanation", cols)
	}
}

// Warm opens the whole pool before a server takes its first request,
// rehearses a confirmation on each connection (its statements prepared
// there), stores nothing, and leaves the connections open and idle.
func TestWarm(t *testing.T) {
	ctx := context.Background()
	d, err := postgres.Open(ctx, storetest.PostgresURL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	s := ingest.New(d, nil)
	if err := d.Warm(ctx, s.Rehearse); err != nil {
		t.Fatal(err)
	}
	st := d.SQL().Stats()
	if st.OpenConnections != st.MaxOpenConnections || st.Idle != st.OpenConnections || st.OpenConnections < 2 {
		t.Errorf("after Warm: %d connections open of %d, %d idle", st.OpenConnections, st.MaxOpenConnections, st.Idle)
	}
	// Every connection of the pool, held at once, has the statements.
	conns := make([]*sql.Conn, st.OpenConnections)
	for i := range conns {
		if conns[i], err = d.SQL().Conn(ctx); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := conns[i].QueryRowContext(ctx, `SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE '%packages%'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n < 3 {
			t.Errorf("connection %d: %d statements on packages prepared after Warm, want those of a confirmation", i, n)
		}
	}
	if st := d.SQL().Stats(); st.OpenConnections != st.MaxOpenConnections {
		t.Errorf("holding the pool: %d connections open of %d", st.OpenConnections, st.MaxOpenConnections)
	}
	for _, c := range conns {
		c.Close()
	}
	if empty, err := s.Empty(ctx); err != nil || !empty {
		t.Errorf("after Warm: empty %v, %v; want nothing stored", empty, err)
	}
}
