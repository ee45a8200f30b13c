-- One index finds an order by its ID and seller, and an order ID's
-- sellers: the primary key leads with the order ID, and
-- orders_by_order_id goes. Order IDs are random, so every index on them
-- takes each new order at a random page; one such index instead of two
-- halves what an import dirties in orders' indexes. The key still holds
-- the distribution column (Citus), and no query reads orders by seller
-- alone (order_daily answers those).
ALTER TABLE orders DROP CONSTRAINT orders_pkey;
ALTER TABLE orders ADD PRIMARY KEY (order_id, seller_id);
DROP INDEX orders_by_order_id;
