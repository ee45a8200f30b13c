// Package sqlite is vtr's embedded storage engine: one SQLite file in WAL
// mode, migrations embedded and applied in a transaction, every write
// durable once a command reports success (synchronous=FULL). It holds SQL
// and driver concerns only; the import algorithm is package ingest's.
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
	"os"
	"strings"
	"time"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/ingest"
	"github.com/vtr-project/vtr/internal/sqlutil"
	sqlite "modernc.org/sqlite"
)

//go:embed migrations/*.sql
var migrations embed.FS

// pragmas are the connection settings: WAL with a full fsync at every
// commit (durable once a command reports success), a 128 MiB page cache
// so inserts into the large keyed tables do not go to the kernel for
// every page (256 MiB imported no faster, and took memory the Go heap
// needs more), and 128 MiB of memory-mapped reads. Mapped pages count in
// the process's resident memory, so the map is bounded: with the cache and
// an import batch, vtr stays under 1 GiB whatever the file's size. Write transactions begin IMMEDIATE:
// they take the write lock before their first read, so what a writer
// reads stays true until it commits (many writers, one at a time).
const pragmas = "_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=cache_size(-131072)&_pragma=mmap_size(134217728)&_pragma=temp_store(MEMORY)&_txlock=immediate"

// DefaultBusyTimeout is how long a writer waits for another process's
// write transaction before giving up.
const DefaultBusyTimeout = 2 * time.Minute

// Options are the ways to open a database.
type Options struct {
	// MustExist refuses a file that does not exist (commands that only
	// read must not create an empty database).
	MustExist bool
	// BusyTimeout is how long to wait for another writer (default
	// DefaultBusyTimeout).
	BusyTimeout time.Duration
}

// DB is an open vtr database file: an ingest.Engine.
type DB struct {
	db   *sql.DB
	path string
	// The typed reads are standard SQL, shared with the other engines.
	sqlutil.Reader
}

var _ ingest.Engine = (*DB)(nil)

// DSN returns the driver's data source name for a file path. The path is
// escaped as a URI path, so characters such as '?' and '#' name the file
// and are never read as options.
func DSN(path string, busy time.Duration) string {
	esc := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
	return "file:" + esc + "?" + pragmas + fmt.Sprintf("&_pragma=busy_timeout(%d)", busy.Milliseconds())
}

// Open opens (creating it unless opt.MustExist) the database at path and
// applies any pending migrations.
func Open(ctx context.Context, path string, opt Options) (*DB, error) {
	if path == "" {
		return nil, vtr.Errorf(vtr.EINVALID, "no database file given")
	}
	if opt.MustExist {
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			return nil, vtr.Errorf(vtr.ENOTFOUND, "there is no database at %s (vtr import or vtr demo creates one)", path)
		}
	}
	if opt.BusyTimeout == 0 {
		opt.BusyTimeout = DefaultBusyTimeout
	}
	db, err := sql.Open("sqlite", DSN(path, opt.BusyTimeout))
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	// One connection: SQLite has one writer, and an import holds it for
	// each batch; reads share it between batches.
	db.SetMaxOpenConns(1)
	d := &DB{db: db, path: path, Reader: sqlutil.Reader{DB: db}}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, d.translate(fmt.Errorf("open %s: %w", path, err))
	}
	if err := d.migrate(ctx); err != nil {
		db.Close()
		return nil, d.translate(err)
	}
	return d, nil
}

// Close closes the database.
func (d *DB) Close() error { return d.db.Close() }

// SQL exposes the handle for benchmarks and tests that compare with plain
// SQL.
func (d *DB) SQL() *sql.DB { return d.db }

// translate turns the driver's busy error into the domain's conflict.
func (d *DB) translate(err error) error {
	var e *sqlite.Error
	if errors.As(err, &e) && e.Code()&0xff == 5 { // SQLITE_BUSY
		return vtr.Errorf(vtr.ECONFLICT, "another vtr process holds the database %s for writing; try again when it has finished", d.path)
	}
	return err
}

// migrate applies the embedded migrations not yet recorded, in order, in
// one write transaction with their records. A database that is current
// is only read, so readers never wait for a writer here.
func (d *DB) migrate(ctx context.Context) error {
	list, err := sqlutil.Migrations(migrations, "migrations")
	if err != nil {
		return err
	}
	var n int
	if err := d.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations`).Scan(&n); err == nil && n == len(list) {
		return nil
	}
	tx, err := d.db.BeginTx(ctx, nil) // immediate: one process migrates at a time
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	for _, m := range list {
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE version = ?`, m.Version).Scan(&n); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		if n > 0 {
			continue
		}
		if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
			return fmt.Errorf("migrate %s: %w", m.Name, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`, m.Version, m.Name, time.Now().Unix()); err != nil {
			return fmt.Errorf("migrate %s: %w", m.Name, err)
		}
	}
	return tx.Commit()
}

// Begin starts a write transaction (BEGIN IMMEDIATE).
func (d *DB) Begin(ctx context.Context) (ingest.Tx, error) {
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, d.translate(fmt.Errorf("begin: %w", err))
	}
	return writeTx(d, tx), nil
}

// BeginRead starts a read transaction over one snapshot.
func (d *DB) BeginRead(ctx context.Context) (ingest.Tx, error) {
	tx, err := d.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("begin: %w", err)
	}
	return &Tx{d: d, tx: tx, Stmts: sqlutil.NewStmts(tx, d.translate)}, nil
}

var (
	unix     = sqlutil.Unix
	fromUnix = sqlutil.FromUnix
)
