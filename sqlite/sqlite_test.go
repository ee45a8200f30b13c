package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/ingest"
	"github.com/vtr-project/vtr/sqlite"
	"github.com/vtr-project/vtr/storetest"
)

func openDB(t *testing.T, path string) *sqlite.DB {
	t.Helper()
	d, err := sqlite.Open(context.Background(), path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Opened {
		path := filepath.Join(t.TempDir(), "vtr.db")
		return storetest.Opened{
			Store: ingest.New(openDB(t, path), nil),
			// Another process's connection: a store of its own on the same file.
			Another: func(t *testing.T) vtr.Store { return ingest.New(openDB(t, path), nil) },
		}
	})
}

func TestMigrationsRecordedOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vtr.db")
	for range 2 {
		d, err := sqlite.Open(context.Background(), path, sqlite.Options{})
		if err != nil {
			t.Fatal(err)
		}
		var n int
		if err := d.SQL().QueryRow(`SELECT COUNT(*) FROM schema_migrations`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if want := migrationFiles(t); n != want {
			t.Errorf("%d migrations recorded, want %d", n, want)
		}
		d.Close()
	}
}

// A path is a path: '?', '#', '&' and '%' in it name the file and are
// never read as driver options (a --db of 'x.db?mode=memory&' once wrote
// nothing to disk).
func TestPathIsNeverOptions(t *testing.T) {
	for _, name := range []string{"x.db?mode=memory&", "a#b.db", "100%.db", "q?_pragma=journal_mode(DELETE).db"} {
		path := filepath.Join(t.TempDir(), name)
		d := openDB(t, path)
		tx, err := d.Begin(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if err := tx.PutSeller(context.Background(), &vtr.Seller{ID: "S1"}); err != nil {
			t.Fatal(err)
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		d.Close()
		if _, err := os.Stat(path); err != nil {
			t.Errorf("%q: the database was not written to that file: %v", name, err)
			continue
		}
		s := ingest.New(openDB(t, path), nil)
		if _, err := s.Seller(context.Background(), "S1"); err != nil {
			t.Errorf("%q: reopened, the seller is gone: %v", name, err)
		}
		var mode string
		openDB(t, path).SQL().QueryRow(`PRAGMA journal_mode`).Scan(&mode)
		if mode != "wal" {
			t.Errorf("%q: journal mode %q, want wal (the path's text became an option)", name, mode)
		}
	}
}

func TestMustExist(t *testing.T) {
	path := filepath.Join(t.TempDir(), "typo.db")
	_, err := sqlite.Open(context.Background(), path, sqlite.Options{MustExist: true})
	if vtr.ErrorCode(err) != vtr.ENOTFOUND || !strings.Contains(vtr.ErrorMessage(err), path) {
		t.Fatalf("open of a missing file: %v, want not found naming the path", err)
	}
	if _, err := os.Stat(path); err == nil {
		t.Errorf("opening %s for reading created it", path)
	}
}

// A writer that cannot get the lock in time says in plain words that
// another process holds the database.
func TestBusyWriterIsConflict(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vtr.db")
	holder := openDB(t, path)
	tx, err := holder.Begin(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	other, err := sqlite.Open(context.Background(), path, sqlite.Options{BusyTimeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	_, err = other.Begin(context.Background())
	if vtr.ErrorCode(err) != vtr.ECONFLICT || !strings.Contains(vtr.ErrorMessage(err), "another vtr process holds the database") {
		t.Fatalf("second writer: %v, want a conflict saying another process holds the database", err)
	}
	// Readers are not blocked by the writer.
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

func TestRead(t *testing.T) {
	storetest.RunRead(t, openDB(t, filepath.Join(t.TempDir(), "vtr.db")))
}

func TestLatePrefilter(t *testing.T) {
	storetest.RunLatePrefilter(t, openDB(t, filepath.Join(t.TempDir(), "vtr.db")))
}

// Migration 0012 rebuilt orders in their key and reindexed packages by
// day in the report's order; 0014 keeps orders in arrival order again,
// behind one unique index: a database from before both keeps every
// order, and its aggregates still equal a full recomputation.
func TestMigrationOrdersByKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vtr.db")
	d := openDB(t, path)
	ctx := context.Background()
	s := ingest.New(d, nil)
	recs := storetest.Workload(5, 200)
	if _, err := s.Import(ctx, storetest.List(recs), func(err error) { t.Errorf("rejected: %v", err) }); err != nil {
		t.Fatal(err)
	}
	dump := func(db *sql.DB) string {
		return dumpRows(t, db, `SELECT seller_id, order_id, policy, purchased_at, category, value_minor, currency, ship_to, ship_by, deliver_by,
			digital, freight, cancelled_at, cancelled_by_seller, first_shipped_at FROM orders ORDER BY seller_id, order_id`)
	}
	want := dump(d.SQL())
	// Back to the schema before 0012: orders with a rowid, packages by day
	// without their order.
	d, ddl := redoMigration(t, d, path, 12, "orders",
		`CREATE TABLE orders_old AS SELECT * FROM orders`,
		`DROP TABLE orders`,
		`CREATE TABLE orders (seller_id TEXT NOT NULL, order_id TEXT NOT NULL, policy TEXT NOT NULL, purchased_at INTEGER NOT NULL,
			category TEXT NOT NULL, value_minor INTEGER NOT NULL, currency TEXT NOT NULL, ship_to TEXT NOT NULL DEFAULT '{}',
			ship_by INTEGER NOT NULL DEFAULT 0, deliver_by INTEGER NOT NULL, digital INTEGER NOT NULL DEFAULT 0, freight INTEGER NOT NULL DEFAULT 0,
			cancelled_at INTEGER NOT NULL DEFAULT 0, cancelled_by_seller INTEGER NOT NULL DEFAULT 0, first_shipped_at INTEGER NOT NULL DEFAULT 0,
			PRIMARY KEY (seller_id, order_id))`,
		`INSERT INTO orders SELECT * FROM orders_old`,
		`DROP TABLE orders_old`,
		`CREATE INDEX orders_by_order_id ON orders (order_id)`,
		`DROP INDEX packages_by_day`,
		`CREATE INDEX packages_by_day ON packages (seller_id, policy, day)`,
		`DELETE FROM schema_migrations WHERE version = 14`, // applied again after 0012
	)
	if strings.Contains(ddl, "WITHOUT ROWID") {
		t.Errorf("orders after the migrations: %s", ddl)
	}
	checkOrderIndexes(t, d.SQL())
	if got := dump(d.SQL()); got != want || want == "" {
		t.Errorf("orders changed by the migration:\n got %d bytes\nwant %d bytes", len(got), len(want))
	}
	diffs, err := ingest.New(d, nil).Verify(ctx)
	if err != nil || len(diffs) > 0 {
		t.Errorf("verify after the migration: %v, %d differences", err, len(diffs))
	}
}

// Migration 0013 keeps scan summaries in arrival order: a database from
// before it keeps every summary, verifies clean, and goes on importing
// (the summaries' upsert finds a number through the new unique index).
func TestMigrationSummariesByArrival(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vtr.db")
	d := openDB(t, path)
	ctx := context.Background()
	recs := storetest.Workload(7, 200)
	half := len(recs) / 2
	if _, err := ingest.New(d, nil).Import(ctx, storetest.List(recs[:half]), func(err error) { t.Errorf("rejected: %v", err) }); err != nil {
		t.Fatal(err)
	}
	dump := func(db *sql.DB) string { return dumpRows(t, db, `SELECT * FROM scan_summaries ORDER BY tracking_norm`) }
	want := dump(d.SQL())
	d, ddl := redoMigration(t, d, path, 13, "scan_summaries", // from the schema before 0013
		`CREATE TABLE old AS SELECT * FROM scan_summaries`,
		`DROP TABLE scan_summaries`,
		`CREATE TABLE scan_summaries (tracking_norm TEXT PRIMARY KEY, events INTEGER NOT NULL, physical INTEGER NOT NULL, unknown INTEGER NOT NULL,
			first_event_at INTEGER NOT NULL, first_physical_at INTEGER NOT NULL, first_physical_id TEXT NOT NULL, fp_city TEXT NOT NULL,
			fp_state TEXT NOT NULL, fp_postal_code TEXT NOT NULL, fp_country TEXT NOT NULL, delivered_at INTEGER NOT NULL,
			attempted_at INTEGER NOT NULL, last_status TEXT NOT NULL, last_at INTEGER NOT NULL, last_id TEXT NOT NULL,
			delivered_offset INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID`,
		`INSERT INTO scan_summaries SELECT * FROM old`,
		`DROP TABLE old`,
	)
	if strings.Contains(ddl, "WITHOUT ROWID") || !strings.Contains(ddl, "UNIQUE") {
		t.Errorf("scan_summaries after the migration: %s", ddl)
	}
	if got := dump(d.SQL()); got != want || want == "" {
		t.Errorf("summaries changed by the migration:\n got %d bytes\nwant %d bytes", len(got), len(want))
	}
	s := ingest.New(d, nil)
	if _, err := s.Import(ctx, storetest.List(recs[half:]), func(err error) { t.Errorf("rejected: %v", err) }); err != nil {
		t.Fatal(err)
	}
	var n, distinct int
	if err := d.SQL().QueryRow(`SELECT COUNT(*), COUNT(DISTINCT tracking_norm) FROM scan_summaries`).Scan(&n, &distinct); err != nil || n != distinct || n == 0 {
		t.Errorf("after importing on: %d summaries, %d numbers, %v", n, distinct, err)
	}
	diffs, err := s.Verify(ctx)
	if err != nil || len(diffs) > 0 {
		t.Errorf("verify after the migration and more records: %v, %d differences", err, len(diffs))
	}
}

// Migration 0014 keeps orders in arrival order: a database from before
// it (orders in their key) keeps every order, finds orders through the
// new unique index (the orders' upsert of a re-sent order, an order ID's
// sellers), goes on importing and verifies clean.
func TestMigrationOrdersByArrival(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vtr.db")
	d := openDB(t, path)
	ctx := context.Background()
	recs := storetest.Workload(9, 200)
	half := len(recs) / 2
	if _, err := ingest.New(d, nil).Import(ctx, storetest.List(recs[:half]), func(err error) { t.Errorf("rejected: %v", err) }); err != nil {
		t.Fatal(err)
	}
	dump := func(db *sql.DB) string { return dumpRows(t, db, `SELECT * FROM orders ORDER BY seller_id, order_id`) }
	want := dump(d.SQL())
	d, ddl := redoMigration(t, d, path, 14, "orders", // from the schema of 0012
		`CREATE TABLE old AS SELECT * FROM orders`,
		`DROP TABLE orders`,
		`CREATE TABLE orders (seller_id TEXT NOT NULL, order_id TEXT NOT NULL, policy TEXT NOT NULL, purchased_at INTEGER NOT NULL,
			category TEXT NOT NULL, value_minor INTEGER NOT NULL, currency TEXT NOT NULL, ship_to TEXT NOT NULL DEFAULT '{}',
			ship_by INTEGER NOT NULL DEFAULT 0, deliver_by INTEGER NOT NULL, digital INTEGER NOT NULL DEFAULT 0, freight INTEGER NOT NULL DEFAULT 0,
			cancelled_at INTEGER NOT NULL DEFAULT 0, cancelled_by_seller INTEGER NOT NULL DEFAULT 0, first_shipped_at INTEGER NOT NULL DEFAULT 0,
			PRIMARY KEY (seller_id, order_id)) WITHOUT ROWID`,
		`INSERT INTO orders SELECT * FROM old`,
		`DROP TABLE old`,
		`CREATE INDEX orders_by_order_id ON orders (order_id)`,
	)
	if strings.Contains(ddl, "WITHOUT ROWID") {
		t.Errorf("orders after the migration: %s", ddl)
	}
	checkOrderIndexes(t, d.SQL())
	if got := dump(d.SQL()); got != want || want == "" {
		t.Errorf("orders changed by the migration:\n got %d bytes\nwant %d bytes", len(got), len(want))
	}
	// The rest, and the first half again: every order is sent twice.
	s := ingest.New(d, nil)
	if _, err := s.Import(ctx, storetest.List(recs), func(err error) { t.Errorf("rejected: %v", err) }); err != nil {
		t.Fatal(err)
	}
	var n, distinct int
	if err := d.SQL().QueryRow(`SELECT COUNT(*), COUNT(DISTINCT seller_id || '/' || order_id) FROM orders`).Scan(&n, &distinct); err != nil || n != distinct || n <= strings.Count(want, "\n") {
		t.Errorf("after importing on: %d orders, %d distinct, %d before, %v", n, distinct, strings.Count(want, "\n"), err)
	}
	diffs, err := s.Verify(ctx)
	if err != nil || len(diffs) > 0 {
		t.Errorf("verify after the migration and more records: %v, %d differences", err, len(diffs))
	}
}

// checkOrderIndexes checks that orders have the one unique index of 0014
// (order ID, then seller) and no other.
func checkOrderIndexes(t *testing.T, db *sql.DB) {
	t.Helper()
	got := dumpRows(t, db, `SELECT name, "unique" FROM pragma_index_list('orders') ORDER BY name`)
	cols := dumpRows(t, db, `SELECT name FROM pragma_index_info('orders_key') ORDER BY seqno`)
	if got != "orders_key 1\n" || cols != "order_id\nseller_id\n" {
		t.Errorf("orders' indexes: %q on %q, want orders_key, unique, on order_id, seller_id", got, cols)
	}
}

// redoMigration takes a database back to before a migration (stmts,
// then forgets the migration was applied), closes it and opens it again,
// which applies the migration once more; it returns the database and
// the table's new definition.
func redoMigration(t *testing.T, d *sqlite.DB, path string, version int, table string, stmts ...string) (*sqlite.DB, string) {
	t.Helper()
	for _, q := range append(stmts, fmt.Sprintf(`DELETE FROM schema_migrations WHERE version = %d`, version)) {
		if _, err := d.SQL().Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	d.Close()
	d = openDB(t, path)
	var ddl string
	if err := d.SQL().QueryRow(`SELECT sql FROM sqlite_master WHERE name = ?`, table).Scan(&ddl); err != nil {
		t.Fatal(err)
	}
	return d, ddl
}

// dumpRows prints every row a query returns, one line a row.
func dumpRows(t *testing.T, db *sql.DB, q string) string {
	t.Helper()
	var b strings.Builder
	rows, err := db.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintln(&b, vals...)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestConfirm(t *testing.T) {
	storetest.RunConfirm(t, openDB(t, filepath.Join(t.TempDir(), "vtr.db")))
}

func TestImportParts(t *testing.T) {
	storetest.RunImportParts(t, openDB(t, filepath.Join(t.TempDir(), "vtr.db")))
}

// TestSummaryMerge holds the engine's upsert of scan summaries to
// vtr.ScanSummary.Merge.
func TestSummaryMerge(t *testing.T) {
	storetest.RunSummaryMerge(t, openDB(t, filepath.Join(t.TempDir(), "vtr.db")))
}

func TestRehearse(t *testing.T) {
	storetest.RunRehearse(t, openDB(t, filepath.Join(t.TempDir(), "vtr.db")))
}

// A write transaction's writes run on a goroutine of their own (Tx): one
// that fails is returned by the next read, naming its statement, and the
// transaction commits nothing; after the end, a write is refused.
func TestQueuedWrites(t *testing.T) {
	ctx := context.Background()
	d := openDB(t, filepath.Join(t.TempDir(), "vtr.db"))
	tx, err := d.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	o := ingest.Orphan{SellerID: "S1", OrderID: "O1", Seq: 1, Kind: "shipment", Body: []byte(`{}`)}
	if err := tx.AddOrphans(ctx, []ingest.Orphan{o, o}); err != nil { // the same key twice: refused when it runs
		t.Fatalf("a queued write returned %v before it ran", err)
	}
	if err := tx.PutSeller(ctx, &vtr.Seller{ID: "S9", Name: "after the failure"}); err != nil {
		t.Fatal(err)
	}
	_, err = tx.Orphans(ctx, []string{"O1"})
	if err == nil || !strings.Contains(err.Error(), "INSERT INTO orphans") {
		t.Fatalf("the read after a failed write: %v, want the write's error naming INSERT INTO orphans", err)
	}
	if err := tx.Commit(); err == nil {
		t.Fatal("a transaction whose write failed committed")
	}
	tx, err = d.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok, err := tx.Seller(ctx, "S9"); err != nil || ok {
		t.Fatalf("the failed transaction's later write: stored %v (%v), want nothing", ok, err)
	}
	if err := tx.PutSeller(ctx, &vtr.Seller{ID: "S1", Name: "one"}); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := tx.PutSeller(ctx, &vtr.Seller{ID: "S2", Name: "two"}); !errors.Is(err, sql.ErrTxDone) {
		t.Fatalf("a write after the commit: %v, want sql.ErrTxDone", err)
	}
}
