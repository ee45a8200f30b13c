-- Defects by reason: one row per seller, policy, inclusion day and
-- reason, counting the packages with no valid tracking that carry it,
-- kept by the import with the other aggregates. The dashboard's chart of
-- defects by reason sums at most a window's days of rows, whatever the
-- number of packages. Distributed by seller_id, as the other aggregates.
CREATE TABLE reason_daily (
	seller_id TEXT NOT NULL,
	policy    TEXT NOT NULL,
	day       BIGINT NOT NULL,
	reason    TEXT NOT NULL,
	invalid   INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (seller_id, policy, day, reason)
);
INSERT INTO reason_daily (seller_id, policy, day, reason, invalid)
	SELECT p.seller_id, p.policy, p.day, r.reason, COUNT(*)
	FROM packages p, unnest(string_to_array(p.reasons, ',')) AS r(reason)
	WHERE p.outcome = 'invalid' AND p.policy <> '' AND p.reasons <> ''
	GROUP BY p.seller_id, p.policy, p.day, r.reason;
