package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/ingest"
	"github.com/vtr-project/vtr/internal/sqlutil"
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
	_, store, err := sf.openBoth(ctx, readOnly)
	return store, err
}

// openBoth opens the engine and the store over it (the server needs the
// engine's keys and readiness too). Closing the store closes the engine.
func (sf storeFlags) openBoth(ctx context.Context, readOnly bool) (engine, *ingest.Store, error) {
	ps, err := policySet(*sf.policies)
	if err != nil {
		return nil, nil, err
	}
	eng, err := openEngine(ctx, *sf.db, readOnly)
	if err != nil {
		return nil, nil, err
	}
	return eng, ingest.New(eng, ps), nil
}

// engine is what every storage engine offers: the import engine, the
// server's API keys and idempotent answers, and readiness.
type engine interface {
	ingest.Engine
	Keys() *sqlutil.Keys
	Enforcement() *sqlutil.Enforcement
	Outbox() *sqlutil.Outbox
	Sessions() *sqlutil.Sessions
	Categories() *sqlutil.Categories
	Ready(ctx context.Context) error
}

func openEngine(ctx context.Context, db string, readOnly bool) (engine, error) {
	if postgres.IsDSN(db) {
		return postgres.Open(ctx, db)
	}
	return sqlite.Open(ctx, db, sqlite.Options{MustExist: readOnly})
}

// parseAsOf reads --as-of (vtr.ParseAsOf) as a usage error.
func parseAsOf(s string, now time.Time) (time.Time, error) {
	t, err := vtr.ParseAsOf(s, now)
	if err != nil {
		return t, usagef("--as-of: %s", vtr.ErrorMessage(err))
	}
	return t, nil
}
