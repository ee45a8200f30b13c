package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/ingest"
	"github.com/vtr-project/vtr/internal/sqlutil"
)

// Tx is one transaction: ingest.Tx in SQL. pgx keeps its statements
// prepared per connection.
//
// A write transaction sends its statements together: it is begun by hand
// on a connection of its own, Exec queues a write, and the queue goes to
// the server in one round trip (a pgx batch on that connection) with the
// next read, before Announce, and with the COMMIT. The import writes a
// batch's rows in several statements in a row, and for a small batch (a
// server's confirmation) the round trips, not the statements, were most
// of its time. Statements still run in the order they were issued; a
// failing one fails the round trip, and so the transaction, naming its
// statement.
//
// A round trip need not be waited for as soon as it is sent: a queue of
// writes grown large (Exec) and a chunk of events (AddEvents) are sent,
// and their results read when the next round trip is sent or when the
// caller asks for them (send, settle). The server stores one chunk of
// an import's events while the import decodes, applies and folds the
// next; before, each waited for the other.
type Tx struct {
	d  *DB
	tx *sql.Tx // a read transaction's
	// A write transaction's connection, its queued writes, and whether
	// it has ended.
	write   bool
	conn    *sql.Conn
	pending []step
	// pendingBytes is the size of the queued statements' parameters.
	pendingBytes int
	ended        bool
	// inflight is the round trip sent and not read yet, and failed the
	// error a round trip ended with: the transaction cannot go on.
	inflight *roundTrip
	failed   error
	// savepoints counts the events' savepoints (AddEvents).
	savepoints int
	sqlutil.Stmts
}

// roundTrip is a batch sent: its results, the writes and reads whose
// results they are, in order, and what to do once they are read. A
// round trip run by a goroutine of its own (sendCopy) has instead the
// channel its end is reported on.
type roundTrip struct {
	br    pgx.BatchResults
	steps []step
	done  chan error
	then  func() error
}

// close reads what is left of rt's results, or waits for its goroutine.
func (rt *roundTrip) close() error {
	if rt.done != nil {
		return <-rt.done
	}
	return rt.br.Close()
}

// step is a statement of a round trip: a write (row nil) or a read.
type step struct {
	q    string
	args []any
	row  func(sqlutil.Scanner) error
}

var _ ingest.Tx = (*Tx)(nil)

// Commit commits, a write transaction with its queued writes in the same
// round trip; a busy database is a conflict. After a write, tables it
// grew may be analyzed (DB.maybeAnalyze).
func (t *Tx) Commit() error {
	if t.conn == nil {
		return t.d.translate(t.tx.Commit())
	}
	if t.ended {
		return sql.ErrTxDone
	}
	t.pending = append(t.pending, step{q: "COMMIT"})
	if err := t.flush(context.Background()); err != nil {
		t.Rollback()
		return err
	}
	t.ended = true
	t.conn.Close()
	t.d.maybeAnalyze()
	return nil
}

// Rollback abandons the transaction and its queued writes. A connection
// that cannot roll back is closed, so the pool never hands out one in a
// transaction.
func (t *Tx) Rollback() error {
	if t.conn == nil {
		return t.tx.Rollback()
	}
	if t.ended {
		return sql.ErrTxDone
	}
	t.ended = true
	t.pending, t.pendingBytes = nil, 0
	defer t.conn.Close()
	if rt := t.inflight; rt != nil {
		t.inflight = nil
		t.conn.Raw(func(any) error { return rt.close() }) // the connection is busy until its results are read
	}
	_, err := t.conn.ExecContext(context.Background(), "ROLLBACK")
	if err != nil {
		t.conn.Raw(func(dc any) error {
			if c, ok := dc.(*stdlib.Conn); ok {
				c.Conn().Close(context.Background())
			}
			return nil
		})
	}
	return err
}

// Exec runs a statement; in a write transaction it queues it (Tx), and
// sends what is queued once it holds flushBytes of parameters.
func (t *Tx) Exec(ctx context.Context, q string, args ...any) error {
	args = arrayArgs(args)
	if t.conn == nil {
		return t.Stmts.Exec(ctx, q, args...)
	}
	t.pending = append(t.pending, step{q: q, args: args})
	for _, a := range args {
		if s, ok := a.(string); ok {
			t.pendingBytes += len(s)
		}
	}
	if t.pendingBytes >= flushBytes {
		return t.send(ctx)
	}
	return nil
}

// A write transaction's large writes go in statements of at most
// rowsPerStatement rows (execRows), and its queued statements in round
// trips of about flushBytes of parameters at most (Exec). pgx builds a
// statement's parameters, and a round trip's messages, in buffers it
// grows by doubling from a few hundred bytes and drops after each: sent
// whole, an import transaction's writes (its 300,000 scan summaries in
// one statement, all its writes in the round trip of its commit) took
// buffers of tens of megabytes, allocated two and three times over, at
// each commit. In parts, a 5-day import at full density took 124.3 s
// instead of 155.6, the client's CPU 117 s instead of 155, its peak
// resident memory 522 MiB instead of 602.
var (
	rowsPerStatement = 5000
	flushBytes       = 8 << 20 // variables for a test
	maxSavepoints    = 60
)

// execRows queues q, an INSERT or UPDATE over unnest of one array per
// column, for rows, in statements of at most rowsPerStatement rows.
func (t *Tx) execRows(ctx context.Context, q string, rows [][]any) error {
	for len(rows) > 0 {
		part := rows[:min(rowsPerStatement, len(rows))]
		rows = rows[len(part):]
		if err := t.Exec(ctx, q, columns(part)...); err != nil {
			return err
		}
	}
	return nil
}

// A write of many rows goes by COPY: into its table when it only adds
// rows, else into a stage, a temporary table of the session created
// from the table's columns, from which one statement moves them (and
// the stage is emptied). Its rows are written in COPY's text format as
// the server reads them (copyRows), by the goroutine of the transaction's
// round trip. As array parameters they were built into a literal per
// column, which pgx copied twice more into buffers it grows from a few
// hundred bytes for every statement and round trip: of a 5-day
// full-density import's 15.7 GB of allocations, 4.3 GB. A write of fewer
// than stageRows rows (a server's confirmation) keeps to the queued
// statements over unnest, sent in the round trip of the next read.
var stageRows = 1000 // a variable for a test

// A bulk is a write of rows to the columns cols of table: by move, an
// INSERT or UPDATE from the rows as "v" ("%s" in it), or by COPY into
// table when move is empty. Few rows come from unnest of one array per
// column, each cast as casts says; many from the stage vtr_stage_<name>.
type bulk struct {
	name, table, cols, casts, move string
}

// put writes rows as b says.
func (t *Tx) put(ctx context.Context, b *bulk, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	if len(rows) < stageRows || t.conn == nil {
		return t.execRows(ctx, b.fromUnnest(), rows)
	}
	if b.move == "" {
		return t.sendCopy(ctx, nil, b.copyTable(), valueRows(rows), nil, nil, nil)
	}
	return t.sendCopy(ctx, []step{b.createStage()}, b.copyStage(), valueRows(rows), []step{{q: b.fromStage()}, b.emptyStage()}, nil, nil)
}

// fromUnnest is b's move from unnest of its arrays.
func (b *bulk) fromUnnest() string {
	move := b.move
	if move == "" {
		move = `INSERT INTO ` + b.table + ` (` + b.cols + `) SELECT * FROM %s`
	}
	return fmt.Sprintf(move, `unnest(`+b.casts+`) AS v (`+b.cols+`)`)
}

// b's stage: the statements creating it (when the session has none),
// copying into it, moving its rows and emptying it.
func (b *bulk) createStage() step {
	return step{q: `CREATE TEMP TABLE IF NOT EXISTS vtr_stage_` + b.name + ` AS SELECT ` + b.cols + ` FROM ` + b.table + ` WITH NO DATA`}
}
func (b *bulk) copyStage() string { return `COPY vtr_stage_` + b.name + ` FROM STDIN` }
func (b *bulk) fromStage() string { return fmt.Sprintf(b.move, `vtr_stage_`+b.name+` AS v`) }
func (b *bulk) emptyStage() step  { return step{q: `TRUNCATE vtr_stage_` + b.name} }

// copyTable is the COPY of b's rows straight into its table.
func (b *bulk) copyTable() string { return `COPY ` + b.table + ` (` + b.cols + `) FROM STDIN` }

// Query sends the queued writes, then runs a query.
func (t *Tx) Query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if err := t.flush(ctx); err != nil {
		return nil, err
	}
	return t.Stmts.Query(ctx, q, arrayArgs(args)...)
}

// QueryRow sends the queued writes, then runs a query for one row.
func (t *Tx) QueryRow(ctx context.Context, q string, args ...any) (*sql.Row, error) {
	if err := t.flush(ctx); err != nil {
		return nil, err
	}
	return t.Stmts.QueryRow(ctx, q, arrayArgs(args)...)
}

// read is a query and what to do with each of its rows.
type read struct {
	q    string
	args []any
	row  func(sqlutil.Scanner) error
}

// flush sends the queued writes and waits for them.
func (t *Tx) flush(ctx context.Context) error { return t.run(ctx) }

// run sends the queued writes, then the reads rs, and reads their
// results in order: in a write transaction one round trip (a pgx batch
// on its connection), otherwise one per statement.
func (t *Tx) run(ctx context.Context, rs ...read) error {
	if t.conn == nil {
		list := t.pending
		t.pending, t.pendingBytes = nil, 0
		for _, p := range list {
			if err := t.Stmts.Exec(ctx, p.q, p.args...); err != nil {
				return err
			}
		}
		for _, r := range rs {
			rows, err := t.Stmts.Query(ctx, r.q, arrayArgs(r.args)...)
			if err := each(rows, err, func(rows *sql.Rows) error { return r.row(rows) }); err != nil {
				return err
			}
		}
		return nil
	}
	if err := t.send(ctx, rs...); err != nil {
		return err
	}
	return t.settle()
}

// send sends the queued writes, then the reads rs, in one round trip of
// a write transaction, and returns without waiting for it: its results
// are read (settle) before the next round trip is sent, the connection
// having room for one at a time.
func (t *Tx) send(ctx context.Context, rs ...read) error {
	return t.sendWith(ctx, steps(rs), nil)
}

// sendWith sends the queued writes, then steps, as send does; then runs
// once their results are read.
func (t *Tx) sendWith(ctx context.Context, steps []step, then func() error) error {
	if err := t.settle(); err != nil {
		return err
	}
	all := append(t.pending, steps...)
	t.pending, t.pendingBytes = nil, 0
	return t.sendSteps(ctx, all, then)
}

// steps are the reads rs as steps of a round trip.
func steps(rs []read) []step {
	out := make([]step, len(rs))
	for i, r := range rs {
		out[i] = step{q: r.q, args: arrayArgs(r.args), row: r.row}
	}
	return out
}

// sendSteps sends steps, and nothing queued, as the round trip in
// flight; then runs once its results are read. The connection is idle.
func (t *Tx) sendSteps(ctx context.Context, steps []step, then func() error) error {
	if len(steps) == 0 {
		return nil
	}
	return t.conn.Raw(func(dc any) error {
		c, err := pgxConn(dc)
		if err != nil {
			return err
		}
		t.inflight = &roundTrip{br: sendBatch(ctx, c, steps), steps: steps, then: then}
		return nil
	})
}

// sendCopy sends the queued writes and the steps before, then copies rows
// with the COPY statement q (its own exchange, after them), then sends
// after, all as the round trip in flight, run by a goroutine of its own
// while the caller goes on; then runs once it ends. When conflict is not
// nil, a unique violation of the COPY is recorded there, and the steps
// after are not sent.
func (t *Tx) sendCopy(ctx context.Context, before []step, q string, rows io.Reader, after []step, conflict *bool, then func() error) error {
	if err := t.settle(); err != nil {
		return err
	}
	before = append(t.pending, before...)
	t.pending, t.pendingBytes = nil, 0
	return t.conn.Raw(func(dc any) error {
		c, err := pgxConn(dc)
		if err != nil {
			return err
		}
		done := make(chan error, 1)
		go func() {
			done <- func() error {
				if err := t.results(sendBatch(ctx, c, before), before); err != nil {
					return err
				}
				if _, err := c.PgConn().CopyFrom(ctx, rows, q); err != nil {
					if conflict != nil && isUnique(err) {
						*conflict = true
						return nil
					}
					return sqlutil.StatementError(q, t.d.translate(err))
				}
				return t.results(sendBatch(ctx, c, after), after)
			}()
		}()
		t.inflight = &roundTrip{done: done, then: then}
		return nil
	})
}

// pgxConn is the pgx connection under a database/sql one.
func pgxConn(dc any) (*pgx.Conn, error) {
	c, ok := dc.(*stdlib.Conn)
	if !ok {
		return nil, fmt.Errorf("postgres: the connection is a %T, not pgx's", dc)
	}
	return c.Conn(), nil
}

// sendBatch sends steps as one pgx batch on c.
func sendBatch(ctx context.Context, c *pgx.Conn, steps []step) pgx.BatchResults {
	var b pgx.Batch
	for _, st := range steps {
		b.Queue(st.q, st.args...)
	}
	return c.SendBatch(ctx, &b)
}

// settle reads the results of the round trip sent last, if any. An error
// ends the transaction: it is returned again by every later call.
func (t *Tx) settle() error {
	if t.failed != nil {
		return t.failed
	}
	rt := t.inflight
	if rt == nil {
		return nil
	}
	t.inflight = nil
	var err error
	if rt.done != nil {
		err = <-rt.done
	} else {
		err = t.conn.Raw(func(any) error { return t.results(rt.br, rt.steps) })
	}
	if err == nil && rt.then != nil {
		err = rt.then()
	}
	if err != nil {
		t.failed = err
	}
	return err
}

// wait reads the results of rt, if they are not read yet.
func (t *Tx) wait(rt *roundTrip) error {
	if t.inflight == rt {
		return t.settle()
	}
	return t.failed
}

// results reads a round trip's results, those of steps, in order.
func (t *Tx) results(br pgx.BatchResults, steps []step) error {
	defer br.Close()
	for _, st := range steps {
		if st.row == nil {
			tag, err := br.Exec()
			if err != nil {
				return sqlutil.StatementError(st.q, t.d.translate(err))
			}
			if st.q == "COMMIT" && tag.String() != "COMMIT" {
				return fmt.Errorf("commit: the transaction was rolled back")
			}
			continue
		}
		rows, err := br.Query()
		if err != nil {
			return sqlutil.StatementError(st.q, t.d.translate(err))
		}
		for rows.Next() {
			if err := st.row(rows); err != nil {
				rows.Close()
				return err
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return sqlutil.StatementError(st.q, t.d.translate(err))
		}
	}
	return t.d.translate(br.Close())
}

// isUnique reports whether err is a unique violation.
func isUnique(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505"
}

func (t *Tx) Seller(ctx context.Context, id string) (vtr.Seller, bool, error) {
	out := map[string]vtr.Seller{}
	err := t.run(ctx, readSellers([]string{id}, out))
	s, ok := out[id]
	if !ok {
		s = vtr.Seller{ID: id}
	}
	return s, ok, err
}

func readSellers(ids []string, out map[string]vtr.Seller) read {
	return read{`SELECT seller_id, name, policies, ship_from FROM sellers WHERE seller_id = ANY($1)`, []any{ids}, func(r sqlutil.Scanner) error {
		var s vtr.Seller
		var pol, sf string
		if err := r.Scan(&s.ID, &s.Name, &pol, &sf); err != nil {
			return err
		}
		if err := sqlutil.DecodeSeller(&s, pol, sf); err != nil {
			return err
		}
		out[s.ID] = s
		return nil
	}}
}

func (t *Tx) PutSeller(ctx context.Context, s *vtr.Seller) error {
	return t.Exec(ctx, `INSERT INTO sellers (seller_id, name, policies, ship_from) VALUES ($1, $2, $3, $4)
		ON CONFLICT (seller_id) DO UPDATE SET name = excluded.name, policies = excluded.policies, ship_from = excluded.ship_from`,
		s.ID, s.Name, sqlutil.JSONList(s.Policies), sqlutil.JSONList(s.ShipFrom))
}

func (t *Tx) SellerPackages(ctx context.Context, sellerID string) ([]ingest.PackageKey, error) {
	var out []ingest.PackageKey
	return out, t.run(ctx, read{`SELECT order_id, package_id FROM packages WHERE seller_id = $1`, []any{sellerID}, func(r sqlutil.Scanner) error {
		k := ingest.PackageKey{Seller: sellerID}
		if err := r.Scan(&k.Order, &k.Package); err != nil {
			return err
		}
		out = append(out, k)
		return nil
	}})
}

// Bulk reads take their keys as arrays (= ANY, unnest) and bulk writes
// their rows as one array per column: one round trip and one statement
// text whatever the number of rows.

const refsIn = `(seller_id, order_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))`

func (t *Tx) Orders(ctx context.Context, refs []ingest.OrderRef) ([]ingest.OrderState, error) {
	var out []ingest.OrderState
	return out, t.run(ctx, readOrders(refs, &out))
}

func readOrders(refs []ingest.OrderRef, out *[]ingest.OrderState) read {
	sellers, orders := sqlutil.Refs(refs)
	return read{`SELECT ` + sqlutil.OrderColumns + ` FROM orders WHERE ` + refsIn, []any{sellers, orders}, func(r sqlutil.Scanner) error {
		st, err := sqlutil.ScanOrder(r)
		*out = append(*out, st)
		return err
	}}
}

func (t *Tx) OrderSellers(ctx context.Context, orderIDs []string) (map[string][]string, error) {
	out := map[string][]string{}
	return out, t.run(ctx, readOrderSellers(orderIDs, out))
}

func readOrderSellers(orderIDs []string, out map[string][]string) read {
	return read{`SELECT order_id, seller_id FROM orders WHERE order_id = ANY($1) ORDER BY order_id, seller_id`, []any{orderIDs}, func(r sqlutil.Scanner) error {
		var o, s string
		err := r.Scan(&o, &s)
		out[o] = append(out[o], s)
		return err
	}}
}

var eventsBulk = bulk{name: "events", table: "events", cols: sqlutil.EventColumns,
	casts: `$1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::int[], $7::boolean[], $8::text[], $9::text[], $10::text[],
		$11::text[], $12::text[], $13::text[], $14::text[], $15::text[], $16::text[], $17::text[], $18::text[], $19::text[]`,
	move: `INSERT INTO events (` + sqlutil.EventColumns + `) SELECT * FROM %s ON CONFLICT DO NOTHING RETURNING tracking_norm, event_id`}

var ordersBulk = bulk{name: "orders", table: "orders", cols: sqlutil.OrderColumns,
	casts: `$1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::bigint[], $7::text[], $8::text[], $9::bigint[], $10::bigint[],
		$11::boolean[], $12::boolean[], $13::bigint[], $14::boolean[], $15::bigint[]`,
	move: `INSERT INTO orders (` + sqlutil.OrderColumns + `) SELECT * FROM %s
		ON CONFLICT (seller_id, order_id) DO UPDATE SET policy = excluded.policy, purchased_at = excluded.purchased_at,
		category = excluded.category, value_minor = excluded.value_minor, currency = excluded.currency, ship_to = excluded.ship_to,
		ship_by = excluded.ship_by, deliver_by = excluded.deliver_by, digital = excluded.digital, freight = excluded.freight,
		cancelled_at = excluded.cancelled_at, cancelled_by_seller = excluded.cancelled_by_seller, first_shipped_at = excluded.first_shipped_at`}

func (t *Tx) PutOrders(ctx context.Context, os []*ingest.OrderState) error {
	rows := make([][]any, len(os))
	for i, st := range os {
		rows[i] = sqlutil.OrderRow(st)
	}
	return t.put(ctx, &ordersBulk, rows)
}

func (t *Tx) OrderPackages(ctx context.Context, refs []ingest.OrderRef) ([]ingest.Package, error) {
	var out []ingest.Package
	return out, t.run(ctx, readOrderPackages(refs, &out))
}

func readOrderPackages(refs []ingest.OrderRef, out *[]ingest.Package) read {
	sellers, orders := sqlutil.Refs(refs)
	return read{`SELECT ` + sqlutil.PackageColumns + ` FROM packages WHERE ` + refsIn + ` ORDER BY seller_id, order_id, package_id`, []any{sellers, orders}, func(r sqlutil.Scanner) error {
		p, err := sqlutil.ScanPackage(r)
		*out = append(*out, p)
		return err
	}}
}

func (t *Tx) Histories(ctx context.Context, refs []ingest.OrderRef) ([]ingest.ShipmentRow, error) {
	var out []ingest.ShipmentRow
	return out, t.run(ctx, readHistories(refs, &out))
}

func readHistories(refs []ingest.OrderRef, out *[]ingest.ShipmentRow) read {
	sellers, orders := sqlutil.Refs(refs)
	return read{`SELECT ` + sqlutil.ShipmentRowColumns + ` FROM shipments WHERE ` + refsIn + ` ORDER BY seller_id, order_id, package_id, seq`, []any{sellers, orders}, func(r sqlutil.Scanner) error {
		row, err := sqlutil.ScanShipmentRow(r)
		*out = append(*out, row)
		return err
	}}
}

var shipmentsBulk = bulk{name: "shipments", table: "shipments", cols: sqlutil.ShipmentRowColumns,
	casts: `$1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::bigint[], $11::bigint[]`}

func (t *Tx) AddShipments(ctx context.Context, list []ingest.ShipmentRow) error {
	rows := make([][]any, len(list))
	for i := range list {
		rows[i] = sqlutil.ShipmentRowArgs(&list[i])
	}
	return t.put(ctx, &shipmentsBulk, rows)
}

var packagesBulk = bulk{name: "packages", table: "packages", cols: sqlutil.PackageRowColumns,
	casts: `$1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::int[], $7::bigint[],
		$8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::bigint[], $14::bigint[],
		$15::text[], $16::text[], $17::text[], $18::text[], $19::text[], $20::text[], $21::text[], $22::bigint[],
		$23::text[], $24::text[], $25::boolean[], $26::boolean[]`,
	move: `INSERT INTO packages (` + sqlutil.PackageRowColumns + `) SELECT * FROM %s
		ON CONFLICT (seller_id, order_id, package_id) DO UPDATE SET ` + sqlutil.PackageRowUpdate}

func (t *Tx) PutPackages(ctx context.Context, ps []*ingest.Package) error {
	rows := make([][]any, len(ps))
	for i, p := range ps {
		rows[i] = sqlutil.PackageRow(p)
	}
	return t.put(ctx, &packagesBulk, rows)
}

// Unchanged indexed columns (policy, day) keep the update heap-only.
var verdictsBulk = bulk{name: "verdicts", table: "packages",
	cols: `seller_id, order_id, package_id, policy, outcome, reasons, warnings, carrier, detected, explanation, day, category, ship_from_id, delivered, on_time`,
	casts: `$1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[],
		$11::bigint[], $12::text[], $13::text[], $14::boolean[], $15::boolean[]`,
	move: `UPDATE packages p SET policy = v.policy, outcome = v.outcome, reasons = v.reasons, warnings = v.warnings,
		carrier = v.carrier, detected = v.detected, explanation = v.explanation, day = v.day, category = v.category,
		ship_from_id = v.ship_from_id, delivered = v.delivered, on_time = v.on_time
		FROM %s WHERE p.seller_id = v.seller_id AND p.order_id = v.order_id AND p.package_id = v.package_id`}

func (t *Tx) PutVerdicts(ctx context.Context, vs []ingest.Verdict) error {
	rows := make([][]any, len(vs))
	for i, v := range vs {
		c, k := &v.Counted, v.Key
		rows[i] = []any{k.Seller, k.Order, k.Package, c.Policy, c.Outcome, c.Reasons, c.Warnings, c.Carrier, c.Detected, c.Explanation,
			c.Day, c.Category, c.ShipFrom, c.Delivered, c.OnTime}
	}
	return t.put(ctx, &verdictsBulk, rows)
}

func (t *Tx) Orphans(ctx context.Context, orderIDs []string) ([]ingest.Orphan, error) {
	var out []ingest.Orphan
	return out, t.run(ctx, readOrphans(orderIDs, &out))
}

func readOrphans(orderIDs []string, out *[]ingest.Orphan) read {
	return read{`SELECT seller_id, order_id, seq, kind, body FROM orphans WHERE order_id = ANY($1) ORDER BY seller_id, order_id, seq`, []any{orderIDs}, func(r sqlutil.Scanner) error {
		o, err := sqlutil.ScanOrphan(r)
		*out = append(*out, o)
		return err
	}}
}

// Read sends the reads of q together, after the queued writes: one
// round trip.
func (t *Tx) Read(ctx context.Context, q ingest.Reads) (ingest.ReadResults, error) {
	var f ingest.ReadResults
	var rs []read
	if len(q.OrderSellers) > 0 {
		f.OrderSellers = map[string][]string{}
		rs = append(rs, readOrderSellers(q.OrderSellers, f.OrderSellers))
	}
	if len(q.Orders) > 0 {
		rs = append(rs, readOrders(q.Orders, &f.Orders), readOrderPackages(q.Orders, &f.Packages))
	}
	if len(q.History) > 0 {
		rs = append(rs, readHistories(q.History, &f.History))
	}
	if len(q.OrphansOf) > 0 {
		rs = append(rs, readOrphans(q.OrphansOf, &f.Orphans))
	}
	if len(q.Sellers) > 0 {
		f.Sellers = map[string]vtr.Seller{}
		rs = append(rs, readSellers(q.Sellers, f.Sellers))
	}
	if q.Wants != "" {
		rs = append(rs, read{sqlutil.WantsSQL, nil, sqlutil.WantsRow(q.Wants, &f.Wanted)})
	}
	if len(q.Numbers) > 0 {
		f.Numbers = map[string][]ingest.PackageKey{}
		rs = append(rs, readPackagesByNumber(q.Numbers, f.Numbers))
	}
	if len(q.Summaries) > 0 {
		f.Summaries = make(map[string]vtr.ScanSummary, len(q.Summaries))
		rs = append(rs, readSummaries(q.Summaries, f.Summaries))
	}
	return f, t.run(ctx, rs...)
}

func (t *Tx) DeleteOrphans(ctx context.Context, groups []ingest.OrderRef) error {
	if len(groups) == 0 {
		return nil
	}
	sellers, orders := sqlutil.Refs(groups)
	return t.Exec(ctx, `DELETE FROM orphans WHERE `+refsIn, sellers, orders)
}

func (t *Tx) AddOrphans(ctx context.Context, os []ingest.Orphan) error {
	if len(os) == 0 {
		return nil
	}
	rows := make([][]any, len(os))
	for i, o := range os {
		rows[i] = []any{o.SellerID, o.OrderID, o.Seq, o.Kind, string(o.Body)}
	}
	return t.Exec(ctx, `INSERT INTO orphans (seller_id, order_id, seq, kind, body)
		SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[])`, columns(rows)...)
}

func (t *Tx) PackagesByNumber(ctx context.Context, nums []string) (map[string][]ingest.PackageKey, error) {
	out := map[string][]ingest.PackageKey{}
	if len(nums) == 0 {
		return out, nil
	}
	return out, t.run(ctx, readPackagesByNumber(nums, out))
}

func readPackagesByNumber(nums []string, out map[string][]ingest.PackageKey) read {
	return read{`SELECT tracking_norm, seller_id, order_id, package_id FROM packages WHERE tracking_norm = ANY($1)`, []any{nums}, func(r sqlutil.Scanner) error {
		var num string
		var k ingest.PackageKey
		err := r.Scan(&num, &k.Seller, &k.Order, &k.Package)
		out[num] = append(out[num], k)
		return err
	}}
}

func (t *Tx) NumberOrders(ctx context.Context, nums []string) (map[string][]ingest.NumberOrder, error) {
	out := map[string][]ingest.NumberOrder{}
	return out, t.run(ctx, read{`SELECT p.tracking_norm, o.seller_id, o.order_id, MIN(p.cur_shipped_at), o.ship_to FROM packages p
		JOIN orders o ON o.seller_id = p.seller_id AND o.order_id = p.order_id
		WHERE p.tracking_norm = ANY($1) GROUP BY p.tracking_norm, o.seller_id, o.order_id, o.ship_to`, []any{nums}, func(r sqlutil.Scanner) error {
		num, o, err := sqlutil.ScanNumberOrder(r)
		out[num] = append(out[num], o)
		return err
	}})
}

// AddEvents sends the events in a round trip of their own and returns:
// the import goes on while the server stores them (Tx), and while a
// goroutine writes their rows (sendCopy).
//
// An event is usually new, and a plain INSERT stores events in half the
// server's time of one that skips those stored already (ON CONFLICT DO
// NOTHING, which also had to return the keys of those it stored): 400,000
// events in 0.8 s against 1.6 s; COPY in less again. So the
// events are copied under a savepoint; when one of them is stored
// already (a feed read again, or overlapping another writer) the COPY
// fails as a whole, the transaction rolls back to the savepoint, and the
// events are copied into their stage, and moved from there by an INSERT
// skipping those there, returning the keys of those it stored.
//
// A savepoint that writes is a subtransaction, and past 64 in one
// transaction PostgreSQL's snapshots overflow their cache of them: every
// other session then looks up pg_subtrans to tell whether a row the
// import wrote is visible. A transaction takes at most maxSavepoints;
// its later chunks (a transaction of 400,000 records at full density
// has some 66) go by the stage from the start.
func (t *Tx) AddEvents(ctx context.Context, evs []*vtr.Event) ingest.EventsDone {
	if len(evs) == 0 {
		return func() ([]*vtr.Event, error) { return nil, nil }
	}
	var st *sqlutil.StoredEvents
	var stored []*vtr.Event
	keys := func() {
		if st != nil {
			stored = st.Stored
		}
	}
	if t.conn == nil { // not a write transaction begun by hand: nothing to overlap
		rows := make([][]any, len(evs))
		for i, e := range evs {
			rows[i] = sqlutil.AppendEvent(make([]any, 0, 19), e)
		}
		st = sqlutil.NewStoredEvents(evs)
		err := t.run(ctx, read{eventsBulk.fromUnnest(), columns(rows), st.Row})
		keys()
		return func() ([]*vtr.Event, error) { return stored, err }
	}
	// skipping sends the events to be stored skipping those there, by
	// their stage, returning the keys of those it stored (st), with the
	// steps after.
	skipping := func(after []step, then func() error) error {
		st = sqlutil.NewStoredEvents(evs)
		after = append([]step{{q: eventsBulk.fromStage(), row: st.Row}, eventsBulk.emptyStage()}, after...)
		return t.sendCopy(ctx, []step{eventsBulk.createStage()}, eventsBulk.copyStage(), eventRows(evs), after, nil, then)
	}
	var conflict bool
	savepoint := t.savepoints < maxSavepoints
	then := func() error {
		switch {
		case !savepoint:
			keys()
			return nil
		case !conflict:
			stored = evs // all new: one stored already fails the COPY, as does one sent twice
			return nil
		}
		// Rolled back to the savepoint, the writes sent before it stand. The
		// rollback goes alone: until it is done, the server refuses even
		// to prepare another statement.
		if err := t.sendSteps(ctx, []step{{q: "ROLLBACK TO SAVEPOINT vtr_events"}}, nil); err != nil {
			return err
		}
		if err := t.settle(); err != nil {
			return err
		}
		if err := skipping([]step{{q: "RELEASE SAVEPOINT vtr_events"}}, nil); err != nil {
			return err
		}
		if err := t.settle(); err != nil {
			return err
		}
		keys()
		return nil
	}
	var err error
	if savepoint {
		t.savepoints++
		err = t.sendCopy(ctx, []step{{q: "SAVEPOINT vtr_events"}}, eventsBulk.copyTable(), eventRows(evs),
			[]step{{q: "RELEASE SAVEPOINT vtr_events"}}, &conflict, then)
	} else {
		err = skipping(nil, then)
	}
	rt := t.inflight
	return func() ([]*vtr.Event, error) {
		if err == nil {
			err = t.wait(rt)
		}
		return stored, err
	}
}

func (t *Tx) Summaries(ctx context.Context, nums []string) (map[string]vtr.ScanSummary, error) {
	out := make(map[string]vtr.ScanSummary, len(nums))
	return out, t.run(ctx, readSummaries(nums, out))
}

// readSummaries joins the numbers to scan_summaries from unnest instead of
// matching them with = ANY: when the import read the summaries of up to
// 5,000 numbers with each chunk of events, a 5-day import at full
// density took 67.8–82.7 s with the join against 76.1–95.5 s (four runs
// each, interleaved), the server's CPU 57 s against 65 s on average.
func readSummaries(nums []string, out map[string]vtr.ScanSummary) read {
	return read{`SELECT s.tracking_norm, ` + sqlutil.Prefixed("s.", sqlutil.SummaryColumns) + ` FROM unnest($1::text[]) AS n (num) JOIN scan_summaries s ON s.tracking_norm = n.num`, []any{nums}, sqlutil.SummariesInto(out)}
}

// summariesBulk merges summary deltas into scan_summaries
// (vtr.ScanSummary.Merge), returning the merged rows.
var summariesBulk = bulk{name: "summaries", table: "scan_summaries", cols: `tracking_norm, ` + sqlutil.SummaryColumns,
	casts: `$1::text[], $2::int[], $3::int[], $4::int[], $5::bigint[], $6::bigint[], $7::text[], $8::text[], $9::text[],
		$10::text[], $11::text[], $12::bigint[], $13::bigint[], $14::text[], $15::bigint[], $16::text[], $17::int[]`,
	move: `INSERT INTO scan_summaries AS s (tracking_norm, ` + sqlutil.SummaryColumns + `) SELECT * FROM %s
		ON CONFLICT (tracking_norm) DO UPDATE SET ` + sqlutil.MergeSummaries(` COLLATE "C"`) + `
		RETURNING s.tracking_norm, ` + sqlutil.Prefixed("s.", sqlutil.SummaryColumns)}

// MergeSummaries merges the deltas from unnest, or by their stage when
// there are stageRows of them or more (a batch's).
func (t *Tx) MergeSummaries(ctx context.Context, deltas []ingest.NumberSummary) (map[string]vtr.ScanSummary, error) {
	out := make(map[string]vtr.ScanSummary, len(deltas))
	if len(deltas) == 0 {
		return out, nil
	}
	rows := summaryRows(deltas)
	if len(rows) < stageRows || t.conn == nil {
		return out, t.run(ctx, read{summariesBulk.fromUnnest(), columns(rows), sqlutil.SummariesInto(out)})
	}
	if err := t.sendCopy(ctx, []step{summariesBulk.createStage()}, summariesBulk.copyStage(), valueRows(rows),
		[]step{{q: summariesBulk.fromStage(), row: sqlutil.SummariesInto(out)}, summariesBulk.emptyStage()}, nil, nil); err != nil {
		return nil, err
	}
	return out, t.settle()
}

func summaryRows(deltas []ingest.NumberSummary) [][]any {
	rows := make([][]any, len(deltas))
	for i, d := range deltas {
		rows[i] = sqlutil.SummaryRow(d.Num, d.Summary)
	}
	return rows
}

func (t *Tx) AddDaily(ctx context.Context, d []ingest.DailyDelta) error {
	if len(d) == 0 {
		return nil
	}
	rows := make([][]any, len(d))
	for i, x := range d {
		k := x.Key
		rows[i] = []any{k.Seller, k.Policy, k.Day, k.Category, k.Carrier, k.ShipFrom, x.Valid, x.Invalid, x.Exempt, x.Delivered, x.OnTime}
	}
	cols := columns(rows)
	if err := t.Exec(ctx, `INSERT INTO vtr_daily (seller_id, policy, day, category, carrier, ship_from_id, valid, invalid, exempt, delivered, on_time)
		SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::int[], $8::int[], $9::int[], $10::int[], $11::int[])
		ON CONFLICT (seller_id, policy, day, category, carrier, ship_from_id) DO UPDATE SET valid = vtr_daily.valid + excluded.valid,
		invalid = vtr_daily.invalid + excluded.invalid, exempt = vtr_daily.exempt + excluded.exempt,
		delivered = vtr_daily.delivered + excluded.delivered, on_time = vtr_daily.on_time + excluded.on_time`, cols...); err != nil {
		return err
	}
	// Rows that fell to zero, among those this batch touched.
	return t.Exec(ctx, `DELETE FROM vtr_daily WHERE valid = 0 AND invalid = 0 AND exempt = 0 AND delivered = 0 AND on_time = 0
		AND (seller_id, policy, day, category, carrier, ship_from_id) IN
		(SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[]))`, cols[:6]...)
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
	cols := columns(rows)
	if err := t.Exec(ctx, `INSERT INTO order_daily (seller_id, policy, kind, day, total, hits)
		SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::int[], $6::int[])
		ON CONFLICT (seller_id, policy, kind, day) DO UPDATE SET total = order_daily.total + excluded.total, hits = order_daily.hits + excluded.hits`,
		cols...); err != nil {
		return err
	}
	return t.Exec(ctx, `DELETE FROM order_daily WHERE total = 0 AND hits = 0 AND (seller_id, policy, kind, day) IN
		(SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[]))`, cols[:4]...)
}

func (t *Tx) AddReasonDaily(ctx context.Context, d []ingest.ReasonDelta) error {
	if len(d) == 0 {
		return nil
	}
	rows := sqlutil.ReasonRows(d)
	cols := columns(rows)
	if err := t.Exec(ctx, `INSERT INTO reason_daily (seller_id, policy, day, reason, invalid)
		SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::int[])
		ON CONFLICT (seller_id, policy, day, reason) DO UPDATE SET invalid = reason_daily.invalid + excluded.invalid`, cols...); err != nil {
		return err
	}
	// Rows that fell to zero, among those this batch touched.
	return t.Exec(ctx, `DELETE FROM reason_daily WHERE invalid = 0 AND (seller_id, policy, day, reason) IN
		(SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[]))`, cols[:4]...)
}

func (t *Tx) AddUnknown(ctx context.Context, u []vtr.UnknownCode) error {
	if len(u) == 0 {
		return nil
	}
	rows := make([][]any, len(u))
	for i, c := range u {
		rows[i] = []any{c.Source, c.Carrier, c.Code, c.Example, c.Count}
	}
	return t.Exec(ctx, `INSERT INTO unknown_codes (source, carrier, code, example, count) SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[])
		ON CONFLICT (source, carrier, code) DO UPDATE SET count = unknown_codes.count + excluded.count`, columns(rows)...)
}

// Pipelined says a write transaction sends its statements together
// (ingest.Pipelined).
func (d *DB) Pipelined() bool { return true }
