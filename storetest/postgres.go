package storetest

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
)

// PostgresURL returns the URL of a schema of its own on the test server
// (VTR_TEST_POSTGRES), created for one test and dropped at its cleanup.
// Without a server the test is skipped, except in CI (CI set), where a
// missing database is a failure.
func PostgresURL(t *testing.T) string {
	t.Helper()
	base := os.Getenv("VTR_TEST_POSTGRES")
	if base == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("VTR_TEST_POSTGRES is not set: CI must run the PostgreSQL tests")
		}
		t.Skip("VTR_TEST_POSTGRES is not set (e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable): PostgreSQL tests skipped")
	}
	u, err := url.Parse(base)
	if err != nil || u.Scheme != "postgres" && u.Scheme != "postgresql" {
		t.Fatalf("VTR_TEST_POSTGRES %q is not a postgres:// URL", base)
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 6)
	rand.Read(b)
	name := "vtr_test_" + hex.EncodeToString(b)
	if _, err := admin.Exec(`CREATE SCHEMA ` + name); err != nil {
		admin.Close()
		t.Fatalf("create schema on %s: %v", u.Redacted(), err)
	}
	t.Cleanup(func() {
		if _, err := admin.Exec(`DROP SCHEMA ` + name + ` CASCADE`); err != nil {
			t.Errorf("drop schema %s: %v", name, err)
		}
		admin.Close()
	})
	q := u.Query()
	q.Set("search_path", name)
	q.Set("application_name", name) // tells its connections from other tests' in pg_stat_activity
	u.RawQuery = q.Encode()
	return u.String()
}
