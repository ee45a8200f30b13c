package web_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vtr-project/vtr/notify"
)

// received is what a receiver written for this test, independently of
// notify, accepted: only deliveries whose signature it verified itself.
type received struct {
	mu     sync.Mutex
	secret string
	byID   map[string]int
	events []map[string]any
	bad    int
}

func (rc *received) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	// Vtr-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>
	var ts, sig string
	for _, part := range strings.Split(r.Header.Get("Vtr-Signature"), ",") {
		k, v, _ := strings.Cut(part, "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			sig = v
		}
	}
	m := hmac.New(sha256.New, []byte(rc.secret))
	m.Write([]byte(ts + "." + string(body)))
	want := hex.EncodeToString(m.Sum(nil))
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || !hmac.Equal([]byte(sig), []byte(want)) || time.Since(time.Unix(sec, 0)).Abs() > 5*time.Minute {
		rc.bad++
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	var ev map[string]any
	if err := json.Unmarshal(body, &ev); err != nil {
		rc.bad++
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	id, _ := ev["id"].(string)
	rc.byID[id]++
	if rc.byID[id] == 1 {
		rc.events = append(rc.events, ev)
	}
}

// transitions lists the "from→to" of the enforcement.changed events.
func (rc *received) transitions() []string {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	var out []string
	for _, ev := range rc.events {
		if ev["type"] == "enforcement.changed" {
			d := ev["data"].(map[string]any)
			out = append(out, d["from"].(string)+"→"+d["to"].(string))
		}
	}
	return out
}

// The whole loop over loopback, on both engines: a category below target
// is restricted, a signed webhook says so, the seller sends a plan of
// action pre-filled from the root causes, the operator approves it, the
// group is reinstated, and every webhook arrives once.
func TestEnforcementLoop(t *testing.T) {
	engines(t, func(t *testing.T, name string) {
		where := location(t, name)
		e := start(t, name, where, true)
		e.load()
		rc := &received{byID: map[string]int{}}
		hook := httptest.NewServer(rc)
		defer hook.Close()
		code, _, b := e.do("POST", "/v1/webhooks/subscriptions", e.op, `{"url":"`+hook.URL+`/vtr","events":["enforcement.changed","appeal.decided"]}`)
		var sub struct{ ID, Secret string }
		if json.Unmarshal([]byte(b), &sub); code != 201 || !strings.HasPrefix(sub.Secret, "whsec_") {
			t.Fatalf("subscription: %d %s", code, b)
		}
		rc.secret = sub.Secret
		if _, _, list := e.do("GET", "/v1/webhooks/subscriptions", e.op, ""); strings.Contains(list, sub.Secret) {
			t.Errorf("the secret is listed: %s", list)
		}
		ctx := context.Background()
		// Electronics is at 50% (one of two packages validly tracked).
		at := time.Date(2026, 10, 20, 12, 0, 0, 0, time.UTC)
		res, err := e.enforce.Evaluate(ctx, at)
		if err != nil || len(res.Transitions) != 1 || res.Transitions[0].Group != "Electronics" || res.Transitions[0].To != "restricted" {
			t.Fatalf("evaluation: %+v %v", res, err)
		}
		// Evaluated again at the same time: nothing changes.
		if res, err := e.enforce.Evaluate(ctx, at); err != nil || len(res.Transitions) != 0 || res.Evaluated != 0 {
			t.Errorf("a second evaluation at one time: %+v %v", res, err)
		}
		// The change committed before anything was sent: a deliverer that
		// starts afterwards, on another handle (a restarted server), sends it.
		other := open(t, name, where)
		defer other.Close()
		deliver := func() {
			t.Helper()
			d := &notify.Deliverer{Outbox: other.Outbox(), Now: time.Now}
			for range 10 {
				n, retried, failed, err := d.Once(ctx)
				if err != nil || retried+failed > 0 {
					t.Fatalf("deliver: %d %d %d %v", n, retried, failed, err)
				}
				if n == 0 {
					return
				}
			}
		}
		deliver()
		if got := rc.transitions(); len(got) != 1 || got[0] != "ok→restricted" {
			t.Fatalf("webhooks after the restriction: %v (bad %d)", got, rc.bad)
		}
		// The seller sees it; another seller does not.
		if code, _, b := e.do("GET", "/v1/sellers/S1/enforcement", e.s1, ""); code != 200 || !strings.Contains(b, `"group":"Electronics","state":"restricted"`) || !strings.Contains(b, `"actor":"system"`) {
			t.Errorf("enforcement: %d %s", code, b)
		}
		if code, _, b := e.do("GET", "/v1/sellers/S1/privileges?as_of=2026-10-20", e.s1, ""); code != 200 || !strings.Contains(b, `"group":"Electronics","state":"restricted","self_fulfil":false`) {
			t.Errorf("privileges: %d %s", code, b)
		}
		for _, path := range []string{"/v1/sellers/S1/enforcement", "/v1/sellers/S1/privileges", "/v1/sellers/S1/appeals/draft?policy=amazon-us&group=Electronics"} {
			if code, _, b := e.do("GET", path, e.s2, ""); code != 404 {
				t.Errorf("%s with S2's key: %d %s", path, code, b)
			}
		}
		// The draft names the cause and an example order.
		code, _, b = e.do("GET", "/v1/sellers/S1/appeals/draft?policy=amazon-us&group=Electronics&as_of=2026-10-20", e.s1, "")
		var draft struct {
			Causes []struct {
				Reason    string
				Count     int
				Examples  []string `json:"example_orders"`
				Suggested string   `json:"suggested_action"`
			} `json:"root_causes"`
			Plan map[string]string
		}
		if json.Unmarshal([]byte(b), &draft); code != 200 || len(draft.Causes) == 0 || draft.Causes[0].Reason != "CARRIER_MISMATCH" ||
			draft.Causes[0].Examples[0] != "111-0000001-0000002" || draft.Causes[0].Suggested == "" || draft.Plan["root_cause"] == "" {
			t.Fatalf("draft: %d %s", code, b)
		}
		plan, _ := json.Marshal(map[string]any{"policy": "amazon-us", "group": "Electronics", "plan": draft.Plan})
		if code, _, b := e.do("POST", "/v1/sellers/S1/appeals", e.s2, string(plan)); code != 404 {
			t.Errorf("S2 appealing for S1: %d %s", code, b)
		}
		if code, _, b := e.do("POST", "/v1/sellers/S1/appeals", e.s1, `{"policy":"amazon-us","group":"Electronics","plan":{"root_cause":"x","fixed":"","prevention":"y"}}`); code != 400 || !strings.Contains(b, `"field":"fixed"`) {
			t.Errorf("a plan without its fix: %d %s", code, b)
		}
		code, _, b = e.do("POST", "/v1/sellers/S1/appeals", e.s1, string(plan))
		var appeal struct{ ID, Status string }
		if json.Unmarshal([]byte(b), &appeal); code != 201 || appeal.Status != "pending" {
			t.Fatalf("appeal: %d %s", code, b)
		}
		if code, _, b := e.do("POST", "/v1/sellers/S1/appeals", e.s1, string(plan)); code != 409 {
			t.Errorf("a second appeal while one is pending: %d %s", code, b)
		}
		if code, _, _ := e.do("GET", "/v1/appeals", e.s1, ""); code != 403 {
			t.Errorf("a seller listing appeals: %d", code)
		}
		if code, _, b := e.do("GET", "/v1/appeals?status=pending", e.op, ""); code != 200 || !strings.Contains(b, appeal.ID) {
			t.Errorf("pending appeals: %d %s", code, b)
		}
		if code, _, b := e.do("POST", "/v1/appeals/"+appeal.ID+"/decision", e.op, `{"decision":"reject"}`); code != 400 || !strings.Contains(b, `"field":"note"`) {
			t.Errorf("a rejection without a note: %d %s", code, b)
		}
		if code, _, b := e.do("POST", "/v1/appeals/"+appeal.ID+"/decision", e.op, `{"decision":"approve","note":"carrier sync fixed"}`); code != 200 || !strings.Contains(b, `"status":"approved"`) {
			t.Fatalf("approval: %d %s", code, b)
		}
		if code, _, b := e.do("POST", "/v1/appeals/"+appeal.ID+"/decision", e.op, `{"decision":"approve"}`); code != 409 {
			t.Errorf("deciding twice: %d %s", code, b)
		}
		if _, _, b := e.do("GET", "/v1/sellers/S1/privileges?as_of=2026-10-20", e.s1, ""); !strings.Contains(b, `"group":"Electronics","state":"reinstated","self_fulfil":true`) {
			t.Errorf("privileges after approval: %s", b)
		}
		// Reinstated: not evaluated during the grace period.
		if res, err := e.enforce.Evaluate(ctx, at.Add(96*time.Hour)); err != nil || len(res.Transitions) != 0 {
			t.Errorf("evaluation in grace: %+v %v", res, err)
		}
		deliver()
		deliver() // nothing left: every event once
		want := []string{"ok→restricted", "restricted→appeal_pending", "appeal_pending→reinstated"}
		if got := rc.transitions(); strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("webhooks: %v, want %v", got, want)
		}
		rc.mu.Lock()
		for id, n := range rc.byID {
			if n != 1 {
				t.Errorf("event %s received %d times", id, n)
			}
		}
		if len(rc.byID) != 4 || rc.bad != 0 {
			t.Errorf("%d events (want 3 changes and 1 decision), %d refused", len(rc.byID), rc.bad)
		}
		rc.mu.Unlock()
		if code, _, b := e.do("GET", "/v1/sellers/S1/enforcement", e.s1, ""); code != 200 || strings.Count(b, `"seq":`) != 3 || !strings.Contains(b, "carrier sync fixed") {
			t.Errorf("history: %s", b)
		}
		if code, _, b := e.do("GET", "/v1/webhooks/deliveries?status=delivered", e.op, ""); code != 200 || strings.Count(b, `"status":"delivered"`) != 4 {
			t.Errorf("deliveries: %d %s", code, b)
		}
	})
}

// defect.created (opt-in): a package that becomes invalid is announced
// once, from the transaction that judged it; a valid one is not.
func TestDefectCreatedWebhook(t *testing.T) {
	engines(t, func(t *testing.T, name string) {
		e := start(t, name, location(t, name), true)
		rc := &received{byID: map[string]int{}}
		hook := httptest.NewServer(rc)
		defer hook.Close()
		// Before any subscription: nothing is queued.
		e.load()
		if _, _, b := e.do("GET", "/v1/webhooks/deliveries", e.op, ""); !strings.Contains(b, `"deliveries":[]`) {
			t.Fatalf("deliveries without a subscription: %s", b)
		}
		code, _, b := e.do("POST", "/v1/webhooks/subscriptions", e.op, `{"url":"`+hook.URL+`","events":["defect.created"],"seller_id":"S2"}`)
		var sub struct{ Secret string }
		if json.Unmarshal([]byte(b), &sub); code != 201 {
			t.Fatalf("subscription: %d %s", code, b)
		}
		rc.secret = sub.Secret
		// S2's package with the wrong carrier: invalid, announced; S1's
		// (another seller, not subscribed) is not.
		e.do("POST", "/v1/sellers/S2/shipments", e.s2, `{"order_id":"222-0000001-0000001","carrier":"USPS","tracking_number":"1Z999AA10123456784","shipped_at":"2026-10-02T15:00:00Z"}`)
		e.do("POST", "/v1/sellers/S1/shipments", e.s1, `{"order_id":"111-0000001-0000001","package_id":"9","carrier":"USPS","tracking_number":"1Z999AA10123456793","shipped_at":"2026-10-02T15:00:00Z"}`)
		// Sent again unchanged: no second event.
		e.do("POST", "/v1/sellers/S2/shipments", e.s2, `{"order_id":"222-0000001-0000001","carrier":"USPS","tracking_number":"1Z999AA10123456784","shipped_at":"2026-10-02T15:00:00Z"}`)
		d := &notify.Deliverer{Outbox: e.eng.Outbox(), Now: time.Now}
		if n, retried, failed, err := d.Once(context.Background()); err != nil || n != 1 || retried+failed != 0 {
			t.Fatalf("deliver: %d %d %d %v", n, retried, failed, err)
		}
		rc.mu.Lock()
		defer rc.mu.Unlock()
		if len(rc.events) != 1 || rc.bad != 0 {
			t.Fatalf("events %v (bad %d)", rc.events, rc.bad)
		}
		ev := rc.events[0]
		data, _ := ev["data"].(map[string]any)
		if ev["type"] != "defect.created" || data["seller_id"] != "S2" || data["order_id"] != "222-0000001-0000001" || !strings.Contains(toJSON(data["reasons"]), "CARRIER_MISMATCH") {
			t.Errorf("defect.created: %v", ev)
		}
	})
}

func toJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
