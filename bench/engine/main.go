// Command engine is bench/engine's measuring program. Given a native
// NDJSON workload (from `vtr simulate`), it measures, side by side:
//
//  1. import: vtr's import (judging every package and keeping the live
//     aggregates) against a plain bulk insert of the same rows into SQLite
//     tables (prepared single-row INSERTs in transactions of the same
//     size, the rows decoded by the same decoder): events/s and the ratio;
//  2. rate: `vtr rate` for the seller with the most packages against the
//     GROUP BY query a user would write on the raw tables (packages whose
//     promised date is in the window, valid when their number has a
//     physical scan): latency and the ratio;
//  3. report: defect-report rows/s;
//  4. peak memory (the process's maximum resident set).
package main

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"syscall"
	"time"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/ingest"
	"github.com/vtr-project/vtr/native"
	"github.com/vtr-project/vtr/report"
	"github.com/vtr-project/vtr/sqlite"
	_ "modernc.org/sqlite"
)

func main() {
	in := flag.String("in", "", "native NDJSON workload")
	dir := flag.String("dir", os.TempDir(), "where to put the databases")
	rateRuns := flag.Int("rate-runs", 20, "rate queries to time")
	flag.Parse()
	if err := run(*in, *dir, *rateRuns); err != nil {
		fmt.Fprintln(os.Stderr, "engine:", err)
		os.Exit(1)
	}
}

func decoder(path string) (*native.Decoder, *os.File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	now := func() time.Time { return time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC) }
	return native.NewDecoder(bufio.NewReaderSize(f, 1<<20), now), f, nil
}

func run(in, dir string, rateRuns int) error {
	ctx := context.Background()
	vtrPath, rawPath := filepath.Join(dir, "bench-vtr.db"), filepath.Join(dir, "bench-raw.db")
	for _, p := range []string{vtrPath, rawPath} {
		for _, suffix := range []string{"", "-wal", "-shm"} {
			os.Remove(p + suffix)
		}
	}

	// 1a. Plain bulk insert.
	dec, f, err := decoder(in)
	if err != nil {
		return err
	}
	rawStart := time.Now()
	counts, err := bulkInsert(ctx, rawPath, dec)
	f.Close()
	if err != nil {
		return err
	}
	rawTime := time.Since(rawStart)

	// 1b. vtr import.
	db, err := sqlite.Open(ctx, vtrPath, sqlite.Options{})
	if err != nil {
		return err
	}
	store := ingest.New(db, nil)
	defer store.Close()
	dec, f, err = decoder(in)
	if err != nil {
		return err
	}
	var rejected int
	impStart := time.Now()
	st, err := store.Import(ctx, dec.Next, func(err error) {
		if rejected < 5 {
			fmt.Fprintln(os.Stderr, "rejected:", err)
		}
		rejected++
	})
	f.Close()
	if err != nil {
		return err
	}
	impTime := time.Since(impStart)
	fmt.Printf("workload: %d records: %d orders, %d shipments, %d events (%d rejected)\n", counts.records, counts.orders, counts.shipments, counts.events, rejected)
	fmt.Printf("import (vtr: judge + live aggregates): %8.1f s  %9.0f events/s  %9.0f records/s\n", impTime.Seconds(), float64(st.Events)/impTime.Seconds(), float64(st.Records)/impTime.Seconds())
	fmt.Printf("plain bulk insert of the same rows:     %8.1f s  %9.0f events/s  %9.0f records/s\n", rawTime.Seconds(), float64(counts.events)/rawTime.Seconds(), float64(counts.records)/rawTime.Seconds())
	ratio := impTime.Seconds() / rawTime.Seconds()
	fmt.Printf("import / bulk insert: %.2fx  (target ≤ 3x: %s)\n\n", ratio, met(ratio <= 3))

	// 2. Rate for the biggest seller.
	seller, packages, err := biggestSeller(ctx, db.SQL())
	if err != nil {
		return err
	}
	sl, err := store.Seller(ctx, seller)
	if err != nil {
		return err
	}
	policy := sl.Policies[0]
	p, err := store.Policies().Get(policy)
	if err != nil {
		return err
	}
	// As of the end of the window holding the most packages.
	bestDay, err := busiestWindow(ctx, db.SQL(), seller, p.WindowDays)
	if err != nil {
		return err
	}
	asOf := time.Unix(bestDay*86400, 0).UTC().Add(23 * time.Hour)
	var rep *vtr.RateReport
	vtrLat := timeIt(rateRuns, func() error {
		rep, err = store.Rate(ctx, seller, policy, asOf, 7)
		return err
	})
	if err != nil {
		return err
	}
	inWindow := rep.Overall.Valid + rep.Overall.Invalid + rep.Overall.Exempt
	raw, err := sql.Open("sqlite", "file:"+rawPath)
	if err != nil {
		return err
	}
	defer raw.Close()
	first := asOf.AddDate(0, 0, -p.WindowDays+1).Truncate(24 * time.Hour)
	var rawRows int
	gbRuns := max(rateRuns/10, 3)
	gbLat := timeIt(gbRuns, func() error {
		var err error
		rawRows, err = groupBy(ctx, raw, seller, first.Unix(), asOf.Unix())
		return err
	})
	fmt.Printf("rate for seller %s: %d packages, %d in the %d-day window\n", seller, packages, inWindow, p.WindowDays)
	fmt.Printf("  vtr rate (aggregates):        %10.3f ms (median of %d)\n", ms(vtrLat), rateRuns)
	fmt.Printf("  GROUP BY on the raw tables:   %10.3f ms (median of %d; %d categories)\n", ms(gbLat), gbRuns, rawRows)
	speedup := float64(gbLat) / float64(vtrLat)
	fmt.Printf("  speed-up: %.0fx  (target ≥ 100x and < 10 ms: %s)\n\n", speedup, met(speedup >= 100 && vtrLat < 10*time.Millisecond))

	// 3. Report.
	var n int
	repStart := time.Now()
	enc, err := report.NewCSV(io.Discard)
	if err != nil {
		return err
	}
	n, err = store.Defects(ctx, vtr.ReportFilter{SellerID: seller, Policy: policy, AsOf: asOf, ShippedLate: true, DeliveredLate: true}, enc.Write)
	if err != nil {
		return err
	}
	repTime := time.Since(repStart)
	fmt.Printf("report: %d rows in %.2f s: %.0f rows/s\n", n, repTime.Seconds(), float64(n)/repTime.Seconds())

	// 4. Peak memory.
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Printf("peak memory: %d MiB resident (Go heap now %d MiB)\n", ru.Maxrss/1024, ms.HeapAlloc>>20)
	return nil
}

func met(ok bool) string {
	if ok {
		return "MET"
	}
	return "NOT MET"
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// timeIt runs f n times and returns the median duration.
func timeIt(n int, f func() error) time.Duration {
	ds := make([]time.Duration, 0, n)
	for range n {
		t := time.Now()
		if err := f(); err != nil {
			return -1
		}
		ds = append(ds, time.Since(t))
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	return ds[len(ds)/2]
}

type rowCounts struct{ records, orders, shipments, events int }

// rawSchema is what a user would create to keep the same rows: the same
// columns, primary keys to deduplicate, no derived state.
const rawSchema = `
CREATE TABLE sellers (seller_id TEXT PRIMARY KEY, name TEXT, ship_from TEXT);
CREATE TABLE orders (seller_id TEXT, order_id TEXT, policy TEXT, purchased_at INTEGER, category TEXT, value_minor INTEGER, currency TEXT,
	ship_to TEXT, ship_by INTEGER, deliver_by INTEGER, digital INTEGER, freight INTEGER, PRIMARY KEY (seller_id, order_id));
CREATE TABLE shipments (order_id TEXT, package_id TEXT, carrier TEXT, carrier_name TEXT, tracking_number TEXT, ship_method TEXT,
	ship_from_id TEXT, shipped_at INTEGER, uploaded_at INTEGER);
CREATE TABLE cancellations (order_id TEXT, cancelled_at INTEGER);
CREATE TABLE events (tracking_norm TEXT, event_id TEXT, carrier TEXT, occurred_at INTEGER, code TEXT, description TEXT, status TEXT,
	class TEXT, city TEXT, state TEXT, postal_code TEXT, country TEXT, PRIMARY KEY (tracking_norm, event_id)) WITHOUT ROWID;
`

func bulkInsert(ctx context.Context, path string, dec *native.Decoder) (rowCounts, error) {
	var c rowCounts
	// The same connection settings as vtr's store: a fair comparison.
	db, err := sql.Open("sqlite", sqlite.DSN(path, sqlite.DefaultBusyTimeout))
	if err != nil {
		return c, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.ExecContext(ctx, rawSchema); err != nil {
		return c, err
	}
	var tx *sql.Tx
	var stmts map[string]*sql.Stmt
	begin := func() error {
		var err error
		tx, err = db.BeginTx(ctx, nil)
		stmts = map[string]*sql.Stmt{}
		return err
	}
	exec := func(q string, args ...any) error {
		st, ok := stmts[q]
		if !ok {
			var err error
			if st, err = tx.PrepareContext(ctx, q); err != nil {
				return err
			}
			stmts[q] = st
		}
		_, err := st.ExecContext(ctx, args...)
		return err
	}
	if err := begin(); err != nil {
		return c, err
	}
	for {
		rec, err := dec.Next()
		var le *native.LineError
		if errors.As(err, &le) {
			continue
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return c, err
		}
		c.records++
		switch {
		case rec.Seller != nil:
			err = exec(`INSERT OR REPLACE INTO sellers VALUES (?, ?, ?)`, rec.Seller.ID, rec.Seller.Name, fmt.Sprint(rec.Seller.ShipFrom))
		case rec.Order != nil:
			o := rec.Order
			c.orders++
			err = exec(`INSERT OR REPLACE INTO orders VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, o.SellerID, o.ID, o.Policy, o.PurchasedAt.Unix(),
				o.Category, o.Value.Minor, o.Value.Currency, o.ShipTo.Country+" "+o.ShipTo.PostalCode, o.ShipBy.Unix(), o.DeliverBy.Unix(), o.Digital, o.Freight)
		case rec.Shipment != nil:
			s := rec.Shipment
			c.shipments++
			err = exec(`INSERT INTO shipments VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, s.OrderID, s.PackageID, s.Carrier, s.CarrierName, s.TrackingNumber,
				s.ShipMethod, s.ShipFromID, s.ShippedAt.Unix(), s.UploadedAt.Unix())
		case rec.Cancellation != nil:
			err = exec(`INSERT INTO cancellations VALUES (?, ?)`, rec.Cancellation.OrderID, rec.Cancellation.CancelledAt.Unix())
		case rec.Event != nil:
			e := rec.Event
			c.events++
			err = exec(`INSERT OR IGNORE INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, e.TrackingNumber, e.ID, e.Carrier, e.OccurredAt.Unix(),
				e.Code, e.Description, string(e.Status), string(e.Class), e.Location.City, e.Location.State, e.Location.PostalCode, e.Location.Country)
		}
		if err != nil {
			return c, err
		}
		if c.records%ingest.DefaultBatchSize == 0 {
			if err := tx.Commit(); err != nil {
				return c, err
			}
			if err := begin(); err != nil {
				return c, err
			}
		}
	}
	if err := tx.Commit(); err != nil {
		return c, err
	}
	// The indexes the GROUP BY below needs, as a user would add them.
	_, err = db.ExecContext(ctx, `CREATE INDEX orders_by_deliver ON orders (seller_id, deliver_by); CREATE INDEX shipments_by_order ON shipments (order_id)`)
	return c, err
}

// groupBy is the query a user would write on the raw tables: packages of
// the seller whose promised delivery date is in the window, per category,
// valid when the number has at least one physical event.
func groupBy(ctx context.Context, db *sql.DB, seller string, from, to int64) (int, error) {
	rows, err := db.QueryContext(ctx, `
		SELECT o.category,
		       SUM(EXISTS (SELECT 1 FROM events e WHERE e.tracking_norm = UPPER(REPLACE(REPLACE(s.tracking_number, ' ', ''), '-', '')) AND e.class = 'physical')) AS valid,
		       COUNT(*) AS packages
		FROM orders o JOIN shipments s ON s.order_id = o.order_id
		WHERE o.seller_id = ? AND o.deliver_by >= ? AND o.deliver_by <= ? AND o.digital = 0
		GROUP BY o.category`, seller, from, to)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var cat string
		var valid, total int
		if err := rows.Scan(&cat, &valid, &total); err != nil {
			return n, err
		}
		n++
	}
	return n, rows.Err()
}

// busiestWindow returns the last day of the window of the given length
// that holds the most of the seller's packages.
func busiestWindow(ctx context.Context, db *sql.DB, seller string, days int) (int64, error) {
	rows, err := db.QueryContext(ctx, `SELECT day, COUNT(*) FROM packages WHERE seller_id = ? GROUP BY day ORDER BY day`, seller)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	perDay := map[int64]int{}
	var lo, hi int64 = 1 << 62, 0
	for rows.Next() {
		var d int64
		var n int
		if err := rows.Scan(&d, &n); err != nil {
			return 0, err
		}
		perDay[d] = n
		lo, hi = min(lo, d), max(hi, d)
	}
	best, bestN, sum := hi, -1, 0
	for d := lo; d <= hi; d++ {
		sum += perDay[d]
		if d-int64(days) >= lo {
			sum -= perDay[d-int64(days)]
		}
		if sum > bestN {
			best, bestN = d, sum
		}
	}
	return best, rows.Err()
}

func biggestSeller(ctx context.Context, db *sql.DB) (string, int, error) {
	var s string
	var n int
	err := db.QueryRowContext(ctx, `SELECT seller_id, COUNT(*) AS n FROM packages GROUP BY seller_id ORDER BY n DESC LIMIT 1`).Scan(&s, &n)
	return s, n, err
}
