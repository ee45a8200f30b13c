-- Enforcement: each seller group's state, its audit history (never
-- updated), and plans of action. Keyed by seller first (Citus: by
-- seller_id).
CREATE TABLE enforcement (
	seller_id   TEXT NOT NULL,
	policy      TEXT NOT NULL,
	grp         TEXT NOT NULL,
	state       TEXT NOT NULL,
	since       BIGINT NOT NULL,
	below       BIGINT NOT NULL DEFAULT 0,
	evaluated   BIGINT NOT NULL DEFAULT 0,
	grace_until BIGINT NOT NULL DEFAULT 0,
	version     BIGINT NOT NULL,
	PRIMARY KEY (seller_id, policy, grp)
);

CREATE TABLE enforcement_history (
	seller_id TEXT NOT NULL,
	seq       BIGINT NOT NULL,
	policy    TEXT NOT NULL,
	grp       TEXT NOT NULL,
	from_state TEXT NOT NULL,
	to_state   TEXT NOT NULL,
	at        BIGINT NOT NULL,
	actor     TEXT NOT NULL,
	figures   TEXT NOT NULL, -- JSON
	note      TEXT NOT NULL DEFAULT '',
	rule      TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (seller_id, seq)
);

CREATE TABLE appeals (
	seller_id    TEXT NOT NULL,
	appeal_id    TEXT NOT NULL,
	policy       TEXT NOT NULL,
	grp          TEXT NOT NULL,
	plan         TEXT NOT NULL, -- JSON
	status       TEXT NOT NULL,
	submitted_at BIGINT NOT NULL,
	submitted_by TEXT NOT NULL,
	decided_at   BIGINT NOT NULL DEFAULT 0,
	decided_by   TEXT NOT NULL DEFAULT '',
	note         TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (seller_id, appeal_id)
);
CREATE INDEX appeals_by_status ON appeals (status, submitted_at);
CREATE INDEX appeals_by_id ON appeals (appeal_id); -- IDs are random; unique per seller
