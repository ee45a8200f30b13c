package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/ingest"
	"github.com/vtr-project/vtr/postgres"
	"github.com/vtr-project/vtr/sqlite"
)

// storeFlags are the flags every database command shares. Configuration
// flows defaults → environment (VTR_DB, VTR_POLICIES) → flags.
type storeFlags struct {
	db       *string
	policies *string
}

func addStoreFlags(fs *flag.FlagSet) storeFlags {
	return storeFlags{
		db:       fs.String("db", envOr("VTR_DB", "vtr.db"), ""),
		policies: fs.String("policies", os.Getenv("VTR_POLICIES"), ""),
	}
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

// policySet loads the operator's policy file, if any, over the built-ins.
func policySet(path string) (*vtr.PolicySet, error) {
	if path == "" {
		return vtr.NewPolicySet(nil), nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("policies: %w", err)
	}
	defer f.Close()
	ps, err := vtr.LoadPolicies(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return vtr.NewPolicySet(ps), nil
}

// Ways to open the database: commands that only read refuse one that
// does not exist, rather than create an empty file and report on it.
const (
	forWrite = false
	forRead  = true
)

// open opens the database --db names: a PostgreSQL URL
// (postgres://…), else a SQLite file path, taken as a path whatever
// characters it holds.
func (sf storeFlags) open(ctx context.Context, readOnly bool) (*ingest.Store, error) {
	ps, err := policySet(*sf.policies)
	if err != nil {
		return nil, err
	}
	eng, err := openEngine(ctx, *sf.db, readOnly)
	if err != nil {
		return nil, err
	}
	return ingest.New(eng, ps), nil
}

func openEngine(ctx context.Context, db string, readOnly bool) (ingest.Engine, error) {
	if postgres.IsDSN(db) {
		return postgres.Open(ctx, db)
	}
	return sqlite.Open(ctx, db, sqlite.Options{MustExist: readOnly})
}

// parseAsOf reads --as-of: RFC 3339, or a date (end of that UTC day);
// empty means now.
func parseAsOf(s string, now time.Time) (time.Time, error) {
	if s == "" {
		return now.UTC(), nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), nil
	}
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t.Add(24*time.Hour - time.Second), nil
	}
	return time.Time{}, usagef("--as-of: %q is not an RFC 3339 time or a date (2026-10-31)", s)
}
