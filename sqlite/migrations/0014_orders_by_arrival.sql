-- Orders are kept in the order they arrive (a rowid table, found through
-- one unique index on the order ID and its seller), not in the order of
-- their keys. Order IDs are random (Amazon's 3-7-7 digits, Walmart's
-- purchase-order numbers): kept in key order (0012), each import batch
-- inserted its new orders all over the table, and once the table outgrew
-- the page cache every batch rewrote most of its pages, twice with the
-- WAL. Kept in arrival order, new orders append at the table's end and
-- the orders an import updates (first ship time, cancellations) are the
-- recent ones, together at its end; only the index, a fraction of the
-- table's size, takes random inserts. The index leads with the order ID,
-- so it also finds an order ID's sellers: orders_by_order_id goes.
CREATE TABLE orders_by_arrival (
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
	first_shipped_at INTEGER NOT NULL DEFAULT 0
);
INSERT INTO orders_by_arrival (seller_id, order_id, policy, purchased_at, category, value_minor, currency, ship_to, ship_by, deliver_by,
		digital, freight, cancelled_at, cancelled_by_seller, first_shipped_at)
	SELECT seller_id, order_id, policy, purchased_at, category, value_minor, currency, ship_to, ship_by, deliver_by,
		digital, freight, cancelled_at, cancelled_by_seller, first_shipped_at FROM orders ORDER BY purchased_at, seller_id, order_id;
DROP TABLE orders;
ALTER TABLE orders_by_arrival RENAME TO orders;
CREATE UNIQUE INDEX orders_key ON orders (order_id, seller_id);
