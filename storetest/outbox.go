package storetest

import (
	"bufio"
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/internal/sqlutil"
	"github.com/vtr-project/vtr/notify"
)

// RunOutbox is the contract of webhook subscriptions and the outbox, and
// of notify's deliverer on top of it, with real receivers on loopback.
// open gives two handles on one fresh database (two servers).
func RunOutbox(t *testing.T, open func(t *testing.T) (a, b *sqlutil.Outbox)) {
	ctx := context.Background()
	t.Run("Subscriptions", func(t *testing.T) {
		a, b := open(t)
		clk := newClock()
		s1 := subscribe(t, a, "http://127.0.0.1:1/hook", "", clk.Now(), vtr.EventEnforcementChanged)
		s2 := subscribe(t, a, "https://example.com/vtr", "S1", clk.Now().Add(time.Second), vtr.EventDefectCreated, vtr.EventAppealDecided)
		dup := s1
		if err := b.CreateSubscription(ctx, &dup); vtr.ErrorCode(err) != vtr.ECONFLICT {
			t.Errorf("same id again: %v, want conflict", err)
		}
		if err := b.CreateSubscription(ctx, &vtr.Subscription{ID: "x", URL: "http://a/"}); vtr.ErrorCode(err) != vtr.EINVALID {
			t.Errorf("no events, no secret: %v, want invalid", err)
		}
		if err := b.DisableSubscription(ctx, s2.ID); err != nil {
			t.Fatal(err)
		}
		if err := b.DisableSubscription(ctx, "wh_none"); vtr.ErrorCode(err) != vtr.ENOTFOUND {
			t.Errorf("disable unknown: %v, want not found", err)
		}
		got, err := b.Subscriptions(ctx)
		if err != nil {
			t.Fatal(err)
		}
		s1.Secret, s2.Secret, s2.Disabled = "", "", true
		want := []vtr.Subscription{s1, s2}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("Subscriptions =\n%+v\nwant (no secrets)\n%+v", got, want)
		}
	})
	t.Run("Enqueue", func(t *testing.T) {
		a, b := open(t)
		clk := newClock()
		now := clk.Now()
		all := subscribe(t, a, "http://127.0.0.1:1/all", "", now, vtr.EventEnforcementChanged)
		s1 := subscribe(t, a, "http://127.0.0.1:1/s1", "S1", now, vtr.EventEnforcementChanged, vtr.EventDefectCreated)
		subscribe(t, a, "http://127.0.0.1:1/s2", "S2", now, vtr.EventEnforcementChanged)
		subscribe(t, a, "http://127.0.0.1:1/appeals", "", now, vtr.EventAppealDecided)
		off := subscribe(t, a, "http://127.0.0.1:1/off", "", now, vtr.EventEnforcementChanged)
		if err := a.DisableSubscription(ctx, off.ID); err != nil {
			t.Fatal(err)
		}
		ev := event("ev-1", vtr.EventEnforcementChanged, "S1", now, `{"state": "restricted", "note": "<b>&"}`)
		// Rolled back: the change did not happen, nor did its webhooks.
		tx, err := a.DB.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if n, err := a.Enqueue(ctx, tx, ev); err != nil || n != 2 {
			t.Fatalf("Enqueue = %d, %v; want 2 (every seller, and S1's)", n, err)
		}
		tx.Rollback()
		if ds := deliveries(t, b, ""); len(ds) != 0 {
			t.Fatalf("after rollback %d deliveries are queued, want none", len(ds))
		}
		if n := enqueue(t, a, ev); n != 2 {
			t.Fatalf("committed Enqueue = %d, want 2", n)
		}
		if n := enqueue(t, b, ev); n != 0 {
			t.Errorf("the same event again queued %d, want 0", n)
		}
		if n := enqueue(t, a, event("ev-2", vtr.EventDefectCreated, "S1", now, `{}`)); n != 1 {
			t.Errorf("defect for S1 queued %d, want 1 (S1's subscription)", n)
		}
		if n := enqueue(t, a, event("ev-3", vtr.EventDefectCreated, "S9", now, `{}`)); n != 0 {
			t.Errorf("defect for S9 queued %d, want 0", n)
		}
		tx, _ = a.DB.BeginTx(ctx, nil)
		if _, err := a.Enqueue(ctx, tx, event("ev-4", vtr.EventDefectCreated, "S1", now, `{"a":`)); vtr.ErrorCode(err) != vtr.EINVALID {
			t.Errorf("data not JSON: %v, want invalid", err)
		}
		tx.Rollback()
		ds := deliveries(t, b, "")
		if len(ds) != 3 {
			t.Fatalf("%d deliveries, want 3", len(ds))
		}
		// Newest first; the body is built once, exactly.
		wantBody := `{"id":"ev-1","type":"enforcement.changed","created_at":"2026-10-15T00:00:00Z","data":{"state":"restricted","note":"<b>&"}}`
		subs := []string{ds[1].Subscription, ds[2].Subscription}
		slices.Sort(subs)
		wantSubs := []string{all.ID, s1.ID}
		slices.Sort(wantSubs)
		if ds[0].EventID != "ev-2" || ds[0].Subscription != s1.ID || ds[1].EventID != "ev-1" || !slices.Equal(subs, wantSubs) {
			t.Errorf("deliveries %+v: want ev-2 for %s first, then ev-1 for %v", ds, s1.ID, wantSubs)
		}
		for _, d := range ds[1:] {
			if string(d.Body) != wantBody || d.Status != vtr.DeliveryPending || d.Attempts != 0 || d.Secret != "" || !d.CreatedAt.Equal(now) {
				t.Errorf("delivery %+v (body %s); want pending, body %s, no secret", d, d.Body, wantBody)
			}
		}
		if ds := deliveries(t, b, vtr.DeliveryFailed); len(ds) != 0 {
			t.Errorf("%d failed deliveries, want 0", len(ds))
		}
		if _, err := b.Deliveries(ctx, "lost", 10); vtr.ErrorCode(err) != vtr.EINVALID {
			t.Errorf("unknown status: %v, want invalid", err)
		}
	})
	t.Run("RacingClaims", func(t *testing.T) {
		a, b := open(t)
		clk := newClock()
		for i := range 6 {
			subscribe(t, a, fmt.Sprintf("http://127.0.0.1:1/%d", i), "", clk.Now(), vtr.EventEnforcementChanged)
		}
		for i := range 3 { // 18 deliveries, 6 of them due (one per subscription)
			enqueue(t, a, event(fmt.Sprintf("ev-%d", i), vtr.EventEnforcementChanged, "S1", clk.Now(), `{}`))
		}
		var mu sync.Mutex
		var ids []int64
		var wg sync.WaitGroup
		for i := range 8 {
			o := []*sqlutil.Outbox{a, b}[i%2]
			wg.Go(func() {
				ds, err := o.ClaimDue(ctx, clk.Now(), time.Minute, 10)
				if err != nil {
					t.Error(err)
				}
				mu.Lock()
				defer mu.Unlock()
				for _, d := range ds {
					ids = append(ids, d.ID)
				}
			})
		}
		wg.Wait()
		slices.Sort(ids)
		if len(ids) != 6 || len(slices.Compact(slices.Clone(ids))) != 6 {
			t.Errorf("racing claims took %v, want 6 distinct deliveries", ids)
		}
		if ds, _ := b.ClaimDue(ctx, clk.Now().Add(59*time.Second), time.Minute, 10); len(ds) != 0 {
			t.Errorf("claimed %d while the leases hold, want 0", len(ds))
		}
	})
	t.Run("InOrder", func(t *testing.T) {
		a, b := open(t)
		clk := newClock()
		var failed sync.Once // the first attempt of ev-2
		rcv := newReceiver(t, func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get(notify.EventIDHeader) == "ev-2" {
				failed.Do(func() { w.WriteHeader(http.StatusInternalServerError) })
			}
		})
		sub := subscribe(t, a, rcv.URL(), "", clk.Now(), vtr.EventEnforcementChanged)
		rcv.setSecret(sub.Secret)
		for i := 1; i <= 4; i++ {
			enqueue(t, a, event(fmt.Sprintf("ev-%d", i), vtr.EventEnforcementChanged, "S1", clk.Now(), `{}`))
			clk.Add(time.Second)
		}
		d := deliverer(b, clk)
		for range 20 {
			dl, rt, _ := once(t, d)
			if dl+rt > 1 {
				t.Fatalf("one Once sent %d deliveries of one subscription, want at most 1", dl+rt)
			}
			if len(rcv.ok()) == 4 {
				break
			}
			clk.Add(time.Hour)
		}
		if got, want := strings.Join(rcv.all(), " "), "ev-1 ev-2 ev-2 ev-3 ev-4"; got != want {
			t.Errorf("requests in order %s, want %s", got, want)
		}
		rcv.check()
	})
	t.Run("DownThenUp", func(t *testing.T) {
		a, b := open(t)
		clk := newClock()
		var mu sync.Mutex
		up := false
		isUp := func() bool { mu.Lock(); defer mu.Unlock(); return up }
		unavailable := newReceiver(t, func(w http.ResponseWriter, r *http.Request) {
			if !isUp() {
				w.WriteHeader(http.StatusServiceUnavailable)
			}
		})
		hangUp := newReceiver(t, func(w http.ResponseWriter, r *http.Request) {
			if !isUp() { // the connection drops without an answer
				c, _, err := w.(http.Hijacker).Hijack()
				if err == nil {
					c.Close()
				}
			}
		})
		for _, r := range []*receiver{unavailable, hangUp} {
			r.setSecret(subscribe(t, a, r.URL(), "", clk.Now(), vtr.EventEnforcementChanged).Secret)
		}
		const events = 5
		for i := range events {
			enqueue(t, a, event(fmt.Sprintf("ev-%d", i), vtr.EventEnforcementChanged, "S1", clk.Now(), fmt.Sprintf(`{"n":%d}`, i)))
		}
		d := deliverer(b, clk)
		retries := 0
		for i := range 40 {
			if i == 6 {
				mu.Lock()
				up = true
				mu.Unlock()
			}
			_, rt, fl := once(t, d)
			retries += rt
			if fl != 0 {
				t.Fatalf("%d deliveries failed within 8 hours", fl)
			}
			if len(unavailable.ok()) == events && len(hangUp.ok()) == events {
				break
			}
			clk.Add(time.Hour + time.Second) // past the longest backoff
		}
		if retries < 12 {
			t.Errorf("%d retries while both receivers were down 6 times, want at least 12", retries)
		}
		for _, r := range []*receiver{unavailable, hangUp} {
			got := r.ok()
			if len(got) != events {
				t.Errorf("%s received %v, want %d events", r.URL(), got, events)
			}
			for i := range events {
				if id := fmt.Sprintf("ev-%d", i); r.countOK(id) != 1 {
					t.Errorf("%s received %s %d times, want once", r.URL(), id, r.countOK(id))
				}
			}
			r.check()
		}
		if ds := deliveries(t, a, vtr.DeliveryDelivered); len(ds) != 2*events {
			t.Errorf("%d delivered, want %d", len(ds), 2*events)
		}
	})
	t.Run("SlowReceiverDoesNotStallOthers", func(t *testing.T) {
		a, b := open(t)
		clk := newClock()
		release := make(chan struct{})
		var releaseOnce sync.Once
		slow := newReceiver(t, func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-release:
			case <-r.Context().Done():
			case <-time.After(20 * time.Second):
			}
		})
		t.Cleanup(func() { releaseOnce.Do(func() { close(release) }) }) // before the server closes
		fastGot := make(chan struct{}, 1)
		fast := newReceiver(t, func(w http.ResponseWriter, r *http.Request) { fastGot <- struct{}{} })
		slow.setSecret(subscribe(t, a, slow.URL(), "", clk.Now(), vtr.EventEnforcementChanged).Secret)
		fast.setSecret(subscribe(t, a, fast.URL(), "", clk.Now(), vtr.EventEnforcementChanged).Secret)
		enqueue(t, a, event("ev-1", vtr.EventEnforcementChanged, "S1", clk.Now(), `{}`))
		d := deliverer(b, clk)
		type result struct{ delivered, retried, failed int }
		done := make(chan result, 1)
		go func() {
			dl, rt, fl, err := d.Once(ctx)
			if err != nil {
				t.Error(err)
			}
			done <- result{dl, rt, fl}
		}()
		select {
		case <-fastGot:
		case <-done:
			t.Fatal("Once returned before the slow receiver answered")
		case <-time.After(10 * time.Second):
			t.Fatal("the fast receiver got nothing while the slow one held its request")
		}
		// Recorded as delivered while the slow request is still open.
		recorded := false
		for range 500 {
			for _, dl := range deliveries(t, a, vtr.DeliveryDelivered) {
				recorded = recorded || dl.URL == fast.URL()
			}
			if recorded {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		if !recorded {
			t.Error("the fast delivery was not recorded while the slow one was in flight")
		}
		releaseOnce.Do(func() { close(release) })
		select {
		case r := <-done:
			if r != (result{2, 0, 0}) {
				t.Errorf("Once = %+v, want 2 delivered", r)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("Once did not return after the slow receiver answered")
		}
		slow.check()
		fast.check()
	})
	t.Run("CrashedClaimExpires", func(t *testing.T) {
		a, b := open(t)
		clk := newClock()
		rcv := newReceiver(t, nil)
		rcv.setSecret(subscribe(t, a, rcv.URL(), "", clk.Now(), vtr.EventEnforcementChanged).Secret)
		enqueue(t, a, event("ev-1", vtr.EventEnforcementChanged, "S1", clk.Now(), `{}`))
		// A deliverer claims, then dies before sending or recording.
		if ds, err := a.ClaimDue(ctx, clk.Now(), time.Minute, 10); err != nil || len(ds) != 1 {
			t.Fatalf("ClaimDue = %d, %v; want 1", len(ds), err)
		}
		d := deliverer(b, clk)
		clk.Add(30 * time.Second)
		if dl, rt, fl := once(t, d); dl+rt+fl != 0 || len(rcv.all()) != 0 {
			t.Fatalf("while the lease holds another deliverer sent %d", dl+rt+fl)
		}
		clk.Add(31 * time.Second)
		if dl, _, _ := once(t, d); dl != 1 {
			t.Fatalf("after the lease expired %d delivered, want 1", dl)
		}
		if got := rcv.all(); len(got) != 1 {
			t.Errorf("received %v, want ev-1 once", got)
		}
		rcv.check()
	})
	t.Run("FailedAfterMaxAgeThenRedelivered", func(t *testing.T) {
		a, b := open(t)
		clk := newClock()
		var mu sync.Mutex
		status := http.StatusInternalServerError
		rcv := newReceiver(t, func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			defer mu.Unlock()
			w.WriteHeader(status)
			io.WriteString(w, "database is down")
		})
		rcv.setSecret(subscribe(t, a, rcv.URL(), "", clk.Now(), vtr.EventEnforcementChanged).Secret)
		enqueue(t, a, event("ev-1", vtr.EventEnforcementChanged, "S1", clk.Now(), `{}`))
		d := deliverer(b, clk)
		if _, rt, _ := once(t, d); rt != 1 {
			t.Fatalf("first attempt: %d retried, want 1", rt)
		}
		clk.Add(25 * time.Hour)
		if _, _, fl := once(t, d); fl != 1 {
			t.Fatalf("after 25 hours: %d failed, want 1", fl)
		}
		failed := deliveries(t, a, vtr.DeliveryFailed)
		if len(failed) != 1 || failed[0].Attempts != 2 || !strings.Contains(failed[0].LastError, "500") || !strings.Contains(failed[0].LastError, "database is down") {
			t.Fatalf("failed deliveries %+v, want ev-1 after 2 attempts with the receiver's 500", failed)
		}
		if dl, rt, fl := once(t, d); dl+rt+fl != 0 {
			t.Errorf("a failed delivery was sent again by itself")
		}
		mu.Lock()
		status = http.StatusNoContent
		mu.Unlock()
		if err := b.Redeliver(ctx, failed[0].ID, clk.Now()); err != nil {
			t.Fatal(err)
		}
		if dl, _, _ := once(t, d); dl != 1 {
			t.Fatalf("redelivered: %d delivered, want 1", dl)
		}
		if n := len(deliveries(t, a, vtr.DeliveryFailed)); n != 0 {
			t.Errorf("%d still failed", n)
		}
		if err := b.Redeliver(ctx, failed[0].ID, clk.Now()); err != nil { // a delivered one, again
			t.Fatal(err)
		}
		once(t, d)
		if rcv.count("ev-1") != 4 || len(rcv.ok()) != 2 {
			t.Errorf("received %v (%d answered 2xx), want ev-1 4 times, 2 of them answered", rcv.all(), len(rcv.ok()))
		}
		if err := b.Redeliver(ctx, 987654, clk.Now()); vtr.ErrorCode(err) != vtr.ENOTFOUND {
			t.Errorf("redeliver unknown: %v, want not found", err)
		}
		rcv.check()
	})
	t.Run("NoRedirects", func(t *testing.T) {
		a, b := open(t)
		clk := newClock()
		target := newReceiver(t, nil)
		rcv := newReceiver(t, func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, target.URL(), http.StatusFound)
		})
		rcv.setSecret(subscribe(t, a, rcv.URL(), "", clk.Now(), vtr.EventEnforcementChanged).Secret)
		enqueue(t, a, event("ev-1", vtr.EventEnforcementChanged, "S1", clk.Now(), `{}`))
		if dl, rt, _ := once(t, deliverer(b, clk)); dl != 0 || rt != 1 {
			t.Errorf("302: %d delivered, %d retried; want retried", dl, rt)
		}
		if got := target.all(); len(got) != 0 {
			t.Errorf("the redirect was followed: target received %v", got)
		}
		if ds := deliveries(t, a, vtr.DeliveryPending); len(ds) != 1 || !strings.Contains(ds[0].LastError, "302") {
			t.Errorf("pending %+v, want ev-1 with the 302 as its error", ds)
		}
	})
	t.Run("Run", func(t *testing.T) {
		a, b := open(t)
		clk := newClock()
		got := make(chan string, 10)
		rcv := newReceiver(t, func(w http.ResponseWriter, r *http.Request) { got <- r.Header.Get(notify.EventIDHeader) })
		rcv.setSecret(subscribe(t, a, rcv.URL(), "", clk.Now(), vtr.EventEnforcementChanged).Secret)
		d := deliverer(b, clk)
		d.Poll = 10 * time.Millisecond
		rctx, cancel := context.WithCancel(ctx)
		stopped := make(chan struct{})
		go func() { d.Run(rctx); close(stopped) }()
		for i := range 3 {
			enqueue(t, a, event(fmt.Sprintf("ev-%d", i), vtr.EventEnforcementChanged, "S1", clk.Now(), `{}`))
		}
		for i := range 3 {
			select {
			case id := <-got:
				if want := fmt.Sprintf("ev-%d", i); id != want {
					t.Errorf("Run delivered %s, want %s", id, want)
				}
			case <-time.After(10 * time.Second):
				t.Fatalf("Run delivered %d of 3 events", i)
			}
		}
		cancel()
		select {
		case <-stopped:
		case <-time.After(10 * time.Second):
			t.Fatal("Run did not stop with its context")
		}
		rcv.check()
	})
}

// clock is a test's time, moved by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: fixedNow()} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func deliverer(o vtr.Outbox, clk *clock) *notify.Deliverer {
	return &notify.Deliverer{Outbox: o, Now: clk.Now, Lease: time.Minute}
}

func once(t *testing.T, d *notify.Deliverer) (delivered, retried, failed int) {
	t.Helper()
	delivered, retried, failed, err := d.Once(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return delivered, retried, failed
}

func subscribe(t *testing.T, o *sqlutil.Outbox, url, seller string, now time.Time, events ...string) vtr.Subscription {
	t.Helper()
	s, err := notify.NewSubscription(url, events, seller, now)
	if err != nil {
		t.Fatal(err)
	}
	if err := o.CreateSubscription(context.Background(), &s); err != nil {
		t.Fatal(err)
	}
	return s
}

func event(id, typ, seller string, at time.Time, data string) vtr.OutboxEvent {
	return vtr.OutboxEvent{ID: id, Type: typ, SellerID: seller, At: at, Data: []byte(data)}
}

// enqueue writes an event in a transaction of its own and commits.
func enqueue(t *testing.T, o *sqlutil.Outbox, ev vtr.OutboxEvent) int {
	t.Helper()
	ctx := context.Background()
	tx, err := o.DB.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	n, err := o.Enqueue(ctx, tx, ev)
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	return n
}

func deliveries(t *testing.T, o *sqlutil.Outbox, status string) []vtr.Delivery {
	t.Helper()
	ds, err := o.Deliveries(context.Background(), status, 100)
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

// receiver is a webhook receiver on loopback. It checks every request's
// signature itself, with crypto/hmac, as a receiver written from the
// README would, and records the event IDs it was sent.
type receiver struct {
	t      *testing.T
	srv    *httptest.Server
	secret string // set once subscribed, before anything is sent

	mu       sync.Mutex
	requests []string // event IDs, in arrival order
	answered []string // those answered 2xx
	problems []string
}

// newReceiver serves handle (nil: answer 200) after checking and
// recording each request.
func newReceiver(t *testing.T, handle http.HandlerFunc) *receiver {
	r := &receiver{t: t}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		id := req.Header.Get("Vtr-Event-Id")
		r.mu.Lock()
		r.requests = append(r.requests, id)
		if p := r.verify(req, body); p != "" {
			r.problems = append(r.problems, id+": "+p)
		}
		r.mu.Unlock()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		if handle != nil {
			handle(rec, req)
		}
		if rec.status >= 200 && rec.status < 300 && !rec.hijacked {
			r.mu.Lock()
			r.answered = append(r.answered, id)
			r.mu.Unlock()
		}
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) setSecret(s string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.secret = s
}

func (r *receiver) URL() string { return r.srv.URL + "/hook" }

// verify is the receiver's own check of a request: method, headers, the
// HMAC-SHA256 of "<t>.<body>" under the subscription's secret, and a
// body whose id is the Vtr-Event-Id.
func (r *receiver) verify(req *http.Request, body []byte) string {
	if req.Method != http.MethodPost || req.URL.Path != "/hook" {
		return "request " + req.Method + " " + req.URL.Path
	}
	if ct, ua := req.Header.Get("Content-Type"), req.Header.Get("User-Agent"); ct != "application/json" || ua != "vtr-webhooks" {
		return fmt.Sprintf("Content-Type %q, User-Agent %q", ct, ua)
	}
	if req.Header.Get("Vtr-Event-Type") != vtr.EventEnforcementChanged {
		return "Vtr-Event-Type " + req.Header.Get("Vtr-Event-Type")
	}
	var ts, sig string
	for _, part := range strings.Split(req.Header.Get("Vtr-Signature"), ",") {
		if v, ok := strings.CutPrefix(part, "t="); ok {
			ts = v
		} else if v, ok := strings.CutPrefix(part, "v1="); ok {
			sig = v
		}
	}
	m := hmac.New(sha256.New, []byte(r.secret))
	m.Write([]byte(ts + "." + string(body)))
	got, err := hex.DecodeString(sig)
	if ts == "" || err != nil || !hmac.Equal(got, m.Sum(nil)) {
		return "bad signature " + req.Header.Get("Vtr-Signature")
	}
	if want := fmt.Sprintf(`{"id":%q,`, req.Header.Get("Vtr-Event-Id")); !bytes.HasPrefix(body, []byte(want)) {
		return "body " + string(body)
	}
	return ""
}

// check reports every request that did not pass the receiver's checks.
func (r *receiver) check() {
	r.t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, p := range r.problems {
		r.t.Errorf("receiver %s: %s", r.URL(), p)
	}
}

func (r *receiver) all() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.requests)
}

func (r *receiver) ok() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.answered)
}

// count is how many requests carried an event ID.
func (r *receiver) count(id string) int { return countOf(r.all(), id) }

// countOK is how many requests that carried an event ID were answered 2xx.
func (r *receiver) countOK(id string) int { return countOf(r.ok(), id) }

func countOf(ids []string, id string) int {
	n := 0
	for _, got := range ids {
		if got == id {
			n++
		}
	}
	return n
}

// statusRecorder remembers the status a handler answered.
type statusRecorder struct {
	http.ResponseWriter
	status   int
	hijacked bool
	wrote    bool
}

func (s *statusRecorder) WriteHeader(code int) {
	if !s.wrote {
		s.status, s.wrote = code, true
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	s.wrote = true
	return s.ResponseWriter.Write(b)
}

func (s *statusRecorder) Hijack() (c net.Conn, rw *bufio.ReadWriter, err error) {
	s.hijacked = true
	return s.ResponseWriter.(http.Hijacker).Hijack()
}
