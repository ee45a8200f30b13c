package postgres

import "github.com/vtr-project/vtr/internal/sqlutil"

// Keys is the database's API keys and idempotent answers.
func (d *DB) Keys() *sqlutil.Keys { return &sqlutil.Keys{DB: d.db, Rebind: sqlutil.Dollar} }
