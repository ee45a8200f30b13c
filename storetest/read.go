package storetest

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/ingest"
)

// RunRead checks an engine's Tx.Read (the reads a batch makes
// together, in one call) against the same reads made
// one by one, on a database holding a workload, a parked record and an
// order written in the same transaction just before the read (which the
// read must see). eng is open on an empty database.
func RunRead(t *testing.T, eng ingest.Engine) {
	ctx := context.Background()
	recs := Workload(3, 300)
	shipped := time.Date(2026, 10, 2, 15, 0, 0, 0, time.UTC)
	const parked = "111-9999999-9999999" // a shipment whose order never comes
	recs = append(recs, vtr.Record{Type: "shipment", Shipment: &vtr.Shipment{SellerID: "S1", OrderID: parked, PackageID: "P1",
		Carrier: "UPS", TrackingNumber: "1Z96F4R8D313969574", ShippedAt: shipped, UploadedAt: shipped}})
	records(t, ingest.New(eng, nil), recs)

	var refs []ingest.OrderRef
	var ids []string
	for _, r := range recs {
		if r.Order != nil {
			refs = append(refs, ingest.OrderRef{Seller: r.Order.SellerID, Order: r.Order.ID})
			ids = append(ids, r.Order.ID)
		}
	}
	fresh := &ingest.OrderState{Order: vtr.Order{ID: "111-8888888-8888888", SellerID: "S2", Policy: "amazon-us", PurchasedAt: shipped,
		Category: "Books", Value: vtr.Money{Minor: 1999, Currency: "USD"}, ShipTo: vtr.Location{Country: "US", PostalCode: "10001"},
		ShipBy: shipped.Add(24 * time.Hour), DeliverBy: shipped.Add(96 * time.Hour)}}
	refs = append(refs, ingest.OrderRef{Seller: "S2", Order: fresh.Order.ID}, ingest.OrderRef{Seller: "S9", Order: "no-such-order"})
	ids = append(ids, fresh.Order.ID, parked, "no-such-order")

	tx, err := eng.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if err := tx.PutOrders(ctx, []*ingest.OrderState{fresh}); err != nil {
		t.Fatal(err)
	}
	var nums []string
	for _, r := range recs {
		if r.Shipment != nil {
			nums = append(nums, strings.ToUpper(strings.ReplaceAll(r.Shipment.TrackingNumber, " ", "")))
		}
	}
	nums = append(nums, "NO-SUCH-NUMBER")
	q := ingest.Reads{OrderSellers: ids, Orders: refs, History: refs, OrphansOf: ids, Sellers: []string{"S1", "S2", "S3", "S9"},
		Wants: vtr.EventDefectCreated, Numbers: nums, Summaries: nums}
	got, err := tx.Read(ctx, q)
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	want, err := ingest.ReadOneByOne(ctx, tx, q)
	if err != nil {
		t.Fatalf("one by one: %v", err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Read differs from the reads one by one:\n sellers %d/%d, orders %d/%d, packages %d/%d, history %d/%d, orphans %d/%d",
			len(got.OrderSellers), len(want.OrderSellers), len(got.Orders), len(want.Orders), len(got.Packages), len(want.Packages),
			len(got.History), len(want.History), len(got.Orphans), len(want.Orphans))
		for i := range min(len(got.Packages), len(want.Packages)) {
			if !reflect.DeepEqual(got.Packages[i], want.Packages[i]) {
				t.Errorf("first package that differs:\n got  %+v\n want %+v", got.Packages[i], want.Packages[i])
				break
			}
		}
	}
	// What the workload holds is there, the order written just before
	// the read too.
	if len(got.Orders) != 301 || len(got.Packages) == 0 || len(got.History) == 0 || len(got.Orphans) != 1 || got.Orphans[0].OrderID != parked {
		t.Errorf("read %d orders (want 301), %d packages, %d confirmations, %d parked records (want 1 for %s)",
			len(got.Orders), len(got.Packages), len(got.History), len(got.Orphans), parked)
	}
	if len(got.Sellers) != 3 || len(got.Numbers) == 0 || len(got.Summaries) == 0 || got.Wanted {
		t.Errorf("read %d sellers (want 3), packages of %d numbers, %d summaries, wanted %v (no subscription)",
			len(got.Sellers), len(got.Numbers), len(got.Summaries), got.Wanted)
	}
	if ss := got.OrderSellers[fresh.Order.ID]; len(ss) != 1 || ss[0] != "S2" {
		t.Errorf("sellers of %s = %v, want [S2] (written in this transaction)", fresh.Order.ID, ss)
	}
	// Nothing asked, nothing read.
	if f, err := tx.Read(ctx, ingest.Reads{}); err != nil || !reflect.DeepEqual(f, ingest.ReadResults{}) {
		t.Errorf("an empty Read = %+v, %v; want nothing", f, err)
	}
}

// RunConfirm checks Store.Confirm (a server's group of confirmations: the
// records applied and their orders' verdicts read in one transaction)
// against the verdicts read after it commits, with a record the rules
// refuse and one whose order has not arrived in the group. eng is open on
// an empty database.
func RunConfirm(t *testing.T, eng ingest.Engine) {
	ctx := context.Background()
	s := ingest.New(eng, nil)
	recs := Workload(4, 40)
	var base, ships []vtr.Record
	for _, r := range recs {
		if r.Shipment != nil && len(ships) < 10 {
			ships = append(ships, r)
		} else {
			base = append(base, r)
		}
	}
	records(t, s, base)
	sellerOf := map[string]string{}
	for _, r := range base {
		if r.Order != nil {
			sellerOf[r.Order.ID] = r.Order.SellerID
		}
	}
	shipped := time.Date(2026, 10, 2, 15, 0, 0, 0, time.UTC)
	group := append(ships,
		vtr.Record{Type: "shipment", Shipment: &vtr.Shipment{SellerID: "S1", OrderID: "111-7777777-7777777", PackageID: "P1",
			Carrier: "UPS", TrackingNumber: "1Z96F4R8D313969574", ShippedAt: shipped, UploadedAt: shipped}}, // its order has not arrived
		vtr.Record{Type: "seller", Seller: &vtr.Seller{ID: "S7", Policies: []string{"no-such-policy"}}}) // refused
	for i := range group {
		group[i].Line = i + 1
	}
	refused := map[int]bool{}
	var refs []ingest.OrderRef
	now := fixedNow()
	_, got, err := s.Confirm(ctx, group, func(err error) {
		var le *vtr.LineError
		if !errors.As(err, &le) {
			t.Errorf("refused without a line: %v", err)
			return
		}
		refused[le.Line] = true
	}, func() []ingest.OrderRef {
		for i, r := range group {
			if !refused[i+1] {
				seller := r.Shipment.SellerID
				if seller == "" {
					seller = sellerOf[r.Shipment.OrderID]
				}
				refs = append(refs, ingest.OrderRef{Seller: seller, Order: r.Shipment.OrderID})
			}
		}
		return refs
	}, now)
	if err != nil {
		t.Fatalf("confirm: %v", err)
	}
	if len(refused) != 1 || !refused[len(group)] {
		t.Errorf("refused lines %v, want only %d", refused, len(group))
	}
	want, err := s.OrdersPackages(ctx, refs, now)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("verdicts read before the commit differ from those read after it:\n got %+v\nwant %+v", got, want)
	}
	if v := got[ingest.OrderRef{Seller: "S1", Order: "111-7777777-7777777"}]; !v.Waiting || len(v.Packages) != 0 {
		t.Errorf("a shipment whose order has not arrived: %+v, want waiting", v)
	}
	// Each order's packages once, though two confirmations of one order
	// (a package confirmed again) name it twice.
	n, twice := 0, false
	seen := map[ingest.OrderRef]bool{}
	for _, r := range refs {
		twice = twice || seen[r]
		seen[r] = true
	}
	for _, v := range got {
		n += len(v.Packages)
		ids := map[string]bool{}
		for _, p := range v.Packages {
			if ids[p.PackageID] {
				t.Errorf("package %s listed twice", p.PackageID)
			}
			ids[p.PackageID] = true
		}
	}
	if n == 0 || !twice {
		t.Errorf("%d packages in the verdicts; an order named twice: %v (the group should have one)", n, twice)
	}
	s.BatchSize = 3
	if _, _, err := s.Confirm(ctx, group, func(error) {}, func() []ingest.OrderRef { return nil }, now); err == nil {
		t.Error("a group larger than a transaction was accepted")
	}
	verify(t, s)
}

// RunLatePrefilter holds the report to the engine's rules when the
// engine leaves out the packages that cannot be late (the Maybe* fields
// of ingest.DefectQuery): for every combination of late flags, filter
// and day, the rows equal those the report makes when the engine sends
// every non-exempt package, and the engine did leave some out. eng is
// open on an empty database.
func RunLatePrefilter(t *testing.T, eng ingest.Engine) {
	ctx := context.Background()
	s := ingest.New(eng, nil)
	records(t, s, Workload(6, 1500))
	all := &countingEngine{Engine: eng, every: true}
	ref := ingest.New(all, nil)
	counted := &countingEngine{Engine: eng}
	pre := ingest.New(counted, nil)
	var shipped, delivered int
	for _, asOf := range []time.Time{time.Date(2026, 9, 20, 0, 0, 0, 0, time.UTC), time.Date(2026, 10, 10, 0, 0, 0, 0, time.UTC)} {
		for _, seller := range []string{"S1", "S2", "S3"} {
			for _, f := range []vtr.ReportFilter{
				{ShippedLate: true},
				{DeliveredLate: true},
				{ShippedLate: true, DeliveredLate: true},
				{ShippedLate: true, DeliveredLate: true, Carrier: "ups"},
				{ShippedLate: true, Category: "Toys"},
			} {
				f.SellerID, f.Policy, f.AsOf = seller, "amazon-us", asOf
				var want, got []vtr.DefectRow
				if _, err := ref.Defects(ctx, f, func(d *vtr.DefectRow) error { want = append(want, *d); return nil }); err != nil {
					t.Fatal(err)
				}
				if _, err := pre.Defects(ctx, f, func(d *vtr.DefectRow) error { got = append(got, *d); return nil }); err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("%+v: %d rows with the engine's prefilter, %d without", f, len(got), len(want))
				}
				for _, d := range want {
					if d.ShippedLate && !d.NoValidTracking {
						shipped++
					}
					if d.DeliveredLate && !d.NoValidTracking {
						delivered++
					}
				}
			}
		}
	}
	if shipped == 0 || delivered == 0 {
		t.Fatalf("rows late only: %d shipped, %d delivered: the workload proves nothing", shipped, delivered)
	}
	if counted.sent >= all.sent {
		t.Errorf("the engine sent %d packages with the prefilter, %d without: it left none out", counted.sent, all.sent)
	}
}

// countingEngine counts the packages its engine sends for the report;
// with every, it asks for every non-exempt package instead of those that
// may be late.
type countingEngine struct {
	ingest.Engine
	every bool
	sent  int
}

func (e *countingEngine) Defects(ctx context.Context, q ingest.DefectQuery, emit func(*ingest.DefectSource) error) error {
	if e.every {
		q.MaybeShippedLate, q.MaybeDeliveredLate = false, false
	}
	return e.Engine.Defects(ctx, q, func(src *ingest.DefectSource) error {
		e.sent++
		return emit(src)
	})
}

// RunRehearse checks Store.Rehearse: on a write transaction it applies
// and judges its made-up confirmation (the order's package is there, with
// a verdict, before the rollback), and once the transaction is rolled
// back the database is as it was: an empty one empty, one holding records
// with the same rates and report, verifying clean, and no rehearsal
// seller. eng is open on an empty database.
func RunRehearse(t *testing.T, eng ingest.Engine) {
	ctx := context.Background()
	s := ingest.New(eng, nil)
	rehearse := func() {
		t.Helper()
		tx, err := eng.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		if err := s.Rehearse(ctx, tx); err != nil {
			t.Fatal(err)
		}
		ref := ingest.OrderRef{Seller: ingest.RehearsalSeller, Order: ingest.RehearsalSeller}
		f, err := tx.Read(ctx, ingest.Reads{Orders: []ingest.OrderRef{ref}})
		if err != nil {
			t.Fatal(err)
		}
		if len(f.Orders) != 1 || len(f.Packages) != 1 || f.Packages[0].Counted.Policy == "" || f.Packages[0].Tracking == "" {
			t.Fatalf("inside the rehearsal: %d orders, packages %+v; want its order and one judged package", len(f.Orders), f.Packages)
		}
		if err := tx.Rollback(); err != nil {
			t.Fatal(err)
		}
	}
	rehearse()
	if empty, err := s.Empty(ctx); err != nil || !empty {
		t.Fatalf("after a rehearsal on an empty database: empty %v, %v", empty, err)
	}
	records(t, s, Workload(5, 60))
	before := snapshot(t, s, "S1", "amazon-us")
	rehearse()
	if after := snapshot(t, s, "S1", "amazon-us"); after != before {
		t.Errorf("a rehearsal changed what a seller sees:\n got %s\nwant %s", after, before)
	}
	verify(t, s)
	if _, err := s.Seller(ctx, ingest.RehearsalSeller); vtr.ErrorCode(err) != vtr.ENOTFOUND {
		t.Errorf("the rehearsal's seller after the rollback: %v, want not found", err)
	}
}
