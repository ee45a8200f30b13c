package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Amazon's own orders (searchOrders pages with packages) become orders
// and shipments of the seller named; categories come from a SKU/ASIN
// mapping, and without one the import says once that orders are
// Uncategorized. The marketplace's own report reconciles against vtr's.
func TestMarketplaceFormats(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "vtr.db")
	orders := "../../spapi/testdata/search_sandbox_uk_merchant.json"
	if _, stderr, code := runVTR(t, "", "import", "--db", db, "--format", "spapi-orders", orders); code != exitUsage || !strings.Contains(stderr, "--seller") {
		t.Errorf("spapi-orders without --seller: exit %d %s", code, stderr)
	}
	_, stderr, code := runVTR(t, "", "import", "--db", db, "--format", "spapi-orders", "--seller", "A1", orders)
	if code != 0 || !strings.Contains(stderr, "Uncategorized") || strings.Count(stderr, "Uncategorized") != 1 {
		t.Fatalf("import: exit %d\n%s", code, stderr)
	}
	if !strings.Contains(stderr, "1 orders") && !strings.Contains(stderr, " orders, ") {
		t.Errorf("import summary: %s", stderr)
	}
	// With a mapping that knows the order's items, no note.
	var body struct {
		Orders []struct {
			OrderItems []struct {
				Product struct {
					SellerSKU string `json:"sellerSku"`
					ASIN      string `json:"asin"`
				} `json:"product"`
			} `json:"orderItems"`
		} `json:"orders"`
	}
	raw, err := os.ReadFile(orders)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &body); err != nil {
		t.Fatal(err)
	}
	var mapping strings.Builder
	mapping.WriteString("sku_or_asin,category\n")
	for _, o := range body.Orders {
		for _, it := range o.OrderItems {
			for _, id := range []string{it.Product.SellerSKU, it.Product.ASIN} {
				if id != "" {
					mapping.WriteString(id + ",Toys\n")
				}
			}
		}
	}
	cats := filepath.Join(dir, "categories.csv")
	os.WriteFile(cats, []byte(mapping.String()), 0o644)
	db2 := filepath.Join(dir, "mapped.db")
	_, stderr, code = runVTR(t, "", "import", "--db", db2, "--format", "spapi-orders", "--seller", "A1", "--categories", cats, orders)
	if code != 0 || strings.Contains(stderr, "Uncategorized") {
		t.Errorf("import with categories: exit %d\n%s", code, stderr)
	}
	if strings.Count(mapping.String(), "\n") > 1 {
		out, _, code := runVTR(t, "", "rate", "--db", db2, "--seller", "A1", "--as-of", "2025-01-10", "--json")
		if code != 0 || !strings.Contains(out, `"category":"Toys"`) {
			t.Errorf("rate after a mapped import: exit %d %s", code, out)
		}
	}
	// Reconcile against Amazon's own report (the schema's example).
	if _, stderr, code := runVTR(t, sample, "import", "--db", db, "-"); code != 0 {
		t.Fatal(stderr)
	}
	out, stderr, code := runVTR(t, "", "reconcile", "--db", db, "--seller", "S1", "../../spapi/testdata/report_schema_example.json")
	if code != 0 || !strings.Contains(out, "vtr") || !strings.Contains(out, "Amazon") || !strings.Contains(out, "72 hours") {
		t.Errorf("reconcile: exit %d\n%s%s", code, out, stderr)
	}
	out, _, code = runVTR(t, "", "reconcile", "--db", db, "--seller", "S1", "--json", "../../spapi/testdata/report_schema_example.json")
	var rep struct {
		Explanations []struct{ Code string }
	}
	if err := json.Unmarshal([]byte(out), &rep); code != 0 || err != nil || len(rep.Explanations) == 0 {
		t.Errorf("reconcile --json: exit %d %v %s", code, err, out)
	}
	if _, _, code := runVTR(t, "", "reconcile", "--db", db, "--seller", "S1", orders); code != exitUsage {
		t.Errorf("reconcile of a file that is not a report: exit %d", code)
	}
	// Walmart: the orders of GET /v3/orders, then a ship-order body for
	// one of them (its purchase order from --order, as the API's path).
	wdb := filepath.Join(dir, "walmart.db")
	if _, stderr, code := runVTR(t, "", "import", "--db", wdb, "--format", "walmart-orders", "--seller", "W1", "../../walmart/testdata/orders_getallorders_docs.json"); code != 0 || !strings.Contains(stderr, "1 orders") {
		t.Fatalf("walmart-orders: exit %d %s", code, stderr)
	}
	if _, stderr, code := runVTR(t, "", "import", "--db", wdb, "--format", "walmart-ship", "--seller", "W1", "../../walmart/testdata/ship_docs_example.json"); code != exitFound || !strings.Contains(stderr, "purchaseOrderId") {
		t.Errorf("walmart-ship without its order: exit %d %s", code, stderr)
	}
	if _, stderr, code := runVTR(t, "", "import", "--db", wdb, "--format", "walmart-ship", "--seller", "W1", "--order", "1796277083022", "../../walmart/testdata/ship_docs_example.json"); code != 0 || !strings.Contains(stderr, "1 shipments") || !strings.Contains(stderr, "1 packages judged") {
		t.Errorf("walmart-ship: exit %d %s", code, stderr)
	}
	if out, _, code := runVTR(t, "", "rate", "--db", wdb, "--seller", "W1", "--as-of", "2019-09-30", "--json"); code != 0 || !strings.Contains(out, `"policy":"walmart-us"`) || !strings.Contains(out, `"carriers":[{"key":"UPS"`) {
		t.Errorf("walmart rate: exit %d %s", code, out)
	}
}
