package storetest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/vtr-project/vtr"
)

// KeyStores is what an engine offers the server besides the Store.
type KeyStores interface {
	vtr.KeyStore
	vtr.IdempotencyStore
}

// RunKeys is the contract of API keys and idempotent answers. open gives
// two handles on one fresh database (two servers).
func RunKeys(t *testing.T, open func(t *testing.T) (KeyStores, KeyStores)) {
	ctx := context.Background()
	now := fixedNow()
	t.Run("Keys", func(t *testing.T) {
		a, b := open(t)
		tok, k, hash, err := vtr.NewAPIKey(vtr.RoleSeller, "S1", "warehouse", now)
		if err != nil {
			t.Fatal(err)
		}
		if err := a.CreateKey(ctx, &k, hash); err != nil {
			t.Fatal(err)
		}
		got, err := b.KeyByHash(ctx, vtr.HashKey(tok))
		if err != nil || got.ID != k.ID || got.SellerID != "S1" || got.Role != vtr.RoleSeller || !got.CreatedAt.Equal(now) {
			t.Fatalf("KeyByHash = %+v, %v; want %+v", got, err, k)
		}
		if _, err := b.KeyByHash(ctx, vtr.HashKey(tok+"x")); vtr.ErrorCode(err) != vtr.ENOTFOUND {
			t.Errorf("wrong token: %v, want not found", err)
		}
		if err := a.RevokeKey(ctx, k.ID, now.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if err := a.RevokeKey(ctx, k.ID, now.Add(2*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if _, err := b.KeyByHash(ctx, vtr.HashKey(tok)); vtr.ErrorCode(err) != vtr.ENOTFOUND {
			t.Errorf("revoked key still authenticates: %v", err)
		}
		if err := a.RevokeKey(ctx, "nope", now); vtr.ErrorCode(err) != vtr.ENOTFOUND {
			t.Errorf("revoke unknown: %v, want not found", err)
		}
		keys, err := b.Keys(ctx)
		if err != nil || len(keys) != 1 || !keys[0].RevokedAt.Equal(now.Add(time.Hour)) {
			t.Errorf("Keys = %+v, %v; want one key revoked at the first revocation", keys, err)
		}
	})
	t.Run("Idempotency", func(t *testing.T) {
		a, b := open(t)
		h1, h2 := []byte("request one"), []byte("request two")
		// Many racing claims of one key: exactly one wins.
		var mu sync.Mutex
		wins := 0
		var wg sync.WaitGroup
		for i := range 8 {
			s := a
			if i%2 == 1 {
				s = b
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, claimed, err := s.ClaimRequest(ctx, "K", "idem-1", h1, now, time.Minute)
				if err != nil && vtr.ErrorCode(err) != vtr.ECONFLICT {
					t.Error(err)
				}
				if claimed {
					mu.Lock()
					wins++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if wins != 1 {
			t.Fatalf("%d racing claims won, want 1", wins)
		}
		if _, _, err := b.ClaimRequest(ctx, "K", "idem-1", h2, now, time.Minute); vtr.ErrorCode(err) != vtr.ECONFLICT {
			t.Errorf("same key, other request: %v, want conflict", err)
		}
		want := vtr.StoredResponse{Status: 200, ContentType: "application/json", Body: []byte(`{"accepted":1}`)}
		if err := a.FinishRequest(ctx, "K", "idem-1", &want); err != nil {
			t.Fatal(err)
		}
		resp, claimed, err := b.ClaimRequest(ctx, "K", "idem-1", h1, now, time.Minute)
		if err != nil || claimed || resp == nil || resp.Status != 200 || string(resp.Body) != string(want.Body) || resp.ContentType != want.ContentType {
			t.Errorf("replay = %+v, %v, %v; want the stored answer", resp, claimed, err)
		}
		// The same idempotency key under another API key is another request.
		if _, claimed, err := b.ClaimRequest(ctx, "K2", "idem-1", h2, now, time.Minute); err != nil || !claimed {
			t.Errorf("other API key: claimed %v, %v", claimed, err)
		}
		// A claim nobody answered is taken over once stale, and a
		// released claim can be made again.
		if _, claimed, _ := a.ClaimRequest(ctx, "K", "idem-2", h1, now, time.Minute); !claimed {
			t.Fatal("fresh claim failed")
		}
		if _, claimed, err := b.ClaimRequest(ctx, "K", "idem-2", h1, now.Add(30*time.Second), time.Minute); claimed || vtr.ErrorCode(err) != vtr.ECONFLICT {
			t.Errorf("claim in progress: claimed %v, %v; want conflict", claimed, err)
		}
		if _, claimed, err := b.ClaimRequest(ctx, "K", "idem-2", h1, now.Add(2*time.Minute), time.Minute); !claimed || err != nil {
			t.Errorf("stale claim: claimed %v, %v; want taken over", claimed, err)
		}
		if err := b.ReleaseRequest(ctx, "K", "idem-2"); err != nil {
			t.Fatal(err)
		}
		if _, claimed, err := a.ClaimRequest(ctx, "K", "idem-2", h2, now, time.Minute); !claimed || err != nil {
			t.Errorf("after release: claimed %v, %v", claimed, err)
		}
	})
}
