package sqlite_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/ingest"
	"github.com/vtr-project/vtr/sqlite"
	"github.com/vtr-project/vtr/storetest"
)

func openDB(t *testing.T, path string) *sqlite.DB {
	t.Helper()
	d, err := sqlite.Open(context.Background(), path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Opened {
		path := filepath.Join(t.TempDir(), "vtr.db")
		return storetest.Opened{
			Store: ingest.New(openDB(t, path), nil),
			// Another process's connection: a store of its own on the same file.
			Another: func(t *testing.T) vtr.Store { return ingest.New(openDB(t, path), nil) },
		}
	})
}

func TestMigrationsRecordedOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vtr.db")
	for range 2 {
		d, err := sqlite.Open(context.Background(), path, sqlite.Options{})
		if err != nil {
			t.Fatal(err)
		}
		var n int
		if err := d.SQL().QueryRow(`SELECT COUNT(*) FROM schema_migrations`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if want := migrationFiles(t); n != want {
			t.Errorf("%d migrations recorded, want %d", n, want)
		}
		d.Close()
	}
}

// A path is a path: '?', '#', '&' and '%' in it name the file and are
// never read as driver options (a --db of 'x.db?mode=memory&' once wrote
// nothing to disk).
func TestPathIsNeverOptions(t *testing.T) {
	for _, name := range []string{"x.db?mode=memory&", "a#b.db", "100%.db", "q?_pragma=journal_mode(DELETE).db"} {
		path := filepath.Join(t.TempDir(), name)
		d := openDB(t, path)
		tx, err := d.Begin(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if err := tx.PutSeller(context.Background(), &vtr.Seller{ID: "S1"}); err != nil {
			t.Fatal(err)
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		d.Close()
		if _, err := os.Stat(path); err != nil {
			t.Errorf("%q: the database was not written to that file: %v", name, err)
			continue
		}
		s := ingest.New(openDB(t, path), nil)
		if _, err := s.Seller(context.Background(), "S1"); err != nil {
			t.Errorf("%q: reopened, the seller is gone: %v", name, err)
		}
		var mode string
		openDB(t, path).SQL().QueryRow(`PRAGMA journal_mode`).Scan(&mode)
		if mode != "wal" {
			t.Errorf("%q: journal mode %q, want wal (the path's text became an option)", name, mode)
		}
	}
}

func TestMustExist(t *testing.T) {
	path := filepath.Join(t.TempDir(), "typo.db")
	_, err := sqlite.Open(context.Background(), path, sqlite.Options{MustExist: true})
	if vtr.ErrorCode(err) != vtr.ENOTFOUND || !strings.Contains(vtr.ErrorMessage(err), path) {
		t.Fatalf("open of a missing file: %v, want not found naming the path", err)
	}
	if _, err := os.Stat(path); err == nil {
		t.Errorf("opening %s for reading created it", path)
	}
}

// A writer that cannot get the lock in time says in plain words that
// another process holds the database.
func TestBusyWriterIsConflict(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vtr.db")
	holder := openDB(t, path)
	tx, err := holder.Begin(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	other, err := sqlite.Open(context.Background(), path, sqlite.Options{BusyTimeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	_, err = other.Begin(context.Background())
	if vtr.ErrorCode(err) != vtr.ECONFLICT || !strings.Contains(vtr.ErrorMessage(err), "another vtr process holds the database") {
		t.Fatalf("second writer: %v, want a conflict saying another process holds the database", err)
	}
	// Readers are not blocked by the writer.
	if _, err := ingest.New(other, nil).Sellers(context.Background()); err != nil {
		t.Errorf("a reader waited for the writer: %v", err)
	}
}

// migrationFiles counts the embedded migrations: each is recorded once.
func migrationFiles(t *testing.T) int {
	t.Helper()
	files, err := filepath.Glob("migrations/*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("migrations: %d files, %v", len(files), err)
	}
	return len(files)
}

func TestRead(t *testing.T) {
	storetest.RunRead(t, openDB(t, filepath.Join(t.TempDir(), "vtr.db")))
}
