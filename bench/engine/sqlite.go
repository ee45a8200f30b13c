package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/vtr-project/vtr/ingest"
	"github.com/vtr-project/vtr/native"
	"github.com/vtr-project/vtr/sqlite"
	_ "modernc.org/sqlite"
)

// rowsPerInsert is how many rows one multi-row INSERT carries.
const rowsPerInsert = 500

// sqliteRawSchema is what a user would create to keep the same rows: the
// same columns, primary keys to deduplicate, no derived state.
const sqliteRawSchema = `
CREATE TABLE sellers (seller_id TEXT PRIMARY KEY, name TEXT, ship_from TEXT);
CREATE TABLE orders (seller_id TEXT, order_id TEXT, policy TEXT, purchased_at INTEGER, category TEXT, value_minor INTEGER, currency TEXT,
	ship_to TEXT, ship_by INTEGER, deliver_by INTEGER, digital INTEGER, freight INTEGER, PRIMARY KEY (seller_id, order_id));
CREATE TABLE shipments (order_id TEXT, package_id TEXT, carrier TEXT, carrier_name TEXT, tracking_number TEXT, ship_method TEXT,
	ship_from_id TEXT, shipped_at INTEGER, uploaded_at INTEGER);
CREATE TABLE cancellations (order_id TEXT, cancelled_at INTEGER);
CREATE TABLE events (tracking_norm TEXT, event_id TEXT, carrier TEXT, occurred_at INTEGER, code TEXT, description TEXT, status TEXT,
	class TEXT, city TEXT, state TEXT, postal_code TEXT, country TEXT, PRIMARY KEY (tracking_norm, event_id)) WITHOUT ROWID;
`

// sqliteVerb is how each table keeps a repeated key: the latest order
// and seller win, a repeated event is the same event.
var sqliteVerb = map[string]string{
	"sellers": "INSERT OR REPLACE", "orders": "INSERT OR REPLACE", "events": "INSERT OR IGNORE",
	"shipments": "INSERT", "cancellations": "INSERT",
}

type sqliteBench struct {
	vtrPath, rawPath string
	rawDB, vtrDB     *sql.DB
}

func newSQLite(dir string) (*sqliteBench, error) {
	b := &sqliteBench{vtrPath: filepath.Join(dir, "bench-vtr.db"), rawPath: filepath.Join(dir, "bench-raw.db")}
	b.remove()
	return b, nil
}

func (b *sqliteBench) name() string { return "sqlite" }

func (b *sqliteBench) remove() {
	for _, p := range []string{b.vtrPath, b.rawPath} {
		for _, suffix := range []string{"", "-wal", "-shm"} {
			os.Remove(p + suffix)
		}
	}
}

func (b *sqliteBench) raw() *sql.DB           { return b.rawDB }
func (b *sqliteBench) rebind(q string) string { return q }

func (b *sqliteBench) close() error {
	if b.rawDB != nil {
		b.rawDB.Close()
	}
	// The files stay for inspection; the next run removes them.
	return nil
}

func (b *sqliteBench) openVTR(ctx context.Context) (ingest.Engine, *sql.DB, error) {
	db, err := sqlite.Open(ctx, b.vtrPath, sqlite.Options{})
	if err != nil {
		return nil, nil, err
	}
	return db, db.SQL(), nil
}

// bulkLoad: multi-row INSERTs of rowsPerInsert rows, rawBatch records a
// transaction, on a connection with vtr's pragmas.
func (b *sqliteBench) bulkLoad(ctx context.Context, dec *native.Decoder) (rowCounts, error) {
	db, err := sql.Open("sqlite", sqlite.DSN(b.rawPath, sqlite.DefaultBusyTimeout))
	if err != nil {
		return rowCounts{}, err
	}
	b.rawDB = db
	db.SetMaxOpenConns(1)
	if _, err := db.ExecContext(ctx, sqliteRawSchema); err != nil {
		return rowCounts{}, err
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return rowCounts{}, err
	}
	defer func() { tx.Rollback() }()
	stmts := map[string]*sql.Stmt{} // per transaction: table/rows
	pending := map[string][]any{}
	ncols := map[string]int{}
	insert := func(table string) error {
		args := pending[table]
		if len(args) == 0 {
			return nil
		}
		n := len(args) / ncols[table]
		key := fmt.Sprintf("%s/%d", table, n)
		st, ok := stmts[key]
		if !ok {
			row := "(" + strings.TrimSuffix(strings.Repeat("?,", ncols[table]), ",") + ")"
			q := sqliteVerb[table] + " INTO " + table + " VALUES " + strings.TrimSuffix(strings.Repeat(row+",", n), ",")
			var err error
			if st, err = tx.PrepareContext(ctx, q); err != nil {
				return err
			}
			stmts[key] = st
		}
		_, err := st.ExecContext(ctx, args...)
		pending[table] = args[:0]
		return err
	}
	add := func(r rawRow) error {
		ncols[r.table] = len(r.vals)
		pending[r.table] = append(pending[r.table], r.vals...)
		if len(pending[r.table]) >= rowsPerInsert*len(r.vals) {
			return insert(r.table)
		}
		return nil
	}
	flush := func() error {
		for _, t := range []string{"sellers", "orders", "shipments", "cancellations", "events"} {
			if err := insert(t); err != nil {
				return err
			}
		}
		if err := tx.Commit(); err != nil {
			return err
		}
		stmts = map[string]*sql.Stmt{}
		var err error
		tx, err = db.BeginTx(ctx, nil)
		return err
	}
	c, err := eachRaw(dec, false, add, flush)
	if err != nil {
		return c, err
	}
	if err := tx.Commit(); err != nil {
		return c, err
	}
	// The indexes the GROUP BY below needs, as a user would add them.
	if _, err = db.ExecContext(ctx, `CREATE INDEX orders_by_deliver ON orders (seller_id, deliver_by); CREATE INDEX shipments_by_order ON shipments (order_id); ANALYZE`); err != nil {
		return c, err
	}
	// Closed until the GROUP BY, so its page cache and mapping are not
	// counted in vtr's memory.
	b.rawDB = nil
	return c, db.Close()
}

// groupBy is the query a user would write on the raw tables: packages of
// the seller whose promised delivery date is in the window, per category,
// valid when the number has at least one physical event.
func (b *sqliteBench) groupBy(ctx context.Context, seller string, from, to int64) (int, error) {
	if b.rawDB == nil {
		db, err := sql.Open("sqlite", sqlite.DSN(b.rawPath, sqlite.DefaultBusyTimeout))
		if err != nil {
			return 0, err
		}
		db.SetMaxOpenConns(1)
		b.rawDB = db
	}
	return scanGroupBy(b.rawDB.QueryContext(ctx, `
		SELECT o.category,
		       SUM(EXISTS (SELECT 1 FROM events e WHERE e.tracking_norm = UPPER(REPLACE(REPLACE(s.tracking_number, ' ', ''), '-', '')) AND e.class = 'physical')) AS valid,
		       COUNT(*) AS packages
		FROM orders o JOIN shipments s ON s.order_id = o.order_id
		WHERE o.seller_id = ? AND o.deliver_by >= ? AND o.deliver_by <= ? AND o.digital = 0
		GROUP BY o.category`, seller, from, to))
}

func scanGroupBy(rows *sql.Rows, err error) (int, error) {
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var cat string
		var valid, total int64
		if err := rows.Scan(&cat, &valid, &total); err != nil {
			return n, err
		}
		n++
	}
	return n, rows.Err()
}
