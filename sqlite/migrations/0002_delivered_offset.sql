-- The UTC offset of the delivery scan: on-time delivery compares the local
-- delivery date with the promised date.
ALTER TABLE scan_summaries ADD COLUMN delivered_offset INTEGER NOT NULL DEFAULT 0;
