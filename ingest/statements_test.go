package ingest_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/ingest"
	"github.com/vtr-project/vtr/sqlite"
	"github.com/vtr-project/vtr/storetest"
)

// counting is an engine whose write transactions count the statements
// the import algorithm asks for: on PostgreSQL each is a round trip.
type counting struct {
	ingest.Engine
	n int
}

func (c *counting) Begin(ctx context.Context) (ingest.Tx, error) {
	tx, err := c.Engine.Begin(ctx)
	return &countTx{Tx: tx, n: &c.n}, err
}

type countTx struct {
	ingest.Tx
	n *int
}

func (t *countTx) Seller(ctx context.Context, id string) (vtr.Seller, bool, error) {
	*t.n++
	return t.Tx.Seller(ctx, id)
}
func (t *countTx) PutSeller(ctx context.Context, s *vtr.Seller) error {
	*t.n++
	return t.Tx.PutSeller(ctx, s)
}
func (t *countTx) SellerPackages(ctx context.Context, id string) ([]ingest.PackageKey, error) {
	*t.n++
	return t.Tx.SellerPackages(ctx, id)
}
func (t *countTx) Orders(ctx context.Context, r []ingest.OrderRef) ([]ingest.OrderState, error) {
	*t.n++
	return t.Tx.Orders(ctx, r)
}
func (t *countTx) OrderSellers(ctx context.Context, ids []string) (map[string][]string, error) {
	*t.n++
	return t.Tx.OrderSellers(ctx, ids)
}
func (t *countTx) PutOrders(ctx context.Context, os []*ingest.OrderState) error {
	*t.n++
	return t.Tx.PutOrders(ctx, os)
}
func (t *countTx) OrderPackages(ctx context.Context, r []ingest.OrderRef) ([]ingest.Package, error) {
	*t.n++
	return t.Tx.OrderPackages(ctx, r)
}
func (t *countTx) Histories(ctx context.Context, r []ingest.OrderRef) ([]ingest.ShipmentRow, error) {
	*t.n++
	return t.Tx.Histories(ctx, r)
}
func (t *countTx) AddShipments(ctx context.Context, rows []ingest.ShipmentRow) error {
	*t.n++
	return t.Tx.AddShipments(ctx, rows)
}
func (t *countTx) PutPackages(ctx context.Context, ps []*ingest.Package) error {
	*t.n++
	return t.Tx.PutPackages(ctx, ps)
}
func (t *countTx) PutVerdicts(ctx context.Context, vs []ingest.Verdict) error {
	*t.n++
	return t.Tx.PutVerdicts(ctx, vs)
}
func (t *countTx) Orphans(ctx context.Context, ids []string) ([]ingest.Orphan, error) {
	*t.n++
	return t.Tx.Orphans(ctx, ids)
}
func (t *countTx) DeleteOrphans(ctx context.Context, g []ingest.OrderRef) error {
	*t.n++
	return t.Tx.DeleteOrphans(ctx, g)
}
func (t *countTx) AddOrphans(ctx context.Context, os []ingest.Orphan) error {
	*t.n++
	return t.Tx.AddOrphans(ctx, os)
}
func (t *countTx) PackagesByNumber(ctx context.Context, nums []string) (map[string][]ingest.PackageKey, error) {
	*t.n++
	return t.Tx.PackagesByNumber(ctx, nums)
}
func (t *countTx) NumberOrders(ctx context.Context, nums []string) (map[string][]ingest.NumberOrder, error) {
	*t.n++
	return t.Tx.NumberOrders(ctx, nums)
}
func (t *countTx) AddEvents(ctx context.Context, evs []*vtr.Event) ingest.EventsDone {
	*t.n++
	return t.Tx.AddEvents(ctx, evs)
}
func (t *countTx) MergeSummaries(ctx context.Context, d []ingest.NumberSummary) (map[string]vtr.ScanSummary, error) {
	*t.n++
	return t.Tx.MergeSummaries(ctx, d)
}
func (t *countTx) Summaries(ctx context.Context, nums []string) (map[string]vtr.ScanSummary, error) {
	*t.n++
	return t.Tx.Summaries(ctx, nums)
}
func (t *countTx) AddDaily(ctx context.Context, d []ingest.DailyDelta) error {
	*t.n++
	return t.Tx.AddDaily(ctx, d)
}
func (t *countTx) AddOrderDaily(ctx context.Context, d []ingest.OrderDelta) error {
	*t.n++
	return t.Tx.AddOrderDaily(ctx, d)
}
func (t *countTx) AddReasonDaily(ctx context.Context, d []ingest.ReasonDelta) error {
	*t.n++
	return t.Tx.AddReasonDaily(ctx, d)
}
func (t *countTx) AddUnknown(ctx context.Context, u []vtr.UnknownCode) error {
	*t.n++
	return t.Tx.AddUnknown(ctx, u)
}

// A batch costs a few statements per kind of work, not one per record
// or package: its records' orders, packages and histories are read in
// bulk and its writes go out as multi-row statements. Only the events
// are stored in chunks.
func TestStatementsPerBatch(t *testing.T) {
	ctx := context.Background()
	for _, orders := range []int{200, 2000} {
		d, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "vtr.db"), sqlite.Options{})
		if err != nil {
			t.Fatal(err)
		}
		eng := &counting{Engine: d}
		s := ingest.New(eng, nil)
		recs := storetest.Workload(1, orders)
		events := 0
		for _, r := range recs {
			if r.Event != nil {
				events++
			}
		}
		// Twice: into an empty store, then the same records again (every
		// order, package and number is read back).
		for pass := range 2 {
			eng.n = 0
			st, err := s.Import(ctx, storetest.List(recs), func(err error) { t.Errorf("rejected: %v", err) })
			if err != nil {
				t.Fatal(err)
			}
			limit := 40 + 2*(events/5000+1) // per batch: the fixed work, then AddEvents and Summaries per 5,000 events (eventChunk)
			t.Logf("%d orders, pass %d: %d records, %d events, %d statements", orders, pass+1, st.Records, events, eng.n)
			if eng.n > limit {
				t.Errorf("%d orders, pass %d: %d statements, want at most %d", orders, pass+1, eng.n, limit)
			}
		}
		d.Close()
	}
}
