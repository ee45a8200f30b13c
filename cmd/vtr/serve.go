package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"sync"
	"time"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/ingest"
	"github.com/vtr-project/vtr/internal/formats"
	"github.com/vtr-project/vtr/notify"
	"github.com/vtr-project/vtr/web"
)

const serveHelp = `Usage: vtr serve [--db FILE|postgres://…] [--addr HOST:PORT] [--config FILE] [--policies FILE]

Serves the HTTP API (README, "The API"; the OpenAPI document is at
/openapi.json): records, shipment confirmations with an immediate verdict,
sellers, rates, defect reports, Amazon's seller-performance shape, the
SP-API confirmShipment route, carrier webhooks, /healthz, /readyz and
/metrics. Keys come from 'vtr keys create'. Logs are JSON lines on
standard error. SIGINT or SIGTERM stops accepting connections and lets the
requests in flight finish (up to 30 s).

Configuration, later sources winning: defaults, the config file (--config
or VTR_CONFIG; JSON), the environment, the flags.
  db        VTR_DB        --db      database (default vtr.db)
  addr      VTR_ADDR      --addr    listen address (default 127.0.0.1:8080)
  policies  VTR_POLICIES  --policies  operator policy file
  secrets.aftership  VTR_AFTERSHIP_SECRET  AfterShip webhook secret
  secrets.easypost   VTR_EASYPOST_SECRET   EasyPost webhook secret
  secrets.17track    VTR_17TRACK_KEY       17TRACK security key
  max_records_body   bytes for POST /v1/records (default 64 MiB)
  max_body           bytes for other bodies (default 1 MiB)
  enforce_every      how often enforcement looks for groups due on their
                     policy's cadence (default 5m; 0s: off)
`

// serveTimeouts cut slow clients (a variable so tests can shorten it).
var serveTimeouts = struct{ header, read, write, idle time.Duration }{
	header: 10 * time.Second, read: 5 * time.Minute, write: 10 * time.Minute, idle: 2 * time.Minute,
}

// serveConfig is the config file's shape.
type serveConfig struct {
	DB             string            `json:"db"`
	Addr           string            `json:"addr"`
	Policies       string            `json:"policies"`
	Secrets        map[string]string `json:"secrets"`
	MaxRecordsBody int64             `json:"max_records_body"`
	MaxBody        int64             `json:"max_body"`
	// EnforceEvery is how often the scheduler looks for groups due on
	// their policy's cadence (a Go duration; "0s" turns it off).
	EnforceEvery string `json:"enforce_every"`
}

// loadServeConfig reads the config file, then the environment.
func loadServeConfig(path string) (serveConfig, error) {
	c := serveConfig{DB: "vtr.db", Addr: "127.0.0.1:8080", Secrets: map[string]string{}, EnforceEvery: "5m"}
	if path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return c, usagef("serve: --config: %v", err)
		}
		if err := decodeStrict(b, &c); err != nil {
			return c, usagef("serve: config file %s: %v", path, err)
		}
		if c.Secrets == nil {
			c.Secrets = map[string]string{}
		}
		for name := range c.Secrets {
			if _, ok := formats.Webhooks[name]; !ok {
				return c, usagef("serve: config file %s: secrets: unknown webhook %q", path, name)
			}
		}
	}
	for key, dst := range map[string]*string{"VTR_DB": &c.DB, "VTR_ADDR": &c.Addr, "VTR_POLICIES": &c.Policies} {
		if v := os.Getenv(key); v != "" {
			*dst = v
		}
	}
	for name, wh := range formats.Webhooks {
		if v := os.Getenv(wh.SecretEnv); v != "" {
			c.Secrets[name] = v
		}
	}
	return c, nil
}

func decodeStrict(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

func (m *Main) serve(ctx context.Context, args []string) error {
	fs := newFlags("serve")
	cfgPath := fs.String("config", os.Getenv("VTR_CONFIG"), "")
	db := fs.String("db", "", "")
	addr := fs.String("addr", "", "")
	policies := fs.String("policies", "", "")
	if ok, err := parse(fs, args, serveHelp, m.Stdout); !ok {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("serve: unexpected argument %q", fs.Arg(0))
	}
	cfg, err := loadServeConfig(*cfgPath)
	if err != nil {
		return err
	}
	for _, f := range []struct{ flag, dst *string }{{db, &cfg.DB}, {addr, &cfg.Addr}, {policies, &cfg.Policies}} {
		if *f.flag != "" {
			*f.dst = *f.flag
		}
	}
	log := slog.New(slog.NewJSONHandler(m.Stderr, nil))
	sf := storeFlags{db: &cfg.DB, policies: &cfg.Policies}
	eng, store, err := sf.openBoth(ctx, forWrite)
	if err != nil {
		return err
	}
	defer store.Close()
	return m.runServer(ctx, cfg, eng, store, log, func(url string) {
		// The address, for scripts and tests that asked for port 0.
		fmt.Fprintf(m.Stdout, "listening on %s\n", url)
	})
}

// runServer serves the API (and pages) over an open store until ctx is
// done, then shuts down gracefully; listening is called with the base
// URL once the server accepts connections.
func (m *Main) runServer(ctx context.Context, cfg serveConfig, eng engine, store *ingest.Store, log *slog.Logger, listening func(url string)) error {
	ps, err := policySet(cfg.Policies)
	if err != nil {
		return err
	}
	every, err := time.ParseDuration(cfg.EnforceEvery)
	if err != nil || every < 0 {
		return usagef("serve: enforce_every: %q is not a duration (5m, 1h, 0s for off)", cfg.EnforceEvery)
	}
	keys := eng.Keys()
	enf := m.newEnforcer(eng, store, ps)
	srv := web.New(web.Config{
		Store: store, Keys: keys, Idem: keys, Policies: ps, Enforce: enf, Outbox: eng.Outbox(), Sessions: eng.Sessions(), Ready: eng.Ready, Now: m.now, Log: log,
		Secrets: cfg.Secrets, MaxRecordsBody: cfg.MaxRecordsBody, MaxBody: cfg.MaxBody,
	})
	// In the background: the enforcement scheduler and the outgoing
	// webhooks' deliverer, stopped after the last request is answered.
	bg, stopBG := context.WithCancel(context.WithoutCancel(ctx))
	var bgDone sync.WaitGroup
	defer func() { stopBG(); bgDone.Wait() }()
	bgDone.Add(1)
	go func() {
		defer bgDone.Done()
		(&notify.Deliverer{Outbox: eng.Outbox(), Now: m.now, Log: log}).Run(bg)
	}()
	if every > 0 {
		bgDone.Add(1)
		go func() {
			defer bgDone.Done()
			schedule(bg, every, func() {
				res, err := enf.Evaluate(bg, m.now())
				if err != nil {
					if bg.Err() == nil {
						log.Error("enforcement", "err", err)
					}
					return
				}
				for _, t := range res.Transitions {
					log.Info("enforcement changed", "seller", t.SellerID, "policy", t.Policy, "group", t.Group, "from", t.From, "to", t.To)
				}
			})
		}()
	}
	// Connections made, and a confirmation rehearsed on each, before the
	// first request, not during it; a server that cannot make them all
	// now still serves with those it can.
	if w, ok := eng.(interface {
		Warm(context.Context, func(context.Context, ingest.Tx) error) error
	}); ok {
		if err := w.Warm(ctx, store.Rehearse); err != nil {
			log.Warn("opening the database connections ahead", "err", err)
		}
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return vtr.Errorf(vtr.EINVALID, "serve: listen on %s: %v", cfg.Addr, err)
	}
	hs := &http.Server{
		Handler: srv.Handler(),
		// Slow clients are cut: headers within 10 s, a whole body within
		// 5 minutes (64 MiB at 220 kB/s), an answer within 10 minutes
		// (a defect report streams), idle connections after 2 minutes.
		ReadHeaderTimeout: serveTimeouts.header,
		ReadTimeout:       serveTimeouts.read,
		WriteTimeout:      serveTimeouts.write,
		IdleTimeout:       serveTimeouts.idle,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	log.Info("serving", "addr", ln.Addr().String(), "db", redactDB(cfg.DB))
	listening("http://" + ln.Addr().String())
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing the requests in flight")
	sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	log.Info("stopped")
	return nil
}

// schedule runs fn at once and then every interval until ctx is done.
func schedule(ctx context.Context, every time.Duration, fn func()) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		fn()
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// redactDB drops a password from a database URL for the log.
func redactDB(db string) string {
	if u, err := url.Parse(db); err == nil && u.User != nil {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
			return u.String()
		}
	}
	return db
}
