package vtr_test

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/vtr-project/vtr"
)

// The summary of a set of events does not depend on the order they arrive
// in, nor on duplicates (tracking-events.md §11: duplicates and
// out-of-order deliveries are normal).
func TestSummaryOrderIndependent(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	t0 := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	statuses := []vtr.EventStatus{vtr.StatusPreTransit, vtr.StatusAccepted, vtr.StatusInTransit, vtr.StatusDeliveryAttempt, vtr.StatusDelivered, vtr.StatusException}
	for round := range 200 {
		var evs []vtr.Event
		for i := range 1 + r.IntN(12) {
			st := statuses[r.IntN(len(statuses))]
			e := vtr.Event{Carrier: "UPS", TrackingNumber: "1Z96F4R8D313969574", OccurredAt: t0.Add(time.Duration(r.IntN(20)) * time.Hour),
				Status: st, Class: st.DefaultClass(), Code: string(rune('A' + i)), OffsetKnown: true, OffsetSeconds: -3600 * r.IntN(8),
				Location: vtr.Location{City: []string{"A", "B"}[r.IntN(2)], Country: "US"}}
			e.ID = vtr.EventID(&e)
			evs = append(evs, e)
		}
		want := vtr.Summarize(evs)
		mixed := append([]vtr.Event(nil), evs...)
		for range r.IntN(len(evs) + 1) {
			mixed = append(mixed, evs[r.IntN(len(evs))])
		}
		r.Shuffle(len(mixed), func(i, j int) { mixed[i], mixed[j] = mixed[j], mixed[i] })
		if got := vtr.Summarize(mixed); got != want {
			t.Fatalf("round %d: shuffled and duplicated feed\n%+v\nordered feed\n%+v", round, got, want)
		}
		if want.Events != len(evs) {
			t.Fatalf("round %d: %d events counted, want %d", round, want.Events, len(evs))
		}
	}
}

func TestEventIDIgnoresFeed(t *testing.T) {
	e := vtr.Event{Carrier: "USPS", TrackingNumber: "9400111201080805483016", OccurredAt: time.Date(2026, 10, 1, 10, 0, 0, 0, time.UTC),
		Code: "03", Description: "USPS picked up item", Source: "aftership", SourceID: "a"}
	f := e
	f.Source, f.SourceID, f.Description = "17track", "b", "  usps PICKED up   item "
	if vtr.EventID(&e) != vtr.EventID(&f) {
		t.Error("the same scan from two feeds has two identities")
	}
	f.Description = "Arrived at USPS Facility"
	if vtr.EventID(&e) == vtr.EventID(&f) {
		t.Error("two scans at the same time and code with different descriptions collapse into one")
	}
}

// randomEvents makes n events of one number, at whole hours, with every
// status, and locations and offsets that tie.
func randomEvents(r *rand.Rand, n int) []vtr.Event {
	t0 := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	statuses := []vtr.EventStatus{vtr.StatusPreTransit, vtr.StatusAccepted, vtr.StatusInTransit, vtr.StatusDeliveryAttempt, vtr.StatusDelivered, vtr.StatusException}
	classes := []vtr.EventClass{vtr.EventUnknown, vtr.EventPhysical, vtr.EventElectronic, vtr.EventLogical}
	evs := make([]vtr.Event, 0, n)
	for i := range n {
		st := statuses[r.IntN(len(statuses))]
		e := vtr.Event{Carrier: "UPS", TrackingNumber: "1Z96F4R8D313969574", OccurredAt: t0.Add(time.Duration(r.IntN(8)) * time.Hour),
			Status: st, Class: st.DefaultClass(), Code: string(rune('A' + i)), OffsetKnown: r.IntN(4) > 0, OffsetSeconds: -3600 * r.IntN(3),
			Location: vtr.Location{City: []string{"A", "B"}[r.IntN(2)], Country: "US"}}
		if r.IntN(3) == 0 {
			e.Class = classes[r.IntN(len(classes))]
		}
		e.ID = vtr.EventID(&e)
		evs = append(evs, e)
	}
	return evs
}

// Merging the summaries of two parts of a set of events gives the
// summary of the whole set, however it is split: an engine merges a
// chunk's summary into the stored one by this rule.
func TestSummaryMerge(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for round := range 2000 {
		evs := randomEvents(r, r.IntN(14))
		cut := r.IntN(len(evs) + 1)
		a, b := vtr.Summarize(evs[:cut]), vtr.Summarize(evs[cut:])
		a.Merge(&b)
		if want := vtr.Summarize(evs); a != want {
			t.Fatalf("round %d, split at %d of %d:\nmerged %+v\nwhole  %+v", round, cut, len(evs), a, want)
		}
	}
	// An empty summary changes nothing, either way.
	s := vtr.Summarize(randomEvents(r, 5))
	var empty vtr.ScanSummary
	got := s
	got.Merge(&empty)
	empty.Merge(&s)
	if got != s || empty != s {
		t.Fatalf("merging an empty summary: %+v and %+v, want %+v", got, empty, s)
	}
}

// JudgedChangedBy is true whenever a merge changes the part of a summary
// the verdicts read; a scan past the capped count is not.
func TestJudgedChangedBy(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	changes := 0
	for round := range 5000 {
		maxScans := r.IntN(4)
		evs := randomEvents(r, r.IntN(12))
		cut := r.IntN(len(evs) + 1)
		before, delta := vtr.Summarize(evs[:cut]), vtr.Summarize(evs[cut:])
		merged := before
		merged.Merge(&delta)
		changed := !sameJudged(before.Judged(maxScans), merged.Judged(maxScans))
		if changed {
			changes++
		}
		if changed && !merged.JudgedChangedBy(&delta, maxScans) {
			t.Fatalf("round %d (max %d): judged part changed from\n%+v\nto\n%+v\nby %+v, and JudgedChangedBy says not", round, maxScans, before, merged, delta)
		}
	}
	if changes < 1000 {
		t.Fatalf("only %d of 5000 merges changed the judged part: the test is too weak", changes)
	}
	// Two in-transit scans after the third: nothing a verdict reads moves.
	evs := randomEvents(r, 0)
	at := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	for i := range 5 {
		e := vtr.Event{TrackingNumber: "1Z96F4R8D313969574", OccurredAt: at.Add(time.Duration(i) * time.Hour), Status: vtr.StatusInTransit,
			Class: vtr.EventPhysical, Code: string(rune('a' + i))}
		e.ID = vtr.EventID(&e)
		evs = append(evs, e)
	}
	before, delta := vtr.Summarize(evs[:3]), vtr.Summarize(evs[3:])
	merged := before
	merged.Merge(&delta)
	if merged.JudgedChangedBy(&delta, 3) {
		t.Fatalf("a fourth and fifth in-transit scan, later than the first, said to change what is judged")
	}
	if !merged.JudgedChangedBy(&delta, 5) {
		t.Fatalf("a fourth and fifth physical scan, with five required, said to change nothing judged")
	}
}

func sameJudged(a, b vtr.ScanSummary) bool {
	return a.Events == b.Events && a.Physical == b.Physical && a.FirstEventAt.Equal(b.FirstEventAt) &&
		a.FirstPhysicalAt.Equal(b.FirstPhysicalAt) && a.FirstPhysicalID == b.FirstPhysicalID && a.FirstPhysicalLocation == b.FirstPhysicalLocation &&
		a.DeliveredAt.Equal(b.DeliveredAt) && a.DeliveredOffset == b.DeliveredOffset && a.AttemptedAt.Equal(b.AttemptedAt)
}
