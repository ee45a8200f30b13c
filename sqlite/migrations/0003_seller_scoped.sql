-- Order IDs are unique per seller, not globally: two sellers may both
-- have order 1001 (Walmart purchase-order numbers, a multichannel tool's
-- own IDs). Records that wait for their order are keyed by seller too
-- ('' when the record named no seller). A package's current confirmation
-- is derived from its history (ingest.Derive), so cur_uploaded_at goes.
DROP INDEX orders_by_id;
CREATE INDEX orders_by_order_id ON orders (order_id);

CREATE TABLE orphans_new (
	seller_id TEXT NOT NULL,
	order_id  TEXT NOT NULL,
	seq       INTEGER NOT NULL,
	kind      TEXT NOT NULL,
	body      TEXT NOT NULL,
	PRIMARY KEY (seller_id, order_id, seq)
);
INSERT INTO orphans_new (seller_id, order_id, seq, kind, body) SELECT '', order_id, seq, kind, body FROM orphans;
DROP TABLE orphans;
ALTER TABLE orphans_new RENAME TO orphans;
CREATE INDEX orphans_by_order_id ON orphans (order_id);

ALTER TABLE packages DROP COLUMN cur_uploaded_at;
