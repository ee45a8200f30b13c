package sqlite

import "github.com/vtr-project/vtr/internal/sqlutil"

// Sessions is the database's dashboard sessions.
func (d *DB) Sessions() *sqlutil.Sessions { return &sqlutil.Sessions{DB: d.db} }
