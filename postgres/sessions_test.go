package postgres_test

import (
	"context"
	"testing"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/internal/sqlutil"
	"github.com/vtr-project/vtr/postgres"
	"github.com/vtr-project/vtr/storetest"
)

func TestSessions(t *testing.T) {
	storetest.RunSessions(t, func(t *testing.T) (*sqlutil.Sessions, *sqlutil.Sessions, vtr.KeyStore) {
		u := storetest.PostgresURL(t)
		var dbs [2]*postgres.DB
		for i := range dbs {
			d, err := postgres.Open(context.Background(), u)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { d.Close() })
			dbs[i] = d
		}
		return dbs[0].Sessions(), dbs[1].Sessions(), dbs[0].Keys()
	})
}
