package sqlutil

import (
	"context"
	"database/sql"
	"encoding/json"
	"slices"
	"time"

	"github.com/vtr-project/vtr"
)

// Wants reports, inside tx, whether an active subscription asks for an
// event type.
func (o *Outbox) Wants(ctx context.Context, tx Querier, eventType string) (bool, error) {
	rows, err := tx.QueryContext(ctx, WantsSQL)
	found := false
	row := WantsRow(eventType, &found)
	err = Each(rows, err, func(r *sql.Rows) error { return row(r) })
	return found, err
}

// WantsSQL lists the active subscriptions' event types, for WantsRow.
const WantsSQL = `SELECT events FROM webhook_subscriptions WHERE disabled = 0`

// WantsRow reads one row of WantsSQL: found becomes true when the
// subscription asks for the event type.
func WantsRow(eventType string, found *bool) func(Scanner) error {
	return func(r Scanner) error {
		var events string
		if err := r.Scan(&events); err != nil {
			return err
		}
		var types []string
		if err := json.Unmarshal([]byte(events), &types); err != nil {
			return err
		}
		*found = *found || slices.Contains(types, eventType)
		return nil
	}
}

// Announce queues events in tx, stamped now when they carry no time.
func (o *Outbox) Announce(ctx context.Context, tx Querier, evs []vtr.OutboxEvent, now time.Time) error {
	for _, ev := range evs {
		if ev.At.IsZero() {
			ev.At = now.UTC()
		}
		if _, err := o.Enqueue(ctx, tx, ev); err != nil {
			return err
		}
	}
	return nil
}
