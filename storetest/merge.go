package storetest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/ingest"
)

// RunSummaryMerge checks that the engine merges scan summaries in
// storage as vtr.ScanSummary.Merge does: random deltas, with times that
// tie and IDs whose byte order is not a language's order ("B" < "a",
// "a-b" < "ab"), are merged round after round (MergeSummaries), and
// what it returns, and then what Summaries reads, equals Go's merge of
// the same deltas. eng is open on an empty database.
func RunSummaryMerge(t *testing.T, eng ingest.Engine) {
	ctx := context.Background()
	r := rand.New(rand.NewPCG(7, 8))
	t0 := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	ids := []string{"B", "a", "a-b", "ab", "Z9", "z", "é", "e", "ä", "_"}
	at := func() time.Time {
		if r.IntN(4) == 0 {
			return time.Time{}
		}
		return t0.Add(time.Duration(r.IntN(3)) * time.Hour)
	}
	delta := func() *vtr.ScanSummary {
		s := &vtr.ScanSummary{Events: 1 + r.IntN(3), Physical: r.IntN(3), Unknown: r.IntN(2),
			FirstEventAt: at(), FirstPhysicalAt: at(), FirstPhysicalID: ids[r.IntN(len(ids))],
			DeliveredAt: at(), AttemptedAt: at(), DeliveredOffset: -3600 * r.IntN(3),
			LastStatus: []vtr.EventStatus{vtr.StatusInTransit, vtr.StatusDelivered}[r.IntN(2)], LastAt: at(), LastID: ids[r.IntN(len(ids))]}
		s.FirstPhysicalLocation = vtr.Location{City: ids[r.IntN(len(ids))], State: "CA", PostalCode: fmt.Sprint(r.IntN(3)), Country: "US"}
		// A summary of events holds no ID, place or offset without its
		// time: merged into an empty one, s drops those.
		var d vtr.ScanSummary
		d.Merge(s)
		return &d
	}
	// 40 rounds over 8 numbers, then two over 1,500 (a batch's many
	// deltas, which an engine may send another way).
	nums := []string{"N1", "N2", "N3", "N4", "N5", "N6", "N7", "N8"}
	many := make([]string, 1500)
	for i := range many {
		many[i] = fmt.Sprintf("M%04d", i)
	}
	want := map[string]*vtr.ScanSummary{}
	merges := 0
	for round := range 42 {
		tx, err := eng.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		these := nums
		if round >= 40 {
			these = many
		}
		var deltas []ingest.NumberSummary
		for _, n := range these {
			if round >= 40 || r.IntN(3) > 0 {
				d := delta()
				deltas = append(deltas, ingest.NumberSummary{Num: n, Summary: d})
				if want[n] == nil {
					want[n] = &vtr.ScanSummary{}
				} else {
					merges++
				}
				want[n].Merge(d)
			}
		}
		merged, err := tx.MergeSummaries(ctx, deltas)
		if err != nil {
			tx.Rollback()
			t.Fatalf("round %d: %v", round, err)
		}
		if len(merged) != len(deltas) {
			t.Errorf("round %d: %d summaries returned for %d deltas", round, len(merged), len(deltas))
		}
		for _, d := range deltas {
			got := merged[d.Num]
			if !sameSummary(&got, want[d.Num]) {
				tx.Rollback()
				t.Fatalf("round %d, %s: merged\n%+v\nwant (Go's merge)\n%+v", round, d.Num, got, *want[d.Num])
			}
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	if merges < 1500+100 {
		t.Fatalf("only %d merges into a stored summary: the test is too weak", merges)
	}
	tx, err := eng.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	stored, err := tx.Summaries(ctx, append(nums, many...))
	if err != nil {
		t.Fatal(err)
	}
	for n, w := range want {
		got := stored[n]
		if !sameSummary(&got, w) {
			t.Errorf("%s: stored\n%+v\nwant\n%+v", n, got, *w)
		}
	}
}

// sameSummary compares summaries, their times as instants.
func sameSummary(a, b *vtr.ScanSummary) bool {
	return a.Events == b.Events && a.Physical == b.Physical && a.Unknown == b.Unknown && a.FirstEventAt.Equal(b.FirstEventAt) &&
		a.FirstPhysicalAt.Equal(b.FirstPhysicalAt) && a.FirstPhysicalID == b.FirstPhysicalID && a.FirstPhysicalLocation == b.FirstPhysicalLocation &&
		a.DeliveredAt.Equal(b.DeliveredAt) && a.AttemptedAt.Equal(b.AttemptedAt) && a.DeliveredOffset == b.DeliveredOffset &&
		a.LastStatus == b.LastStatus && a.LastAt.Equal(b.LastAt) && a.LastID == b.LastID
}
