package postgres_test

import (
	"context"
	"testing"

	"github.com/vtr-project/vtr/internal/sqlutil"
	"github.com/vtr-project/vtr/postgres"
	"github.com/vtr-project/vtr/storetest"
)

func TestOutbox(t *testing.T) {
	storetest.RunOutbox(t, func(t *testing.T) (*sqlutil.Outbox, *sqlutil.Outbox) {
		u := storetest.PostgresURL(t)
		var out [2]*sqlutil.Outbox
		for i := range out {
			d, err := postgres.Open(context.Background(), u)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { d.Close() })
			out[i] = d.Outbox()
		}
		return out[0], out[1]
	})
}
