-- API keys of `vtr serve` (only each key's SHA-256 is stored) and the
-- answers recorded for Idempotency-Key, per key.
CREATE TABLE api_keys (
	key_id     TEXT PRIMARY KEY,
	role       TEXT NOT NULL,
	seller_id  TEXT NOT NULL DEFAULT '',
	name       TEXT NOT NULL DEFAULT '',
	hash       BYTEA NOT NULL UNIQUE,
	created_at BIGINT NOT NULL,
	revoked_at BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE idempotency (
	key_id       TEXT NOT NULL,
	idem_key     TEXT NOT NULL,
	request_hash BYTEA NOT NULL,
	claimed_at   BIGINT NOT NULL,
	status       INTEGER NOT NULL DEFAULT 0, -- 0 while in progress
	content_type TEXT NOT NULL DEFAULT '',
	body         BYTEA,
	PRIMARY KEY (key_id, idem_key)
);
