package main

import (
	"context"
	"fmt"
	"io"
	"sort"
	"sync"
	"time"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/ingest"
)

// timedEngine times each method of its write transactions (-tx-times):
// on PostgreSQL, where the work happens in the server and a CPU profile
// of this process shows only waiting, it says which statements the
// import spends its time in.
type timedEngine struct {
	ingest.Engine
	mu sync.Mutex
	d  map[string]time.Duration
	n  map[string]int
}

func newTimedEngine(e ingest.Engine) *timedEngine {
	return &timedEngine{Engine: e, d: map[string]time.Duration{}, n: map[string]int{}}
}

func (e *timedEngine) add(name string, start time.Time) {
	e.mu.Lock()
	e.d[name] += time.Since(start)
	e.n[name]++
	e.mu.Unlock()
}

// report prints the methods by total time.
func (e *timedEngine) report(w io.Writer) {
	e.mu.Lock()
	defer e.mu.Unlock()
	names := make([]string, 0, len(e.d))
	var total time.Duration
	for k, d := range e.d {
		names = append(names, k)
		total += d
	}
	sort.Slice(names, func(i, j int) bool { return e.d[names[i]] > e.d[names[j]] })
	fmt.Fprintf(w, "time in transaction methods: %.1f s\n", total.Seconds())
	for _, k := range names {
		fmt.Fprintf(w, "  %-18s %8.1f s %7d calls\n", k, e.d[k].Seconds(), e.n[k])
	}
}

func (e *timedEngine) Begin(ctx context.Context) (ingest.Tx, error) {
	defer e.add("Begin", time.Now())
	tx, err := e.Engine.Begin(ctx)
	if err != nil {
		return nil, err
	}
	return &timedTx{Tx: tx, e: e}, nil
}

type timedTx struct {
	ingest.Tx
	e *timedEngine
}

func (t *timedTx) Orders(ctx context.Context, r []ingest.OrderRef) ([]ingest.OrderState, error) {
	defer t.e.add("Orders", time.Now())
	return t.Tx.Orders(ctx, r)
}
func (t *timedTx) OrderSellers(ctx context.Context, ids []string) (map[string][]string, error) {
	defer t.e.add("OrderSellers", time.Now())
	return t.Tx.OrderSellers(ctx, ids)
}
func (t *timedTx) PutOrders(ctx context.Context, os []*ingest.OrderState) error {
	defer t.e.add("PutOrders", time.Now())
	return t.Tx.PutOrders(ctx, os)
}
func (t *timedTx) OrderPackages(ctx context.Context, r []ingest.OrderRef) ([]ingest.Package, error) {
	defer t.e.add("OrderPackages", time.Now())
	return t.Tx.OrderPackages(ctx, r)
}
func (t *timedTx) Histories(ctx context.Context, r []ingest.OrderRef) ([]ingest.ShipmentRow, error) {
	defer t.e.add("Histories", time.Now())
	return t.Tx.Histories(ctx, r)
}
func (t *timedTx) AddShipments(ctx context.Context, rows []ingest.ShipmentRow) error {
	defer t.e.add("AddShipments", time.Now())
	return t.Tx.AddShipments(ctx, rows)
}
func (t *timedTx) PutPackages(ctx context.Context, ps []*ingest.Package) error {
	defer t.e.add("PutPackages", time.Now())
	return t.Tx.PutPackages(ctx, ps)
}
func (t *timedTx) PutVerdicts(ctx context.Context, vs []ingest.Verdict) error {
	defer t.e.add("PutVerdicts", time.Now())
	return t.Tx.PutVerdicts(ctx, vs)
}
func (t *timedTx) Orphans(ctx context.Context, ids []string) ([]ingest.Orphan, error) {
	defer t.e.add("Orphans", time.Now())
	return t.Tx.Orphans(ctx, ids)
}
func (t *timedTx) PackagesByNumber(ctx context.Context, nums []string) (map[string][]ingest.PackageKey, error) {
	defer t.e.add("PackagesByNumber", time.Now())
	return t.Tx.PackagesByNumber(ctx, nums)
}
func (t *timedTx) NumberOrders(ctx context.Context, nums []string) (map[string][]ingest.NumberOrder, error) {
	defer t.e.add("NumberOrders", time.Now())
	return t.Tx.NumberOrders(ctx, nums)
}
func (t *timedTx) AddEvents(ctx context.Context, evs []*vtr.Event) ingest.EventsDone {
	start := time.Now()
	done := t.Tx.AddEvents(ctx, evs)
	t.e.add("AddEvents", start)
	return func() ([]*vtr.Event, error) {
		defer t.e.add("AddEvents (wait)", time.Now())
		return done()
	}
}
func (t *timedTx) MergeSummaries(ctx context.Context, d []ingest.NumberSummary) (map[string]vtr.ScanSummary, error) {
	defer t.e.add("MergeSummaries", time.Now())
	return t.Tx.MergeSummaries(ctx, d)
}
func (t *timedTx) Summaries(ctx context.Context, nums []string) (map[string]vtr.ScanSummary, error) {
	defer t.e.add("Summaries", time.Now())
	return t.Tx.Summaries(ctx, nums)
}
func (t *timedTx) AddDaily(ctx context.Context, d []ingest.DailyDelta) error {
	defer t.e.add("AddDaily", time.Now())
	return t.Tx.AddDaily(ctx, d)
}
func (t *timedTx) AddOrderDaily(ctx context.Context, d []ingest.OrderDelta) error {
	defer t.e.add("AddOrderDaily", time.Now())
	return t.Tx.AddOrderDaily(ctx, d)
}
func (t *timedTx) Commit() error {
	defer t.e.add("Commit", time.Now())
	return t.Tx.Commit()
}
func (t *timedTx) Read(ctx context.Context, q ingest.Reads) (ingest.ReadResults, error) {
	defer t.e.add(readName(&q), time.Now())
	return t.Tx.Read(ctx, q)
}

// readName names a Read by the parts it asks for, so that -tx-times
// tells the batch's reads apart.
func readName(q *ingest.Reads) string {
	name := "Read"
	for _, p := range []struct {
		n    string
		have bool
	}{
		{"OrderSellers", len(q.OrderSellers) > 0}, {"Orders", len(q.Orders) > 0},
		{"History", len(q.History) > 0}, {"OrphansOf", len(q.OrphansOf) > 0},
		{"Sellers", len(q.Sellers) > 0}, {"Wants", q.Wants != ""},
		{"Numbers", len(q.Numbers) > 0}, {"Summaries", len(q.Summaries) > 0},
	} {
		if p.have {
			name += " " + p.n
		}
	}
	return name
}
