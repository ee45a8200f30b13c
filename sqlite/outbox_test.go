package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/vtr-project/vtr/internal/sqlutil"
	"github.com/vtr-project/vtr/sqlite"
	"github.com/vtr-project/vtr/storetest"
)

func TestOutbox(t *testing.T) {
	storetest.RunOutbox(t, func(t *testing.T) (*sqlutil.Outbox, *sqlutil.Outbox) {
		path := filepath.Join(t.TempDir(), "vtr.db")
		var out [2]*sqlutil.Outbox
		for i := range out {
			d, err := sqlite.Open(context.Background(), path, sqlite.Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { d.Close() })
			out[i] = d.Outbox()
		}
		return out[0], out[1]
	})
}
