// Package sqlite is vtr's embedded store: one SQLite file in WAL mode,
// migrations embedded and applied in a transaction, every write durable
// once a command reports success (synchronous=FULL).
//
// Driver: modernc.org/sqlite, SQLite compiled to Go. It needs no cgo, so
// vtr stays one static binary that cross-compiles; the bulk-insert speed it
// gives up against the cgo driver is measured in bench/engine.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/vtr-project/vtr"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

//go:embed migrations/*.sql
var migrations embed.FS

// Pragmas are the connection settings: WAL with a full fsync at every
// commit (durable once a command reports success), a 256 MiB page cache
// and memory-mapped reads, so inserts into the large keyed tables do not
// go to the kernel for every page.
const Pragmas = "_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=cache_size(-262144)&_pragma=mmap_size(1073741824)&_pragma=temp_store(MEMORY)"

// Store is an open vtr database.
type Store struct {
	db       *sql.DB
	path     string
	Policies *vtr.PolicySet
	// hasOrphans is false while no shipment or cancellation waits for its
	// order, which saves a lookup per new order on an ordered feed.
	hasOrphans bool
	// maxScans is the most physical scans any policy requires: scans
	// beyond it cannot change a verdict.
	maxScans int
	// Caches kept between import batches (see begin).
	sellers   map[string]*vtr.Seller
	orders    map[string]*orderRow
	summaries map[string]*summaryRow
}

// Open opens (creating if needed) the database at path and applies any
// pending migrations.
func Open(ctx context.Context, path string, policies *vtr.PolicySet) (*Store, error) {
	dsn := "file:" + path + "?" + Pragmas + "&_pragma=busy_timeout(10000)&_txlock=immediate"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	// One connection: SQLite has one writer, and the import holds it for
	// each batch; readers share it between batches.
	db.SetMaxOpenConns(1)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	if policies == nil {
		policies = vtr.NewPolicySet(nil)
	}
	s := &Store{db: db, path: path, Policies: policies, maxScans: 1}
	for _, p := range policies.All() {
		s.maxScans = max(s.maxScans, p.Scans.MinPhysical)
		for _, h := range p.Scans.HighValue {
			s.maxScans = max(s.maxScans, h.MinPhysical)
		}
	}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	var n int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM orphans LIMIT 1)`).Scan(&n); err != nil {
		db.Close()
		return nil, err
	}
	s.hasOrphans = n > 0
	return s, nil
}

var _ vtr.Store = (*Store)(nil)

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// DB exposes the handle for benchmarks and tests that compare with plain
// SQL.
func (s *Store) DB() *sql.DB { return s.db }

// migrate applies the embedded migrations not yet recorded, in order, each
// in its own transaction with its record.
func (s *Store) migrate(ctx context.Context) error {
	if _, err := s.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	for _, name := range names {
		base := strings.TrimPrefix(name, "migrations/")
		v, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if err != nil {
			return fmt.Errorf("migrate: bad migration name %s", base)
		}
		var n int
		if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE version = ?`, v).Scan(&n); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		if n > 0 {
			continue
		}
		body, err := migrations.ReadFile(name)
		if err != nil {
			return err
		}
		tx, err := s.db.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("migrate %s: %w", base, err)
		}
		if _, err := tx.ExecContext(ctx, string(body)); err != nil {
			tx.Rollback()
			return fmt.Errorf("migrate %s: %w", base, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`, v, base, time.Now().Unix()); err != nil {
			tx.Rollback()
			return fmt.Errorf("migrate %s: %w", base, err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("migrate %s: %w", base, err)
		}
	}
	return nil
}

// unix stores a time as Unix seconds, the zero time as 0.
func unix(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}

// fromUnix is the inverse of unix.
func fromUnix(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(n, 0).UTC()
}

// dayNum is a UTC day as a Unix day number.
func dayNum(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix() / 86400
}

func dayTime(n int64) time.Time { return time.Unix(n*86400, 0).UTC() }

// notFound translates sql.ErrNoRows into the domain's not-found error.
func notFound(err error, format string, args ...any) error {
	if errors.Is(err, sql.ErrNoRows) {
		return vtr.Errorf(vtr.ENOTFOUND, format, args...)
	}
	return err
}
