package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/vtr-project/vtr"
)

// handler is a route's handler: it writes its answer, or returns an error
// that writeError turns into one.
type handler func(w http.ResponseWriter, r *http.Request, c *caller) error

// caller is who sent a request: its key (nil on public and signed
// routes) and its body, read whole within the route's limit.
type caller struct {
	key  *vtr.APIKey
	body []byte
}

// seller checks that the caller may see a seller; another seller's
// resources do not exist for a seller key.
func (c *caller) seller(id string) error {
	if c.key == nil || !c.key.CanSee(id) {
		return vtr.Errorf(vtr.ENOTFOUND, "no seller %s", id)
	}
	return nil
}

// statusError is an error with its own status and code (405, and errors
// in front of the domain).
type statusError struct {
	status    int
	code, msg string
}

func (e *statusError) Error() string { return e.msg }

// status maps an error code to its HTTP status: the one place.
func status(code string) int {
	switch code {
	case vtr.EINVALID:
		return http.StatusBadRequest
	case vtr.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case vtr.EFORBIDDEN:
		return http.StatusForbidden
	case vtr.ENOTFOUND:
		return http.StatusNotFound
	case vtr.ECONFLICT:
		return http.StatusConflict
	case vtr.ETOOLARGE:
		return http.StatusRequestEntityTooLarge
	}
	return http.StatusInternalServerError
}

// errorBody is the API's one error shape.
type errorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Field   string `json:"field,omitempty"`
	} `json:"error"`
}

// writeError answers an error: {"error": {"code", "message", "field"}}.
// Internal errors are logged and never shown.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var b errorBody
	st := http.StatusInternalServerError
	var se *statusError
	var ve *vtr.Error
	switch {
	case errors.As(err, &se):
		st, b.Error.Code, b.Error.Message = se.status, se.code, se.msg
	case errors.As(err, &ve):
		st, b.Error.Code, b.Error.Message, b.Error.Field = status(ve.Code), ve.Code, ve.Message, ve.Field
	default:
		b.Error.Code, b.Error.Message = vtr.EINTERNAL, "internal error"
	}
	if st == http.StatusInternalServerError {
		s.cfg.Log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	if st == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="vtr"`)
	}
	writeJSON(w, st, &b)
}

// fail answers a route's error in its shape.
func (s *Server) fail(rt route, w http.ResponseWriter, r *http.Request, err error) {
	if rt.amazon {
		s.writeAmazonError(w, r, err)
		return
	}
	s.writeError(w, r, err)
}

// writeJSON answers v as JSON (one line, as `vtr … --json` prints it).
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v) // a write error means the client left
}

// recorder keeps a response in memory for the idempotency record.
type recorder struct {
	h      http.Header
	status int
	buf    bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.h }
func (r *recorder) WriteHeader(s int) {
	if r.status == 0 {
		r.status = s
	}
}
func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.buf.Write(b)
}

// statusWriter notes the status for metrics and logs.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(s int) {
	if w.status == 0 {
		w.status = s
	}
	w.ResponseWriter.WriteHeader(s)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// finish ends a request on a route, deferred by every handler wrapper: a
// recovered panic is answered with fail (unless an answer has begun),
// and the request is counted, timed and logged.
func (s *Server) finish(route string, w *statusWriter, r *http.Request, start time.Time, fail func(error)) {
	s.metrics.inFlight.With().Dec()
	if p := recover(); p != nil {
		if p == http.ErrAbortHandler {
			panic(p)
		}
		s.cfg.Log.Error("panic", "method", r.Method, "path", r.URL.Path, "panic", fmt.Sprint(p))
		if w.status == 0 {
			fail(fmt.Errorf("panic: %v", p))
		}
	}
	st := w.status
	if st == 0 {
		st = http.StatusOK
	}
	d := time.Since(start)
	s.metrics.requests.With(route, r.Method, strconv.Itoa(st)).Inc()
	s.metrics.latency.With(route).Observe(d.Seconds())
	s.cfg.Log.Info("request", "method", r.Method, "path", r.URL.Path, "route", route, "status", st, "duration_ms", float64(d.Microseconds())/1000)
}

// wrap runs a route: metrics and logs, a recovered panic, the key, the
// body within its limit, and Idempotency-Key on POST and PUT.
func (s *Server) wrap(rt route) http.Handler {
	return http.HandlerFunc(func(hw http.ResponseWriter, r *http.Request) {
		w := &statusWriter{ResponseWriter: hw}
		s.metrics.inFlight.With().Inc()
		defer s.finish(rt.pattern, w, r, time.Now(), func(err error) { s.fail(rt, w, r, err) })
		if err := s.serve(w, r, rt); err != nil {
			s.fail(rt, w, r, err)
		}
	})
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request, rt route) error {
	c := &caller{}
	if rt.access == anyKey || rt.access == operator {
		k, err := s.authenticate(r)
		if err != nil {
			return err
		}
		if rt.access == operator && k.Role != vtr.RoleOperator {
			return vtr.Errorf(vtr.EFORBIDDEN, "this needs an operator key")
		}
		c.key = k
	}
	if r.Method == http.MethodPost || r.Method == http.MethodPut {
		limit := s.cfg.MaxBody
		if rt.pattern == "/v1/records" {
			limit = s.cfg.MaxRecordsBody
		}
		body, err := readBody(w, r, limit)
		if err != nil {
			return err
		}
		c.body = body
		if ik := r.Header.Get("Idempotency-Key"); ik != "" && rt.access != public {
			return s.idempotent(w, r, rt, c, ik)
		}
	}
	return rt.handle(w, r, c)
}

// readBody reads a whole body within limit: a body over it is refused
// before anything is stored (so a 413 never leaves half an import).
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	if r.ContentLength > limit {
		return nil, tooLarge(limit)
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return nil, tooLarge(limit)
	}
	if err != nil {
		return nil, vtr.Errorf(vtr.EINVALID, "reading the body: %v", err)
	}
	return body, nil
}

func tooLarge(limit int64) error {
	return vtr.Errorf(vtr.ETOOLARGE, "the body is larger than this route's limit of %d bytes", limit)
}

// authenticate finds the request's key: "Authorization: Bearer KEY", or
// the SP-API's "x-amz-access-token: KEY" so an SP-API client configured
// with a vtr key works unchanged.
func (s *Server) authenticate(r *http.Request) (*vtr.APIKey, error) {
	tok := ""
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, t, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") {
			return nil, vtr.Errorf(vtr.EUNAUTHORIZED, "the Authorization header must be \"Bearer KEY\"")
		}
		tok = strings.TrimSpace(t)
	} else {
		tok = strings.TrimSpace(r.Header.Get("x-amz-access-token"))
	}
	if tok == "" {
		return nil, vtr.Errorf(vtr.EUNAUTHORIZED, "an API key is required (Authorization: Bearer KEY)")
	}
	k, err := s.cfg.Keys.KeyByHash(r.Context(), vtr.HashKey(tok))
	if vtr.ErrorCode(err) == vtr.ENOTFOUND {
		return nil, vtr.Errorf(vtr.EUNAUTHORIZED, "the API key is not valid (unknown or revoked)")
	}
	return k, err
}

// idempotent runs a request sent with an Idempotency-Key once: a retry
// (same key, same method, path and body) gets the first answer without
// running again; the same key with another request is a conflict. An
// answer of 5xx is not kept, so a retry runs again.
func (s *Server) idempotent(w http.ResponseWriter, r *http.Request, rt route, c *caller, ik string) error {
	if len(ik) > 255 {
		return vtr.FieldErrorf(vtr.EINVALID, "Idempotency-Key", "longer than 255 characters")
	}
	scope := "webhook:" + rt.pattern
	if c.key != nil {
		scope = c.key.ID
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s %s?%s\n", r.Method, r.URL.Path, r.URL.RawQuery)
	h.Write(c.body)
	sum := h.Sum(nil)
	ctx := r.Context()
	stored, claimed, err := s.cfg.Idem.ClaimRequest(ctx, scope, ik, sum, s.now(), s.cfg.IdempotencyWait)
	if err != nil {
		return err
	}
	if !claimed {
		w.Header().Set("Content-Type", stored.ContentType)
		w.Header().Set("Idempotent-Replayed", "true")
		w.WriteHeader(stored.Status)
		_, err := w.Write(stored.Body)
		return err
	}
	rec := &recorder{h: w.Header()}
	if err := rt.handle(rec, r, c); err != nil {
		s.fail(rt, rec, r, err)
	}
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	// The record is written with a context of its own: the answer is
	// committed whether or not the client is still there.
	bg := context.WithoutCancel(ctx)
	if rec.status >= 500 {
		if err := s.cfg.Idem.ReleaseRequest(bg, scope, ik); err != nil {
			s.cfg.Log.Error("idempotency release", "err", err)
		}
	} else if err := s.cfg.Idem.FinishRequest(bg, scope, ik, &vtr.StoredResponse{Status: rec.status, ContentType: rec.h.Get("Content-Type"), Body: rec.buf.Bytes()}); err != nil {
		return err
	}
	w.WriteHeader(rec.status)
	_, err = w.Write(rec.buf.Bytes())
	return err
}
