package sqlutil

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/vtr-project/vtr"
)

// Outbox keeps webhook subscriptions and the durable outbox of outgoing
// webhooks in standard SQL, the same on every engine (vtr.Outbox). An
// event is written by Enqueue in the transaction of the change it
// announces, so a change is never committed without its webhooks nor a
// webhook sent for a change that was rolled back. Every other method is
// one statement or a few independent ones: any number of servers share
// the tables.
//
// Order: within a subscription deliveries go out in outbox id order, one
// at a time: only a subscription's oldest pending delivery can be
// claimed. Writers commit one at a time on both engines, so id order is
// commit order.
type Outbox struct {
	DB     *sql.DB
	Rebind func(string) string
}

var _ vtr.Outbox = (*Outbox)(nil)

func (o *Outbox) q(s string) string {
	if o.Rebind == nil {
		return s
	}
	return o.Rebind(s)
}

// CreateSubscription registers a receiver. The caller chooses its ID and
// secret and has validated its URL (notify.NewSubscription does both).
// An ID already taken is a conflict.
func (o *Outbox) CreateSubscription(ctx context.Context, s *vtr.Subscription) error {
	if s.ID == "" || s.URL == "" || s.Secret == "" || len(s.Events) == 0 || s.CreatedAt.IsZero() {
		return vtr.Errorf(vtr.EINVALID, "a subscription needs an id, a url, a secret, at least one event type and a creation time")
	}
	disabled := 0
	if s.Disabled {
		disabled = 1
	}
	res, err := o.DB.ExecContext(ctx, o.q(`INSERT INTO webhook_subscriptions (id, url, events, seller_id, secret, created_at, disabled) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`),
		s.ID, s.URL, JSONList(s.Events), s.SellerID, s.Secret, Unix(s.CreatedAt), disabled)
	if err != nil {
		return fmt.Errorf("create subscription: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return vtr.Errorf(vtr.ECONFLICT, "subscription %s already exists", s.ID)
	}
	return nil
}

// Subscriptions lists every subscription, disabled ones included, by
// creation, without their secrets.
func (o *Outbox) Subscriptions(ctx context.Context) ([]vtr.Subscription, error) {
	var out []vtr.Subscription
	rows, err := o.DB.QueryContext(ctx, `SELECT id, url, events, seller_id, created_at, disabled FROM webhook_subscriptions ORDER BY created_at, id`)
	err = Each(rows, err, func(r *sql.Rows) error {
		var s vtr.Subscription
		var events string
		var created, disabled int64
		if err := r.Scan(&s.ID, &s.URL, &events, &s.SellerID, &created, &disabled); err != nil {
			return err
		}
		if err := json.Unmarshal([]byte(events), &s.Events); err != nil {
			return fmt.Errorf("subscription %s: events: %w", s.ID, err)
		}
		s.CreatedAt, s.Disabled = FromUnix(created), disabled != 0
		out = append(out, s)
		return nil
	})
	return out, err
}

// DisableSubscription stops a subscription: nothing more is enqueued for
// it and its pending deliveries are no longer sent (they stay listed).
func (o *Outbox) DisableSubscription(ctx context.Context, id string) error {
	res, err := o.DB.ExecContext(ctx, o.q(`UPDATE webhook_subscriptions SET disabled = 1 WHERE id = ?`), id)
	return o.affected(res, err, "no subscription %s", id)
}

// affected turns an update that changed no row into not found.
func (o *Outbox) affected(res sql.Result, err error, format string, args ...any) error {
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return vtr.Errorf(vtr.ENOTFOUND, format, args...)
	}
	return nil
}

// Body is the exact JSON a receiver gets for an event:
// {"id","type","created_at","data"}.
func Body(ev vtr.OutboxEvent) ([]byte, error) {
	data := ev.Data
	if len(data) == 0 {
		data = []byte("null")
	}
	if !json.Valid(data) {
		return nil, vtr.Errorf(vtr.EINVALID, "event %s: data is not JSON", ev.ID)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	err := enc.Encode(struct {
		ID        string          `json:"id"`
		Type      string          `json:"type"`
		CreatedAt string          `json:"created_at"`
		Data      json.RawMessage `json:"data"`
	}{ev.ID, ev.Type, ev.At.UTC().Format(time.RFC3339), data})
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), err
}

// Enqueue writes an event, in the caller's transaction (the one making
// the change the event announces), for every active subscription that
// wants its type and its seller, and returns how many deliveries it
// queued. The body is built once, here: the bytes stored are the bytes
// signed and sent, whenever and however often. An event ID already
// queued for a subscription is not queued again, so repeating an event
// is harmless.
func (o *Outbox) Enqueue(ctx context.Context, tx Querier, ev vtr.OutboxEvent) (int, error) {
	if ev.ID == "" || ev.Type == "" || ev.At.IsZero() {
		return 0, vtr.Errorf(vtr.EINVALID, "an outbox event needs an id, a type and a time")
	}
	body, err := Body(ev)
	if err != nil {
		return 0, err
	}
	var subs []string
	rows, err := tx.QueryContext(ctx, o.q(`SELECT id, events FROM webhook_subscriptions WHERE disabled = 0 AND (seller_id = '' OR seller_id = ?) ORDER BY id`), ev.SellerID)
	err = Each(rows, err, func(r *sql.Rows) error {
		var id, events string
		if err := r.Scan(&id, &events); err != nil {
			return err
		}
		var types []string
		if err := json.Unmarshal([]byte(events), &types); err != nil {
			return fmt.Errorf("subscription %s: events: %w", id, err)
		}
		if slices.Contains(types, ev.Type) {
			subs = append(subs, id)
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("enqueue %s: %w", ev.ID, err)
	}
	queued := 0
	for _, sub := range subs {
		res, err := tx.ExecContext(ctx, o.q(`INSERT INTO outbox (subscription_id, event_id, type, seller_id, body, status, created_at, next_attempt_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`),
			sub, ev.ID, ev.Type, ev.SellerID, body, vtr.DeliveryPending, Unix(ev.At), ev.At.UnixNano())
		if err != nil {
			return 0, fmt.Errorf("enqueue %s: %w", ev.ID, err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return 0, err
		}
		queued += int(n)
	}
	return queued, nil
}

// ClaimDue leases due deliveries: each candidate is the oldest pending
// delivery of an active subscription, due and not leased, and becomes
// ours only through a guarded UPDATE that re-checks all of it against
// the values read (a compare-and-set): of several servers racing for one
// delivery exactly one changes the row (PostgreSQL re-evaluates the
// condition on the row another transaction just updated; SQLite runs
// one writer at a time).
func (o *Outbox) ClaimDue(ctx context.Context, now time.Time, lease time.Duration, n int) ([]vtr.Delivery, error) {
	if n <= 0 {
		return nil, nil
	}
	var cand []vtr.Delivery
	var leases []int64
	rows, err := o.DB.QueryContext(ctx, o.q(`SELECT o.id, o.subscription_id, s.url, s.secret, o.event_id, o.type, o.seller_id, o.body, o.status,
			o.attempts, o.created_at, o.next_attempt_at, o.last_error, o.lease_until
		FROM outbox o JOIN webhook_subscriptions s ON s.id = o.subscription_id
		WHERE o.status = 'pending' AND s.disabled = 0 AND o.next_attempt_at <= ? AND o.lease_until <= ?
		AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.subscription_id = o.subscription_id AND p.status = 'pending' AND p.id < o.id)
		ORDER BY o.next_attempt_at, o.id LIMIT ?`), now.UnixNano(), now.UnixNano(), n)
	err = Each(rows, err, func(r *sql.Rows) error {
		var d vtr.Delivery
		var created, next, leaseUntil int64
		if err := r.Scan(&d.ID, &d.Subscription, &d.URL, &d.Secret, &d.EventID, &d.Type, &d.SellerID, &d.Body, &d.Status,
			&d.Attempts, &created, &next, &d.LastError, &leaseUntil); err != nil {
			return err
		}
		d.CreatedAt, d.NextAttempt = FromUnix(created), time.Unix(0, next).UTC()
		cand = append(cand, d)
		leases = append(leases, leaseUntil)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("claim deliveries: %w", err)
	}
	var out []vtr.Delivery
	for i, d := range cand {
		res, err := o.DB.ExecContext(ctx, o.q(`UPDATE outbox SET lease_until = ?
			WHERE id = ? AND status = 'pending' AND lease_until = ? AND attempts = ? AND next_attempt_at <= ?
			AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.subscription_id = outbox.subscription_id AND p.status = 'pending' AND p.id < outbox.id)`),
			now.Add(lease).UnixNano(), d.ID, leases[i], d.Attempts, now.UnixNano())
		if err != nil {
			return out, fmt.Errorf("claim delivery %d: %w", d.ID, err)
		}
		if k, err := res.RowsAffected(); err != nil {
			return out, err
		} else if k == 1 {
			out = append(out, d)
		}
	}
	return out, nil
}

// Delivered records a successful attempt.
func (o *Outbox) Delivered(ctx context.Context, id int64, at time.Time) error {
	res, err := o.DB.ExecContext(ctx, o.q(`UPDATE outbox SET status = 'delivered', attempts = attempts + 1, delivered_at = ?, lease_until = 0, last_error = '' WHERE id = ?`),
		Unix(at), id)
	return o.affected(res, err, "no delivery %d", id)
}

// Retry records a failed attempt to be repeated at next. A delivery no
// longer pending (another server delivered it once this one's lease
// had expired) keeps its outcome.
func (o *Outbox) Retry(ctx context.Context, id int64, attempts int, next time.Time, lastErr string) error {
	res, err := o.DB.ExecContext(ctx, o.q(`UPDATE outbox SET attempts = ?, next_attempt_at = ?, lease_until = 0, last_error = ? WHERE id = ? AND status = 'pending'`),
		attempts, next.UnixNano(), lastErr, id)
	return o.affectedOrExists(ctx, res, err, id)
}

// Failed records the last attempt of a delivery given up on.
func (o *Outbox) Failed(ctx context.Context, id int64, attempts int, at time.Time, lastErr string) error {
	res, err := o.DB.ExecContext(ctx, o.q(`UPDATE outbox SET status = 'failed', attempts = ?, failed_at = ?, lease_until = 0, last_error = ? WHERE id = ? AND status = 'pending'`),
		attempts, Unix(at), lastErr, id)
	return o.affectedOrExists(ctx, res, err, id)
}

// affectedOrExists is nil when the update changed a row or the delivery
// exists (in a state the update leaves alone), not found otherwise.
func (o *Outbox) affectedOrExists(ctx context.Context, res sql.Result, err error, id int64) error {
	if err := o.affected(res, err, "no delivery %d", id); vtr.ErrorCode(err) != vtr.ENOTFOUND {
		return err
	}
	var n int
	if err := o.DB.QueryRowContext(ctx, o.q(`SELECT COUNT(*) FROM outbox WHERE id = ?`), id).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return vtr.Errorf(vtr.ENOTFOUND, "no delivery %d", id)
	}
	return nil
}

// MaxDeliveries bounds a Deliveries listing.
const MaxDeliveries = 1000

// Deliveries lists deliveries with a status ("" for all), newest first,
// at most limit of them (0: 100; never more than MaxDeliveries). Secrets
// are not returned; bodies are.
func (o *Outbox) Deliveries(ctx context.Context, status string, limit int) ([]vtr.Delivery, error) {
	switch status {
	case "", vtr.DeliveryPending, vtr.DeliveryDelivered, vtr.DeliveryFailed:
	default:
		return nil, vtr.Errorf(vtr.EINVALID, "unknown delivery status %q (pending, delivered or failed)", status)
	}
	if limit <= 0 {
		limit = 100
	}
	limit = min(limit, MaxDeliveries)
	q, args := `SELECT o.id, o.subscription_id, s.url, o.event_id, o.type, o.seller_id, o.body, o.status,
			o.attempts, o.created_at, o.next_attempt_at, o.last_error, o.delivered_at
		FROM outbox o JOIN webhook_subscriptions s ON s.id = o.subscription_id `, []any{}
	if status != "" {
		q, args = q+`WHERE o.status = ? `, append(args, status)
	}
	var out []vtr.Delivery
	rows, err := o.DB.QueryContext(ctx, o.q(q+`ORDER BY o.id DESC LIMIT ?`), append(args, limit)...)
	err = Each(rows, err, func(r *sql.Rows) error {
		var d vtr.Delivery
		var created, next, delivered int64
		if err := r.Scan(&d.ID, &d.Subscription, &d.URL, &d.EventID, &d.Type, &d.SellerID, &d.Body, &d.Status,
			&d.Attempts, &created, &next, &d.LastError, &delivered); err != nil {
			return err
		}
		d.CreatedAt, d.DeliveredAt = FromUnix(created), FromUnix(delivered)
		if d.Status == vtr.DeliveryPending {
			d.NextAttempt = time.Unix(0, next).UTC()
		}
		out = append(out, d)
		return nil
	})
	return out, err
}

// Redeliver puts a delivered or failed delivery back in the queue, due at
// now, its attempts reset. Its creation time becomes now, so a requeued
// delivery gets the full retry period again (the body keeps the event's
// own created_at). A delivery already pending is left as it is.
func (o *Outbox) Redeliver(ctx context.Context, id int64, now time.Time) error {
	res, err := o.DB.ExecContext(ctx, o.q(`UPDATE outbox SET status = 'pending', attempts = 0, created_at = ?, next_attempt_at = ?, lease_until = 0,
			last_error = '', delivered_at = 0, failed_at = 0
		WHERE id = ? AND status IN ('delivered', 'failed')`), Unix(now), now.UnixNano(), id)
	return o.affectedOrExists(ctx, res, err, id)
}
