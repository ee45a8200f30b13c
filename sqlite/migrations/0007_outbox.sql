-- Outgoing webhooks: the receivers operators registered and the durable
-- outbox, one row per event and subscription, written in the transaction
-- of the change it announces. Times are Unix seconds, except the two
-- scheduling columns, in Unix nanoseconds (backoff and leases are finer
-- than a second).
CREATE TABLE webhook_subscriptions (
	id         TEXT PRIMARY KEY,
	url        TEXT NOT NULL,
	events     TEXT NOT NULL, -- JSON list of event types
	seller_id  TEXT NOT NULL DEFAULT '', -- '' for every seller
	secret     TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	disabled   INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE outbox (
	id              INTEGER PRIMARY KEY AUTOINCREMENT, -- order within a subscription
	subscription_id TEXT NOT NULL,
	event_id        TEXT NOT NULL,
	type            TEXT NOT NULL,
	seller_id       TEXT NOT NULL DEFAULT '',
	body            BLOB NOT NULL, -- the exact bytes sent and signed
	status          TEXT NOT NULL, -- pending, delivered, failed
	attempts        INTEGER NOT NULL DEFAULT 0,
	created_at      INTEGER NOT NULL,
	next_attempt_at INTEGER NOT NULL, -- ns
	lease_until     INTEGER NOT NULL DEFAULT 0, -- ns
	last_error      TEXT NOT NULL DEFAULT '',
	delivered_at    INTEGER NOT NULL DEFAULT 0,
	failed_at       INTEGER NOT NULL DEFAULT 0,
	UNIQUE (subscription_id, event_id)
);
CREATE INDEX outbox_pending ON outbox (subscription_id, status, id);
CREATE INDEX outbox_by_status ON outbox (status, id);
