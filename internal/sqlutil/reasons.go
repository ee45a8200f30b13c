package sqlutil

import (
	"context"
	"database/sql"
	"time"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/ingest"
)

// ReasonDaily sums a seller's defects-by-reason rows under a policy from
// day from to day to: a row a day and reason, whatever the number of
// packages.
func (d *Reader) ReasonDaily(ctx context.Context, sellerID, policy string, from, to time.Time) (map[vtr.Reason]int, error) {
	out := map[vtr.Reason]int{}
	rows, err := d.DB.QueryContext(ctx, d.rebind(`SELECT reason, SUM(invalid) FROM reason_daily
		WHERE seller_id = ? AND policy = ? AND day BETWEEN ? AND ? GROUP BY reason`), sellerID, policy, ingest.DayNum(from), ingest.DayNum(to))
	return out, Each(rows, err, func(r *sql.Rows) error {
		var reason string
		var n int
		if err := r.Scan(&reason, &n); err != nil {
			return err
		}
		if n != 0 {
			out[vtr.Reason(reason)] = n
		}
		return nil
	})
}

// EachReasonDaily streams the whole table to fn (Verify).
func (s *Stmts) EachReasonDaily(ctx context.Context, fn func(*ingest.ReasonDelta) error) error {
	rows, err := s.Tx.QueryContext(ctx, `SELECT seller_id, policy, day, reason, invalid FROM reason_daily`)
	return Each(rows, err, func(r *sql.Rows) error {
		var d ingest.ReasonDelta
		k := &d.Key
		if err := r.Scan(&k.Seller, &k.Policy, &k.Day, &k.Reason, &d.Invalid); err != nil {
			return err
		}
		return fn(&d)
	})
}

// ReasonRows are the rows of defects-by-reason deltas: seller, policy,
// day, reason, invalid.
func ReasonRows(d []ingest.ReasonDelta) [][]any {
	rows := make([][]any, len(d))
	for i, x := range d {
		k := x.Key
		rows[i] = []any{k.Seller, k.Policy, k.Day, string(k.Reason), x.Invalid}
	}
	return rows
}
