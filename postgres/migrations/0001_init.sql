-- vtr schema for PostgreSQL, version 1. Every key of seller data is led by
-- seller_id: the tables distribute by seller on Citus (see the README).
-- Carrier events and their summaries are facts about a tracking number,
-- shared by every seller that uses it. Times are Unix seconds (UTC), days
-- Unix days, as in the SQLite engine, so both engines compare the same.

CREATE TABLE sellers (
	seller_id TEXT PRIMARY KEY,
	name      TEXT NOT NULL DEFAULT '',
	policies  TEXT NOT NULL DEFAULT '[]', -- JSON array
	ship_from TEXT NOT NULL DEFAULT '[]'  -- JSON array
);

CREATE TABLE orders (
	seller_id    TEXT NOT NULL,
	order_id     TEXT NOT NULL,
	policy       TEXT NOT NULL,
	purchased_at BIGINT NOT NULL,
	category     TEXT NOT NULL,
	value_minor  BIGINT NOT NULL,
	currency     TEXT NOT NULL,
	ship_to      TEXT NOT NULL DEFAULT '{}', -- JSON location
	ship_by      BIGINT NOT NULL DEFAULT 0,
	deliver_by   BIGINT NOT NULL,
	digital      BOOLEAN NOT NULL DEFAULT false,
	freight      BOOLEAN NOT NULL DEFAULT false,
	cancelled_at BIGINT NOT NULL DEFAULT 0,
	cancelled_by_seller BOOLEAN NOT NULL DEFAULT false,
	first_shipped_at BIGINT NOT NULL DEFAULT 0,
	PRIMARY KEY (seller_id, order_id)
);
CREATE INDEX orders_by_order_id ON orders (order_id);

-- Every ship confirmation, edits included: the package's history.
CREATE TABLE shipments (
	seller_id       TEXT NOT NULL,
	order_id        TEXT NOT NULL,
	package_id      TEXT NOT NULL,
	seq             BIGINT NOT NULL,
	carrier         TEXT NOT NULL,
	carrier_name    TEXT NOT NULL,
	tracking_number TEXT NOT NULL,
	ship_method     TEXT NOT NULL,
	ship_from_id    TEXT NOT NULL,
	shipped_at      BIGINT NOT NULL,
	uploaded_at     BIGINT NOT NULL,
	PRIMARY KEY (seller_id, order_id, package_id, seq)
);

-- One row per package: its current confirmation (derived from the
-- history) and its verdict, as counted in vtr_daily.
CREATE TABLE packages (
	seller_id     TEXT NOT NULL,
	order_id      TEXT NOT NULL,
	package_id    TEXT NOT NULL,
	tracking_norm TEXT NOT NULL,
	first_uploaded_at BIGINT NOT NULL,
	edits         INTEGER NOT NULL DEFAULT 0,
	cur_seq       BIGINT NOT NULL,
	policy        TEXT NOT NULL DEFAULT '',
	outcome       TEXT NOT NULL DEFAULT '',
	reasons       TEXT NOT NULL DEFAULT '',
	warnings      TEXT NOT NULL DEFAULT '',
	carrier       TEXT NOT NULL DEFAULT '',
	detected      TEXT NOT NULL DEFAULT '',
	explanation   TEXT NOT NULL DEFAULT '',
	day           BIGINT NOT NULL DEFAULT 0,
	category      TEXT NOT NULL DEFAULT '',
	ship_from_id  TEXT NOT NULL DEFAULT '',
	delivered     BOOLEAN NOT NULL DEFAULT false,
	on_time       BOOLEAN NOT NULL DEFAULT false,
	PRIMARY KEY (seller_id, order_id, package_id)
);
CREATE INDEX packages_by_tracking ON packages (tracking_norm);
CREATE INDEX packages_by_day ON packages (seller_id, policy, day);

CREATE TABLE events (
	tracking_norm TEXT NOT NULL,
	event_id      TEXT NOT NULL,
	carrier       TEXT NOT NULL,
	reported_by   TEXT NOT NULL,
	occurred_at   BIGINT NOT NULL,
	utc_offset    INTEGER NOT NULL,
	offset_known  BOOLEAN NOT NULL,
	code          TEXT NOT NULL,
	type_code     TEXT NOT NULL,
	description   TEXT NOT NULL,
	status        TEXT NOT NULL,
	class         TEXT NOT NULL,
	class_rule    TEXT NOT NULL,
	city          TEXT NOT NULL,
	state         TEXT NOT NULL,
	postal_code   TEXT NOT NULL,
	country       TEXT NOT NULL,
	source        TEXT NOT NULL,
	source_id     TEXT NOT NULL,
	PRIMARY KEY (tracking_norm, event_id)
);

-- The order-independent reduction of each number's events (vtr.ScanSummary).
CREATE TABLE scan_summaries (
	tracking_norm     TEXT PRIMARY KEY,
	events            INTEGER NOT NULL,
	physical          INTEGER NOT NULL,
	unknown           INTEGER NOT NULL,
	first_event_at    BIGINT NOT NULL,
	first_physical_at BIGINT NOT NULL,
	first_physical_id TEXT NOT NULL,
	fp_city           TEXT NOT NULL,
	fp_state          TEXT NOT NULL,
	fp_postal_code    TEXT NOT NULL,
	fp_country        TEXT NOT NULL,
	delivered_at      BIGINT NOT NULL,
	attempted_at      BIGINT NOT NULL,
	last_status       TEXT NOT NULL,
	last_at           BIGINT NOT NULL,
	last_id           TEXT NOT NULL,
	delivered_offset  INTEGER NOT NULL DEFAULT 0
);

-- Live VTR aggregates: one row per seller, policy, inclusion day,
-- category, carrier and ship-from.
CREATE TABLE vtr_daily (
	seller_id    TEXT NOT NULL,
	policy       TEXT NOT NULL,
	day          BIGINT NOT NULL,
	category     TEXT NOT NULL,
	carrier      TEXT NOT NULL,
	ship_from_id TEXT NOT NULL,
	valid        INTEGER NOT NULL DEFAULT 0,
	invalid      INTEGER NOT NULL DEFAULT 0,
	exempt       INTEGER NOT NULL DEFAULT 0,
	delivered    INTEGER NOT NULL DEFAULT 0,
	on_time      INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (seller_id, policy, day, category, carrier, ship_from_id)
);

-- Order-level aggregates for the sibling metrics.
CREATE TABLE order_daily (
	seller_id TEXT NOT NULL,
	policy    TEXT NOT NULL,
	kind      TEXT NOT NULL,
	day       BIGINT NOT NULL,
	total     INTEGER NOT NULL DEFAULT 0,
	hits      INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (seller_id, policy, kind, day)
);

-- Shipments and cancellations that arrived before their order; seller_id
-- is '' when the record named no seller.
CREATE TABLE orphans (
	seller_id TEXT NOT NULL,
	order_id  TEXT NOT NULL,
	seq       BIGINT NOT NULL,
	kind      TEXT NOT NULL,
	body      TEXT NOT NULL,
	PRIMARY KEY (seller_id, order_id, seq)
);
CREATE INDEX orphans_by_order_id ON orphans (order_id);

-- Carrier codes no table classifies, counted for the operator.
CREATE TABLE unknown_codes (
	source  TEXT NOT NULL,
	carrier TEXT NOT NULL,
	code    TEXT NOT NULL,
	example TEXT NOT NULL,
	count   BIGINT NOT NULL,
	PRIMARY KEY (source, carrier, code)
);
