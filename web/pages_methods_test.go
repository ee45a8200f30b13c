package web_test

import (
	"net/http"
	"strings"
	"testing"
)

// Another method on a page's path is a 405 page naming the methods
// allowed, signed in or not; the API's paths keep their JSON 405.
func TestPagesMethodNotAllowed(t *testing.T) {
	e := start(t, "sqlite", location(t, "sqlite"), true)
	e.load()
	for _, b := range []*client{e.client(), e.signedIn(e.s1)} {
		for _, c := range []struct{ method, path, allow string }{
			{"DELETE", "/sellers/S1", "GET"},
			{"PUT", "/sellers/S1/defects", "GET"},
			{"PATCH", "/sellers/S1/preflight", "GET, POST"},
			{"DELETE", "/login", "GET, POST"},
			{"GET", "/logout", "POST"},
			{"POST", "/", "GET"},
			{"PUT", "/operator", "GET"},
		} {
			code, h, page := b.do(c.method, c.path, "", nil)
			if code != http.StatusMethodNotAllowed || h.Get("Allow") != c.allow {
				t.Errorf("%s %s: %d Allow %q, want 405 Allow %q", c.method, c.path, code, h.Get("Allow"), c.allow)
			}
			if !strings.HasPrefix(h.Get("Content-Type"), "text/html") || !strings.Contains(page, "is not allowed here (allowed: "+c.allow+")") {
				t.Errorf("%s %s: %s %q, want the HTML page saying what is allowed", c.method, c.path, h.Get("Content-Type"), page)
			}
		}
	}
	code, h, body := e.client().do("DELETE", "/v1/sellers/S1", "", nil)
	if code != http.StatusMethodNotAllowed || !strings.HasPrefix(h.Get("Content-Type"), "application/json") || !strings.Contains(body, `"method_not_allowed"`) {
		t.Errorf("API DELETE: %d %s %s, want the JSON 405", code, h.Get("Content-Type"), body)
	}
}
