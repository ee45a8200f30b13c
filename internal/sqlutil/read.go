package sqlutil

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/ingest"
)

// Reader answers the typed reads of ingest.Engine in standard SQL,
// the same on every engine: queries are written with ? placeholders and
// Rebind (nil: none) turns them into the engine's own ($1 … on
// PostgreSQL).
type Reader struct {
	DB     *sql.DB
	Rebind func(string) string
}

func (d *Reader) rebind(q string) string {
	if d.Rebind == nil {
		return q
	}
	return d.Rebind(q)
}

// Dollar numbers ? placeholders $1, $2 … (PostgreSQL).
func Dollar(q string) string {
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// SellerPolicies returns the seller's own policies, then those of its
// orders. Every order counts once in order_daily (kind "order", on its
// purchase day), so the small aggregate answers without reading the
// orders: a rate stays independent of the number of packages.
func (d *Reader) SellerPolicies(ctx context.Context, sellerID string) ([]string, error) {
	var out []string
	var pol string
	known := true
	switch err := d.DB.QueryRowContext(ctx, d.rebind(`SELECT policies FROM sellers WHERE seller_id = ?`), sellerID).Scan(&pol); {
	case err == sql.ErrNoRows:
		known = false
	case err != nil:
		return nil, err
	default:
		if err := json.Unmarshal([]byte(pol), &out); err != nil {
			return nil, fmt.Errorf("seller %s: policies: %w", sellerID, err)
		}
	}
	rows, err := d.DB.QueryContext(ctx, d.rebind(`SELECT DISTINCT policy FROM order_daily WHERE seller_id = ? ORDER BY policy`), sellerID)
	if err := Each(rows, err, func(r *sql.Rows) error {
		var p string
		if err := r.Scan(&p); err != nil {
			return err
		}
		known = true
		for _, x := range out {
			if x == p {
				return nil
			}
		}
		out = append(out, p)
		return nil
	}); err != nil {
		return nil, err
	}
	if !known {
		return nil, vtr.Errorf(vtr.ENOTFOUND, "seller %s not found", sellerID)
	}
	return out, nil
}

// Seller returns one seller.
func (d *Reader) Seller(ctx context.Context, id string) (*vtr.Seller, error) {
	s := &vtr.Seller{ID: id}
	var pol, sf string
	if err := d.DB.QueryRowContext(ctx, d.rebind(`SELECT name, policies, ship_from FROM sellers WHERE seller_id = ?`), id).Scan(&s.Name, &pol, &sf); err != nil {
		return nil, notFound(err, "seller %s not found", id)
	}
	return s, DecodeSeller(s, pol, sf)
}

// Sellers lists the sellers by ID.
func (d *Reader) Sellers(ctx context.Context) ([]vtr.Seller, error) {
	var out []vtr.Seller
	rows, err := d.DB.QueryContext(ctx, d.rebind(`SELECT seller_id, name, policies, ship_from FROM sellers ORDER BY seller_id`))
	return out, Each(rows, err, func(r *sql.Rows) error {
		var s vtr.Seller
		var pol, sf string
		if err := r.Scan(&s.ID, &s.Name, &pol, &sf); err != nil {
			return err
		}
		out = append(out, s)
		return DecodeSeller(&out[len(out)-1], pol, sf)
	})
}

// Daily returns the aggregate rows from a day on.
func (d *Reader) Daily(ctx context.Context, sellerID, policy string, from time.Time) ([]vtr.DailyCount, error) {
	var out []vtr.DailyCount
	rows, err := d.DB.QueryContext(ctx, d.rebind(`SELECT day, category, carrier, ship_from_id, valid, invalid, exempt, delivered, on_time
		FROM vtr_daily WHERE seller_id = ? AND policy = ? AND day >= ?`), sellerID, policy, ingest.DayNum(from))
	return out, Each(rows, err, func(r *sql.Rows) error {
		var c vtr.DailyCount
		var day int64
		if err := r.Scan(&day, &c.Category, &c.Carrier, &c.ShipFrom, &c.Valid, &c.Invalid, &c.Exempt, &c.Delivered, &c.OnTime); err != nil {
			return err
		}
		c.Day = ingest.Day(day)
		out = append(out, c)
		return nil
	})
}

// OrderDaily returns the order-level rows of a range of days.
func (d *Reader) OrderDaily(ctx context.Context, sellerID, policy string, from, to time.Time) ([]vtr.OrderDayCount, error) {
	var out []vtr.OrderDayCount
	rows, err := d.DB.QueryContext(ctx, d.rebind(`SELECT kind, day, total, hits FROM order_daily WHERE seller_id = ? AND policy = ? AND day BETWEEN ? AND ?`),
		sellerID, policy, ingest.DayNum(from), ingest.DayNum(to))
	return out, Each(rows, err, func(r *sql.Rows) error {
		var c vtr.OrderDayCount
		var day int64
		if err := r.Scan(&c.Kind, &day, &c.Total, &c.Hits); err != nil {
			return err
		}
		c.Day = ingest.Day(day)
		out = append(out, c)
		return nil
	})
}

// Defects streams the seller's non-exempt packages included in a range
// of days, with their current confirmation and order (and, when asked,
// their number's scan summary), from a position on.
func (d *Reader) Defects(ctx context.Context, q ingest.DefectQuery, emit func(*ingest.DefectSource) error) error {
	var shipFrom []vtr.ShipFrom
	var sf string
	switch err := d.DB.QueryRowContext(ctx, d.rebind(`SELECT ship_from FROM sellers WHERE seller_id = ?`), q.SellerID).Scan(&sf); {
	case err == sql.ErrNoRows:
	case err != nil:
		return err
	default:
		if err := json.Unmarshal([]byte(sf), &shipFrom); err != nil {
			return fmt.Errorf("seller %s: ship_from: %w", q.SellerID, err)
		}
	}
	where := `p.seller_id = ? AND p.policy = ? AND p.day BETWEEN ? AND ?`
	args := []any{q.SellerID, q.Policy, ingest.DayNum(q.From), ingest.DayNum(q.To)}
	if q.InvalidOnly {
		where += ` AND p.outcome = 'invalid'`
	} else {
		where += ` AND p.outcome <> 'exempt'`
		if q.MaybeShippedLate || q.MaybeDeliveredLate {
			// Necessary conditions only: the engine's rules decide.
			maybe := `p.outcome = 'invalid'`
			if q.MaybeShippedLate {
				maybe += ` OR o.first_shipped_at > o.ship_by`
			}
			if q.MaybeDeliveredLate {
				maybe += ` OR (p.delivered AND NOT p.on_time)`
			}
			where += ` AND (` + maybe + `)`
		}
	}
	if q.Carrier != "" {
		where += ` AND p.carrier = ?`
		args = append(args, q.Carrier)
	}
	order := `p.day, p.order_id, p.package_id`
	switch {
	case q.After != nil:
		where += ` AND (p.day, p.order_id, p.package_id) > (?, ?, ?)`
		args = append(args, ingest.DayNum(q.After.Day), q.After.OrderID, q.After.PackageID)
	case q.Before != nil:
		where += ` AND (p.day, p.order_id, p.package_id) < (?, ?, ?)`
		args = append(args, ingest.DayNum(q.Before.Day), q.Before.OrderID, q.Before.PackageID)
		order = `p.day DESC, p.order_id DESC, p.package_id DESC`
	}
	scans, join := `, 0, 0, 0, 0, 0, 0, '', 0`, ``
	if q.Scans {
		scans = `, COALESCE(s.events, 0), COALESCE(s.physical, 0), COALESCE(s.unknown, 0), COALESCE(s.first_physical_at, 0),
			COALESCE(s.attempted_at, 0), COALESCE(s.delivered_at, 0), COALESCE(s.last_status, ''), COALESCE(s.last_at, 0)`
		join = ` LEFT JOIN scan_summaries s ON s.tracking_norm = p.tracking_norm`
	}
	limit := ``
	if q.Limit > 0 {
		limit = ` LIMIT ?`
		args = append(args, q.Limit)
	}
	rows, err := d.DB.QueryContext(ctx, d.rebind(`SELECT p.order_id, p.package_id, p.outcome, p.reasons, p.carrier, p.detected, p.explanation, p.category,
		p.delivered, p.on_time, p.day, `+Prefixed("p.", CurrentColumns)+`, o.deliver_by, o.ship_by, o.first_shipped_at, o.value_minor, o.currency`+scans+`
		FROM packages p
		JOIN orders o ON o.seller_id = p.seller_id AND o.order_id = p.order_id`+join+`
		WHERE `+where+`
		ORDER BY `+order+limit), args...)
	return Each(rows, err, func(r *sql.Rows) error {
		src := ingest.DefectSource{Key: ingest.PackageKey{Seller: q.SellerID}, ShipFrom: shipFrom}
		var shipped, uploaded, deliverBy, shipBy, firstShipped int64
		var sc vtr.ScansSeen
		var firstPhysical, attempted, delivered, lastAt int64
		sh := &src.Shipment
		if err := r.Scan(append(ScanShipment([]any{&src.Key.Order, &src.Key.Package, &src.Outcome, &src.Reasons, &src.Carrier, &src.Detected,
			&src.Explanation, &src.Category, &src.Delivered, &src.OnTime, &src.Day}, sh, &shipped, &uploaded),
			&deliverBy, &shipBy, &firstShipped, &src.Value.Minor, &src.Value.Currency,
			&sc.Events, &sc.Physical, &sc.Unclassified, &firstPhysical, &attempted, &delivered, &sc.LastStatus, &lastAt)...); err != nil {
			return err
		}
		sh.SellerID, sh.OrderID, sh.PackageID = q.SellerID, src.Key.Order, src.Key.Package
		sh.ShippedAt, sh.UploadedAt = FromUnix(shipped), FromUnix(uploaded)
		src.DeliverBy, src.ShipBy, src.FirstShippedAt = FromUnix(deliverBy), FromUnix(shipBy), FromUnix(firstShipped)
		if q.Scans {
			sc.FirstPhysicalAt, sc.AttemptedAt, sc.DeliveredAt, sc.LastAt = FromUnix(firstPhysical), FromUnix(attempted), FromUnix(delivered), FromUnix(lastAt)
			src.Scans = &sc
		}
		return emit(&src)
	})
}

// Unclassified lists the unclassified codes, most frequent first.
func (d *Reader) Unclassified(ctx context.Context) ([]vtr.UnknownCode, error) {
	var out []vtr.UnknownCode
	rows, err := d.DB.QueryContext(ctx, d.rebind(`SELECT source, carrier, code, example, count FROM unknown_codes ORDER BY count DESC, source, carrier, code`))
	return out, Each(rows, err, func(r *sql.Rows) error {
		var u vtr.UnknownCode
		err := r.Scan(&u.Source, &u.Carrier, &u.Code, &u.Example, &u.Count)
		out = append(out, u)
		return err
	})
}

// LastDay returns the latest inclusion day of any package of a seller
// ("": of any seller).
func (d *Reader) LastDay(ctx context.Context, sellerID string) (time.Time, error) {
	// From the aggregates: a few rows a day and group, not a row a
	// package (a day's row that packages left counts nothing).
	q, args := `SELECT MAX(day) FROM vtr_daily WHERE valid + invalid + exempt > 0`, []any{}
	if sellerID != "" {
		q, args = q+` AND seller_id = ?`, append(args, sellerID)
	}
	var n sql.NullInt64
	if err := d.DB.QueryRowContext(ctx, d.rebind(q), args...).Scan(&n); err != nil || !n.Valid {
		return time.Time{}, err
	}
	return ingest.Day(n.Int64), nil
}

// Empty reports whether no seller, order, event or parked record is stored.
func (d *Reader) Empty(ctx context.Context) (bool, error) {
	var any bool
	err := d.DB.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM sellers) OR EXISTS (SELECT 1 FROM orders)
		OR EXISTS (SELECT 1 FROM events) OR EXISTS (SELECT 1 FROM orphans)`).Scan(&any)
	return !any, err
}

// notFound translates sql.ErrNoRows into the domain's not-found error.
func notFound(err error, format string, args ...any) error {
	if errors.Is(err, sql.ErrNoRows) {
		return vtr.Errorf(vtr.ENOTFOUND, format, args...)
	}
	return err
}
