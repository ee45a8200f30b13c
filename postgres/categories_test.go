package postgres_test

import (
	"testing"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/ingest"
	"github.com/vtr-project/vtr/storetest"
)

func TestCategories(t *testing.T) {
	storetest.RunCategories(t, func(t *testing.T) (vtr.CategoryStore, vtr.CategoryStore) {
		u := storetest.PostgresURL(t)
		return openDB(t, u).Categories(), openDB(t, u).Categories()
	})
}

func TestCategoryFill(t *testing.T) {
	storetest.RunCategoryFill(t, func(t *testing.T) vtr.Store {
		return ingest.New(openDB(t, storetest.PostgresURL(t)), nil)
	})
}
