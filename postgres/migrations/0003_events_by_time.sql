-- Events are keyed by the time they occurred first. An event's ID is a hash
-- over its time (vtr.EventID), so (occurred_at, tracking_norm, event_id)
-- is unique exactly when (tracking_norm, event_id) is; and events arrive in
-- about the order they happen, so an import writes the end of the key's
-- index instead of one random page of it per event (keyed by number, the
-- largest index was rewritten throughout every batch, and import slowed
-- down as it grew). The key still holds tracking_norm, the column Citus
-- distributes events by.
ALTER TABLE events DROP CONSTRAINT events_pkey;
ALTER TABLE events ADD PRIMARY KEY (occurred_at, tracking_norm, event_id);
