package postgres

import (
	"context"
	"database/sql"

	"github.com/vtr-project/vtr/internal/sqlutil"
)

// Keys is the database's API keys and idempotent answers.
func (d *DB) Keys() *sqlutil.Keys { return &sqlutil.Keys{DB: d.db, Rebind: sqlutil.Dollar} }

// Ready reports whether the database answers with the schema this binary
// expects (a server's /readyz).
func (d *DB) Ready(ctx context.Context) error {
	list, err := sqlutil.Migrations(migrations, "migrations")
	if err != nil {
		return err
	}
	return sqlutil.Ready(ctx, d.db, len(list))
}

// Enforcement is the database's enforcement states, history and appeals.
func (d *DB) Enforcement() *sqlutil.Enforcement {
	return &sqlutil.Enforcement{DB: d.db, Rebind: sqlutil.Dollar, Lock: func(ctx context.Context, tx *sql.Tx) error {
		return d.translate(d.lock(ctx, tx, "vtr-write:"))
	}}
}
