package main

import (
	"context"
	"database/sql"
	"fmt"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/vtr-project/vtr/ingest"
	"github.com/vtr-project/vtr/internal/sqlutil"
	"github.com/vtr-project/vtr/native"
	"github.com/vtr-project/vtr/postgres"
)

// pgRawSchema is the raw schema on PostgreSQL: the same columns and keys
// as on SQLite, and session-local staging tables for COPY.
const pgRawSchema = `
CREATE TABLE sellers (seller_id TEXT PRIMARY KEY, name TEXT, ship_from TEXT);
CREATE TABLE orders (seller_id TEXT, order_id TEXT, policy TEXT, purchased_at BIGINT, category TEXT, value_minor BIGINT, currency TEXT,
	ship_to TEXT, ship_by BIGINT, deliver_by BIGINT, digital BOOLEAN, freight BOOLEAN, PRIMARY KEY (seller_id, order_id));
CREATE TABLE shipments (order_id TEXT, package_id TEXT, carrier TEXT, carrier_name TEXT, tracking_number TEXT, ship_method TEXT,
	ship_from_id TEXT, shipped_at BIGINT, uploaded_at BIGINT);
CREATE TABLE cancellations (order_id TEXT, cancelled_at BIGINT);
CREATE TABLE events (tracking_norm TEXT, event_id TEXT, carrier TEXT, occurred_at BIGINT, code TEXT, description TEXT, status TEXT,
	class TEXT, city TEXT, state TEXT, postal_code TEXT, country TEXT, PRIMARY KEY (tracking_norm, event_id));
`

const pgStaging = `
CREATE TEMP TABLE stage_sellers (LIKE sellers, seq BIGINT) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE stage_orders (LIKE orders, seq BIGINT) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE stage_events (LIKE events) ON COMMIT DELETE ROWS;
`

var pgCols = map[string][]string{
	"sellers": {"seller_id", "name", "ship_from"},
	"orders": {"seller_id", "order_id", "policy", "purchased_at", "category", "value_minor", "currency", "ship_to", "ship_by", "deliver_by",
		"digital", "freight"},
	"shipments":     {"order_id", "package_id", "carrier", "carrier_name", "tracking_number", "ship_method", "ship_from_id", "shipped_at", "uploaded_at"},
	"cancellations": {"order_id", "cancelled_at"},
	"events": {"tracking_norm", "event_id", "carrier", "occurred_at", "code", "description", "status", "class", "city", "state",
		"postal_code", "country"},
}

// pgMerge moves a batch from staging into the keyed tables: the latest
// seller and order win, a repeated event is the same event.
const pgMerge = `
INSERT INTO sellers SELECT DISTINCT ON (seller_id) seller_id, name, ship_from FROM stage_sellers ORDER BY seller_id, seq DESC
	ON CONFLICT (seller_id) DO UPDATE SET name = EXCLUDED.name, ship_from = EXCLUDED.ship_from;
INSERT INTO orders SELECT DISTINCT ON (seller_id, order_id) seller_id, order_id, policy, purchased_at, category, value_minor, currency,
	ship_to, ship_by, deliver_by, digital, freight FROM stage_orders ORDER BY seller_id, order_id, seq DESC
	ON CONFLICT (seller_id, order_id) DO UPDATE SET policy = EXCLUDED.policy, purchased_at = EXCLUDED.purchased_at,
	category = EXCLUDED.category, value_minor = EXCLUDED.value_minor, currency = EXCLUDED.currency, ship_to = EXCLUDED.ship_to,
	ship_by = EXCLUDED.ship_by, deliver_by = EXCLUDED.deliver_by, digital = EXCLUDED.digital, freight = EXCLUDED.freight;
INSERT INTO events SELECT * FROM stage_events ON CONFLICT DO NOTHING;
`

type pgBench struct {
	admin                *sql.DB // the DSN's own schema: creates and drops ours
	vtrDSN, rawDSN       string
	vtrSchema, rawSchema string
	rawDB                *sql.DB
}

// loopback reports whether a PostgreSQL URL names this machine.
func loopback(dsn string) error {
	u, err := url.Parse(dsn)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return fmt.Errorf("VTR_BENCH_POSTGRES: want a postgres:// URL")
	}
	host := u.Hostname()
	if host == "" || strings.HasPrefix(host, "/") || host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("VTR_BENCH_POSTGRES: host %q is not this machine; the benchmark only talks to loopback", host)
}

func withSearchPath(dsn, schema string) string {
	u, _ := url.Parse(dsn)
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

func newPostgres(ctx context.Context, dsn string) (*pgBench, error) {
	if err := loopback(dsn); err != nil {
		return nil, err
	}
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, err
	}
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := admin.PingContext(pctx); err != nil {
		admin.Close()
		return nil, fmt.Errorf("PostgreSQL at %s %w (%v)", redactURL(dsn), errUnreachable, err)
	}
	suffix := strconv.Itoa(os.Getpid())
	b := &pgBench{admin: admin, vtrSchema: "vtr_bench_vtr_" + suffix, rawSchema: "vtr_bench_raw_" + suffix}
	b.vtrDSN, b.rawDSN = withSearchPath(dsn, b.vtrSchema), withSearchPath(dsn, b.rawSchema)
	for _, s := range []string{b.vtrSchema, b.rawSchema} {
		if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+s); err != nil {
			b.close()
			return nil, err
		}
	}
	return b, nil
}

func redactURL(dsn string) string {
	if u, err := url.Parse(dsn); err == nil {
		return u.Redacted()
	}
	return "(the URL)"
}

func (b *pgBench) name() string { return "postgres" }
func (b *pgBench) raw() *sql.DB { return b.rawDB }

func (b *pgBench) rebind(q string) string { return sqlutil.Dollar(q) }

// close drops the schemas the run created, even after a failure or an
// interruption.
func (b *pgBench) close() error {
	if b.rawDB != nil {
		b.rawDB.Close()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var first error
	for _, s := range []string{b.vtrSchema, b.rawSchema} {
		if _, err := b.admin.ExecContext(ctx, "DROP SCHEMA IF EXISTS "+s+" CASCADE"); err != nil && first == nil {
			first = fmt.Errorf("drop schema %s: %w", s, err)
		}
	}
	b.admin.Close()
	return first
}

func (b *pgBench) openVTR(ctx context.Context) (ingest.Engine, *sql.DB, error) {
	db, err := postgres.Open(ctx, b.vtrDSN)
	if err != nil {
		return nil, nil, err
	}
	return db, db.SQL(), nil
}

// bulkLoad: pgx's CopyFrom into staging tables, rawBatch records a
// transaction, merged into the keyed tables; shipments and
// cancellations, which have no key, are copied straight in.
func (b *pgBench) bulkLoad(ctx context.Context, dec *native.Decoder) (rowCounts, error) {
	db, err := sql.Open("pgx", b.rawDSN)
	if err != nil {
		return rowCounts{}, err
	}
	b.rawDB = db
	if _, err := db.ExecContext(ctx, pgRawSchema); err != nil {
		return rowCounts{}, err
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return rowCounts{}, err
	}
	defer conn.Close()
	var c rowCounts
	err = conn.Raw(func(dc any) error {
		pc := dc.(*stdlib.Conn).Conn()
		if _, err := pc.Exec(ctx, pgStaging); err != nil {
			return err
		}
		pending := map[string][][]any{}
		var seq int64
		add := func(r rawRow) error {
			vals := r.vals
			switch r.table {
			case "sellers", "orders":
				seq++
				vals = append(vals, seq)
			}
			pending[r.table] = append(pending[r.table], vals)
			return nil
		}
		flush := func() error {
			tx, err := pc.Begin(ctx)
			if err != nil {
				return err
			}
			defer tx.Rollback(ctx)
			for _, t := range []string{"sellers", "orders", "shipments", "cancellations", "events"} {
				rows := pending[t]
				if len(rows) == 0 {
					continue
				}
				target, cols := t, pgCols[t]
				switch t {
				case "sellers", "orders":
					target, cols = "stage_"+t, append(append([]string(nil), cols...), "seq")
				case "events":
					target = "stage_events"
				}
				if _, err := tx.CopyFrom(ctx, pgx.Identifier{target}, cols, pgx.CopyFromRows(rows)); err != nil {
					return fmt.Errorf("copy %s: %w", t, err)
				}
				pending[t] = rows[:0]
			}
			if _, err := tx.Exec(ctx, pgMerge); err != nil {
				return err
			}
			return tx.Commit(ctx)
		}
		var err error
		c, err = eachRaw(dec, true, add, flush)
		return err
	})
	if err != nil {
		return c, err
	}
	// The indexes the GROUP BY below needs, as a user would add them.
	_, err = db.ExecContext(ctx, `CREATE INDEX orders_by_deliver ON orders (seller_id, deliver_by); CREATE INDEX shipments_by_order ON shipments (order_id); ANALYZE`)
	return c, err
}

func (b *pgBench) groupBy(ctx context.Context, seller string, from, to int64) (int, error) {
	return scanGroupBy(b.rawDB.QueryContext(ctx, `
		SELECT o.category,
		       COUNT(*) FILTER (WHERE EXISTS (SELECT 1 FROM events e WHERE e.tracking_norm = upper(replace(replace(s.tracking_number, ' ', ''), '-', '')) AND e.class = 'physical')) AS valid,
		       COUNT(*) AS packages
		FROM orders o JOIN shipments s ON s.order_id = o.order_id
		WHERE o.seller_id = $1 AND o.deliver_by >= $2 AND o.deliver_by <= $3 AND NOT o.digital
		GROUP BY o.category`, seller, from, to))
}
