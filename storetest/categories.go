package storetest

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vtr-project/vtr"
)

// RunCategories is the contract of the per-seller SKU/ASIN → category
// mappings (vtr.CategoryStore). open gives two handles on one fresh
// database (two processes).
func RunCategories(t *testing.T, open func(t *testing.T) (vtr.CategoryStore, vtr.CategoryStore)) {
	ctx := context.Background()
	now := fixedNow()
	t.Run("TenancyAndUpdate", func(t *testing.T) {
		a, b := open(t)
		put := func(s vtr.CategoryStore, seller string, want int, kv ...string) {
			t.Helper()
			var m []vtr.CategoryMapping
			for i := 0; i+1 < len(kv); i += 2 {
				m = append(m, vtr.CategoryMapping{Key: kv[i], Category: kv[i+1]})
			}
			n, err := s.PutCategories(ctx, seller, m, now)
			if err != nil || n != want {
				t.Fatalf("PutCategories(%s, %v) = %d, %v; want %d", seller, m, n, err, want)
			}
		}
		// Two sellers map the same SKU differently: each sees its own.
		put(a, "S1", 2, "SKU-1", "Toys & Games", "B000000001", "Books")
		put(b, "S2", 1, "SKU-1", "Kitchen")
		if got, want := mappings(t, b, "S1"), "B000000001=Books SKU-1=Toys & Games"; got != want {
			t.Errorf("S1's mapping: got %q, want %q", got, want)
		}
		if got, want := mappings(t, a, "S2"), "SKU-1=Kitchen"; got != want {
			t.Errorf("S2's mapping: got %q, want %q", got, want)
		}
		if got := mappings(t, a, "S3"); got != "" {
			t.Errorf("a seller with no mapping: got %q, want none", got)
		}
		// A re-import updates a key and adds another; the keys it does
		// not name stay; of one key named twice the later wins.
		put(b, "S1", 2, "SKU-1", "Games", "SKU-2", "Garden", "SKU-2", "Outdoors")
		if got, want := mappings(t, a, "S1"), "B000000001=Books SKU-1=Games SKU-2=Outdoors"; got != want {
			t.Errorf("S1 after a re-import: got %q, want %q", got, want)
		}
		if got, want := mappings(t, a, "S2"), "SKU-1=Kitchen"; got != want {
			t.Errorf("S2 after S1's re-import: got %q, want %q", got, want)
		}
	})
	t.Run("Refused", func(t *testing.T) {
		a, _ := open(t)
		if _, err := a.PutCategories(ctx, "", []vtr.CategoryMapping{{Key: "K", Category: "C"}}, now); vtr.ErrorCode(err) != vtr.EINVALID {
			t.Errorf("no seller: %v, want invalid", err)
		}
		// One bad mapping refuses the lot: nothing is half stored.
		_, err := a.PutCategories(ctx, "S1", []vtr.CategoryMapping{{Key: "K", Category: "C"}, {Key: " ", Category: "C"}}, now)
		if vtr.ErrorCode(err) != vtr.EINVALID {
			t.Errorf("empty key: %v, want invalid", err)
		}
		if got := mappings(t, a, "S1"); got != "" {
			t.Errorf("after a refused put: got %q, want nothing stored", got)
		}
		stop := fmt.Errorf("stop")
		a.PutCategories(ctx, "S1", []vtr.CategoryMapping{{Key: "A", Category: "1"}, {Key: "B", Category: "2"}}, now)
		calls := 0
		if err := a.EachCategory(ctx, "S1", func(vtr.CategoryMapping) error { calls++; return stop }); err != stop || calls != 1 {
			t.Errorf("EachCategory with fn failing: %v after %d calls, want its error after 1", err, calls)
		}
	})
	t.Run("ConcurrentWriters", func(t *testing.T) {
		a, b := open(t)
		var wg sync.WaitGroup
		for i := range 6 {
			s := a
			if i%2 == 1 {
				s = b
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				var m []vtr.CategoryMapping
				for k := range 50 {
					// Opposite orders: the store sorts, so no deadlock.
					key := k
					if i%2 == 1 {
						key = 49 - k
					}
					m = append(m, vtr.CategoryMapping{Key: fmt.Sprintf("SKU-%02d", key), Category: fmt.Sprintf("C%d", i)})
				}
				if _, err := s.PutCategories(ctx, "S1", m, now); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		n := 0
		cats := map[string]bool{}
		a.EachCategory(ctx, "S1", func(e vtr.CategoryMapping) error { n++; cats[e.Category] = true; return nil })
		if n != 50 || len(cats) != 1 {
			t.Errorf("after concurrent puts: %d keys in %d categories, want 50 in one (the last writer's)", n, len(cats))
		}
	})
}

// mappings renders a seller's mapping as "key=category" by key.
func mappings(t *testing.T, s vtr.CategoryStore, seller string) string {
	t.Helper()
	var out []string
	if err := s.EachCategory(context.Background(), seller, func(e vtr.CategoryMapping) error {
		out = append(out, e.Key+"="+e.Category)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return strings.Join(out, " ")
}

// RunCategoryFill is the contract of an order sent again once its
// category is known (Orders v0 orders carry no items; their items come in
// a later document): an order stored Uncategorized takes the category of
// a later copy, the aggregates move with it, and nothing else changes (it
// is not a seller's edit: no explanation mentions it). A known category
// never changes: it is the product group at order time.
func RunCategoryFill(t *testing.T, open Opener1) {
	s := open(t)
	asOf := time.Date(2026, 10, 20, 0, 0, 0, 0, time.UTC)
	order := func(id, category string) string {
		return fmt.Sprintf(`{"type":"order","id":%q,"seller_id":"S1","policy":"amazon-us","purchased_at":"2026-10-01T11:00:00Z","category":%q,"value":"12.00","currency":"USD","ship_to":{"country":"US","postal_code":"60601"},"ship_by":"2026-10-02T23:59:59Z","deliver_by":"2026-10-08T23:59:59Z"}`, id, category)
	}
	feed(t, s, `{"type":"seller","id":"S1","policies":["amazon-us"]}
`+order("O1", vtr.Uncategorized)+`
{"type":"shipment","order_id":"O1","carrier":"USPS","tracking_number":"9434611206217011894085","shipped_at":"2026-10-02T15:00:00Z","uploaded_at":"2026-10-02T16:00:00Z"}
{"type":"event","carrier":"USPS","tracking_number":"9434611206217011894085","occurred_at":"2026-10-02T09:00:00-07:00","code":"GX","description":"Shipping Label Created"}
`+order("O2", "Electronics")+`
{"type":"shipment","order_id":"O2","carrier":"UPS","tracking_number":"1Z999AA10123456784","shipped_at":"2026-10-02T15:00:00Z","uploaded_at":"2026-10-02T16:00:00Z"}
`)
	before := defects(t, s, asOf)
	if len(before) != 2 || before["O1"].Category != vtr.Uncategorized {
		t.Fatalf("before: %+v", before)
	}
	categories := func() string {
		t.Helper()
		r, err := s.Rate(context.Background(), "S1", "", asOf, 0)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, c := range r.Categories {
			out = append(out, fmt.Sprintf("%s:%d", c.Category, c.Invalid))
		}
		return strings.Join(out, " ")
	}
	if got, want := categories(), "Electronics:1 Uncategorized:1"; got != want {
		t.Fatalf("categories before: got %q, want %q", got, want)
	}
	// O1 sent again with its category: it moves, and only that changes.
	st, rejected := feed(t, s, order("O1", "Toys & Games"))
	if len(rejected) > 0 || st.Orders != 1 {
		t.Fatalf("re-sent order: %+v %v", st, rejected)
	}
	if got, want := categories(), "Electronics:1 Toys & Games:1"; got != want {
		t.Errorf("categories after the fill: got %q, want %q", got, want)
	}
	after := defects(t, s, asOf)
	for id, b := range before {
		a := after[id]
		if id == "O1" {
			if a.Category != "Toys & Games" {
				t.Errorf("O1's defect row: category %q, want Toys & Games", a.Category)
			}
			a.Category = b.Category
		}
		if fmt.Sprint(a) != fmt.Sprint(b) {
			t.Errorf("%s's defect row changed beyond its category:\n got %+v\nwant %+v", id, a, b)
		}
	}
	// Known categories stay: neither another category nor Uncategorized
	// replaces one.
	feed(t, s, order("O1", "Books")+"\n"+order("O2", vtr.Uncategorized)+"\n")
	if got, want := categories(), "Electronics:1 Toys & Games:1"; got != want {
		t.Errorf("categories after copies with other categories: got %q, want %q", got, want)
	}
	verify(t, s)
}

// defects returns the seller's defect rows by order.
func defects(t *testing.T, s vtr.Store, asOf time.Time) map[string]vtr.DefectRow {
	t.Helper()
	out := map[string]vtr.DefectRow{}
	_, err := s.Defects(context.Background(), vtr.ReportFilter{SellerID: "S1", AsOf: asOf, ShippedLate: true, DeliveredLate: true}, func(r *vtr.DefectRow) error {
		out[r.OrderID] = *r
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
