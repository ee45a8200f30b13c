package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/sqlite"
	"github.com/vtr-project/vtr/storetest"
)

func open(t *testing.T) vtr.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "vtr.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestContract(t *testing.T) { storetest.Run(t, open) }

func TestMigrationsRecordedOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vtr.db")
	for range 2 {
		s, err := sqlite.Open(context.Background(), path, nil)
		if err != nil {
			t.Fatal(err)
		}
		var n int
		if err := s.DB().QueryRow(`SELECT COUNT(*) FROM schema_migrations`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 2 {
			t.Errorf("%d migrations recorded, want 2", n)
		}
		s.Close()
	}
}

func storetestScenario() string { return storetest.Scenario }
