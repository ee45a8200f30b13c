-- vtr schema, version 1. Every key of seller data is led by seller_id so
-- the schema shards by seller. Events arrive before vtr knows the seller
-- (and one number may serve several sellers' orders), so they are keyed by
-- tracking number. Times are Unix seconds, UTC; days are Unix days.

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
	purchased_at INTEGER NOT NULL,
	category     TEXT NOT NULL,
	value_minor  INTEGER NOT NULL,
	currency     TEXT NOT NULL,
	ship_to      TEXT NOT NULL DEFAULT '{}', -- JSON location
	ship_by      INTEGER NOT NULL DEFAULT 0,
	deliver_by   INTEGER NOT NULL,
	digital      INTEGER NOT NULL DEFAULT 0,
	freight      INTEGER NOT NULL DEFAULT 0,
	cancelled_at INTEGER NOT NULL DEFAULT 0,
	cancelled_by_seller INTEGER NOT NULL DEFAULT 0,
	first_shipped_at INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (seller_id, order_id)
);
CREATE UNIQUE INDEX orders_by_id ON orders (order_id);

-- Every ship confirmation, edits included: the package's history.
CREATE TABLE shipments (
	seller_id       TEXT NOT NULL,
	order_id        TEXT NOT NULL,
	package_id      TEXT NOT NULL,
	seq             INTEGER NOT NULL,
	carrier         TEXT NOT NULL,
	carrier_name    TEXT NOT NULL,
	tracking_number TEXT NOT NULL,
	ship_method     TEXT NOT NULL,
	ship_from_id    TEXT NOT NULL,
	shipped_at      INTEGER NOT NULL,
	uploaded_at     INTEGER NOT NULL,
	PRIMARY KEY (seller_id, order_id, package_id, seq)
);

-- One row per package: its current tracking number and its verdict under
-- the order's policy, as counted in vtr_daily.
CREATE TABLE packages (
	seller_id     TEXT NOT NULL,
	order_id      TEXT NOT NULL,
	package_id    TEXT NOT NULL,
	tracking_norm TEXT NOT NULL,
	first_uploaded_at INTEGER NOT NULL,
	edits         INTEGER NOT NULL DEFAULT 0,
	cur_seq       INTEGER NOT NULL,           -- the current confirmation: latest uploaded_at, then seq
	cur_uploaded_at INTEGER NOT NULL,
	policy        TEXT NOT NULL DEFAULT '',
	outcome       TEXT NOT NULL DEFAULT '',
	reasons       TEXT NOT NULL DEFAULT '',
	warnings      TEXT NOT NULL DEFAULT '',
	carrier       TEXT NOT NULL DEFAULT '',
	detected      TEXT NOT NULL DEFAULT '',
	explanation   TEXT NOT NULL DEFAULT '',
	day           INTEGER NOT NULL DEFAULT 0,
	category      TEXT NOT NULL DEFAULT '',
	ship_from_id  TEXT NOT NULL DEFAULT '',
	delivered     INTEGER NOT NULL DEFAULT 0,
	on_time       INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (seller_id, order_id, package_id)
);
CREATE INDEX packages_by_tracking ON packages (tracking_norm);
CREATE INDEX packages_by_day ON packages (seller_id, policy, day);

CREATE TABLE events (
	tracking_norm TEXT NOT NULL,
	event_id      TEXT NOT NULL,
	carrier       TEXT NOT NULL,
	reported_by   TEXT NOT NULL,
	occurred_at   INTEGER NOT NULL,
	utc_offset    INTEGER NOT NULL,
	offset_known  INTEGER NOT NULL,
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
) WITHOUT ROWID;

-- The order-independent reduction of each number's events (vtr.ScanSummary).
CREATE TABLE scan_summaries (
	tracking_norm     TEXT PRIMARY KEY,
	events            INTEGER NOT NULL,
	physical          INTEGER NOT NULL,
	unknown           INTEGER NOT NULL,
	first_event_at    INTEGER NOT NULL,
	first_physical_at INTEGER NOT NULL,
	first_physical_id TEXT NOT NULL,
	fp_city           TEXT NOT NULL,
	fp_state          TEXT NOT NULL,
	fp_postal_code    TEXT NOT NULL,
	fp_country        TEXT NOT NULL,
	delivered_at      INTEGER NOT NULL,
	attempted_at      INTEGER NOT NULL,
	last_status       TEXT NOT NULL,
	last_at           INTEGER NOT NULL,
	last_id           TEXT NOT NULL
) WITHOUT ROWID;

-- Live VTR aggregates: one row per seller, policy, inclusion day,
-- category, carrier and ship-from. A rate sums at most window_days rows
-- per group; it never rescans packages.
CREATE TABLE vtr_daily (
	seller_id    TEXT NOT NULL,
	policy       TEXT NOT NULL,
	day          INTEGER NOT NULL,
	category     TEXT NOT NULL,
	carrier      TEXT NOT NULL,
	ship_from_id TEXT NOT NULL,
	valid        INTEGER NOT NULL DEFAULT 0,
	invalid      INTEGER NOT NULL DEFAULT 0,
	exempt       INTEGER NOT NULL DEFAULT 0,
	delivered    INTEGER NOT NULL DEFAULT 0, -- validly tracked and delivered
	on_time      INTEGER NOT NULL DEFAULT 0, -- of those, on time
	PRIMARY KEY (seller_id, policy, day, category, carrier, ship_from_id)
) WITHOUT ROWID;

-- Order-level aggregates for the sibling metrics: kind 'ship' keyed on the
-- ship-by day (Late Shipment Rate), kind 'order' keyed on the purchase day
-- (pre-fulfilment cancel rate).
CREATE TABLE order_daily (
	seller_id TEXT NOT NULL,
	policy    TEXT NOT NULL,
	kind      TEXT NOT NULL,
	day       INTEGER NOT NULL,
	total     INTEGER NOT NULL DEFAULT 0,
	hits      INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (seller_id, policy, kind, day)
) WITHOUT ROWID;

-- Shipments and cancellations that arrived before their order.
CREATE TABLE orphans (
	order_id TEXT NOT NULL,
	seq      INTEGER NOT NULL,
	kind     TEXT NOT NULL,
	body     TEXT NOT NULL,
	PRIMARY KEY (order_id, seq)
);

-- Carrier codes no table classifies, counted for the operator.
CREATE TABLE unknown_codes (
	source  TEXT NOT NULL,
	carrier TEXT NOT NULL,
	code    TEXT NOT NULL,
	example TEXT NOT NULL,
	count   INTEGER NOT NULL,
	PRIMARY KEY (source, carrier, code)
) WITHOUT ROWID;
