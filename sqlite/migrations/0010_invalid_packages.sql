-- The packages with no valid tracking, in the defect list's order
-- (seller, policy, inclusion day, order, package): the defect list (a
-- page at any depth) and the defects-by-reason chart read only these (a
-- few percent of the packages) instead of every package of the window.
-- Partial, so a valid package costs the index nothing.
CREATE INDEX packages_invalid ON packages (seller_id, policy, day, order_id, package_id, reasons) WHERE outcome = 'invalid';
