package web_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/internal/sqlutil"
	"github.com/vtr-project/vtr/postgres"
)

// query runs a query on an env's database and returns its rows as text,
// one "a|b|c" a row.
func (e *env) query(q string, args ...any) []string {
	e.t.Helper()
	db := e.eng.(interface{ SQL() *sql.DB }).SQL()
	if _, pg := e.eng.(*postgres.DB); pg {
		q = sqlutil.Dollar(q)
	}
	rows, err := db.Query(q, args...)
	if err != nil {
		e.t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			e.t.Fatal(err)
		}
		var cells []string
		for _, v := range vals {
			if b, ok := v.([]byte); ok {
				v = string(b)
			}
			cells = append(cells, fmt.Sprint(v))
		}
		out = append(out, strings.Join(cells, "|"))
	}
	if err := rows.Err(); err != nil {
		e.t.Fatal(err)
	}
	return out
}

// answer reads POST /v1/records's answer.
type answer struct {
	Accepted int
	Rejected []struct {
		Line                 int
		Field, Code, Message string
	}
	Stats map[string]int
}

func (e *env) post(path, key, body string) (int, answer, string) {
	e.t.Helper()
	code, _, b := e.do("POST", path, key, body)
	var a answer
	if code == 200 {
		if err := json.Unmarshal([]byte(b), &a); err != nil {
			e.t.Fatalf("%s: %v %s", path, err, b)
		}
	}
	return code, a, b
}

// A seller's category mapping is stored per seller (format=catalog), and
// its later Amazon order imports take their categories from it, v0
// orders through their getOrderItems items; orders already imported keep
// theirs until a copy of them names one.
func TestCatalogRecords(t *testing.T) {
	page, err := os.ReadFile("../spapi/testdata/orders_sandbox_200.json")
	if err != nil {
		t.Fatal(err)
	}
	items, err := os.ReadFile("../spapi/testdata/orders_items_sandbox_200.json")
	if err != nil {
		t.Fatal(err)
	}
	// The sandbox's second order's items, with a SKU both sellers map.
	items2 := `{"payload":{"AmazonOrderId":"902-8745147-1934268","OrderItems":[{"ASIN":"B0SHARED01","OrderItemId":"1","SellerSKU":"SKU-1"}]}}` + "\n"
	engines(t, func(t *testing.T, name string) {
		e := start(t, name, location(t, name), true)
		e.load()
		categories := func(seller string) string {
			t.Helper()
			return strings.Join(e.query(`SELECT order_id, category FROM orders WHERE seller_id = ? AND order_id LIKE '902-%' ORDER BY order_id`, seller), " ")
		}
		// Orders imported before any mapping are Uncategorized.
		if code, a, b := e.post("/v1/records?format=spapi-orders", e.s1, string(page)); code != 200 || a.Accepted != 2 {
			t.Fatalf("orders: %d %s", code, b)
		}
		// S1 stores its mapping; a bad line is listed, the rest stored.
		code, a, b := e.post("/v1/records?format=catalog", e.s1, "sku_or_asin,category\nSKU-1,Toys & Games\nB00551Q3CS,Books\n,Garden\n")
		if code != 200 || a.Accepted != 2 || a.Stats["categories"] != 2 || len(a.Rejected) != 1 || a.Rejected[0].Line != 4 || a.Rejected[0].Field != "sku_or_asin" {
			t.Fatalf("S1's catalog: %d %s", code, b)
		}
		// Tenancy: S1's key cannot store S2's; S2 maps the same SKU its
		// own way (Catalog Items JSON); the operator names the seller.
		if code, _, b := e.post("/v1/records?format=catalog&seller_id=S2", e.s1, "sku_or_asin,category\nSKU-1,Weapons\n"); code != 404 {
			t.Errorf("S1's key storing S2's mapping: %d %s, want 404", code, b)
		}
		if code, a, b := e.post("/v1/records?format=catalog", e.s2, `{"items":[{"asin":"B0SHARED01","summaries":[{"websiteDisplayGroupName":"Kitchen"}]}]}`); code != 200 || a.Stats["categories"] != 1 {
			t.Fatalf("S2's catalog: %d %s", code, b)
		}
		if code, _, b := e.post("/v1/records?format=catalog&seller_id=S9", e.op, "sku_or_asin,category\nA,B\n"); code != 404 {
			t.Errorf("a catalog for no seller: %d %s, want 404", code, b)
		}
		if code, _, b := e.post("/v1/records?format=catalog", e.op, "sku_or_asin,category\nA,B\n"); code != 400 {
			t.Errorf("an operator's catalog naming no seller: %d %s, want 400", code, b)
		} else if c, f := errorCode(t, b); c != vtr.EINVALID || f != "seller_id" {
			t.Errorf("an operator's catalog naming no seller: %s %s", c, f)
		}
		if code, _, b := e.post("/v1/records?format=catalog", e.s1, "no header here\n"); code != 400 {
			t.Errorf("a catalog that is not one: %d %s, want 400", code, b)
		}
		cs := e.eng.(interface{ Categories() *sqlutil.Categories }).Categories()
		for seller, want := range map[string]string{"S1": "B00551Q3CS=Books SKU-1=Toys & Games", "S2": "B0SHARED01=Kitchen"} {
			var got []string
			cs.EachCategory(context.Background(), seller, func(m vtr.CategoryMapping) error {
				got = append(got, m.Key+"="+m.Category)
				return nil
			})
			if strings.Join(got, " ") != want {
				t.Errorf("%s's stored mapping: got %q, want %q", seller, got, want)
			}
		}
		// Storing a mapping changes no order.
		if got, want := categories("S1"), "902-1845936-5435065|Uncategorized 902-8745147-1934268|Uncategorized"; got != want {
			t.Errorf("S1's orders after its catalog: got %q, want %q", got, want)
		}
		// The orders again with their items: each seller's own mapping
		// gives the categories, items after their order or before it.
		body := string(page) + string(items) + items2
		code, a, b = e.post("/v1/records?format=spapi-orders", e.s1, body)
		if code != 200 || len(a.Rejected) != 0 {
			t.Fatalf("S1's orders with items: %d %s", code, b)
		}
		if got, want := categories("S1"), "902-1845936-5435065|Books 902-8745147-1934268|Toys & Games"; got != want {
			t.Errorf("S1's orders: got %q, want %q", got, want)
		}
		code, _, b = e.post("/v1/records?format=spapi-orders", e.s2, string(items)+items2+string(page))
		if code != 200 {
			t.Fatalf("S2's orders: %d %s", code, b)
		}
		if got, want := categories("S2"), "902-1845936-5435065|Uncategorized 902-8745147-1934268|Kitchen"; got != want {
			t.Errorf("S2's orders: got %q, want %q", got, want)
		}
		// A stored category is the product group at order time: a later
		// mapping does not move it.
		e.post("/v1/records?format=catalog", e.s1, "sku_or_asin,category\nSKU-1,Garden\n")
		e.post("/v1/records?format=spapi-orders", e.s1, body)
		if got, want := categories("S1"), "902-1845936-5435065|Books 902-8745147-1934268|Toys & Games"; got != want {
			t.Errorf("S1's orders after a new mapping: got %q, want %q", got, want)
		}
		if diffs, err := e.store.Verify(context.Background()); err != nil || len(diffs) > 0 {
			t.Errorf("verify: %v %+v", err, diffs)
		}
	})
}

// A file of confirmShipment bodies (format=spapi-confirm) stores exactly
// what the SP-API compatible route stores for the same bodies: the same
// shipment rows and the same verdicts.
func TestSPAPIConfirmFileMatchesRoute(t *testing.T) {
	bodies := []struct{ order, body string }{
		{"111-0000001-0000002", strings.Replace(spapiBody, "1Z96F4R8D313969574", "1Z999AA10123456793", 1)},
		{"111-0000001-0000001", `{"marketplaceId":"ATVPDKIKX0DER","packageDetail":{"packageReferenceId":"2","carrierCode":"Other","carrierName":"Seino","shippingMethod":"Express",` +
			`"trackingNumber":" 1234-5678 ","shipDate":"2026-10-03T14:05:00+09:00","shipFromSupplySourceId":"WH1","orderItems":[{"orderItemId":"1","quantity":2}]}}`},
	}
	engines(t, func(t *testing.T, name string) {
		route := start(t, name, location(t, name), true)
		file := start(t, name, location(t, name), true)
		route.load()
		file.load()
		var lines []string
		for i, b := range bodies {
			code, _, msg := route.do("POST", "/orders/v0/orders/"+b.order+"/shipmentConfirmation", route.s1, b.body)
			if code != 204 {
				t.Fatalf("route: %d %s", code, msg)
			}
			if i == 0 {
				continue // sent below with ?order_id=, as it is
			}
			lines = append(lines, `{"orderId":"`+b.order+`",`+b.body[1:])
		}
		code, a, msg := file.post("/v1/records?format=spapi-confirm&order_id="+bodies[0].order, file.s1, bodies[0].body+"\n"+strings.Join(lines, "\n")+"\n")
		if code != 200 || a.Accepted != 2 || len(a.Rejected) != 0 {
			t.Fatalf("file: %d %s", code, msg)
		}
		// The first body edits the sample's package 1 of its order (a
		// second confirmation of it); the second adds a package.
		for q, n := range map[string]int{
			`SELECT seller_id, order_id, package_id, seq, carrier, carrier_name, tracking_number, ship_method, ship_from_id, shipped_at, uploaded_at FROM shipments ORDER BY seller_id, order_id, package_id, seq`: 4,
			`SELECT * FROM packages ORDER BY seller_id, order_id, package_id`: 3,
		} {
			got, want := file.query(q), route.query(q)
			if len(want) != n {
				t.Errorf("%s: %d rows, want %d", q, len(want), n)
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("%s\nfile:\n%s\nroute:\n%s", q, strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		}
		// A body naming no order, without ?order_id=, is one rejected line.
		code, a, msg = file.post("/v1/records?format=spapi-confirm", file.s1, bodies[0].body+"\n")
		if code != 200 || a.Accepted != 0 || len(a.Rejected) != 1 || a.Rejected[0].Field != "orderId" || a.Rejected[0].Line != 1 {
			t.Errorf("a body naming no order: %d %s", code, msg)
		}
	})
}
