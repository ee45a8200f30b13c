package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/vtr-project/vtr/sqlite"
	"github.com/vtr-project/vtr/storetest"
)

func TestKeys(t *testing.T) {
	storetest.RunKeys(t, func(t *testing.T) (storetest.KeyStores, storetest.KeyStores) {
		path := filepath.Join(t.TempDir(), "vtr.db")
		var out [2]storetest.KeyStores
		for i := range out {
			d, err := sqlite.Open(context.Background(), path, sqlite.Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { d.Close() })
			out[i] = d.Keys()
		}
		return out[0], out[1]
	})
}
