package postgres_test

import (
	"context"

	"testing"

	"github.com/vtr-project/vtr/internal/sqlutil"
	"github.com/vtr-project/vtr/postgres"
	"github.com/vtr-project/vtr/storetest"
)

func TestEnforcement(t *testing.T) {
	storetest.RunEnforcement(t, func(t *testing.T) (*sqlutil.Enforcement, *sqlutil.Enforcement) {
		u := storetest.PostgresURL(t)
		var out [2]*sqlutil.Enforcement
		for i := range out {
			d, err := postgres.Open(context.Background(), u)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { d.Close() })
			out[i] = d.Enforcement()
		}
		return out[0], out[1]
	})
}
