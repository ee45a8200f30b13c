package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/internal/sqlutil"
)

// RunSessions is the contract of dashboard sessions. open gives the
// sessions and keys of one fresh database, twice (two servers).
func RunSessions(t *testing.T, open func(t *testing.T) (a, b *sqlutil.Sessions, keys vtr.KeyStore)) {
	ctx := context.Background()
	now := fixedNow()
	a, b, keys := open(t)
	_, k, hash, err := vtr.NewAPIKey(vtr.RoleSeller, "S1", "dashboard", now)
	if err != nil {
		t.Fatal(err)
	}
	if err := keys.CreateKey(ctx, &k, hash); err != nil {
		t.Fatal(err)
	}
	short, long := []byte("short-lived session hash"), []byte("long-lived session hash")
	if err := a.Create(ctx, short, k.ID, "csrf-1", now, now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := a.Create(ctx, long, k.ID, "csrf-2", now, now.Add(12*time.Hour)); err != nil {
		t.Fatal(err)
	}
	// The other server sees both sessions, with their key.
	ss, err := b.Lookup(ctx, short, now.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if ss.Key.ID != k.ID || ss.Key.SellerID != "S1" || ss.CSRF != "csrf-1" || !ss.ExpiresAt.Equal(now.Add(time.Hour)) {
		t.Errorf("session %+v", ss)
	}
	// Expired: not found at once, whether or not the row is gone yet.
	later := now.Add(2 * time.Hour)
	if _, err := b.Lookup(ctx, short, later); vtr.ErrorCode(err) != vtr.ENOTFOUND {
		t.Errorf("expired session: %v, want not found", err)
	}
	n, err := b.DeleteExpired(ctx, later)
	if err != nil || n != 1 {
		t.Errorf("DeleteExpired: %d, %v; want the one expired session", n, err)
	}
	if n, err := a.DeleteExpired(ctx, later); err != nil || n != 0 {
		t.Errorf("DeleteExpired again: %d, %v; want 0", n, err)
	}
	if _, err := a.Lookup(ctx, long, later); err != nil {
		t.Errorf("the live session after cleanup: %v", err)
	}
	// Revoking the key ends its sessions; signing out ends one.
	if err := keys.RevokeKey(ctx, k.ID, later); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Lookup(ctx, long, later); vtr.ErrorCode(err) != vtr.ENOTFOUND {
		t.Errorf("session of a revoked key: %v, want not found", err)
	}
	if err := b.Delete(ctx, long); err != nil {
		t.Fatal(err)
	}
	if err := b.Delete(ctx, long); err != nil {
		t.Errorf("signing out twice: %v", err)
	}
	if n, err := a.DeleteExpired(ctx, now.Add(24*time.Hour)); err != nil || n != 0 {
		t.Errorf("after sign-out DeleteExpired: %d, %v; want nothing left", n, err)
	}
}
