package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/ingest"
	"github.com/vtr-project/vtr/internal/sqlutil"
	sqlite "modernc.org/sqlite"
)

// Tx is one transaction: ingest.Tx in SQL. Statements are prepared once
// per transaction.
//
// A write transaction's writes run on a goroutine of their own, in the
// order they were issued, while the caller goes on: Exec queues a write
// and returns, AddEvents queues the storing of a chunk of events, and a
// read (Query, QueryRow and every method reading through them), Wants,
// Announce, Commit and Rollback first wait for what is queued (settle).
// SQLite runs in this process, so the writer's own work (judging,
// folding events, building the next statement) waited for every
// statement; now the import's statements run on one core while its work
// goes on on the other. A write's error is returned by the next call
// that waits, naming the statement.
type Tx struct {
	d  *DB
	tx *sql.Tx
	sqlutil.Stmts
	// A write transaction's queued writes (nil for a read transaction),
	// how many are not done, whether it has ended, and the first
	// error: the writes after it are skipped.
	jobs   chan func() error
	queued sync.WaitGroup
	ended  bool
	failed error
}

var _ ingest.Tx = (*Tx)(nil)

// writeTx is a write transaction on tx, its goroutine started.
func writeTx(d *DB, tx *sql.Tx) *Tx {
	t := &Tx{d: d, tx: tx, Stmts: sqlutil.NewStmts(tx, d.translate), jobs: make(chan func() error, 64)}
	go func() {
		for job := range t.jobs {
			if t.failed == nil {
				t.failed = job()
			}
			t.queued.Done()
		}
	}()
	return t
}

// queue runs job after the writes queued before it.
func (t *Tx) queue(job func() error) {
	t.queued.Add(1)
	t.jobs <- job
}

// settle waits for the queued writes and returns the first error among
// them. It is a no-op in a read transaction.
func (t *Tx) settle() error {
	if t.jobs == nil {
		return nil
	}
	t.queued.Wait()
	return t.failed
}

// end waits for the queued writes and stops their goroutine.
func (t *Tx) end() error {
	err := t.settle()
	if t.jobs != nil && !t.ended {
		t.ended = true
		close(t.jobs)
	}
	return err
}

// Commit commits once the queued writes are done; a busy database is a
// conflict.
func (t *Tx) Commit() error {
	if err := t.end(); err != nil {
		t.tx.Rollback()
		return err
	}
	return t.d.translate(t.tx.Commit())
}

// Rollback abandons the transaction.
func (t *Tx) Rollback() error {
	t.end()
	return t.tx.Rollback()
}

// Exec runs a statement; in a write transaction it queues it (Tx).
func (t *Tx) Exec(ctx context.Context, q string, args ...any) error {
	if t.jobs == nil {
		return t.Stmts.Exec(ctx, q, args...)
	}
	if t.ended {
		return sql.ErrTxDone
	}
	t.queue(func() error {
		if err := t.Stmts.Exec(ctx, q, args...); err != nil {
			return sqlutil.StatementError(q, err)
		}
		return nil
	})
	return nil
}

// Query runs a query once the queued writes are done.
func (t *Tx) Query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if err := t.settle(); err != nil {
		return nil, err
	}
	return t.Stmts.Query(ctx, q, args...)
}

// QueryRow runs a query for one row once the queued writes are done.
func (t *Tx) QueryRow(ctx context.Context, q string, args ...any) (*sql.Row, error) {
	if err := t.settle(); err != nil {
		return nil, err
	}
	return t.Stmts.QueryRow(ctx, q, args...)
}

var each = sqlutil.Each

func (t *Tx) Seller(ctx context.Context, id string) (vtr.Seller, bool, error) {
	s := vtr.Seller{ID: id}
	row, err := t.QueryRow(ctx, `SELECT name, policies, ship_from FROM sellers WHERE seller_id = ?`, id)
	if err != nil {
		return s, false, err
	}
	var pol, sf string
	if err := row.Scan(&s.Name, &pol, &sf); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return s, false, nil
		}
		return s, false, err
	}
	return s, true, sqlutil.DecodeSeller(&s, pol, sf)
}

func (t *Tx) PutSeller(ctx context.Context, s *vtr.Seller) error {
	return t.Exec(ctx, `INSERT INTO sellers (seller_id, name, policies, ship_from) VALUES (?, ?, ?, ?)
		ON CONFLICT (seller_id) DO UPDATE SET name = excluded.name, policies = excluded.policies, ship_from = excluded.ship_from`,
		s.ID, s.Name, sqlutil.JSONList(s.Policies), sqlutil.JSONList(s.ShipFrom))
}

func (t *Tx) SellerPackages(ctx context.Context, sellerID string) ([]ingest.PackageKey, error) {
	var out []ingest.PackageKey
	rows, err := t.Query(ctx, `SELECT order_id, package_id FROM packages WHERE seller_id = ?`, sellerID)
	return out, each(rows, err, func(r *sql.Rows) error {
		k := ingest.PackageKey{Seller: sellerID}
		if err := r.Scan(&k.Order, &k.Package); err != nil {
			return err
		}
		out = append(out, k)
		return nil
	})
}

// Bulk reads take their keys as one JSON array (json_each), so a
// statement's text does not depend on the number of keys; bulk writes
// are multi-row INSERTs of up to insertRows rows.

// insertRows is how many rows one multi-row INSERT carries: well under
// SQLite's limit of 32766 parameters; 500 measured slower.
const insertRows = 256

// insert runs head VALUES (…), (…) tail for rows, insertRows at a time.
func (t *Tx) insert(ctx context.Context, head, tail string, rows [][]any) error {
	return t.inParts(ctx, rows, func(values string) string { return head + ` VALUES ` + values + ` ` + tail })
}

// inParts runs the statement stmt(values) for rows, insertRows at a time;
// values is the part's list of rows of parameters, "(?, ?), (?, ?)".
func (t *Tx) inParts(ctx context.Context, rows [][]any, stmt func(values string) string) error {
	for len(rows) > 0 {
		part := rows[:min(insertRows, len(rows))]
		rows = rows[len(part):]
		args := make([]any, 0, len(part)*len(part[0]))
		for _, r := range part {
			args = append(args, r...)
		}
		if err := t.Exec(ctx, stmt(sqlutil.Values(len(part), len(part[0]))), args...); err != nil {
			return err
		}
	}
	return nil
}

// refsJoin joins the order references of the JSON parameter to a table
// aliased x.
const refsJoin = `json_each(?) j CROSS JOIN %s x ON x.seller_id = json_extract(j.value, '$[0]') AND x.order_id = json_extract(j.value, '$[1]')`

func (t *Tx) Orders(ctx context.Context, refs []ingest.OrderRef) ([]ingest.OrderState, error) {
	var out []ingest.OrderState
	rows, err := t.Query(ctx, `SELECT `+sqlutil.Prefixed("x.", sqlutil.OrderColumns)+` FROM `+fmt.Sprintf(refsJoin, "orders"), sqlutil.JSONRefs(refs))
	return out, each(rows, err, func(r *sql.Rows) error {
		st, err := sqlutil.ScanOrder(r)
		out = append(out, st)
		return err
	})
}

func (t *Tx) OrderSellers(ctx context.Context, orderIDs []string) (map[string][]string, error) {
	out := map[string][]string{}
	rows, err := t.Query(ctx, `SELECT o.order_id, o.seller_id FROM json_each(?) j CROSS JOIN orders o ON o.order_id = j.value
		ORDER BY o.order_id, o.seller_id`, sqlutil.JSONList(orderIDs))
	return out, each(rows, err, func(r *sql.Rows) error {
		var o, s string
		err := r.Scan(&o, &s)
		out[o] = append(out[o], s)
		return err
	})
}

func (t *Tx) PutOrders(ctx context.Context, os []*ingest.OrderState) error {
	rows := make([][]any, len(os))
	for i, st := range os {
		rows[i] = sqlutil.OrderRow(st)
	}
	return t.insert(ctx, `INSERT INTO orders (`+sqlutil.OrderColumns+`)`, `ON CONFLICT (seller_id, order_id) DO UPDATE SET policy = excluded.policy,
		purchased_at = excluded.purchased_at, category = excluded.category, value_minor = excluded.value_minor, currency = excluded.currency,
		ship_to = excluded.ship_to, ship_by = excluded.ship_by, deliver_by = excluded.deliver_by, digital = excluded.digital, freight = excluded.freight,
		cancelled_at = excluded.cancelled_at, cancelled_by_seller = excluded.cancelled_by_seller, first_shipped_at = excluded.first_shipped_at`, rows)
}

func (t *Tx) OrderPackages(ctx context.Context, refs []ingest.OrderRef) ([]ingest.Package, error) {
	var out []ingest.Package
	rows, err := t.Query(ctx, `SELECT `+sqlutil.Prefixed("x.", sqlutil.PackageColumns)+` FROM `+fmt.Sprintf(refsJoin, "packages"), sqlutil.JSONRefs(refs))
	return out, each(rows, err, func(r *sql.Rows) error {
		p, err := sqlutil.ScanPackage(r)
		out = append(out, p)
		return err
	})
}

func (t *Tx) Histories(ctx context.Context, refs []ingest.OrderRef) ([]ingest.ShipmentRow, error) {
	var out []ingest.ShipmentRow
	rows, err := t.Query(ctx, `SELECT `+sqlutil.Prefixed("x.", sqlutil.ShipmentRowColumns)+` FROM `+fmt.Sprintf(refsJoin, "shipments")+`
		ORDER BY x.seller_id, x.order_id, x.package_id, x.seq`, sqlutil.JSONRefs(refs))
	return out, each(rows, err, func(r *sql.Rows) error {
		row, err := sqlutil.ScanShipmentRow(r)
		out = append(out, row)
		return err
	})
}

func (t *Tx) AddShipments(ctx context.Context, list []ingest.ShipmentRow) error {
	rows := make([][]any, len(list))
	for i := range list {
		rows[i] = sqlutil.ShipmentRowArgs(&list[i])
	}
	return t.insert(ctx, `INSERT INTO shipments (`+sqlutil.ShipmentRowColumns+`)`, ``, rows)
}

func (t *Tx) PutPackages(ctx context.Context, ps []*ingest.Package) error {
	rows := make([][]any, len(ps))
	for i, p := range ps {
		rows[i] = sqlutil.PackageRow(p)
	}
	return t.insert(ctx, `INSERT INTO packages (`+sqlutil.PackageRowColumns+`)`,
		`ON CONFLICT (seller_id, order_id, package_id) DO UPDATE SET `+sqlutil.PackageRowUpdate, rows)
}

// PutVerdicts writes verdicts insertRows packages at a time, each part one
// UPDATE … FROM VALUES joined to packages by key. The verdicts whose
// policy and day are unchanged leave those columns out of the SET, so
// SQLite does not rewrite their entries in packages_by_day.
func (t *Tx) PutVerdicts(ctx context.Context, vs []ingest.Verdict) error {
	var same, moved [][]any
	for _, v := range vs {
		k, old, now := v.Key, &v.Old, &v.Counted
		if now.Policy == old.Policy && now.Day == old.Day {
			same = append(same, []any{k.Seller, k.Order, k.Package, now.Outcome, now.Reasons, now.Warnings, now.Carrier, now.Detected,
				now.Explanation, now.Category, now.ShipFrom, now.Delivered, now.OnTime})
		} else {
			moved = append(moved, []any{k.Seller, k.Order, k.Package, now.Outcome, now.Reasons, now.Warnings, now.Carrier, now.Detected,
				now.Explanation, now.Category, now.ShipFrom, now.Delivered, now.OnTime, now.Policy, now.Day})
		}
	}
	const set = `outcome = v.column4, reasons = v.column5, warnings = v.column6, carrier = v.column7, detected = v.column8,
		explanation = v.column9, category = v.column10, ship_from_id = v.column11, delivered = v.column12, on_time = v.column13`
	if err := t.updatePackages(ctx, set, same); err != nil {
		return err
	}
	return t.updatePackages(ctx, set+`, policy = v.column14, day = v.column15`, moved)
}

// updatePackages runs UPDATE packages SET set over rows, each a package's
// key (seller, order, package) and the values set names as v.columnN.
func (t *Tx) updatePackages(ctx context.Context, set string, rows [][]any) error {
	return t.inParts(ctx, rows, func(values string) string {
		return `UPDATE packages SET ` + set + ` FROM (VALUES ` + values + `) AS v
			WHERE packages.seller_id = v.column1 AND packages.order_id = v.column2 AND packages.package_id = v.column3`
	})
}

func (t *Tx) Orphans(ctx context.Context, orderIDs []string) ([]ingest.Orphan, error) {
	var out []ingest.Orphan
	rows, err := t.Query(ctx, `SELECT o.seller_id, o.order_id, o.seq, o.kind, o.body FROM json_each(?) j CROSS JOIN orphans o ON o.order_id = j.value
		ORDER BY o.seller_id, o.order_id, o.seq`, sqlutil.JSONList(orderIDs))
	return out, each(rows, err, func(r *sql.Rows) error {
		o, err := sqlutil.ScanOrphan(r)
		out = append(out, o)
		return err
	})
}

func (t *Tx) DeleteOrphans(ctx context.Context, groups []ingest.OrderRef) error {
	for _, g := range groups {
		if err := t.Exec(ctx, `DELETE FROM orphans WHERE seller_id = ? AND order_id = ?`, g.Seller, g.Order); err != nil {
			return err
		}
	}
	return nil
}

func (t *Tx) AddOrphans(ctx context.Context, os []ingest.Orphan) error {
	rows := make([][]any, len(os))
	for i, o := range os {
		rows[i] = []any{o.SellerID, o.OrderID, o.Seq, o.Kind, string(o.Body)}
	}
	return t.insert(ctx, `INSERT INTO orphans (seller_id, order_id, seq, kind, body)`, ``, rows)
}

func (t *Tx) PackagesByNumber(ctx context.Context, nums []string) (map[string][]ingest.PackageKey, error) {
	out := map[string][]ingest.PackageKey{}
	if len(nums) == 0 {
		return out, nil
	}
	rows, err := t.Query(ctx, `SELECT p.tracking_norm, p.seller_id, p.order_id, p.package_id FROM json_each(?) j
		CROSS JOIN packages p ON p.tracking_norm = j.value`, sqlutil.JSONList(nums))
	return out, each(rows, err, func(r *sql.Rows) error {
		var num string
		var k ingest.PackageKey
		err := r.Scan(&num, &k.Seller, &k.Order, &k.Package)
		out[num] = append(out[num], k)
		return err
	})
}

func (t *Tx) NumberOrders(ctx context.Context, nums []string) (map[string][]ingest.NumberOrder, error) {
	out := map[string][]ingest.NumberOrder{}
	rows, err := t.Query(ctx, `SELECT p.tracking_norm, o.seller_id, o.order_id, MIN(p.cur_shipped_at), o.ship_to FROM json_each(?) j
		CROSS JOIN packages p ON p.tracking_norm = j.value
		JOIN orders o ON o.seller_id = p.seller_id AND o.order_id = p.order_id
		GROUP BY p.tracking_norm, o.seller_id, o.order_id, o.ship_to`, sqlutil.JSONList(nums))
	return out, each(rows, err, func(r *sql.Rows) error {
		num, o, err := sqlutil.ScanNumberOrder(r)
		out[num] = append(out[num], o)
		return err
	})
}

// AddEvents stores events insertRows at a time. An event is usually new:
// a plain INSERT stores the part and all of it is new. When one of them is
// stored already (a feed read again, or overlapping another), the
// INSERT fails as a whole and changes nothing (a failed statement is
// undone; the transaction goes on), and the part is stored again skipping
// the events already there, returning the ones it stored. Returning every
// stored event's key cost the import reading back two strings per event
// and a map of them.
//
// In a write transaction the events are stored on the writes' goroutine
// (Tx): the import folds the chunk before while SQLite stores this one.
func (t *Tx) AddEvents(ctx context.Context, evs []*vtr.Event) ingest.EventsDone {
	var stored []*vtr.Event
	job := func() error {
		var err error
		stored, err = t.addEvents(ctx, evs)
		return err
	}
	if t.jobs == nil || t.ended {
		err := job() // after the end, the statements fail as they would have
		return func() ([]*vtr.Event, error) { return stored, err }
	}
	t.queue(job)
	return func() ([]*vtr.Event, error) {
		if err := t.settle(); err != nil {
			return nil, err
		}
		return stored, nil
	}
}

// addEvents stores events, on the goroutine that runs the statements.
func (t *Tx) addEvents(ctx context.Context, evs []*vtr.Event) ([]*vtr.Event, error) {
	out := make([]*vtr.Event, 0, len(evs))
	args := make([]any, 0, 19*min(insertRows, len(evs)))
	for len(evs) > 0 {
		part := evs[:min(insertRows, len(evs))]
		evs = evs[len(part):]
		args = args[:0]
		for _, e := range part {
			args = sqlutil.AppendEvent(args, e)
		}
		insert := `INSERT INTO events (` + sqlutil.EventColumns + `) VALUES ` + sqlutil.Values(len(part), 19)
		err := t.Stmts.Exec(ctx, insert, args...)
		if err == nil {
			out = append(out, part...)
			continue
		}
		if !isUnique(err) {
			return nil, err
		}
		stored, err := t.addNew(ctx, insert, part, args)
		if err != nil {
			return nil, err
		}
		out = append(out, stored...)
	}
	return out, nil
}

// addNew stores the events of part not stored yet and returns them.
func (t *Tx) addNew(ctx context.Context, insert string, part []*vtr.Event, args []any) ([]*vtr.Event, error) {
	st := sqlutil.NewStoredEvents(part)
	rows, err := t.Stmts.Query(ctx, insert+` ON CONFLICT DO NOTHING RETURNING tracking_norm, event_id`, args...)
	err = each(rows, err, func(r *sql.Rows) error { return st.Row(r) })
	return st.Stored, err
}

// isUnique reports whether err is SQLite's refusal of a row whose key is
// taken (SQLITE_CONSTRAINT_PRIMARYKEY or SQLITE_CONSTRAINT_UNIQUE).
func isUnique(err error) bool {
	var e *sqlite.Error
	return errors.As(err, &e) && (e.Code() == 1555 || e.Code() == 2067)
}

func (t *Tx) Summaries(ctx context.Context, nums []string) (map[string]vtr.ScanSummary, error) {
	if err := t.settle(); err != nil {
		return nil, err
	}
	return t.summaries(ctx, nums)
}

// summaries reads summaries, on the goroutine that runs the statements.
func (t *Tx) summaries(ctx context.Context, nums []string) (map[string]vtr.ScanSummary, error) {
	out := make(map[string]vtr.ScanSummary, len(nums))
	const chunk = 500
	for len(nums) > 0 {
		part := nums[:min(chunk, len(nums))]
		nums = nums[len(part):]
		args := make([]any, len(part))
		for i, n := range part {
			args[i] = n
		}
		rows, err := t.Stmts.Query(ctx, `SELECT tracking_norm, `+sqlutil.SummaryColumns+` FROM scan_summaries WHERE tracking_norm IN (?`+strings.Repeat(",?", len(part)-1)+`)`, args...)
		if err := eachSummary(rows, err, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// eachSummary reads summary rows (a number and SummaryColumns) into out.
func eachSummary(rows *sql.Rows, err error, out map[string]vtr.ScanSummary) error {
	into := sqlutil.SummariesInto(out)
	return each(rows, err, func(r *sql.Rows) error { return into(r) })
}

// MergeSummaries merges summary deltas into scan_summaries
// (vtr.ScanSummary.Merge), insertRows at a time, once the queued writes
// are done.
func (t *Tx) MergeSummaries(ctx context.Context, deltas []ingest.NumberSummary) (map[string]vtr.ScanSummary, error) {
	if err := t.settle(); err != nil {
		return nil, err
	}
	out := make(map[string]vtr.ScanSummary, len(deltas))
	for len(deltas) > 0 {
		part := deltas[:min(insertRows, len(deltas))]
		deltas = deltas[len(part):]
		args := make([]any, 0, 17*len(part))
		for _, d := range part {
			args = append(args, sqlutil.SummaryRow(d.Num, d.Summary)...)
		}
		rows, err := t.Stmts.Query(ctx, `INSERT INTO scan_summaries AS s (tracking_norm, `+sqlutil.SummaryColumns+`) VALUES `+sqlutil.Values(len(part), 17)+`
			ON CONFLICT (tracking_norm) DO UPDATE SET `+mergeSet+`
			RETURNING tracking_norm, `+sqlutil.SummaryColumns, args...)
		if err := eachSummary(rows, err, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// mergeSet merges summaries; SQLite's text compares byte by byte.
var mergeSet = sqlutil.MergeSummaries("")

func (t *Tx) AddDaily(ctx context.Context, d []ingest.DailyDelta) error {
	if len(d) == 0 {
		return nil
	}
	rows := make([][]any, len(d))
	for i, x := range d {
		k := x.Key
		rows[i] = []any{k.Seller, k.Policy, k.Day, k.Category, k.Carrier, k.ShipFrom, x.Valid, x.Invalid, x.Exempt, x.Delivered, x.OnTime}
	}
	if err := t.insert(ctx, `INSERT INTO vtr_daily (seller_id, policy, day, category, carrier, ship_from_id, valid, invalid, exempt, delivered, on_time)`,
		`ON CONFLICT DO UPDATE SET valid = valid + excluded.valid, invalid = invalid + excluded.invalid,
		exempt = exempt + excluded.exempt, delivered = delivered + excluded.delivered, on_time = on_time + excluded.on_time`, rows); err != nil {
		return err
	}
	return t.deleteZero(ctx, `DELETE FROM vtr_daily WHERE valid = 0 AND invalid = 0 AND exempt = 0 AND delivered = 0 AND on_time = 0
		AND (seller_id, policy, day, category, carrier, ship_from_id) IN`, rows, 6)
}

// deleteZero runs del (ending in "IN") over the keys (the first n cells)
// of the rows a batch just added to: the rows that fell to zero among
// those it touched, found by key instead of by reading the table.
func (t *Tx) deleteZero(ctx context.Context, del string, rows [][]any, n int) error {
	for len(rows) > 0 {
		part := rows[:min(insertRows, len(rows))]
		rows = rows[len(part):]
		args := make([]any, 0, n*len(part))
		for _, r := range part {
			args = append(args, r[:n]...)
		}
		if err := t.Exec(ctx, del+` (VALUES `+sqlutil.Values(len(part), n)+`)`, args...); err != nil {
			return err
		}
	}
	return nil
}

func (t *Tx) AddOrderDaily(ctx context.Context, d []ingest.OrderDelta) error {
	if len(d) == 0 {
		return nil
	}
	rows := make([][]any, len(d))
	for i, x := range d {
		k := x.Key
		rows[i] = []any{k.Seller, k.Policy, k.Kind, k.Day, x.Total, x.Hits}
	}
	if err := t.insert(ctx, `INSERT INTO order_daily (seller_id, policy, kind, day, total, hits)`,
		`ON CONFLICT DO UPDATE SET total = total + excluded.total, hits = hits + excluded.hits`, rows); err != nil {
		return err
	}
	return t.deleteZero(ctx, `DELETE FROM order_daily WHERE total = 0 AND hits = 0 AND (seller_id, policy, kind, day) IN`, rows, 4)
}

func (t *Tx) AddReasonDaily(ctx context.Context, d []ingest.ReasonDelta) error {
	if len(d) == 0 {
		return nil
	}
	rows := sqlutil.ReasonRows(d)
	if err := t.insert(ctx, `INSERT INTO reason_daily (seller_id, policy, day, reason, invalid)`,
		`ON CONFLICT DO UPDATE SET invalid = invalid + excluded.invalid`, rows); err != nil {
		return err
	}
	return t.deleteZero(ctx, `DELETE FROM reason_daily WHERE invalid = 0 AND (seller_id, policy, day, reason) IN`, rows, 4)
}

func (t *Tx) AddUnknown(ctx context.Context, u []vtr.UnknownCode) error {
	rows := make([][]any, len(u))
	for i, c := range u {
		rows[i] = []any{c.Source, c.Carrier, c.Code, c.Example, c.Count}
	}
	return t.insert(ctx, `INSERT INTO unknown_codes (source, carrier, code, example, count)`, `ON CONFLICT DO UPDATE SET count = count + excluded.count`, rows)
}

// Read makes its reads one by one: on SQLite a call is no round
// trip.
func (t *Tx) Read(ctx context.Context, q ingest.Reads) (ingest.ReadResults, error) {
	return ingest.ReadOneByOne(ctx, t, q)
}
