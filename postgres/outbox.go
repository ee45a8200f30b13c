package postgres

import "github.com/vtr-project/vtr/internal/sqlutil"

// Outbox is the database's webhook subscriptions and outgoing webhooks.
func (d *DB) Outbox() *sqlutil.Outbox { return &sqlutil.Outbox{DB: d.db, Rebind: sqlutil.Dollar} }
