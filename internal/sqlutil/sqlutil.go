// Package sqlutil holds the small helpers both SQL engines share: how a
// time is stored, how rows are walked, how a list is kept as JSON, and
// how embedded migrations are listed. SQL itself stays in each engine.
package sqlutil

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/ingest"
)

// Unix stores a time as Unix seconds, the zero time as 0.
func Unix(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}

// FromUnix is the inverse of Unix.
func FromUnix(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(n, 0).UTC()
}

// Each runs fn for every row of a query (rows and err as QueryContext
// returned them) and closes the rows.
func Each(rows *sql.Rows, err error, fn func(*sql.Rows) error) error {
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// JSONList encodes a list as JSON, nil as [].
func JSONList[T any](v []T) string {
	if v == nil {
		v = []T{}
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// Migration is one embedded schema migration.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// Migrations lists the *.sql files of dir in fsys, ordered by the
// version number that starts each name (0001_init.sql).
func Migrations(fsys fs.FS, dir string) ([]Migration, error) {
	names, err := fs.Glob(fsys, dir+"/*.sql")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var out []Migration
	for _, name := range names {
		base := strings.TrimPrefix(name, dir+"/")
		v, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if err != nil {
			return nil, fmt.Errorf("migrate: bad migration name %s", base)
		}
		body, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		out = append(out, Migration{Version: v, Name: base, SQL: string(body)})
	}
	return out, nil
}

// DecodeSeller fills a seller's lists from their JSON columns.
func DecodeSeller(s *vtr.Seller, pol, sf string) error {
	if err := json.Unmarshal([]byte(pol), &s.Policies); err != nil {
		return fmt.Errorf("seller %s: policies: %w", s.ID, err)
	}
	if err := json.Unmarshal([]byte(sf), &s.ShipFrom); err != nil {
		return fmt.Errorf("seller %s: ship_from: %w", s.ID, err)
	}
	return nil
}

// OrderColumns are the orders table's columns, in ScanOrder's order.
const OrderColumns = `seller_id, order_id, policy, purchased_at, category, value_minor, currency, ship_to, ship_by, deliver_by,
		digital, freight, cancelled_at, cancelled_by_seller, first_shipped_at`

// ScanOrder reads an order row (OrderColumns).
func ScanOrder(r interface{ Scan(...any) error }) (ingest.OrderState, error) {
	var st ingest.OrderState
	o := &st.Order
	var purchased, shipBy, deliverBy, cancelled, firstShipped int64
	var shipTo string
	var bySeller bool
	if err := r.Scan(&o.SellerID, &o.ID, &o.Policy, &purchased, &o.Category, &o.Value.Minor, &o.Value.Currency, &shipTo, &shipBy, &deliverBy,
		&o.Digital, &o.Freight, &cancelled, &bySeller, &firstShipped); err != nil {
		return st, err
	}
	o.PurchasedAt, o.ShipBy, o.DeliverBy = FromUnix(purchased), FromUnix(shipBy), FromUnix(deliverBy)
	if err := json.Unmarshal([]byte(shipTo), &o.ShipTo); err != nil {
		return st, fmt.Errorf("order %s/%s: ship_to: %w", o.SellerID, o.ID, err)
	}
	if cancelled != 0 {
		st.Cancellation = &vtr.Cancellation{SellerID: o.SellerID, OrderID: o.ID, CancelledAt: FromUnix(cancelled), BySeller: bySeller}
	}
	st.FirstShippedAt = FromUnix(firstShipped)
	return st, nil
}

// ShipmentColumns are a confirmation's columns, in ScanShipment's order.
const ShipmentColumns = `carrier, carrier_name, tracking_number, ship_method, ship_from_id, shipped_at, uploaded_at`

// ScanShipment appends to dest the destinations of ShipmentColumns.
func ScanShipment(dest []any, s *vtr.Shipment, shipped, uploaded *int64) []any {
	return append(dest, &s.Carrier, &s.CarrierName, &s.TrackingNumber, &s.ShipMethod, &s.ShipFromID, shipped, uploaded)
}

// Prefixed qualifies every column of a list with a table alias.
func Prefixed(p, cols string) string {
	parts := strings.Split(cols, ",")
	for i, c := range parts {
		parts[i] = p + strings.TrimSpace(c)
	}
	return strings.Join(parts, ", ")
}

// EventColumns are the events table's columns, 19 of them.
const EventColumns = `tracking_norm, event_id, carrier, reported_by, occurred_at, utc_offset, offset_known, code, type_code,
		description, status, class, class_rule, city, state, postal_code, country, source, source_id`

// A RowWriter takes a row's values one at a time, in its columns' order:
// an engine writes them where its statement wants them (bind arguments,
// a COPY stream) without boxing each in an interface.
type RowWriter interface {
	Text(string)
	Int(int64)
	Bool(bool)
}

// WriteEvent writes an event's values, in EventColumns' order, to w.
func WriteEvent(w RowWriter, e *vtr.Event) {
	w.Text(e.TrackingNumber)
	w.Text(e.ID)
	w.Text(e.Carrier)
	w.Text(e.ReportedBy)
	w.Int(Unix(e.OccurredAt))
	w.Int(int64(e.OffsetSeconds))
	w.Bool(e.OffsetKnown)
	w.Text(e.Code)
	w.Text(e.TypeCode)
	w.Text(e.Description)
	w.Text(string(e.Status))
	w.Text(string(e.Class))
	w.Text(e.ClassRule)
	w.Text(e.Location.City)
	w.Text(e.Location.State)
	w.Text(e.Location.PostalCode)
	w.Text(e.Location.Country)
	w.Text(e.Source)
	w.Text(e.SourceID)
}

// AppendEvent appends an event's values, in EventColumns' order, to args.
func AppendEvent(args []any, e *vtr.Event) []any {
	w := argWriter{args}
	WriteEvent(&w, e)
	return w.args
}

// argWriter is a RowWriter appending to bind arguments.
type argWriter struct{ args []any }

func (w *argWriter) Text(s string) { w.args = append(w.args, s) }
func (w *argWriter) Int(n int64)   { w.args = append(w.args, n) }
func (w *argWriter) Bool(b bool)   { w.args = append(w.args, b) }

// SummaryColumns are a scan summary's columns after its number.
const SummaryColumns = `events, physical, unknown, first_event_at, first_physical_at, first_physical_id, fp_city, fp_state,
		fp_postal_code, fp_country, delivered_at, attempted_at, last_status, last_at, last_id, delivered_offset`

// MergeSummaries is the SET clause of an upsert of scan summaries that
// merges the row proposed (excluded) into the stored one (s): the SQL of
// vtr.ScanSummary.Merge, a zero time meaning none. byteOrder is the
// collation under which text compares byte by byte, as Go's strings do
// (PostgreSQL: COLLATE "C"; SQLite's default: "").
func MergeSummaries(byteOrder string) string {
	x, old := "excluded.", "s."
	// take sets each column to the proposed value when cond holds.
	take := func(cond string, cols ...string) string {
		var b strings.Builder
		for i, c := range cols {
			if i > 0 {
				b.WriteString(",\n\t\t")
			}
			fmt.Fprintf(&b, "%s = CASE WHEN %s THEN %s%s ELSE %s%s END", c, cond, x, c, old, c)
		}
		return b.String()
	}
	// earlier: the proposed time is set, and before the stored one or
	// the stored one is not set; tie, if given, breaks equal times.
	earlier := func(col, tie string) string {
		c := fmt.Sprintf("%[1]s%[3]s <> 0 AND (%[2]s%[3]s = 0 OR %[1]s%[3]s < %[2]s%[3]s", x, old, col)
		if tie != "" {
			c += fmt.Sprintf(" OR %[1]s%[3]s = %[2]s%[3]s AND %[4]s", x, old, col, tie)
		}
		return c + ")"
	}
	later := fmt.Sprintf("%[1]slast_at <> 0 AND (%[2]slast_at = 0 OR %[1]slast_at > %[2]slast_at OR %[1]slast_at = %[2]slast_at AND %[1]slast_id%[3]s > %[2]slast_id%[3]s)", x, old, byteOrder)
	return strings.Join([]string{
		"events = s.events + excluded.events, physical = s.physical + excluded.physical, unknown = s.unknown + excluded.unknown",
		take(earlier("first_event_at", ""), "first_event_at"),
		take(later, "last_at", "last_id", "last_status"),
		take(earlier("first_physical_at", fmt.Sprintf("%sfirst_physical_id%s < %sfirst_physical_id%s", x, byteOrder, old, byteOrder)),
			"first_physical_at", "first_physical_id", "fp_city", "fp_state", "fp_postal_code", "fp_country"),
		take(earlier("delivered_at", x+"delivered_offset < "+old+"delivered_offset"), "delivered_at", "delivered_offset"),
		take(earlier("attempted_at", ""), "attempted_at"),
	}, ",\n\t\t")
}

// SummariesInto reads summary rows (a number and SummaryColumns) into out.
func SummariesInto(out map[string]vtr.ScanSummary) func(Scanner) error {
	return func(r Scanner) error {
		var num string
		var s vtr.ScanSummary
		if err := ScanSummary(r, &num, &s); err != nil {
			return err
		}
		out[num] = s
		return nil
	}
}

// ScanSummary reads a summary row after a leading tracking number.
func ScanSummary(row interface{ Scan(...any) error }, num *string, s *vtr.ScanSummary) error {
	var fe, fp, del, att, last int64
	var lastStatus string
	if err := row.Scan(num, &s.Events, &s.Physical, &s.Unknown, &fe, &fp, &s.FirstPhysicalID, &s.FirstPhysicalLocation.City,
		&s.FirstPhysicalLocation.State, &s.FirstPhysicalLocation.PostalCode, &s.FirstPhysicalLocation.Country, &del, &att, &lastStatus, &last, &s.LastID, &s.DeliveredOffset); err != nil {
		return err
	}
	s.FirstEventAt, s.FirstPhysicalAt, s.DeliveredAt, s.AttemptedAt, s.LastAt = FromUnix(fe), FromUnix(fp), FromUnix(del), FromUnix(att), FromUnix(last)
	s.LastStatus = vtr.EventStatus(lastStatus)
	return nil
}

// EachEvent streams the whole table to fn (Verify).
func (s *Stmts) EachEvent(ctx context.Context, fn func(*vtr.Event) error) error {
	rows, err := s.Tx.QueryContext(ctx, `SELECT tracking_norm, event_id, occurred_at, utc_offset, offset_known, status, class, city, state, postal_code, country FROM events`)
	return Each(rows, err, func(r *sql.Rows) error {
		var e vtr.Event
		var at int64
		var status, class string
		if err := r.Scan(&e.TrackingNumber, &e.ID, &at, &e.OffsetSeconds, &e.OffsetKnown, &status, &class, &e.Location.City, &e.Location.State, &e.Location.PostalCode, &e.Location.Country); err != nil {
			return err
		}
		e.OccurredAt, e.Status, e.Class = FromUnix(at), vtr.EventStatus(status), vtr.EventClass(class)
		return fn(&e)
	})
}

// EachSummary streams the whole table to fn (Verify).
func (s *Stmts) EachSummary(ctx context.Context, fn func(string, *vtr.ScanSummary) error) error {
	rows, err := s.Tx.QueryContext(ctx, `SELECT tracking_norm, `+SummaryColumns+` FROM scan_summaries`)
	return Each(rows, err, func(r *sql.Rows) error {
		var num string
		var sum vtr.ScanSummary
		if err := ScanSummary(r, &num, &sum); err != nil {
			return err
		}
		return fn(num, &sum)
	})
}

// EachPackage streams the whole table to fn (Verify).
func (s *Stmts) EachPackage(ctx context.Context, fn func(ingest.PackageKey) error) error {
	rows, err := s.Tx.QueryContext(ctx, `SELECT seller_id, order_id, package_id FROM packages ORDER BY seller_id, order_id, package_id`)
	return Each(rows, err, func(r *sql.Rows) error {
		var k ingest.PackageKey
		if err := r.Scan(&k.Seller, &k.Order, &k.Package); err != nil {
			return err
		}
		return fn(k)
	})
}

// EachOrder streams the whole table to fn (Verify).
func (s *Stmts) EachOrder(ctx context.Context, fn func(*ingest.OrderState) error) error {
	rows, err := s.Tx.QueryContext(ctx, `SELECT `+OrderColumns+` FROM orders`)
	return Each(rows, err, func(r *sql.Rows) error {
		st, err := ScanOrder(r)
		if err != nil {
			return err
		}
		return fn(&st)
	})
}

// EachDaily streams the whole table to fn (Verify).
func (s *Stmts) EachDaily(ctx context.Context, fn func(*ingest.DailyDelta) error) error {
	rows, err := s.Tx.QueryContext(ctx, `SELECT seller_id, policy, day, category, carrier, ship_from_id, valid, invalid, exempt, delivered, on_time FROM vtr_daily`)
	return Each(rows, err, func(r *sql.Rows) error {
		var d ingest.DailyDelta
		k := &d.Key
		if err := r.Scan(&k.Seller, &k.Policy, &k.Day, &k.Category, &k.Carrier, &k.ShipFrom, &d.Valid, &d.Invalid, &d.Exempt, &d.Delivered, &d.OnTime); err != nil {
			return err
		}
		return fn(&d)
	})
}

// EachOrderDaily streams the whole table to fn (Verify).
func (s *Stmts) EachOrderDaily(ctx context.Context, fn func(*ingest.OrderDelta) error) error {
	rows, err := s.Tx.QueryContext(ctx, `SELECT seller_id, policy, kind, day, total, hits FROM order_daily`)
	return Each(rows, err, func(r *sql.Rows) error {
		var d ingest.OrderDelta
		k := &d.Key
		if err := r.Scan(&k.Seller, &k.Policy, &k.Kind, &k.Day, &d.Total, &d.Hits); err != nil {
			return err
		}
		return fn(&d)
	})
}

// EachOrphan streams the whole table to fn (Verify).
func (s *Stmts) EachOrphan(ctx context.Context, fn func(*ingest.Orphan) error) error {
	rows, err := s.Tx.QueryContext(ctx, `SELECT seller_id, order_id, kind, body FROM orphans ORDER BY seller_id, order_id, seq`)
	return Each(rows, err, func(r *sql.Rows) error {
		var o ingest.Orphan
		var body string
		if err := r.Scan(&o.SellerID, &o.OrderID, &o.Kind, &body); err != nil {
			return err
		}
		o.Body = []byte(body)
		return fn(&o)
	})
}

// Scanner is a row being read (*sql.Row or *sql.Rows).
type Scanner interface{ Scan(...any) error }

// Refs splits order references into parallel lists of seller and order
// IDs (for array parameters).
func Refs(refs []ingest.OrderRef) (sellers, orders []string) {
	sellers, orders = make([]string, len(refs)), make([]string, len(refs))
	for i, r := range refs {
		sellers[i], orders[i] = r.Seller, r.Order
	}
	return sellers, orders
}

// JSONRefs encodes order references as a JSON array of [seller, order]
// pairs (for json_each).
func JSONRefs(refs []ingest.OrderRef) string {
	pairs := make([][2]string, len(refs))
	for i, r := range refs {
		pairs[i] = [2]string{r.Seller, r.Order}
	}
	return JSONList(pairs)
}

// PackageColumns are the packages table's columns, in ScanPackage's order.
const PackageColumns = `seller_id, order_id, package_id, tracking_norm, cur_seq, first_uploaded_at, edits, policy, outcome, category,
		carrier, ship_from_id, day, delivered, on_time, reasons, warnings, detected, explanation, ` + CurrentColumns

// CurrentColumns are a package's current confirmation, kept with it
// (ShipmentColumns' order).
const CurrentColumns = `cur_carrier, cur_carrier_name, cur_tracking_number, cur_ship_method, cur_ship_from_id, cur_shipped_at, cur_uploaded_at`

// ScanPackage reads a package row (PackageColumns) with its current
// confirmation.
func ScanPackage(r Scanner) (ingest.Package, error) {
	var p ingest.Package
	var firstUp, shipped, uploaded int64
	c := &p.Counted
	err := r.Scan(ScanShipment([]any{&p.Key.Seller, &p.Key.Order, &p.Key.Package, &p.Tracking, &p.CurSeq, &firstUp, &p.Edits, &c.Policy, &c.Outcome, &c.Category,
		&c.Carrier, &c.ShipFrom, &c.Day, &c.Delivered, &c.OnTime, &c.Reasons, &c.Warnings, &c.Detected, &c.Explanation}, &p.Current, &shipped, &uploaded)...)
	p.FirstUploadedAt = FromUnix(firstUp)
	p.Current.SellerID, p.Current.OrderID, p.Current.PackageID = p.Key.Seller, p.Key.Order, p.Key.Package
	p.Current.ShippedAt, p.Current.UploadedAt = FromUnix(shipped), FromUnix(uploaded)
	return p, err
}

// PackageRow is a whole package row as PutPackages writes it: key,
// tracking_norm, first_uploaded_at, edits, cur_seq, CurrentColumns, then
// VerdictColumns (PackageRowColumns' order).
func PackageRow(p *ingest.Package) []any {
	s, c := &p.Current, &p.Counted
	return []any{p.Key.Seller, p.Key.Order, p.Key.Package, p.Tracking, Unix(p.FirstUploadedAt), int64(p.Edits), p.CurSeq,
		s.Carrier, s.CarrierName, s.TrackingNumber, s.ShipMethod, s.ShipFromID, Unix(s.ShippedAt), Unix(s.UploadedAt),
		c.Policy, c.Outcome, c.Reasons, c.Warnings, c.Carrier, c.Detected, c.Explanation, c.Day, c.Category, c.ShipFrom, c.Delivered, c.OnTime}
}

// VerdictColumns are a package's stored verdict (ingest.Counted).
const VerdictColumns = `policy, outcome, reasons, warnings, carrier, detected, explanation, day, category, ship_from_id, delivered, on_time`

// PackageRowColumns are PackageRow's columns.
const PackageRowColumns = `seller_id, order_id, package_id, tracking_norm, first_uploaded_at, edits, cur_seq, ` + CurrentColumns + `, ` + VerdictColumns

// PackageRowUpdate is the SET list of an upsert of PackageRow: every
// column but the key (the first three), from excluded.
var PackageRowUpdate = setExcluded(PackageRowColumns, 3)

// setExcluded is the SET list "c = excluded.c, …" of the columns cols
// (a comma-separated list) after the first skip.
func setExcluded(cols string, skip int) string {
	var b strings.Builder
	for i, c := range strings.Split(cols, ",")[skip:] {
		if i > 0 {
			b.WriteString(", ")
		}
		c = strings.TrimSpace(c)
		b.WriteString(c + " = excluded." + c)
	}
	return b.String()
}

// ShipmentRowColumns are a stored confirmation's columns with its key,
// in ScanShipmentRow's order.
const ShipmentRowColumns = `seller_id, order_id, package_id, seq, ` + ShipmentColumns

// ScanShipmentRow reads a confirmation (ShipmentRowColumns).
func ScanShipmentRow(r Scanner) (ingest.ShipmentRow, error) {
	var row ingest.ShipmentRow
	s := &row.Shipment
	var shipped, uploaded int64
	err := r.Scan(ScanShipment([]any{&s.SellerID, &s.OrderID, &s.PackageID, &row.Seq}, s, &shipped, &uploaded)...)
	s.ShippedAt, s.UploadedAt = FromUnix(shipped), FromUnix(uploaded)
	return row, err
}

// ScanNumberOrder reads a number, an order carrying it, the earliest
// ship time and the order's destination (JSON).
func ScanNumberOrder(r Scanner) (string, ingest.NumberOrder, error) {
	var num, shipTo string
	var o ingest.NumberOrder
	var at int64
	if err := r.Scan(&num, &o.Seller, &o.Order, &at, &shipTo); err != nil {
		return "", o, err
	}
	o.ShippedAt = FromUnix(at)
	return num, o, json.Unmarshal([]byte(shipTo), &o.ShipTo)
}

// ScanOrphan reads a parked record (seller_id, order_id, seq, kind, body).
func ScanOrphan(r Scanner) (ingest.Orphan, error) {
	var o ingest.Orphan
	var body string
	err := r.Scan(&o.SellerID, &o.OrderID, &o.Seq, &o.Kind, &body)
	o.Body = []byte(body)
	return o, err
}

// OrderRow is an order's columns (OrderColumns) as stored.
func OrderRow(st *ingest.OrderState) []any {
	o := &st.Order
	shipTo, _ := json.Marshal(o.ShipTo)
	var cancelled int64
	var bySeller bool
	if c := st.Cancellation; c != nil {
		cancelled, bySeller = Unix(c.CancelledAt), c.BySeller
	}
	return []any{o.SellerID, o.ID, o.Policy, Unix(o.PurchasedAt), o.Category, o.Value.Minor, o.Value.Currency, string(shipTo),
		Unix(o.ShipBy), Unix(o.DeliverBy), o.Digital, o.Freight, cancelled, bySeller, Unix(st.FirstShippedAt)}
}

// SummaryRow is a number and its summary's columns (SummaryColumns).
func SummaryRow(num string, s *vtr.ScanSummary) []any {
	l := s.FirstPhysicalLocation
	return []any{num, s.Events, s.Physical, s.Unknown, Unix(s.FirstEventAt), Unix(s.FirstPhysicalAt), s.FirstPhysicalID, l.City, l.State,
		l.PostalCode, l.Country, Unix(s.DeliveredAt), Unix(s.AttemptedAt), string(s.LastStatus), Unix(s.LastAt), s.LastID, s.DeliveredOffset}
}

// ShipmentRowArgs is a confirmation's columns (ShipmentRowColumns).
func ShipmentRowArgs(r *ingest.ShipmentRow) []any {
	s := &r.Shipment
	return []any{s.SellerID, s.OrderID, s.PackageID, r.Seq, s.Carrier, s.CarrierName, s.TrackingNumber, s.ShipMethod, s.ShipFromID, Unix(s.ShippedAt), Unix(s.UploadedAt)}
}

// Values is n rows of cols placeholders for a multi-row INSERT:
// "(?, ?), (?, ?)".
func Values(n, cols int) string {
	row := "(?" + strings.Repeat(", ?", cols-1) + ")"
	return row + strings.Repeat(", "+row, n-1)
}

// Stmts runs a transaction's statements, each prepared once per
// transaction; Translate turns driver errors into domain errors. With
// Direct, statements go to the driver as they are: pgx keeps prepared
// statements per connection across transactions, so preparing and
// closing them in every transaction only costs round trips (a third of
// a small transaction's time on PostgreSQL).
type Stmts struct {
	Tx        Querier
	Translate func(error) error
	Direct    bool
	m         map[string]*sql.Stmt
}

// Querier runs statements: a transaction (*sql.Tx), or the connection
// (*sql.Conn) of one begun by hand.
type Querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	PrepareContext(ctx context.Context, query string) (*sql.Stmt, error)
}

// NewStmts returns the statement runner of a transaction.
func NewStmts(tx Querier, translate func(error) error) Stmts {
	return Stmts{Tx: tx, Translate: translate, m: map[string]*sql.Stmt{}}
}

// Stmt prepares q once.
func (s *Stmts) Stmt(ctx context.Context, q string) (*sql.Stmt, error) {
	if st, ok := s.m[q]; ok {
		return st, nil
	}
	st, err := s.Tx.PrepareContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("prepare %q: %w", strings.Fields(q)[0], err)
	}
	s.m[q] = st
	return st, nil
}

// Exec runs a statement.
func (s *Stmts) Exec(ctx context.Context, q string, args ...any) error {
	if s.Direct {
		_, err := s.Tx.ExecContext(ctx, q, args...)
		return s.Translate(err)
	}
	st, err := s.Stmt(ctx, q)
	if err != nil {
		return err
	}
	_, err = st.ExecContext(ctx, args...)
	return s.Translate(err)
}

// Query runs a query.
func (s *Stmts) Query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if s.Direct {
		rows, err := s.Tx.QueryContext(ctx, q, args...)
		return rows, s.Translate(err)
	}
	st, err := s.Stmt(ctx, q)
	if err != nil {
		return nil, err
	}
	rows, err := st.QueryContext(ctx, args...)
	return rows, s.Translate(err)
}

// QueryRow runs a query for one row.
func (s *Stmts) QueryRow(ctx context.Context, q string, args ...any) (*sql.Row, error) {
	if s.Direct {
		return s.Tx.QueryRowContext(ctx, q, args...), nil
	}
	st, err := s.Stmt(ctx, q)
	if err != nil {
		return nil, err
	}
	return st.QueryRowContext(ctx, args...), nil
}

// StoredEvents matches the keys an INSERT … ON CONFLICT DO NOTHING
// RETURNING tracking_norm, event_id gives back to the events it was sent:
// Stored lists the ones stored, each once (an event sent twice in one
// statement is stored once).
type StoredEvents struct {
	byID   map[[2]string]*vtr.Event
	Stored []*vtr.Event
}

// NewStoredEvents is ready for the returned rows of a statement sending evs.
func NewStoredEvents(evs []*vtr.Event) *StoredEvents {
	s := &StoredEvents{byID: make(map[[2]string]*vtr.Event, len(evs))}
	for _, e := range evs {
		s.byID[[2]string{e.TrackingNumber, e.ID}] = e
	}
	return s
}

// Row reads one returned key.
func (s *StoredEvents) Row(r Scanner) error {
	var k [2]string
	if err := r.Scan(&k[0], &k[1]); err != nil {
		return err
	}
	if e := s.byID[k]; e != nil {
		s.Stored = append(s.Stored, e)
		delete(s.byID, k)
	}
	return nil
}

// StatementError names the statement q an error came from, unless it is
// already said in the domain's words (another writer holds the lock).
func StatementError(q string, err error) error {
	var ve *vtr.Error
	if errors.As(err, &ve) {
		return err
	}
	return fmt.Errorf("%s: %w", StatementName(q), err)
}

// StatementName is the start of a statement, for errors: "INSERT INTO
// orders", "UPDATE packages", "DELETE FROM vtr_daily", "SELECT FROM
// orders".
func StatementName(q string) string {
	f := strings.Fields(q)
	n := 2
	if len(f) > 0 && (strings.EqualFold(f[0], "INSERT") || strings.EqualFold(f[0], "DELETE")) {
		n = 3
	}
	if len(f) > 0 && strings.EqualFold(f[0], "SELECT") {
		for i, w := range f {
			if strings.EqualFold(w, "FROM") && i+1 < len(f) {
				return "SELECT FROM " + f[i+1]
			}
		}
	}
	return strings.Join(f[:min(n, len(f))], " ")
}
