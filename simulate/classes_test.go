package simulate

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/aftership"
	"github.com/vtr-project/vtr/easypost"
	"github.com/vtr-project/vtr/native"
	"github.com/vtr-project/vtr/track17"
)

// These tests hold the simulator and vtr's classification tables together:
// every event the simulator emits, in every output format, decoded by
// vtr's own decoders, gets a class other than unknown, except the ones the
// aggregators deliberately leave in their catch-all bucket.

// parsers are vtr's webhook adapters, one per webhook format.
var parsers = map[Format]func([]byte) ([]vtr.Event, error){
	AfterShip: aftership.Parse, EasyPost: easypost.Parse, Track17: track17.Parse,
}

// decodeEvents decodes the main output of a simulation in format f with
// vtr's decoders. A webhook payload repeats every earlier event of its
// tracking, so events are deduplicated by ID; the second result is the
// number of payloads (or event lines) read.
func decodeEvents(t testing.TB, f Format, out []byte) ([]vtr.Event, int) {
	t.Helper()
	var evs []vtr.Event
	n := 0
	if f == Native {
		dec := native.NewDecoder(bytes.NewReader(out), func() time.Time { return start })
		for {
			rec, err := dec.Next()
			if err == io.EOF {
				break
			}
			var le *native.LineError
			if errors.As(err, &le) {
				t.Fatalf("native: %v", le)
			}
			if err != nil {
				t.Fatal(err)
			}
			if rec.Event != nil {
				evs = append(evs, *rec.Event)
				n++
			}
		}
		return evs, n
	}
	parse := parsers[f]
	seen := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 16<<20)
	for sc.Scan() {
		n++
		got, err := parse(sc.Bytes())
		if err != nil {
			t.Fatalf("%s payload %d: %v", f, n, err)
		}
		for _, e := range got {
			if !seen[e.ID] {
				seen[e.ID] = true
				evs = append(evs, e)
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return evs, n
}

// catchAll is the sub-status an aggregator gives an in-transit checkpoint
// it cannot place: AfterShip InTransit_001, 17TRACK InTransit_Other. The
// simulator labels hand-offs to the last mile with it (AfterShip does so
// for partner rows, tracking-events.md §1.5), and 17TRACK also export-hub
// scans (aggrByKind); §9 lists both as ambiguous. Without a raw carrier
// code such an event is deliberately unclassifiable: vtr fails closed, and
// only a description phrase may still show it is electronic or logical.
var catchAll = map[Format]string{AfterShip: "InTransit_001", Track17: "InTransit_Other"}

// ambiguous reports whether e is such a deliberately unclassifiable
// event. The adapters put the aggregator's sub-status in TypeCode and the
// raw carrier code (AfterShip raw_tag) in Code.
func ambiguous(f Format, e *vtr.Event) bool {
	sub, ok := catchAll[f]
	return ok && e.TypeCode == sub && e.Code == ""
}

// classCount tallies one format's events.
type classCount struct {
	events, unknown, ambiguous int
}

// checkClass reports an event whose class contradicts what the simulator
// means: unknown where the tables should decide, or anything but unknown
// (or a description phrase's electronic or logical class) for a
// deliberately ambiguous one.
func checkClass(t *testing.T, f Format, e *vtr.Event, n *classCount) {
	t.Helper()
	n.events++
	if e.Class == vtr.EventUnknown {
		n.unknown++
	}
	what := fmt.Sprintf("%s: %s (reported by %q) code %q type %q %q", f, e.Carrier, e.ReportedBy, e.Code, e.TypeCode, e.Description)
	if ambiguous(f, e) {
		n.ambiguous++
		if e.Class != vtr.EventUnknown && !strings.HasPrefix(e.ClassRule, "text:") {
			t.Errorf("%s: class %s (rule %s), want unknown: an aggregator's catch-all bucket without a raw code is no evidence", what, e.Class, e.ClassRule)
		}
		return
	}
	if e.Class == vtr.EventUnknown {
		t.Errorf("%s: class unknown (rule %s)", what, e.ClassRule)
	}
}

// Every event a simulation emits, in every format, classifies: a world
// with every failure mode at 5%, US and China sellers, decoded with vtr's
// own decoders.
func TestEmittedEventsClassify(t *testing.T) {
	if testing.Short() {
		t.Skip("simulates a world in four formats")
	}
	// This seed also draws the rare rows: a UPS and a DHL delivery attempt,
	// UPS customs holds (TestScanTemplatesClassify covers them whatever
	// the seed).
	cfg := Config{Seed: 94, Sellers: 16, Days: 1, Start: start, OrdersPerDay: 15, ChinaShare: 0.5, Tail: 25}
	r := Uniform(0.05)
	cfg.Rates = &r
	// Each simulated carrier has at least this many events in each format
	// (the one this seed draws least has 18).
	const minPerCarrier = 10
	for _, f := range Formats {
		out, tb, st := run(t, cfg, f)
		owner := map[string]string{} // tracking number → simulated carrier
		modes := map[string]int{}
		for _, x := range readTruth(t, tb) {
			owner[x.TrackingNumber] = x.Carrier
			for _, m := range x.Modes {
				modes[m]++
			}
		}
		for _, m := range Modes() {
			if modes[m.String()] == 0 {
				t.Errorf("%s: no package with failure mode %s", f, m)
			}
		}
		evs, lines := decodeEvents(t, f, out)
		if int64(lines) != st.Events || int64(len(evs)) != st.Events {
			t.Errorf("%s: %d lines, %d distinct events decoded, %d emitted", f, lines, len(evs), st.Events)
		}
		var n classCount
		perCarrier := map[string]int{}
		for i := range evs {
			e := &evs[i]
			checkClass(t, f, e, &n)
			perCarrier[owner[e.TrackingNumber]]++
		}
		for _, c := range allCarriers {
			if perCarrier[c.code] < minPerCarrier {
				t.Errorf("%s: %d events of %s, want at least %d", f, perCarrier[c.code], c.code, minPerCarrier)
			}
		}
		if _, ok := catchAll[f]; ok && n.ambiguous == 0 {
			t.Errorf("%s: no event in the aggregator's catch-all bucket: the exception is untested", f)
		}
		t.Logf("%-9s %6d events, %4d unknown, %4d of them deliberately ambiguous", f, n.events, n.unknown, n.ambiguous)
	}
}

// Every scan template of every carrier, as its owner and as the last mile
// of another carrier's parcel, classifies in every format: this covers the
// rare templates (delivery attempts, customs holds) a small simulation
// may never draw.
func TestScanTemplatesClassify(t *testing.T) {
	cfg, err := Config{Seed: 1, Sellers: 1, Days: 1, Start: start}.normalize()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range Formats {
		s := newSeller(&cfg, 0)
		w := newWorker(&cfg, f, false, false)
		tk := &task{s: s}
		w.t = tk
		w.outW.b, w.recW.b = &tk.out, &tk.recs
		var n classCount
		templates := 0
		for _, owner := range allCarriers {
			for _, by := range []*carrier{owner, owner.lastMile} {
				if by == nil {
					continue
				}
				for k := range numKinds {
					if by != owner && (k == kLabel || k == kAccept) {
						continue // the last mile reports only what follows the hand-off
					}
					for i := range by.scans[k] {
						sc := &by.scans[k][i]
						templates++
						p := s.newPkg()
						p.c, p.number = owner, s.number(w, owner, false)
						p.from, p.to = s.from[0], usCities[0]
						at := cfg.Start.Unix() + 12*hour
						label, _ := scanOf(s.rng, owner, kLabel)
						p.acts = append(p.acts, act{at: at, what: aEvent, sc: label, by: owner, pl: p.from, noLoc: !owner.labelLoc})
						if k != kLabel || by != owner {
							at += 6 * hour
							p.acts = append(p.acts, act{at: at, what: aEvent, sc: sc, by: by, pl: p.to})
						} else {
							p.acts[0].sc = sc
						}
						tk.out = tk.out[:0]
						for j := range p.acts {
							if f == Native || j == len(p.acts)-1 {
								if err := w.emit(p, j); err != nil {
									t.Fatal(err)
								}
							}
						}
						if err := w.enc.Flush(); err != nil {
							t.Fatal(err)
						}
						evs, _ := decodeEvents(t, f, tk.out)
						// The template's event is the last act's: the one with
						// its wording (EasyPost's datetime is local time, so
						// the instant cannot tell).
						found := false
						for j := range evs {
							if e := &evs[j]; e.Description == sc.desc {
								found = true
								checkClass(t, f, e, &n)
							}
						}
						if !found {
							t.Errorf("%s: %s template %q %q %q (reported by %s): no event decoded", f, owner.code, sc.code, sc.typeCode, sc.desc, by.code)
						}
					}
				}
			}
		}
		if n.events != templates {
			t.Errorf("%s: %d events for %d templates", f, n.events, templates)
		}
		t.Logf("%-9s %4d templates, %3d unknown, %3d of them deliberately ambiguous", f, templates, n.unknown, n.ambiguous)
	}
}
