package web_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/enforce"
	"github.com/vtr-project/vtr/flatfile"
	"github.com/vtr-project/vtr/ingest"
	"github.com/vtr-project/vtr/native"
	"github.com/vtr-project/vtr/simulate"
	"github.com/vtr-project/vtr/sqlite"
	"github.com/vtr-project/vtr/web"
)

// client is an HTTP client with a cookie jar that does not follow
// redirects, so each answer can be checked.
type client struct {
	t    testing.TB
	e    *env
	c    *http.Client
	csrf string // the session's form token, read from the last page
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([0-9a-f]+)"`)

func (e *env) client() *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: e.t, e: e, c: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// do sends a request and reads the answer; a page's form token is kept.
func (b *client) do(method, path, ctype string, body io.Reader) (int, http.Header, string) {
	b.t.Helper()
	req, err := http.NewRequest(method, b.e.url+path, body)
	if err != nil {
		b.t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	if m := csrfRE.FindSubmatch(out); m != nil && !strings.HasPrefix(path, "/login") {
		b.csrf = string(m[1])
	}
	return resp.StatusCode, resp.Header, string(out)
}

func (b *client) get(path string) (int, http.Header, string) { return b.do("GET", path, "", nil) }

func (b *client) post(path string, form url.Values) (int, http.Header, string) {
	return b.do("POST", path, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
}

// signIn signs in with a key through the form; it returns the answer to
// the form's POST.
func (b *client) signIn(key, next string) (int, http.Header, string) {
	b.t.Helper()
	code, _, page := b.get("/login?next=" + url.QueryEscape(next))
	m := csrfRE.FindStringSubmatch(page)
	if code != 200 || m == nil {
		b.t.Fatalf("sign-in form: %d %s", code, page)
	}
	return b.post("/login", url.Values{"key": {key}, "csrf": {m[1]}, "next": {next}})
}

// signedIn returns a browser signed in with a key, its form token read.
func (e *env) signedIn(key string) *client {
	e.t.Helper()
	b := e.client()
	if code, h, page := b.signIn(key, "/"); code != 303 || h.Get("Location") != "/" {
		e.t.Fatalf("sign in: %d %v %s", code, h, page)
	}
	if code, _, page := b.get("/sellers/S1/preflight"); code != 200 && code != 404 || b.csrf == "" {
		e.t.Fatalf("no form token after signing in: %d %s", code, page)
	}
	return b
}

func TestPagesSignIn(t *testing.T) {
	engines(t, func(t *testing.T, name string) {
		e := start(t, name, location(t, name), true)
		e.load()
		b := e.client()
		// Not signed in: every page sends to the sign-in form with next.
		for _, path := range []string{"/", "/sellers/S1", "/sellers/S1/defects?carrier=UPS", "/operator", "/sellers/S1/defects.csv"} {
			code, h, _ := b.get(path)
			if code != 303 || h.Get("Location") != "/login?next="+url.QueryEscape(path) {
				t.Errorf("%s signed out: %d %q", path, code, h.Get("Location"))
			}
		}
		if code, h, _ := b.post("/sellers/S1/appeal", url.Values{"policy": {"amazon-us"}}); code != 303 || !strings.HasPrefix(h.Get("Location"), "/login") {
			t.Errorf("a POST signed out: %d %v", code, h)
		}
		// A wrong key; a form without its token.
		if code, _, page := b.signIn("vtr_nope_nope", "/"); code != 401 || !strings.Contains(page, "not valid") {
			t.Errorf("a wrong key: %d", code)
		}
		if code, _, _ := b.post("/login", url.Values{"key": {e.s1}, "csrf": {"0"}}); code != 403 {
			t.Errorf("sign-in without the form's token: %d", code)
		}
		// next is kept, only when it is a local path.
		code, h, _ := b.signIn(e.s1, "/sellers/S1/defects?carrier=UPS")
		if code != 303 || h.Get("Location") != "/sellers/S1/defects?carrier=UPS" {
			t.Fatalf("sign in with next: %d %v", code, h)
		}
		var sc *http.Cookie
		for _, c := range (&http.Response{Header: h}).Cookies() {
			if c.Name == "vtr_session" {
				sc = c
			}
		}
		if sc == nil || !sc.HttpOnly || sc.SameSite != http.SameSiteStrictMode || sc.Path != "/" || sc.Secure || len(sc.Value) != 64 ||
			sc.Expires.IsZero() || sc.Expires.Sub(now) > 12*time.Hour+time.Minute || strings.Contains(h.Get("Location"), e.s1) {
			t.Errorf("session cookie: %+v", sc)
		}
		for _, next := range []string{"//evil.example/x", "https://evil.example/", "/\\evil.example"} {
			if code, h, _ := e.client().signIn(e.s1, next); code != 303 || h.Get("Location") != "/" {
				t.Errorf("next %q: %d %q", next, code, h.Get("Location"))
			}
		}
		// The home page: a seller's page, or the console.
		if code, h, _ := b.get("/"); code != 303 || h.Get("Location") != "/sellers/S1" {
			t.Errorf("home for S1: %d %v", code, h.Get("Location"))
		}
		if code, h, _ := e.signedIn(e.op).get("/"); code != 303 || h.Get("Location") != "/operator" {
			t.Errorf("home for the operator: %d %v", code, h.Get("Location"))
		}
		// Sign out needs the form token; then the session is gone.
		if code, _, page := b.get("/sellers/S1?as_of=2026-10-20"); code != 200 || b.csrf == "" || !strings.Contains(page, "Sign out") {
			t.Fatalf("seller page: %d", code)
		}
		if code, _, _ := b.post("/logout", url.Values{}); code != 403 {
			t.Errorf("sign out without the token: %d", code)
		}
		if code, _, _ := b.get("/sellers/S1"); code != 200 {
			t.Errorf("the session ended without the token: %d", code)
		}
		if code, h, _ := b.post("/logout", url.Values{"csrf": {b.csrf}}); code != 303 || h.Get("Location") != "/login" {
			t.Errorf("sign out: %d %v", code, h)
		}
		if code, _, _ := b.get("/sellers/S1"); code != 303 {
			t.Errorf("a page after signing out: %d", code)
		}
		// A revoked key ends its sessions.
		b2 := e.signedIn(e.s2)
		if code, _, _ := b2.get("/sellers/S2"); code != 200 {
			t.Fatalf("S2's page: %d", code)
		}
		ks, err := e.eng.Keys().Keys(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range ks {
			if k.SellerID == "S2" {
				if err := e.eng.Keys().RevokeKey(context.Background(), k.ID, now); err != nil {
					t.Fatal(err)
				}
			}
		}
		if code, h, _ := b2.get("/sellers/S2"); code != 303 || !strings.HasPrefix(h.Get("Location"), "/login") {
			t.Errorf("a revoked key's session: %d %v", code, h)
		}
	})
}

// apiRate reads the API's rate report.
func (e *env) apiRate(path string) vtr.RateReport {
	e.t.Helper()
	code, _, b := e.do("GET", path, e.op, "")
	var rep vtr.RateReport
	if err := json.Unmarshal([]byte(b), &rep); err != nil || code != 200 {
		e.t.Fatalf("%s: %d %s", path, code, b)
	}
	return rep
}

func pctOf(r *float64) string {
	if r == nil {
		return "—"
	}
	return fmt.Sprintf("%.2f%%", *r*100)
}

// rowOf returns the HTML of the table row carrying attr="value" in the
// section of the page after marker.
func rowOf(t *testing.T, page, marker, attr, value string) string {
	t.Helper()
	i := strings.Index(page, marker)
	if i < 0 {
		t.Fatalf("no %q on the page", marker)
	}
	page = page[i:]
	j := strings.Index(page, attr+`="`+value+`"`)
	if j < 0 {
		t.Fatalf("no row %s=%q after %q", attr, value, marker)
	}
	row := page[j:]
	if k := strings.Index(row, "</tr>"); k >= 0 {
		row = row[:k]
	}
	return row
}

func cell(row, attr string) string {
	m := regexp.MustCompile(attr + `>([^<]*)<`).FindStringSubmatch(row)
	if m == nil {
		return "(none)"
	}
	return html.UnescapeString(strings.TrimSpace(m[1]))
}

// Every seller page renders the API's figures; the plan of action goes
// from the seller's form to the operator's console and back.
func TestPagesFigures(t *testing.T) {
	engines(t, func(t *testing.T, name string) {
		e := start(t, name, location(t, name), true)
		e.load()
		ctx := context.Background()
		if _, err := e.enforce.Evaluate(ctx, now); err != nil {
			t.Fatal(err)
		}
		b := e.signedIn(e.s1)

		// Shipping Performance: each category's figures are the API's.
		rep := e.apiRate("/v1/sellers/S1/rate?as_of=2026-10-20")
		code, _, page := b.get("/sellers/S1?as_of=2026-10-20")
		if code != 200 {
			t.Fatalf("seller page: %d %s", code, page)
		}
		if len(rep.Categories) == 0 {
			t.Fatal("no category in the API's answer")
		}
		for _, c := range rep.Categories {
			row := rowOf(t, page, `<table class="vtr">`, "data-category", c.Category)
			for attr, want := range map[string]string{"data-rate": pctOf(c.Rate), "data-status": c.Status, "data-valid": fmt.Sprint(c.Valid),
				"data-invalid": fmt.Sprint(c.Invalid), "data-pending": fmt.Sprint(c.Pending), "data-exempt": fmt.Sprint(c.Exempt)} {
				if got := cell(row, attr); got != want {
					t.Errorf("%s %s: got %q, want %q", c.Category, attr, got, want)
				}
			}
		}
		if got := cell(page, "data-overall-rate"); got != pctOf(rep.Overall.Rate) {
			t.Errorf("overall rate: got %q, want %q", got, pctOf(rep.Overall.Rate))
		}
		month := e.apiRate("/v1/sellers/S1/rate?as_of=2026-10-20&what_if=30")
		for i, w := range rep.WhatIf {
			row := rowOf(t, page, `<table class="whatif">`, "data-category", w.Category)
			if got := cell(row, "data-max7"); got != fmt.Sprint(w.MaxDefects) || !strings.Contains(row, html.EscapeString(w.Message)) {
				t.Errorf("what-if 7 days %s: %q in %s", w.Category, got, row)
			}
			if got := cell(row, "data-max30"); got != fmt.Sprint(month.WhatIf[i].MaxDefects) {
				t.Errorf("what-if 30 days %s: %q", w.Category, got)
			}
		}
		if row := rowOf(t, page, `<table class="enforcement">`, "data-group", "Electronics"); cell(row, "data-state") != "restricted" || !strings.Contains(row, "/sellers/S1/appeal?group=Electronics&amp;policy=amazon-us") {
			t.Errorf("enforcement row: %s", row)
		}
		for _, want := range []string{"<svg", `class="target"`, "CARRIER_MISMATCH", "Late Shipment Rate (10 days)", "On-Time Delivery Rate", "Pre-fulfilment cancel rate"} {
			if !strings.Contains(page, want) {
				t.Errorf("the seller page lacks %q", want)
			}
		}
		// The default day is the data's last when it is before now.
		if _, _, page := b.get("/sellers/S1"); !strings.Contains(page, "The data ends on") {
			t.Errorf("no note on the default day")
		}

		// Defects: the API's rows, in plain words, filtered and counted.
		code, _, js := e.do("GET", "/v1/sellers/S1/defects?as_of=2026-10-20", e.s1, "")
		var rows []vtr.DefectRow
		if err := json.Unmarshal([]byte(js), &rows); err != nil || code != 200 || len(rows) == 0 {
			t.Fatalf("API defects: %d %s", code, js)
		}
		code, _, page = b.get("/sellers/S1/defects?as_of=2026-10-20")
		if code != 200 || cell(page, "data-total") != fmt.Sprint(len(rows)) {
			t.Errorf("defects page: %d total %q, want %d", code, cell(page, "data-total"), len(rows))
		}
		for _, r := range rows {
			row := rowOf(t, page, `<table class="defects">`, "data-order", r.OrderID)
			if !strings.Contains(row, html.EscapeString(r.Reasons[0].Describe())) || !strings.Contains(row, html.EscapeString(r.Explanation)) {
				t.Errorf("defect row %s: %s", r.OrderID, row)
			}
		}
		for _, c := range []struct {
			query string
			total int
		}{
			{"carrier=UPS", 0}, {"carrier=USPS", 1}, {"category=electronics", 1}, {"category=Books", 0},
			{"reason=CARRIER_MISMATCH", 1}, {"reason=TRACKING_REUSED", 0}, {"shipped_late=true&delivered_late=true", len(rows)},
			{"page=2", 1},
		} {
			code, _, page := b.get("/sellers/S1/defects?as_of=2026-10-20&" + c.query)
			if code != 200 || cell(page, "data-total") != fmt.Sprint(c.total) {
				t.Errorf("defects ?%s: %d total %q, want %d", c.query, code, cell(page, "data-total"), c.total)
			}
		}
		if code, _, _ := b.get("/sellers/S1/defects?sort=asc"); code != 400 {
			t.Errorf("an unknown filter: %d", code)
		}
		// The CSV is the API's, byte for byte, filters included.
		for _, q := range []string{"as_of=2026-10-20", "as_of=2026-10-20&carrier=USPS&shipped_late=true", "as_of=2026-10-20&category=Books"} {
			_, _, want := e.do("GET", "/v1/sellers/S1/defects.csv?"+q, e.s1, "")
			code, h, got := b.get("/sellers/S1/defects.csv?" + q)
			if code != 200 || got != want || !strings.HasPrefix(h.Get("Content-Type"), "text/csv") {
				t.Errorf("CSV ?%s: %d\n got %q\nwant %q", q, code, got, want)
			}
		}
		if !strings.Contains(page, `href="/sellers/S1/defects.csv?as_of=`) {
			t.Errorf("no download link")
		}

		// Pre-flight: numbers as POST /v1/validate answers them.
		code, _, page = b.post("/sellers/S1/preflight", url.Values{"csrf": {b.csrf}, "numbers": {"1Z96F4R8D313969574, UPS\n1Z999AA10123456784, USPS\n"}})
		if code != 200 || cell(page, "data-problems") != "1" || !strings.Contains(page, "CARRIER_MISMATCH") {
			t.Errorf("pre-flight numbers: %d %s", code, cell(page, "data-problems"))
		}
		if code, _, _ := b.post("/sellers/S1/preflight", url.Values{"numbers": {"1Z96F4R8D313969574"}}); code != 403 {
			t.Errorf("pre-flight without the form token: %d", code)
		}
		// A flat file: the same findings as `vtr check`.
		ff, err := os.ReadFile("../flatfile/testdata/confirm.txt")
		if err != nil {
			t.Fatal(err)
		}
		pol, _ := vtr.NewPolicySet(nil).Get("amazon-us")
		var want []flatfile.Finding
		sum, err := flatfile.NewChecker(pol, "").CheckAll(bytes.NewReader(ff), func(f flatfile.Finding) error {
			if !f.OK() {
				want = append(want, f)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		mw.WriteField("csrf", b.csrf)
		mw.WriteField("policy", "amazon-us")
		fw, _ := mw.CreateFormFile("file", "confirm.txt")
		fw.Write(ff)
		mw.Close()
		code, _, page = b.do("POST", "/sellers/S1/preflight", mw.FormDataContentType(), &body)
		if code != 200 || cell(page, "data-problems") != fmt.Sprint(sum.Rejected+sum.Defects) {
			t.Errorf("pre-flight file: %d problems %q, want %d", code, cell(page, "data-problems"), sum.Rejected+sum.Defects)
		}
		for _, f := range want {
			row := rowOf(t, page, `<table class="findings">`, "data-line", fmt.Sprint(f.Line))
			if !strings.Contains(row, html.EscapeString(f.Message)) {
				t.Errorf("line %d: %s, want %q", f.Line, row, f.Message)
			}
		}
		if strings.Contains(page, `id="separator-note"`) {
			t.Errorf("a tab-separated file with the note of a CSV one")
		}
		// The same file saved as CSV: the same problems, and a note that
		// Amazon takes only the tab-separated file.
		csvFile, err := os.ReadFile("../flatfile/testdata/confirm.csv")
		if err != nil {
			t.Fatal(err)
		}
		body.Reset()
		mw = multipart.NewWriter(&body)
		mw.WriteField("csrf", b.csrf)
		mw.WriteField("policy", "amazon-us")
		fw, _ = mw.CreateFormFile("file", "confirm.csv")
		fw.Write(csvFile)
		mw.Close()
		code, _, page = b.do("POST", "/sellers/S1/preflight", mw.FormDataContentType(), &body)
		if code != 200 || cell(page, "data-problems") != fmt.Sprint(sum.Rejected+sum.Defects) || !strings.Contains(page, "comma-separated: it was read") {
			t.Errorf("pre-flight CSV file: %d problems %q, want %d and the separator note", code, cell(page, "data-problems"), sum.Rejected+sum.Defects)
		}

		// The plan of action: pre-filled, refused without its token,
		// submitted, decided by the operator, shown reinstated.
		code, _, page = b.get("/sellers/S1/appeal?policy=amazon-us&group=Electronics&as_of=2026-10-20")
		d, err := e.enforce.Draft(ctx, vtr.GroupKey{SellerID: "S1", Policy: "amazon-us", Group: "Electronics"}, time.Date(2026, 10, 20, 23, 59, 59, 0, time.UTC))
		if err != nil {
			t.Fatal(err)
		}
		if code != 200 || !strings.Contains(page, html.EscapeString(d.Plan.RootCause)) || !strings.Contains(page, html.EscapeString(d.Causes[0].Suggested)) {
			t.Errorf("appeal form: %d", code)
		}
		plan := url.Values{"policy": {"amazon-us"}, "group": {"Electronics"}, "root_cause": {d.Plan.RootCause}, "fixed": {d.Plan.Fixed}, "prevention": {d.Plan.Prevention}}
		if code, _, _ := b.post("/sellers/S1/appeal", plan); code != 403 {
			t.Errorf("a plan without the form token: %d", code)
		}
		if st, _, _ := e.eng.Enforcement().State(ctx, vtr.GroupKey{SellerID: "S1", Policy: "amazon-us", Group: "Electronics"}); st.State != vtr.StateRestricted {
			t.Errorf("refused plan changed the state to %s", st.State)
		}
		plan.Set("csrf", b.csrf)
		if code, h, page := b.post("/sellers/S1/appeal", plan); code != 303 || h.Get("Location") != "/sellers/S1/appeal?group=Electronics&policy=amazon-us" {
			t.Fatalf("submit the plan: %d %v %s", code, h, page)
		}
		if _, _, page := b.get("/sellers/S1/appeal?group=Electronics&policy=amazon-us"); !strings.Contains(page, "waiting for the operator") || !strings.Contains(page, `data-status>pending<`) {
			t.Errorf("after submitting: %s", page)
		}
		as, err := e.eng.Enforcement().Appeals(ctx, "S1", vtr.AppealPending)
		if err != nil || len(as) != 1 {
			t.Fatalf("appeals: %v %v", as, err)
		}
		if code, _, _ := b.get("/operator"); code != 404 {
			t.Errorf("the console with a seller key: %d", code)
		}
		if code, _, _ := b.post("/operator/appeals/"+as[0].ID+"/decision", url.Values{"csrf": {b.csrf}, "decision": {"approve"}}); code != 404 {
			t.Errorf("a seller deciding: %d", code)
		}
		op := e.signedIn(e.op)
		code, _, page = op.get("/operator?as_of=2026-10-20")
		if code != 200 || !strings.Contains(page, `data-appeal="`+as[0].ID+`"`) || !strings.Contains(page, `data-seller="S1"`) || !strings.Contains(page, "amazon-us") {
			t.Errorf("console: %d", code)
		}
		if i, j := strings.Index(page, `data-seller="S1"`), strings.Index(page, `data-seller="S2"`); j >= 0 && i > j {
			t.Errorf("S1 (50%%) is listed after S2")
		}
		if code, _, _ := op.post("/operator/appeals/"+as[0].ID+"/decision", url.Values{"decision": {"approve"}}); code != 403 {
			t.Errorf("a decision without the form token: %d", code)
		}
		if code, _, _ := op.post("/operator/appeals/"+as[0].ID+"/decision", url.Values{"csrf": {op.csrf}, "decision": {"reject"}}); code != 400 {
			t.Errorf("a rejection without a note: %d", code)
		}
		if code, h, _ := op.post("/operator/appeals/"+as[0].ID+"/decision", url.Values{"csrf": {op.csrf}, "decision": {"approve"}, "note": {"fixed"}}); code != 303 || h.Get("Location") != "/operator" {
			t.Errorf("approve: %d %v", code, h)
		}
		if _, _, page := b.get("/sellers/S1?as_of=2026-10-20"); cell(rowOf(t, page, `<table class="enforcement">`, "data-group", "Electronics"), "data-state") != "reinstated" {
			t.Errorf("the seller page after approval")
		}
		// The operator opens any seller's pages.
		for _, path := range []string{"/sellers/S2", "/sellers/S1/defects", "/sellers/S2/preflight", "/sellers/S1/appeal"} {
			if code, _, _ := op.get(path); code != 200 {
				t.Errorf("operator on %s: %d", path, code)
			}
		}
	})
}

// A seller's session finds nothing of another seller: every page and
// form answers the same 404 as an unknown seller's.
func TestPagesCrossSeller(t *testing.T) {
	engines(t, func(t *testing.T, name string) {
		e := start(t, name, location(t, name), true)
		e.load()
		b := e.signedIn(e.s2)
		_, _, unknown := b.get("/sellers/NOPE")
		for _, c := range []struct{ method, path string }{
			{"GET", "/sellers/S1"}, {"GET", "/sellers/S1?as_of=2026-10-20"}, {"GET", "/sellers/S1/defects"}, {"GET", "/sellers/S1/defects.csv"},
			{"GET", "/sellers/S1/preflight"}, {"GET", "/sellers/S1/appeal"}, {"GET", "/sellers/S1/appeal?policy=amazon-us&group=Electronics"},
			{"POST", "/sellers/S1/preflight"}, {"POST", "/sellers/S1/appeal"}, {"GET", "/operator"},
		} {
			var code int
			var page string
			if c.method == "GET" {
				code, _, page = b.get(c.path)
			} else {
				code, _, page = b.post(c.path, url.Values{"csrf": {b.csrf}, "numbers": {"1Z96F4R8D313969574"}, "policy": {"amazon-us"}, "group": {"Electronics"},
					"root_cause": {"a"}, "fixed": {"b"}, "prevention": {"c"}})
			}
			if code != 404 || page != unknown {
				t.Errorf("S2 on %s %s: %d (same page as an unknown seller's: %v)", c.method, c.path, code, page == unknown)
			}
		}
		if code, _, _ := b.get("/sellers/S2"); code != 200 {
			t.Errorf("S2's own page: %d", code)
		}
	})
}

// benchServer is a server over an SQLite store filled by the simulator:
// one seller with VTR_BENCH_ORDERS orders a day (default 400) over
// VTR_BENCH_DAYS days (default 60), and a session cookie of an operator.
// VTR_BENCH_DB keeps the database between runs (filled when empty).
func benchServer(b *testing.B) (http.Handler, *http.Cookie, string) {
	b.Helper()
	ctx := context.Background()
	path := os.Getenv("VTR_BENCH_DB")
	if path == "" {
		path = filepath.Join(b.TempDir(), "bench.db")
	}
	perDay, days := envInt(b, "VTR_BENCH_ORDERS", 400), envInt(b, "VTR_BENCH_DAYS", 60)
	eng, err := sqlite.Open(ctx, path, sqlite.Options{})
	if err != nil {
		b.Fatal(err)
	}
	ps := vtr.NewPolicySet(nil)
	store := ingest.New(eng, ps)
	b.Cleanup(func() { store.Close() })
	empty, err := store.Empty(ctx)
	if err != nil {
		b.Fatal(err)
	}
	if empty {
		start := time.Now()
		cfg := simulate.Config{Seed: 7, Sellers: 1, Days: days, Start: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC), OrdersPerDay: float64(perDay), ChinaShare: -1}
		pr, pw := io.Pipe()
		go func() {
			_, err := simulate.Run(ctx, cfg, simulate.Output{Out: pw})
			pw.CloseWithError(err)
		}()
		st, err := store.Import(ctx, native.NewDecoder(pr, time.Now).Next, func(error) {})
		pr.Close()
		if err != nil {
			b.Fatal(err)
		}
		b.Logf("filled %s: %d orders, %d shipments, %d events in %s", path, st.Orders, st.Shipments, st.Events, time.Since(start).Round(time.Second))
	}
	sellers, err := store.Sellers(ctx)
	if err != nil || len(sellers) == 0 {
		b.Fatalf("sellers: %v %v", sellers, err)
	}
	ks := eng.Keys()
	_, k, hash, err := vtr.NewAPIKey(vtr.RoleOperator, "", "bench", time.Now())
	if err != nil {
		b.Fatal(err)
	}
	if err := ks.CreateKey(ctx, &k, hash); err != nil {
		b.Fatal(err)
	}
	id := strings.Repeat("ab", 32)
	sum := sha256.Sum256([]byte(id))
	eng.Sessions().DeleteExpired(ctx, time.Now().Add(48*time.Hour)) // an earlier run's
	if err := eng.Sessions().Create(ctx, sum[:], k.ID, "csrf", time.Now(), time.Now().Add(time.Hour)); err != nil {
		b.Fatal(err)
	}
	ob := eng.Outbox()
	enf := &enforce.Service{Store: store, Policies: ps, States: eng.Enforcement(),
		Enqueue: func(ctx context.Context, tx *sql.Tx, ev vtr.OutboxEvent) error {
			_, err := ob.Enqueue(ctx, tx, ev)
			return err
		}}
	srv := web.New(web.Config{Store: store, Keys: ks, Idem: ks, Policies: ps, Enforce: enf, Outbox: ob, Ready: eng.Ready})
	return srv.Handler(), &http.Cookie{Name: "vtr_session", Value: id}, sellers[0].ID
}

func envInt(b *testing.B, name string, def int) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		b.Fatalf("%s=%q is not a positive number", name, v)
	}
	return n
}

// benchPage measures the server's render time of one page, in memory
// (no network), and reports the packages behind it.
func benchPage(b *testing.B, path func(seller string) string) {
	h, cookie, seller := benchServer(b)
	benchPageOf(b, h, cookie, path(seller))
}

// benchPageOf measures one path of a server.
func benchPageOf(b *testing.B, h http.Handler, cookie *http.Cookie, path string) {
	req := httptest.NewRequest("GET", path, nil)
	req.AddCookie(cookie)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != 200 {
		b.Fatalf("%s: %d %s", req.URL, rec.Code, rec.Body.String())
	}
	size := rec.Body.Len()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 {
			b.Fatalf("%d", rec.Code)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/page")
	b.ReportMetric(float64(size), "bytes/page")
}

// BenchmarkSellerPage is Shipping Performance: two rate reports, the
// 30 days of the trend and the defects by reason.
func BenchmarkSellerPage(b *testing.B) {
	benchPage(b, func(s string) string { return "/sellers/" + s })
}

// BenchmarkDefectsPage is the first page of the defect list.
func BenchmarkDefectsPage(b *testing.B) {
	benchPage(b, func(s string) string { return "/sellers/" + s + "/defects" })
}

// BenchmarkDefectsPageFiltered is the second page of the list filtered
// by reason, asked by number (a link typed by hand): the total comes from
// the reason counts, the rows from the start of the list.
func BenchmarkDefectsPageFiltered(b *testing.B) {
	benchPage(b, func(s string) string { return "/sellers/" + s + "/defects?reason=NO_PHYSICAL_SCAN&page=2" })
}
