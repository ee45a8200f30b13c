package web

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/internal/sqlutil"
)

// Sessions: a browser signs in once with an API key (typed into a form,
// posted in the body: a key never appears in a URL) and holds a random
// session ID in an HttpOnly, SameSite=Strict cookie. Only the ID's
// SHA-256 is stored; every page looks the session up with its key, so a
// revoked key ends its sessions at once. Every form of a session carries
// its token (CSRF); the sign-in form carries a token of its own, kept in
// a short-lived cookie (a double submit), so no other site can sign a
// browser in to a key of its choosing.

const (
	sessionCookie = "vtr_session"
	loginCookie   = "vtr_login"
	// SessionLifetime is how long a sign-in lasts.
	SessionLifetime = 12 * time.Hour
)

// token returns 32 random bytes in hex.
func token() string {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return hex.EncodeToString(b[:])
}

func hashToken(t string) []byte {
	h := sha256.Sum256([]byte(t))
	return h[:]
}

// sameToken compares a form's token with the expected one in constant
// time; an empty expected token matches nothing.
func sameToken(got, want string) bool {
	return want != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// session returns the request's live session, or nil when it has none
// (no cookie, unknown, expired, its key revoked).
func (p *pages) session(r *http.Request) (*sqlutil.Session, error) {
	c, err := r.Cookie(sessionCookie)
	if err != nil || len(c.Value) != 64 {
		return nil, nil
	}
	if p.sessions == nil {
		return nil, vtr.Errorf(vtr.EINTERNAL, "no session store configured")
	}
	ss, err := p.sessions.Lookup(r.Context(), hashToken(c.Value), p.s.now())
	if vtr.ErrorCode(err) == vtr.ENOTFOUND {
		return nil, nil
	}
	return ss, err
}

func (p *pages) cookie(r *http.Request, name, value string, expires time.Time) *http.Cookie {
	c := &http.Cookie{Name: name, Value: value, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil}
	if value == "" {
		c.MaxAge = -1
	} else {
		c.Expires = expires
		c.MaxAge = int(expires.Sub(p.s.now()).Seconds())
	}
	return c
}

// localPath returns next when it is a path on this site, else "/": a
// sign-in link must not send the browser elsewhere.
func localPath(next string) string {
	if next == "" || next[0] != '/' || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n\t") {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return "/"
	}
	return next
}

// loginPage is the sign-in form's body.
type loginPage struct {
	Next  string
	Error string
	Token string
}

// loginForm shows the sign-in form with a fresh form token.
func (p *pages) loginForm(w http.ResponseWriter, r *http.Request, _ *sqlutil.Session) error {
	return p.showLogin(w, r, http.StatusOK, localPath(r.URL.Query().Get("next")), "")
}

func (p *pages) showLogin(w http.ResponseWriter, r *http.Request, status int, next, msg string) error {
	t := token()
	http.SetCookie(w, p.cookie(r, loginCookie, t, p.s.now().Add(time.Hour)))
	return p.render(w, r, status, "login", &page{Title: "Sign in", Body: loginPage{Next: next, Error: msg, Token: t}})
}

// login checks the key and opens a session.
func (p *pages) login(w http.ResponseWriter, r *http.Request, _ *sqlutil.Session) error {
	next := localPath(r.PostFormValue("next"))
	c, err := r.Cookie(loginCookie)
	if err != nil || !sameToken(r.PostFormValue("csrf"), c.Value) {
		return p.showLogin(w, r, http.StatusForbidden, next, "The sign-in form expired: try again.")
	}
	tok := strings.TrimSpace(r.PostFormValue("key"))
	if tok == "" {
		return p.showLogin(w, r, http.StatusBadRequest, next, "Enter an API key.")
	}
	k, err := p.s.cfg.Keys.KeyByHash(r.Context(), vtr.HashKey(tok))
	if vtr.ErrorCode(err) == vtr.ENOTFOUND {
		return p.showLogin(w, r, http.StatusUnauthorized, next, "That key is not valid (unknown or revoked).")
	}
	if err != nil {
		return err
	}
	if p.sessions == nil {
		return vtr.Errorf(vtr.EINTERNAL, "no session store configured")
	}
	now := p.s.now()
	if _, err := p.sessions.DeleteExpired(r.Context(), now); err != nil {
		return err
	}
	id, expires := token(), now.Add(SessionLifetime)
	if err := p.sessions.Create(r.Context(), hashToken(id), k.ID, token(), now, expires); err != nil {
		return err
	}
	http.SetCookie(w, p.cookie(r, loginCookie, "", now))
	http.SetCookie(w, p.cookie(r, sessionCookie, id, expires))
	if next == "/" || next == "/login" {
		next = "/"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

// logout ends the session (its form token checked by wrap).
func (p *pages) logout(w http.ResponseWriter, r *http.Request, _ *sqlutil.Session) error {
	if c, err := r.Cookie(sessionCookie); err == nil {
		if err := p.sessions.Delete(r.Context(), hashToken(c.Value)); err != nil {
			return err
		}
	}
	http.SetCookie(w, p.cookie(r, sessionCookie, "", p.s.now()))
	http.Redirect(w, r, "/login", http.StatusSeeOther)
	return nil
}
