package sqlite

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/engine"
)

// Difference is one difference found by Verify.
type Difference = vtr.Difference

// Verify recomputes every scan summary, package verdict and aggregate from
// the raw sellers, orders, shipments and events alone, and returns every
// difference from what is stored. It holds the per-key recomputation in
// memory (one entry per tracking number and per aggregate row).
func (s *Store) Verify(ctx context.Context) ([]Difference, error) {
	var diffs []Difference
	add := func(what, key string, stored, want any) {
		diffs = append(diffs, Difference{What: what, Key: key, Stored: fmt.Sprint(stored), Want: fmt.Sprint(want)})
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	b := newBatch(s, tx)

	// 1. Scan summaries, from the events.
	sums := map[string]*vtr.ScanSummary{}
	rows, err := tx.QueryContext(ctx, `SELECT tracking_norm, event_id, occurred_at, utc_offset, offset_known, status, class, city, state, postal_code, country FROM events`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var e vtr.Event
		var at int64
		var status, class string
		if err := rows.Scan(&e.TrackingNumber, &e.ID, &at, &e.OffsetSeconds, &e.OffsetKnown, &status, &class, &e.Location.City, &e.Location.State, &e.Location.PostalCode, &e.Location.Country); err != nil {
			rows.Close()
			return nil, err
		}
		e.OccurredAt, e.Status, e.Class = fromUnix(at), vtr.EventStatus(status), vtr.EventClass(class)
		if sums[e.TrackingNumber] == nil {
			sums[e.TrackingNumber] = &vtr.ScanSummary{}
		}
		sums[e.TrackingNumber].Add(&e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for num, want := range sums {
		got, err := b.summary(ctx, num) // the stored one
		if err != nil {
			return nil, err
		}
		if got.isNew {
			add("scan_summary", num, "missing", summaryString(want))
		} else if summaryString(&got.s) != summaryString(want) {
			add("scan_summary", num, summaryString(&got.s), summaryString(want))
		}
		got.s = *want // judge below with the recomputed summary
	}
	var nSums int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM scan_summaries`).Scan(&nSums); err != nil {
		return nil, err
	}
	if nSums != len(sums) {
		add("scan_summaries", "count", nSums, len(sums))
	}

	// 2. Package facts from the shipment history, verdicts, aggregates.
	var keys []pkgKey
	prow, err := tx.QueryContext(ctx, `SELECT seller_id, order_id, package_id FROM packages ORDER BY seller_id, order_id, package_id`)
	if err != nil {
		return nil, err
	}
	for prow.Next() {
		var k pkgKey
		if err := prow.Scan(&k.seller, &k.order, &k.pkg); err != nil {
			prow.Close()
			return nil, err
		}
		keys = append(keys, k)
	}
	prow.Close()
	want := map[aggKey]*aggVal{}
	for _, k := range keys {
		f, old, err := b.facts(ctx, k)
		if err != nil {
			return nil, err
		}
		key := fmt.Sprintf("%s/%s/%s", k.seller, k.order, k.pkg)
		if err := recomputeShipment(ctx, b, k, f, func(what string, stored, want any) { add(what, key, stored, want) }); err != nil {
			return nil, err
		}
		p, err := s.Policies.Get(f.Order.Policy)
		if err != nil {
			return nil, err
		}
		v := engine.Judge(p, f, time.Time{})
		carrier := v.Carrier
		if carrier == "" {
			carrier = f.Shipment.Carrier
		}
		if old.outcome != string(v.Outcome) {
			add("verdict", key, old.outcome, v.Outcome)
		}
		ak := aggKey{k.seller, p.ID, dayNum(v.IncludedOn), f.Order.Category, carrier, f.Shipment.ShipFromID}
		if want[ak] == nil {
			want[ak] = &aggVal{}
		}
		want[ak].add(string(v.Outcome), v.Delivered, v.OnTime, +1)
	}
	got := map[aggKey]aggVal{}
	arows, err := tx.QueryContext(ctx, `SELECT seller_id, policy, day, category, carrier, ship_from_id, valid, invalid, exempt, delivered, on_time FROM vtr_daily`)
	if err != nil {
		return nil, err
	}
	for arows.Next() {
		var k aggKey
		var v aggVal
		if err := arows.Scan(&k.seller, &k.policy, &k.day, &k.category, &k.carrier, &k.shipFrom, &v.valid, &v.invalid, &v.exempt, &v.delivered, &v.onTime); err != nil {
			arows.Close()
			return nil, err
		}
		got[k] = v
	}
	arows.Close()
	for k, w := range want {
		if *w != (aggVal{}) && got[k] != *w {
			add("vtr_daily", fmt.Sprint(k), fmt.Sprintf("%+v", got[k]), fmt.Sprintf("%+v", *w))
		}
	}
	for k, g := range got {
		if w := want[k]; w == nil || *w == (aggVal{}) {
			add("vtr_daily", fmt.Sprint(k), fmt.Sprintf("%+v", g), "absent")
		}
	}

	// 3. Order aggregates, from orders and their first shipment.
	wantOrd := map[ordKey][2]int{}
	orows, err := tx.QueryContext(ctx, `SELECT o.order_id, COALESCE((SELECT MIN(shipped_at) FROM shipments s WHERE s.seller_id = o.seller_id AND s.order_id = o.order_id), 0) FROM orders o`)
	if err != nil {
		return nil, err
	}
	firsts := map[string]int64{}
	for orows.Next() {
		var id string
		var first int64
		if err := orows.Scan(&id, &first); err != nil {
			orows.Close()
			return nil, err
		}
		firsts[id] = first
	}
	orows.Close()
	for id, first := range firsts {
		r, err := b.order(ctx, id)
		if err != nil {
			return nil, err
		}
		for _, c := range engine.OrderCounts(&engine.OrderFacts{Order: r.o, FirstShippedAt: fromUnix(first), Cancellation: r.cancel}) {
			k := ordKey{r.o.SellerID, r.o.Policy, c.Kind, dayNum(c.Day)}
			d := wantOrd[k]
			wantOrd[k] = [2]int{d[0] + c.Total, d[1] + c.Hits}
		}
	}
	gotOrd := map[ordKey][2]int{}
	grows, err := tx.QueryContext(ctx, `SELECT seller_id, policy, kind, day, total, hits FROM order_daily`)
	if err != nil {
		return nil, err
	}
	for grows.Next() {
		var k ordKey
		var t, h int
		if err := grows.Scan(&k.seller, &k.policy, &k.kind, &k.day, &t, &h); err != nil {
			grows.Close()
			return nil, err
		}
		gotOrd[k] = [2]int{t, h}
	}
	grows.Close()
	for k, w := range wantOrd {
		if w != [2]int{} && gotOrd[k] != w {
			add("order_daily", fmt.Sprint(k), gotOrd[k], w)
		}
	}
	for k, g := range gotOrd {
		if _, ok := wantOrd[k]; !ok {
			add("order_daily", fmt.Sprint(k), g, "absent")
		}
	}
	sort.Slice(diffs, func(i, j int) bool { return diffs[i].What+diffs[i].Key < diffs[j].What+diffs[j].Key })
	return diffs, nil
}

// recomputeShipment rederives a package's current confirmation, first
// upload and edit count from its shipment history, reports differences
// from the stored package row, and puts the recomputed values in f.
func recomputeShipment(ctx context.Context, b *batch, k pkgKey, f *vtr.PackageFacts, diff func(what string, stored, want any)) error {
	rows, err := b.tx.QueryContext(ctx, `SELECT seq, carrier, carrier_name, tracking_number, ship_method, ship_from_id, shipped_at, uploaded_at
		FROM shipments WHERE seller_id = ? AND order_id = ? AND package_id = ? ORDER BY uploaded_at DESC, seq DESC`, k.seller, k.order, k.pkg)
	if err != nil {
		return err
	}
	defer rows.Close()
	n := 0
	var first int64
	for rows.Next() {
		var sh vtr.Shipment
		var seq, shipped, uploaded int64
		if err := rows.Scan(&seq, &sh.Carrier, &sh.CarrierName, &sh.TrackingNumber, &sh.ShipMethod, &sh.ShipFromID, &shipped, &uploaded); err != nil {
			return err
		}
		if n == 0 {
			sh.OrderID, sh.PackageID, sh.ShippedAt, sh.UploadedAt = k.order, k.pkg, fromUnix(shipped), fromUnix(uploaded)
			if sh != f.Shipment {
				diff("current_shipment", fmt.Sprintf("%+v", f.Shipment), fmt.Sprintf("%+v", sh))
			}
			f.Shipment = sh
		}
		first = uploaded
		n++
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if n-1 != f.Edits {
		diff("edits", f.Edits, n-1)
		f.Edits = n - 1
	}
	if fromUnix(first) != f.FirstUploadedAt {
		diff("first_uploaded_at", f.FirstUploadedAt, fromUnix(first))
		f.FirstUploadedAt = fromUnix(first)
	}
	return nil
}

func summaryString(s *vtr.ScanSummary) string {
	b, _ := json.Marshal(s)
	return string(b)
}
