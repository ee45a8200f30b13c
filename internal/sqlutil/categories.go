package sqlutil

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"time"

	"github.com/vtr-project/vtr"
)

// Categories keeps each seller's SKU/ASIN → category mapping in standard
// SQL, the same on every engine (vtr.CategoryStore). Rows are keyed by
// seller first, so a query that forgets the seller cannot be written and
// Citus keeps a seller's mapping on the seller's shard.
type Categories struct {
	DB     *sql.DB
	Rebind func(string) string
}

var _ vtr.CategoryStore = (*Categories)(nil)

func (c *Categories) q(s string) string {
	if c.Rebind == nil {
		return s
	}
	return c.Rebind(s)
}

// PutCategories upserts a seller's mappings in one transaction, in key
// order (two imports of one seller's mapping at once take their row locks
// in the same order, so neither waits on the other forever). A mapping
// with an empty key or category is refused whole: the caller drops those
// lines first, naming them.
func (c *Categories) PutCategories(ctx context.Context, sellerID string, m []vtr.CategoryMapping, at time.Time) (int, error) {
	if strings.TrimSpace(sellerID) == "" {
		return 0, vtr.FieldErrorf(vtr.EINVALID, "seller_id", "required: a category mapping is a seller's own")
	}
	for _, e := range m {
		if strings.TrimSpace(e.Key) == "" || strings.TrimSpace(e.Category) == "" {
			return 0, vtr.Errorf(vtr.EINVALID, "category mapping %q → %q: key and category are required", e.Key, e.Category)
		}
	}
	m = slices.Clone(m)
	slices.SortStableFunc(m, func(a, b vtr.CategoryMapping) int { return strings.Compare(a.Key, b.Key) })
	tx, err := c.DB.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	stmt, err := tx.PrepareContext(ctx, c.q(`INSERT INTO categories (seller_id, sku_or_asin, category, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (seller_id, sku_or_asin) DO UPDATE SET category = excluded.category, updated_at = excluded.updated_at`))
	if err != nil {
		return 0, err
	}
	defer stmt.Close()
	n := 0
	for i, e := range m {
		if i+1 < len(m) && m[i+1].Key == e.Key {
			continue // the later of two mappings of one key wins
		}
		if _, err := stmt.ExecContext(ctx, sellerID, e.Key, e.Category, Unix(at)); err != nil {
			return 0, err
		}
		n++
	}
	return n, tx.Commit()
}

// EachCategory walks a seller's mappings by key.
func (c *Categories) EachCategory(ctx context.Context, sellerID string, fn func(vtr.CategoryMapping) error) error {
	rows, err := c.DB.QueryContext(ctx, c.q(`SELECT sku_or_asin, category FROM categories WHERE seller_id = ? ORDER BY sku_or_asin`), sellerID)
	return Each(rows, err, func(r *sql.Rows) error {
		var e vtr.CategoryMapping
		if err := r.Scan(&e.Key, &e.Category); err != nil {
			return err
		}
		return fn(e)
	})
}
