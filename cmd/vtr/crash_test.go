package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/vtr-project/vtr/simulate"
	"github.com/vtr-project/vtr/storetest"
)

// TestMain lets a test run the real vtr command in a child process (the
// test binary itself, with VTR_RUN_MAIN=1), so a test can kill it.
func TestMain(m *testing.M) {
	if os.Getenv("VTR_RUN_MAIN") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

// A vtr import killed with SIGKILL in the middle of writing loses only
// its transaction in progress: vtr verify finds the stored state
// consistent, and importing the same file again ends in exactly the
// state of one clean import. On SQLite always, on PostgreSQL when
// VTR_TEST_POSTGRES is set.
func TestKilledImport(t *testing.T) {
	if testing.Short() {
		t.Skip("simulates and imports a workload several times")
	}
	dir := t.TempDir()
	feed := filepath.Join(dir, "feed.ndjson")
	f, err := os.Create(feed)
	if err != nil {
		t.Fatal(err)
	}
	cfg := simulate.Config{Seed: 5, Sellers: 3, Days: 12, Start: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), OrdersPerDay: 60}
	if _, err := simulate.Run(context.Background(), cfg, simulate.Output{Out: f}); err != nil {
		t.Fatal(err)
	}
	f.Close()

	dbs := map[string][2]string{"sqlite": {filepath.Join(dir, "killed.db"), filepath.Join(dir, "clean.db")}}
	if os.Getenv("VTR_TEST_POSTGRES") != "" || os.Getenv("CI") != "" { // CI without a server fails
		dbs["postgres"] = [2]string{storetest.PostgresURL(t), storetest.PostgresURL(t)}
	}
	for name, db := range dbs {
		t.Run(name, func(t *testing.T) {
			killed, clean := db[0], db[1]
			cmd := exec.Command(os.Args[0], "import", "--db", killed, "--batch", "200", feed)
			cmd.Env = append(os.Environ(), "VTR_RUN_MAIN=1")
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			// Kill it once a few batches are in, while it is writing.
			deadline := time.Now().Add(60 * time.Second)
			for {
				if committed(t, killed) {
					break
				}
				if time.Now().After(deadline) {
					cmd.Process.Kill()
					t.Fatal("no batch was committed within 60 s")
				}
				time.Sleep(20 * time.Millisecond)
			}
			cmd.Process.Signal(syscall.SIGKILL)
			if err := cmd.Wait(); err == nil {
				t.Skip("the import finished before it could be killed")
			}
			if _, stderr, code := runVTR(t, "", "verify", "--db", killed); code != 0 {
				t.Fatalf("verify after kill -9: exit %d\n%s", code, stderr)
			}
			if _, stderr, code := runVTR(t, "", "import", "--db", killed, feed); code != 0 {
				t.Fatalf("re-import: exit %d %s", code, stderr)
			}
			if _, stderr, code := runVTR(t, "", "import", "--db", clean, feed); code != 0 {
				t.Fatalf("clean import: exit %d %s", code, stderr)
			}
			if _, stderr, code := runVTR(t, "", "verify", "--db", killed); code != 0 {
				t.Fatalf("verify after the re-import: exit %d\n%s", code, stderr)
			}
			for _, seller := range sellerIDs(t, clean) {
				for _, args := range [][]string{{"rate", "--json"}, {"report", "--shipped-late", "--delivered-late"}} {
					a := append(args, "--seller", seller, "--as-of", "2026-10-25")
					want, _, _ := runVTR(t, "", append(a, "--db", clean)...)
					got, _, _ := runVTR(t, "", append(a, "--db", killed)...)
					if got != want || want == "" {
						t.Fatalf("%s %s: killed and re-imported\n%s\nclean import\n%s", args[0], seller, got, want)
					}
				}
			}
		})
	}
}

// committed reports whether an import has committed anything yet.
func committed(t *testing.T, db string) bool {
	t.Helper()
	store, err := (storeFlags{db: &db, policies: new(string)}).open(context.Background(), forRead)
	if err != nil {
		return false // not created yet
	}
	defer store.Close()
	empty, err := store.Empty(context.Background())
	return err == nil && !empty
}

func sellerIDs(t *testing.T, db string) []string {
	t.Helper()
	store, err := (storeFlags{db: &db, policies: new(string)}).open(context.Background(), forRead)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	sellers, err := store.Sellers(context.Background())
	if err != nil || len(sellers) == 0 {
		t.Fatalf("sellers: %v %v", sellers, err)
	}
	ids := make([]string, len(sellers))
	for i, s := range sellers {
		ids[i] = s.ID
	}
	return ids
}
