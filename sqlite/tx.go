package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/ingest"
	"github.com/vtr-project/vtr/internal/sqlutil"
)

// Tx is one transaction: ingest.Tx in SQL. Statements are prepared once
// per transaction.
type Tx struct {
	d     *DB
	tx    *sql.Tx
	stmts map[string]*sql.Stmt
}

var _ ingest.Tx = (*Tx)(nil)

// Commit commits; a busy database is a conflict.
func (t *Tx) Commit() error { return t.d.translate(t.tx.Commit()) }

// Rollback abandons the transaction.
func (t *Tx) Rollback() error { return t.tx.Rollback() }

func (t *Tx) stmt(ctx context.Context, q string) (*sql.Stmt, error) {
	if st, ok := t.stmts[q]; ok {
		return st, nil
	}
	st, err := t.tx.PrepareContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("prepare %q: %w", strings.Fields(q)[0], err)
	}
	t.stmts[q] = st
	return st, nil
}

func (t *Tx) exec(ctx context.Context, q string, args ...any) error {
	st, err := t.stmt(ctx, q)
	if err != nil {
		return err
	}
	_, err = st.ExecContext(ctx, args...)
	return t.d.translate(err)
}

func (t *Tx) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	st, err := t.stmt(ctx, q)
	if err != nil {
		return nil, err
	}
	rows, err := st.QueryContext(ctx, args...)
	return rows, t.d.translate(err)
}

func (t *Tx) queryRow(ctx context.Context, q string, args ...any) (*sql.Row, error) {
	st, err := t.stmt(ctx, q)
	if err != nil {
		return nil, err
	}
	return st.QueryRowContext(ctx, args...), nil
}

var each = sqlutil.Each

func (t *Tx) Seller(ctx context.Context, id string) (vtr.Seller, bool, error) {
	s := vtr.Seller{ID: id}
	row, err := t.queryRow(ctx, `SELECT name, policies, ship_from FROM sellers WHERE seller_id = ?`, id)
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
	return t.exec(ctx, `INSERT INTO sellers (seller_id, name, policies, ship_from) VALUES (?, ?, ?, ?)
		ON CONFLICT (seller_id) DO UPDATE SET name = excluded.name, policies = excluded.policies, ship_from = excluded.ship_from`,
		s.ID, s.Name, sqlutil.JSONList(s.Policies), sqlutil.JSONList(s.ShipFrom))
}

func (t *Tx) SellerPackages(ctx context.Context, sellerID string) ([]ingest.PackageKey, error) {
	var out []ingest.PackageKey
	rows, err := t.query(ctx, `SELECT order_id, package_id FROM packages WHERE seller_id = ?`, sellerID)
	return out, each(rows, err, func(r *sql.Rows) error {
		k := ingest.PackageKey{Seller: sellerID}
		if err := r.Scan(&k.Order, &k.Package); err != nil {
			return err
		}
		out = append(out, k)
		return nil
	})
}

func (t *Tx) Order(ctx context.Context, sellerID, orderID string) (ingest.OrderState, bool, error) {
	row, err := t.queryRow(ctx, `SELECT `+sqlutil.OrderColumns+` FROM orders WHERE seller_id = ? AND order_id = ?`, sellerID, orderID)
	if err != nil {
		return ingest.OrderState{}, false, err
	}
	st, err := sqlutil.ScanOrder(row)
	if errors.Is(err, sql.ErrNoRows) {
		return st, false, nil
	}
	return st, err == nil, err
}

func (t *Tx) OrderSellers(ctx context.Context, orderID string) ([]string, error) {
	var out []string
	rows, err := t.query(ctx, `SELECT seller_id FROM orders WHERE order_id = ? ORDER BY seller_id`, orderID)
	return out, each(rows, err, func(r *sql.Rows) error {
		var s string
		err := r.Scan(&s)
		out = append(out, s)
		return err
	})
}

func (t *Tx) PutOrder(ctx context.Context, st *ingest.OrderState) error {
	o := &st.Order
	shipTo, _ := json.Marshal(o.ShipTo)
	var cancelled int64
	var bySeller bool
	if c := st.Cancellation; c != nil {
		cancelled, bySeller = unix(c.CancelledAt), c.BySeller
	}
	return t.exec(ctx, `INSERT INTO orders (`+sqlutil.OrderColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (seller_id, order_id) DO UPDATE SET policy = excluded.policy, purchased_at = excluded.purchased_at,
		category = excluded.category, value_minor = excluded.value_minor, currency = excluded.currency, ship_to = excluded.ship_to,
		ship_by = excluded.ship_by, deliver_by = excluded.deliver_by, digital = excluded.digital, freight = excluded.freight,
		cancelled_at = excluded.cancelled_at, cancelled_by_seller = excluded.cancelled_by_seller, first_shipped_at = excluded.first_shipped_at`,
		o.SellerID, o.ID, o.Policy, unix(o.PurchasedAt), o.Category, o.Value.Minor, o.Value.Currency, string(shipTo),
		unix(o.ShipBy), unix(o.DeliverBy), o.Digital, o.Freight, cancelled, bySeller, unix(st.FirstShippedAt))
}

func (t *Tx) OrderPackages(ctx context.Context, sellerID, orderID string) ([]ingest.PackageRef, error) {
	var out []ingest.PackageRef
	rows, err := t.query(ctx, `SELECT package_id, tracking_norm FROM packages WHERE seller_id = ? AND order_id = ?`, sellerID, orderID)
	return out, each(rows, err, func(r *sql.Rows) error {
		p := ingest.PackageRef{Key: ingest.PackageKey{Seller: sellerID, Order: orderID}}
		err := r.Scan(&p.Key.Package, &p.Tracking)
		out = append(out, p)
		return err
	})
}

func (t *Tx) Park(ctx context.Context, o *ingest.Orphan) error {
	return t.exec(ctx, `INSERT INTO orphans (seller_id, order_id, seq, kind, body)
		VALUES (?1, ?2, (SELECT COALESCE(MAX(seq), 0) + 1 FROM orphans WHERE seller_id = ?1 AND order_id = ?2), ?3, ?4)`,
		o.SellerID, o.OrderID, o.Kind, string(o.Body))
}

func (t *Tx) TakeOrphans(ctx context.Context, sellerID, orderID string) ([]ingest.Orphan, error) {
	var out []ingest.Orphan
	rows, err := t.query(ctx, `SELECT seller_id, kind, body FROM orphans WHERE order_id = ?1 AND seller_id IN (?2, '')
		ORDER BY seller_id = '', seq`, orderID, sellerID)
	if err := each(rows, err, func(r *sql.Rows) error {
		o := ingest.Orphan{OrderID: orderID}
		var body string
		err := r.Scan(&o.SellerID, &o.Kind, &body)
		o.Body = []byte(body)
		out = append(out, o)
		return err
	}); err != nil || len(out) == 0 {
		return nil, err
	}
	return out, t.exec(ctx, `DELETE FROM orphans WHERE order_id = ?1 AND seller_id IN (?2, '')`, orderID, sellerID)
}

func (t *Tx) History(ctx context.Context, k ingest.PackageKey) ([]ingest.ShipmentRow, error) {
	var out []ingest.ShipmentRow
	rows, err := t.query(ctx, `SELECT seq, `+sqlutil.ShipmentColumns+` FROM shipments WHERE seller_id = ? AND order_id = ? AND package_id = ? ORDER BY seq`,
		k.Seller, k.Order, k.Package)
	return out, each(rows, err, func(r *sql.Rows) error {
		row := ingest.ShipmentRow{Shipment: vtr.Shipment{SellerID: k.Seller, OrderID: k.Order, PackageID: k.Package}}
		var shipped, uploaded int64
		if err := r.Scan(sqlutil.ScanShipment([]any{&row.Seq}, &row.Shipment, &shipped, &uploaded)...); err != nil {
			return err
		}
		row.Shipment.ShippedAt, row.Shipment.UploadedAt = fromUnix(shipped), fromUnix(uploaded)
		out = append(out, row)
		return nil
	})
}

func (t *Tx) AddShipment(ctx context.Context, k ingest.PackageKey, row *ingest.ShipmentRow) error {
	s := &row.Shipment
	return t.exec(ctx, `INSERT INTO shipments (seller_id, order_id, package_id, seq, `+sqlutil.ShipmentColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		k.Seller, k.Order, k.Package, row.Seq, s.Carrier, s.CarrierName, s.TrackingNumber, s.ShipMethod, s.ShipFromID, unix(s.ShippedAt), unix(s.UploadedAt))
}

func (t *Tx) Package(ctx context.Context, k ingest.PackageKey) (ingest.Package, bool, error) {
	p := ingest.Package{Key: k}
	row, err := t.queryRow(ctx, `SELECT p.tracking_norm, p.cur_seq, p.first_uploaded_at, p.edits, p.policy, p.outcome, p.category, p.carrier, p.ship_from_id,
		p.day, p.delivered, p.on_time, p.reasons, p.warnings, p.detected, p.explanation, `+sqlutil.Prefixed("s.", sqlutil.ShipmentColumns)+`
		FROM packages p JOIN shipments s ON s.seller_id = p.seller_id AND s.order_id = p.order_id AND s.package_id = p.package_id AND s.seq = p.cur_seq
		WHERE p.seller_id = ? AND p.order_id = ? AND p.package_id = ?`, k.Seller, k.Order, k.Package)
	if err != nil {
		return p, false, err
	}
	var firstUp, shipped, uploaded int64
	c := &p.Counted
	sh := &p.Current
	err = row.Scan(sqlutil.ScanShipment([]any{&p.Tracking, &p.CurSeq, &firstUp, &p.Edits, &c.Policy, &c.Outcome, &c.Category, &c.Carrier, &c.ShipFrom,
		&c.Day, &c.Delivered, &c.OnTime, &c.Reasons, &c.Warnings, &c.Detected, &c.Explanation}, sh, &shipped, &uploaded)...)
	if errors.Is(err, sql.ErrNoRows) {
		return p, false, nil
	}
	sh.SellerID, sh.OrderID, sh.PackageID = k.Seller, k.Order, k.Package
	sh.ShippedAt, sh.UploadedAt, p.FirstUploadedAt = fromUnix(shipped), fromUnix(uploaded), fromUnix(firstUp)
	return p, err == nil, err
}

func (t *Tx) PutPackage(ctx context.Context, p *ingest.Package) error {
	k := p.Key
	return t.exec(ctx, `INSERT INTO packages (seller_id, order_id, package_id, tracking_norm, first_uploaded_at, edits, cur_seq)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (seller_id, order_id, package_id) DO UPDATE SET tracking_norm = excluded.tracking_norm,
		first_uploaded_at = excluded.first_uploaded_at, edits = excluded.edits, cur_seq = excluded.cur_seq`,
		k.Seller, k.Order, k.Package, p.Tracking, unix(p.FirstUploadedAt), p.Edits, p.CurSeq)
}

func (t *Tx) PutVerdict(ctx context.Context, k ingest.PackageKey, old, now *ingest.Counted) error {
	if now.Policy == old.Policy && now.Day == old.Day {
		// The indexed columns are unchanged: leave them out of the SET so
		// SQLite does not rewrite packages_by_day.
		return t.exec(ctx, `UPDATE packages SET outcome = ?, reasons = ?, warnings = ?, carrier = ?, detected = ?, explanation = ?,
			category = ?, ship_from_id = ?, delivered = ?, on_time = ? WHERE seller_id = ? AND order_id = ? AND package_id = ?`,
			now.Outcome, now.Reasons, now.Warnings, now.Carrier, now.Detected, now.Explanation,
			now.Category, now.ShipFrom, now.Delivered, now.OnTime, k.Seller, k.Order, k.Package)
	}
	return t.exec(ctx, `UPDATE packages SET policy = ?, outcome = ?, reasons = ?, warnings = ?, carrier = ?, detected = ?, explanation = ?,
		day = ?, category = ?, ship_from_id = ?, delivered = ?, on_time = ? WHERE seller_id = ? AND order_id = ? AND package_id = ?`,
		now.Policy, now.Outcome, now.Reasons, now.Warnings, now.Carrier, now.Detected, now.Explanation,
		now.Day, now.Category, now.ShipFrom, now.Delivered, now.OnTime, k.Seller, k.Order, k.Package)
}

func (t *Tx) PackagesByNumber(ctx context.Context, num string) ([]ingest.PackageKey, error) {
	var out []ingest.PackageKey
	rows, err := t.query(ctx, `SELECT seller_id, order_id, package_id FROM packages WHERE tracking_norm = ?`, num)
	return out, each(rows, err, func(r *sql.Rows) error {
		var k ingest.PackageKey
		err := r.Scan(&k.Seller, &k.Order, &k.Package)
		out = append(out, k)
		return err
	})
}

func (t *Tx) NumberOrders(ctx context.Context, num string) ([]ingest.NumberOrder, error) {
	var out []ingest.NumberOrder
	rows, err := t.query(ctx, `SELECT o.seller_id, o.order_id, MIN(s.shipped_at), o.ship_to FROM packages p
		JOIN shipments s ON s.seller_id = p.seller_id AND s.order_id = p.order_id AND s.package_id = p.package_id AND s.seq = p.cur_seq
		JOIN orders o ON o.seller_id = p.seller_id AND o.order_id = p.order_id
		WHERE p.tracking_norm = ? GROUP BY o.seller_id, o.order_id, o.ship_to`, num)
	return out, each(rows, err, func(r *sql.Rows) error {
		var o ingest.NumberOrder
		var at int64
		var shipTo string
		if err := r.Scan(&o.Seller, &o.Order, &at, &shipTo); err != nil {
			return err
		}
		o.ShippedAt = fromUnix(at)
		out = append(out, o)
		return json.Unmarshal([]byte(shipTo), &out[len(out)-1].ShipTo)
	})
}

func (t *Tx) AddEvents(ctx context.Context, evs []*vtr.Event) ([]*vtr.Event, error) {
	var q strings.Builder
	q.WriteString(`INSERT INTO events (` + sqlutil.EventColumns + `) VALUES `)
	args := make([]any, 0, 19*len(evs))
	byID := make(map[[2]string]*vtr.Event, len(evs))
	for i, e := range evs {
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
	var out []*vtr.Event
	rows, err := t.query(ctx, q.String(), args...)
	return out, each(rows, err, func(r *sql.Rows) error {
		var k [2]string
		if err := r.Scan(&k[0], &k[1]); err != nil {
			return err
		}
		if e := byID[k]; e != nil {
			out = append(out, e)
			delete(byID, k) // the same event twice in one chunk is stored once
		}
		return nil
	})
}

func (t *Tx) Summaries(ctx context.Context, nums []string) (map[string]vtr.ScanSummary, error) {
	out := make(map[string]vtr.ScanSummary, len(nums))
	const chunk = 500
	for len(nums) > 0 {
		part := nums[:min(chunk, len(nums))]
		nums = nums[len(part):]
		args := make([]any, len(part))
		for i, n := range part {
			args[i] = n
		}
		rows, err := t.query(ctx, `SELECT tracking_norm, `+sqlutil.SummaryColumns+` FROM scan_summaries WHERE tracking_norm IN (?`+strings.Repeat(",?", len(part)-1)+`)`, args...)
		if err := each(rows, err, func(r *sql.Rows) error {
			var num string
			var s vtr.ScanSummary
			if err := sqlutil.ScanSummary(r, &num, &s); err != nil {
				return err
			}
			out[num] = s
			return nil
		}); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (t *Tx) PutSummary(ctx context.Context, num string, s *vtr.ScanSummary) error {
	l := s.FirstPhysicalLocation
	return t.exec(ctx, `INSERT INTO scan_summaries (tracking_norm, `+sqlutil.SummaryColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (tracking_norm) DO UPDATE SET
		events = excluded.events, physical = excluded.physical, unknown = excluded.unknown, first_event_at = excluded.first_event_at,
		first_physical_at = excluded.first_physical_at, first_physical_id = excluded.first_physical_id, fp_city = excluded.fp_city,
		fp_state = excluded.fp_state, fp_postal_code = excluded.fp_postal_code, fp_country = excluded.fp_country,
		delivered_at = excluded.delivered_at, attempted_at = excluded.attempted_at, last_status = excluded.last_status,
		last_at = excluded.last_at, last_id = excluded.last_id, delivered_offset = excluded.delivered_offset`,
		num, s.Events, s.Physical, s.Unknown, unix(s.FirstEventAt), unix(s.FirstPhysicalAt), s.FirstPhysicalID, l.City, l.State,
		l.PostalCode, l.Country, unix(s.DeliveredAt), unix(s.AttemptedAt), string(s.LastStatus), unix(s.LastAt), s.LastID, s.DeliveredOffset)
}

func (t *Tx) AddDaily(ctx context.Context, d []ingest.DailyDelta) error {
	for _, x := range d {
		k := x.Key
		if err := t.exec(ctx, `INSERT INTO vtr_daily (seller_id, policy, day, category, carrier, ship_from_id, valid, invalid, exempt, delivered, on_time)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET valid = valid + excluded.valid, invalid = invalid + excluded.invalid,
			exempt = exempt + excluded.exempt, delivered = delivered + excluded.delivered, on_time = on_time + excluded.on_time`,
			k.Seller, k.Policy, k.Day, k.Category, k.Carrier, k.ShipFrom, x.Valid, x.Invalid, x.Exempt, x.Delivered, x.OnTime); err != nil {
			return err
		}
	}
	if len(d) == 0 {
		return nil
	}
	return t.exec(ctx, `DELETE FROM vtr_daily WHERE valid = 0 AND invalid = 0 AND exempt = 0 AND delivered = 0 AND on_time = 0`)
}

func (t *Tx) AddOrderDaily(ctx context.Context, d []ingest.OrderDelta) error {
	for _, x := range d {
		k := x.Key
		if err := t.exec(ctx, `INSERT INTO order_daily (seller_id, policy, kind, day, total, hits) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT DO UPDATE SET total = total + excluded.total, hits = hits + excluded.hits`, k.Seller, k.Policy, k.Kind, k.Day, x.Total, x.Hits); err != nil {
			return err
		}
	}
	if len(d) == 0 {
		return nil
	}
	return t.exec(ctx, `DELETE FROM order_daily WHERE total = 0 AND hits = 0`)
}

func (t *Tx) AddUnknown(ctx context.Context, u []vtr.UnknownCode) error {
	for _, c := range u {
		if err := t.exec(ctx, `INSERT INTO unknown_codes (source, carrier, code, example, count) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT DO UPDATE SET count = count + excluded.count`, c.Source, c.Carrier, c.Code, c.Example, c.Count); err != nil {
			return err
		}
	}
	return nil
}

// The Each… reads are the same SQL on every engine (sqlutil).

func (t *Tx) EachEvent(ctx context.Context, fn func(*vtr.Event) error) error {
	return sqlutil.EachEvent(ctx, t.tx, fn)
}

func (t *Tx) EachSummary(ctx context.Context, fn func(string, *vtr.ScanSummary) error) error {
	return sqlutil.EachSummary(ctx, t.tx, fn)
}

func (t *Tx) EachPackage(ctx context.Context, fn func(ingest.PackageKey) error) error {
	return sqlutil.EachPackage(ctx, t.tx, fn)
}

func (t *Tx) EachOrder(ctx context.Context, fn func(*ingest.OrderState) error) error {
	return sqlutil.EachOrder(ctx, t.tx, fn)
}

func (t *Tx) EachDaily(ctx context.Context, fn func(*ingest.DailyDelta) error) error {
	return sqlutil.EachDaily(ctx, t.tx, fn)
}

func (t *Tx) EachOrderDaily(ctx context.Context, fn func(*ingest.OrderDelta) error) error {
	return sqlutil.EachOrderDaily(ctx, t.tx, fn)
}

func (t *Tx) EachOrphan(ctx context.Context, fn func(*ingest.Orphan) error) error {
	return sqlutil.EachOrphan(ctx, t.tx, fn)
}
