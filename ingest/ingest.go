// Package ingest is vtr's import algorithm, written once over any storage
// engine: batches, orphans (a shipment or cancellation before its order),
// edits, cancellations, label reuse, which packages to re-judge and the
// aggregate deltas. Engines (sqlite, postgres) implement the narrow Tx
// and Engine interfaces with SQL only.
//
// Many writers: every write happens in an engine transaction that holds
// the engine's writer lock, and nothing read in one transaction is kept
// for the next: caches live for one batch. So several importers, and
// later several servers, may write at once and the final state equals a
// sequential import of the same records.
package ingest

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/engine"
	"github.com/vtr-project/vtr/tracking"
)

// DefaultBatchSize is how many records one import transaction holds at
// most: large enough that a number's summary and a package are written
// once for many of their events, and the commit's fsync amortised (at
// full density, 48,000 orders a day, 50,000 records a transaction
// imported 13,189 events/s, 250,000 16,858 and 400,000 19,112; 800,000
// was slower, its batch state crowding the heap limit). Other writers
// wait for it, for seconds, not minutes.
const DefaultBatchSize = 400000

// HeapLimit is the soft limit LimitMemory puts on the Go heap of a
// process that imports: the open transaction's state (the orders,
// packages and summaries it touched), the parts of records decoded
// ahead, and room for the collector to work in; SQLite's page cache and
// map come on top, so vtr stays under 1 GiB resident.
const HeapLimit = 512 << 20

// LimitMemory sets HeapLimit as the Go runtime's soft memory limit,
// unless GOMEMLIMIT sets another: the collector works harder near it
// instead of letting garbage double the heap.
func LimitMemory() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(HeapLimit)
	}
}

// Store is vtr.Store over a storage engine.
type Store struct {
	eng      Engine
	policies *vtr.PolicySet
	// maxScans is the most physical scans any policy requires: scans
	// beyond it cannot change a verdict.
	maxScans int
	// BatchSize is the most records an import transaction holds.
	BatchSize int
}

var _ vtr.Store = (*Store)(nil)

// New returns the store over an engine, judging by the given policies
// (the built-ins when nil).
func New(eng Engine, policies *vtr.PolicySet) *Store {
	if policies == nil {
		policies = vtr.NewPolicySet(nil)
	}
	s := &Store{eng: eng, policies: policies, maxScans: 1, BatchSize: DefaultBatchSize}
	for _, p := range policies.All() {
		s.maxScans = max(s.maxScans, p.Scans.MinPhysical)
		for _, h := range p.Scans.HighValue {
			s.maxScans = max(s.maxScans, h.MinPhysical)
		}
	}
	return s
}

// Policies returns the policies the store judges by.
func (s *Store) Policies() *vtr.PolicySet { return s.policies }

// Close closes the engine.
func (s *Store) Close() error { return s.eng.Close() }

// Import applies records from next until io.EOF, in transactions of at
// most BatchSize records. A *vtr.LineError from next, or a record the rules refuse
// (a *vtr.Error), is passed to reject and skipped. The stats count
// committed batches only: when ctx is cancelled or an error occurs, the
// batch in progress is rolled back and the committed ones are kept.
func (s *Store) Import(ctx context.Context, next func() (vtr.Record, error), reject func(error)) (vtr.ImportStats, error) {
	// Records are read and decoded in parts, on the other core, while the
	// writer applies the parts before them; a transaction takes parts
	// until it holds BatchSize records. Only the batch's own state (the
	// orders, packages and summaries it touched) lives as long as the
	// transaction, not its records: a large transaction writes each
	// number's summary and each package once for many events, in little
	// memory. The writer lock is held while records are applied, never
	// while the input is waited for (a pipe that stalls must not stop the
	// other writers): when the next part is not read yet, the
	// transaction commits first.
	var mu sync.Mutex
	rej := func(err error) { // reject is never called concurrently
		mu.Lock()
		defer mu.Unlock()
		reject(err)
	}
	rctx, stop := context.WithCancel(ctx)
	defer stop()
	// One goroutine calls next (which may block on a pipe), another
	// gathers what it reads into parts: a part goes to the writer when it
	// is full or partWait after its first record, so the records before a
	// stall are committed, not held until more arrive.
	items := make(chan item, 1024)
	go func() {
		defer close(items)
		for rctx.Err() == nil {
			rec, err := next()
			var le *vtr.LineError
			line := err != nil && !errors.Is(err, io.EOF) && errors.As(err, &le)
			switch {
			case line:
				rej(err)
			case err != nil && !errors.Is(err, io.EOF) && rctx.Err() != nil:
				err = rctx.Err() // the reader was stopped by the interruption
			}
			select {
			case items <- item{rec, err}:
			case <-rctx.Done():
				return
			}
			if err != nil && !line {
				return
			}
		}
	}()
	parts := make(chan part, 1)
	size := min(s.BatchSize, partSize)
	go func() {
		defer close(parts)
		for {
			p := gather(rctx, items, size)
			select {
			case parts <- p:
			case <-rctx.Done():
				return
			}
			if p.done || p.err != nil {
				return
			}
		}
	}()
	var total vtr.ImportStats
	var w *batch // the open transaction, if any
	held := 0    // records in it
	commit := func() error {
		if w == nil {
			return nil
		}
		b := w
		w, held = nil, 0
		err := b.finish(ctx)
		if err == nil {
			err = ctx.Err() // interrupted: keep only what is committed
		}
		if err != nil {
			b.tx.Rollback()
			return err
		}
		if err := b.tx.Commit(); err != nil {
			return fmt.Errorf("commit: %w", err)
		}
		total.Add(b.st)
		return nil
	}
	defer func() {
		if w != nil {
			w.tx.Rollback()
		}
	}()
	for {
		var p part
		var ok bool
		if w == nil {
			p, ok = <-parts
		} else {
			wait := time.NewTimer(partWait)
			select {
			case p, ok = <-parts:
			case <-wait.C:
				// The input is behind: commit what is held before waiting.
				if err := commit(); err != nil {
					return total, err
				}
				p, ok = <-parts
			}
			wait.Stop()
		}
		if !ok {
			if err := commit(); err != nil {
				return total, err
			}
			return total, ctx.Err()
		}
		total.Rejected += p.rejected
		if p.err != nil {
			return total, p.err
		}
		if len(p.recs) > 0 {
			if w == nil {
				tx, err := s.eng.Begin(ctx)
				if err != nil {
					return total, err
				}
				w = newBatch(s, tx)
			}
			err := w.prefetch(ctx, p.recs)
			if err == nil {
				err = w.applyAll(ctx, p.recs, rej)
			}
			if err != nil {
				return total, err // rolled back by the deferred call
			}
			held += len(p.recs)
		}
		if p.done || held >= s.BatchSize {
			if err := commit(); err != nil {
				return total, err
			}
		}
		if p.done {
			return total, nil
		}
	}
}

// partSize is how many records the reader decodes ahead of the writer
// at a time: a transaction takes several parts (Import).
const partSize = 10000

// partWait is how long an open transaction waits for the next part
// before it commits. While records flow a part comes at least that often
// (gather cuts one partWait after its first record), so a transaction
// ends early only when the input stalls, or is slower than the writer.
const partWait = 100 * time.Millisecond

// part is records read by Import's reader.
type part struct {
	recs     []vtr.Record
	rejected int
	done     bool
	err      error
}

// item is what Import's reader read: a record, or the error next
// returned (a rejected line, already reported; io.EOF; or what stops
// the import).
type item struct {
	rec vtr.Record
	err error
}

// gather takes up to n records from items into a part: it ends when it
// is full, partWait after its first record, at the end of the input or
// at an error.
func gather(ctx context.Context, items <-chan item, n int) (p part) {
	var timeout <-chan time.Time
	for len(p.recs) < n {
		var it item
		var ok bool
		select {
		case it, ok = <-items:
		case <-timeout:
			return p
		case <-ctx.Done():
			p.recs, p.err = nil, ctx.Err()
			return p
		}
		var le *vtr.LineError
		switch {
		case !ok: // the reader stopped: interrupted
			p.recs, p.err = nil, ctx.Err()
			p.done = p.err == nil
			return p
		case it.err == nil:
			p.recs = append(p.recs, it.rec)
			if timeout == nil {
				t := time.NewTimer(partWait)
				defer t.Stop()
				timeout = t.C
			}
		case errors.Is(it.err, io.EOF):
			p.done = true
			return p
		case errors.As(it.err, &le):
			p.rejected++
		default:
			p.recs, p.err = nil, it.err
			return p
		}
	}
	return p
}

// write applies a batch of records in one transaction and commits it;
// before is called, when not nil, just before the commit.
func (s *Store) write(ctx context.Context, recs []vtr.Record, reject func(error), before func(Tx) error) (vtr.ImportStats, error) {
	tx, err := s.eng.Begin(ctx)
	if err != nil {
		return vtr.ImportStats{}, err
	}
	b, err := s.applyOn(ctx, tx, recs, reject)
	if err == nil && before != nil {
		err = before(tx)
	}
	if err == nil {
		err = ctx.Err() // interrupted: keep only what is committed
	}
	if err != nil {
		tx.Rollback()
		return vtr.ImportStats{}, err
	}
	if err := tx.Commit(); err != nil {
		return vtr.ImportStats{}, fmt.Errorf("commit: %w", err)
	}
	return b.st, nil
}

// applyOn applies records on tx as one batch and writes what they
// changed, leaving the commit to the caller.
func (s *Store) applyOn(ctx context.Context, tx Tx, recs []vtr.Record, reject func(error)) (*batch, error) {
	b := newBatch(s, tx)
	err := b.prefetch(ctx, recs)
	if err == nil {
		err = b.applyAll(ctx, recs, reject)
	}
	if err == nil {
		err = b.finish(ctx)
	}
	return b, err
}

// batch is one import transaction and what it has read. Nothing in it
// outlives the transaction.
type batch struct {
	s       *Store
	tx      Tx
	st      vtr.ImportStats
	sellers map[string]*vtr.Seller
	orders  map[orderKey]*orderEntry // nil entry: known absent
	// The packages of every order in orders (their state, history and
	// IDs by order), loaded with it and kept current by the batch.
	pkgs      map[PackageKey]*Package
	orderPkgs map[orderKey][]string
	// hist holds the confirmations of the packages of the orders in
	// histLoaded: read only for orders a shipment may change (and by
	// Verify), as judging reads a package's current confirmation with it.
	hist       map[PackageKey][]ShipmentRow
	histLoaded map[orderKey]bool
	// orderSellers lists, for the order IDs loaded, the sellers with
	// an order of that ID, orders of this batch included.
	orderSellers map[string][]string
	// orphans holds the parked records of the order IDs in
	// orphansLoaded, those parked in this batch included.
	orphans       map[orderKey]*orphanGroup
	orphansLoaded map[string]bool
	// Writes buffered until finish. A package whose state changed
	// (pkgDirty) is written once, with its new verdict, when it is
	// judged; until then reads of packages by number see it as stored.
	// storedNum is the number a package read from storage is stored
	// under.
	newShipments []ShipmentRow
	pkgDirty     map[PackageKey]bool
	storedNum    map[PackageKey]string
	// numOrders caches NumberOrders, read once the batch's writes are
	// flushed and the packages carrying or leaving its numbers written.
	numOrders map[string][]NumberOrder
	summaries map[string]*vtr.ScanSummary
	dirtyPkgs map[PackageKey]bool
	dirtyNums map[string]bool
	// sharers counts the packages carrying each resolved number, so the
	// reuse lookup runs only for numbers on more than one package.
	sharers map[string]int
	events  []*vtr.Event
	// The events sent last (flushEvents): what waits for them and how
	// many there were.
	sent       EventsDone
	sentEvents int
	// deltas sums up the events the batch stored, by number: merged into
	// the stored summaries when the batch finishes (mergeSummaries).
	deltas  map[string]*vtr.ScanSummary
	unknown map[[3]string]*vtr.UnknownCode
	// verify: summaries are the recomputed ones, never read from storage.
	verify bool
	// wanted says whether a subscription wants defect events, once
	// wantsRead.
	wanted, wantsRead bool
}

type orderKey struct{ seller, order string }

type orderEntry struct {
	st      OrderState
	before  []engine.OrderCount // contributions before this batch changed it
	touched bool
	dirty   bool // changed: written at finish
}

// orphanGroup is the records parked for one seller ("" for none named)
// and order ID, oldest first: the first stored ones were read from
// storage, the rest parked by this batch.
type orphanGroup struct {
	rows     []Orphan
	stored   int  // rows[:stored] are in storage
	deleteDB bool // the group's stored rows were taken
}

func newBatch(s *Store, tx Tx) *batch {
	return &batch{s: s, tx: tx, sellers: map[string]*vtr.Seller{}, orders: map[orderKey]*orderEntry{},
		summaries: map[string]*vtr.ScanSummary{}, deltas: map[string]*vtr.ScanSummary{}, dirtyPkgs: map[PackageKey]bool{}, dirtyNums: map[string]bool{},
		sharers: map[string]int{}, unknown: map[[3]string]*vtr.UnknownCode{},
		pkgs: map[PackageKey]*Package{}, hist: map[PackageKey][]ShipmentRow{}, histLoaded: map[orderKey]bool{}, orderPkgs: map[orderKey][]string{},
		orderSellers: map[string][]string{}, orphans: map[orderKey]*orphanGroup{}, orphansLoaded: map[string]bool{},
		pkgDirty: map[PackageKey]bool{}, storedNum: map[PackageKey]string{}, numOrders: map[string][]NumberOrder{}}
}

// prefetch reads in one call (two when an order ID comes without its
// seller) what the batch's records refer to: the sellers of the order
// IDs, the orders named with their packages and histories, the records
// parked for those order IDs, the sellers' rows, and whether defect
// events are wanted. Records are then applied from memory; what a
// record changes is seen by the records after it.
func (b *batch) prefetch(ctx context.Context, recs []vtr.Record) error {
	// ids: every order ID named; noSeller: those named without a seller.
	var ids, noSeller []string
	var refs []orderKey
	shipped := map[string]bool{} // order IDs named by shipments
	seen := map[string]bool{}
	for i := range recs {
		r := &recs[i]
		var seller, order string
		switch {
		case r.Order != nil:
			seller, order = r.Order.SellerID, r.Order.ID
		case r.Shipment != nil:
			seller, order = r.Shipment.SellerID, r.Shipment.OrderID
			shipped[order] = true
		case r.Cancellation != nil:
			seller, order = r.Cancellation.SellerID, r.Cancellation.OrderID
		default:
			continue
		}
		if !seen[order] {
			seen[order] = true
			ids = append(ids, order)
		}
		if seller == "" {
			noSeller = append(noSeller, order)
		} else {
			refs = append(refs, orderKey{seller, order})
		}
	}
	// What is known now is read in one call: the sellers of every ID (a
	// new order joins its ID's list), the orders named with a seller and
	// the confirmations of those a shipment names, the records parked for
	// every ID.
	shippedRefs := func(keys []orderKey) []orderKey {
		var out []orderKey
		for _, k := range keys {
			if shipped[k.order] {
				out = append(out, k)
			}
		}
		return out
	}
	q := Reads{OrderSellers: b.needSellers(ids), Orders: b.needOrders(refs),
		History: b.needHistories(shippedRefs(refs)), OrphansOf: b.needOrphans(ids), Sellers: b.needSellerRows(refs)}
	if !b.wantsRead && !b.verify {
		q.Wants = vtr.EventDefectCreated // asked with the rest: announceDefects may need it
	}
	if _, err := b.read(ctx, q); err != nil {
		return err
	}
	// An ID named without a seller: the orders of every seller with it.
	var more []orderKey
	for _, id := range noSeller {
		for _, s := range b.orderSellers[id] {
			more = append(more, orderKey{s, id})
		}
	}
	_, err := b.read(ctx, Reads{Orders: b.needOrders(more), History: b.needHistories(shippedRefs(more))})
	return err
}

// The loaders read what a batch has not read yet, each through read.

func (b *batch) loadOrderSellers(ctx context.Context, ids []string) error {
	_, err := b.read(ctx, Reads{OrderSellers: b.needSellers(ids)})
	return err
}

// loadOrders reads the orders not loaded yet, with their packages.
func (b *batch) loadOrders(ctx context.Context, keys []orderKey) error {
	_, err := b.read(ctx, Reads{Orders: b.needOrders(keys)})
	return err
}

// loadHistories reads the confirmations of the packages of orders whose
// histories are not loaded yet.
func (b *batch) loadHistories(ctx context.Context, keys []orderKey) error {
	_, err := b.read(ctx, Reads{History: b.needHistories(keys)})
	return err
}

// loadOrphans reads the records parked for order IDs not loaded yet.
func (b *batch) loadOrphans(ctx context.Context, ids []string) error {
	_, err := b.read(ctx, Reads{OrphansOf: b.needOrphans(ids)})
	return err
}

// The need functions list what is not loaded yet and mark it loaded:
// read fills it in (or leaves it absent).

func (b *batch) needSellers(ids []string) []string {
	var need []string
	for _, id := range ids {
		if _, ok := b.orderSellers[id]; !ok {
			b.orderSellers[id] = nil
			need = append(need, id)
		}
	}
	return need
}

func (b *batch) needOrders(keys []orderKey) []OrderRef {
	var refs []OrderRef
	for _, k := range keys {
		if _, ok := b.orders[k]; !ok {
			b.orders[k] = nil // absent unless read
			refs = append(refs, OrderRef{k.seller, k.order})
		}
	}
	return refs
}

func (b *batch) needHistories(keys []orderKey) []OrderRef {
	var refs []OrderRef
	for _, k := range keys {
		if !b.histLoaded[k] {
			b.histLoaded[k] = true
			refs = append(refs, OrderRef{k.seller, k.order})
		}
	}
	return refs
}

// needSellerRows lists the sellers of refs not loaded yet.
func (b *batch) needSellerRows(refs []orderKey) []string {
	var need []string
	seen := map[string]bool{}
	for _, k := range refs {
		if _, ok := b.sellers[k.seller]; !ok && !seen[k.seller] {
			seen[k.seller] = true
			need = append(need, k.seller)
		}
	}
	return need
}

func (b *batch) needOrphans(ids []string) []string {
	var need []string
	for _, id := range ids {
		if !b.orphansLoaded[id] {
			b.orphansLoaded[id] = true
			need = append(need, id)
		}
	}
	return need
}

// read makes the reads of q in one call (Tx.Read) and keeps what they
// found; the packages of numbers are the caller's.
func (b *batch) read(ctx context.Context, q Reads) (ReadResults, error) {
	if q.empty() {
		return ReadResults{}, nil
	}
	f, err := b.tx.Read(ctx, q)
	if err != nil {
		return f, err
	}
	for _, id := range q.Sellers {
		s, ok := f.Sellers[id]
		if !ok {
			s = vtr.Seller{ID: id} // judged without its ship-from addresses until it arrives
		}
		b.sellers[id] = &s
	}
	if q.Wants != "" {
		b.wanted, b.wantsRead = f.Wanted, true
	}
	for _, n := range q.Summaries {
		sum := f.Summaries[n] // none stored: starts empty
		b.summaries[n] = &sum
	}
	for id, ss := range f.OrderSellers {
		b.orderSellers[id] = ss
	}
	for _, st := range f.Orders {
		b.orders[orderKey{st.Order.SellerID, st.Order.ID}] = &orderEntry{st: st}
	}
	for _, r := range q.Orders {
		if b.orders[orderKey{r.Seller, r.Order}] == nil {
			b.histLoaded[orderKey{r.Seller, r.Order}] = true // no order, no confirmation stored
		}
	}
	for i := range f.Packages {
		p := &f.Packages[i]
		b.pkgs[p.Key] = p
		b.storedNum[p.Key] = p.Tracking
		ok := orderKey{p.Key.Seller, p.Key.Order}
		b.orderPkgs[ok] = append(b.orderPkgs[ok], p.Key.Package)
	}
	for _, r := range f.History {
		k := PackageKey{r.Shipment.SellerID, r.Shipment.OrderID, r.Shipment.PackageID}
		b.hist[k] = append(b.hist[k], r)
	}
	for _, o := range f.Orphans {
		g := b.orphanGroup(o.SellerID, o.OrderID)
		g.rows = append(g.rows, o)
		g.stored++
	}
	return f, nil
}

func (b *batch) orphanGroup(seller, order string) *orphanGroup {
	k := orderKey{seller, order}
	g := b.orphans[k]
	if g == nil {
		g = &orphanGroup{}
		b.orphans[k] = g
	}
	return g
}

// applyAll applies the batch's records; one the rules refuse (a
// *vtr.Error) is rejected with its line.
func (b *batch) applyAll(ctx context.Context, recs []vtr.Record, reject func(error)) error {
	for i := range recs {
		if err := ctx.Err(); err != nil {
			return err
		}
		b.st.Records++
		if err := b.apply(ctx, &recs[i]); err != nil {
			var ve *vtr.Error
			if !errors.As(err, &ve) {
				return err
			}
			b.st.Rejected++
			reject(&vtr.LineError{Line: recs[i].Line, Msg: ve.Message})
		}
	}
	return nil
}

// apply applies one record. Records are copied, never changed: the
// caller may share them. Times are kept to the second, as stored, so what
// a batch judges from memory equals what a later one reads back.
func (b *batch) apply(ctx context.Context, rec *vtr.Record) error {
	switch {
	case rec.Seller != nil:
		b.st.Sellers++
		return b.putSeller(ctx, rec.Seller)
	case rec.Order != nil:
		b.st.Orders++
		o := *rec.Order
		o.PurchasedAt, o.ShipBy, o.DeliverBy = second(o.PurchasedAt), second(o.ShipBy), second(o.DeliverBy)
		return b.putOrder(ctx, &o)
	case rec.Shipment != nil:
		b.st.Shipments++
		s := *rec.Shipment
		s.ShippedAt, s.UploadedAt = second(s.ShippedAt), second(s.UploadedAt)
		return b.putShipment(ctx, &s)
	case rec.Cancellation != nil:
		b.st.Cancellations++
		c := *rec.Cancellation
		c.CancelledAt = second(c.CancelledAt)
		return b.putCancellation(ctx, &c)
	case rec.Event != nil:
		e := *rec.Event
		e.OccurredAt = second(e.OccurredAt)
		return b.putEvent(ctx, &e)
	}
	return nil
}

// second is t in UTC to the second (the zero time stays zero).
func second(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return time.Unix(t.Unix(), 0).UTC()
}

func (b *batch) putSeller(ctx context.Context, s *vtr.Seller) error {
	for _, p := range s.Policies {
		if _, err := b.s.policies.Get(p); err != nil {
			return vtr.Errorf(vtr.EINVALID, "policies: %s", vtr.ErrorMessage(err))
		}
	}
	if err := b.tx.PutSeller(ctx, s); err != nil {
		return fmt.Errorf("put seller: %w", err)
	}
	b.sellers[s.ID] = s
	// The ship-from addresses may have changed: re-judge the seller's packages.
	keys, err := b.tx.SellerPackages(ctx, s.ID)
	if err != nil {
		return err
	}
	for _, k := range keys {
		b.dirtyPkgs[k] = true
	}
	for k := range b.pkgs { // new packages are not written yet
		if k.Seller == s.ID {
			b.dirtyPkgs[k] = true
		}
	}
	return nil
}

// seller returns a seller; one not known yet is judged without its
// ship-from addresses until it arrives.
func (b *batch) seller(ctx context.Context, id string) (*vtr.Seller, error) {
	if s, ok := b.sellers[id]; ok {
		return s, nil
	}
	if _, err := b.read(ctx, Reads{Sellers: []string{id}}); err != nil {
		return nil, err
	}
	return b.sellers[id], nil
}

// order returns an order, nil when there is none.
func (b *batch) order(ctx context.Context, seller, id string) (*orderEntry, error) {
	k := orderKey{seller, id}
	if e, ok := b.orders[k]; ok {
		return e, nil
	}
	if err := b.loadOrders(ctx, []orderKey{k}); err != nil {
		return nil, err
	}
	return b.orders[k], nil
}

// touch records an order's aggregate contribution before the batch
// changes it, once, so finish can apply the difference.
func (b *batch) touch(e *orderEntry, existed bool) {
	if e.touched {
		return
	}
	e.touched = true
	if existed {
		e.before = engine.OrderCounts(orderFacts(&e.st))
	}
}

func orderFacts(st *OrderState) *engine.OrderFacts {
	return &engine.OrderFacts{Order: st.Order, FirstShippedAt: st.FirstShippedAt, Cancellation: st.Cancellation}
}

// resolveSeller finds the seller of a record that refers to an order:
// the one it names, else the only seller with that order ID ("" when no
// seller has it yet). Two sellers with the order ID make it ambiguous.
func (b *batch) resolveSeller(ctx context.Context, sellerID, orderID string) (string, error) {
	if sellerID != "" {
		return sellerID, nil
	}
	if err := b.loadOrderSellers(ctx, []string{orderID}); err != nil {
		return "", err
	}
	sellers := b.orderSellers[orderID]
	switch len(sellers) {
	case 0:
		return "", nil
	case 1:
		return sellers[0], nil
	}
	return "", vtr.Errorf(vtr.EINVALID, "seller_id: order %s exists for %d sellers; name the seller", orderID, len(sellers))
}

func (b *batch) putOrder(ctx context.Context, o *vtr.Order) error {
	if _, err := b.s.policies.Get(o.Policy); err != nil {
		return vtr.Errorf(vtr.EINVALID, "policy: %s", vtr.ErrorMessage(err))
	}
	e, err := b.order(ctx, o.SellerID, o.ID)
	if err != nil {
		return err
	}
	existed := e != nil
	if !existed {
		e = &orderEntry{}
		b.orders[orderKey{o.SellerID, o.ID}] = e
		if err := b.loadOrderSellers(ctx, []string{o.ID}); err != nil {
			return err
		}
		ss := b.orderSellers[o.ID]
		i, _ := slices.BinarySearch(ss, o.SellerID)
		b.orderSellers[o.ID] = slices.Insert(ss, i, o.SellerID)
	}
	b.touch(e, existed)
	category := o.Category
	if existed && (vtr.KnownCategory(e.st.Order.Category) || !vtr.KnownCategory(category)) {
		// The category at order time never changes; an order stored
		// without one (Uncategorized) takes the first a later copy
		// gives, which fills in a missing fact rather than editing one
		// (an order is sent again once its items name its category).
		category = e.st.Order.Category
	}
	e.st.Order = *o
	e.st.Order.Category = category
	e.dirty = true
	if !existed {
		// A new order has no packages yet: records that waited for it
		// are applied now.
		return b.adopt(ctx, o.SellerID, o.ID)
	}
	return b.markOrder(ctx, o.SellerID, o.ID)
}

// markOrder marks an order's packages for re-judgement, and the other
// packages sharing their numbers (destination, purchase time and
// cancellation change which order of a shared label is the reuse).
func (b *batch) markOrder(ctx context.Context, seller, order string) error {
	if _, err := b.order(ctx, seller, order); err != nil {
		return err // loads its packages
	}
	for _, id := range b.orderPkgs[orderKey{seller, order}] {
		k := PackageKey{seller, order, id}
		b.dirtyPkgs[k] = true
		b.markNumber(b.pkgs[k].Tracking)
	}
	return nil
}

// markNumber marks every package carrying a number for re-judgement (at
// finish, once per number per batch).
func (b *batch) markNumber(num string) {
	if num != "" {
		b.dirtyNums[num] = true
	}
}

func (b *batch) park(ctx context.Context, sellerID, orderID, kind string, v any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if err := b.loadOrphans(ctx, []string{orderID}); err != nil {
		return err
	}
	g := b.orphanGroup(sellerID, orderID)
	var seq int64
	if n := len(g.rows); n > 0 {
		seq = g.rows[n-1].Seq
	}
	g.rows = append(g.rows, Orphan{SellerID: sellerID, OrderID: orderID, Seq: seq + 1, Kind: kind, Body: body})
	return nil
}

// takeOrphans removes and returns, oldest first, the records parked for
// an order of this seller, then those for its order ID with no seller
// named.
func (b *batch) takeOrphans(ctx context.Context, seller, order string) ([]Orphan, error) {
	if err := b.loadOrphans(ctx, []string{order}); err != nil {
		return nil, err
	}
	var out []Orphan
	for _, s := range []string{seller, ""} {
		g := b.orphans[orderKey{s, order}]
		if g == nil || len(g.rows) == 0 {
			continue
		}
		out = append(out, g.rows...)
		if g.stored > 0 {
			g.deleteDB = true
		}
		g.rows, g.stored = nil, 0
	}
	return out, nil
}

func (b *batch) adopt(ctx context.Context, seller, order string) error {
	list, err := b.takeOrphans(ctx, seller, order)
	if err != nil {
		return err
	}
	for _, o := range list {
		switch o.Kind {
		case "shipment":
			var s vtr.Shipment
			if err := json.Unmarshal(o.Body, &s); err != nil {
				return fmt.Errorf("orphan shipment of %s: %w", order, err)
			}
			s.SellerID = seller
			if err := b.putShipment(ctx, &s); err != nil {
				return err
			}
		case "cancellation":
			var c vtr.Cancellation
			if err := json.Unmarshal(o.Body, &c); err != nil {
				return fmt.Errorf("orphan cancellation of %s: %w", order, err)
			}
			c.SellerID = seller
			if err := b.putCancellation(ctx, &c); err != nil {
				return err
			}
		default:
			return fmt.Errorf("orphan of %s: unknown kind %q", order, o.Kind)
		}
	}
	return nil
}

// NormTracking is the normalised form of a tracking number under which
// its events are stored ("" when it cannot be read).
func NormTracking(s string) string {
	b, reason, _ := tracking.Normalize(nil, s)
	if reason != "" {
		return ""
	}
	return string(b)
}

func (b *batch) putShipment(ctx context.Context, sh *vtr.Shipment) error {
	seller, err := b.resolveSeller(ctx, sh.SellerID, sh.OrderID)
	if err != nil {
		return err
	}
	var e *orderEntry
	if seller != "" {
		if e, err = b.order(ctx, seller, sh.OrderID); err != nil {
			return err
		}
	}
	if e == nil {
		return b.park(ctx, seller, sh.OrderID, "shipment", sh)
	}
	if err := b.loadHistories(ctx, []orderKey{{seller, sh.OrderID}}); err != nil {
		return err
	}
	s := *sh
	s.SellerID = seller
	k := PackageKey{seller, s.OrderID, s.PackageID}
	hist := b.hist[k]
	var seq int64
	for _, h := range hist {
		if h.Shipment == s {
			return nil // the same confirmation delivered again
		}
		seq = max(seq, h.Seq)
	}
	row := ShipmentRow{Seq: seq + 1, Shipment: s}
	hist = append(hist, row)
	b.hist[k] = hist
	b.newShipments = append(b.newShipments, row)
	old, existed := b.pkgs[k]
	p := Derive(k, hist)
	if existed {
		p.Counted = old.Counted
		b.markNumber(old.Tracking)
	} else {
		ok := orderKey{seller, s.OrderID}
		b.orderPkgs[ok] = append(b.orderPkgs[ok], s.PackageID)
	}
	b.pkgs[k] = &p
	b.pkgDirty[k] = true
	b.markNumber(p.Tracking)
	b.dirtyPkgs[k] = true
	// The first ship date feeds the Late Shipment Rate.
	if e.st.FirstShippedAt.IsZero() || s.ShippedAt.Before(e.st.FirstShippedAt) {
		b.touch(e, true)
		e.st.FirstShippedAt = s.ShippedAt
		e.dirty = true
	}
	return nil
}

// sameContent reports whether two confirmations say the same thing,
// whenever they were uploaded.
func sameContent(a, b vtr.Shipment) bool {
	a.UploadedAt, b.UploadedAt = time.Time{}, time.Time{}
	return a == b
}

// Derive computes a package's state from its confirmations. In upload
// order (then arrival), a confirmation saying the same as the one before
// it is that one sent again, not an edit: a flat file imported twice
// changes nothing. The current confirmation is the start of the last
// run; Edits counts the changes; FirstUploadedAt is the earliest upload.
// It is a function of the set of confirmations, not of their arrival.
func Derive(k PackageKey, hist []ShipmentRow) Package {
	rows := slices.Clone(hist)
	sort.Slice(rows, func(i, j int) bool {
		a, c := rows[i], rows[j]
		return a.Shipment.UploadedAt.Before(c.Shipment.UploadedAt) || a.Shipment.UploadedAt.Equal(c.Shipment.UploadedAt) && a.Seq < c.Seq
	})
	p := Package{Key: k}
	for i, r := range rows {
		if i > 0 && sameContent(r.Shipment, rows[i-1].Shipment) {
			continue
		}
		if i > 0 {
			p.Edits++
		}
		p.CurSeq, p.Current = r.Seq, r.Shipment
	}
	if len(rows) > 0 {
		p.FirstUploadedAt = rows[0].Shipment.UploadedAt
	}
	p.Tracking = NormTracking(p.Current.TrackingNumber)
	return p
}

func (b *batch) putCancellation(ctx context.Context, c *vtr.Cancellation) error {
	seller, err := b.resolveSeller(ctx, c.SellerID, c.OrderID)
	if err != nil {
		return err
	}
	var e *orderEntry
	if seller != "" {
		if e, err = b.order(ctx, seller, c.OrderID); err != nil {
			return err
		}
	}
	if e == nil {
		return b.park(ctx, seller, c.OrderID, "cancellation", c)
	}
	// The earliest cancellation wins, whatever order they arrive in.
	if e.st.Cancellation != nil && !c.CancelledAt.Before(e.st.Cancellation.CancelledAt) {
		return nil
	}
	b.touch(e, true)
	cc := *c
	cc.SellerID = seller
	e.st.Cancellation = &cc
	e.dirty = true
	return b.markOrder(ctx, seller, c.OrderID)
}

// eventChunk is how many events are stored at once (one round trip on
// PostgreSQL; SQLite splits it into multi-row INSERTs). They are folded
// into the batch's summary deltas once stored, so the events wait in
// memory until this many are held (a few MB): a 5-day full-density
// import on PostgreSQL took 131.9 and 136.6 s with 5,000, 139.7 and
// 145.6 s with 1,000, interleaved (the client's CPU 99–107 s against
// 112–120 s).
const eventChunk = 5000

func (b *batch) putEvent(ctx context.Context, e *vtr.Event) error {
	b.events = append(b.events, e)
	if len(b.events) >= eventChunk {
		return b.flushEvents(ctx)
	}
	return nil
}

// flushEvents sends the buffered events to be stored, and folds the
// events the previous call stored into the batch's summary deltas while
// the engine works: an engine that sends the work and returns
// (AddEvents) stores one chunk while the batch folds the one before and
// applies the records after it. settleEvents takes the last chunk's.
func (b *batch) flushEvents(ctx context.Context) error {
	stored, err := b.takeEvents()
	if err != nil {
		return err
	}
	if len(b.events) > 0 {
		b.sent, b.sentEvents = b.tx.AddEvents(ctx, b.events), len(b.events)
		b.events = make([]*vtr.Event, 0, eventChunk) // the engine may hold the sent slice until done
	}
	b.fold(stored)
	return nil
}

// settleEvents stores the buffered events, waits for them, and merges
// the batch's summary deltas.
func (b *batch) settleEvents(ctx context.Context) error {
	if err := b.flushEvents(ctx); err != nil {
		return err
	}
	stored, err := b.takeEvents()
	if err != nil {
		return err
	}
	b.fold(stored)
	return b.mergeSummaries(ctx)
}

// takeEvents waits for the events sent last, if any, and counts them;
// it returns those stored.
func (b *batch) takeEvents() ([]*vtr.Event, error) {
	if b.sent == nil {
		return nil, nil
	}
	stored, err := b.sent()
	b.sent = nil
	if err != nil {
		return nil, fmt.Errorf("put events: %w", err)
	}
	b.st.DuplicateEvents += b.sentEvents - len(stored)
	b.st.Events += len(stored)
	return stored, nil
}

// fold adds stored events to their numbers' summary deltas and counts
// the unclassified.
func (b *batch) fold(stored []*vtr.Event) {
	for _, e := range stored {
		sum := b.deltas[e.TrackingNumber]
		if sum == nil {
			sum = &vtr.ScanSummary{}
			b.deltas[e.TrackingNumber] = sum
		}
		sum.Add(e)
		if e.Class == vtr.EventUnknown {
			b.st.UnknownEvents++
			uk := [3]string{e.Source, e.Carrier, e.Code}
			u := b.unknown[uk]
			if u == nil {
				u = &vtr.UnknownCode{Source: e.Source, Carrier: e.Carrier, Code: e.Code, Example: e.Description}
				b.unknown[uk] = u
			}
			u.Count++
		}
	}
}

// mergeSummaries merges the batch's summary deltas into the stored
// summaries, in the numbers' order, and keeps the merged ones for
// judging, marking the numbers whose packages they may judge otherwise.
// No summary is read to fold events into: storage merges them
// (vtr.ScanSummary.Merge), each number's once a batch.
func (b *batch) mergeSummaries(ctx context.Context) error {
	if len(b.deltas) == 0 {
		return nil
	}
	list := make([]NumberSummary, 0, len(b.deltas))
	for num, d := range b.deltas {
		list = append(list, NumberSummary{Num: num, Summary: d})
	}
	slices.SortFunc(list, func(a, c NumberSummary) int { return strings.Compare(a.Num, c.Num) })
	merged, err := b.tx.MergeSummaries(ctx, list)
	if err != nil {
		return fmt.Errorf("merge scan summaries: %w", err)
	}
	for _, d := range list {
		m, ok := merged[d.Num]
		if !ok {
			return fmt.Errorf("merge scan summaries: the summary of %q was not merged", d.Num)
		}
		b.summaries[d.Num] = &m
		if m.JudgedChangedBy(d.Summary, b.s.maxScans) {
			b.markNumber(d.Num)
		}
	}
	clear(b.deltas)
	return nil
}

// loadSummaries reads the stored summaries of numbers not in the batch
// yet; numbers without one start empty.
func (b *batch) loadSummaries(ctx context.Context, nums []string) error {
	_, err := b.read(ctx, Reads{Summaries: nums})
	return err
}

func (b *batch) summary(ctx context.Context, num string) (*vtr.ScanSummary, error) {
	if sum, ok := b.summaries[num]; ok {
		return sum, nil
	}
	if b.verify {
		b.summaries[num] = &vtr.ScanSummary{}
	} else if err := b.loadSummaries(ctx, []string{num}); err != nil {
		return nil, err
	}
	return b.summaries[num], nil
}

// verdictChunk is how many verdicts finish writes at a time, while it
// judges the packages after them.
const verdictChunk = 16384

// finish writes what the batch changed, re-judges every touched package
// and applies the aggregate differences.
func (b *batch) finish(ctx context.Context) error {
	if err := b.settleEvents(ctx); err != nil {
		return err
	}
	if err := b.flushWrites(ctx); err != nil {
		return err
	}
	// The packages whose number's scans or sharers changed.
	nums := make([]string, 0, len(b.dirtyNums))
	for num := range b.dirtyNums {
		nums = append(nums, num)
	}
	sort.Strings(nums)
	// The scan summaries of those numbers are read with them: judging
	// their packages needs them.
	var unread []string
	if !b.verify {
		for _, num := range nums {
			if _, ok := b.summaries[num]; !ok {
				unread = append(unread, num)
			}
		}
	}
	f, err := b.read(ctx, Reads{Numbers: nums, Summaries: unread})
	if err != nil {
		return err
	}
	byNum := b.withPending(f.Numbers, nums)
	for _, num := range nums {
		for _, k := range byNum[num] {
			b.dirtyPkgs[k] = true
		}
		b.sharers[num] = len(byNum[num])
	}
	keys := make([]PackageKey, 0, len(b.dirtyPkgs))
	for k := range b.dirtyPkgs {
		keys = append(keys, k)
	}
	sortKeys(keys) // a deterministic write order
	if err := b.loadFacts(ctx, keys); err != nil {
		return err
	}
	// The verdicts are written while the packages are judged, after the
	// last read: an engine that runs its writes without waiting (Tx.Exec)
	// stores them meanwhile. Judging reads the summaries from the batch.
	// A package whose state changed is written whole, verdict and all;
	// of the others only the changed verdicts are.
	agg := map[DailyKey]*Tally{}
	reasons := map[ReasonKey]int{}
	var changed, defects []Verdict
	var whole []*Package
	write := func() error {
		if err := b.tx.PutPackages(ctx, whole); err != nil {
			return fmt.Errorf("put packages: %w", err)
		}
		if err := b.tx.PutVerdicts(ctx, changed); err != nil {
			return fmt.Errorf("put verdicts: %w", err)
		}
		whole, changed = whole[:0], changed[:0]
		return nil
	}
	for _, k := range keys {
		v, ok, err := b.rejudge(ctx, k, agg)
		if err != nil {
			return err
		}
		b.st.Packages++
		if ok {
			reasonChange(reasons, &v)
			if newDefect(v) {
				defects = append(defects, v)
			}
		}
		switch {
		case b.pkgDirty[k]:
			whole = append(whole, b.pkgs[k])
			delete(b.pkgDirty, k)
		case ok:
			changed = append(changed, v)
		}
		if len(whole)+len(changed) >= verdictChunk {
			if err := write(); err != nil {
				return err
			}
		}
	}
	if err := b.writePackages(ctx, func(PackageKey) bool { return true }); err != nil {
		return err // changed and never judged: none expected, kept safe
	}
	if err := write(); err != nil {
		return err
	}
	if err := b.announceDefects(ctx, defects); err != nil {
		return fmt.Errorf("announce defects: %w", err)
	}
	deltas := make([]DailyDelta, 0, len(agg))
	for k, v := range agg {
		if *v != (Tally{}) {
			deltas = append(deltas, DailyDelta{Key: k, Tally: *v})
		}
	}
	sort.Slice(deltas, func(i, j int) bool { return dailyLess(deltas[i].Key, deltas[j].Key) })
	if err := b.tx.AddDaily(ctx, deltas); err != nil {
		return fmt.Errorf("aggregate: %w", err)
	}
	if err := b.tx.AddReasonDaily(ctx, reasonDeltas(reasons)); err != nil {
		return fmt.Errorf("reason aggregate: %w", err)
	}
	if err := b.tx.AddOrderDaily(ctx, b.orderDeltas()); err != nil {
		return fmt.Errorf("order aggregate: %w", err)
	}
	unknown := make([]vtr.UnknownCode, 0, len(b.unknown))
	for _, u := range b.unknown {
		unknown = append(unknown, *u)
	}
	sort.Slice(unknown, func(i, j int) bool {
		a, c := unknown[i], unknown[j]
		return a.Source+"\x00"+a.Carrier+"\x00"+a.Code < c.Source+"\x00"+c.Carrier+"\x00"+c.Code
	})
	return b.tx.AddUnknown(ctx, unknown)
}

func sortKeys(keys []PackageKey) {
	slices.SortFunc(keys, func(a, c PackageKey) int {
		return cmp.Or(strings.Compare(a.Seller, c.Seller), strings.Compare(a.Order, c.Order), strings.Compare(a.Package, c.Package))
	})
}

func dailyLess(a, c DailyKey) bool {
	return fmt.Sprint(a) < fmt.Sprint(c)
}

func (b *batch) orderDeltas() []OrderDelta {
	delta := map[OrderKey][2]int{}
	for _, e := range b.orders {
		if e == nil || !e.touched {
			continue
		}
		o := &e.st.Order
		for _, c := range e.before {
			k := OrderKey{o.SellerID, o.Policy, c.Kind, DayNum(c.Day)}
			d := delta[k]
			delta[k] = [2]int{d[0] - c.Total, d[1] - c.Hits}
		}
		for _, c := range engine.OrderCounts(orderFacts(&e.st)) {
			k := OrderKey{o.SellerID, o.Policy, c.Kind, DayNum(c.Day)}
			d := delta[k]
			delta[k] = [2]int{d[0] + c.Total, d[1] + c.Hits}
		}
	}
	out := make([]OrderDelta, 0, len(delta))
	for k, d := range delta {
		if d != [2]int{} {
			out = append(out, OrderDelta{Key: k, Total: d[0], Hits: d[1]})
		}
	}
	sort.Slice(out, func(i, j int) bool { return fmt.Sprint(out[i].Key) < fmt.Sprint(out[j].Key) })
	return out
}

func (t *Tally) add(outcome vtr.VerdictStatus, delivered, onTime bool, sign int) {
	switch outcome {
	case vtr.VerdictValid:
		t.Valid += sign
		if delivered {
			t.Delivered += sign
			if onTime {
				t.OnTime += sign
			}
		}
	case vtr.VerdictInvalid:
		t.Invalid += sign
	case vtr.VerdictExempt:
		t.Exempt += sign
	}
}

func addTally(agg map[DailyKey]*Tally, k DailyKey, outcome vtr.VerdictStatus, delivered, onTime bool, sign int) {
	t := agg[k]
	if t == nil {
		t = &Tally{}
		agg[k] = t
	}
	t.add(outcome, delivered, onTime, sign)
}

// flushWrites writes the orders, confirmations and parked records the
// batch changed, in a few multi-row statements (packages wait to be
// judged: writePackages).
func (b *batch) flushWrites(ctx context.Context) error {
	var orders []*OrderState
	for _, e := range b.orders {
		if e != nil && e.dirty {
			orders = append(orders, &e.st)
			e.dirty = false
		}
	}
	slices.SortFunc(orders, func(a, c *OrderState) int {
		return cmp.Or(strings.Compare(a.Order.SellerID, c.Order.SellerID), strings.Compare(a.Order.ID, c.Order.ID))
	})
	if err := b.tx.PutOrders(ctx, orders); err != nil {
		return fmt.Errorf("put orders: %w", err)
	}
	if err := b.tx.AddShipments(ctx, b.newShipments); err != nil {
		return fmt.Errorf("put shipments: %w", err)
	}
	b.newShipments = nil
	var gone []OrderRef
	var parked []Orphan
	for k, g := range b.orphans {
		if g.deleteDB {
			gone = append(gone, OrderRef{k.seller, k.order})
			g.deleteDB = false
		}
		parked = append(parked, g.rows[g.stored:]...)
		g.stored = len(g.rows)
	}
	sort.Slice(gone, func(i, j int) bool {
		return gone[i].Seller < gone[j].Seller || gone[i].Seller == gone[j].Seller && gone[i].Order < gone[j].Order
	})
	sort.Slice(parked, func(i, j int) bool {
		a, c := &parked[i], &parked[j]
		return a.SellerID < c.SellerID || a.SellerID == c.SellerID && (a.OrderID < c.OrderID || a.OrderID == c.OrderID && a.Seq < c.Seq)
	})
	if err := b.tx.DeleteOrphans(ctx, gone); err != nil {
		return fmt.Errorf("take orphans: %w", err)
	}
	if err := b.tx.AddOrphans(ctx, parked); err != nil {
		return fmt.Errorf("park: %w", err)
	}
	return nil
}

// loadFacts reads in bulk what judging these packages needs and the
// batch does not hold: their orders (with packages), the summaries of
// their numbers, and the orders of numbers on more than one package.
// Called once the batch's writes are flushed.
func (b *batch) loadFacts(ctx context.Context, keys []PackageKey) error {
	var refs []orderKey
	for _, k := range keys {
		if _, ok := b.orders[orderKey{k.Seller, k.Order}]; !ok {
			refs = append(refs, orderKey{k.Seller, k.Order})
		}
	}
	if err := b.loadOrders(ctx, refs); err != nil {
		return err
	}
	if b.verify { // Verify derives every package from its history
		var all []orderKey
		for _, k := range keys {
			all = append(all, orderKey{k.Seller, k.Order})
		}
		if err := b.loadHistories(ctx, all); err != nil {
			return err
		}
	}
	var sums, shared []string
	seen := map[string]bool{}
	for _, k := range keys {
		p := b.pkgs[k]
		if p == nil || p.Tracking == "" || seen[p.Tracking] {
			continue
		}
		seen[p.Tracking] = true
		if _, ok := b.summaries[p.Tracking]; !ok && !b.verify {
			sums = append(sums, p.Tracking)
		}
		if _, ok := b.numOrders[p.Tracking]; !ok {
			if n, ok := b.sharers[p.Tracking]; !ok || n > 1 {
				shared = append(shared, p.Tracking)
			}
		}
	}
	if err := b.loadSummaries(ctx, sums); err != nil {
		return err
	}
	return b.loadNumberOrders(ctx, shared)
}

// loadNumberOrders reads NumberOrders for numbers not loaded yet. It
// reads what storage holds, so the packages not written yet that carry
// one of those numbers, or were stored with one, are written first.
func (b *batch) loadNumberOrders(ctx context.Context, nums []string) error {
	var need []string
	needed := map[string]bool{}
	for _, n := range nums {
		if _, ok := b.numOrders[n]; !ok && !needed[n] {
			need = append(need, n)
			needed[n] = true
		}
	}
	if len(need) == 0 {
		return nil
	}
	if err := b.writePackages(ctx, func(k PackageKey) bool {
		return needed[b.pkgs[k].Tracking] || needed[b.storedNum[k]]
	}); err != nil {
		return err
	}
	got, err := b.tx.NumberOrders(ctx, need)
	if err != nil {
		return err
	}
	for _, n := range need {
		b.numOrders[n] = got[n]
	}
	return nil
}

// withPending corrects the lists of packages storage gave under the
// numbers nums for those whose state the batch changed and has not
// written: each is listed under the number it carries now, not the one
// it is stored with.
func (b *batch) withPending(byNum map[string][]PackageKey, nums []string) map[string][]PackageKey {
	if len(b.pkgDirty) == 0 {
		return byNum
	}
	out := make(map[string][]PackageKey, len(nums))
	for _, n := range nums {
		out[n] = nil
	}
	for n, ks := range byNum {
		for _, k := range ks {
			if !b.pkgDirty[k] {
				out[n] = append(out[n], k)
			}
		}
	}
	for k := range b.pkgDirty {
		n := b.pkgs[k].Tracking
		if _, ok := out[n]; ok && n != "" {
			out[n] = append(out[n], k)
		}
	}
	return out
}

// writePackages writes whole the packages not written yet that pick
// chooses, in key order.
func (b *batch) writePackages(ctx context.Context, pick func(PackageKey) bool) error {
	var keys []PackageKey
	for k := range b.pkgDirty {
		if pick(k) {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return nil
	}
	sortKeys(keys)
	ps := make([]*Package, len(keys))
	for i, k := range keys {
		ps[i] = b.pkgs[k]
		delete(b.pkgDirty, k)
		b.storedNum[k] = ps[i].Tracking
	}
	if err := b.tx.PutPackages(ctx, ps); err != nil {
		return fmt.Errorf("put packages: %w", err)
	}
	return nil
}

// rejudge judges a package again and records the change of its
// contribution to the aggregates; when its verdict changed, it returns
// the change and true.
func (b *batch) rejudge(ctx context.Context, k PackageKey, agg map[DailyKey]*Tally) (Verdict, bool, error) {
	pkg, f, err := b.facts(ctx, k)
	if err != nil {
		return Verdict{}, false, err
	}
	old := pkg.Counted
	if old.Policy != "" {
		addTally(agg, countedKey(k, &old), vtr.VerdictStatus(old.Outcome), old.Delivered, old.OnTime, -1)
	}
	now, err := b.judge(f)
	if err != nil {
		return Verdict{}, false, err
	}
	addTally(agg, countedKey(k, &now), vtr.VerdictStatus(now.Outcome), now.Delivered, now.OnTime, +1)
	if now == old {
		return Verdict{}, false, nil // nothing changed: no write at all
	}
	pkg.Counted = now
	return Verdict{Key: k, Old: old, Counted: now}, true, nil
}

// addReasons counts, for a package with no valid tracking, each of its
// reasons on its day (n: +1 or -1).
func addReasons(agg map[ReasonKey]int, seller string, c *Counted, n int) {
	if c.Policy == "" || vtr.VerdictStatus(c.Outcome) != vtr.VerdictInvalid {
		return
	}
	for _, r := range splitReasons(c.Reasons) {
		agg[ReasonKey{Seller: seller, Policy: c.Policy, Day: c.Day, Reason: r}] += n
	}
}

// reasonChange adds to agg the move of a changed verdict between the
// defects-by-reason counts.
func reasonChange(agg map[ReasonKey]int, v *Verdict) {
	addReasons(agg, v.Key.Seller, &v.Old, -1)
	addReasons(agg, v.Key.Seller, &v.Counted, +1)
}

// reasonDeltas are the changes agg sums up (reasonChange), in key order.
func reasonDeltas(agg map[ReasonKey]int) []ReasonDelta {
	out := make([]ReasonDelta, 0, len(agg))
	for k, n := range agg {
		if n != 0 {
			out = append(out, ReasonDelta{Key: k, Invalid: n})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i].Key, out[j].Key
		if a.Seller != b.Seller {
			return a.Seller < b.Seller
		}
		if a.Policy != b.Policy {
			return a.Policy < b.Policy
		}
		if a.Day != b.Day {
			return a.Day < b.Day
		}
		return a.Reason < b.Reason
	})
	return out
}

func countedKey(k PackageKey, c *Counted) DailyKey {
	return DailyKey{Seller: k.Seller, Policy: c.Policy, Day: c.Day, Category: c.Category, Carrier: c.Carrier, ShipFrom: c.ShipFrom}
}

// judge returns what a package counts as under its order's policy.
func (b *batch) judge(f *vtr.PackageFacts) (Counted, error) {
	p, err := b.s.policies.Get(f.Order.Policy)
	if err != nil {
		return Counted{}, err
	}
	v := engine.Judge(p, f, time.Time{})
	return Counted{Policy: p.ID, Outcome: string(v.Outcome), Category: f.Order.Category, Carrier: engine.AggregateCarrier(&v, &f.Shipment),
		ShipFrom: f.Shipment.ShipFromID, Day: DayNum(v.IncludedOn), Delivered: v.Delivered, OnTime: v.OnTime,
		Reasons: joinReasons(v.Reasons), Warnings: joinReasons(v.Warnings), Detected: v.Detected, Explanation: v.Explanation}, nil
}

func joinReasons(rs []vtr.Reason) string {
	s := make([]string, len(rs))
	for i, r := range rs {
		s[i] = string(r)
	}
	return strings.Join(s, ",")
}

func splitReasons(s string) []vtr.Reason {
	if s == "" {
		return nil
	}
	parts := strings.Split(s, ",")
	out := make([]vtr.Reason, len(parts))
	for i, p := range parts {
		out[i] = vtr.Reason(p)
	}
	return out
}

// facts loads everything a package's verdict depends on.
func (b *batch) facts(ctx context.Context, k PackageKey) (*Package, *vtr.PackageFacts, error) {
	e, err := b.order(ctx, k.Seller, k.Order) // loads its packages
	if err != nil {
		return nil, nil, err
	}
	pkg := b.pkgs[k]
	if pkg == nil {
		return nil, nil, fmt.Errorf("package %s/%s/%s not found", k.Seller, k.Order, k.Package)
	}
	if e == nil {
		return nil, nil, fmt.Errorf("package %s/%s/%s: order missing", k.Seller, k.Order, k.Package)
	}
	f := &vtr.PackageFacts{Order: e.st.Order, Cancellation: e.st.Cancellation, Shipment: pkg.Current,
		FirstUploadedAt: pkg.FirstUploadedAt, Edits: pkg.Edits}
	s, err := b.seller(ctx, k.Seller)
	if err != nil {
		return nil, nil, err
	}
	f.Seller = *s
	if pkg.Tracking != "" {
		sum, err := b.summary(ctx, pkg.Tracking)
		if err != nil {
			return nil, nil, err
		}
		f.Scans = *sum
		if n, ok := b.sharers[pkg.Tracking]; !ok || n > 1 {
			if err := b.reuse(ctx, pkg.Tracking, k, f); err != nil {
				return nil, nil, err
			}
		}
	}
	return pkg, f, nil
}

// reuse finds the order that owns a number this package shares with an
// order to another address: the label belongs to the package shipped
// with it first (earliest ship time, then seller and order ID), so a
// later package carrying it is a recycled label. Orders to the same
// address may share a number (combined shipments). Another seller's
// order is never named (tenancy).
func (b *batch) reuse(ctx context.Context, num string, k PackageKey, f *vtr.PackageFacts) error {
	if err := b.loadNumberOrders(ctx, []string{num}); err != nil {
		return err
	}
	orders := b.numOrders[num]
	mine := f.Shipment.ShippedAt
	var best *NumberOrder
	for i := range orders {
		o := &orders[i]
		if o.Seller == k.Seller && o.Order == k.Order || sameAddress(o.ShipTo, f.Order.ShipTo) {
			continue
		}
		if !before(o, mine, k) {
			continue
		}
		if best == nil || before(o, best.ShippedAt, PackageKey{Seller: best.Seller, Order: best.Order}) {
			best = o
		}
	}
	f.ReusedFrom, f.ReusedElsewhere = "", false
	switch {
	case best == nil:
	case best.Seller == k.Seller:
		f.ReusedFrom = best.Order
	default:
		f.ReusedElsewhere = true
	}
	return nil
}

// before orders shipments of a label: by ship time, then seller, then order.
func before(o *NumberOrder, at time.Time, k PackageKey) bool {
	switch {
	case !o.ShippedAt.Equal(at):
		return o.ShippedAt.Before(at)
	case o.Seller != k.Seller:
		return o.Seller < k.Seller
	}
	return o.Order < k.Order
}

func sameAddress(a, b vtr.Location) bool {
	return strings.EqualFold(a.Country, b.Country) && strings.EqualFold(strings.TrimSpace(a.PostalCode), strings.TrimSpace(b.PostalCode)) &&
		strings.EqualFold(strings.TrimSpace(a.City), strings.TrimSpace(b.City))
}
