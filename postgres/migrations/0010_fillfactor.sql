-- Rows the import rewrites keep room on their page. A scan summary is
-- rewritten as its number's events arrive, a package as it is re-judged,
-- an order when it ships or is cancelled. With full pages (the default)
-- each rewrite went to another page: a new entry in every index, and a
-- dead row that only VACUUM reclaims. With room on the page the rewrite
-- stays there (a heap-only tuple) when no indexed column changes, and
-- the dead row is pruned as the page is next read, without VACUUM.
-- Applies to pages written from now on.
ALTER TABLE scan_summaries SET (fillfactor = 70);
ALTER TABLE packages SET (fillfactor = 80);
ALTER TABLE orders SET (fillfactor = 80);
