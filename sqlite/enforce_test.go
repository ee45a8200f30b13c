package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/vtr-project/vtr/internal/sqlutil"
	"github.com/vtr-project/vtr/sqlite"
	"github.com/vtr-project/vtr/storetest"
)

func TestEnforcement(t *testing.T) {
	storetest.RunEnforcement(t, func(t *testing.T) (*sqlutil.Enforcement, *sqlutil.Enforcement) {
		path := filepath.Join(t.TempDir(), "vtr.db")
		var out [2]*sqlutil.Enforcement
		for i := range out {
			d, err := sqlite.Open(context.Background(), path, sqlite.Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { d.Close() })
			out[i] = d.Enforcement()
		}
		return out[0], out[1]
	})
}
