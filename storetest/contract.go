package storetest

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/ingest"
	"github.com/vtr-project/vtr/native"
)

//go:embed testdata/report.golden.csv
var golden string

// The defect report of the scenario, in the marketplace's layout plus
// vtr's columns, is pinned by a golden file; UPDATE_GOLDEN=1 rewrites it
// after review.
func testReportGolden(t *testing.T, open Opener1) {
	s := open(t)
	feed(t, s, Scenario)
	got, _ := reportCSV(t, s, vtr.ReportFilter{SellerID: "S1", AsOf: time.Date(2026, 10, 30, 0, 0, 0, 0, time.UTC), ShippedLate: true, DeliveredLate: true})
	if os.Getenv("UPDATE_GOLDEN") != "" {
		_, file, _, _ := runtime.Caller(0)
		if err := os.WriteFile(filepath.Join(filepath.Dir(file), "testdata", "report.golden.csv"), []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if got != golden {
		t.Errorf("report differs from storetest/testdata/report.golden.csv (UPDATE_GOLDEN=1 after review):\n%s", got)
	}
}

// snapshot is everything a seller sees: its rates (JSON) and its defect
// report (CSV, late rows included), as of two dates.
func snapshot(t *testing.T, s vtr.Store, seller, policy string) string {
	t.Helper()
	var b strings.Builder
	for _, asOf := range []time.Time{time.Date(2026, 9, 20, 0, 0, 0, 0, time.UTC), time.Date(2026, 10, 25, 0, 0, 0, 0, time.UTC)} {
		r, err := s.Rate(context.Background(), seller, policy, asOf, 7)
		if err != nil {
			t.Fatalf("rate %s: %v", seller, err)
		}
		j, _ := json.Marshal(r)
		b.Write(j)
		text, _ := reportCSV(t, s, vtr.ReportFilter{SellerID: seller, Policy: policy, AsOf: asOf, ShippedLate: true, DeliveredLate: true})
		b.WriteString(text)
	}
	return b.String()
}

// A confirmation sent again with a later upload time — a flat file
// imported twice, where the upload time is the time vtr received it — is
// not an edit: nothing a seller sees changes.
func testResent(t *testing.T, open Opener1) {
	s := open(t)
	feed(t, s, Scenario)
	before := snapshot(t, s, "S1", "amazon-us")
	var again []string
	for _, l := range strings.Split(Scenario, "\n") {
		if strings.Contains(l, `"type":"shipment"`) {
			again = append(again, strings.Replace(l, `"uploaded_at":"2026-10-`, `"uploaded_at":"2026-11-`, 1))
		}
	}
	st, _ := feed(t, s, strings.Join(again, "\n"))
	if st.Shipments != 5 {
		t.Fatalf("re-sent %d shipments, want 5", st.Shipments)
	}
	if after := snapshot(t, s, "S1", "amazon-us"); after != before {
		t.Errorf("re-sending the same confirmations changed what the seller sees:\nbefore %s\nafter  %s", before, after)
	}
	verify(t, s)
}

// scenarioRecords decodes the scenario and extra lines into records.
func scenarioRecords(t *testing.T, extra string) []vtr.Record {
	t.Helper()
	dec := native.NewDecoder(strings.NewReader(Scenario+extra), fixedNow)
	var out []vtr.Record
	for {
		rec, err := dec.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, rec)
	}
}

// Shipments and cancellations that arrive before their order wait for
// it; the result equals the ordered feed, and nothing stays parked.
func testOrphans(t *testing.T, open Opener1) {
	extra := `{"type":"cancellation","order_id":"111-0000001-0000003","cancelled_at":"2026-10-02T01:00:00Z","by_seller":true}
{"type":"cancellation","order_id":"111-0000001-0000003","cancelled_at":"2026-10-01T20:00:00Z","by_seller":false}
`
	recs := scenarioRecords(t, extra)
	ordered := open(t)
	records(t, ordered, recs)
	verify(t, ordered)
	want := snapshot(t, ordered, "S1", "")
	if strings.Contains(want, "111-0000001-0000003") {
		t.Errorf("the cancelled order is still reported: %s", want)
	}
	// The earliest cancellation wins, whatever the order of arrival: the
	// marketplace's, not the seller's.
	r, err := ordered.Rate(context.Background(), "S1", "", time.Date(2026, 10, 20, 0, 0, 0, 0, time.UTC), 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range r.Categories {
		if c.Category == "Toys & Games" && (c.Exempt != 1 || c.Invalid != 0) {
			t.Errorf("Toys & Games after the cancellation: %+v, want the label-only package exempt", c.Counts)
		}
	}
	if r2, _ := ordered.Rate(context.Background(), "S1", "", time.Date(2026, 10, 3, 0, 0, 0, 0, time.UTC), 0); r2.Cancel7.Hits != 0 || r2.Cancel7.Total == 0 {
		t.Errorf("cancel rate %+v: the earliest cancellation was the marketplace's, want 0 seller cancellations", r2.Cancel7)
	}

	// Everything that refers to an order first, then the orders.
	var late, first []vtr.Record
	for _, rec := range recs {
		if rec.Order != nil || rec.Seller != nil {
			late = append(late, rec)
		} else {
			first = append(first, rec)
		}
	}
	slices.Reverse(first)
	s := open(t)
	records(t, s, append(first, late...))
	verify(t, s)
	if got := snapshot(t, s, "S1", ""); got != want {
		t.Errorf("orphans adopted late give another result:\n%s\nwant\n%s", got, want)
	}
}

// Order IDs are unique per seller: two sellers may both have order 1001.
// A record naming no seller is applied when the order ID is unambiguous
// and rejected, naming seller_id, when it is not.
func testSameOrderID(t *testing.T, open Opener1) {
	s := open(t)
	day := time.Date(2026, 10, 1, 10, 0, 0, 0, time.UTC)
	order := func(seller, id string) vtr.Record {
		return vtr.Record{Order: &vtr.Order{ID: id, SellerID: seller, Policy: "amazon-us", PurchasedAt: day, Category: "Books",
			Value: vtr.Money{Minor: 1500, Currency: "USD"}, ShipTo: vtr.Location{Country: "US", PostalCode: "10001"},
			ShipBy: day.Add(36 * time.Hour), DeliverBy: day.Add(5 * 24 * time.Hour)}}
	}
	ship := func(seller, id, carrier, num string) vtr.Record {
		return vtr.Record{Shipment: &vtr.Shipment{SellerID: seller, OrderID: id, PackageID: "1", Carrier: carrier, TrackingNumber: num,
			ShippedAt: day.Add(20 * time.Hour), UploadedAt: day.Add(21 * time.Hour)}}
	}
	scan := func(num string) vtr.Record {
		e := &vtr.Event{Carrier: "UPS", TrackingNumber: num, OccurredAt: day.Add(30 * time.Hour), Code: "OR", TypeCode: "I",
			Description: "Origin Scan", Status: vtr.StatusAccepted, Class: vtr.EventPhysical, Source: "native", Location: vtr.Location{Country: "US"}}
		e.ID = vtr.EventID(e)
		return vtr.Record{Event: e}
	}
	records(t, s, []vtr.Record{
		{Seller: &vtr.Seller{ID: "S1", Policies: []string{"amazon-us"}}},
		{Seller: &vtr.Seller{ID: "S2", Policies: []string{"amazon-us"}}},
		order("S1", "1001"), order("S2", "1001"), order("S1", "1002"),
		ship("S1", "1001", "UPS", "1Z96F4R8D313969574"), ship("S2", "1001", "USPS", "1Z999AA10123456784"),
		ship("", "1002", "UPS", "1Z999AA10123456784"), // only S1 has 1002
		scan("1Z96F4R8D313969574"), scan("1Z999AA10123456784"),
	})
	var rejected []error
	_, err := s.Import(context.Background(), List([]vtr.Record{{Line: 7, Shipment: ship("", "1001", "UPS", "1Z96F4R8D313969574").Shipment}}),
		func(err error) { rejected = append(rejected, err) })
	if err != nil {
		t.Fatal(err)
	}
	if len(rejected) != 1 || !strings.Contains(rejected[0].Error(), "line 7: seller_id") {
		t.Errorf("an ambiguous order ID: rejected %v, want line 7 naming seller_id", rejected)
	}
	asOf := time.Date(2026, 10, 20, 0, 0, 0, 0, time.UTC)
	for seller, want := range map[string][2]int{"S1": {2, 0}, "S2": {0, 1}} {
		r, err := s.Rate(context.Background(), seller, "", asOf, 0)
		if err != nil {
			t.Fatal(err)
		}
		if got := [2]int{r.Overall.Valid, r.Overall.Invalid}; got != want {
			t.Errorf("%s: valid/invalid %v, want %v", seller, got, want)
		}
	}
	// S2's 1001 carries the number of S1's 1002 to the same address: a
	// combined shipment, not a reuse; its defect is the carrier.
	text, _ := reportCSV(t, s, vtr.ReportFilter{SellerID: "S2", AsOf: asOf})
	if !strings.Contains(text, "CARRIER_MISMATCH") {
		t.Errorf("S2's report: %s", text)
	}
	verify(t, s)
}

// A label used by two sellers' orders to different addresses is reused
// in the later one, but its explanation never names the other seller's
// order.
func testReuseAcrossSellers(t *testing.T, open Opener1) {
	s := open(t)
	feed(t, s, Scenario)
	feed(t, s, `{"type":"seller","id":"S9","name":"Other","policies":["amazon-us"]}
{"type":"order","id":"999-0000001-0000001","seller_id":"S9","policy":"amazon-us","purchased_at":"2026-10-02T10:00:00Z","category":"Books","value":"20.00","currency":"USD","ship_to":{"country":"US","postal_code":"30301","city":"Atlanta"},"ship_by":"2026-10-03T23:59:59Z","deliver_by":"2026-10-08T23:59:59Z"}
{"type":"shipment","order_id":"999-0000001-0000001","carrier":"UPS","tracking_number":"1Z96F4R8D313969574","shipped_at":"2026-10-03T18:00:00Z","uploaded_at":"2026-10-03T18:05:00Z"}`)
	asOf := time.Date(2026, 10, 20, 0, 0, 0, 0, time.UTC)
	var rows []*vtr.DefectRow
	if _, err := s.Defects(context.Background(), vtr.ReportFilter{SellerID: "S9", AsOf: asOf}, func(r *vtr.DefectRow) error {
		rows = append(rows, r)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || !slices.Contains(rows[0].Reasons, vtr.TrackingReused) {
		t.Fatalf("S9's report: %+v, want the reused label", rows)
	}
	for _, secret := range []string{"111-0000001-0000001", "111-0000001-0000002", "S1"} {
		if strings.Contains(rows[0].Explanation, secret) {
			t.Errorf("S9 sees another seller's %s: %q", secret, rows[0].Explanation)
		}
	}
	verify(t, s)
}

// In one batch a package moves to another number and a new order takes
// up the number it left: the reuse lookups see the packages as the batch
// left them, not as stored, though the batch writes them only once
// judged.
func testNumberMoves(t *testing.T, open Opener1) {
	s := open(t)
	feed(t, s, Scenario) // 0002 carries 0001's number to another address: reused
	feed(t, s, `{"type":"shipment","order_id":"111-0000001-0000002","carrier":"UPS","tracking_number":"1Z999AA10123456784","shipped_at":"2026-10-03T15:00:00Z","uploaded_at":"2026-10-04T09:00:00Z"}
{"type":"order","id":"111-0000001-0000005","seller_id":"S1","policy":"amazon-us","purchased_at":"2026-10-03T10:00:00Z","category":"Books","value":"20.00","currency":"USD","ship_to":{"country":"US","postal_code":"30301","city":"Atlanta"},"ship_by":"2026-10-04T23:59:59Z","deliver_by":"2026-10-09T23:59:59Z"}
{"type":"shipment","order_id":"111-0000001-0000005","carrier":"UPS","tracking_number":"1Z96F4R8D313969574","shipped_at":"2026-10-04T15:00:00Z","uploaded_at":"2026-10-04T15:05:00Z"}`)
	reused := map[string]string{}
	if _, err := s.Defects(context.Background(), vtr.ReportFilter{SellerID: "S1", AsOf: time.Date(2026, 10, 30, 0, 0, 0, 0, time.UTC)}, func(r *vtr.DefectRow) error {
		if slices.Contains(r.Reasons, vtr.TrackingReused) {
			reused[r.OrderID] = r.Explanation
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	// 0002 left 0001's number for the one 0004 shipped with later: 0004
	// is the reuse now, and 0005 reuses 0001's.
	for _, id := range []string{"111-0000001-0000004", "111-0000001-0000005"} {
		if _, ok := reused[id]; !ok {
			t.Errorf("%s: not reused; reused: %v", id, reused)
		}
	}
	if e, ok := reused["111-0000001-0000002"]; ok {
		t.Errorf("111-0000001-0000002 still reused after its number changed: %s", e)
	}
	verify(t, s)
}

// Reads answer not found for a seller that does not exist and for a
// policy the seller is not judged by, instead of an all-zero "ok".
func testReadErrors(t *testing.T, open Opener1) {
	s := open(t)
	feed(t, s, Scenario)
	asOf := time.Date(2026, 10, 20, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct{ seller, policy, code string }{
		{"NOPE", "", vtr.ENOTFOUND}, {"S1", "walmart-us", vtr.ENOTFOUND}, {"S1", "no-such-policy", vtr.ENOTFOUND},
	} {
		_, err := s.Rate(context.Background(), c.seller, c.policy, asOf, 0)
		if vtr.ErrorCode(err) != c.code {
			t.Errorf("rate %s %s: %v, want %s", c.seller, c.policy, err, c.code)
		}
		_, err = s.Defects(context.Background(), vtr.ReportFilter{SellerID: c.seller, Policy: c.policy, AsOf: asOf}, func(*vtr.DefectRow) error { return nil })
		if vtr.ErrorCode(err) != c.code {
			t.Errorf("report %s %s: %v, want %s", c.seller, c.policy, err, c.code)
		}
	}
	if _, err := s.Seller(context.Background(), "NOPE"); vtr.ErrorCode(err) != vtr.ENOTFOUND {
		t.Errorf("seller NOPE: %v, want not found", err)
	}
	if empty, err := s.Empty(context.Background()); err != nil || empty {
		t.Errorf("Empty after an import: %v, %v", empty, err)
	}
}

// Several importers write to one database at once — parts of one feed,
// interleaved so that shipments and their orders go through different
// importers, with overlaps — and the final state equals one sequential
// import of the same records.
func testConcurrent(t *testing.T, open Opener) {
	recs := Workload(7, 300)
	seq := open(t).Store
	records(t, seq, recs)
	want := map[string]string{}
	for _, seller := range []string{"S1", "S2", "S3"} {
		want[seller] = snapshot(t, seq, seller, "amazon-us")
	}
	for round := range 2 {
		db := open(t)
		const writers = 3
		parts := make([][]vtr.Record, writers)
		r := rand.New(rand.NewPCG(uint64(round), 3))
		for i, rec := range recs {
			parts[i%writers] = append(parts[i%writers], rec)
			if r.IntN(5) == 0 { // the same record through another importer too
				k := (i + 1 + r.IntN(writers-1)) % writers
				parts[k] = append(parts[k], rec)
			}
		}
		var wg sync.WaitGroup
		errs := make([]error, writers)
		for w := range writers {
			s := db.Store
			if w > 0 {
				s = db.Another(t)
			}
			if is, ok := s.(*ingest.Store); ok {
				is.BatchSize = 37 // many small transactions, interleaved
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
				defer cancel()
				_, errs[w] = s.Import(ctx, List(parts[w]), func(err error) { errs[w] = fmt.Errorf("rejected: %w", err) })
			}()
		}
		wg.Wait()
		for w, err := range errs {
			if err != nil {
				t.Fatalf("round %d: importer %d: %v", round, w, err)
			}
		}
		verify(t, db.Store)
		for _, seller := range []string{"S1", "S2", "S3"} {
			if got := snapshot(t, db.Store, seller, "amazon-us"); got != want[seller] {
				t.Fatalf("round %d, %s: concurrent importers give\n%s\nsequential import\n%s", round, seller, got, want[seller])
			}
		}
	}
}

// List yields records one by one, then io.EOF: an Import source.
func List(recs []vtr.Record) func() (vtr.Record, error) {
	i := 0
	return func() (vtr.Record, error) {
		if i == len(recs) {
			return vtr.Record{}, io.EOF
		}
		i++
		return recs[i-1], nil
	}
}
