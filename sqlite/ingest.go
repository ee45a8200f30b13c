package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/engine"
	"github.com/vtr-project/vtr/native"
	"github.com/vtr-project/vtr/tracking"
)

// BatchSize is how many records one import transaction holds: large enough
// to amortise the commit's fsync, small enough to keep memory flat.
const BatchSize = 200000

// ImportStats counts what an import did.
type ImportStats = vtr.ImportStats

// Import applies records from next until io.EOF (returned by next as
// end of input), BatchSize records per transaction. A record that cannot
// be applied (a bad line, an unknown policy) is passed to reject with its
// line number and skipped; records already applied are kept. now stamps
// shipments without an upload time and is the clock for nothing else.
func (s *Store) Import(ctx context.Context, next func() (native.Record, error), reject func(error)) (ImportStats, error) {
	var st ImportStats
	for {
		b, err := s.begin(ctx)
		if err != nil {
			return st, err
		}
		n, done, err := 0, false, error(nil)
		for n < BatchSize {
			var rec native.Record
			rec, err = next()
			if err != nil {
				var le *native.LineError
				if errors.As(err, &le) {
					st.Rejected++
					reject(err)
					err = nil
					continue
				}
				if errors.Is(err, errEOF) {
					done, err = true, nil
				}
				break
			}
			n++
			st.Records++
			if aerr := b.apply(ctx, &rec, &st); aerr != nil {
				var ve *vtr.Error
				if errors.As(aerr, &ve) {
					st.Rejected++
					reject(&native.LineError{Line: rec.Line, Msg: ve.Message})
					continue
				}
				err = aerr
				break
			}
		}
		if err == nil {
			err = b.finish(ctx, &st)
		}
		if err != nil {
			b.tx.Rollback()
			s.dropCaches()
			return st, err
		}
		if err := b.tx.Commit(); err != nil {
			s.dropCaches()
			return st, fmt.Errorf("commit: %w", err)
		}
		if done {
			return st, nil
		}
		if err := ctx.Err(); err != nil {
			return st, err
		}
	}
}

// errEOF is what Import's next returns at the end of input.
var errEOF = io.EOF

// batch is one import transaction with its caches. Work that depends on
// the whole batch (verdicts, aggregates) is done once per touched package
// in finish.
type batch struct {
	s         *Store
	tx        *sql.Tx
	sellers   map[string]*vtr.Seller
	orders    map[string]*orderRow // by order_id
	summaries map[string]*summaryRow
	dirtyPkgs map[pkgKey]bool
	dirtyOrds map[string]bool                // order_id
	ordBefore map[string][]engine.OrderCount // contributions before the batch touched the order
	unknown   map[[3]string]*unknownRow
	stmts     map[string]*sql.Stmt
	// dirtyNums are tracking numbers whose packages must be re-judged;
	// they are resolved to packages once per batch, in finish.
	dirtyNums map[string]bool
	// sharers counts the packages carrying each resolved number, so the
	// reuse query runs only for numbers on more than one package.
	sharers map[string]int
	// events waits to be inserted in multi-row statements.
	events []*vtr.Event
	st     *ImportStats
}

type pkgKey struct{ seller, order, pkg string }

type orderRow struct {
	o              vtr.Order
	cancel         *vtr.Cancellation
	firstShippedAt time.Time
	exists         bool
}

type summaryRow struct {
	s     vtr.ScanSummary
	dirty bool
	isNew bool
}

type unknownRow struct {
	example string
	count   int
}

// maxCached bounds the orders and scan summaries kept between batches.
const maxCached = 2_000_000

// begin starts an import batch. Its order, seller and summary caches are
// the store's, kept from batch to batch: this process is the only writer
// of the file, and a failed batch drops them (see dropCaches).
func (s *Store) begin(ctx context.Context) (*batch, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("begin: %w", err)
	}
	if s.orders == nil || len(s.orders) > maxCached || len(s.summaries) > maxCached {
		s.sellers, s.orders, s.summaries = map[string]*vtr.Seller{}, map[string]*orderRow{}, map[string]*summaryRow{}
	}
	b := newBatch(s, tx)
	b.sellers, b.orders, b.summaries = s.sellers, s.orders, s.summaries
	return b, nil
}

// dropCaches forgets the cached rows, after a batch was rolled back.
func (s *Store) dropCaches() { s.sellers, s.orders, s.summaries = nil, nil, nil }

// newBatch returns a batch with caches of its own (Verify uses it so its
// recomputation never leaks into the import caches).
func newBatch(s *Store, tx *sql.Tx) *batch {
	return &batch{s: s, tx: tx, sellers: map[string]*vtr.Seller{}, orders: map[string]*orderRow{},
		summaries: map[string]*summaryRow{}, dirtyPkgs: map[pkgKey]bool{}, dirtyOrds: map[string]bool{},
		ordBefore: map[string][]engine.OrderCount{}, unknown: map[[3]string]*unknownRow{}, stmts: map[string]*sql.Stmt{},
		dirtyNums: map[string]bool{}, sharers: map[string]int{}, st: &ImportStats{}}
}

// stmt prepares a statement once per batch.
func (b *batch) stmt(ctx context.Context, q string) (*sql.Stmt, error) {
	if st, ok := b.stmts[q]; ok {
		return st, nil
	}
	st, err := b.tx.PrepareContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("prepare %q: %w", strings.Fields(q)[0], err)
	}
	b.stmts[q] = st
	return st, nil
}

func (b *batch) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	st, err := b.stmt(ctx, q)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

func (b *batch) queryRow(ctx context.Context, q string, args ...any) (*sql.Row, error) {
	st, err := b.stmt(ctx, q)
	if err != nil {
		return nil, err
	}
	return st.QueryRowContext(ctx, args...), nil
}

func (b *batch) apply(ctx context.Context, rec *native.Record, st *ImportStats) error {
	switch {
	case rec.Seller != nil:
		st.Sellers++
		return b.putSeller(ctx, rec.Seller)
	case rec.Order != nil:
		st.Orders++
		return b.putOrder(ctx, rec.Order)
	case rec.Shipment != nil:
		st.Shipments++
		return b.putShipment(ctx, rec.Shipment)
	case rec.Cancellation != nil:
		st.Cancellations++
		return b.putCancellation(ctx, rec.Cancellation)
	case rec.Event != nil:
		return b.putEvent(ctx, rec.Event)
	}
	return nil
}

func (b *batch) putSeller(ctx context.Context, s *vtr.Seller) error {
	for _, p := range s.Policies {
		if _, err := b.s.Policies.Get(p); err != nil {
			return vtr.Errorf(vtr.EINVALID, "policies: %s", vtr.ErrorMessage(err))
		}
	}
	pol, _ := json.Marshal(nonNil(s.Policies))
	sf, _ := json.Marshal(nonNilSF(s.ShipFrom))
	if _, err := b.exec(ctx, `INSERT INTO sellers (seller_id, name, policies, ship_from) VALUES (?, ?, ?, ?)
		ON CONFLICT (seller_id) DO UPDATE SET name = excluded.name, policies = excluded.policies, ship_from = excluded.ship_from`,
		s.ID, s.Name, string(pol), string(sf)); err != nil {
		return fmt.Errorf("put seller: %w", err)
	}
	b.sellers[s.ID] = s
	// The ship-from addresses may have changed: re-judge the seller's packages.
	rows, err := b.tx.QueryContext(ctx, `SELECT order_id, package_id FROM packages WHERE seller_id = ?`, s.ID)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		k := pkgKey{seller: s.ID}
		if err := rows.Scan(&k.order, &k.pkg); err != nil {
			return err
		}
		b.dirtyPkgs[k] = true
	}
	return rows.Err()
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func nonNilSF(s []vtr.ShipFrom) []vtr.ShipFrom {
	if s == nil {
		return []vtr.ShipFrom{}
	}
	return s
}

func (b *batch) seller(ctx context.Context, id string) (*vtr.Seller, error) {
	if s, ok := b.sellers[id]; ok {
		return s, nil
	}
	row, err := b.queryRow(ctx, `SELECT name, policies, ship_from FROM sellers WHERE seller_id = ?`, id)
	if err != nil {
		return nil, err
	}
	s := &vtr.Seller{ID: id}
	var pol, sf string
	if err := row.Scan(&s.Name, &pol, &sf); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			b.sellers[id] = s // unknown yet: judged without ship-from until it arrives
			return s, nil
		}
		return nil, err
	}
	if err := json.Unmarshal([]byte(pol), &s.Policies); err != nil {
		return nil, fmt.Errorf("seller %s: policies: %w", id, err)
	}
	if err := json.Unmarshal([]byte(sf), &s.ShipFrom); err != nil {
		return nil, fmt.Errorf("seller %s: ship_from: %w", id, err)
	}
	b.sellers[id] = s
	return s, nil
}

// order loads an order (cached for the batch); nil when unknown.
func (b *batch) order(ctx context.Context, id string) (*orderRow, error) {
	if o, ok := b.orders[id]; ok {
		return o, nil
	}
	row, err := b.queryRow(ctx, `SELECT seller_id, policy, purchased_at, category, value_minor, currency, ship_to, ship_by, deliver_by,
		digital, freight, cancelled_at, cancelled_by_seller, first_shipped_at FROM orders WHERE order_id = ?`, id)
	if err != nil {
		return nil, err
	}
	r := &orderRow{exists: true}
	o := &r.o
	o.ID = id
	var purchased, shipBy, deliverBy, cancelled, firstShipped int64
	var shipTo string
	var digital, freight, bySeller bool
	if err := row.Scan(&o.SellerID, &o.Policy, &purchased, &o.Category, &o.Value.Minor, &o.Value.Currency, &shipTo, &shipBy, &deliverBy,
		&digital, &freight, &cancelled, &bySeller, &firstShipped); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, nil
		}
		return nil, err
	}
	o.PurchasedAt, o.ShipBy, o.DeliverBy = fromUnix(purchased), fromUnix(shipBy), fromUnix(deliverBy)
	o.Digital, o.Freight = digital, freight
	if err := json.Unmarshal([]byte(shipTo), &o.ShipTo); err != nil {
		return nil, fmt.Errorf("order %s: ship_to: %w", id, err)
	}
	if cancelled != 0 {
		r.cancel = &vtr.Cancellation{OrderID: id, CancelledAt: fromUnix(cancelled), BySeller: bySeller}
	}
	r.firstShippedAt = fromUnix(firstShipped)
	b.orders[id] = r
	return r, nil
}

// touchOrder records an order's aggregate contribution before the batch
// changes it, once, so finish can apply the difference.
func (b *batch) touchOrder(r *orderRow) {
	id := r.o.ID
	if b.dirtyOrds[id] {
		return
	}
	b.dirtyOrds[id] = true
	if r.exists {
		b.ordBefore[id] = engine.OrderCounts(&engine.OrderFacts{Order: r.o, FirstShippedAt: r.firstShippedAt, Cancellation: r.cancel})
	}
}

func (b *batch) putOrder(ctx context.Context, o *vtr.Order) error {
	if _, err := b.s.Policies.Get(o.Policy); err != nil {
		return vtr.Errorf(vtr.EINVALID, "policy: %s", vtr.ErrorMessage(err))
	}
	r, err := b.order(ctx, o.ID)
	if err != nil {
		return err
	}
	if r != nil && r.o.SellerID != o.SellerID {
		return vtr.Errorf(vtr.ECONFLICT, "order %s already belongs to seller %s", o.ID, r.o.SellerID)
	}
	if r == nil {
		r = &orderRow{o: *o}
		b.orders[o.ID] = r
	}
	b.touchOrder(r)
	category := o.Category
	if r.exists {
		category = r.o.Category // the category at order time never changes
	}
	r.o = *o
	r.o.Category = category
	shipTo, _ := json.Marshal(o.ShipTo)
	if _, err := b.exec(ctx, `INSERT INTO orders (seller_id, order_id, policy, purchased_at, category, value_minor, currency, ship_to, ship_by, deliver_by, digital, freight)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (seller_id, order_id) DO UPDATE SET policy = excluded.policy, purchased_at = excluded.purchased_at,
		value_minor = excluded.value_minor, currency = excluded.currency, ship_to = excluded.ship_to, ship_by = excluded.ship_by,
		deliver_by = excluded.deliver_by, digital = excluded.digital, freight = excluded.freight`,
		o.SellerID, o.ID, o.Policy, unix(o.PurchasedAt), category, o.Value.Minor, o.Value.Currency, string(shipTo),
		unix(o.ShipBy), unix(o.DeliverBy), o.Digital, o.Freight); err != nil {
		return fmt.Errorf("put order: %w", err)
	}
	if !r.exists {
		// A new order has no packages yet: shipments of unknown orders
		// wait as orphans until it arrives.
		r.exists = true
		return b.adoptOrphans(ctx, o.ID)
	}
	return b.markOrderPackages(ctx, o.SellerID, o.ID)
}

func (b *batch) markOrderPackages(ctx context.Context, seller, order string) error {
	st, err := b.stmt(ctx, `SELECT package_id, tracking_norm FROM packages WHERE seller_id = ? AND order_id = ?`)
	if err != nil {
		return err
	}
	rows, err := st.QueryContext(ctx, seller, order)
	if err != nil {
		return err
	}
	var nums []string
	for rows.Next() {
		var pkg, num string
		if err := rows.Scan(&pkg, &num); err != nil {
			rows.Close()
			return err
		}
		b.dirtyPkgs[pkgKey{seller, order, pkg}] = true
		nums = append(nums, num)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	// Destination or purchase time changes can change which order of a
	// shared number counts as reused.
	for _, n := range nums {
		if err := b.markTracking(ctx, n); err != nil {
			return err
		}
	}
	return nil
}

// markTracking marks every package carrying a tracking number dirty (at
// finish, once per number per batch).
func (b *batch) markTracking(_ context.Context, num string) error {
	if num != "" {
		b.dirtyNums[num] = true
	}
	return nil
}

// resolveNumbers turns the dirty tracking numbers into dirty packages.
func (b *batch) resolveNumbers(ctx context.Context) error {
	st, err := b.stmt(ctx, `SELECT seller_id, order_id, package_id FROM packages WHERE tracking_norm = ?`)
	if err != nil {
		return err
	}
	for num := range b.dirtyNums {
		rows, err := st.QueryContext(ctx, num)
		if err != nil {
			return err
		}
		n := 0
		for rows.Next() {
			var k pkgKey
			if err := rows.Scan(&k.seller, &k.order, &k.pkg); err != nil {
				rows.Close()
				return err
			}
			b.dirtyPkgs[k] = true
			n++
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		b.sharers[num] = n
	}
	return nil
}

// park keeps a shipment or cancellation whose order has not arrived yet.
func (b *batch) park(ctx context.Context, orderID, kind string, v any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return err
	}
	b.s.hasOrphans = true
	_, err = b.exec(ctx, `INSERT INTO orphans (order_id, seq, kind, body)
		VALUES (?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM orphans WHERE order_id = ?), ?, ?)`, orderID, orderID, kind, string(body))
	return err
}

func (b *batch) adoptOrphans(ctx context.Context, orderID string) error {
	if !b.s.hasOrphans {
		return nil
	}
	st, err := b.stmt(ctx, `SELECT kind, body FROM orphans WHERE order_id = ? ORDER BY seq`)
	if err != nil {
		return err
	}
	rows, err := st.QueryContext(ctx, orderID)
	if err != nil {
		return err
	}
	type orphan struct{ kind, body string }
	var list []orphan
	for rows.Next() {
		var o orphan
		if err := rows.Scan(&o.kind, &o.body); err != nil {
			rows.Close()
			return err
		}
		list = append(list, o)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(list) == 0 {
		return err
	}
	if _, err := b.exec(ctx, `DELETE FROM orphans WHERE order_id = ?`, orderID); err != nil {
		return err
	}
	for _, o := range list {
		switch o.kind {
		case "shipment":
			var s vtr.Shipment
			if err := json.Unmarshal([]byte(o.body), &s); err != nil {
				return err
			}
			if err := b.putShipment(ctx, &s); err != nil {
				return err
			}
		case "cancellation":
			var c vtr.Cancellation
			if err := json.Unmarshal([]byte(o.body), &c); err != nil {
				return err
			}
			if err := b.putCancellation(ctx, &c); err != nil {
				return err
			}
		}
	}
	return nil
}

func normTracking(s string) string {
	b, reason, _ := tracking.Normalize(nil, s)
	if reason != "" {
		return ""
	}
	return string(b)
}

func (b *batch) putShipment(ctx context.Context, s *vtr.Shipment) error {
	r, err := b.order(ctx, s.OrderID)
	if err != nil {
		return err
	}
	if r == nil {
		return b.park(ctx, s.OrderID, "shipment", s)
	}
	seller := r.o.SellerID
	// A confirmation identical to one already recorded is a duplicate
	// delivery, not an edit.
	var seq, dup int64
	row, err := b.queryRow(ctx, `SELECT COALESCE(MAX(seq), 0) + 1, COALESCE(SUM(carrier = ?4 AND carrier_name = ?5 AND tracking_number = ?6
		AND ship_method = ?7 AND ship_from_id = ?8 AND shipped_at = ?9 AND uploaded_at = ?10), 0)
		FROM shipments WHERE seller_id = ?1 AND order_id = ?2 AND package_id = ?3`,
		seller, s.OrderID, s.PackageID, s.Carrier, s.CarrierName, s.TrackingNumber, s.ShipMethod, s.ShipFromID, unix(s.ShippedAt), unix(s.UploadedAt))
	if err != nil {
		return err
	}
	if err := row.Scan(&seq, &dup); err != nil {
		return err
	}
	if dup > 0 {
		return nil
	}
	if _, err := b.exec(ctx, `INSERT INTO shipments (seller_id, order_id, package_id, seq, carrier, carrier_name, tracking_number, ship_method, ship_from_id, shipped_at, uploaded_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, seller, s.OrderID, s.PackageID, seq, s.Carrier, s.CarrierName, s.TrackingNumber,
		s.ShipMethod, s.ShipFromID, unix(s.ShippedAt), unix(s.UploadedAt)); err != nil {
		return fmt.Errorf("put shipment: %w", err)
	}
	// The current confirmation is the latest upload (then the latest
	// arrival): a function of the set of confirmations, not of their order.
	num := normTracking(s.TrackingNumber)
	var oldNum string
	row, err = b.queryRow(ctx, `SELECT tracking_norm FROM packages WHERE seller_id = ? AND order_id = ? AND package_id = ?`, seller, s.OrderID, s.PackageID)
	if err != nil {
		return err
	}
	switch err := row.Scan(&oldNum); {
	case errors.Is(err, sql.ErrNoRows):
		if _, err := b.exec(ctx, `INSERT INTO packages (seller_id, order_id, package_id, tracking_norm, first_uploaded_at, edits, cur_seq, cur_uploaded_at)
			VALUES (?, ?, ?, ?, ?, 0, ?, ?)`, seller, s.OrderID, s.PackageID, num, unix(s.UploadedAt), seq, unix(s.UploadedAt)); err != nil {
			return err
		}
	case err != nil:
		return err
	default:
		if _, err := b.exec(ctx, `UPDATE packages SET edits = edits + 1,
			first_uploaded_at = MIN(first_uploaded_at, ?1),
			tracking_norm = CASE WHEN ?1 >= cur_uploaded_at THEN ?2 ELSE tracking_norm END,
			cur_seq = CASE WHEN ?1 >= cur_uploaded_at THEN ?3 ELSE cur_seq END,
			cur_uploaded_at = MAX(cur_uploaded_at, ?1)
			WHERE seller_id = ?4 AND order_id = ?5 AND package_id = ?6`,
			unix(s.UploadedAt), num, seq, seller, s.OrderID, s.PackageID); err != nil {
			return err
		}
		if err := b.markTracking(ctx, oldNum); err != nil {
			return err
		}
	}
	b.dirtyPkgs[pkgKey{seller, s.OrderID, s.PackageID}] = true
	if err := b.markTracking(ctx, num); err != nil {
		return err
	}
	// The first ship date feeds the Late Shipment Rate.
	if r.firstShippedAt.IsZero() || s.ShippedAt.Before(r.firstShippedAt) {
		b.touchOrder(r)
		r.firstShippedAt = s.ShippedAt
		if _, err := b.exec(ctx, `UPDATE orders SET first_shipped_at = ? WHERE seller_id = ? AND order_id = ?`, unix(s.ShippedAt), seller, s.OrderID); err != nil {
			return err
		}
	}
	return nil
}

func (b *batch) putCancellation(ctx context.Context, c *vtr.Cancellation) error {
	r, err := b.order(ctx, c.OrderID)
	if err != nil {
		return err
	}
	if r == nil {
		return b.park(ctx, c.OrderID, "cancellation", c)
	}
	// The earliest cancellation wins, whatever order they arrive in.
	if r.cancel != nil && !c.CancelledAt.Before(r.cancel.CancelledAt) {
		return nil
	}
	b.touchOrder(r)
	r.cancel = c
	if _, err := b.exec(ctx, `UPDATE orders SET cancelled_at = ?, cancelled_by_seller = ? WHERE seller_id = ? AND order_id = ?`,
		unix(c.CancelledAt), c.BySeller, r.o.SellerID, c.OrderID); err != nil {
		return err
	}
	return b.markOrderPackages(ctx, r.o.SellerID, c.OrderID)
}

// eventChunk is how many events one multi-row INSERT carries.
const eventChunk = 64

func (b *batch) putEvent(ctx context.Context, e *vtr.Event) error {
	b.events = append(b.events, e)
	if len(b.events) >= eventChunk {
		return b.flushEvents(ctx)
	}
	return nil
}

// flushEvents inserts the buffered events, skipping those already stored
// (same ID), and folds the new ones into their numbers' summaries.
func (b *batch) flushEvents(ctx context.Context) error {
	if len(b.events) == 0 {
		return nil
	}
	var q strings.Builder
	q.WriteString(`INSERT INTO events (tracking_norm, event_id, carrier, reported_by, occurred_at, utc_offset, offset_known, code, type_code,
		description, status, class, class_rule, city, state, postal_code, country, source, source_id) VALUES `)
	args := make([]any, 0, 19*len(b.events))
	byID := make(map[[2]string]*vtr.Event, len(b.events))
	for i, e := range b.events {
		if i > 0 {
			q.WriteString(",")
		}
		q.WriteString("(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")
		args = append(args, e.TrackingNumber, e.ID, e.Carrier, e.ReportedBy, unix(e.OccurredAt), e.OffsetSeconds, e.OffsetKnown, e.Code, e.TypeCode,
			e.Description, string(e.Status), string(e.Class), e.ClassRule, e.Location.City, e.Location.State, e.Location.PostalCode,
			e.Location.Country, e.Source, e.SourceID)
		byID[[2]string{e.TrackingNumber, e.ID}] = e
	}
	q.WriteString(" ON CONFLICT DO NOTHING RETURNING tracking_norm, event_id")
	st, err := b.stmt(ctx, q.String())
	if err != nil {
		return err
	}
	rows, err := st.QueryContext(ctx, args...)
	if err != nil {
		return fmt.Errorf("put events: %w", err)
	}
	var inserted [][2]string
	for rows.Next() {
		var k [2]string
		if err := rows.Scan(&k[0], &k[1]); err != nil {
			rows.Close()
			return err
		}
		inserted = append(inserted, k)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("put events: %w", err)
	}
	if err := b.prefetchSummaries(ctx, inserted); err != nil {
		return err
	}
	b.st.DuplicateEvents += len(b.events) - len(inserted)
	b.st.Events += len(inserted)
	b.events = b.events[:0]
	for _, k := range inserted {
		e := byID[k]
		sum, err := b.summary(ctx, e.TrackingNumber)
		if err != nil {
			return err
		}
		before := sum.s.Judged(b.s.maxScans)
		sum.s.Add(e)
		sum.dirty = true
		if sum.s.Judged(b.s.maxScans) != before {
			b.dirtyNums[e.TrackingNumber] = true
		}
		if e.Class == vtr.EventUnknown {
			b.st.UnknownEvents++
			uk := [3]string{e.Source, e.Carrier, e.Code}
			u := b.unknown[uk]
			if u == nil {
				u = &unknownRow{example: e.Description}
				b.unknown[uk] = u
			}
			u.count++
		}
	}
	return nil
}

const summaryColumns = `events, physical, unknown, first_event_at, first_physical_at, first_physical_id, fp_city, fp_state,
		fp_postal_code, fp_country, delivered_at, attempted_at, last_status, last_at, last_id, delivered_offset`

// prefetchSummaries loads, in one query, the stored summaries of the
// numbers among keys not yet cached; the numbers without one start empty.
func (b *batch) prefetchSummaries(ctx context.Context, keys [][2]string) error {
	var nums []any
	seen := map[string]bool{}
	for _, k := range keys {
		if _, ok := b.summaries[k[0]]; !ok && !seen[k[0]] {
			seen[k[0]] = true
			nums = append(nums, k[0])
		}
	}
	if len(nums) == 0 {
		return nil
	}
	q := `SELECT tracking_norm, ` + summaryColumns + ` FROM scan_summaries WHERE tracking_norm IN (?` + strings.Repeat(",?", len(nums)-1) + `)`
	st, err := b.stmt(ctx, q)
	if err != nil {
		return err
	}
	rows, err := st.QueryContext(ctx, nums...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var num string
		r := &summaryRow{}
		if err := scanSummary(rows, &num, &r.s); err != nil {
			return err
		}
		b.summaries[num] = r
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for _, n := range nums {
		if _, ok := b.summaries[n.(string)]; !ok {
			b.summaries[n.(string)] = &summaryRow{isNew: true}
		}
	}
	return nil
}

type scanner interface{ Scan(...any) error }

// scanSummary reads a summary row (an optional leading column first).
func scanSummary(row scanner, lead *string, s *vtr.ScanSummary) error {
	var fe, fp, del, att, last int64
	var lastStatus string
	dest := []any{&s.Events, &s.Physical, &s.Unknown, &fe, &fp, &s.FirstPhysicalID, &s.FirstPhysicalLocation.City,
		&s.FirstPhysicalLocation.State, &s.FirstPhysicalLocation.PostalCode, &s.FirstPhysicalLocation.Country, &del, &att, &lastStatus, &last, &s.LastID, &s.DeliveredOffset}
	if lead != nil {
		dest = append([]any{lead}, dest...)
	}
	if err := row.Scan(dest...); err != nil {
		return err
	}
	s.FirstEventAt, s.FirstPhysicalAt, s.DeliveredAt, s.AttemptedAt, s.LastAt = fromUnix(fe), fromUnix(fp), fromUnix(del), fromUnix(att), fromUnix(last)
	s.LastStatus = vtr.EventStatus(lastStatus)
	return nil
}

func (b *batch) summary(ctx context.Context, num string) (*summaryRow, error) {
	if r, ok := b.summaries[num]; ok {
		return r, nil
	}
	r := &summaryRow{}
	row, err := b.queryRow(ctx, `SELECT `+summaryColumns+` FROM scan_summaries WHERE tracking_norm = ?`, num)
	if err != nil {
		return nil, err
	}
	switch err := scanSummary(row, nil, &r.s); {
	case errors.Is(err, sql.ErrNoRows):
		r.isNew = true
	case err != nil:
		return nil, err
	}
	b.summaries[num] = r
	return r, nil
}

// finish writes the batch's summaries, re-judges every touched package and
// applies the aggregate differences.
func (b *batch) finish(ctx context.Context, st *ImportStats) error {
	if err := b.flushEvents(ctx); err != nil {
		return err
	}
	if err := b.resolveNumbers(ctx); err != nil {
		return err
	}
	st.Events += b.st.Events
	st.DuplicateEvents += b.st.DuplicateEvents
	st.UnknownEvents += b.st.UnknownEvents
	for num, r := range b.summaries {
		if !r.dirty {
			continue
		}
		s := &r.s
		l := s.FirstPhysicalLocation
		if _, err := b.exec(ctx, `INSERT INTO scan_summaries (tracking_norm, events, physical, unknown, first_event_at, first_physical_at, first_physical_id,
			fp_city, fp_state, fp_postal_code, fp_country, delivered_at, attempted_at, last_status, last_at, last_id, delivered_offset)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (tracking_norm) DO UPDATE SET
			events = excluded.events, physical = excluded.physical, unknown = excluded.unknown, first_event_at = excluded.first_event_at,
			first_physical_at = excluded.first_physical_at, first_physical_id = excluded.first_physical_id, fp_city = excluded.fp_city,
			fp_state = excluded.fp_state, fp_postal_code = excluded.fp_postal_code, fp_country = excluded.fp_country,
			delivered_at = excluded.delivered_at, attempted_at = excluded.attempted_at, last_status = excluded.last_status,
			last_at = excluded.last_at, last_id = excluded.last_id, delivered_offset = excluded.delivered_offset`,
			num, s.Events, s.Physical, s.Unknown, unix(s.FirstEventAt), unix(s.FirstPhysicalAt), s.FirstPhysicalID, l.City, l.State,
			l.PostalCode, l.Country, unix(s.DeliveredAt), unix(s.AttemptedAt), string(s.LastStatus), unix(s.LastAt), s.LastID, s.DeliveredOffset); err != nil {
			return fmt.Errorf("put scan summary: %w", err)
		}
		r.dirty, r.isNew = false, false
	}
	agg := map[aggKey]*aggVal{}
	keys := make([]pkgKey, 0, len(b.dirtyPkgs))
	for k := range b.dirtyPkgs {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { // deterministic write order
		a, c := keys[i], keys[j]
		return a.seller < c.seller || a.seller == c.seller && (a.order < c.order || a.order == c.order && a.pkg < c.pkg)
	})
	for _, k := range keys {
		if err := b.rejudge(ctx, k, agg); err != nil {
			return err
		}
		st.Packages++
	}
	if err := b.flushAggregates(ctx, agg); err != nil {
		return err
	}
	if err := b.flushOrders(ctx); err != nil {
		return err
	}
	for k, u := range b.unknown {
		if _, err := b.exec(ctx, `INSERT INTO unknown_codes (source, carrier, code, example, count) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT DO UPDATE SET count = count + excluded.count`, k[0], k[1], k[2], u.example, u.count); err != nil {
			return err
		}
	}
	return nil
}

type aggKey struct {
	seller, policy string
	day            int64
	category       string
	carrier        string
	shipFrom       string
}

type aggVal struct{ valid, invalid, exempt, delivered, onTime int }

func (v *aggVal) add(outcome string, delivered, onTime bool, sign int) {
	switch vtr.VerdictStatus(outcome) {
	case vtr.VerdictValid:
		v.valid += sign
		if delivered {
			v.delivered += sign
			if onTime {
				v.onTime += sign
			}
		}
	case vtr.VerdictInvalid:
		v.invalid += sign
	case vtr.VerdictExempt:
		v.exempt += sign
	}
}

func (b *batch) rejudge(ctx context.Context, k pkgKey, agg map[aggKey]*aggVal) error {
	f, old, err := b.facts(ctx, k)
	if err != nil {
		return err
	}
	if old.policy != "" {
		key := aggKey{k.seller, old.policy, old.day, old.category, old.carrier, old.shipFrom}
		if agg[key] == nil {
			agg[key] = &aggVal{}
		}
		agg[key].add(old.outcome, old.delivered, old.onTime, -1)
	}
	p, err := b.s.Policies.Get(f.Order.Policy)
	if err != nil {
		return err
	}
	v := engine.Judge(p, f, time.Time{})
	carrier := v.Carrier
	if carrier == "" {
		carrier = strings.TrimSpace(f.Shipment.Carrier)
	}
	day := dayNum(v.IncludedOn)
	key := aggKey{k.seller, p.ID, day, f.Order.Category, carrier, f.Shipment.ShipFromID}
	if agg[key] == nil {
		agg[key] = &aggVal{}
	}
	agg[key].add(string(v.Outcome), v.Delivered, v.OnTime, +1)
	now := counted{policy: p.ID, outcome: string(v.Outcome), category: f.Order.Category, carrier: carrier, shipFrom: f.Shipment.ShipFromID,
		day: day, delivered: v.Delivered, onTime: v.OnTime, reasons: joinReasons(v.Reasons), warnings: joinReasons(v.Warnings),
		detected: v.Detected, explanation: v.Explanation}
	switch {
	case now == old:
		return nil // nothing changed: no write at all
	case now.policy == old.policy && now.day == old.day:
		// The indexed columns are unchanged: leave them out of the SET so
		// SQLite does not rewrite packages_by_day.
		_, err = b.exec(ctx, `UPDATE packages SET outcome = ?, reasons = ?, warnings = ?, carrier = ?, detected = ?, explanation = ?,
			category = ?, ship_from_id = ?, delivered = ?, on_time = ? WHERE seller_id = ? AND order_id = ? AND package_id = ?`,
			now.outcome, now.reasons, now.warnings, carrier, v.Detected, v.Explanation,
			f.Order.Category, f.Shipment.ShipFromID, v.Delivered, v.OnTime, k.seller, k.order, k.pkg)
	default:
		_, err = b.exec(ctx, `UPDATE packages SET policy = ?, outcome = ?, reasons = ?, warnings = ?, carrier = ?, detected = ?, explanation = ?,
			day = ?, category = ?, ship_from_id = ?, delivered = ?, on_time = ? WHERE seller_id = ? AND order_id = ? AND package_id = ?`,
			p.ID, now.outcome, now.reasons, now.warnings, carrier, v.Detected, v.Explanation,
			day, f.Order.Category, f.Shipment.ShipFromID, v.Delivered, v.OnTime, k.seller, k.order, k.pkg)
	}
	return err
}

func joinReasons(rs []vtr.Reason) string {
	s := make([]string, len(rs))
	for i, r := range rs {
		s[i] = string(r)
	}
	return strings.Join(s, ",")
}

// counted is a package's stored verdict: its contribution to vtr_daily
// and the text of its reasons.
type counted struct {
	policy, outcome, category, carrier, shipFrom string
	day                                          int64
	delivered, onTime                            bool
	reasons, warnings, detected, explanation     string
}

// facts loads everything a package's verdict depends on, and what it
// currently counts as.
func (b *batch) facts(ctx context.Context, k pkgKey) (*vtr.PackageFacts, counted, error) {
	var c counted
	f := &vtr.PackageFacts{}
	row, err := b.queryRow(ctx, `SELECT p.tracking_norm, p.first_uploaded_at, p.edits, p.policy, p.outcome, p.category, p.carrier, p.ship_from_id,
		p.day, p.delivered, p.on_time, p.reasons, p.warnings, p.detected, p.explanation,
		s.carrier, s.carrier_name, s.tracking_number, s.ship_method, s.ship_from_id, s.shipped_at, s.uploaded_at
		FROM packages p JOIN shipments s ON s.seller_id = p.seller_id AND s.order_id = p.order_id AND s.package_id = p.package_id AND s.seq = p.cur_seq
		WHERE p.seller_id = ? AND p.order_id = ? AND p.package_id = ?`, k.seller, k.order, k.pkg)
	if err != nil {
		return nil, c, err
	}
	var num string
	var firstUp, shipped, uploaded int64
	sh := &f.Shipment
	if err := row.Scan(&num, &firstUp, &f.Edits, &c.policy, &c.outcome, &c.category, &c.carrier, &c.shipFrom, &c.day, &c.delivered, &c.onTime,
		&c.reasons, &c.warnings, &c.detected, &c.explanation, &sh.Carrier, &sh.CarrierName, &sh.TrackingNumber, &sh.ShipMethod, &sh.ShipFromID, &shipped, &uploaded); err != nil {
		return nil, c, notFound(err, "package %s/%s not found", k.order, k.pkg)
	}
	sh.OrderID, sh.PackageID = k.order, k.pkg
	sh.ShippedAt, sh.UploadedAt, f.FirstUploadedAt = fromUnix(shipped), fromUnix(uploaded), fromUnix(firstUp)
	r, err := b.order(ctx, k.order)
	if err != nil {
		return nil, c, err
	}
	if r == nil {
		return nil, c, fmt.Errorf("package %s/%s: order missing", k.order, k.pkg)
	}
	f.Order, f.Cancellation = r.o, r.cancel
	s, err := b.seller(ctx, k.seller)
	if err != nil {
		return nil, c, err
	}
	f.Seller = *s
	if num != "" {
		sum, err := b.summary(ctx, num)
		if err != nil {
			return nil, c, err
		}
		f.Scans = sum.s
		if n, ok := b.sharers[num]; !ok || n > 1 {
			if f.ReusedFrom, err = b.reusedFrom(ctx, num, &r.o, f.Shipment.ShippedAt); err != nil {
				return nil, c, err
			}
		}
	}
	return f, c, nil
}

// reusedFrom returns the order that owns a number this package shares
// with an order to another address: the label belongs to the package
// shipped with it first (earliest ship time, then the smaller order ID),
// so a later package carrying it is a recycled label. Orders to the same
// address may share a number (combined shipments).
func (b *batch) reusedFrom(ctx context.Context, num string, o *vtr.Order, shipped time.Time) (string, error) {
	st, err := b.stmt(ctx, `SELECT o.order_id, MIN(s.shipped_at), o.ship_to FROM packages p
		JOIN shipments s ON s.seller_id = p.seller_id AND s.order_id = p.order_id AND s.package_id = p.package_id AND s.seq = p.cur_seq
		JOIN orders o ON o.order_id = p.order_id
		WHERE p.tracking_norm = ? AND p.order_id <> ? GROUP BY o.order_id, o.ship_to`)
	if err != nil {
		return "", err
	}
	rows, err := st.QueryContext(ctx, num, o.ID)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	mine := unix(shipped)
	best, bestAt := "", int64(0)
	for rows.Next() {
		var id, shipTo string
		var at int64
		if err := rows.Scan(&id, &at, &shipTo); err != nil {
			return "", err
		}
		var l vtr.Location
		if err := json.Unmarshal([]byte(shipTo), &l); err != nil {
			return "", err
		}
		if sameAddress(l, o.ShipTo) {
			continue
		}
		if at < mine || at == mine && id < o.ID {
			if best == "" || at < bestAt || at == bestAt && id < best {
				best, bestAt = id, at
			}
		}
	}
	return best, rows.Err()
}

func sameAddress(a, b vtr.Location) bool {
	return strings.EqualFold(a.Country, b.Country) && strings.EqualFold(strings.TrimSpace(a.PostalCode), strings.TrimSpace(b.PostalCode)) &&
		strings.EqualFold(strings.TrimSpace(a.City), strings.TrimSpace(b.City))
}

func (b *batch) flushAggregates(ctx context.Context, agg map[aggKey]*aggVal) error {
	for k, v := range agg {
		if *v == (aggVal{}) {
			continue
		}
		if _, err := b.exec(ctx, `INSERT INTO vtr_daily (seller_id, policy, day, category, carrier, ship_from_id, valid, invalid, exempt, delivered, on_time)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET valid = valid + excluded.valid, invalid = invalid + excluded.invalid,
			exempt = exempt + excluded.exempt, delivered = delivered + excluded.delivered, on_time = on_time + excluded.on_time`,
			k.seller, k.policy, k.day, k.category, k.carrier, k.shipFrom, v.valid, v.invalid, v.exempt, v.delivered, v.onTime); err != nil {
			return fmt.Errorf("aggregate: %w", err)
		}
	}
	_, err := b.exec(ctx, `DELETE FROM vtr_daily WHERE valid = 0 AND invalid = 0 AND exempt = 0 AND delivered = 0 AND on_time = 0`)
	return err
}

type ordKey struct {
	seller, policy, kind string
	day                  int64
}

func (b *batch) flushOrders(ctx context.Context) error {
	delta := map[ordKey][2]int{}
	for id := range b.dirtyOrds {
		r := b.orders[id]
		for _, c := range b.ordBefore[id] {
			k := ordKey{r.o.SellerID, r.o.Policy, c.Kind, dayNum(c.Day)}
			d := delta[k]
			delta[k] = [2]int{d[0] - c.Total, d[1] - c.Hits}
		}
		for _, c := range engine.OrderCounts(&engine.OrderFacts{Order: r.o, FirstShippedAt: r.firstShippedAt, Cancellation: r.cancel}) {
			k := ordKey{r.o.SellerID, r.o.Policy, c.Kind, dayNum(c.Day)}
			d := delta[k]
			delta[k] = [2]int{d[0] + c.Total, d[1] + c.Hits}
		}
	}
	for k, d := range delta {
		if d == [2]int{} {
			continue
		}
		if _, err := b.exec(ctx, `INSERT INTO order_daily (seller_id, policy, kind, day, total, hits) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT DO UPDATE SET total = total + excluded.total, hits = hits + excluded.hits`, k.seller, k.policy, k.kind, k.day, d[0], d[1]); err != nil {
			return err
		}
	}
	_, err := b.exec(ctx, `DELETE FROM order_daily WHERE total = 0 AND hits = 0`)
	return err
}
