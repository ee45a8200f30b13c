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
