package web

import (
	"context"
	_ "embed"
	"net/http"
	"time"
)

// healthz answers while the process serves.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request, _ *caller) error {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	return nil
}

// readyz answers 200 when the database is reachable with the schema this
// binary expects, 503 otherwise (a load balancer then sends elsewhere).
func (s *Server) readyz(w http.ResponseWriter, r *http.Request, _ *caller) error {
	ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
	defer cancel()
	if err := s.cfg.Ready(ctx); err != nil {
		s.cfg.Log.Warn("not ready", "err", err)
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "reason": err.Error()})
		return nil
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
	return nil
}

func (s *Server) serveMetrics(w http.ResponseWriter, r *http.Request, _ *caller) error {
	s.metrics.reg.Handler().ServeHTTP(w, r)
	return nil
}

//go:embed openapi.json
var openAPIDoc []byte

// openAPI serves the API's OpenAPI 3.1 document; a test holds it and the
// routes together in both directions.
func (s *Server) openAPI(w http.ResponseWriter, r *http.Request, _ *caller) error {
	w.Header().Set("Content-Type", "application/json")
	_, err := w.Write(openAPIDoc)
	return err
}
