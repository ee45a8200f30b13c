-- Dashboard sessions of `vtr serve`: a signed-in browser holds a random
-- session ID in its cookie; only the ID's SHA-256 is stored, beside the
-- key it speaks for and the form token (CSRF) of the session. A revoked
-- key ends its sessions: every lookup joins the live key.
CREATE TABLE sessions (
	id_hash    BLOB PRIMARY KEY,
	key_id     TEXT NOT NULL,
	csrf       TEXT NOT NULL,
	expires_at INTEGER NOT NULL,
	created_at INTEGER NOT NULL
);

CREATE INDEX sessions_expires ON sessions (expires_at);
