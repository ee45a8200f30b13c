package sqlutil

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/vtr-project/vtr"
)

// Keys keeps API keys and idempotent answers in standard SQL, the same
// on every engine (vtr.KeyStore and vtr.IdempotencyStore). Each method
// is one statement or one short transaction: nothing is kept between
// calls, so any number of servers share the tables.
type Keys struct {
	DB     *sql.DB
	Rebind func(string) string
}

var (
	_ vtr.KeyStore         = (*Keys)(nil)
	_ vtr.IdempotencyStore = (*Keys)(nil)
)

func (k *Keys) q(s string) string {
	if k.Rebind == nil {
		return s
	}
	return k.Rebind(s)
}

// CreateKey stores a new key.
func (k *Keys) CreateKey(ctx context.Context, key *vtr.APIKey, hash []byte) error {
	_, err := k.DB.ExecContext(ctx, k.q(`INSERT INTO api_keys (key_id, role, seller_id, name, hash, created_at) VALUES (?, ?, ?, ?, ?, ?)`),
		key.ID, key.Role, key.SellerID, key.Name, hash, Unix(key.CreatedAt))
	return err
}

const keyCols = `key_id, role, seller_id, name, created_at, revoked_at`

func scanKey(r Scanner) (vtr.APIKey, error) {
	var k vtr.APIKey
	var created, revoked int64
	err := r.Scan(&k.ID, &k.Role, &k.SellerID, &k.Name, &created, &revoked)
	k.CreatedAt, k.RevokedAt = FromUnix(created), FromUnix(revoked)
	return k, err
}

// KeyByHash returns the live key with this hash.
func (k *Keys) KeyByHash(ctx context.Context, hash []byte) (*vtr.APIKey, error) {
	key, err := scanKey(k.DB.QueryRowContext(ctx, k.q(`SELECT `+keyCols+` FROM api_keys WHERE hash = ? AND revoked_at = 0`), hash))
	if err != nil {
		return nil, notFound(err, "no such key")
	}
	return &key, nil
}

// Keys lists every key, revoked ones included, by creation.
func (k *Keys) Keys(ctx context.Context) ([]vtr.APIKey, error) {
	var out []vtr.APIKey
	rows, err := k.DB.QueryContext(ctx, `SELECT `+keyCols+` FROM api_keys ORDER BY created_at, key_id`)
	err = Each(rows, err, func(r *sql.Rows) error {
		key, err := scanKey(r)
		out = append(out, key)
		return err
	})
	return out, err
}

// RevokeKey revokes a key; a second revocation keeps the first time.
func (k *Keys) RevokeKey(ctx context.Context, id string, at time.Time) error {
	res, err := k.DB.ExecContext(ctx, k.q(`UPDATE api_keys SET revoked_at = CASE WHEN revoked_at = 0 THEN ? ELSE revoked_at END WHERE key_id = ?`), Unix(at), id)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return vtr.Errorf(vtr.ENOTFOUND, "no key %s", id)
	}
	return nil
}

// ClaimRequest claims an idempotency key, or returns its stored answer.
// The claim is one INSERT that only one of several racing requests wins;
// a claim left unanswered for longer than stale (its server died) is
// taken over by a compare-and-set on its claim time.
func (k *Keys) ClaimRequest(ctx context.Context, keyID, idemKey string, reqHash []byte, now time.Time, stale time.Duration) (*vtr.StoredResponse, bool, error) {
	for range 3 {
		res, err := k.DB.ExecContext(ctx, k.q(`INSERT INTO idempotency (key_id, idem_key, request_hash, claimed_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`),
			keyID, idemKey, reqHash, now.UnixNano())
		if err != nil {
			return nil, false, err
		}
		if n, err := res.RowsAffected(); err != nil {
			return nil, false, err
		} else if n == 1 {
			return nil, true, nil
		}
		var (
			hash    []byte
			claimed int64
			status  int
			ctype   string
			body    []byte
		)
		err = k.DB.QueryRowContext(ctx, k.q(`SELECT request_hash, claimed_at, status, content_type, body FROM idempotency WHERE key_id = ? AND idem_key = ?`),
			keyID, idemKey).Scan(&hash, &claimed, &status, &ctype, &body)
		if errors.Is(err, sql.ErrNoRows) {
			continue // released meanwhile: claim again
		}
		if err != nil {
			return nil, false, err
		}
		if !bytes.Equal(hash, reqHash) {
			return nil, false, vtr.Errorf(vtr.ECONFLICT, "this Idempotency-Key was used for a different request")
		}
		if status != 0 {
			return &vtr.StoredResponse{Status: status, ContentType: ctype, Body: body}, false, nil
		}
		if now.Sub(time.Unix(0, claimed)) < stale {
			return nil, false, vtr.Errorf(vtr.ECONFLICT, "a request with this Idempotency-Key is still in progress; retry later")
		}
		res, err = k.DB.ExecContext(ctx, k.q(`UPDATE idempotency SET claimed_at = ? WHERE key_id = ? AND idem_key = ? AND claimed_at = ? AND status = 0`),
			now.UnixNano(), keyID, idemKey, claimed)
		if err != nil {
			return nil, false, err
		}
		if n, err := res.RowsAffected(); err != nil {
			return nil, false, err
		} else if n == 1 {
			return nil, true, nil
		}
	}
	return nil, false, vtr.Errorf(vtr.ECONFLICT, "a request with this Idempotency-Key is in progress; retry later")
}

// FinishRequest records a claimed request's answer.
func (k *Keys) FinishRequest(ctx context.Context, keyID, idemKey string, resp *vtr.StoredResponse) error {
	_, err := k.DB.ExecContext(ctx, k.q(`UPDATE idempotency SET status = ?, content_type = ?, body = ? WHERE key_id = ? AND idem_key = ?`),
		resp.Status, resp.ContentType, resp.Body, keyID, idemKey)
	return err
}

// ReleaseRequest drops an unanswered claim.
func (k *Keys) ReleaseRequest(ctx context.Context, keyID, idemKey string) error {
	_, err := k.DB.ExecContext(ctx, k.q(`DELETE FROM idempotency WHERE key_id = ? AND idem_key = ? AND status = 0`), keyID, idemKey)
	return err
}

// Ready reports whether the database answers and holds every one of the
// want migrations the binary embeds (a server started by an older binary
// beside a newer schema, or the reverse, is not ready).
func Ready(ctx context.Context, db *sql.DB, want int) error {
	var n int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations`).Scan(&n); err != nil {
		return fmt.Errorf("database unreachable: %w", err)
	}
	if n != want {
		return fmt.Errorf("schema has %d migrations, this vtr expects %d", n, want)
	}
	return nil
}
