package postgres

import (
	"context"
	"time"

	"github.com/vtr-project/vtr"
)

// Wants reports whether a webhook subscription asks for an event type.
// It reads only the subscriptions, which no queued write of the import
// touches, so it does not wait for them (Tx).
func (t *Tx) Wants(ctx context.Context, eventType string) (bool, error) {
	return t.d.Outbox().Wants(ctx, t.Stmts.Tx, eventType)
}

// Announce queues outgoing webhook events in this transaction. The engine
// stamps their time: the import algorithm has no clock.
func (t *Tx) Announce(ctx context.Context, evs []vtr.OutboxEvent) error {
	if err := t.flush(ctx); err != nil {
		return err
	}
	return t.d.Outbox().Announce(ctx, t.Stmts.Tx, evs, time.Now())
}
