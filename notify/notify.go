// Package notify delivers vtr's outgoing webhooks from the durable outbox
// (vtr.Outbox): signed POSTs to the URLs operators registered, at least
// once, in order per subscription, retried with exponential backoff and
// full jitter for up to a day, then marked failed for an operator to
// redeliver.
//
// Receivers verify a delivery with the Vtr-Signature header:
// t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>; Verify does
// it for receivers written in Go. Receivers deduplicate on Vtr-Event-Id
// (the body's "id"): at least once means a delivery whose answer was lost
// comes again.
package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	cryptorand "crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/vtr-project/vtr"
)

// Headers of a delivery.
const (
	SignatureHeader = "Vtr-Signature"
	EventIDHeader   = "Vtr-Event-Id"
	EventTypeHeader = "Vtr-Event-Type"
	UserAgent       = "vtr-webhooks"
)

// DefaultTolerance is how far a signature's time may be from the
// receiver's clock (the README recommends it): it bounds replays.
const DefaultTolerance = 5 * time.Minute

// Sign returns the Vtr-Signature value of body sent at t.
func Sign(secret string, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v1=" + hex.EncodeToString(mac(secret, ts, body))
}

func mac(secret, ts string, body []byte) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts))
	m.Write([]byte("."))
	m.Write(body)
	return m.Sum(nil)
}

// Verify checks a Vtr-Signature header against body and secret: one of
// its v1 values (there are several while a secret is rotated) must be the
// HMAC of "<t>.<body>", and t within tolerance of now (0: no check).
// Comparisons take constant time.
func Verify(header string, body []byte, secret string, now time.Time, tolerance time.Duration) error {
	var ts string
	var sigs [][]byte
	for part := range strings.SplitSeq(header, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			continue
		}
		switch k {
		case "t":
			ts = v
		case "v1":
			if b, err := hex.DecodeString(v); err == nil {
				sigs = append(sigs, b)
			}
		}
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return vtr.Errorf(vtr.EUNAUTHORIZED, "%s: no timestamp", SignatureHeader)
	}
	if len(sigs) == 0 {
		return vtr.Errorf(vtr.EUNAUTHORIZED, "%s: no v1 signature", SignatureHeader)
	}
	if d := now.Sub(time.Unix(sec, 0)).Abs(); tolerance > 0 && d > tolerance {
		return vtr.Errorf(vtr.EUNAUTHORIZED, "%s: timestamp is %s away from now (tolerance %s)", SignatureHeader, d.Round(time.Second), tolerance)
	}
	want := mac(secret, ts, body)
	ok := false
	for _, s := range sigs {
		if hmac.Equal(s, want) {
			ok = true
		}
	}
	if !ok {
		return vtr.Errorf(vtr.EUNAUTHORIZED, "%s: signature does not match", SignatureHeader)
	}
	return nil
}

// ValidateURL accepts the URL of a receiver: absolute http or https, with
// a host and without userinfo (credentials belong in the signature, not in
// a URL listed to operators and logged).
func ValidateURL(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		return vtr.Errorf(vtr.EINVALID, "webhook url %q: %v", s, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return vtr.Errorf(vtr.EINVALID, "webhook url %q: only http and https URLs", s)
	}
	if u.Hostname() == "" {
		return vtr.Errorf(vtr.EINVALID, "webhook url %q: no host", s)
	}
	if u.User != nil {
		return vtr.Errorf(vtr.EINVALID, "webhook url %q: no user or password in the URL", s)
	}
	return nil
}

// EventTypes are the events a subscription may ask for.
var EventTypes = []string{vtr.EventEnforcementChanged, vtr.EventAppealDecided, vtr.EventDefectCreated}

// NewSubscription validates a subscription request and returns it with a
// new ID and signing secret (to be shown once, when created).
func NewSubscription(rawURL string, events []string, sellerID string, now time.Time) (vtr.Subscription, error) {
	if err := ValidateURL(rawURL); err != nil {
		return vtr.Subscription{}, err
	}
	if len(events) == 0 {
		return vtr.Subscription{}, vtr.Errorf(vtr.EINVALID, "a subscription needs at least one event type (%s)", strings.Join(EventTypes, ", "))
	}
	var evs []string
	for _, e := range events {
		if !slices.Contains(EventTypes, e) {
			return vtr.Subscription{}, vtr.Errorf(vtr.EINVALID, "unknown event type %q (%s)", e, strings.Join(EventTypes, ", "))
		}
		if !slices.Contains(evs, e) {
			evs = append(evs, e)
		}
	}
	return vtr.Subscription{
		ID:        "wh_" + randomHex(8),
		URL:       rawURL,
		Events:    evs,
		SellerID:  sellerID,
		Secret:    "whsec_" + randomHex(32),
		CreatedAt: now.UTC(),
	}, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := cryptorand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported systems
	}
	return hex.EncodeToString(b)
}

// Defaults of a Deliverer.
const (
	DefaultTimeout     = 10 * time.Second
	DefaultMaxAge      = 24 * time.Hour
	DefaultLease       = time.Minute
	DefaultConcurrency = 8
	DefaultPoll        = time.Second
	// BackoffBase and BackoffCap bound the wait before a retry: the n-th
	// failure waits a random time below min(cap, base·2ⁿ⁻¹) ("full
	// jitter", so receivers coming back are not hit by every sender at
	// once).
	BackoffBase = 30 * time.Second
	BackoffCap  = time.Hour
)

// Deliverer sends due deliveries. Its zero fields take the defaults.
type Deliverer struct {
	Outbox vtr.Outbox
	// Client sends the requests; nil is one with a DefaultTimeout. No
	// client follows redirects: deliveries go only to registered URLs.
	Client *http.Client
	Now    func() time.Time
	Log    *slog.Logger
	// MaxAge is how long a delivery is retried, from its creation.
	MaxAge time.Duration
	// Lease is how long a claimed delivery is ours; a request never
	// outlives three quarters of it, and a delivery whose deliverer died
	// is claimed again once it expires.
	Lease time.Duration
	// Concurrency bounds the requests in flight (one per subscription).
	Concurrency int
	// Poll is Run's longest wait between looks at the outbox.
	Poll time.Duration
}

// Backoff is the wait before the retry that follows the n-th failed
// attempt, with r in [0, 1) its jitter.
func Backoff(n int, r float64) time.Duration {
	ceil := BackoffBase
	for i := 1; i < n && ceil < BackoffCap; i++ {
		ceil *= 2
	}
	ceil = min(ceil, BackoffCap)
	return time.Duration(r * float64(ceil))
}

func (d *Deliverer) now() time.Time {
	if d.Now == nil {
		return time.Now().UTC()
	}
	return d.Now()
}

func (d *Deliverer) log() *slog.Logger {
	if d.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return d.Log
}

func (d *Deliverer) lease() time.Duration {
	if d.Lease <= 0 {
		return DefaultLease
	}
	return d.Lease
}

func (d *Deliverer) concurrency() int {
	if d.Concurrency <= 0 {
		return DefaultConcurrency
	}
	return d.Concurrency
}

func (d *Deliverer) maxAge() time.Duration {
	if d.MaxAge <= 0 {
		return DefaultMaxAge
	}
	return d.MaxAge
}

var defaultClient = &http.Client{Timeout: DefaultTimeout, CheckRedirect: noRedirect}

func noRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// client is d.Client, made not to follow redirects.
func (d *Deliverer) client() *http.Client {
	if d.Client == nil {
		return defaultClient
	}
	c := *d.Client
	c.CheckRedirect = noRedirect
	return &c
}

// outcome of one attempt.
type outcome int

const (
	outNone outcome = iota // not recorded (shutting down): the lease expires
	outDelivered
	outRetried
	outFailed
)

// Once claims the deliveries due now (at most Concurrency, one per
// subscription) and sends them concurrently; each outcome is recorded as
// soon as it is known, so a slow receiver delays only its own
// subscription. It returns when every request has ended.
func (d *Deliverer) Once(ctx context.Context) (delivered, retried, failed int, err error) {
	list, err := d.Outbox.ClaimDue(ctx, d.now(), d.lease(), d.concurrency())
	if err != nil {
		return 0, 0, 0, fmt.Errorf("deliver: %w", err)
	}
	var (
		mu   sync.Mutex
		wg   sync.WaitGroup
		errs []error
	)
	for _, dl := range list {
		wg.Go(func() {
			o, err := d.deliver(ctx, dl)
			mu.Lock()
			defer mu.Unlock()
			switch o {
			case outDelivered:
				delivered++
			case outRetried:
				retried++
			case outFailed:
				failed++
			}
			if err != nil {
				errs = append(errs, err)
			}
		})
	}
	wg.Wait()
	return delivered, retried, failed, errors.Join(errs...)
}

// Run delivers until ctx is done: it claims as many due deliveries as it
// has free workers, and looks again at most Poll later (at once after a
// full batch, or when a worker frees up). In-flight requests end with
// ctx; their deliveries are claimed again when their leases expire.
func (d *Deliverer) Run(ctx context.Context) {
	poll := d.Poll
	if poll <= 0 {
		poll = DefaultPoll
	}
	n := d.concurrency()
	slots := make(chan struct{}, n)
	freed := make(chan struct{}, 1)
	var wg sync.WaitGroup
	defer wg.Wait()
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		free := n - len(slots)
		full := false
		if free > 0 {
			list, err := d.Outbox.ClaimDue(ctx, d.now(), d.lease(), free)
			if err != nil && ctx.Err() == nil {
				d.log().Error("webhooks: claim", "err", err)
			}
			for _, dl := range list {
				slots <- struct{}{}
				wg.Go(func() {
					defer func() {
						<-slots
						select {
						case freed <- struct{}{}:
						default:
						}
					}()
					if _, err := d.deliver(ctx, dl); err != nil && ctx.Err() == nil {
						d.log().Error("webhooks: record", "delivery", dl.ID, "err", err)
					}
				})
			}
			full = err == nil && len(list) == free
		}
		wait := poll
		if full {
			wait = 0
		}
		timer.Reset(wait)
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		case <-freed:
			if !timer.Stop() {
				select {
				case <-timer.C:
				default:
				}
			}
		}
	}
}

// maxErrorText bounds the receiver's answer kept as a delivery's error.
const maxErrorText = 300

// deliver makes one attempt and records its outcome.
func (d *Deliverer) deliver(ctx context.Context, dl vtr.Delivery) (outcome, error) {
	log := d.log().With("delivery", dl.ID, "subscription", dl.Subscription, "event", dl.EventID)
	attemptErr := d.send(ctx, dl)
	if attemptErr != nil && ctx.Err() != nil {
		return outNone, nil // shutting down: not the receiver's fault
	}
	// The outcome is recorded even if ctx ends meanwhile: a delivery
	// received but not recorded would be sent again.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	now := d.now()
	attempts := dl.Attempts + 1
	switch {
	case attemptErr == nil:
		log.Info("webhook delivered", "attempts", attempts)
		return outDelivered, d.Outbox.Delivered(rctx, dl.ID, now)
	case errors.Is(attemptErr, errPermanent) || now.Sub(dl.CreatedAt) >= d.maxAge():
		log.Warn("webhook failed", "attempts", attempts, "err", attemptErr)
		return outFailed, d.Outbox.Failed(rctx, dl.ID, attempts, now, attemptErr.Error())
	default:
		next := now.Add(Backoff(attempts, rand.Float64()))
		log.Info("webhook retry", "attempts", attempts, "next", next, "err", attemptErr)
		return outRetried, d.Outbox.Retry(rctx, dl.ID, attempts, next, attemptErr.Error())
	}
}

var errPermanent = errors.New("permanent")

// send POSTs a delivery; nil means the receiver answered 2xx.
func (d *Deliverer) send(ctx context.Context, dl vtr.Delivery) error {
	if err := ValidateURL(dl.URL); err != nil {
		return fmt.Errorf("%w: %v", errPermanent, vtr.ErrorMessage(err))
	}
	ctx, cancel := context.WithTimeout(ctx, d.lease()*3/4)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, dl.URL, bytes.NewReader(dl.Body))
	if err != nil {
		return fmt.Errorf("%w: %v", errPermanent, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", UserAgent)
	req.Header.Set(SignatureHeader, Sign(dl.Secret, d.now(), dl.Body))
	req.Header.Set(EventIDHeader, dl.EventID)
	req.Header.Set(EventTypeHeader, dl.Type)
	resp, err := d.client().Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	text, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorText))
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // reuse the connection
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil
	}
	msg := resp.Status
	if loc := resp.Header.Get("Location"); loc != "" {
		msg += " (redirect to " + loc + " not followed)"
	}
	if t := strings.TrimSpace(strings.ToValidUTF8(string(text), "")); t != "" {
		msg += ": " + t
	}
	return errors.New(msg)
}
