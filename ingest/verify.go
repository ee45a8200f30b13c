package ingest

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/engine"
)

// Verify recomputes every scan summary, package state, verdict and
// aggregate from the raw sellers, orders, shipments and events alone, in
// one read transaction, and returns every difference from what is
// stored. It also checks that no parked record waits for an order that
// exists. It holds the recomputation in memory (one entry per tracking
// number, package and aggregate row).
func (s *Store) Verify(ctx context.Context) ([]vtr.Difference, error) {
	tx, err := s.eng.BeginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	var diffs []vtr.Difference
	add := func(what, key string, stored, want any) {
		diffs = append(diffs, vtr.Difference{What: what, Key: key, Stored: fmt.Sprint(stored), Want: fmt.Sprint(want)})
	}
	b := newBatch(s, tx)
	b.verify = true

	// 1. Scan summaries, from the events.
	if err := tx.EachEvent(ctx, func(e *vtr.Event) error {
		sum, _ := b.summary(ctx, e.TrackingNumber)
		sum.Add(e)
		return nil
	}); err != nil {
		return nil, err
	}
	stored := map[string]bool{}
	if err := tx.EachSummary(ctx, func(num string, got *vtr.ScanSummary) error {
		stored[num] = true
		want, ok := b.summaries[num]
		switch {
		case !ok:
			add("scan_summary", num, summaryString(got), "absent")
		case summaryString(got) != summaryString(want):
			add("scan_summary", num, summaryString(got), summaryString(want))
		}
		return nil
	}); err != nil {
		return nil, err
	}
	for num, want := range b.summaries {
		if !stored[num] {
			add("scan_summary", num, "absent", summaryString(want))
		}
	}

	// 2. Package state from the shipment history, verdicts, aggregates.
	var keys []PackageKey
	if err := tx.EachPackage(ctx, func(k PackageKey) error { keys = append(keys, k); return nil }); err != nil {
		return nil, err
	}
	firstShipped := map[orderKey]time.Time{}
	want := map[DailyKey]*Tally{}
	wantReasons := map[ReasonKey]int{}
	for i, k := range keys {
		if i%verifyChunk == 0 {
			// The next packages' orders, packages and histories in a few
			// statements; the previous chunk's are let go.
			b.orders, b.pkgs, b.hist, b.orderPkgs = map[orderKey]*orderEntry{}, map[PackageKey]*Package{}, map[PackageKey][]ShipmentRow{}, map[orderKey][]string{}
			b.histLoaded = map[orderKey]bool{}
			b.numOrders = map[string][]NumberOrder{}
			if err := b.loadFacts(ctx, keys[i:min(i+verifyChunk, len(keys))]); err != nil {
				return nil, err
			}
		}
		key := fmt.Sprintf("%s/%s/%s", k.Seller, k.Order, k.Package)
		hist := b.hist[k]
		for _, h := range hist {
			ok := orderKey{k.Seller, k.Order}
			if t, seen := firstShipped[ok]; !seen || h.Shipment.ShippedAt.Before(t) {
				firstShipped[ok] = h.Shipment.ShippedAt
			}
		}
		pkg, f, err := b.facts(ctx, k)
		if err != nil {
			return nil, err
		}
		d := Derive(k, hist)
		if d.Tracking != pkg.Tracking || d.CurSeq != pkg.CurSeq || d.Edits != pkg.Edits || !d.FirstUploadedAt.Equal(pkg.FirstUploadedAt) ||
			!sameShipment(d.Current, pkg.Current) {
			add("package", key, fmt.Sprintf("number %q, current #%d, %d edits, first upload %s", pkg.Tracking, pkg.CurSeq, pkg.Edits, pkg.FirstUploadedAt.Format(time.RFC3339)),
				fmt.Sprintf("number %q, current #%d, %d edits, first upload %s", d.Tracking, d.CurSeq, d.Edits, d.FirstUploadedAt.Format(time.RFC3339)))
		}
		f.Shipment, f.Edits, f.FirstUploadedAt = d.Current, d.Edits, d.FirstUploadedAt
		if d.Tracking != pkg.Tracking {
			f.Scans = vtr.ScanSummary{}
			if d.Tracking != "" {
				sum, _ := b.summary(ctx, d.Tracking)
				f.Scans = *sum
			}
		}
		now, err := b.judge(f)
		if err != nil {
			return nil, err
		}
		if now.Outcome != pkg.Counted.Outcome || now.Reasons != pkg.Counted.Reasons {
			add("verdict", key, pkg.Counted.Outcome+" "+pkg.Counted.Reasons, now.Outcome+" "+now.Reasons)
		}
		addTally(want, countedKey(k, &now), vtr.VerdictStatus(now.Outcome), now.Delivered, now.OnTime, +1)
		addReasons(wantReasons, k.Seller, &now, +1)
	}
	got := map[DailyKey]Tally{}
	if err := tx.EachDaily(ctx, func(d *DailyDelta) error { got[d.Key] = d.Tally; return nil }); err != nil {
		return nil, err
	}
	for k, w := range want {
		if *w != (Tally{}) && got[k] != *w {
			add("vtr_daily", fmt.Sprint(k), fmt.Sprintf("%+v", got[k]), fmt.Sprintf("%+v", *w))
		}
	}
	for k, g := range got {
		if w := want[k]; w == nil || *w == (Tally{}) {
			add("vtr_daily", fmt.Sprint(k), fmt.Sprintf("%+v", g), "absent")
		}
	}
	gotReasons := map[ReasonKey]int{}
	if err := tx.EachReasonDaily(ctx, func(d *ReasonDelta) error { gotReasons[d.Key] = d.Invalid; return nil }); err != nil {
		return nil, err
	}
	for k, w := range wantReasons {
		if w != 0 && gotReasons[k] != w {
			add("reason_daily", fmt.Sprint(k), fmt.Sprint(gotReasons[k]), fmt.Sprint(w))
		}
	}
	for k, g := range gotReasons {
		if wantReasons[k] == 0 {
			add("reason_daily", fmt.Sprint(k), fmt.Sprint(g), "absent")
		}
	}

	// 3. Orders: the first ship time, and the order-level aggregates.
	wantOrd := map[OrderKey][2]int{}
	orderIDs := map[string]bool{}
	orderKeys := map[orderKey]bool{}
	if err := tx.EachOrder(ctx, func(st *OrderState) error {
		o := &st.Order
		orderIDs[o.ID], orderKeys[orderKey{o.SellerID, o.ID}] = true, true
		first := firstShipped[orderKey{o.SellerID, o.ID}]
		if !first.Equal(st.FirstShippedAt) {
			add("order first_shipped_at", o.SellerID+"/"+o.ID, st.FirstShippedAt.Format(time.RFC3339), first.Format(time.RFC3339))
		}
		for _, c := range engine.OrderCounts(&engine.OrderFacts{Order: *o, FirstShippedAt: first, Cancellation: st.Cancellation}) {
			k := OrderKey{o.SellerID, o.Policy, c.Kind, DayNum(c.Day)}
			d := wantOrd[k]
			wantOrd[k] = [2]int{d[0] + c.Total, d[1] + c.Hits}
		}
		return nil
	}); err != nil {
		return nil, err
	}
	gotOrd := map[OrderKey][2]int{}
	if err := tx.EachOrderDaily(ctx, func(d *OrderDelta) error { gotOrd[d.Key] = [2]int{d.Total, d.Hits}; return nil }); err != nil {
		return nil, err
	}
	for k, w := range wantOrd {
		if w != [2]int{} && gotOrd[k] != w {
			add("order_daily", fmt.Sprint(k), gotOrd[k], w)
		}
	}
	for k, g := range gotOrd {
		if w := wantOrd[k]; w == [2]int{} {
			add("order_daily", fmt.Sprint(k), g, "absent")
		}
	}

	// 4. Parked records wait only for orders that do not exist.
	if err := tx.EachOrphan(ctx, func(o *Orphan) error {
		if o.SellerID != "" && orderKeys[orderKey{o.SellerID, o.OrderID}] || o.SellerID == "" && orderIDs[o.OrderID] {
			add("orphan", o.SellerID+"/"+o.OrderID, "waiting for its order", "the order exists: the "+o.Kind+" should have been applied")
		}
		return nil
	}); err != nil {
		return nil, err
	}
	sort.Slice(diffs, func(i, j int) bool { return diffs[i].What+diffs[i].Key < diffs[j].What+diffs[j].Key })
	return diffs, nil
}

// verifyChunk is how many packages Verify reads the facts of at once.
const verifyChunk = 1000

func summaryString(s *vtr.ScanSummary) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// sameShipment reports whether two confirmations are equal, times by
// instant.
func sameShipment(a, b vtr.Shipment) bool {
	if !a.ShippedAt.Equal(b.ShippedAt) || !a.UploadedAt.Equal(b.UploadedAt) {
		return false
	}
	a.ShippedAt, a.UploadedAt, b.ShippedAt, b.UploadedAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	return a == b
}
