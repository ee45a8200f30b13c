// Package postgres is vtr's PostgreSQL storage engine, for production and
// for several vtr processes or servers on one database: SQL and driver
// concerns only (DSN, migrations, error translation); the import
// algorithm is package ingest's.
//
// Driver: pgx through database/sql (github.com/jackc/pgx/v5/stdlib), the
// maintained pure-Go PostgreSQL driver; the standard library has none.
//
// Many writers: every write transaction first takes a transaction-scoped
// advisory lock (one per schema), so writers apply their batches one at
// a time while readers never wait; what a writer reads stays true until
// it commits, as ingest requires.
package postgres

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/ingest"
	"github.com/vtr-project/vtr/internal/sqlutil"
)

//go:embed migrations/*.sql
var migrations embed.FS

// IsDSN reports whether a --db value names a PostgreSQL database.
func IsDSN(s string) bool {
	return strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://")
}

// DefaultWriterWait is how long a writer waits for another writer's
// transaction.
const DefaultWriterWait = 2 * time.Minute

// DB is an open PostgreSQL database: an ingest.Engine.
type DB struct {
	db  *sql.DB
	dsn string // for messages, without the password
	// WriterWait is how long Begin waits for another writer.
	WriterWait time.Duration
	// The typed reads are standard SQL, shared with the other engines.
	sqlutil.Reader
	// analyzeAfterWrites: the server's autovacuum is off, so writes
	// analyze the tables they grew (maybeAnalyze); lastAnalyze is when
	// that last looked (Unix nanoseconds).
	analyzeAfterWrites bool
	lastAnalyze        atomic.Int64
	analyzeBusy        atomic.Bool
	analyzing          sync.WaitGroup
}

var _ ingest.Engine = (*DB)(nil)

// poolSize is how many connections a process holds at most.
const poolSize = 8

// Warm opens the pool's connections now, so that a server's first
// requests do not wait for them to be made (each is a new server process
// on PostgreSQL's side: the first requests of a load test waited some
// 160 ms for them), and, when rehearse is not nil, runs it on each of
// them in a write transaction that is rolled back (ingest.Store.Rehearse:
// a confirmation's statements prepared, the catalogs read). They stay
// open, idle, in the pool.
func (d *DB) Warm(ctx context.Context, rehearse func(context.Context, ingest.Tx) error) error {
	conns := make([]*sql.Conn, 0, poolSize)
	defer func() {
		for _, c := range conns {
			c.Close() // back to the pool, open (a no-op for those rolled back)
		}
	}()
	for range poolSize {
		c, err := d.db.Conn(ctx) // none idle: each opens a connection
		if err != nil {
			return fmt.Errorf("connect to %s: %w", d.dsn, err)
		}
		conns = append(conns, c)
	}
	if rehearse == nil {
		return nil
	}
	for _, c := range conns {
		t := d.writeTx(c)
		err := rehearse(ctx, t)
		// Rolled back whatever happened (which hands the connection back
		// to the pool, or closes it if it cannot roll back).
		if rerr := t.Rollback(); err == nil && rerr != nil {
			err = fmt.Errorf("rehearsal: roll back: %w", rerr)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// Open connects to the database a URL names and applies any pending
// migrations. The schema is the connection's search_path (a
// search_path=… parameter in the URL chooses another).
func Open(ctx context.Context, dsn string) (*DB, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, vtr.Errorf(vtr.EINVALID, "--db: %v", err)
	}
	db := stdlib.OpenDB(*cfg)
	db.SetMaxOpenConns(poolSize)
	db.SetMaxIdleConns(poolSize)
	d := &DB{db: db, dsn: redact(dsn), WriterWait: DefaultWriterWait, Reader: sqlutil.Reader{DB: db, Rebind: sqlutil.Dollar}}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to %s: %w", d.dsn, err)
	}
	if err := d.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	var av string
	if err := db.QueryRowContext(ctx, `SHOW autovacuum`).Scan(&av); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to %s: %w", d.dsn, err)
	}
	d.analyzeAfterWrites = av == "off"
	return d, nil
}

// analyzeEvery is the least time between two looks for tables to analyze
// (a look is one catalog query).
const analyzeEvery = 1 * time.Second

// maybeAnalyze analyzes the schema's tables that grew by a fifth since
// their last analysis, at most every analyzeEvery and one analysis at a
// time, when the server's autovacuum is off and so nothing else would.
// Without it, plans are made from the statistics of a table nearly
// empty (a seq scan of scan_summaries, a table that grows with every
// import): a full-size import slowed down as it grew, to some 600
// events/s. Analyzing invalidates those plans. Looking every 10 s was
// too slow for a new server: its first seconds of confirmations ran on
// seq scans of packages (the load test: 750 confirmations/s, 1,130
// when it looks every second). It runs after a write commits, outside
// any transaction; a failure changes nothing but the plans, and the
// next look tries again. The analysis runs on a goroutine of its own,
// so no commit waits for it; Close waits for it.
func (d *DB) maybeAnalyze() {
	if !d.analyzeAfterWrites {
		return
	}
	now := time.Now().UnixNano()
	last := d.lastAnalyze.Load()
	if now-last < int64(analyzeEvery) || !d.lastAnalyze.CompareAndSwap(last, now) {
		return
	}
	if !d.analyzeBusy.CompareAndSwap(false, true) {
		return
	}
	d.analyzing.Go(func() {
		defer d.analyzeBusy.Store(false)
		d.analyze(context.Background())
	})
}

// analyze analyzes the tables that grew (maybeAnalyze): the columns of
// their indexes only, which is what the plans of vtr's statements turn
// on (which index, and how many rows a key finds). The other columns,
// long texts among them, were most of an analysis's work, and a load
// test's confirmations stalled while their statistics were computed.
func (d *DB) analyze(ctx context.Context) {
	var stmts []string
	// By size, not by the statistics views, which lag behind commits:
	// tables a fifth larger than at their last analysis (by 16 pages at
	// least).
	rows, err := d.db.QueryContext(ctx, `SELECT quote_ident(c.relname), COALESCE(string_agg(DISTINCT quote_ident(a.attname), ', '), '')
		FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		LEFT JOIN pg_index i ON i.indrelid = c.oid
		LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = ANY (i.indkey) AND a.attnum > 0
		WHERE n.nspname = current_schema() AND c.relkind = 'r'
		AND pg_relation_size(c.oid) > current_setting('block_size')::bigint * (1.2 * c.relpages + 16)
		GROUP BY c.relname`)
	if err := sqlutil.Each(rows, err, func(r *sql.Rows) error {
		var t, cols string
		if err := r.Scan(&t, &cols); err != nil {
			return err
		}
		if cols != "" {
			t += " (" + cols + ")"
		}
		stmts = append(stmts, "ANALYZE "+t)
		return nil
	}); err != nil {
		return
	}
	for _, q := range stmts {
		if _, err := d.db.ExecContext(ctx, q); err != nil {
			return
		}
	}
}

// redact drops the password from a URL for messages.
func redact(dsn string) string {
	at := strings.LastIndex(dsn, "@")
	scheme := strings.Index(dsn, "://")
	if at < 0 || scheme < 0 || at < scheme {
		return dsn
	}
	user := dsn[scheme+3 : at]
	if i := strings.Index(user, ":"); i >= 0 {
		user = user[:i] + ":***"
	}
	return dsn[:scheme+3] + user + dsn[at:]
}

// Close closes the connections, after an analysis in progress.
func (d *DB) Close() error {
	d.analyzing.Wait()
	return d.db.Close()
}

// SQL exposes the handle for benchmarks and tests.
func (d *DB) SQL() *sql.DB { return d.db }

// lock takes the schema's writer lock (key k) for the transaction, waiting
// at most d.WriterWait: one statement, the timeout set in a subquery the
// planner keeps apart (it calls a volatile function), so it is set before
// the lock is asked for.
func (d *DB) lock(ctx context.Context, tx *sql.Tx, k string) error {
	_, err := tx.ExecContext(ctx, lockSQL, d.lockArgs(k)...)
	return err
}

const lockSQL = `SELECT pg_advisory_xact_lock(hashtext($1 || current_schema())) FROM (SELECT set_config('lock_timeout', $2, true)) AS timeout`

func (d *DB) lockArgs(k string) []any {
	return []any{k, fmt.Sprintf("%dms", d.WriterWait.Milliseconds())}
}

// translate turns driver errors into domain errors where one applies.
func (d *DB) translate(err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "55P03" { // lock_not_available
		return vtr.Errorf(vtr.ECONFLICT, "another vtr process holds the database %s for writing; try again when it has finished", d.dsn)
	}
	return err
}

// migrate applies the embedded migrations not yet recorded, in order, in
// one transaction under the migration lock.
func (d *DB) migrate(ctx context.Context) error {
	list, err := sqlutil.Migrations(migrations, "migrations")
	if err != nil {
		return err
	}
	var n int
	if err := d.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations`).Scan(&n); err == nil && n == len(list) {
		return nil
	}
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer tx.Rollback()
	if err := d.lock(ctx, tx, "vtr-migrate:"); err != nil {
		return d.translate(fmt.Errorf("migrate: %w", err))
	}
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	for _, m := range list {
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE version = $1`, m.Version).Scan(&n); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		if n > 0 {
			continue
		}
		if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
			return fmt.Errorf("migrate %s: %w", m.Name, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`, m.Version, m.Name, time.Now().Unix()); err != nil {
			return fmt.Errorf("migrate %s: %w", m.Name, err)
		}
	}
	return tx.Commit()
}

// Begin starts a write transaction holding the writer lock. The
// transaction is begun by hand on a connection of the pool, so that its
// statements can be sent together (Tx): BEGIN and the lock in one round
// trip.
func (d *DB) Begin(ctx context.Context) (ingest.Tx, error) {
	conn, err := d.db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("begin: %w", err)
	}
	t := d.writeTx(conn)
	if err := t.flush(ctx); err != nil {
		t.Rollback()
		return nil, fmt.Errorf("begin: %w", err)
	}
	return t, nil
}

// writeTx is a write transaction on conn, its BEGIN and the writer lock
// queued (sent with its first statements).
func (d *DB) writeTx(conn *sql.Conn) *Tx {
	t := d.newTx(conn)
	t.write, t.conn = true, conn
	t.pending = []step{{q: "BEGIN"}, {q: lockSQL, args: d.lockArgs("vtr-write:")}}
	return t
}

// BeginRead starts a read-only transaction over one snapshot.
func (d *DB) BeginRead(ctx context.Context) (ingest.Tx, error) {
	tx, err := d.db.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("begin: %w", err)
	}
	return d.newTx(tx), nil
}

var (
	unix     = sqlutil.Unix
	fromUnix = sqlutil.FromUnix
	each     = sqlutil.Each
)

// newTx wraps a transaction; its statements go to pgx directly, which
// keeps them prepared per connection (sqlutil.Stmts.Direct).
func (d *DB) newTx(q sqlutil.Querier) *Tx {
	st := sqlutil.NewStmts(q, d.translate)
	st.Direct = true
	tx, _ := q.(*sql.Tx)
	return &Tx{d: d, tx: tx, Stmts: st}
}
