package vtr

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"strings"
	"time"
)

// Key roles. An operator key sees and changes everything; a seller key
// sees and changes only its own seller's data.
const (
	RoleOperator = "operator"
	RoleSeller   = "seller"
)

// APIKey is a stored API key: who it speaks for, never the secret (only
// its SHA-256 is stored; keys carry 160 random bits, so a fast hash is
// enough and a slow one would only slow every request).
type APIKey struct {
	ID        string    `json:"id"`
	Role      string    `json:"role"`
	SellerID  string    `json:"seller_id,omitempty"`
	Name      string    `json:"name,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	RevokedAt time.Time `json:"revoked_at,omitzero"`
}

// keyPrefix marks vtr's keys so secret scanners and people recognise them.
const keyPrefix = "vtr_"

var keyEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// NewAPIKey makes a key for a role (and, for RoleSeller, a seller): the
// token to hand out once, and the record and hash to store. The token is
// "vtr_" + the key's ID + "_" + 32 random base32 characters.
func NewAPIKey(role, sellerID, name string, now time.Time) (token string, k APIKey, hash []byte, err error) {
	switch role {
	case RoleOperator:
		if sellerID != "" {
			return "", APIKey{}, nil, Errorf(EINVALID, "an operator key names no seller")
		}
	case RoleSeller:
		if strings.TrimSpace(sellerID) == "" {
			return "", APIKey{}, nil, Errorf(EINVALID, "a seller key needs a seller ID")
		}
	default:
		return "", APIKey{}, nil, Errorf(EINVALID, "unknown key role %q (operator or seller)", role)
	}
	var raw [25]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", APIKey{}, nil, err
	}
	id := keyEncoding.EncodeToString(raw[:5])
	token = keyPrefix + id + "_" + keyEncoding.EncodeToString(raw[5:])
	k = APIKey{ID: id, Role: role, SellerID: sellerID, Name: name, CreatedAt: now.UTC()}
	return token, k, HashKey(token), nil
}

// HashKey is what is stored of a token, and what a presented token is
// looked up by.
func HashKey(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// CanSee reports whether the key may see and change a seller's data.
func (k *APIKey) CanSee(sellerID string) bool {
	return k.Role == RoleOperator || k.Role == RoleSeller && k.SellerID == sellerID
}

// KeyStore keeps API keys. Revoked keys are kept (listed with their
// revocation time) and never authenticate.
type KeyStore interface {
	CreateKey(ctx context.Context, k *APIKey, hash []byte) error
	// KeyByHash returns the live key with this hash: ENOTFOUND when
	// there is none or it is revoked.
	KeyByHash(ctx context.Context, hash []byte) (*APIKey, error)
	Keys(ctx context.Context) ([]APIKey, error)
	// RevokeKey revokes a key (ENOTFOUND when there is no such key;
	// revoking twice keeps the first time).
	RevokeKey(ctx context.Context, id string, at time.Time) error
}

// StoredResponse is the answer recorded for an Idempotency-Key, replayed
// to a retry of the same request.
type StoredResponse struct {
	Status      int
	ContentType string
	Body        []byte
}

// IdempotencyStore records the first answer to a request sent with an
// Idempotency-Key, per API key, so that a retry gets the same answer.
type IdempotencyStore interface {
	// ClaimRequest claims (keyID, idemKey) for a request whose method,
	// path and body hash to reqHash. It returns:
	//   - the stored response, when the request was answered already;
	//   - claimed true, when the caller now owns it (a new key, or a claim
	//     older than stale whose owner never answered: it crashed);
	//   - an ECONFLICT error when the key was used for a different
	//     request, or the same request is still in progress.
	ClaimRequest(ctx context.Context, keyID, idemKey string, reqHash []byte, now time.Time, stale time.Duration) (resp *StoredResponse, claimed bool, err error)
	// FinishRequest records the answer of a claimed request.
	FinishRequest(ctx context.Context, keyID, idemKey string, resp *StoredResponse) error
	// ReleaseRequest drops a claim whose request failed before it
	// changed anything, so a retry runs it again.
	ReleaseRequest(ctx context.Context, keyID, idemKey string) error
}
