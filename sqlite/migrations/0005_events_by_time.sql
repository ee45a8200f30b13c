-- Events are keyed by the time they occurred first. An event's ID is a hash
-- over its time (vtr.EventID), so (occurred_at, tracking_norm, event_id)
-- is unique exactly when (tracking_norm, event_id) is; and events arrive in
-- about the order they happen, so an import appends to the end of the
-- table instead of writing one random page of it per event (the table is
-- the largest in the file: keyed by number, its pages were rewritten
-- throughout every batch and import slowed down as it grew).
CREATE TABLE events_by_time (
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
	PRIMARY KEY (occurred_at, tracking_norm, event_id)
) WITHOUT ROWID;
INSERT INTO events_by_time (tracking_norm, event_id, carrier, reported_by, occurred_at, utc_offset, offset_known, code, type_code,
		description, status, class, class_rule, city, state, postal_code, country, source, source_id)
	SELECT tracking_norm, event_id, carrier, reported_by, occurred_at, utc_offset, offset_known, code, type_code,
		description, status, class, class_rule, city, state, postal_code, country, source, source_id FROM events;
DROP TABLE events;
ALTER TABLE events_by_time RENAME TO events;

-- A package keeps its current confirmation (derived from its history, as
-- cur_seq is): judging a package, the label-reuse lookup and the defect
-- report read it with the package instead of looking it up in shipments.
ALTER TABLE packages ADD COLUMN cur_carrier TEXT NOT NULL DEFAULT '';
ALTER TABLE packages ADD COLUMN cur_carrier_name TEXT NOT NULL DEFAULT '';
ALTER TABLE packages ADD COLUMN cur_tracking_number TEXT NOT NULL DEFAULT '';
ALTER TABLE packages ADD COLUMN cur_ship_method TEXT NOT NULL DEFAULT '';
ALTER TABLE packages ADD COLUMN cur_ship_from_id TEXT NOT NULL DEFAULT '';
ALTER TABLE packages ADD COLUMN cur_shipped_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE packages ADD COLUMN cur_uploaded_at INTEGER NOT NULL DEFAULT 0;
UPDATE packages SET cur_carrier = s.carrier, cur_carrier_name = s.carrier_name, cur_tracking_number = s.tracking_number,
		cur_ship_method = s.ship_method, cur_ship_from_id = s.ship_from_id, cur_shipped_at = s.shipped_at, cur_uploaded_at = s.uploaded_at
	FROM shipments s
	WHERE s.seller_id = packages.seller_id AND s.order_id = packages.order_id AND s.package_id = packages.package_id AND s.seq = packages.cur_seq;
