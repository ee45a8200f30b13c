package web_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/enforce"
	"github.com/vtr-project/vtr/ingest"
	"github.com/vtr-project/vtr/internal/sqlutil"
	"github.com/vtr-project/vtr/postgres"
	"github.com/vtr-project/vtr/sqlite"
	"github.com/vtr-project/vtr/storetest"
	"github.com/vtr-project/vtr/web"
)

// now is the servers' clock in these tests.
var now = time.Date(2026, 10, 20, 12, 0, 0, 0, time.UTC)

// sample holds two sellers with a package each: S1's is validly tracked
// (an origin scan), S1's second names the wrong carrier.
const sample = `{"type":"seller","id":"S1","name":"Acme","policies":["amazon-us"],"ship_from":[{"id":"WH1","country":"US","state":"WA","city":"Seattle","postal_code":"98109"}]}
{"type":"seller","id":"S2","name":"Bolt","policies":["amazon-us"]}
{"type":"order","id":"111-0000001-0000001","seller_id":"S1","policy":"amazon-us","purchased_at":"2026-10-01T10:00:00Z","category":"Electronics","value":"25.00","currency":"USD","ship_to":{"country":"US","postal_code":"10001"},"ship_by":"2026-10-02T23:59:59Z","deliver_by":"2026-10-06T23:59:59Z"}
{"type":"shipment","order_id":"111-0000001-0000001","carrier":"UPS","tracking_number":"1Z96F4R8D313969574","ship_from_id":"WH1","shipped_at":"2026-10-02T15:00:00Z","uploaded_at":"2026-10-02T15:05:00Z"}
{"type":"event","carrier":"UPS","tracking_number":"1Z96F4R8D313969574","occurred_at":"2026-10-02T18:05:00-07:00","code":"OR","type_code":"I","description":"Origin Scan","location":{"city":"Seattle","state":"WA","country":"US"}}
{"type":"order","id":"111-0000001-0000002","seller_id":"S1","policy":"amazon-us","purchased_at":"2026-10-01T11:00:00Z","category":"Electronics","value":"30.00","currency":"USD","ship_to":{"country":"US","postal_code":"94105"},"ship_by":"2026-10-02T23:59:59Z","deliver_by":"2026-10-07T23:59:59Z"}
{"type":"shipment","order_id":"111-0000001-0000002","carrier":"USPS","tracking_number":"1Z999AA10123456784","shipped_at":"2026-10-03T15:00:00Z","uploaded_at":"2026-10-03T15:05:00Z"}
{"type":"order","id":"222-0000001-0000001","seller_id":"S2","policy":"amazon-us","purchased_at":"2026-10-01T11:00:00Z","category":"Books","value":"30.00","currency":"USD","ship_to":{"country":"US","postal_code":"94105"},"ship_by":"2026-10-02T23:59:59Z","deliver_by":"2026-10-07T23:59:59Z"}
{"type":"order","id":"222-0000001-0000002","seller_id":"S2","policy":"amazon-us","purchased_at":"2026-10-19T11:00:00Z","category":"Books","value":"30.00","currency":"USD","ship_to":{"country":"US","postal_code":"94105"},"ship_by":"2026-10-20T23:59:59Z","deliver_by":"2026-10-25T23:59:59Z"}
`

var secrets = map[string]string{"aftership": "as-secret", "easypost": "ep-secret", "17track": "t17-key"}

// env is a real server on loopback over a real database, with an
// operator key and a key for each of S1 and S2.
type env struct {
	t          testing.TB
	url        string
	op, s1, s2 string
	store      *ingest.Store
	srv        *web.Server
	eng        engine
	enforce    *enforce.Service
}

type engine interface {
	ingest.Engine
	Keys() *sqlutil.Keys
	Enforcement() *sqlutil.Enforcement
	Outbox() *sqlutil.Outbox
	Ready(context.Context) error
}

// open opens a fresh database of an engine; a second call with the same
// name returns another handle on it (a second server).
func open(t testing.TB, name, where string) engine {
	t.Helper()
	var eng engine
	var err error
	switch name {
	case "sqlite":
		eng, err = sqlite.Open(context.Background(), where, sqlite.Options{})
	case "postgres":
		eng, err = postgres.Open(context.Background(), where)
	}
	if err != nil {
		t.Fatal(err)
	}
	return eng
}

func location(t *testing.T, name string) string {
	if name == "sqlite" {
		return filepath.Join(t.TempDir(), "vtr.db")
	}
	return storetest.PostgresURL(t)
}

// engines runs fn on SQLite, and on PostgreSQL when a DSN is configured.
func engines(t *testing.T, fn func(t *testing.T, name string)) {
	for _, name := range []string{"sqlite", "postgres"} {
		t.Run(name, func(t *testing.T) { fn(t, name) })
	}
}

func start(t testing.TB, name, where string, keys bool) *env {
	t.Helper()
	eng := open(t, name, where)
	store := ingest.New(eng, vtr.NewPolicySet(nil))
	t.Cleanup(func() { store.Close() })
	ks := eng.Keys()
	ps := vtr.NewPolicySet(nil)
	ob := eng.Outbox()
	enf := &enforce.Service{Store: store, Policies: ps, States: eng.Enforcement(),
		Enqueue: func(ctx context.Context, tx *sql.Tx, ev vtr.OutboxEvent) error {
			_, err := ob.Enqueue(ctx, tx, ev)
			return err
		}}
	srv := web.New(web.Config{Store: store, Keys: ks, Idem: ks, Ready: eng.Ready, Now: func() time.Time { return now }, Secrets: secrets,
		Policies: ps, Enforce: enf, Outbox: ob})
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	e := &env{t: t, url: ts.URL, store: store, srv: srv, eng: eng, enforce: enf}
	if keys {
		e.op = e.key(ks, vtr.RoleOperator, "")
		e.s1 = e.key(ks, vtr.RoleSeller, "S1")
		e.s2 = e.key(ks, vtr.RoleSeller, "S2")
	}
	return e
}

func (e *env) key(ks vtr.KeyStore, role, seller string) string {
	tok, k, hash, err := vtr.NewAPIKey(role, seller, "", now)
	if err != nil {
		e.t.Fatal(err)
	}
	if err := ks.CreateKey(context.Background(), &k, hash); err != nil {
		e.t.Fatal(err)
	}
	return tok
}

// do sends a request; hdr holds header name, value pairs.
func (e *env) do(method, path, key, body string, hdr ...string) (int, http.Header, string) {
	e.t.Helper()
	req, err := http.NewRequest(method, e.url+path, strings.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, string(b)
}

// errorCode reads the code of an API error body.
func errorCode(t *testing.T, body string) (code, field string) {
	t.Helper()
	var b struct {
		Error struct{ Code, Message, Field string }
	}
	if err := json.Unmarshal([]byte(body), &b); err != nil || b.Error.Code == "" || b.Error.Message == "" {
		t.Fatalf("not an API error body (%v): %s", err, body)
	}
	return b.Error.Code, b.Error.Field
}

func (e *env) load() {
	e.t.Helper()
	code, _, body := e.do("POST", "/v1/records", e.op, sample)
	if code != 200 || !strings.Contains(body, `"accepted":9,"rejected":[]`) {
		e.t.Fatalf("loading the sample: %d %s", code, body)
	}
}

func TestRecords(t *testing.T) {
	engines(t, func(t *testing.T, name string) {
		e := start(t, name, location(t, name), true)
		// Bad lines are listed with line, field and code; good ones stay.
		in := sample + "{\"type\":\"order\",\"id\":\"X\"\n" + `{"type":"shipment","order_id":"111-0000001-0000001","carrier":"UPS","tracking_number":"1Z96F4R8D313969574","shipped_at":"yesterday"}` + "\n"
		code, _, body := e.do("POST", "/v1/records", e.op, in)
		var ans struct {
			Accepted int
			Rejected []struct {
				Line                 int
				Field, Code, Message string
			}
			Stats map[string]int
		}
		if err := json.Unmarshal([]byte(body), &ans); err != nil || code != 200 {
			t.Fatalf("%d %s", code, body)
		}
		if ans.Accepted != 9 || len(ans.Rejected) != 2 || ans.Rejected[0].Line != 10 || ans.Rejected[1].Line != 11 ||
			ans.Rejected[1].Field != "shipped_at" || ans.Rejected[1].Code != "invalid" || ans.Stats["packages_judged"] != 2 {
			t.Errorf("answer: %s", body)
		}
		// A seller key: its own records go in (seller_id filled in);
		// another seller's, and carrier events, are rejected lines.
		own := `{"type":"order","id":"9","seller_id":"S2","policy":"amazon-us","purchased_at":"2026-10-01T10:00:00Z","category":"Toys","value":"20.00","currency":"USD","ship_by":"2026-10-02T23:59:59Z","deliver_by":"2026-10-06T23:59:59Z"}
{"type":"order","id":"10","seller_id":"S1","policy":"amazon-us","purchased_at":"2026-10-01T10:00:00Z","category":"Toys","value":"20.00","currency":"USD","ship_by":"2026-10-02T23:59:59Z","deliver_by":"2026-10-06T23:59:59Z"}
{"type":"seller","id":"S1"}
{"type":"event","carrier":"UPS","tracking_number":"1Z96F4R8D313969574","occurred_at":"2026-10-03T18:05:00Z","code":"D","description":"Delivered"}
`
		code, _, body = e.do("POST", "/v1/records", e.s2, own)
		if code != 200 || !strings.Contains(body, `"accepted":1,`) || !strings.Contains(body, `{"line":2,"field":"seller_id","code":"forbidden"`) ||
			!strings.Contains(body, `{"line":3,"field":"id","code":"forbidden"`) || !strings.Contains(body, `{"line":4,"field":"type","code":"forbidden"`) {
			t.Errorf("seller key records: %d %s", code, body)
		}
		if code, _, body := e.do("POST", "/v1/sellers/S2/shipments", e.s2, `{"order_id":"9","carrier":"UPS","tracking_number":"1Z999AA10123456793","shipped_at":"2026-10-02T15:00:00Z"}`); code != 200 || !strings.Contains(body, `"category":"Toys"`) {
			t.Errorf("S2's own order did not land: %d %s", code, body)
		}
		if code, _, body := e.do("POST", "/v1/records?format=aftership", e.s1, "{}"); code != 403 {
			t.Errorf("seller key posting carrier events: %d %s", code, body)
		}
		if code, _, body := e.do("POST", "/v1/records?format=nope", e.op, "{}"); code != 400 {
			t.Errorf("unknown format: %d %s", code, body)
		} else if _, field := errorCode(t, body); field != "format" {
			t.Errorf("unknown format names %q", field)
		}
		diffs, err := e.store.Verify(context.Background())
		if err != nil || len(diffs) > 0 {
			t.Errorf("verify: %v %v", diffs, err)
		}
	})
}

func TestShipmentConfirmation(t *testing.T) {
	engines(t, func(t *testing.T, name string) {
		e := start(t, name, location(t, name), true)
		e.load()
		// The wrong carrier for the number: invalid at once, with why.
		code, _, body := e.do("POST", "/v1/sellers/S2/shipments", e.s2,
			`{"order_id":"222-0000001-0000001","carrier":"USPS","tracking_number":"1Z999AA10123456784","shipped_at":"2026-10-02T15:00:00Z"}`)
		var ans struct {
			SellerID, OrderID, PackageID string `json:"-"`
			Tracking                     struct {
				Normalized *string
				Valid      bool
				Reason     *string
				Message    string
			}
			Verdict struct {
				Status      string
				Reasons     []string
				Explanation string
			}
			Warnings []string
		}
		if err := json.Unmarshal([]byte(body), &ans); err != nil || code != 200 {
			t.Fatalf("%d %s", code, body)
		}
		if ans.Tracking.Valid || ans.Tracking.Reason == nil || *ans.Tracking.Reason != "CARRIER_MISMATCH" || ans.Tracking.Normalized == nil ||
			ans.Verdict.Status != "invalid" || len(ans.Verdict.Reasons) == 0 || ans.Verdict.Reasons[0] != "CARRIER_MISMATCH" || ans.Verdict.Explanation == "" {
			t.Errorf("mismatch answer: %s", body)
		}
		// A valid number, no scan yet: pending, with the warning.
		code, _, body = e.do("POST", "/v1/sellers/S2/shipments", e.s2,
			`{"order_id":"222-0000001-0000002","carrier":"UPS","tracking_number":"1Z96F4R8D313969583","shipped_at":"2026-10-20T11:00:00Z"}`)
		if code != 200 || !strings.Contains(body, `"valid":true`) || !strings.Contains(body, "no carrier scan yet") {
			t.Errorf("valid number answer: %d %s", code, body)
		}
		// Before its order: waiting.
		code, _, body = e.do("POST", "/v1/sellers/S2/shipments", e.s2,
			`{"order_id":"222-0000009-0000009","carrier":"UPS","tracking_number":"1Z96F4R8D313969574","shipped_at":"2026-10-02T15:00:00Z"}`)
		if code != 200 || !strings.Contains(body, `"status":"waiting_for_order"`) {
			t.Errorf("orphan answer: %d %s", code, body)
		}
		// Another seller's path: 404; a body naming another seller: 400.
		if code, _, body := e.do("POST", "/v1/sellers/S1/shipments", e.s2, `{"order_id":"111-0000001-0000001","shipped_at":"2026-10-02T15:00:00Z"}`); code != 404 {
			t.Errorf("S2 confirming for S1: %d %s", code, body)
		}
		if code, _, body := e.do("POST", "/v1/sellers/S2/shipments", e.s2, `{"seller_id":"S1","order_id":"111-0000001-0000001","shipped_at":"2026-10-02T15:00:00Z"}`); code != 400 {
			t.Errorf("body naming S1 under S2: %d %s", code, body)
		} else if _, f := errorCode(t, body); f != "seller_id" {
			t.Errorf("field %q", f)
		}
	})
}

// Every route refuses a missing or wrong key, and every seller route
// answers 404 to another seller's key, whatever the method.
func TestCrossSellerAndKeys(t *testing.T) {
	engines(t, func(t *testing.T, name string) {
		e := start(t, name, location(t, name), true)
		e.load()
		for _, rt := range e.routes() {
			if rt.public {
				continue
			}
			path := strings.ReplaceAll(strings.ReplaceAll(rt.path, "{id}", "S1"), "{orderId}", "111-0000001-0000001")
			if rt.path == "/v1/sellers/{id}/appeals/draft" {
				path += "?policy=amazon-us&group=Electronics&as_of=2026-10-20"
			}
			body := rt.body
			unauthorized := 401
			if strings.HasPrefix(rt.path, "/orders/") {
				unauthorized = 403 // Amazon's status for a bad token
			}
			if code, _, b := e.do(rt.method, path, "", body); code != unauthorized && !rt.signed || rt.signed && code == 200 {
				t.Errorf("%s %s without a key: %d %s", rt.method, path, code, b)
			}
			if rt.signed {
				continue
			}
			if code, _, b := e.do(rt.method, path, "vtr_nope_nope", body); code != unauthorized {
				t.Errorf("%s %s with a wrong key: %d %s", rt.method, path, code, b)
			}
			if rt.operator {
				if code, _, b := e.do(rt.method, path, e.s1, body); code != 403 {
					t.Errorf("%s %s (operator only) with a seller key: %d %s", rt.method, path, code, b)
				}
				continue
			}
			if !strings.Contains(rt.path, "{id}") {
				continue
			}
			code, _, b := e.do(rt.method, path, e.s2, body)
			want := 404
			if code != want {
				t.Errorf("%s %s with S2's key: %d %s", rt.method, path, code, b)
			}
			if code, _, b := e.do(rt.method, path, e.s1, body); code == 404 || code == 401 {
				t.Errorf("%s %s with S1's own key: %d %s", rt.method, path, code, b)
			}
		}
		// Lists show only the key's seller.
		if _, _, b := e.do("GET", "/v1/sellers", e.s2, ""); strings.Contains(b, "S1") || !strings.Contains(b, "S2") {
			t.Errorf("S2's seller list: %s", b)
		}
		if _, _, b := e.do("GET", "/v1/sellers", e.op, ""); !strings.Contains(b, `"S1"`) || !strings.Contains(b, `"S2"`) {
			t.Errorf("operator's seller list: %s", b)
		}
		// SP-API: S2's key cannot confirm S1's order (it is not S2's).
		code, _, b := e.do("POST", "/orders/v0/orders/111-0000001-0000001/shipmentConfirmation?seller_id=S1", e.s2, spapiBody)
		if code != 404 || !strings.Contains(b, `"errors"`) {
			t.Errorf("SP-API with another seller named: %d %s", code, b)
		}
	})
}

type routeCase struct {
	method, path, body       string
	public, signed, operator bool
}

// routes lists the served routes from the OpenAPI document, with a body
// good enough to reach the handler.
func (e *env) routes() []routeCase {
	_, _, doc := e.do("GET", "/openapi.json", "", "")
	var d struct {
		Paths map[string]map[string]struct {
			Security []any `json:"security"`
			Operator bool  `json:"x-vtr-operator"`
		}
	}
	if err := json.Unmarshal([]byte(doc), &d); err != nil {
		e.t.Fatal(err)
	}
	bodies := map[string]string{
		"/v1/sellers/{id}/appeals":                         `{"policy":"amazon-us","group":"Electronics","plan":{"root_cause":"a","fixed":"b","prevention":"c"}}`,
		"/v1/appeals/{id}/decision":                        `{"decision":"approve"}`,
		"/v1/webhooks/subscriptions":                       `{"url":"http://127.0.0.1:9/hook","events":["appeal.decided"]}`,
		"/v1/records":                                      `{"type":"seller","id":"S1"}`,
		"/v1/validate":                                     `{"numbers":["1Z96F4R8D313969574"]}`,
		"/v1/sellers/{id}":                                 `{"name":"Acme"}`,
		"/v1/sellers/{id}/shipments":                       `{"order_id":"111-0000001-0000001","carrier":"UPS","tracking_number":"1Z96F4R8D313969574","shipped_at":"2026-10-02T15:00:00Z"}`,
		"/orders/v0/orders/{orderId}/shipmentConfirmation": spapiBody,
	}
	var out []routeCase
	for path, ops := range d.Paths {
		for m, op := range ops {
			rc := routeCase{method: strings.ToUpper(m), path: path, body: bodies[path], operator: op.Operator}
			rc.signed = strings.HasPrefix(path, "/v1/webhooks/")
			rc.public = op.Security != nil && !rc.signed
			if rc.signed {
				rc.body = "{}"
			}
			out = append(out, rc)
		}
	}
	return out
}

const spapiBody = `{"marketplaceId":"ATVPDKIKX0DER","packageDetail":{"packageReferenceId":"1","carrierCode":"UPS","trackingNumber":"1Z96F4R8D313969574","shipDate":"2026-10-02T15:00:00Z","orderItems":[{"orderItemId":"79039765272157","quantity":1}]}}`

func TestSPAPIConfirm(t *testing.T) {
	engines(t, func(t *testing.T, name string) {
		e := start(t, name, location(t, name), true)
		e.load()
		code, _, b := e.do("POST", "/orders/v0/orders/111-0000001-0000002/shipmentConfirmation", e.s1,
			strings.Replace(strings.Replace(spapiBody, `"carrierCode":"UPS"`, `"carrierCode":"UPS","shippingMethod":"Ground"`, 1), "1Z96F4R8D313969574", "1Z999AA10123456793", 1))
		if code != 204 || b != "" {
			t.Fatalf("confirmShipment: %d %q", code, b)
		}
		// The edit took: the second package now names UPS correctly.
		_, _, csv := e.do("GET", "/v1/sellers/S1/defects.csv?as_of=2026-10-20", e.s1, "")
		if !strings.Contains(csv, "111-0000001-0000002,UPS,1Z999AA10123456793,US,2026-10-07,Ground,X,,,30.00,Electronics,NO_PHYSICAL_SCAN") {
			t.Errorf("the confirmation did not replace the package's number (now without a scan):\n%s", csv)
		}
		// x-amz-access-token works as Amazon's clients send it.
		req, _ := http.NewRequest("POST", e.url+"/orders/v0/orders/111-0000001-0000002/shipmentConfirmation", strings.NewReader(strings.Replace(spapiBody, "1Z96F4R8D313969574", "1Z999AA10123456793", 1)))
		req.Header.Set("x-amz-access-token", e.s1)
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != 204 {
			t.Errorf("with x-amz-access-token: %v %v", resp.StatusCode, err)
		}
		resp.Body.Close()
		// Failures in Amazon's shape.
		for _, c := range []struct {
			key, body string
			status    int
			code      string
		}{
			{e.s1, `{"marketplaceId":"ATVPDKIKX0DER"}`, 400, "InvalidInput"},
			{e.s1, `{`, 400, "InvalidInput"},
			{"", spapiBody, 403, "Unauthorized"},
			{e.op, spapiBody, 400, "InvalidInput"}, // an operator must name the seller
		} {
			code, _, b := e.do("POST", "/orders/v0/orders/111-0000001-0000002/shipmentConfirmation", c.key, c.body)
			var l struct {
				Errors []struct{ Code, Message string }
			}
			if json.Unmarshal([]byte(b), &l); code != c.status || len(l.Errors) != 1 || l.Errors[0].Code != c.code || l.Errors[0].Message == "" {
				t.Errorf("%s: %d %s, want %d %s", c.body, code, b, c.status, c.code)
			}
		}
	})
}

func TestReads(t *testing.T) {
	engines(t, func(t *testing.T, name string) {
		e := start(t, name, location(t, name), true)
		e.load()
		rep, err := e.store.Rate(context.Background(), "S1", "", time.Date(2026, 10, 20, 23, 59, 59, 0, time.UTC), 7)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := json.Marshal(rep)
		if code, _, b := e.do("GET", "/v1/sellers/S1/rate?as_of=2026-10-20", e.s1, ""); code != 200 || b != string(want)+"\n" {
			t.Errorf("rate: %d\n got %s\nwant %s", code, b, want)
		}
		code, _, b := e.do("GET", "/v1/sellers/S1/defects?as_of=2026-10-20", e.s1, "")
		var rows []vtr.DefectRow
		if err := json.Unmarshal([]byte(b), &rows); err != nil || code != 200 || len(rows) != 1 || rows[0].OrderID != "111-0000001-0000002" || rows[0].Reasons[0] != vtr.CarrierMismatch {
			t.Errorf("defects: %d %s", code, b)
		}
		code, h, csv := e.do("GET", "/v1/sellers/S1/defects.csv?as_of=2026-10-20&carrier=united+parcel+service", e.s1, "")
		if code != 200 || !strings.HasPrefix(h.Get("Content-Type"), "text/csv") || strings.Count(csv, "\n") != 1 {
			t.Errorf("defects.csv filtered by a carrier with no defect: %d %q", code, csv)
		}
		code, _, b = e.do("GET", "/v1/sellers/S1/account-health?as_of=2026-10-20", e.s1, "")
		var ah struct {
			PerformanceMetrics []struct {
				ValidTrackingRate struct {
					Status, TargetCondition string
					Rate, TargetValue       float64
					ShipmentCount           int
					ReportingDateRange      struct{ ReportingDateFrom, ReportingDateTo string }
				}
			}
		}
		if err := json.Unmarshal([]byte(b), &ah); err != nil || code != 200 || len(ah.PerformanceMetrics) != 1 {
			t.Fatalf("account-health: %d %s", code, b)
		}
		if v := ah.PerformanceMetrics[0].ValidTrackingRate; v.Status != "BAD" || v.Rate != 0.5 || v.ShipmentCount != 2 || v.TargetValue != 0.95 || v.ReportingDateRange.ReportingDateTo == "" {
			t.Errorf("validTrackingRate: %+v", v)
		}
		code, _, b = e.do("POST", "/v1/validate", e.s1, `{"numbers":["1Z96F4R8D313969574","1Z999AA10123456785"],"carrier":"UPS"}`)
		if code != 200 || strings.Count(b, `"valid":true`) != 1 || strings.Count(b, `"valid":false`) != 1 {
			t.Errorf("validate: %d %s", code, b)
		}
		// Bad parameters name themselves.
		for _, c := range []struct{ path, field string }{
			{"/v1/sellers/S1/rate?as_of=yesterday", "as_of"},
			{"/v1/sellers/S1/rate?what_if=-1", "what_if"},
			{"/v1/sellers/S1/defects?shipped_late=maybe", "shipped_late"},
			{"/v1/sellers/S1/defects?sort=asc", "sort"},
		} {
			code, _, b := e.do("GET", c.path, e.s1, "")
			if code != 400 {
				t.Errorf("%s: %d %s", c.path, code, b)
				continue
			}
			if _, f := errorCode(t, b); f != c.field {
				t.Errorf("%s: field %q, want %q", c.path, f, c.field)
			}
		}
		if code, _, b := e.do("GET", "/v1/sellers/S1/rate?policy=walmart-us", e.s1, ""); code != 404 {
			t.Errorf("a policy the seller is not on: %d %s", code, b)
		}
	})
}

// Malformed input on every route with a body: broken JSON, unknown
// fields, wrong types, bodies over the limit.
func TestMalformed(t *testing.T) {
	e := start(t, "sqlite", location(t, "sqlite"), true)
	e.load()
	for _, c := range []struct {
		method, path, body, field string
		status                    int
	}{
		{"POST", "/v1/validate", `{"numbers":"1Z"}`, "numbers", 400},
		{"POST", "/v1/validate", `{"numbers":["1Z"],"extra":1}`, "extra", 400},
		{"POST", "/v1/validate", `{"numbers":["1Z"]} {}`, "", 400},
		{"POST", "/v1/validate", `{"numbers":[`, "", 400},
		{"POST", "/v1/validate", ``, "", 400},
		{"POST", "/v1/sellers/S1/shipments", `{"order_id":"1","shipped_at":"2026-10-02T15:00:00Z","color":"red"}`, "color", 400},
		{"POST", "/v1/sellers/S1/shipments", `{"order_id":1,"shipped_at":"2026-10-02T15:00:00Z"}`, "order_id", 400},
		{"POST", "/v1/sellers/S1/shipments", `["not an object"]`, "", 400},
		{"POST", "/v1/sellers/S1/shipments", `{"type":"order","order_id":"1"}`, "type", 400},
		{"PUT", "/v1/sellers/S1", `{"id":"S9"}`, "id", 400},
		{"PUT", "/v1/sellers/S1", `{"policies":"amazon-us"}`, "policies", 400},
		{"POST", "/v1/validate", `{"numbers":["` + strings.Repeat("9", 2<<20) + `"]}`, "", 413},
		{"POST", "/v1/records", strings.Repeat(sample, 1), "", 200},
	} {
		code, _, b := e.do(c.method, c.path, e.op, c.body)
		if code != c.status {
			t.Errorf("%s %s %.60q: %d %.200s, want %d", c.method, c.path, c.body, code, b, c.status)
			continue
		}
		if code >= 400 {
			if _, f := errorCode(t, b); f != c.field {
				t.Errorf("%s %.60q: field %q, want %q", c.path, c.body, f, c.field)
			}
		}
	}
	code, _, b := e.do("GET", "/v1/nothing", e.op, "")
	if c, _ := errorCode(t, b); code != 404 || c != "not_found" {
		t.Errorf("unknown route: %d %s", code, b)
	}
	code, h, b := e.do("DELETE", "/v1/sellers/S1", e.op, "")
	if c, _ := errorCode(t, b); code != 405 || c != "method_not_allowed" || !strings.Contains(h.Get("Allow"), "PUT") {
		t.Errorf("DELETE a seller: %d %s %v", code, b, h)
	}
}

func TestRecordsTooLarge(t *testing.T) {
	where := location(t, "sqlite")
	eng := open(t, "sqlite", where)
	store := ingest.New(eng, vtr.NewPolicySet(nil))
	defer store.Close()
	ks := eng.Keys()
	srv := web.New(web.Config{Store: store, Keys: ks, Idem: ks, Ready: eng.Ready, MaxRecordsBody: 1000})
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	e := &env{t: t, url: ts.URL, store: store}
	e.op = e.key(ks, vtr.RoleOperator, "")
	// Chunked (no length): the limit is met mid-body, and still nothing
	// is stored.
	req, _ := http.NewRequest("POST", ts.URL+"/v1/records", io.MultiReader(strings.NewReader(sample), strings.NewReader(sample)))
	req.Header.Set("Authorization", "Bearer "+e.op)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if c, _ := errorCode(t, string(b)); resp.StatusCode != 413 || c != "too_large" {
		t.Errorf("over the limit: %d %s", resp.StatusCode, b)
	}
	if empty, err := store.Empty(context.Background()); err != nil || !empty {
		t.Errorf("a refused body left data (empty %v, %v)", empty, err)
	}
}

func TestIdempotency(t *testing.T) {
	engines(t, func(t *testing.T, name string) {
		e := start(t, name, location(t, name), true)
		code1, _, b1 := e.do("POST", "/v1/records", e.op, sample, "Idempotency-Key", "load-1")
		code2, h2, b2 := e.do("POST", "/v1/records", e.op, sample, "Idempotency-Key", "load-1")
		if code1 != 200 || code2 != 200 || b1 != b2 || h2.Get("Idempotent-Replayed") != "true" {
			t.Errorf("retry: %d %s / %d %s %v", code1, b1, code2, b2, h2)
		}
		if code, _, b := e.do("POST", "/v1/records", e.op, sample+"\n", "Idempotency-Key", "load-1"); code != 409 {
			t.Errorf("same key, other body: %d %s", code, b)
		}
		// The same key from another API key is another request.
		if code, h, b := e.do("POST", "/v1/sellers/S1/shipments", e.s1, `{"order_id":"111-0000001-0000001","carrier":"UPS","tracking_number":"1Z96F4R8D313969574","shipped_at":"2026-10-02T15:00:00Z"}`, "Idempotency-Key", "load-1"); code != 200 || h.Get("Idempotent-Replayed") != "" {
			t.Errorf("other key: %d %s", code, b)
		}
		// A refused request is replayed as refused.
		c1, _, r1 := e.do("POST", "/v1/validate", e.op, `{"numbers":[]}`, "Idempotency-Key", "v")
		c2, _, r2 := e.do("POST", "/v1/validate", e.op, `{"numbers":[]}`, "Idempotency-Key", "v")
		if c1 != 400 || c2 != 400 || r1 != r2 {
			t.Errorf("refused retry: %d %s / %d %s", c1, r1, c2, r2)
		}
		diffs, err := e.store.Verify(context.Background())
		if err != nil || len(diffs) > 0 {
			t.Errorf("verify: %v %v", diffs, err)
		}
	})
}

func sign(format string, body []byte, h http.Header) {
	switch format {
	case "aftership":
		m := hmac.New(sha256.New, []byte(secrets[format]))
		m.Write(body)
		h.Set("aftership-hmac-sha256", base64.StdEncoding.EncodeToString(m.Sum(nil)))
	case "easypost":
		m := hmac.New(sha256.New, []byte(secrets[format]))
		m.Write(body)
		h.Set("X-Hmac-Signature", "hmac-sha256-hex="+hex.EncodeToString(m.Sum(nil)))
	case "17track":
		sum := sha256.Sum256(append(append(append([]byte{}, body...), '/'), secrets[format]...))
		h.Set("sign", hex.EncodeToString(sum[:]))
	}
}

func TestWebhooks(t *testing.T) {
	engines(t, func(t *testing.T, name string) {
		e := start(t, name, location(t, name), true)
		for format, file := range map[string]string{
			"aftership": "../aftership/testdata/webhook_usps_docs_variant.json",
			"easypost":  "../easypost/testdata/event_tracker_updated_fedex.json",
			"17track":   "../track17/testdata/push_dhl_paket.json",
		} {
			body, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			post := func(h http.Header, b []byte) (int, string) {
				req, _ := http.NewRequest("POST", e.url+"/v1/webhooks/"+format, bytes.NewReader(b))
				for k, v := range h {
					req.Header[k] = v
				}
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				out, _ := io.ReadAll(resp.Body)
				return resp.StatusCode, string(out)
			}
			h := http.Header{}
			sign(format, body, h)
			code, b := post(h, body)
			var ans struct{ Accepted int }
			json.Unmarshal([]byte(b), &ans)
			if code != 200 || ans.Accepted == 0 {
				t.Fatalf("%s: signed delivery: %d %s", format, code, b)
			}
			// Redelivered: accepted again, every event a duplicate.
			if code, b2 := post(h, body); code != 200 || !strings.Contains(b2, `"events":0`) {
				t.Errorf("%s: redelivery: %d %s", format, code, b2)
			}
			// Forged: body changed under the same signature, a signature
			// made with another secret, no signature.
			forged := bytes.Replace(body, []byte("2"), []byte("3"), 1)
			if code, b := post(h, forged); code != 401 {
				t.Errorf("%s: forged body: %d %s", format, code, b)
			}
			if code, b := post(http.Header{}, body); code != 401 {
				t.Errorf("%s: unsigned: %d %s", format, code, b)
			}
		}
		if !strings.Contains(scrape(t, e), `vtr_webhook_signature_failures_total{source="aftership"} 2`) {
			t.Errorf("signature failures not counted")
		}
	})
}

func scrape(t *testing.T, e *env) string {
	_, _, b := e.do("GET", "/metrics", "", "")
	return b
}

// The OpenAPI document and the mux agree both ways: every documented
// route is served (not a 404 or 405), and every served route is
// documented (an undocumented path is a 404 in the API's shape).
func TestOpenAPI(t *testing.T) {
	e := start(t, "sqlite", location(t, "sqlite"), true)
	e.load()
	routes := e.routes()
	served := web.Routes(e.srv)
	documented := map[string]bool{}
	for _, rc := range routes {
		documented[rc.method+" "+rc.path] = true
		path := strings.ReplaceAll(strings.ReplaceAll(rc.path, "{id}", "S1"), "{orderId}", "111-0000001-0000001")
		code, _, b := e.do(rc.method, path, e.op, rc.body)
		if code == 405 || code == 404 && strings.Contains(b, "no route") {
			t.Errorf("documented %s %s is not served: %d %s", rc.method, rc.path, code, b)
		}
	}
	for _, r := range served {
		if !documented[r] {
			t.Errorf("served %s is not documented", r)
		}
	}
	if len(served) != len(documented) {
		t.Errorf("%d routes served, %d documented", len(served), len(documented))
	}
}

func TestOperations(t *testing.T) {
	e := start(t, "sqlite", location(t, "sqlite"), true)
	if code, _, b := e.do("GET", "/healthz", "", ""); code != 200 {
		t.Errorf("healthz: %d %s", code, b)
	}
	if code, _, b := e.do("GET", "/readyz", "", ""); code != 200 || !strings.Contains(b, "ready") {
		t.Errorf("readyz: %d %s", code, b)
	}
	e.load()
	e.do("GET", "/v1/sellers/S1/rate", e.s2, "")
	m := scrape(t, e)
	for _, want := range []string{
		`vtr_http_requests_total{route="/v1/records",method="POST",status="200"} 1`,
		`vtr_http_requests_total{route="/v1/sellers/{id}/rate",method="GET",status="404"} 1`,
		`vtr_records_ingested_total{type="event",source="api"} 1`,
		`vtr_events_total{class="physical"} 1`,
		`vtr_http_request_duration_seconds_count{route="/v1/records"} 1`,
	} {
		if !strings.Contains(m, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

// A marketplace's own orders file through the API: a seller key's orders
// are its own; an operator key names the seller.
func TestRecordsMarketplaceFormat(t *testing.T) {
	e := start(t, "sqlite", location(t, "sqlite"), true)
	body, err := os.ReadFile("../walmart/testdata/orders_getallorders_docs.json")
	if err != nil {
		t.Fatal(err)
	}
	if code, _, b := e.do("POST", "/v1/records?format=walmart-orders", e.op, string(body)); code != 400 || !strings.Contains(b, `"field":"seller_id"`) {
		t.Errorf("operator without seller_id: %d %s", code, b)
	}
	if code, _, b := e.do("POST", "/v1/records?format=walmart-orders&seller_id=S1", e.s2, string(body)); code != 404 {
		t.Errorf("S2 naming S1: %d %s", code, b)
	}
	if code, _, b := e.do("POST", "/v1/records?format=walmart-orders", e.s2, string(body)); code != 200 || !strings.Contains(b, `"orders":1`) {
		t.Errorf("S2's own orders: %d %s", code, b)
	}
	if code, _, b := e.do("GET", "/v1/sellers/S2/rate?as_of=2019-09-30", e.s2, ""); code != 200 || !strings.Contains(b, `"policy":"walmart-us"`) {
		t.Errorf("S2's rate: %d %s", code, b)
	}
}
