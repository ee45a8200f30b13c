-- Each seller's SKU/ASIN → product category mapping (`vtr import
-- --format catalog`, POST /v1/records?format=catalog): later marketplace
-- order imports for the seller take an order's category from it. Keyed
-- by seller first: two sellers' SKUs may be spelled alike.
CREATE TABLE categories (
	seller_id   TEXT NOT NULL,
	sku_or_asin TEXT NOT NULL,
	category    TEXT NOT NULL,
	updated_at  INTEGER NOT NULL,
	PRIMARY KEY (seller_id, sku_or_asin)
);
