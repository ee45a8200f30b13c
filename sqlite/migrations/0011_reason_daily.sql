-- Defects by reason: one row per seller, policy, inclusion day and
-- reason, counting the packages with no valid tracking that carry it,
-- kept by the import with the other aggregates. The dashboard's chart of
-- defects by reason sums at most a window's days of rows, whatever the
-- number of packages.
CREATE TABLE reason_daily (
	seller_id TEXT NOT NULL,
	policy    TEXT NOT NULL,
	day       INTEGER NOT NULL,
	reason    TEXT NOT NULL,
	invalid   INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (seller_id, policy, day, reason)
) WITHOUT ROWID;
-- Packages keep their reasons comma-separated (codes of capitals and
-- underscores): each becomes a JSON array element.
INSERT INTO reason_daily (seller_id, policy, day, reason, invalid)
	SELECT p.seller_id, p.policy, p.day, r.value, COUNT(*)
	FROM packages p, json_each('["' || replace(p.reasons, ',', '","') || '"]') r
	WHERE p.outcome = 'invalid' AND p.policy <> '' AND p.reasons <> ''
	GROUP BY p.seller_id, p.policy, p.day, r.value;
