package sqlutil

import (
	"context"
	"database/sql"
	"time"

	"github.com/vtr-project/vtr/ingest"
)

// DefectReasons counts a seller's invalid packages under a policy
// included from day from to day to, by their stored reasons (the comma-
// separated list). The partial index packages_invalid covers it: only
// invalid packages are read, and only from the index.
func (d *Reader) DefectReasons(ctx context.Context, sellerID, policy string, from, to time.Time) (map[string]int, error) {
	out := map[string]int{}
	rows, err := d.DB.QueryContext(ctx, d.rebind(`SELECT reasons, COUNT(*) FROM packages
		WHERE seller_id = ? AND policy = ? AND day BETWEEN ? AND ? AND outcome = 'invalid'
		GROUP BY reasons`), sellerID, policy, ingest.DayNum(from), ingest.DayNum(to))
	return out, Each(rows, err, func(r *sql.Rows) error {
		var reasons string
		var n int
		if err := r.Scan(&reasons, &n); err != nil {
			return err
		}
		out[reasons] += n
		return nil
	})
}
