package sqlite

import (
	"context"
	"time"

	"github.com/vtr-project/vtr"
)

// Wants reports whether a webhook subscription asks for an event type.
func (t *Tx) Wants(ctx context.Context, eventType string) (bool, error) {
	if err := t.settle(); err != nil {
		return false, err
	}
	return t.d.Outbox().Wants(ctx, t.tx, eventType)
}

// Announce queues outgoing webhook events in this transaction. The engine
// stamps their time: the import algorithm has no clock.
func (t *Tx) Announce(ctx context.Context, evs []vtr.OutboxEvent) error {
	if err := t.settle(); err != nil {
		return err
	}
	return t.d.Outbox().Announce(ctx, t.tx, evs, time.Now())
}
