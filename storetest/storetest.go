// Package storetest is the contract every vtr.Store implementation passes:
// the same tests run on SQLite always and on any other engine that
// calls Run.
package storetest

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/classify"
	"github.com/vtr-project/vtr/native"
	"github.com/vtr-project/vtr/report"
	"github.com/vtr-project/vtr/tracking"
)

// Opened is a new, empty store for one test, and a way to open more
// stores on the same database, as other processes or servers would.
// The opener's cleanup closes them and drops the database.
type Opened struct {
	Store   vtr.Store
	Another func(t *testing.T) vtr.Store
}

// Opener opens a new, empty database for one test.
type Opener func(t *testing.T) Opened

// Run runs the whole contract.
func Run(t *testing.T, open Opener) {
	one := func(t *testing.T) vtr.Store { return open(t).Store }
	t.Run("ImportRateReport", func(t *testing.T) { testImportRateReport(t, one) })
	t.Run("ReportGolden", func(t *testing.T) { testReportGolden(t, one) })
	t.Run("BadLinesKeepGoodOnes", func(t *testing.T) { testBadLines(t, one) })
	t.Run("EditsAndDelivery", func(t *testing.T) { testEdits(t, one) })
	t.Run("ResentConfirmationsChangeNothing", func(t *testing.T) { testResent(t, one) })
	t.Run("OrphansAndCancellations", func(t *testing.T) { testOrphans(t, one) })
	t.Run("SameOrderIDTwoSellers", func(t *testing.T) { testSameOrderID(t, one) })
	t.Run("ReuseAcrossSellers", func(t *testing.T) { testReuseAcrossSellers(t, one) })
	t.Run("NumberMovesInOneBatch", func(t *testing.T) { testNumberMoves(t, one) })
	t.Run("ReadErrors", func(t *testing.T) { testReadErrors(t, one) })
	t.Run("ShuffledAndDuplicatedFeeds", func(t *testing.T) { testShuffled(t, one) })
	t.Run("EventsStoredOnce", func(t *testing.T) { testEventsOnce(t, one) })
	t.Run("RatesAndReasonCounts", func(t *testing.T) { testRates(t, one) })
	t.Run("DefectPages", func(t *testing.T) { testDefectPages(t, one) })
	t.Run("ConcurrentImporters", func(t *testing.T) { testConcurrent(t, open) })
}

// Opener1 opens one store per call.
type Opener1 func(t *testing.T) vtr.Store

// fixedNow is the clock of the tests' imports.
func fixedNow() time.Time { return time.Date(2026, 10, 15, 0, 0, 0, 0, time.UTC) }

// feed imports NDJSON text and returns the stats and rejected errors.
func feed(t *testing.T, s vtr.Store, text string) (vtr.ImportStats, []error) {
	t.Helper()
	dec := native.NewDecoder(strings.NewReader(text), fixedNow)
	var rejected []error
	st, err := s.Import(context.Background(), dec.Next, func(err error) { rejected = append(rejected, err) })
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	return st, rejected
}

// records imports records given as values.
func records(t *testing.T, s vtr.Store, recs []vtr.Record) {
	t.Helper()
	_, err := s.Import(context.Background(), List(recs), func(err error) { t.Errorf("rejected: %v", err) })
	if err != nil {
		t.Fatalf("import: %v", err)
	}
}

// reportCSV returns the defect report as CSV and its row count.
func reportCSV(t *testing.T, s vtr.Store, f vtr.ReportFilter) (string, int) {
	t.Helper()
	var buf bytes.Buffer
	enc, err := report.NewCSV(&buf)
	if err != nil {
		t.Fatal(err)
	}
	n, err := s.Defects(context.Background(), f, enc.Write)
	if err != nil {
		t.Fatalf("report %+v: %v", f, err)
	}
	if err := enc.Flush(); err != nil {
		t.Fatal(err)
	}
	return buf.String(), n
}

func verify(t *testing.T, s vtr.Store) {
	t.Helper()
	diffs, err := s.Verify(context.Background())
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	for i, d := range diffs {
		if i == 10 {
			t.Errorf("… %d more", len(diffs)-10)
			break
		}
		t.Errorf("verify: %s %s: stored %s, recomputed %s", d.What, d.Key, d.Stored, d.Want)
	}
}

// Scenario is a small hand-written feed with one package of each kind: valid,
// carrier mismatch on a reused label, label-only, pending, exempt.
const Scenario = `{"type":"seller","id":"S1","name":"Acme","policies":["amazon-us"],"ship_from":[{"id":"WH1","country":"US","state":"WA","city":"Seattle","postal_code":"98109"}]}
{"type":"order","id":"111-0000001-0000001","seller_id":"S1","policy":"amazon-us","purchased_at":"2026-10-01T10:00:00Z","category":"Electronics","value":"25.00","currency":"USD","ship_to":{"country":"US","postal_code":"10001"},"ship_by":"2026-10-02T23:59:59Z","deliver_by":"2026-10-06T23:59:59Z"}
{"type":"shipment","order_id":"111-0000001-0000001","carrier":"UPS","tracking_number":"1Z96F4R8D313969574","ship_from_id":"WH1","shipped_at":"2026-10-02T15:00:00Z","uploaded_at":"2026-10-02T15:05:00Z"}
{"type":"event","carrier":"UPS","tracking_number":"1Z96F4R8D313969574","occurred_at":"2026-10-02T08:05:00-07:00","code":"MP","type_code":"M","description":"Shipper created a label"}
{"type":"event","carrier":"UPS","tracking_number":"1Z96F4R8D313969574","occurred_at":"2026-10-02T18:05:00-07:00","code":"OR","type_code":"I","description":"Origin Scan","location":{"city":"Seattle","state":"WA","country":"US"}}
{"type":"event","carrier":"UPS","tracking_number":"1Z96F4R8D313969574","occurred_at":"2026-10-05T11:00:00-04:00","code":"KB","type_code":"D","description":"Delivered","location":{"city":"New York","state":"NY","country":"US"}}
{"type":"order","id":"111-0000001-0000002","seller_id":"S1","policy":"amazon-us","purchased_at":"2026-10-01T11:00:00Z","category":"Electronics","value":"30.00","currency":"USD","ship_to":{"country":"US","postal_code":"94105"},"ship_by":"2026-10-02T23:59:59Z","deliver_by":"2026-10-07T23:59:59Z"}
{"type":"shipment","order_id":"111-0000001-0000002","carrier":"USPS","tracking_number":"1Z96F4R8D313969574","shipped_at":"2026-10-03T15:00:00Z","uploaded_at":"2026-10-03T15:05:00Z"}
{"type":"order","id":"111-0000001-0000003","seller_id":"S1","policy":"amazon-us","purchased_at":"2026-10-01T11:00:00Z","category":"Toys & Games","value":"12.00","currency":"USD","ship_to":{"country":"US","postal_code":"60601"},"ship_by":"2026-10-02T23:59:59Z","deliver_by":"2026-10-08T23:59:59Z"}
{"type":"shipment","order_id":"111-0000001-0000003","carrier":"USPS","tracking_number":"9434611206217011894085","shipped_at":"2026-10-02T15:00:00Z","uploaded_at":"2026-10-02T16:00:00Z"}
{"type":"event","carrier":"USPS","tracking_number":"9434611206217011894085","occurred_at":"2026-10-02T09:00:00-07:00","code":"GX","description":"Shipping Label Created"}
{"type":"order","id":"111-0000001-0000004","seller_id":"S1","policy":"amazon-us","purchased_at":"2026-10-20T11:00:00Z","category":"Toys & Games","value":"12.00","currency":"USD","ship_to":{"country":"US","postal_code":"60601"},"ship_by":"2026-10-21T23:59:59Z","deliver_by":"2026-10-28T23:59:59Z"}
{"type":"shipment","order_id":"111-0000001-0000004","carrier":"UPS","tracking_number":"1Z999AA10123456784","shipped_at":"2026-10-21T15:00:00Z","uploaded_at":"2026-10-21T16:00:00Z"}
{"type":"order","id":"111-0000001-0000005","seller_id":"S1","policy":"amazon-us","purchased_at":"2026-10-01T11:00:00Z","category":"Books","value":"9.00","currency":"USD","ship_to":{"country":"US","postal_code":"60601"},"ship_by":"2026-10-02T23:59:59Z","deliver_by":"2026-10-08T23:59:59Z","digital":true}
{"type":"shipment","order_id":"111-0000001-0000005","carrier":"USPS","tracking_number":"","shipped_at":"2026-10-02T15:00:00Z","uploaded_at":"2026-10-02T16:00:00Z"}
`

func testImportRateReport(t *testing.T, open Opener1) {
	s := open(t)
	st, rejected := feed(t, s, Scenario)
	if len(rejected) > 0 || st.Records != 15 || st.Events != 4 {
		t.Fatalf("stats %+v, rejected %v", st, rejected)
	}
	asOf := time.Date(2026, 10, 20, 12, 0, 0, 0, time.UTC)
	r, err := s.Rate(context.Background(), "S1", "", asOf, 7)
	if err != nil {
		t.Fatal(err)
	}
	// Electronics: one valid (UPS), one mismatch; Toys: one label-only
	// (invalid) and one due after as-of (pending); Books: digital, exempt.
	want := map[string][4]int{"Electronics": {1, 1, 0, 0}, "Toys & Games": {0, 1, 1, 0}, "Books": {0, 0, 0, 1}}
	if len(r.Categories) != len(want) {
		t.Fatalf("categories %+v", r.Categories)
	}
	for _, c := range r.Categories {
		w := want[c.Category]
		if [4]int{c.Valid, c.Invalid, c.Pending, c.Exempt} != w {
			t.Errorf("%s: valid/invalid/pending/exempt %d/%d/%d/%d, want %v", c.Category, c.Valid, c.Invalid, c.Pending, c.Exempt, w)
		}
	}
	if r.Policy != "amazon-us" || r.WindowDays != 30 || r.Target != 0.95 || r.Overall.Rate == nil || *r.Overall.Rate != 1.0/3 || r.Status != vtr.RateBelowTarget {
		t.Errorf("overall %+v status %s", r.Overall, r.Status)
	}
	for _, c := range r.Categories {
		if c.Category == "Books" && (c.Rate != nil || c.Status != vtr.RateOK) {
			t.Errorf("Books: rate %v status %s, want null and ok (nothing counts)", c.Rate, c.Status)
		}
	}
	if r.OnTimeDelivery.Total != 1 || r.OnTimeDelivery.Hits != 1 {
		t.Errorf("on-time delivery %+v, want 1 of 1", r.OnTimeDelivery)
	}
	if r.LateShipment30.Total != 4 || r.LateShipment30.Hits != 1 {
		t.Errorf("late shipment 30 d %+v, want 1 late of 4 shipped", r.LateShipment30)
	}

	text, n := reportCSV(t, s, vtr.ReportFilter{SellerID: "S1", AsOf: asOf})
	rows, err := csv.NewReader(strings.NewReader(text)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 || len(rows) != 3 {
		t.Fatalf("report: %d rows: %q", n, rows)
	}
	if rows[1][0] != "111-0000001-0000002" || rows[1][6] != "X" || !strings.Contains(rows[1][11], "CARRIER_MISMATCH") || rows[1][12] != "UPS" {
		t.Errorf("report row 1 = %q", rows[1])
	}
	if rows[2][11] != "NO_PHYSICAL_SCAN" || rows[2][3] != "US" {
		t.Errorf("report row 2 = %q", rows[2])
	}
	// Filters take any spelling the carrier lookup takes, and any case.
	for _, c := range []string{"USPS", "usps", "U.S.P.S.", "United States Postal Service"} {
		if _, n := reportCSV(t, s, vtr.ReportFilter{SellerID: "S1", AsOf: asOf, Carrier: c}); n != 2 {
			t.Errorf("report filtered on carrier %q: %d rows, want 2", c, n)
		}
	}
	if _, n := reportCSV(t, s, vtr.ReportFilter{SellerID: "S1", AsOf: asOf, Carrier: "UPS"}); n != 0 {
		t.Errorf("report filtered on UPS: %d rows, want 0", n)
	}
	for _, c := range []string{"Electronics", "electronics", "ELECTRONICS"} {
		if _, n := reportCSV(t, s, vtr.ReportFilter{SellerID: "S1", AsOf: asOf, Category: c}); n != 1 {
			t.Errorf("report filtered on category %q: %d rows, want 1", c, n)
		}
	}
	verify(t, s)
}

func testBadLines(t *testing.T, open Opener1) {
	s := open(t)
	lines := strings.Split(strings.TrimSpace(Scenario), "\n")
	bad := []string{`{"type":"order","id":"111-0000001-0000009","seller_id":"S1","policy":"nope","purchased_at":"2026-10-01T10:00:00Z","category":"X","value":"1","currency":"USD","deliver_by":"2026-10-06T23:59:59Z"}`,
		`{"type":"event",`, `{"type":"shipment","order_id":"111-0000001-0000001","shipped_at":"yesterday"}`, `{"type":"seller","id":"S2","nmae":"typo"}`}
	text := strings.Join(append(append(lines[:3:3], bad...), lines[3:]...), "\n")
	st, rejected := feed(t, s, text)
	if len(rejected) != len(bad) || st.Rejected != len(bad) {
		t.Fatalf("rejected %v, want %d", rejected, len(bad))
	}
	// Lines the decoder refuses are reported as they are read, lines the
	// rules refuse when their batch is applied: compare in line order.
	slices.SortFunc(rejected, func(a, b error) int {
		var x, y *vtr.LineError
		errors.As(a, &x)
		errors.As(b, &y)
		return x.Line - y.Line
	})
	for i, want := range []string{"line 4: policy: unknown policy \"nope\"", "line 5: broken JSON", "line 6: shipped_at", "line 7: nmae: unknown field"} {
		if !strings.HasPrefix(rejected[i].Error(), want) {
			t.Errorf("rejection %d = %q, want it to start with %q", i, rejected[i], want)
		}
	}
	r, err := s.Rate(context.Background(), "S1", "", time.Date(2026, 10, 20, 0, 0, 0, 0, time.UTC), 0)
	if err != nil {
		t.Fatal(err)
	}
	if r.Overall.Valid != 1 || r.Overall.Invalid != 2 {
		t.Errorf("good lines lost around the bad ones: %+v", r.Overall)
	}
	verify(t, s)
}

func testEdits(t *testing.T, open Opener1) {
	s := open(t)
	feed(t, s, Scenario)
	asOf := time.Date(2026, 10, 20, 0, 0, 0, 0, time.UTC)
	// Fix the mismatched carrier before delivery: the edit makes it valid
	// once the number's scans are in.
	feed(t, s, `{"type":"shipment","order_id":"111-0000001-0000002","carrier":"UPS","tracking_number":"1Z999AA10123456784","shipped_at":"2026-10-03T15:00:00Z","uploaded_at":"2026-10-03T18:00:00Z"}
{"type":"event","carrier":"UPS","tracking_number":"1Z999AA10123456784","occurred_at":"2026-10-03T20:00:00Z","code":"OR","type_code":"I","description":"Origin Scan","location":{"city":"Seattle","state":"WA","country":"US"}}
{"type":"event","carrier":"UPS","tracking_number":"1Z999AA10123456784","occurred_at":"2026-10-06T20:00:00Z","code":"KB","type_code":"D","description":"Delivered","location":{"city":"San Francisco","state":"CA","country":"US"}}`)
	r, err := s.Rate(context.Background(), "S1", "", asOf, 0)
	if err != nil {
		t.Fatal(err)
	}
	if r.Categories[1].Category != "Electronics" || r.Categories[1].Valid != 2 || r.Categories[1].Invalid != 0 {
		t.Fatalf("after the edit: %+v", r.Categories)
	}
	// Editing after delivery is a defect (Amazon: editable until delivery).
	feed(t, s, `{"type":"shipment","order_id":"111-0000001-0000002","carrier":"UPS","tracking_number":"1Z999AA10123456784","ship_method":"Ground","shipped_at":"2026-10-03T15:00:00Z","uploaded_at":"2026-10-08T18:00:00Z"}`)
	r, _ = s.Rate(context.Background(), "S1", "", asOf, 0)
	if r.Categories[1].Valid != 1 || r.Categories[1].Invalid != 1 {
		t.Fatalf("after an edit past delivery: %+v", r.Categories[1])
	}
	if text, _ := reportCSV(t, s, vtr.ReportFilter{SellerID: "S1", AsOf: asOf, Category: "Electronics"}); !strings.Contains(text, "UPLOADED_AFTER_DELIVERY") {
		t.Errorf("report: %s", text)
	}
	verify(t, s)
}

// testEventsOnce imports, in one statement's worth of events, events
// stored already, a new one and the new one again: only the new one is
// stored and folded into its number's summary. SQLite stores a part of
// events with a plain INSERT and, only when that fails on an event stored
// already, again with one that returns the events it stored.
func testEventsOnce(t *testing.T, open Opener1) {
	s := open(t)
	st, _ := feed(t, s, Scenario)
	if st.Events != 4 || st.DuplicateEvents != 0 {
		t.Fatalf("scenario: %d events stored, %d duplicates; want 4 and 0", st.Events, st.DuplicateEvents)
	}
	again := `{"type":"event","carrier":"UPS","tracking_number":"1Z96F4R8D313969574","occurred_at":"2026-10-02T18:05:00-07:00","code":"OR","type_code":"I","description":"Origin Scan","location":{"city":"Seattle","state":"WA","country":"US"}}
{"type":"event","carrier":"UPS","tracking_number":"1Z96F4R8D313969574","occurred_at":"2026-10-03T09:00:00-05:00","code":"AR","type_code":"I","description":"Arrived at Facility","location":{"city":"Chicago","state":"IL","country":"US"}}
{"type":"event","carrier":"UPS","tracking_number":"1Z96F4R8D313969574","occurred_at":"2026-10-03T09:00:00-05:00","code":"AR","type_code":"I","description":"Arrived at Facility","location":{"city":"Chicago","state":"IL","country":"US"}}
{"type":"event","carrier":"USPS","tracking_number":"9434611206217011894085","occurred_at":"2026-10-02T09:00:00-07:00","code":"GX","description":"Shipping Label Created"}
`
	st, _ = feed(t, s, again)
	if st.Events != 1 || st.DuplicateEvents != 3 {
		t.Errorf("stored and new events mixed: %d stored, %d duplicates; want 1 and 3", st.Events, st.DuplicateEvents)
	}
	st, _ = feed(t, s, again)
	if st.Events != 0 || st.DuplicateEvents != 4 {
		t.Errorf("the same events again: %d stored, %d duplicates; want 0 and 4", st.Events, st.DuplicateEvents)
	}
	verify(t, s) // each summary counts each of its number's stored events once
}

// Workload generates a random but well-formed workload: sellers, orders,
// shipments (some with wrong carriers, typos, edits), cancellations and
// events (electronic and physical, some duplicated).
func Workload(seed uint64, orders int) []vtr.Record {
	r := rand.New(rand.NewPCG(seed, 7))
	start := time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)
	var out []vtr.Record
	sellers := []string{"S1", "S2", "S3"}
	for _, id := range sellers {
		out = append(out, vtr.Record{Type: "seller", Seller: &vtr.Seller{ID: id, Policies: []string{"amazon-us"},
			ShipFrom: []vtr.ShipFrom{{ID: "A", Country: "US", State: "NJ", City: "Newark"}, {ID: "B", Country: "US", State: "TX", City: "Dallas"}}}})
	}
	var ups, usps *tracking.Format
	for _, f := range tracking.Formats() {
		switch {
		case f.Carrier == "UPS" && f.Service == "1Z":
			ups = f
		case f.Carrier == "USPS" && f.Service == "IMpb":
			usps = f
		}
	}
	cats := []string{"Electronics", "Toys & Games", "Books", "Home & Kitchen"}
	var nums []string
	for i := range orders {
		seller := sellers[r.IntN(len(sellers))]
		purchased := start.Add(time.Duration(r.IntN(50*24)) * time.Hour)
		o := &vtr.Order{ID: fmt.Sprintf("111-%07d-%07d", seed%10000000, i), SellerID: seller, Policy: "amazon-us", PurchasedAt: purchased,
			Category: cats[r.IntN(len(cats))], Value: vtr.Money{Minor: int64(300 + r.IntN(5000)), Currency: "USD"},
			ShipTo: vtr.Location{Country: "US", PostalCode: fmt.Sprintf("%05d", r.IntN(99999))}, ShipBy: purchased.Add(36 * time.Hour),
			DeliverBy: purchased.Add(time.Duration(3+r.IntN(5)) * 24 * time.Hour)}
		out = append(out, vtr.Record{Type: "order", Order: o})
		carrier, f := "UPS", ups
		if r.IntN(2) == 0 {
			carrier, f = "USPS", usps
		}
		num := f.Generate(r)
		if r.IntN(20) == 0 && len(nums) > 0 {
			num = nums[r.IntN(len(nums))] // a reused label
		}
		nums = append(nums, num)
		entered := carrier
		if r.IntN(15) == 0 {
			entered = map[string]string{"UPS": "USPS", "USPS": "UPS"}[carrier]
		}
		shipped := purchased.Add(time.Duration(12+r.IntN(40)) * time.Hour)
		from := []string{"A", "B"}[r.IntN(2)]
		out = append(out, vtr.Record{Type: "shipment", Shipment: &vtr.Shipment{OrderID: o.ID, PackageID: "1", Carrier: entered, TrackingNumber: num,
			ShipFromID: from, ShippedAt: shipped, UploadedAt: shipped.Add(time.Duration(r.IntN(30)) * time.Hour)}})
		if r.IntN(10) == 0 { // an edit
			out = append(out, vtr.Record{Type: "shipment", Shipment: &vtr.Shipment{OrderID: o.ID, PackageID: "1", Carrier: carrier, TrackingNumber: num,
				ShipFromID: from, ShippedAt: shipped, UploadedAt: shipped.Add(time.Duration(24+r.IntN(120)) * time.Hour)}})
		}
		if r.IntN(25) == 0 {
			out = append(out, vtr.Record{Type: "cancellation", Cancellation: &vtr.Cancellation{OrderID: o.ID, CancelledAt: purchased.Add(time.Hour), BySeller: r.IntN(2) == 0}})
		}
		// Events: label, then maybe acceptance, transit and delivery.
		at := shipped.Add(-2 * time.Hour)
		steps := []struct{ status vtr.EventStatus }{{vtr.StatusPreTransit}, {vtr.StatusAccepted}, {vtr.StatusInTransit}, {vtr.StatusDelivered}}
		n := 1 + r.IntN(4)
		if r.IntN(8) == 0 {
			n = 1 // label only
		}
		for k := 0; k < n; k++ {
			e := &vtr.Event{Carrier: carrier, TrackingNumber: num, OccurredAt: at, OffsetKnown: true, Status: steps[k].status, Source: "native"}
			if k > 0 {
				e.Location = vtr.Location{City: "Newark", State: []string{"NJ", "NY", "TX", "CA"}[r.IntN(4)], Country: "US"}
			}
			res := classify.Classify(classify.Input{Carrier: carrier, Source: "native", Status: e.Status})
			e.Class, e.ClassRule = res.Class, res.Rule
			e.ID = vtr.EventID(e)
			out = append(out, vtr.Record{Type: "event", Event: e})
			at = at.Add(time.Duration(6+r.IntN(40)) * time.Hour)
		}
	}
	return out
}

func testShuffled(t *testing.T, open Opener1) {
	recs := Workload(42, 400)
	ordered := open(t)
	records(t, ordered, recs)
	verify(t, ordered)

	for round := range 3 {
		r := rand.New(rand.NewPCG(uint64(round), 99))
		mixed := append([]vtr.Record(nil), recs...)
		// Duplicate a fifth of the records, then shuffle everything:
		// events, shipments and cancellations may now precede their
		// orders and each other.
		for range len(recs) / 5 {
			mixed = append(mixed, recs[r.IntN(len(recs))])
		}
		r.Shuffle(len(mixed), func(i, j int) { mixed[i], mixed[j] = mixed[j], mixed[i] })
		s := open(t)
		records(t, s, mixed)
		verify(t, s)
		for _, seller := range []string{"S1", "S2", "S3"} {
			for _, asOf := range []time.Time{time.Date(2026, 9, 20, 0, 0, 0, 0, time.UTC), time.Date(2026, 10, 25, 0, 0, 0, 0, time.UTC)} {
				want, err := ordered.Rate(context.Background(), seller, "amazon-us", asOf, 7)
				if err != nil {
					t.Fatal(err)
				}
				got, err := s.Rate(context.Background(), seller, "amazon-us", asOf, 7)
				if err != nil {
					t.Fatal(err)
				}
				g, _ := json.Marshal(got)
				w, _ := json.Marshal(want)
				if string(g) != string(w) {
					t.Fatalf("round %d, %s as of %s: shuffled feed\n%s\nordered feed\n%s", round, seller, asOf.Format("2006-01-02"), g, w)
				}
				if got.Overall.Valid+got.Overall.Invalid == 0 {
					t.Fatalf("round %d, %s: nothing counted: the workload does not exercise the aggregates", round, seller)
				}
				f := vtr.ReportFilter{SellerID: seller, AsOf: asOf, ShippedLate: true, DeliveredLate: true}
				a, _ := reportCSV(t, ordered, f)
				b, _ := reportCSV(t, s, f)
				if a != b {
					t.Fatalf("round %d, %s: reports differ:\n%s\nvs\n%s", round, seller, b, a)
				}
			}
		}
	}
}
