package sqlite

import "github.com/vtr-project/vtr/internal/sqlutil"

// Categories is the database's per-seller SKU/ASIN → category mappings.
func (d *DB) Categories() *sqlutil.Categories { return &sqlutil.Categories{DB: d.db} }
