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
