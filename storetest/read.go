package storetest

import (
	"context"
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
