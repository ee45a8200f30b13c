package simulate

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"math"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/aftership"
	"github.com/vtr-project/vtr/classify"
	"github.com/vtr-project/vtr/easypost"
	"github.com/vtr-project/vtr/engine"
	"github.com/vtr-project/vtr/native"
	"github.com/vtr-project/vtr/track17"
	"github.com/vtr-project/vtr/tracking"
)

var start = time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)

// run simulates cfg in format f and returns the main output and the truth.
func run(t testing.TB, cfg Config, f Format) (out, truth []byte, st Stats) {
	t.Helper()
	var o, tr bytes.Buffer
	st, err := Run(context.Background(), cfg, Output{Format: f, Out: &o, Truth: &tr})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return o.Bytes(), tr.Bytes(), st
}

func readTruth(t testing.TB, b []byte) []Truth {
	t.Helper()
	var out []Truth
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var x Truth
		if err := json.Unmarshal(sc.Bytes(), &x); err != nil {
			t.Fatalf("truth line %q: %v", sc.Text(), err)
		}
		out = append(out, x)
	}
	return out
}

func small(seed uint64) Config {
	return Config{Seed: seed, Sellers: 6, Days: 4, Start: start, OrdersPerDay: 30, Tail: 25}
}

// tiny is for the webhook formats, whose payloads repeat every earlier
// checkpoint.
func tiny(seed uint64) Config {
	return Config{Seed: seed, Sellers: 4, Days: 2, Start: start, OrdersPerDay: 12, Tail: 25}
}

func TestDeterministic(t *testing.T) {
	cfg := small(42)
	cfg.Workers = 1
	a, at, _ := run(t, cfg, Native)
	cfg.Workers = 4
	b, bt, _ := run(t, cfg, Native)
	if !bytes.Equal(a, b) || !bytes.Equal(at, bt) {
		t.Fatal("same seed and config, different output with 1 and 4 workers")
	}
	c, _, _ := run(t, small(43), Native)
	if bytes.Equal(a, c) {
		t.Fatal("seeds 42 and 43 gave the same output")
	}
	cfg = tiny(42)
	_, nt, _ := run(t, cfg, Native)
	for _, f := range []Format{AfterShip, EasyPost, Track17} {
		cfg.Workers = 1
		x, xt, _ := run(t, cfg, f)
		cfg.Workers = 3
		y, yt, _ := run(t, cfg, f)
		if !bytes.Equal(x, y) {
			t.Errorf("%s: output differs between runs", f)
		}
		// The simulated world does not depend on the output format.
		if !bytes.Equal(xt, nt) || !bytes.Equal(yt, nt) {
			t.Errorf("%s: the truth differs from the native run's", f)
		}
	}
}

func TestConfigErrors(t *testing.T) {
	ok := small(1)
	tests := []struct {
		name string
		edit func(*Config)
	}{
		{"no sellers", func(c *Config) { c.Sellers = 0 }},
		{"no days", func(c *Config) { c.Days = 0 }},
		{"no start", func(c *Config) { c.Start = time.Time{} }},
		{"bad share", func(c *Config) { c.ChinaShare = 2 }},
		{"rates over 1", func(c *Config) { r := Uniform(0.1); c.Rates = &r }},
		{"negative rate", func(c *Config) { r := DefaultRates(); r[Typo] = -0.1; c.Rates = &r }},
	}
	for _, tt := range tests {
		c := ok
		tt.edit(&c)
		if _, err := Run(context.Background(), c, Output{Out: io.Discard}); err == nil {
			t.Errorf("%s: no error", tt.name)
		}
	}
	if _, err := Run(context.Background(), ok, Output{Out: io.Discard, Format: "csv"}); err == nil {
		t.Error("unknown format: no error")
	}
}

// Every number is valid for its carrier except the injected typo, special
// character and wrong-carrier cases, which fail for the right reason.
func TestTrackingNumbers(t *testing.T) {
	cfg := Config{Seed: 7, Sellers: 20, Days: 5, Start: start, Tail: 25}
	r := Uniform(0.05)
	cfg.Rates = &r
	_, tb, _ := run(t, cfg, Native)
	var res tracking.Result
	seen := map[string]int{}
	for _, x := range readTruth(t, tb) {
		mode := ""
		if len(x.Modes) > 0 {
			mode = x.Modes[0]
		}
		seen[mode]++
		m, ok := tracking.Lookup(x.EnteredCarrier)
		if !ok {
			t.Fatalf("%s: entered carrier %q unknown", x.OrderID, x.EnteredCarrier)
		}
		res.Check(x.EnteredTrackingNumber, m.Carrier)
		// The real number is always valid for its real carrier.
		var real tracking.Result
		real.Check(x.TrackingNumber, tracking.ByCode(x.Carrier))
		if !real.Valid {
			t.Errorf("%s: real number %s is not valid for %s: %s", x.OrderID, x.TrackingNumber, x.Carrier, real.Reason)
		}
		switch mode {
		case "typo", "special_characters":
			if res.Valid {
				t.Errorf("%s (%s): %q valid for %s", x.OrderID, mode, x.EnteredTrackingNumber, x.EnteredCarrier)
			}
		case "wrong_carrier":
			if res.Reason != vtr.CarrierMismatch {
				t.Errorf("%s: %s entered as %s: reason %q, want %s", x.OrderID, x.TrackingNumber, x.EnteredCarrier, res.Reason, vtr.CarrierMismatch)
			}
		case "other_carrier":
			// An integrated carrier typed as Other: the policy's rule
			// (engine.AcceptCarrier) makes it unsupported.
			pol := "amazon-us"
			if x.Origin == "CN" || x.Origin == "HK" {
				pol = "amazon-cn-us"
			}
			p, _ := vtr.NewPolicySet(nil).Get(pol)
			acc := engine.AcceptCarrier(p, x.Origin, &vtr.Shipment{Carrier: x.EnteredCarrier, CarrierName: x.EnteredCarrierName, TrackingNumber: x.EnteredTrackingNumber})
			if x.EnteredCarrier != "Other" || x.EnteredCarrierName != x.Carrier || acc.Reason() != vtr.CarrierUnsupported {
				t.Errorf("%s: other carrier: entered %q/%q, reason %q", x.OrderID, x.EnteredCarrier, x.EnteredCarrierName, acc.Reason())
			}
		case "unsupported_carrier":
			if !res.Valid || m.Carrier.IntegratedFor(x.Origin) {
				t.Errorf("%s: %s from %s: valid %v, integrated %v", x.OrderID, x.Carrier, x.Origin, res.Valid, m.Carrier.IntegratedFor(x.Origin))
			}
		default:
			if !res.Valid {
				t.Errorf("%s (%q): %s entered as %s is invalid: %s", x.OrderID, mode, x.EnteredTrackingNumber, x.EnteredCarrier, res.Reason)
			}
			if mode != "reused_label" && (x.EnteredTrackingNumber != x.TrackingNumber || x.EnteredCarrier != x.Carrier) {
				t.Errorf("%s (%q): entered %s/%s, real %s/%s", x.OrderID, mode, x.EnteredCarrier, x.EnteredTrackingNumber, x.Carrier, x.TrackingNumber)
			}
			if mode == "" && !x.Freight && !m.Carrier.IntegratedFor(x.Origin) {
				t.Errorf("%s: %s is not integrated for %s", x.OrderID, x.Carrier, x.Origin)
			}
		}
	}
	for _, m := range Modes() {
		if seen[m.String()] == 0 {
			t.Errorf("mode %s never injected", m)
		}
	}
}

// Each mode's share among its eligible packages is its rate.
func TestFailureModeRates(t *testing.T) {
	cfg := Config{Seed: 11, Sellers: 20, Days: 10, Start: start, Tail: 25}
	r := Uniform(0.05)
	cfg.Rates = &r
	_, tb, _ := run(t, cfg, Native)
	truth := readTruth(t, tb)
	multi := map[string]bool{}
	for _, x := range truth {
		if x.PackageID != "1" {
			multi[x.OrderID] = true
		}
	}
	var count, eligible [NumModes]int
	for _, x := range truth {
		if x.Freight {
			continue // freight is exempt and gets no failure mode
		}
		for m := range Modes() {
			switch Mode(m) {
			case SingleScan:
				v, _ := parseCents(x.Value)
				if x.Origin != "CN" || v < 500 {
					continue
				}
			case CancelAfterShip:
				if multi[x.OrderID] {
					continue
				}
			}
			eligible[m]++
		}
		for _, name := range x.Modes {
			m, ok := ParseMode(name)
			if !ok {
				t.Fatalf("unknown mode %q", name)
			}
			count[m]++
		}
	}
	for m := range Modes() {
		n := float64(eligible[m])
		got := float64(count[m]) / n
		// Four standard deviations of a binomial share, plus 0.5% for the
		// rare fallbacks (no other carrier rejects the number, no earlier
		// label to reuse).
		tol := 4*math.Sqrt(0.05*0.95/n) + 0.005
		if math.Abs(got-0.05) > tol {
			t.Errorf("%s: %d of %d eligible packages (%.2f%%), want 5%% ± %.2f%%", Mode(m), count[m], eligible[m], 100*got, 100*tol)
		}
	}
}

// Upload times say what the truth says: late uploads more than 24 h after
// the handover and before delivery, the others after delivery or soon
// after the label.
func TestUploadTiming(t *testing.T) {
	cfg := Config{Seed: 13, Sellers: 10, Days: 5, Start: start, Tail: 25}
	r := Uniform(0.05)
	cfg.Rates = &r
	_, tb, _ := run(t, cfg, Native)
	parse := func(s string) time.Time {
		if s == "" {
			return time.Time{}
		}
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, x := range readTruth(t, tb) {
		shipped, uploaded, delivered := parse(x.ShippedAt), parse(x.UploadedAt), parse(x.DeliveredAt)
		mode := ""
		if len(x.Modes) > 0 {
			mode = x.Modes[0]
		}
		late := uploaded.Sub(shipped) > 24*time.Hour
		afterDelivery := !delivered.IsZero() && !uploaded.Before(delivered)
		switch {
		case mode == "late_upload" && (!late || afterDelivery),
			mode == "upload_after_delivery" && !afterDelivery,
			mode != "late_upload" && mode != "upload_after_delivery" && (late || afterDelivery):
			t.Errorf("%s (%q): shipped %s, uploaded %s, delivered %s", x.OrderID, mode, x.ShippedAt, x.UploadedAt, x.DeliveredAt)
		}
	}
}

func TestCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Run(ctx, Config{Seed: 1, Sellers: 50, Days: 300, Start: start}, Output{Out: io.Discard})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want context.Canceled", err)
	}
}

func parseCents(s string) (int64, bool) {
	whole, frac, _ := strings.Cut(s, ".")
	var v int64
	for _, c := range whole + (frac + "00")[:2] {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int64(c-'0')
	}
	return v, true
}

// The native output decodes cleanly, and the scans say what the truth
// says: no physical scan without an acceptance, a physical delivery for
// every delivered package, one physical scan for the lost and single-scan
// ones, the first scan where the ship-from is (or is not, for a mismatch).
func TestDecodes(t *testing.T) {
	cfg := Config{Seed: 5, Sellers: 12, Days: 6, Start: start, Tail: 25}
	r := Uniform(0.04)
	cfg.Rates = &r
	out, tb, st := run(t, cfg, Native)
	dec := native.NewDecoder(bytes.NewReader(out), func() time.Time { return start })
	type scans struct {
		physical, delivered int
		firstPhys           *vtr.Event
		classes             map[vtr.EventClass]int
	}
	byNum := map[string]*scans{}
	sellers := map[string]*vtr.Seller{}
	var types = map[string]int64{}
	for {
		rec, err := dec.Next()
		if err == io.EOF {
			break
		}
		var le *native.LineError
		if errors.As(err, &le) {
			t.Fatalf("%v", le)
		}
		if err != nil {
			t.Fatal(err)
		}
		types[rec.Type]++
		switch {
		case rec.Seller != nil:
			sellers[rec.Seller.ID] = rec.Seller
		case rec.Event != nil:
			e := rec.Event
			if e.OccurredAt.Before(start) {
				t.Errorf("event before the start: %+v", e)
			}
			s := byNum[e.TrackingNumber]
			if s == nil {
				s = &scans{classes: map[vtr.EventClass]int{}}
				byNum[e.TrackingNumber] = s
			}
			s.classes[e.Class]++
			if e.Class == vtr.EventPhysical {
				s.physical++
				if s.firstPhys == nil {
					s.firstPhys = e
				}
				if e.Status == vtr.StatusDelivered {
					s.delivered++
				}
			}
		}
	}
	if types["seller"] != st.Sellers || types["order"] != st.Orders || types["shipment"] != st.Shipments ||
		types["event"] != st.Events || types["cancellation"] != st.Cancellations {
		t.Errorf("decoded %v, stats %+v", types, st)
	}
	shipFrom := map[string]vtr.ShipFrom{}
	for _, s := range sellers {
		for _, sf := range s.ShipFrom {
			shipFrom[sf.ID] = sf
		}
	}
	for _, x := range readTruth(t, tb) {
		mode := ""
		if len(x.Modes) > 0 {
			mode = x.Modes[0]
		}
		if mode == "reused_label" {
			continue // the scans belong to the first package
		}
		s := byNum[x.TrackingNumber]
		if s == nil {
			t.Errorf("%s (%q): no events for %s", x.OrderID, mode, x.TrackingNumber)
			continue
		}
		switch mode {
		case "no_acceptance_scan", "cancel_after_ship":
			if s.physical != 0 {
				t.Errorf("%s (%s): %d physical events: %v", x.OrderID, mode, s.physical, s.classes)
			}
		case "lost", "single_scan":
			if s.physical != 1 {
				t.Errorf("%s (%s): %d physical events, want 1: %v", x.OrderID, mode, s.physical, s.classes)
			}
		}
		if x.DeliveredAt != "" && s.delivered == 0 {
			t.Errorf("%s (%q, %s %s): delivered at %s but no physical delivered event: %v", x.OrderID, mode, x.Carrier, x.TrackingNumber, x.DeliveredAt, s.classes)
		}
		if (x.DeliveredAt == "") != (mode == "no_acceptance_scan" || mode == "cancel_after_ship" || mode == "lost" || mode == "single_scan") {
			t.Errorf("%s (%q): delivered %q", x.OrderID, mode, x.DeliveredAt)
		}
		if s.physical > 0 && x.FirstScanAt != "" {
			if got := s.firstPhys.OccurredAt.Format(time.RFC3339); got != x.FirstScanAt {
				t.Errorf("%s (%q): first physical scan at %s, truth %s (%s %q)", x.OrderID, mode, got, x.FirstScanAt, s.firstPhys.Code, s.firstPhys.Description)
			}
			sf := shipFrom[x.ShipFromID]
			same := s.firstPhys.Location.State == sf.State && s.firstPhys.Location.Country == sf.Country
			consolidator := x.Origin == "CN" && mode == "unsupported_carrier" // first scanned at the US gateway
			if mode == "ship_from_mismatch" && same || mode != "ship_from_mismatch" && !same && !consolidator {
				t.Errorf("%s (%q): first scan in %s/%s, ship-from %s/%s", x.OrderID, mode,
					s.firstPhys.Location.State, s.firstPhys.Location.Country, sf.State, sf.Country)
			}
		}
	}
}

// Every scan template classifies as the simulator means it: labels and
// data notices are never physical, movements always are.
func TestScanClasses(t *testing.T) {
	for _, c := range allCarriers {
		for k := range numKinds {
			for _, sc := range c.scans[k] {
				owner := c
				reporter := ""
				res := classify.Classify(classify.Input{Carrier: owner.code, Reporter: reporter, Source: "native",
					Code: sc.code, TypeCode: sc.typeCode, Description: sc.desc, Status: sc.status, HasLocation: true})
				want := vtr.EventPhysical
				if k == kLabel || k == kLogical || sc.code == "OX" {
					want = ""
				}
				if want == vtr.EventPhysical && res.Class != vtr.EventPhysical || want == "" && res.Class == vtr.EventPhysical {
					t.Errorf("%s %q %q %q: class %s (rule %s)", c.code, sc.code, sc.typeCode, sc.desc, res.Class, res.Rule)
				}
			}
		}
	}
}

// The webhook payloads are one JSON object per line and parse with vtr's
// own adapters into the same scans as the native stream.
func TestWebhooks(t *testing.T) {
	cfg := tiny(9)
	_, _, st := run(t, cfg, Native)
	parsers := map[Format]func([]byte) ([]vtr.Event, error){
		AfterShip: aftership.Parse, EasyPost: easypost.Parse, Track17: track17.Parse,
	}
	for f, parse := range parsers {
		out, _, fst := run(t, cfg, f)
		if fst.Payloads != st.Events {
			t.Errorf("%s: %d payloads for %d events", f, fst.Payloads, st.Events)
		}
		lines := bytes.Split(bytes.TrimSuffix(out, []byte("\n")), []byte("\n"))
		if int64(len(lines)) != fst.Payloads {
			t.Errorf("%s: %d lines, %d payloads", f, len(lines), fst.Payloads)
		}
		physical := 0
		for i, l := range lines {
			if !json.Valid(l) {
				t.Fatalf("%s line %d: not JSON: %s", f, i+1, l)
			}
			evs, err := parse(l)
			if err != nil {
				t.Fatalf("%s line %d: %v\n%s", f, i+1, err, l)
			}
			if len(evs) == 0 {
				t.Fatalf("%s line %d: no events", f, i+1)
			}
			for _, e := range evs {
				if e.Class == vtr.EventPhysical {
					physical++
				}
			}
		}
		if physical == 0 {
			t.Errorf("%s: no physical scans at all", f)
		}
	}
}

// Memory is bounded by the packages in flight, which do not grow with the
// number of days.
func TestStreamingBounded(t *testing.T) {
	peak := func(days int) int {
		cfg := Config{Seed: 3, Sellers: 4, Days: days, Start: start, Workers: 1, Tail: 25}
		cfg, err := cfg.normalize()
		if err != nil {
			t.Fatal(err)
		}
		s := newSeller(&cfg, 0)
		w := newWorker(&cfg, Native, false, false)
		p := 0
		for d := range cfg.Days + cfg.Tail {
			w.run(&task{day: d, s: s})
			p = max(p, len(s.pending)+len(s.free))
		}
		return p
	}
	short, long := peak(20), peak(120)
	if long > short*3/2 {
		t.Errorf("packages held: %d for 20 days, %d for 120 days", short, long)
	}
}

func BenchmarkSimulate(b *testing.B) {
	cfg := Config{Seed: 1, Sellers: 20, Days: 10, Start: start}
	b.ReportAllocs()
	var events int64
	began := time.Now()
	for b.Loop() {
		st, err := Run(context.Background(), cfg, Output{Out: io.Discard})
		if err != nil {
			b.Fatal(err)
		}
		events += st.Events
	}
	b.ReportMetric(float64(events)/time.Since(began).Seconds(), "events/s")
	b.ReportMetric(float64(runtime.GOMAXPROCS(0)), "procs")
}
