package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/internal/sqlutil"
	"github.com/vtr-project/vtr/sqlite"
	"github.com/vtr-project/vtr/storetest"
)

func TestSessions(t *testing.T) {
	storetest.RunSessions(t, func(t *testing.T) (*sqlutil.Sessions, *sqlutil.Sessions, vtr.KeyStore) {
		path := filepath.Join(t.TempDir(), "vtr.db")
		var dbs [2]*sqlite.DB
		for i := range dbs {
			d, err := sqlite.Open(context.Background(), path, sqlite.Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { d.Close() })
			dbs[i] = d
		}
		return dbs[0].Sessions(), dbs[1].Sessions(), dbs[0].Keys()
	})
}
