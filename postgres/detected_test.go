package postgres_test

import (
	"testing"

	"github.com/vtr-project/vtr/ingest"
	"github.com/vtr-project/vtr/storetest"
)

func TestDetected(t *testing.T) {
	d := openDB(t, storetest.PostgresURL(t))
	storetest.RunDetected(t, ingest.New(d, nil), d.SQL())
}
