package notify_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/notify"
)

// The signature of a known body, computed independently with
// echo -n '1700000000.{"id":"ev-1"}' | openssl dgst -sha256 -hmac whsec_test
const (
	knownSecret = "whsec_test"
	knownBody   = `{"id":"ev-1"}`
	knownSig    = "t=1700000000,v1=28881d3c17b5da5212eaf2f17589f5f51c8e463e2d1d98c2692c730e13ce8b4c"
)

func TestSign(t *testing.T) {
	if got := notify.Sign(knownSecret, time.Unix(1700000000, 0), []byte(knownBody)); got != knownSig {
		t.Errorf("Sign = %s, want %s", got, knownSig)
	}
}

func TestVerify(t *testing.T) {
	at := time.Unix(1700000000, 0)
	body := []byte(knownBody)
	other := notify.Sign("whsec_old", at, body)
	tests := []struct {
		name   string
		header string
		body   []byte
		now    time.Time
		ok     bool
	}{
		{"valid", knownSig, body, at.Add(time.Minute), true},
		{"rotating: old and new secret", other + ",v1=" + strings.TrimPrefix(knownSig, "t=1700000000,v1="), body, at, true},
		{"spaces after commas", "t=1700000000, v1=" + strings.TrimPrefix(knownSig, "t=1700000000,v1="), body, at, true},
		{"stale", knownSig, body, at.Add(6 * time.Minute), false},
		{"from the future", knownSig, body, at.Add(-6 * time.Minute), false},
		{"another secret", other, body, at, false},
		{"body changed", knownSig, []byte(`{"id":"ev-2"}`), at, false},
		{"time changed", strings.Replace(knownSig, "t=1700000000", "t=1700000001", 1), body, at, false},
		{"no timestamp", strings.TrimPrefix(knownSig, "t=1700000000,"), body, at, false},
		{"no signature", "t=1700000000", body, at, false},
		{"not hex", "t=1700000000,v1=zz", body, at, false},
		{"empty", "", body, at, false},
	}
	for _, tt := range tests {
		err := notify.Verify(tt.header, tt.body, knownSecret, tt.now, notify.DefaultTolerance)
		if (err == nil) != tt.ok {
			t.Errorf("%s: Verify(%q) = %v, want ok %v", tt.name, tt.header, err, tt.ok)
		}
		if err != nil && vtr.ErrorCode(err) != vtr.EUNAUTHORIZED {
			t.Errorf("%s: code %s, want unauthorized", tt.name, vtr.ErrorCode(err))
		}
	}
}

func TestValidateURL(t *testing.T) {
	for u, ok := range map[string]bool{
		"https://hooks.example.com/vtr":       true,
		"http://127.0.0.1:8080/hook?x=1":      true,
		"ftp://example.com/x":                 false,
		"file:///etc/passwd":                  false,
		"/relative":                           false,
		"https://":                            false,
		"https://user:pass@example.com/hook":  false,
		"https://user@example.com/hook":       false,
		"javascript:alert(1)":                 false,
		"http://exa mple.com/":                false,
		"":                                    false,
		"HTTPS://EXAMPLE.COM/upper-is-fine-k": true,
	} {
		if err := notify.ValidateURL(u); (err == nil) != ok {
			t.Errorf("ValidateURL(%q) = %v, want ok %v", u, err, ok)
		}
	}
}

func TestNewSubscription(t *testing.T) {
	now := time.Date(2026, 10, 15, 0, 0, 0, 0, time.UTC)
	s, err := notify.NewSubscription("https://example.com/h", []string{vtr.EventEnforcementChanged, vtr.EventEnforcementChanged, vtr.EventDefectCreated}, "S1", now)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(s.ID, "wh_") || !strings.HasPrefix(s.Secret, "whsec_") || len(s.Secret) != 6+64 || len(s.Events) != 2 || s.SellerID != "S1" || !s.CreatedAt.Equal(now) {
		t.Errorf("NewSubscription = %+v", s)
	}
	t2, _ := notify.NewSubscription("https://example.com/h", []string{vtr.EventAppealDecided}, "", now)
	if t2.ID == s.ID || t2.Secret == s.Secret {
		t.Error("two subscriptions share an id or a secret")
	}
	for _, bad := range [][]string{nil, {"enforcement.changed", "order.created"}} {
		if _, err := notify.NewSubscription("https://example.com/h", bad, "", now); vtr.ErrorCode(err) != vtr.EINVALID {
			t.Errorf("events %v: %v, want invalid", bad, err)
		}
	}
	if _, err := notify.NewSubscription("ftp://example.com/h", []string{vtr.EventAppealDecided}, "", now); vtr.ErrorCode(err) != vtr.EINVALID {
		t.Errorf("ftp URL: %v, want invalid", err)
	}
}

func TestBackoff(t *testing.T) {
	tests := []struct {
		n    int
		r    float64
		want time.Duration
	}{
		{1, 0, 0},
		{1, 0.5, 15 * time.Second},
		{2, 0.5, 30 * time.Second},
		{3, 0.999999, 2*time.Minute - 120*time.Microsecond},
		{8, 0.5, 30 * time.Minute},
		{9, 0.5, 30 * time.Minute}, // capped at an hour
		{1000, 0.5, 30 * time.Minute},
	}
	for _, tt := range tests {
		if got := notify.Backoff(tt.n, tt.r); got != tt.want {
			t.Errorf("Backoff(%d, %v) = %v, want %v", tt.n, tt.r, got, tt.want)
		}
	}
}

// memOutbox hands out its deliveries once and records outcomes.
type memOutbox struct {
	mu       sync.Mutex
	due      []vtr.Delivery
	outcomes []string
}

func (m *memOutbox) ClaimDue(ctx context.Context, now time.Time, lease time.Duration, n int) ([]vtr.Delivery, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := m.due
	m.due = nil
	return out, nil
}

func (m *memOutbox) record(s string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.outcomes = append(m.outcomes, s)
	return nil
}

func (m *memOutbox) Delivered(ctx context.Context, id int64, at time.Time) error {
	return m.record("delivered")
}

func (m *memOutbox) Retry(ctx context.Context, id int64, attempts int, next time.Time, lastErr string) error {
	return m.record("retry: " + lastErr)
}

func (m *memOutbox) Failed(ctx context.Context, id int64, attempts int, at time.Time, lastErr string) error {
	return m.record("failed: " + lastErr)
}

// A client of the caller's that would follow redirects does not.
func TestCallerClientFollowsNoRedirect(t *testing.T) {
	followed := false
	var mu sync.Mutex
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		followed = true
		mu.Unlock()
	}))
	defer target.Close()
	src := httptest.NewServer(http.RedirectHandler(target.URL, http.StatusTemporaryRedirect))
	defer src.Close()
	m := &memOutbox{due: []vtr.Delivery{{ID: 1, URL: src.URL, Secret: "s", EventID: "ev-1", Body: []byte(`{}`), CreatedAt: time.Now()}}}
	d := &notify.Deliverer{Outbox: m, Client: &http.Client{Timeout: 5 * time.Second}}
	if _, rt, _, err := d.Once(context.Background()); err != nil || rt != 1 {
		t.Fatalf("Once: retried %d, %v; want 1", rt, err)
	}
	mu.Lock()
	defer mu.Unlock()
	if followed || len(m.outcomes) != 1 || !strings.Contains(m.outcomes[0], "307") {
		t.Errorf("followed %v, outcomes %q; want the 307 retried, not followed", followed, m.outcomes)
	}
}

// A stored URL that is not http(s) fails at once, without a request.
func TestBadStoredURLFails(t *testing.T) {
	m := &memOutbox{due: []vtr.Delivery{{ID: 1, URL: "file:///etc/passwd", Secret: "s", EventID: "ev-1", Body: []byte(`{}`), CreatedAt: time.Now()}}}
	d := &notify.Deliverer{Outbox: m}
	if _, _, fl, err := d.Once(context.Background()); err != nil || fl != 1 {
		t.Fatalf("Once: failed %d, %v; want 1", fl, err)
	}
}

// Shutting down mid-request records nothing: the lease expires and the
// delivery is sent again, rather than counted as the receiver's failure.
func TestShutdownRecordsNothing(t *testing.T) {
	started := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.ReadAll(r.Body) // the server notices a closed connection once the body is read
		close(started)
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
	}))
	defer srv.Close()
	m := &memOutbox{due: []vtr.Delivery{{ID: 1, URL: srv.URL, Secret: "s", EventID: "ev-1", Body: []byte(`{}`), CreatedAt: time.Now()}}}
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-started; cancel() }()
	d := &notify.Deliverer{Outbox: m}
	if dl, rt, fl, err := d.Once(ctx); dl+rt+fl != 0 || err != nil {
		t.Errorf("Once = %d, %d, %d, %v; want nothing recorded", dl, rt, fl, err)
	}
	if len(m.outcomes) != 0 {
		t.Errorf("outcomes %q, want none", m.outcomes)
	}
}
