-- Scan summaries are kept in the order their numbers were first seen
-- (a rowid table, looked up through a unique index on the number), not
-- in the order of the numbers. An import updates the summaries of the
-- numbers in transit, which are the recent ones: kept in number order
-- they are spread over every page of the table, and each batch rewrote
-- most of its pages (twice with the WAL) once the table outgrew the
-- cache; kept in arrival order they sit together at its end. The index
-- changes only when a number is new.
CREATE TABLE scan_summaries_by_arrival (
	tracking_norm     TEXT NOT NULL UNIQUE,
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
	last_id           TEXT NOT NULL,
	delivered_offset  INTEGER NOT NULL DEFAULT 0
);
INSERT INTO scan_summaries_by_arrival (tracking_norm, events, physical, unknown, first_event_at, first_physical_at, first_physical_id,
		fp_city, fp_state, fp_postal_code, fp_country, delivered_at, attempted_at, last_status, last_at, last_id, delivered_offset)
	SELECT tracking_norm, events, physical, unknown, first_event_at, first_physical_at, first_physical_id,
		fp_city, fp_state, fp_postal_code, fp_country, delivered_at, attempted_at, last_status, last_at, last_id, delivered_offset
	FROM scan_summaries ORDER BY first_event_at, tracking_norm;
DROP TABLE scan_summaries;
ALTER TABLE scan_summaries_by_arrival RENAME TO scan_summaries;
