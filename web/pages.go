package web

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/internal/sqlutil"
)

// The dashboard's pages: html/template files and static assets embedded
// in the binary (the pages work offline: no CDN, no build step), parsed
// once when the server starts. Pages sit behind a session cookie
// (session.go) instead of the API's bearer keys, answer errors as HTML,
// and read the same typed values the API encodes as JSON.

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// pageAccess says who may open a page.
type pageAccess int

const (
	pageOpen     pageAccess = iota // anyone (sign-in, assets)
	pageSignedIn                   // a live session of any key
	pageOperator                   // a live session of an operator key
)

// pageRoute is one page of the dashboard.
type pageRoute struct {
	pattern string // "METHOD /path"
	access  pageAccess
	handle  pageHandler
	// maxBody bounds a POST's body (0: Config.MaxBody).
	maxBody int64
	// noCSRF: the handler checks its own form token (sign-in, before
	// any session exists).
	noCSRF bool
}

// pageHandler is a page's handler; ss is nil on open pages.
type pageHandler func(w http.ResponseWriter, r *http.Request, ss *sqlutil.Session) error

// pageMethodNotAllowed answers another method on a page's path: 405, as
// a page.
func pageMethodNotAllowed(allow string) pageHandler {
	return func(w http.ResponseWriter, r *http.Request, _ *sqlutil.Session) error {
		w.Header().Set("Allow", allow)
		return &statusError{status: http.StatusMethodNotAllowed, code: "method_not_allowed", msg: r.Method + " is not allowed here (allowed: " + allow + ")."}
	}
}

// pages are the dashboard's handlers over a server.
type pages struct {
	s        *Server
	sessions *sqlutil.Sessions
	tmpl     map[string]*template.Template
	static   http.Handler
}

// MaxPreflightBody bounds a pre-flight upload (a flat file of about
// 100,000 lines).
const MaxPreflightBody = 16 << 20

// newPages parses every template once; a broken template stops the
// server from starting.
func (s *Server) newPages() *pages {
	p := &pages{s: s, sessions: s.cfg.Sessions, tmpl: map[string]*template.Template{}}
	if p.sessions == nil {
		// The sessions table sits beside the keys (Config.Sessions).
		if k, ok := s.cfg.Keys.(*sqlutil.Keys); ok {
			p.sessions = &sqlutil.Sessions{DB: k.DB, Rebind: k.Rebind}
		}
	}
	base := template.Must(template.New("base.html").Funcs(pageFuncs).ParseFS(templateFS, "templates/base.html"))
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		panic(err)
	}
	for _, n := range names {
		name := strings.TrimPrefix(n, "templates/")
		if name == "base.html" {
			continue
		}
		p.tmpl[strings.TrimSuffix(name, ".html")] = template.Must(template.Must(base.Clone()).ParseFS(templateFS, n))
	}
	sub, err := fs.Sub(staticFS, "static")
	if err != nil {
		panic(err)
	}
	p.static = http.StripPrefix("/static/", http.FileServerFS(sub))
	return p
}

// pageFuncs are the templates' helpers.
var pageFuncs = template.FuncMap{
	"pct":    pct,
	"pct0":   pctTarget,
	"date":   func(t time.Time) string { return t.UTC().Format("2006-01-02") },
	"time":   func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") },
	"status": statusClass,
	"join":   strings.Join,
	"describe": func(r vtr.Reason) string {
		return r.Describe()
	},
	"add":  func(a, b int) int { return a + b },
	"addf": func(a, b float64) float64 { return a + b },
}

// pct formats a rate as a percentage with two decimals ("—" for none).
func pct(r *float64) string {
	if r == nil {
		return "—"
	}
	return strconv.FormatFloat(*r*100, 'f', 2, 64) + "%"
}

// statusClass is a status's colour class in the style sheet.
func statusClass(s string) string {
	switch s {
	case vtr.RateOK, string(vtr.StateReinstated), "approved", "delivered", "met":
		return "ok"
	case vtr.RateAtRisk, string(vtr.StateAppealPending), "pending":
		return "warn"
	case vtr.RateBelowTarget, string(vtr.StateRestricted), "rejected", "failed", "missed":
		return "bad"
	}
	return "none"
}

// page is what every template gets: the layout's fields and the page's.
type page struct {
	Title    string
	Active   string // the nav entry to highlight
	Key      *vtr.APIKey
	SellerID string // the seller the nav links to ("" on operator pages)
	CSRF     string
	Flash    string
	Body     any
}

// render writes a page with a status.
func (p *pages) render(w http.ResponseWriter, r *http.Request, status int, name string, pg *page) error {
	t := p.tmpl[name]
	if t == nil {
		return fmt.Errorf("no template %q", name)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "base.html", pg); err != nil {
		return fmt.Errorf("template %s: %w", name, err)
	}
	pageHeaders(w)
	w.WriteHeader(status)
	_, err := w.Write(buf.Bytes())
	return err
}

// pageHeaders are every page's headers: never cached (figures are live
// and pages carry form tokens), never framed, nothing loaded from
// elsewhere.
func pageHeaders(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
}

// errorPage is the error template's body.
type errorPage struct {
	Status  int
	Heading string
	Message string
}

// notFoundMessage is said of every page that does not exist for the
// caller: an unknown seller and another seller's pages read the same.
const notFoundMessage = "There is no such page, or your key cannot open it."

// fail answers an error as an HTML page: the same status mapping as the
// API (status), internal errors logged and never shown.
func (p *pages) fail(w http.ResponseWriter, r *http.Request, ss *sqlutil.Session, err error) {
	e := errorPage{Status: http.StatusInternalServerError, Heading: "Something went wrong", Message: "The server could not answer; the error is logged."}
	var ve *vtr.Error
	var se *statusError
	switch {
	case errors.As(err, &se):
		e.Status, e.Message = se.status, se.msg
	case errors.As(err, &ve):
		e.Status, e.Message = status(ve.Code), ve.Message
	}
	switch e.Status {
	case http.StatusNotFound:
		e.Heading, e.Message = "Not found", notFoundMessage
	case http.StatusForbidden:
		e.Heading = "Forbidden"
	case http.StatusBadRequest:
		e.Heading = "That did not work"
	case http.StatusConflict:
		e.Heading = "Not possible now"
	case http.StatusRequestEntityTooLarge:
		e.Heading = "Too large"
	case http.StatusMethodNotAllowed:
		e.Heading = "Not allowed here"
	case http.StatusInternalServerError:
		p.s.cfg.Log.Error("page failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	pg := &page{Title: e.Heading, Body: e}
	if ss != nil {
		pg.Key, pg.CSRF = &ss.Key, ss.CSRF
		pg.SellerID = ss.Key.SellerID
	}
	if err := p.render(w, r, e.Status, "error", pg); err != nil {
		p.s.cfg.Log.Error("error page", "err", err)
	}
}

// notFound is the one not-found error of the pages.
func notFound() error { return vtr.Errorf(vtr.ENOTFOUND, "%s", notFoundMessage) }

// wrap runs a page: metrics and logs, a recovered panic, the session
// (none: to the sign-in page), the role, the body within its limit and
// the form token of every POST.
func (p *pages) wrap(rt pageRoute) http.Handler {
	route := rt.pattern[strings.IndexByte(rt.pattern, ' ')+1:]
	return http.HandlerFunc(func(hw http.ResponseWriter, r *http.Request) {
		w := &statusWriter{ResponseWriter: hw}
		var ss *sqlutil.Session
		p.s.metrics.inFlight.With().Inc()
		defer p.s.finish(route, w, r, time.Now(), func(err error) { p.fail(w, r, ss, err) })
		var err error
		ss, err = p.serve(w, r, rt)
		if err != nil {
			p.fail(w, r, ss, err)
		}
	})
}

func (p *pages) serve(w http.ResponseWriter, r *http.Request, rt pageRoute) (*sqlutil.Session, error) {
	var ss *sqlutil.Session
	if rt.access != pageOpen {
		var err error
		if ss, err = p.session(r); err != nil {
			return nil, err
		}
		if ss == nil {
			next := r.URL.RequestURI()
			if r.Method != http.MethodGet {
				next = "/"
			}
			http.Redirect(w, r, "/login?next="+url.QueryEscape(next), http.StatusSeeOther)
			return nil, nil
		}
		if rt.access == pageOperator && ss.Key.Role != vtr.RoleOperator {
			return ss, notFound() // the console does not exist for a seller
		}
	}
	if r.Method == http.MethodPost {
		limit := rt.maxBody
		if limit == 0 {
			limit = p.s.cfg.MaxBody
		}
		if r.ContentLength > limit {
			return ss, tooLarge(limit)
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		var err error
		if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
			err = r.ParseMultipartForm(1 << 20)
		} else {
			err = r.ParseForm()
		}
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return ss, tooLarge(limit)
		}
		if err != nil {
			return ss, vtr.Errorf(vtr.EINVALID, "the form could not be read: %v", err)
		}
		if !rt.noCSRF && (ss == nil || !sameToken(r.PostFormValue("csrf"), ss.CSRF)) {
			return ss, vtr.Errorf(vtr.EFORBIDDEN, "this form has expired or did not come from this site; reload the page and try again")
		}
	}
	return ss, rt.handle(w, r, ss)
}

// seller checks that a session may open a seller's pages and that the
// seller exists: both failures are the same not-found page.
func (p *pages) seller(r *http.Request, ss *sqlutil.Session) (*vtr.Seller, error) {
	id := r.PathValue("id")
	if !ss.Key.CanSee(id) {
		return nil, notFound()
	}
	sel, err := p.s.cfg.Store.Seller(r.Context(), id)
	if vtr.ErrorCode(err) == vtr.ENOTFOUND {
		return nil, notFound()
	}
	return sel, err
}

// asOf reads a page's ?as_of: by default now, or the latest day of the
// seller's data ("": anyone's) when that is earlier (demo data, an
// import of the past); said is what the page says about it ("" when the
// default is now or as_of is given).
func (p *pages) asOf(r *http.Request, sellerID string) (at time.Time, said string, err error) {
	v := r.URL.Query().Get("as_of")
	at, err = vtr.ParseAsOf(v, p.s.now())
	if err != nil {
		return at, "", vtr.FieldErrorf(vtr.EINVALID, "as_of", "%s", vtr.ErrorMessage(err))
	}
	if v != "" {
		return at, "", nil
	}
	last, err := p.s.cfg.Store.LastDay(r.Context(), sellerID)
	if err != nil {
		return at, "", err
	}
	if !last.IsZero() && last.Before(at) {
		at = last.Add(24*time.Hour - time.Second)
		return at, "The data ends on " + last.Format("2006-01-02") + ": figures are as of that day. Add ?as_of=YYYY-MM-DD to see another day.", nil
	}
	return at, "", nil
}

// home sends a seller to its page and an operator to the console.
func (p *pages) home(w http.ResponseWriter, r *http.Request, ss *sqlutil.Session) error {
	to := "/operator"
	if ss.Key.Role != vtr.RoleOperator {
		to = "/sellers/" + url.PathEscape(ss.Key.SellerID)
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

// serveStatic serves the embedded assets.
func (p *pages) serveStatic(w http.ResponseWriter, r *http.Request, _ *sqlutil.Session) error {
	w.Header().Set("Cache-Control", "public, max-age=3600")
	p.static.ServeHTTP(w, r)
	return nil
}

// pageNotFound answers the pages' 404 for unknown paths under a page
// prefix.
func (p *pages) pageNotFound(w http.ResponseWriter, r *http.Request, ss *sqlutil.Session) error {
	return notFound()
}
