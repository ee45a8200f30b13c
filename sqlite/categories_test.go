package sqlite_test

import (
	"path/filepath"
	"testing"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/ingest"
	"github.com/vtr-project/vtr/storetest"
)

func TestCategories(t *testing.T) {
	storetest.RunCategories(t, func(t *testing.T) (vtr.CategoryStore, vtr.CategoryStore) {
		path := filepath.Join(t.TempDir(), "vtr.db")
		return openDB(t, path).Categories(), openDB(t, path).Categories()
	})
}

func TestCategoryFill(t *testing.T) {
	storetest.RunCategoryFill(t, func(t *testing.T) vtr.Store {
		return ingest.New(openDB(t, filepath.Join(t.TempDir(), "vtr.db")), nil)
	})
}
