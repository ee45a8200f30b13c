package postgres_test

import (
	"context"
	"testing"

	"github.com/vtr-project/vtr/postgres"
	"github.com/vtr-project/vtr/storetest"
)

func TestKeys(t *testing.T) {
	storetest.RunKeys(t, func(t *testing.T) (storetest.KeyStores, storetest.KeyStores) {
		u := storetest.PostgresURL(t)
		var out [2]storetest.KeyStores
		for i := range out {
			d, err := postgres.Open(context.Background(), u)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { d.Close() })
			out[i] = d.Keys()
		}
		return out[0], out[1]
	})
}
