package sqlite_test

import (
	"path/filepath"
	"testing"

	"github.com/vtr-project/vtr/ingest"
	"github.com/vtr-project/vtr/storetest"
)

func TestDetected(t *testing.T) {
	d := openDB(t, filepath.Join(t.TempDir(), "vtr.db"))
	storetest.RunDetected(t, ingest.New(d, nil), d.SQL())
}
