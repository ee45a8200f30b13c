-- The packages with no valid tracking, by seller, policy and inclusion
-- day: the defect list and the defects-by-reason chart read only these
-- (a few percent of the packages) instead of every package of the
-- window. Partial, so a valid package costs the index nothing. Its key
-- leads with seller_id, as Citus needs of a distributed table's indexes.
CREATE INDEX packages_invalid ON packages (seller_id, policy, day, reasons) WHERE outcome = 'invalid';
