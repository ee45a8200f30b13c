package sqlutil

import (
	"context"
	"database/sql"
	"time"

	"github.com/vtr-project/vtr"
)

// Session is a signed-in dashboard session: the key it speaks for, the
// token every form of the session carries (CSRF), and when it ends.
type Session struct {
	Key       vtr.APIKey
	CSRF      string
	ExpiresAt time.Time
	CreatedAt time.Time
}

// Sessions keeps dashboard sessions in standard SQL, the same on every
// engine. Only the SHA-256 of a session ID is stored, so a copy of the
// table opens no session. Each method is one statement: any number of
// servers share the table.
type Sessions struct {
	DB     *sql.DB
	Rebind func(string) string
}

func (s *Sessions) q(x string) string {
	if s.Rebind == nil {
		return x
	}
	return s.Rebind(x)
}

// Create stores a new session for a key.
func (s *Sessions) Create(ctx context.Context, idHash []byte, keyID, csrf string, created, expires time.Time) error {
	_, err := s.DB.ExecContext(ctx, s.q(`INSERT INTO sessions (id_hash, key_id, csrf, expires_at, created_at) VALUES (?, ?, ?, ?, ?)`),
		idHash, keyID, csrf, Unix(expires), Unix(created))
	return err
}

// Lookup returns the session with this ID hash, live at now, with its
// key: ENOTFOUND when there is none, it has expired, or its key was
// revoked (revoking a key ends its sessions at once).
func (s *Sessions) Lookup(ctx context.Context, idHash []byte, now time.Time) (*Session, error) {
	var ss Session
	var created, revoked, expires, screated int64
	err := s.DB.QueryRowContext(ctx, s.q(`SELECT k.key_id, k.role, k.seller_id, k.name, k.created_at, k.revoked_at, s.csrf, s.expires_at, s.created_at
		FROM sessions s JOIN api_keys k ON k.key_id = s.key_id
		WHERE s.id_hash = ? AND s.expires_at > ? AND k.revoked_at = 0`), idHash, Unix(now)).
		Scan(&ss.Key.ID, &ss.Key.Role, &ss.Key.SellerID, &ss.Key.Name, &created, &revoked, &ss.CSRF, &expires, &screated)
	if err != nil {
		return nil, notFound(err, "no such session")
	}
	ss.Key.CreatedAt, ss.Key.RevokedAt = FromUnix(created), FromUnix(revoked)
	ss.ExpiresAt, ss.CreatedAt = FromUnix(expires), FromUnix(screated)
	return &ss, nil
}

// Delete ends a session (signing out); ending one that is gone is not
// an error.
func (s *Sessions) Delete(ctx context.Context, idHash []byte) error {
	_, err := s.DB.ExecContext(ctx, s.q(`DELETE FROM sessions WHERE id_hash = ?`), idHash)
	return err
}

// DeleteExpired removes the sessions expired at now and says how many.
func (s *Sessions) DeleteExpired(ctx context.Context, now time.Time) (int64, error) {
	res, err := s.DB.ExecContext(ctx, s.q(`DELETE FROM sessions WHERE expires_at <= ?`), Unix(now))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
