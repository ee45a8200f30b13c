// Package web is vtr's HTTP server: the JSON API under /v1, the SP-API
// compatible shipment confirmation, the carrier-tracking webhook
// receivers, and the operations endpoints. All routes are in routes.go;
// handlers are methods of Server returning an error, and one function
// (writeError) turns an error into a status and a JSON body. The server
// keeps no state between requests beyond metrics: every write is
// acknowledged after its transaction commits, so any number of servers
// can share one PostgreSQL database.
package web

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/enforce"
	"github.com/vtr-project/vtr/ingest"
	"github.com/vtr-project/vtr/internal/metrics"
	"github.com/vtr-project/vtr/internal/sqlutil"
)

// Store is what the server reads and writes: vtr's Store and the verdicts
// of orders' packages.
type Store interface {
	vtr.Store
	// Confirm applies a group of records in one transaction and reads
	// the verdicts of refs' orders before it commits.
	Confirm(ctx context.Context, recs []vtr.Record, reject func(error), refs func() []ingest.OrderRef, now time.Time) (vtr.ImportStats, map[ingest.OrderRef]ingest.OrderVerdicts, error)
	// Rates answers several rate questions from one read of the
	// aggregates (a trend's days and the projections).
	Rates(ctx context.Context, sellerID, policy string, at []ingest.RateAt) ([]*vtr.RateReport, error)
	// ReasonCounts counts the reasons of the packages with no valid
	// tracking in the policy's window.
	ReasonCounts(ctx context.Context, sellerID, policy string, asOf time.Time) (map[vtr.Reason]int, error)
}

// Config is everything a Server needs. Zero limits take the defaults.
type Config struct {
	Store    Store
	Keys     vtr.KeyStore
	Idem     vtr.IdempotencyStore
	Policies *vtr.PolicySet
	// Enforce is the enforcement loop (states, appeals, privileges).
	Enforce *enforce.Service
	// Outbox holds the outgoing webhooks' subscriptions and deliveries.
	Outbox *sqlutil.Outbox
	// Sessions holds the dashboard's sign-in sessions (nil: the sessions
	// table beside Keys, when Keys is a *sqlutil.Keys).
	Sessions *sqlutil.Sessions
	// Categories holds the sellers' SKU/ASIN → category mappings (nil:
	// the categories table beside Keys, when Keys is a *sqlutil.Keys).
	Categories vtr.CategoryStore
	// Ready reports whether the database is reachable with a current
	// schema (/readyz).
	Ready func(context.Context) error
	// Now is the server's clock (time.Now when nil).
	Now func() time.Time
	Log *slog.Logger
	// Secrets of the webhook receivers by format (aftership, easypost,
	// 17track); a receiver without one answers 404.
	Secrets map[string]string
	// MaxRecordsBody bounds POST /v1/records bodies (default 64 MiB),
	// MaxBody every other body (default 1 MiB).
	MaxRecordsBody, MaxBody int64
	// IdempotencyWait is how long a claimed Idempotency-Key may stay
	// unanswered before a retry takes it over (its server died).
	IdempotencyWait time.Duration
}

// Default limits.
const (
	DefaultMaxRecordsBody  = 64 << 20
	DefaultMaxBody         = 1 << 20
	DefaultIdempotencyWait = 2 * time.Minute
)

// Server is the HTTP API over a store.
type Server struct {
	cfg       Config
	mux       *http.ServeMux
	routes    []route
	metrics   *serverMetrics
	confirmer confirmer
}

// New returns a server; Handler serves it.
func New(cfg Config) *Server {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.MaxRecordsBody == 0 {
		cfg.MaxRecordsBody = DefaultMaxRecordsBody
	}
	if cfg.MaxBody == 0 {
		cfg.MaxBody = DefaultMaxBody
	}
	if cfg.IdempotencyWait == 0 {
		cfg.IdempotencyWait = DefaultIdempotencyWait
	}
	if cfg.Policies == nil {
		cfg.Policies = vtr.NewPolicySet(nil)
	}
	s := &Server{cfg: cfg, mux: http.NewServeMux(), metrics: newServerMetrics()}
	s.confirmer.s = s
	s.register()
	return s
}

// Handler is the server's root handler.
func (s *Server) Handler() http.Handler { return s.mux }

// Metrics is the server's metrics registry (served at /metrics).
func (s *Server) Metrics() *metrics.Registry { return s.metrics.reg }

func (s *Server) now() time.Time { return s.cfg.Now().UTC() }
