package spapi_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/spapi"
)

var ordersNow = time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)

// testCategories maps the SKUs and ASINs of the hand-made samples.
func testCategories() *spapi.Categories {
	c := spapi.NewCategories()
	c.Set("SKU-KIT-2", "Kitchen")
	c.Set("B000TOY001", "Toys & Games")
	c.Set("B08C1W5N87", "Amazon Devices")
	c.Set("NABetaASINB00551Q3CS", "Books") // the getOrderItems sandbox's SKU
	return c
}

func ordersOptions() spapi.OrdersOptions {
	return spapi.OrdersOptions{SellerID: "S1", Categories: testCategories(), Now: func() time.Time { return ordersNow }}
}

// readAll reads every record and error of r, failing on an error that is
// not a *vtr.LineError or on a reader that does not end.
func readAll(t testing.TB, next func() (vtr.Record, error), limit int) ([]vtr.Record, []*vtr.LineError) {
	t.Helper()
	var recs []vtr.Record
	var errs []*vtr.LineError
	for i := 0; ; i++ {
		if i > limit {
			t.Fatalf("no io.EOF after %d calls", i)
		}
		rec, err := next()
		if err == io.EOF {
			return recs, errs
		}
		var le *vtr.LineError
		if errors.As(err, &le) {
			errs = append(errs, le)
			continue
		}
		if err != nil {
			t.Fatalf("not a *vtr.LineError: %v", err)
		}
		recs = append(recs, rec)
	}
}

// renderRecords is the golden form of a read: one JSON record or error a
// line, in input order, then the stats.
func renderRecords(t *testing.T, next func() (vtr.Record, error), stats func() any) []byte {
	t.Helper()
	var buf bytes.Buffer
	for i := 0; ; i++ {
		if i > 10000 {
			t.Fatal("no io.EOF")
		}
		rec, err := next()
		if err == io.EOF {
			break
		}
		var v any = rec
		if err != nil {
			var le *vtr.LineError
			if !errors.As(err, &le) {
				t.Fatalf("not a *vtr.LineError: %v", err)
			}
			v = map[string]any{"error": le.Error()}
		}
		b, merr := json.Marshal(v)
		if merr != nil {
			t.Fatal(merr)
		}
		buf.Write(b)
		buf.WriteByte('\n')
	}
	b, _ := json.Marshal(map[string]any{"stats": stats()})
	buf.Write(b)
	buf.WriteByte('\n')
	return buf.Bytes()
}

func TestOrdersGolden(t *testing.T) {
	files := append(samples(t, "orders_*.json"), samples(t, "search_*.json")...)
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			body, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			r := spapi.NewOrdersReader(bytes.NewReader(body), ordersOptions())
			got := renderRecords(t, r.Next, func() any { return r.Stats() })
			golden(t, strings.TrimSuffix(f, ".json")+".golden", got)
		})
	}
}

func TestOrdersTable(t *testing.T) {
	tests := []struct {
		file  string
		opt   func(*spapi.OrdersOptions)
		want  []string // "type id line" of each record
		bad   []string // "line field" of each error
		stats spapi.OrdersStats
	}{
		{file: "orders_sandbox_200.json",
			want:  []string{"order 902-1845936-5435065 5", "order 902-8745147-1934268 58"},
			stats: spapi.OrdersStats{Pages: 1, Orders: 2, Uncategorized: 2}},
		{file: "orders_sandbox_next_token.json",
			want:  []string{"order 902-3159896-1390916 5"},
			stats: spapi.OrdersStats{Pages: 1, Orders: 1, Uncategorized: 1, NextToken: "2YgYW55IGNhcm5hbCBwbGVhc3VyZS4"}},
		{file: "orders_pages_variant.json",
			want:  []string{"order 111-0000001-0000001 1", "order 111-0000003-0000003 2", "cancellation 111-0000003-0000003 2", "order 503-0000007-0000007 3"},
			bad:   []string{"2 PurchaseDate", "2 MarketplaceId", "2 OrderTotal.Amount", "4 "},
			stats: spapi.OrdersStats{Pages: 3, Orders: 3, Cancellations: 1, AmazonFulfilled: 1, Uncategorized: 3}},
		{file: "orders_pages_variant.json", opt: func(o *spapi.OrdersOptions) { o.Policy = "amazon-us" },
			want:  []string{"order 111-0000001-0000001 1", "order 111-0000003-0000003 2", "cancellation 111-0000003-0000003 2", "order 111-0000005-0000005 2", "order 503-0000007-0000007 3"},
			bad:   []string{"2 PurchaseDate", "2 OrderTotal.Amount", "4 "},
			stats: spapi.OrdersStats{Pages: 3, Orders: 4, Cancellations: 1, AmazonFulfilled: 1, Uncategorized: 4}},
		{file: "orders_items_sandbox_200.json",
			stats: spapi.OrdersStats{OrderItems: 1, ItemsWithoutOrder: 1}},
		{file: "orders_items_sandbox_200.json", opt: func(o *spapi.OrdersOptions) { o.Categories = nil },
			stats: spapi.OrdersStats{OrderItems: 1}},
		// Items before their order (line 1), after it (line 3, the order
		// sent again), without an order ID, of an order not in the file,
		// of an order already categorised (line 6: kept).
		{file: "orders_items_mixed_variant.json",
			want:  []string{"order 902-1845936-5435065 2", "order 902-8745147-1934268 2", "order 902-8745147-1934268 3"},
			bad:   []string{"4 payload.AmazonOrderId", "6 ", "7 "},
			stats: spapi.OrdersStats{Pages: 1, Orders: 2, OrderItems: 5, Recategorized: 1, ItemsWithoutOrder: 1}},
		{file: "search_sandbox_uk_merchant.json",
			want:  []string{"order 202-7654321-1098765 3", "shipment 202-7654321-1098765 3"},
			stats: spapi.OrdersStats{Pages: 1, Orders: 1, Shipments: 1}},
		{file: "search_sandbox_jp_amazon.json",
			stats: spapi.OrdersStats{Pages: 1, AmazonFulfilled: 1, NextToken: "2YgYW55IGNhcm5hbCBwbGVhc3VyZS4"}},
		{file: "search_packages_variant.json",
			want:  []string{"order 113-0000011-0000011 3", "shipment 113-0000011-0000011 3", "order 113-0000012-0000012 26", "cancellation 113-0000012-0000012 26"},
			bad:   []string{"36 packages[0].packageReferenceId", "43 "},
			stats: spapi.OrdersStats{Pages: 1, Orders: 2, Cancellations: 1, Shipments: 1, Uncategorized: 1}},
	}
	for _, tt := range tests {
		name := tt.file
		t.Run(name, func(t *testing.T) {
			body, err := os.ReadFile(filepath.Join("testdata", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			opt := ordersOptions()
			if tt.opt != nil {
				tt.opt(&opt)
			}
			r := spapi.NewOrdersReader(bytes.NewReader(body), opt)
			recs, errs := readAll(t, r.Next, 1000)
			var got, bad []string
			for _, rec := range recs {
				id := ""
				switch {
				case rec.Order != nil:
					id = rec.Order.ID
				case rec.Shipment != nil:
					id = rec.Shipment.OrderID
				case rec.Cancellation != nil:
					id = rec.Cancellation.OrderID
				}
				got = append(got, fmt.Sprintf("%s %s %d", rec.Type, id, rec.Line))
			}
			for _, e := range errs {
				bad = append(bad, fmt.Sprintf("%d %s", e.Line, e.Field))
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("records:\n got %q\nwant %q", got, tt.want)
			}
			if fmt.Sprint(bad) != fmt.Sprint(tt.bad) {
				t.Errorf("errors:\n got %q (%v)\nwant %q", bad, errs, tt.bad)
			}
			if r.Stats() != tt.stats {
				t.Errorf("stats: got %+v, want %+v", r.Stats(), tt.stats)
			}
		})
	}
}

func TestOrdersMapping(t *testing.T) {
	body, err := os.ReadFile("testdata/search_packages_variant.json")
	if err != nil {
		t.Fatal(err)
	}
	recs, _ := readAll(t, spapi.NewOrdersReader(bytes.NewReader(body), ordersOptions()).Next, 100)
	o := recs[0].Order
	want := vtr.Order{ID: "113-0000011-0000011", SellerID: "S1", Policy: "amazon-us",
		PurchasedAt: time.Date(2026, 10, 5, 8, 0, 0, 0, time.UTC), Category: "Toys & Games",
		Value:  vtr.Money{Minor: 14997, Currency: "USD"},
		ShipTo: vtr.Location{City: "Austin", State: "TX", PostalCode: "73301", Country: "US"},
		ShipBy: time.Date(2026, 10, 7, 6, 59, 59, 0, time.UTC), DeliverBy: time.Date(2026, 10, 13, 6, 59, 59, 0, time.UTC)}
	if *o != want {
		t.Errorf("order:\n got %+v\nwant %+v", *o, want)
	}
	s := recs[1].Shipment
	wantS := vtr.Shipment{SellerID: "S1", OrderID: want.ID, PackageID: "1", Carrier: "USPS", TrackingNumber: "9400111899223100012345",
		ShipMethod: "USPS Ground Advantage", ShippedAt: time.Date(2026, 10, 6, 8, 30, 0, 0, time.UTC), UploadedAt: time.Date(2026, 10, 6, 9, 0, 0, 0, time.UTC)}
	if *s != wantS {
		t.Errorf("shipment:\n got %+v\nwant %+v", *s, wantS)
	}
	if c := recs[3].Cancellation; !c.BySeller || !c.CancelledAt.Equal(time.Date(2026, 10, 5, 20, 0, 0, 0, time.UTC)) {
		t.Errorf("cancellation: got %+v, want by the seller at 2026-10-05T20:00Z", c)
	}
}

func TestMoney(t *testing.T) {
	tests := []struct {
		amount, currency string
		want             vtr.Money
		err              bool
	}{
		{"11.01", "USD", vtr.Money{Minor: 1101, Currency: "USD"}, false},
		{"19940", "JPY", vtr.Money{Minor: 19940, Currency: "JPY"}, false},
		{"5", "usd", vtr.Money{Minor: 500, Currency: "USD"}, false},
		{"1.500", "KWD", vtr.Money{Minor: 1500, Currency: "KWD"}, false},
		{"0.10", "EUR", vtr.Money{Minor: 10, Currency: "EUR"}, false},
		{"1.005", "USD", vtr.Money{}, true},
		{"1e3", "USD", vtr.Money{}, true},
		{"", "USD", vtr.Money{}, true},
		{"0x10", "USD", vtr.Money{}, true},
		{"1", "US", vtr.Money{}, true},
		{"99999999999999999999", "USD", vtr.Money{}, true},
	}
	for _, tt := range tests {
		got, err := spapi.Money(tt.amount, tt.currency)
		if (err != nil) != tt.err || got != tt.want {
			t.Errorf("Money(%q, %q) = %v, %v; want %v, error %v", tt.amount, tt.currency, got, err, tt.want, tt.err)
		}
	}
}

// TestOrdersFraming: pages pretty-printed or one a line, a broken page
// between good ones, and a byte-order mark, each order named by its line.
func TestOrdersFraming(t *testing.T) {
	pretty, err := os.ReadFile("testdata/orders_sandbox_200.json")
	if err != nil {
		t.Fatal(err)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, pretty); err != nil {
		t.Fatal(err)
	}
	c := compact.String()
	p := strings.TrimSpace(string(pretty))
	pl := strings.Count(p, "\n") + 1
	tests := []struct {
		name  string
		in    string
		lines []int
		bad   []int
	}{
		{"one a line", c + "\n" + c + "\n", []int{1, 1, 2, 2}, nil},
		{"pretty back to back", p + "\n" + p + "\n", []int{5, 58, pl + 5, pl + 58}, nil},
		{"broken page between", c + "\n" + c[:len(c)/2] + "\n" + c + "\n", []int{1, 1, 3, 3}, []int{2}},
		{"byte-order mark", "\ufeff" + c + "\n", []int{1, 1}, nil},
		{"garbage", "hello\n" + c, []int{2, 2}, []int{1}},
	}
	for _, tt := range tests {
		recs, errs := readAll(t, spapi.NewOrdersReader(strings.NewReader(tt.in), ordersOptions()).Next, 1000)
		var lines, bad []int
		for _, r := range recs {
			lines = append(lines, r.Line)
		}
		for _, e := range errs {
			bad = append(bad, e.Line)
		}
		if fmt.Sprint(lines) != fmt.Sprint(tt.lines) || fmt.Sprint(bad) != fmt.Sprint(tt.bad) {
			t.Errorf("%s: got records on %v, errors on %v; want %v, %v", tt.name, lines, bad, tt.lines, tt.bad)
		}
	}
}

func FuzzOrdersReader(f *testing.F) {
	for _, pat := range []string{"orders_*.json", "search_*.json"} {
		for _, file := range samples(f, pat) {
			b, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
	f.Add([]byte(`{"payload":{"AmazonOrderId":"1","PurchaseDate":"2020-01-01T00:00:00Z"}}`))
	f.Add([]byte(`{"order":{"orderId":"1","createdTime":"2020-01-01T00:00:00Z","packages":[{"shipTime":"2020-01-02T00:00:00Z"}]}}`))
	f.Add([]byte(`{"payload":{"AmazonOrderId":"1","OrderItems":[{"SellerSKU":"SKU-KIT-2"}]}}` + "\n" + `{"payload":{"AmazonOrderId":"1","PurchaseDate":"2020-01-01T00:00:00Z"}}`))
	f.Add([]byte(`{"payload":{"AmazonOrderId":"1","PurchaseDate":"2020-01-01T00:00:00Z"}}` + "\n" + `{"payload":{"AmazonOrderId":"1","OrderItems":[{"ASIN":"B000TOY001"}]}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		r := spapi.NewOrdersReader(bytes.NewReader(body), spapi.OrdersOptions{Policy: "amazon-us", Categories: testCategories()})
		sent := map[string]string{} // an order's category when last sent
		for i := 0; ; i++ {
			if i > len(body)+10 {
				t.Fatalf("no io.EOF after %d calls", i)
			}
			rec, err := r.Next()
			if err == io.EOF {
				return
			}
			if err != nil {
				var le *vtr.LineError
				var ve *vtr.Error
				if !errors.As(err, &le) && !errors.As(err, &ve) {
					t.Fatalf("error of type %T: %v", err, err)
				}
				continue
			}
			if rec.Line < 1 || (rec.Order == nil) == (rec.Shipment == nil && rec.Cancellation == nil) && rec.Order == nil {
				t.Fatalf("bad record %+v", rec)
			}
			if rec.Order != nil && (rec.Order.ID == "" || rec.Order.PurchasedAt.IsZero() || rec.Order.Policy == "") {
				t.Fatalf("incomplete order %+v", rec.Order)
			}
			// An order sent again is sent with a category, after being
			// sent Uncategorized.
			if o := rec.Order; o != nil {
				if prev, ok := sent[o.ID]; ok && prev != spapi.Uncategorized && o.Category != prev {
					t.Fatalf("order %s sent as %q, then as %q", o.ID, prev, o.Category)
				}
				sent[o.ID] = o.Category
			}
			if st := r.Stats(); st.Uncategorized < 0 || st.Recategorized > st.Orders {
				t.Fatalf("stats %+v", st)
			}
		}
	})
}
