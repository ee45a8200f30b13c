package postgres_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/ingest"
	"github.com/vtr-project/vtr/internal/sqlutil"
	"github.com/vtr-project/vtr/postgres"
	"github.com/vtr-project/vtr/storetest"
)

func openDB(t *testing.T, dsn string) *postgres.DB {
	t.Helper()
	d, err := postgres.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Opened {
		u := storetest.PostgresURL(t)
		return storetest.Opened{
			Store:   ingest.New(openDB(t, u), nil),
			Another: func(t *testing.T) vtr.Store { return ingest.New(openDB(t, u), nil) },
		}
	})
}

func TestMigrationsRecordedOnce(t *testing.T) {
	u := storetest.PostgresURL(t)
	for range 2 {
		d := openDB(t, u)
		var n int
		if err := d.SQL().QueryRow(`SELECT COUNT(*) FROM schema_migrations`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if want := migrationFiles(t); n != want {
			t.Errorf("%d migrations recorded, want %d", n, want)
		}
	}
}

// The tables the import rewrites leave room on their pages (migration
// 0010), so that a rewrite can stay on its page.
func TestFillfactor(t *testing.T) {
	d := openDB(t, storetest.PostgresURL(t))
	db := d.SQL()
	for table, want := range map[string]string{"scan_summaries": "fillfactor=70", "packages": "fillfactor=80", "orders": "fillfactor=80"} {
		var opts string
		if err := db.QueryRow(`SELECT COALESCE(array_to_string(reloptions, ' '), '') FROM pg_class WHERE oid = $1::regclass`, table).Scan(&opts); err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(strings.Fields(opts), want) {
			t.Errorf("%s: options %v, want %s", table, opts, want)
		}
	}
}

// Orders have one index (migration 0011), their primary key led by the
// order ID: it finds an order by ID and seller, and an order ID's sellers.
func TestOrdersKey(t *testing.T) {
	d := openDB(t, storetest.PostgresURL(t))
	var defs []string
	rows, err := d.SQL().Query(`SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'orders' ORDER BY indexname`)
	if err := sqlutil.Each(rows, err, func(r *sql.Rows) error {
		var def string
		err := r.Scan(&def)
		defs = append(defs, def)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if len(defs) != 1 || !strings.Contains(defs[0], "UNIQUE INDEX orders_pkey") || !strings.HasSuffix(defs[0], "(order_id, seller_id)") {
		t.Errorf("orders' indexes: %q, want only the primary key on (order_id, seller_id)", defs)
	}
}

// The schema keeps what Citus needs to distribute it: every table is
// distributed (by the column postgres.Citus names) or a reference table;
// every primary key and unique constraint of a distributed table includes
// its distribution column; no foreign key crosses distribution keys.
func TestCitusInvariants(t *testing.T) {
	d := openDB(t, storetest.PostgresURL(t))
	db := d.SQL()
	rows, err := db.Query(`SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, n)
	}
	rows.Close()
	if len(tables) < len(postgres.Citus) {
		t.Fatalf("tables %v: the schema was not created", tables)
	}
	for _, tb := range tables {
		col, distributed := postgres.Citus[tb]
		if !distributed && !slices.Contains(postgres.CitusReference, tb) {
			t.Errorf("table %s is neither distributed nor a reference table in postgres.Citus", tb)
			continue
		}
		if !distributed {
			continue
		}
		// Every unique index (primary keys included) holds the column.
		idx, err := db.Query(`SELECT i.relname, array_to_string(array_agg(a.attname ORDER BY a.attnum), ',')
			FROM pg_index x JOIN pg_class c ON c.oid = x.indrelid JOIN pg_class i ON i.oid = x.indexrelid
			JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = ANY(x.indkey)
			WHERE n.nspname = current_schema() AND c.relname = $1 AND x.indisunique GROUP BY i.relname`, tb)
		if err != nil {
			t.Fatal(err)
		}
		unique := 0
		for idx.Next() {
			var name, cols string
			if err := idx.Scan(&name, &cols); err != nil {
				t.Fatal(err)
			}
			unique++
			if !slices.Contains(strings.Split(cols, ","), col) {
				t.Errorf("%s: unique index %s (%s) lacks the distribution column %s", tb, name, cols, col)
			}
		}
		idx.Close()
		if unique == 0 {
			t.Errorf("%s has no primary key", tb)
		}
	}
	// Foreign keys: both ends distributed by the same column, and the
	// column part of the key.
	fk, err := db.Query(`SELECT c.conname, src.relname, dst.relname,
			(SELECT array_to_string(array_agg(attname), ',') FROM pg_attribute WHERE attrelid = c.conrelid AND attnum = ANY(c.conkey)),
			(SELECT array_to_string(array_agg(attname), ',') FROM pg_attribute WHERE attrelid = c.confrelid AND attnum = ANY(c.confkey))
		FROM pg_constraint c JOIN pg_class src ON src.oid = c.conrelid JOIN pg_class dst ON dst.oid = c.confrelid
		JOIN pg_namespace n ON n.oid = src.relnamespace WHERE c.contype = 'f' AND n.nspname = current_schema()`)
	if err != nil {
		t.Fatal(err)
	}
	defer fk.Close()
	for fk.Next() {
		var name, src, dst, srcCols, dstCols string
		if err := fk.Scan(&name, &src, &dst, &srcCols, &dstCols); err != nil {
			t.Fatal(err)
		}
		if slices.Contains(postgres.CitusReference, dst) {
			continue
		}
		a, b := postgres.Citus[src], postgres.Citus[dst]
		if a == "" || a != b || !slices.Contains(strings.Split(srcCols, ","), a) || !slices.Contains(strings.Split(dstCols, ","), b) {
			t.Errorf("foreign key %s from %s(%s) to %s(%s) crosses distribution keys", name, src, srcCols, dst, dstCols)
		}
	}
}

// A writer that cannot get the writer lock in time says in plain words
// that another process holds the database; readers never wait.
func TestWriterLockIsConflict(t *testing.T) {
	u := storetest.PostgresURL(t)
	holder := openDB(t, u)
	tx, err := holder.Begin(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	other := openDB(t, u)
	other.WriterWait = 100 * time.Millisecond
	_, err = other.Begin(context.Background())
	if vtr.ErrorCode(err) != vtr.ECONFLICT || !strings.Contains(vtr.ErrorMessage(err), "another vtr process holds the database") {
		t.Fatalf("second writer: %v, want a conflict saying another process holds the database", err)
	}
	if strings.Contains(vtr.ErrorMessage(err), "password") {
		t.Errorf("the message shows the password: %v", err)
	}
	if _, err := ingest.New(other, nil).Sellers(context.Background()); err != nil {
		t.Errorf("a reader waited for the writer: %v", err)
	}
}

// migrationFiles counts the embedded migrations: each is recorded once.
func migrationFiles(t *testing.T) int {
	t.Helper()
	files, err := filepath.Glob("migrations/*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("migrations: %d files, %v", len(files), err)
	}
	return len(files)
}

// The pipelined reads of a write transaction (one round trip, pgx's own
// scanning) read what the methods read one by one.
func TestRead(t *testing.T) {
	storetest.RunRead(t, openDB(t, storetest.PostgresURL(t)))
}

func TestLatePrefilter(t *testing.T) {
	storetest.RunLatePrefilter(t, openDB(t, storetest.PostgresURL(t)))
}

// A write transaction queues its writes: one that fails fails the round
// trip that sends it (here the commit), naming its statement; nothing of
// the transaction is stored; and the connection goes back to the pool
// out of any transaction, however often that happens.
func TestQueuedWriteFails(t *testing.T) {
	d := openDB(t, storetest.PostgresURL(t))
	ctx := context.Background()
	for range 12 { // more than the pool's connections
		tx, err := d.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := tx.PutSeller(ctx, &vtr.Seller{ID: "S1", Name: "kept only if the transaction commits"}); err != nil {
			t.Fatal(err)
		}
		if err := tx.(*postgres.Tx).Exec(ctx, `INSERT INTO sellers (seller_id, name, policies, ship_from) VALUES (NULL, '', '', '')`); err != nil {
			t.Fatalf("a queued write failed before it was sent: %v", err)
		}
		err = tx.Commit()
		if err == nil || !strings.Contains(err.Error(), "INSERT INTO sellers") {
			t.Fatalf("commit = %v; want the failing statement named", err)
		}
		if err := tx.Rollback(); err == nil {
			t.Error("a second end of the transaction succeeded")
		}
	}
	if s, err := d.Seller(ctx, "S1"); err == nil {
		t.Errorf("seller %+v stored by a transaction that failed", s)
	}
	tx, err := d.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.PutSeller(ctx, &vtr.Seller{ID: "S2", Name: "Acme"}); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if s, err := d.Seller(ctx, "S2"); err != nil || s.Name != "Acme" {
		t.Errorf("after the failures, a write: %+v, %v", s, err)
	}
	var stuck int
	if err := d.SQL().QueryRow(`SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = current_setting('application_name') AND state LIKE 'idle in transaction%'`).Scan(&stuck); err != nil {
		t.Fatal(err)
	}
	if stuck != 0 {
		t.Errorf("%d connections left in a transaction", stuck)
	}
}

// A group of confirmations reads its verdicts inside its transaction,
// with its last writes.
func TestConfirm(t *testing.T) {
	storetest.RunConfirm(t, openDB(t, storetest.PostgresURL(t)))
}

func TestImportParts(t *testing.T) {
	storetest.RunImportParts(t, openDB(t, storetest.PostgresURL(t)))
}

// TestSummaryMerge holds the engine's upsert of scan summaries to
// vtr.ScanSummary.Merge.
func TestSummaryMerge(t *testing.T) {
	storetest.RunSummaryMerge(t, openDB(t, storetest.PostgresURL(t)))
}

func TestRehearse(t *testing.T) {
	storetest.RunRehearse(t, openDB(t, storetest.PostgresURL(t)))
}
