// Command engine is bench/engine's measuring program. Given a native
// NDJSON workload (from `vtr simulate`), it measures one storage engine
// (-engine sqlite or -engine postgres; bench/engine/run runs it once per
// engine, each in its own process, and prints the two side by side):
//
//  1. import: vtr's import (judging every package and keeping the live
//     aggregates) against a careful user's bulk load of the same rows
//     (decoded by the same decoder) into a raw schema of the same columns
//     with primary keys: on SQLite multi-row INSERT statements (500 rows
//     a statement, large transactions, vtr's pragmas); on PostgreSQL COPY
//     into staging tables merged with INSERT … ON CONFLICT (a feed may
//     repeat an order or an event, and a plain COPY into keyed tables
//     would then fail): events/s and the ratio;
//  2. rate: `vtr rate` for the seller with the most packages against the
//     GROUP BY query a user would write on the raw tables (packages whose
//     promised date is in the window, valid when their number has a
//     physical scan): median latency and the ratio;
//  3. report: defect-report rows/s through the CSV encoder;
//  4. peak memory (the process's maximum resident set).
//
// With -results FILE it also writes "key<TAB>value" lines for the
// side-by-side table. PostgreSQL work happens in schemas of its own,
// dropped at the end; only loopback servers are accepted.
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
	"os/signal"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/ingest"
	"github.com/vtr-project/vtr/native"
	"github.com/vtr-project/vtr/report"
)

// rawBatch is how many records the baselines load per transaction.
const rawBatch = 200_000

// errUnreachable marks a PostgreSQL server that could not be reached.
var errUnreachable = errors.New("unreachable")

func main() {
	engine := flag.String("engine", "sqlite", "sqlite or postgres")
	in := flag.String("in", "", "native NDJSON workload")
	dir := flag.String("dir", os.TempDir(), "where to put the SQLite databases")
	dsn := flag.String("dsn", envOr("VTR_BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"), "PostgreSQL URL (loopback only)")
	rateRuns := flag.Int("rate-runs", 20, "rate queries to time")
	results := flag.String("results", "", "write key<TAB>value results here")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the vtr import here")
	memprofile := flag.String("memprofile", "", "write the vtr import's allocations here, and its heap 60 s into the import to FILE.inuse")
	txTimes := flag.Bool("tx-times", false, "print the time vtr's import spends in each transaction method")
	batch := flag.Int("batch", ingest.DefaultBatchSize, "records per vtr import transaction (vtr import --batch)")
	importOnly := flag.Bool("import-only", false, "measure vtr's import alone: no baseline, rate or report")
	flag.Parse()
	ingest.LimitMemory() // as vtr's own main does

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var b bench
	var err error
	switch *engine {
	case "sqlite":
		b, err = newSQLite(*dir)
	case "postgres":
		b, err = newPostgres(ctx, *dsn)
	default:
		err = fmt.Errorf("-engine %q: want sqlite or postgres", *engine)
	}
	if errors.Is(err, errUnreachable) {
		fmt.Printf("%s: %v: not measured\n", *engine, err)
		writeResults(*results, map[string]string{"skipped": "unreachable"})
		return
	}
	if err == nil {
		res := map[string]string{}
		err = run(ctx, b, options{in: *in, rateRuns: *rateRuns, cpuprofile: *cpuprofile, memprofile: *memprofile, txTimes: *txTimes, batch: *batch, importOnly: *importOnly}, res)
		if cerr := b.close(); err == nil {
			err = cerr
		}
		if err == nil {
			err = writeResults(*results, res)
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "engine:", err)
		os.Exit(1)
	}
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

// bench is one engine's half of the measurements.
type bench interface {
	name() string
	// bulkLoad is the baseline: the rows a careful user would keep.
	bulkLoad(ctx context.Context, dec *native.Decoder) (rowCounts, error)
	// openVTR opens a fresh vtr database: the engine and its handle.
	openVTR(ctx context.Context) (ingest.Engine, *sql.DB, error)
	// raw is the baseline's database, for the GROUP BY.
	raw() *sql.DB
	// groupBy runs the user's query: categories returned.
	groupBy(ctx context.Context, seller string, from, to int64) (int, error)
	// rebind turns ? placeholders into the engine's.
	rebind(q string) string
	// close closes the databases and removes what the run created.
	close() error
}

func decoder(path string) (*native.Decoder, *os.File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	now := func() time.Time { return time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC) }
	return native.NewDecoder(bufio.NewReaderSize(f, 1<<20), now), f, nil
}

// maxRSS is the process's peak resident set in MiB since it started.
func maxRSS() int64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return ru.Maxrss / 1024 // KiB on Linux
}

// resetPeak restarts the kernel's count of the peak resident set
// (VmHWM), so vtr's phases are measured without the baseline's.
func resetPeak() bool {
	return os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
}

// procStatus returns the memory lines of /proc/self/status in MiB:
// VmHWM (peak since resetPeak), VmRSS, RssAnon (heap and stacks, SQLite's
// page cache), RssFile (mapped files: the binary, SQLite's mmap).
func procStatus() map[string]int64 {
	m := map[string]int64{}
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return m
	}
	for _, line := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		var kib int64
		if _, err := fmt.Sscanf(strings.TrimSpace(v), "%d kB", &kib); err == nil {
			m[k] = kib / 1024
		}
	}
	return m
}

// options are run's settings, from the flags.
type options struct {
	in         string
	rateRuns   int
	cpuprofile string
	memprofile string
	txTimes    bool
	batch      int
	importOnly bool
}

func run(ctx context.Context, b bench, o options, res map[string]string) error {
	put := func(k string, format string, v any) { res[k] = fmt.Sprintf(format, v) }
	fmt.Printf("== %s\n", b.name())
	in, rateRuns, cpuprofile, txTimes := o.in, o.rateRuns, o.cpuprofile, o.txTimes

	// 1a. The careful user's bulk load.
	var counts rowCounts
	var rawTime time.Duration
	if !o.importOnly {
		dec, f, err := decoder(in)
		if err != nil {
			return err
		}
		rawStart := time.Now()
		counts, err = b.bulkLoad(ctx, dec)
		f.Close()
		if err != nil {
			return fmt.Errorf("bulk load: %w", err)
		}
		rawTime = time.Since(rawStart)
	}
	rssBaseline := maxRSS()
	runtime.GC()
	debug.FreeOSMemory()
	reset := resetPeak()

	// 1b. vtr import.
	eng, db, err := b.openVTR(ctx)
	if err != nil {
		return err
	}
	var timed *timedEngine
	if txTimes {
		timed = newTimedEngine(eng)
		eng = timed
	}
	store := ingest.New(eng, nil)
	defer store.Close()
	store.BatchSize = o.batch
	dec, f, err := decoder(in)
	if err != nil {
		return err
	}
	if cpuprofile != "" {
		pf, err := os.Create(cpuprofile)
		if err != nil {
			return err
		}
		defer pf.Close()
		if err := pprof.StartCPUProfile(pf); err != nil {
			return err
		}
	}
	if o.memprofile != "" {
		t := time.AfterFunc(60*time.Second, func() { writeProfile("heap", o.memprofile+".inuse") })
		defer t.Stop()
	}
	var rejected int
	impStart := time.Now()
	st, err := store.Import(ctx, dec.Next, func(err error) {
		if rejected < 5 {
			fmt.Fprintln(os.Stderr, "rejected:", err)
		}
		rejected++
	})
	impTime := time.Since(impStart)
	if cpuprofile != "" {
		pprof.StopCPUProfile()
	}
	if o.memprofile != "" {
		writeProfile("allocs", o.memprofile)
	}
	f.Close()
	if err != nil {
		return fmt.Errorf("vtr import: %w", err)
	}
	impMem := procStatus()
	if timed != nil {
		timed.report(os.Stdout)
	}
	vtrEPS := float64(st.Events) / impTime.Seconds()
	if o.importOnly {
		fmt.Printf("import (vtr: judge + live aggregates, %d records a transaction): %.1f s  %.0f events/s  %.0f records/s\n",
			o.batch, impTime.Seconds(), vtrEPS, float64(st.Records)/impTime.Seconds())
		put("import_vtr_s", "%.1f", impTime.Seconds())
		put("import_vtr_eps", "%.0f", vtrEPS)
		return nil
	}
	rawEPS := float64(counts.events) / rawTime.Seconds()
	ratio := impTime.Seconds() / rawTime.Seconds()
	fmt.Printf("workload: %d records: %d orders, %d shipments, %d events (%d rejected)\n", counts.records, counts.orders, counts.shipments, counts.events, rejected)
	fmt.Printf("import (vtr: judge + live aggregates): %8.1f s  %9.0f events/s  %9.0f records/s\n", impTime.Seconds(), vtrEPS, float64(st.Records)/impTime.Seconds())
	fmt.Printf("bulk load of the same rows (baseline): %8.1f s  %9.0f events/s  %9.0f records/s\n", rawTime.Seconds(), rawEPS, float64(counts.records)/rawTime.Seconds())
	fmt.Printf("import / bulk load: %.2fx  (target ≥ 20,000 events/s and ≤ 3x: %s)\n\n", ratio, met(vtrEPS >= 20000 && ratio <= 3))
	put("records", "%d", counts.records)
	put("events", "%d", counts.events)
	put("import_vtr_s", "%.1f", impTime.Seconds())
	put("import_vtr_eps", "%.0f", vtrEPS)
	put("import_base_s", "%.1f", rawTime.Seconds())
	put("import_base_eps", "%.0f", rawEPS)
	put("import_ratio", "%.2f", ratio)
	put("import_target", "%s", met(vtrEPS >= 20000 && ratio <= 3))

	// 2. Rate for the biggest seller.
	seller, packages, err := biggestSeller(ctx, db, b)
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
	bestDay, err := busiestWindow(ctx, db, b, seller, p.WindowDays)
	if err != nil {
		return err
	}
	asOf := time.Unix(bestDay*86400, 0).UTC().Add(23 * time.Hour)
	var rep *vtr.RateReport
	vtrLat, err := timeIt(rateRuns, func() error {
		var err error
		rep, err = store.Rate(ctx, seller, policy, asOf, 7)
		return err
	})
	if err != nil {
		return fmt.Errorf("rate: %w", err)
	}
	inWindow := rep.Overall.Valid + rep.Overall.Invalid + rep.Overall.Exempt

	// 3. Report (measured before the GROUP BY, printed after it).
	repStart := time.Now()
	enc, err := report.NewCSV(io.Discard)
	if err != nil {
		return err
	}
	n, err := store.Defects(ctx, vtr.ReportFilter{SellerID: seller, Policy: policy, AsOf: asOf, ShippedLate: true, DeliveredLate: true}, enc.Write)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	repTime := time.Since(repStart)
	rps := float64(n) / repTime.Seconds()
	reportLine := fmt.Sprintf("report: %d rows in %.2f s: %.0f rows/s  (target ≥ 20,000 rows/s: %s)\n", n, repTime.Seconds(), rps, met(rps >= 20000))
	put("report_rows", "%d", n)
	put("report_rps", "%.0f", rps)
	put("report_target", "%s", met(rps >= 20000))

	vtrMem := procStatus() // before the GROUP BY opens the raw tables

	first := asOf.AddDate(0, 0, -p.WindowDays+1).Truncate(24 * time.Hour)
	var rawRows int
	gbRuns := max(rateRuns/10, 3)
	gbLat, err := timeIt(gbRuns, func() error {
		var err error
		rawRows, err = b.groupBy(ctx, seller, first.Unix(), asOf.Unix())
		return err
	})
	if err != nil {
		return fmt.Errorf("group by: %w", err)
	}
	speedup := float64(gbLat) / float64(vtrLat)
	rateOK := speedup >= 100 && vtrLat < 10*time.Millisecond
	fmt.Printf("rate for seller %s: %d packages, %d in the %d-day window\n", seller, packages, inWindow, p.WindowDays)
	fmt.Printf("  vtr rate (aggregates):        %10.3f ms (median of %d)\n", ms(vtrLat), rateRuns)
	fmt.Printf("  GROUP BY on the raw tables:   %10.3f ms (median of %d; %d categories)\n", ms(gbLat), gbRuns, rawRows)
	fmt.Printf("  speed-up: %.0fx  (target ≥ 100x and < 10 ms: %s)\n\n", speedup, met(rateOK))
	put("packages", "%d", packages)
	put("in_window", "%d", inWindow)
	put("rate_vtr_ms", "%.3f", ms(vtrLat))
	put("rate_groupby_ms", "%.3f", ms(gbLat))
	put("rate_speedup", "%.0f", speedup)
	put("rate_target", "%s", met(rateOK))

	fmt.Print(reportLine)

	// 4. Peak memory.
	var mst runtime.MemStats
	runtime.ReadMemStats(&mst)
	peak := maxRSS()
	vtrPeak := peak
	if reset {
		vtrPeak = vtrMem["VmHWM"]
	}
	fmt.Printf("peak memory of vtr's import, rate and report: %d MiB resident  (target ≤ 1024 MiB: %s)\n", vtrPeak, met(vtrPeak <= 1024))
	fmt.Printf("  the import alone: %d MiB peak; at its end %d MiB anonymous (Go heap; on SQLite its page cache too) + %d MiB mapped files (the binary; on SQLite its mmap)\n",
		impMem["VmHWM"], impMem["RssAnon"], impMem["RssFile"])
	fmt.Printf("  the whole process, the baseline too: %d MiB peak (after the baseline: %d MiB); Go heap now %d MiB\n", peak, rssBaseline, mst.HeapAlloc>>20)
	if !reset {
		fmt.Println("  (the kernel would not reset the peak: vtr's figure is the whole process's)")
	}
	put("rss_baseline_mib", "%d", rssBaseline)
	put("rss_import_mib", "%d", impMem["VmHWM"])
	put("rss_import_anon_mib", "%d", impMem["RssAnon"])
	put("rss_import_file_mib", "%d", impMem["RssFile"])
	put("rss_vtr_mib", "%d", vtrPeak)
	put("rss_target", "%s", met(vtrPeak <= 1024))
	put("rss_peak_mib", "%d", peak)
	return nil
}

func writeResults(path string, res map[string]string) error {
	if path == "" {
		return nil
	}
	keys := make([]string, 0, len(res))
	for k := range res {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var sb strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&sb, "%s\t%s\n", k, res[k])
	}
	return os.WriteFile(path, []byte(sb.String()), 0o644)
}

func met(ok bool) string {
	if ok {
		return "MET"
	}
	return "NOT MET"
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// timeIt runs f n times (at least once) and returns the median duration.
func timeIt(n int, f func() error) (time.Duration, error) {
	n = max(n, 1)
	ds := make([]time.Duration, 0, n)
	for range n {
		t := time.Now()
		if err := f(); err != nil {
			return 0, err
		}
		ds = append(ds, time.Since(t))
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	return ds[len(ds)/2], nil
}

type rowCounts struct{ records, orders, shipments, events int }

// busiestWindow returns the last day of the window of the given length
// that holds the most of the seller's packages.
func busiestWindow(ctx context.Context, db *sql.DB, b bench, seller string, days int) (int64, error) {
	rows, err := db.QueryContext(ctx, b.rebind(`SELECT day, COUNT(*) FROM packages WHERE seller_id = ? GROUP BY day ORDER BY day`), seller)
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
	if err := rows.Err(); err != nil {
		return 0, err
	}
	if len(perDay) == 0 {
		return 0, fmt.Errorf("seller %s has no packages", seller)
	}
	best, bestN, sum := hi, -1, 0
	for d := lo; d <= hi; d++ { // bounded: hi-lo is the workload's span in days
		sum += perDay[d]
		if d-int64(days) >= lo {
			sum -= perDay[d-int64(days)]
		}
		if sum > bestN {
			best, bestN = d, sum
		}
	}
	return best, nil
}

func biggestSeller(ctx context.Context, db *sql.DB, b bench) (string, int, error) {
	var s string
	var n int
	err := db.QueryRowContext(ctx, `SELECT seller_id, COUNT(*) AS n FROM packages GROUP BY seller_id ORDER BY n DESC LIMIT 1`).Scan(&s, &n)
	return s, n, err
}

// rawRow is one decoded record as the raw tables keep it.
type rawRow struct {
	table string
	vals  []any
}

// rawRows turns a record into the rows a user would keep; the counts
// are updated.
func rawRowOf(rec *vtr.Record, c *rowCounts, pgBool bool) rawRow {
	b := func(v bool) any {
		if pgBool {
			return v
		}
		if v {
			return int64(1)
		}
		return int64(0)
	}
	switch {
	case rec.Seller != nil:
		return rawRow{"sellers", []any{rec.Seller.ID, rec.Seller.Name, fmt.Sprint(rec.Seller.ShipFrom)}}
	case rec.Order != nil:
		o := rec.Order
		c.orders++
		return rawRow{"orders", []any{o.SellerID, o.ID, o.Policy, o.PurchasedAt.Unix(), o.Category, o.Value.Minor, o.Value.Currency,
			o.ShipTo.Country + " " + o.ShipTo.PostalCode, o.ShipBy.Unix(), o.DeliverBy.Unix(), b(o.Digital), b(o.Freight)}}
	case rec.Shipment != nil:
		s := rec.Shipment
		c.shipments++
		return rawRow{"shipments", []any{s.OrderID, s.PackageID, s.Carrier, s.CarrierName, s.TrackingNumber, s.ShipMethod, s.ShipFromID,
			s.ShippedAt.Unix(), s.UploadedAt.Unix()}}
	case rec.Cancellation != nil:
		return rawRow{"cancellations", []any{rec.Cancellation.OrderID, rec.Cancellation.CancelledAt.Unix()}}
	case rec.Event != nil:
		e := rec.Event
		c.events++
		return rawRow{"events", []any{e.TrackingNumber, e.ID, e.Carrier, e.OccurredAt.Unix(), e.Code, e.Description, string(e.Status),
			string(e.Class), e.Location.City, e.Location.State, e.Location.PostalCode, e.Location.Country}}
	}
	return rawRow{}
}

// eachRaw decodes the workload and hands every raw row to fn, then
// calls flush every rawBatch records and at the end.
func eachRaw(dec *native.Decoder, pgBool bool, fn func(rawRow) error, flush func() error) (rowCounts, error) {
	var c rowCounts
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
		if r := rawRowOf(&rec, &c, pgBool); r.table != "" {
			if err := fn(r); err != nil {
				return c, err
			}
		}
		if c.records%rawBatch == 0 {
			if err := flush(); err != nil {
				return c, err
			}
		}
	}
	return c, flush()
}

// writeProfile writes the named runtime profile to path, saying on
// standard error when it cannot.
func writeProfile(name, path string) {
	f, err := os.Create(path)
	if err == nil {
		err = pprof.Lookup(name).WriteTo(f, 0)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s profile: %v\n", name, err)
	}
}
