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

// The catalog format stores a seller's mapping; later spapi-orders
// imports use it (with --categories over it), v0 orders taking their
// category from getOrderItems responses in the same file; spapi-confirm
// reads confirmShipment bodies, their order from the body or --order.
func TestMarketplaceCatalogAndConfirm(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "vtr.db")
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	mapping := write("map.csv", "sku_or_asin,category\nNABetaASINB00551Q3CS,Books\nSKU-1,Toys\n,Garden\n")
	if _, stderr, code := runVTR(t, "", "import", "--db", db, "--format", "catalog", mapping); code != exitUsage || !strings.Contains(stderr, "--seller") {
		t.Errorf("catalog without --seller: exit %d %s", code, stderr)
	}
	if _, stderr, code := runVTR(t, "", "import", "--db", db, "--format", "catalog", "--seller", "A1", mapping); code == 0 || !strings.Contains(stderr, "no seller A1") {
		t.Errorf("catalog for a seller not imported: exit %d %s", code, stderr)
	}
	if _, stderr, code := runVTR(t, `{"type":"seller","id":"A1","policies":["amazon-us"]}`+"\n", "import", "--db", db, "-"); code != 0 {
		t.Fatal(stderr)
	}
	_, stderr, code := runVTR(t, "", "import", "--db", db, "--format", "catalog", "--seller", "A1", mapping)
	if code != exitFound || !strings.Contains(stderr, "stored 2 category mappings for seller A1; 1 lines rejected") || !strings.Contains(stderr, "line 4: sku_or_asin") {
		t.Errorf("catalog: exit %d %s", code, stderr)
	}
	// getOrders page then its getOrderItems response: the order is sent
	// Uncategorized, then again with Books from the stored mapping.
	page, err := os.ReadFile("../../spapi/testdata/orders_sandbox_200.json")
	if err != nil {
		t.Fatal(err)
	}
	items, err := os.ReadFile("../../spapi/testdata/orders_items_sandbox_200.json")
	if err != nil {
		t.Fatal(err)
	}
	orders := write("orders.json", string(page)+string(items))
	_, stderr, code = runVTR(t, "", "import", "--db", db, "--format", "spapi-orders", "--seller", "A1", orders)
	if code != 0 || !strings.Contains(stderr, "1 orders sent again with the category") || !strings.Contains(stderr, "1 of 2 orders have no known category") {
		t.Errorf("orders with items: exit %d %s", code, stderr)
	}
	// --categories wins over the stored mapping for its keys; orders
	// already categorised keep theirs.
	override := write("override.csv", "sku_or_asin,category\nNABetaASINB00551Q3CS,Collectibles\n")
	db2 := filepath.Join(dir, "second.db")
	runVTR(t, `{"type":"seller","id":"A1","policies":["amazon-us"]}`+"\n", "import", "--db", db2, "-")
	runVTR(t, "", "import", "--db", db2, "--format", "catalog", "--seller", "A1", mapping)
	if _, stderr, code := runVTR(t, "", "import", "--db", db2, "--format", "spapi-orders", "--seller", "A1", "--categories", override, orders); code != 0 {
		t.Errorf("orders with --categories: exit %d %s", code, stderr)
	}
	// spapi-confirm: Amazon's sandbox body names no order: --order does.
	// Its package is the order's: the rate shows the order's category.
	body := "../../spapi/testdata/confirm_sandbox_204.json"
	runVTR(t, "", "import", "--db", db2, "--format", "spapi-confirm", "--seller", "A1", "--order", "902-1845936-5435065", body)
	if out, _, _ := runVTR(t, "", "rate", "--db", db2, "--seller", "A1", "--as-of", "1970-02-01", "--json"); !strings.Contains(out, `"category":"Collectibles"`) || strings.Contains(out, `"category":"Books"`) {
		t.Errorf("--categories over the stored mapping: %s", out)
	}
	if _, stderr, code := runVTR(t, "", "import", "--db", db, "--format", "spapi-confirm", "--seller", "A1", body); code != exitFound || !strings.Contains(stderr, "line 1: orderId: unknown") {
		t.Errorf("spapi-confirm without its order: exit %d %s", code, stderr)
	}
	_, stderr, code = runVTR(t, "", "import", "--db", db, "--format", "spapi-confirm", "--seller", "A1", "--order", "902-1845936-5435065", body)
	if code != 0 || !strings.Contains(stderr, "1 shipments") || !strings.Contains(stderr, "1 packages judged") {
		t.Errorf("spapi-confirm: exit %d %s", code, stderr)
	}
	out, _, code := runVTR(t, "", "rate", "--db", db, "--seller", "A1", "--as-of", "1970-02-01", "--json")
	if code != 0 || !strings.Contains(out, `"category":"Books"`) {
		t.Errorf("rate after the items: exit %d %s", code, out)
	}
	out, _, _ = runVTR(t, "", "import", "--help")
	for _, f := range []string{"spapi-confirm", "catalog", "getOrderItems", "--order ID"} {
		if !strings.Contains(out, f) {
			t.Errorf("import --help lacks %q", f)
		}
	}
}
