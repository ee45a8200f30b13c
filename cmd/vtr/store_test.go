package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const sample = `{"type":"seller","id":"S1","name":"Acme","policies":["amazon-us"],"ship_from":[{"id":"WH1","country":"US","state":"WA","city":"Seattle","postal_code":"98109"}]}
{"type":"order","id":"111-0000001-0000001","seller_id":"S1","policy":"amazon-us","purchased_at":"2026-10-01T10:00:00Z","category":"Electronics","value":"25.00","currency":"USD","ship_to":{"country":"US","postal_code":"10001"},"ship_by":"2026-10-02T23:59:59Z","deliver_by":"2026-10-06T23:59:59Z"}
{"type":"shipment","order_id":"111-0000001-0000001","carrier":"UPS","tracking_number":"1Z96F4R8D313969574","ship_from_id":"WH1","shipped_at":"2026-10-02T15:00:00Z","uploaded_at":"2026-10-02T15:05:00Z"}
{"type":"event","carrier":"UPS","tracking_number":"1Z96F4R8D313969574","occurred_at":"2026-10-02T18:05:00-07:00","code":"OR","type_code":"I","description":"Origin Scan","location":{"city":"Seattle","state":"WA","country":"US"}}
{"type":"order","id":"111-0000001-0000002","seller_id":"S1","policy":"amazon-us","purchased_at":"2026-10-01T11:00:00Z","category":"Electronics","value":"30.00","currency":"USD","ship_to":{"country":"US","postal_code":"94105"},"ship_by":"2026-10-02T23:59:59Z","deliver_by":"2026-10-07T23:59:59Z"}
{"type":"shipment","order_id":"111-0000001-0000002","carrier":"USPS","tracking_number":"1Z999AA10123456784","shipped_at":"2026-10-03T15:00:00Z","uploaded_at":"2026-10-03T15:05:00Z"}
`

func TestImportRateReportVerify(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "vtr.db")
	in := filepath.Join(dir, "in.ndjson")
	os.WriteFile(in, []byte(sample+"{\"type\":\"nope\"}\n"), 0o644)
	_, stderr, code := runVTR(t, "", "import", "--db", db, in)
	if code != 1 || !strings.Contains(stderr, `line 7: type: unknown type "nope"`) || !strings.Contains(stderr, "imported 6 records") {
		t.Fatalf("import: exit %d, stderr %q", code, stderr)
	}
	before, _, _ := runVTR(t, "", "report", "--db", db, "--seller", "S1", "--as-of", "2026-10-20")
	rateBefore, _, _ := runVTR(t, "", "rate", "--db", db, "--seller", "S1", "--as-of", "2026-10-20", "--json")
	// The same file again: nothing changes (events and confirmations dedupe).
	if _, stderr, _ := runVTR(t, "", "import", "--db", db, in); !strings.Contains(stderr, "1 duplicate") {
		t.Errorf("re-import: %q, want the event counted as a duplicate", stderr)
	}
	after, _, _ := runVTR(t, "", "report", "--db", db, "--seller", "S1", "--as-of", "2026-10-20")
	if after != before || before == "" {
		t.Errorf("re-importing the same file changed the report:\n%s\nbefore:\n%s", after, before)
	}

	stdout, _, code := runVTR(t, "", "rate", "--db", db, "--seller", "S1", "--as-of", "2026-10-20", "--json")
	if stdout != rateBefore {
		t.Errorf("re-importing the same file changed the rate:\n%s\nbefore:\n%s", stdout, rateBefore)
	}
	if code != 0 {
		t.Fatalf("rate: exit %d", code)
	}
	var r struct {
		SellerID   string    `json:"seller_id"`
		Policy     string    `json:"policy"`
		AsOf       time.Time `json:"as_of"`
		WindowDays int       `json:"window_days"`
		Target     float64   `json:"target"`
		Overall    struct {
			Valid, Invalid, Pending, Exempt int
			Rate                            *float64
		} `json:"overall"`
		Categories []struct {
			Category                        string
			Valid, Invalid, Pending, Exempt int
			Rate                            *float64
			Status                          string
		} `json:"categories"`
	}
	if err := json.Unmarshal([]byte(stdout), &r); err != nil {
		t.Fatalf("rate --json: %v: %s", err, stdout)
	}
	if r.SellerID != "S1" || r.Policy != "amazon-us" || r.WindowDays != 30 || r.Target != 0.95 || r.Overall.Valid != 1 || r.Overall.Invalid != 1 ||
		r.Overall.Rate == nil || *r.Overall.Rate != 0.5 || len(r.Categories) != 1 || r.Categories[0].Status != "below_target" {
		t.Errorf("rate: %s", stdout)
	}
	for _, key := range []string{`"seller_id"`, `"as_of"`, `"window_days"`, `"overall":{"valid"`, `"pending"`, `"exempt"`, `"rate"`, `"categories":[{"category"`, `"status"`} {
		if !strings.Contains(stdout, key) {
			t.Errorf("rate --json lacks %s", key)
		}
	}
	stdout, _, _ = runVTR(t, "", "rate", "--db", db, "--seller", "S1", "--as-of", "2026-10-20")
	if !strings.Contains(stdout, "Electronics") || !strings.Contains(stdout, "50.00%") {
		t.Errorf("rate text: %s", stdout)
	}

	stdout, _, code = runVTR(t, "", "report", "--db", db, "--seller", "S1", "--as-of", "2026-10-20")
	rows, err := csv.NewReader(strings.NewReader(stdout)).ReadAll()
	if code != 0 || err != nil || len(rows) != 2 {
		t.Fatalf("report: exit %d, %v, %q", code, err, stdout)
	}
	if strings.Join(rows[0][:11], "|") != "Order ID|Carrier Name|Tracking ID|Origin Country|Promised Delivery Date|Ship Method|No Valid Tracking|Shipped Late|Delivered Late|Package Value|Product Category" {
		t.Errorf("report header %q", rows[0])
	}
	if rows[1][0] != "111-0000001-0000002" || rows[1][11] != "CARRIER_MISMATCH NO_PHYSICAL_SCAN" || rows[1][12] != "UPS" {
		t.Errorf("report row %q", rows[1])
	}
	// Package Value is a plain number; its currency is the last column.
	if rows[0][9] != "Package Value" || rows[0][len(rows[0])-1] != "Currency" || rows[1][9] != "30.00" || rows[1][len(rows[1])-1] != "USD" {
		t.Errorf("report value %q %q, header %q: want 30.00 and USD last", rows[1][9], rows[1][len(rows[1])-1], rows[0])
	}

	_, stderr, code = runVTR(t, "", "verify", "--db", db)
	if code != 0 || !strings.Contains(stderr, "verified") {
		t.Errorf("verify: exit %d %q", code, stderr)
	}
	if _, _, code := runVTR(t, "", "rate", "--db", db, "--seller", "S1", "--as-of", "yesterday"); code != 2 {
		t.Errorf("bad --as-of: exit %d, want 2", code)
	}
	if _, stderr, code := runVTR(t, "", "rate", "--db", db, "--seller", "NOPE"); code != 4 || stderr != "vtr: seller NOPE not found\n" {
		t.Errorf("unknown seller: exit %d %q, want 4 and the plain message", code, stderr)
	}
	if _, stderr, code := runVTR(t, "", "rate", "--db", db, "--seller", "S1", "--policy", "walmart-us"); code != 4 || !strings.Contains(stderr, "not judged by walmart-us") {
		t.Errorf("a policy the seller is not on: exit %d %q, want 4", code, stderr)
	}
	// Filters take any spelling the carrier lookup takes.
	for _, c := range []string{"USPS", "usps", "United States Postal Service"} {
		stdout, _, _ := runVTR(t, "", "report", "--db", db, "--seller", "S1", "--as-of", "2026-10-20", "--carrier", c, "--category", "electronics")
		if !strings.Contains(stdout, "111-0000001-0000002") {
			t.Errorf("report --carrier %q --category electronics: %s", c, stdout)
		}
	}
}

// Commands that only read refuse a database that does not exist, and a
// usage error creates no file.
func TestReadersDoNotCreateDatabases(t *testing.T) {
	dir := t.TempDir()
	typo := filepath.Join(dir, "typo.db")
	for _, args := range [][]string{
		{"verify", "--db", typo}, {"rate", "--db", typo, "--seller", "S1"}, {"report", "--db", typo, "--seller", "S1"},
		{"unclassified", "--db", typo},
	} {
		if _, stderr, code := runVTR(t, "", args...); code != 4 || !strings.Contains(stderr, "no database at") {
			t.Errorf("%v: exit %d %q, want 4 saying there is no database", args, code, stderr)
		}
	}
	for _, args := range [][]string{
		{"rate", "--db", typo}, {"report", "--db", typo, "--as-of", "never", "--seller", "S1"}, {"import", "--db", typo},
		{"import", "--db", typo, "--format", "nope", "x"}, {"demo", "--db", typo, "--as-of", "never"},
	} {
		if _, _, code := runVTR(t, "", args...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
	if _, err := os.Stat(typo); err == nil {
		t.Errorf("a read or a usage error created %s", typo)
	}
}

// --db is a path, never driver options.
func TestDBPathIsAPath(t *testing.T) {
	db := filepath.Join(t.TempDir(), "x.db?mode=memory&")
	if _, stderr, code := runVTR(t, sample, "import", "--db", db, "-"); code != 0 {
		t.Fatalf("import: exit %d %q", code, stderr)
	}
	if _, err := os.Stat(db); err != nil {
		t.Fatalf("the data did not go to %s: %v", db, err)
	}
	if stdout, _, code := runVTR(t, "", "rate", "--db", db, "--seller", "S1", "--as-of", "2026-10-20"); code != 0 || !strings.Contains(stdout, "Electronics") {
		t.Errorf("rate from %s: exit %d %s", db, code, stdout)
	}
}

// vtr demo runs on an empty database or its own demo data, never on
// someone's data.
func TestDemoRefusesOtherData(t *testing.T) {
	db := filepath.Join(t.TempDir(), "vtr.db")
	runVTR(t, sample, "import", "--db", db, "-")
	if _, stderr, code := runVTR(t, "", "demo", "--db", db); code != 2 || !strings.Contains(stderr, "not vtr's demo data") {
		t.Errorf("demo on other data: exit %d %q", code, stderr)
	}
}

func TestImportFlatFile(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "vtr.db")
	runVTR(t, sample, "import", "--db", db, "-")
	flat := "order-id\torder-item-id\tquantity\tship-date\tcarrier-code\tcarrier-name\ttracking-number\tship-method\n" +
		"111-0000001-0000002\t\t\t2026-10-03\tUPS\t\t1Z999AA10123456784\tGround\n" +
		"bad-id\t\t\t2026-10-03\tUPS\t\t1Z999AA10123456784\tGround\n"
	_, stderr, code := runVTR(t, flat, "import", "--db", db, "-")
	if code != 1 || !strings.Contains(stderr, "line 3: order-id") || !strings.Contains(stderr, "1 shipments") {
		t.Fatalf("flat-file import: exit %d %q", code, stderr)
	}
	stdout, _, _ := runVTR(t, "", "rate", "--db", db, "--seller", "S1", "--as-of", "2026-10-20", "--json")
	// The edit fixed the carrier: no defect left, but the number has no scan yet.
	if !strings.Contains(stdout, `"invalid":1`) {
		t.Errorf("after the flat-file edit: %s", stdout)
	}
	// The same file saved from a spreadsheet as CSV is recognised without
	// --format, read alike, and named as such.
	csvFile := "\ufeff\"order-id\",\"order-item-id\",\"quantity\",\"ship-date\",\"carrier-code\",\"carrier-name\",\"tracking-number\",\"ship-method\"\n" +
		"\"111-0000001-0000002\",,,\"2026-10-03\",\"UPS\",,\"1Z999AA10123456784\",\"Ground\"\n"
	db2 := filepath.Join(dir, "csv.db")
	runVTR(t, sample, "import", "--db", db2, "-")
	_, stderr, code = runVTR(t, csvFile, "import", "--db", db2, "-")
	if code != 0 || !strings.Contains(stderr, "1 shipments") || !strings.Contains(stderr, "comma-separated: it was read") {
		t.Fatalf("CSV flat-file import: exit %d %q", code, stderr)
	}
	if again, _, _ := runVTR(t, "", "rate", "--db", db2, "--seller", "S1", "--as-of", "2026-10-20", "--json"); again != stdout {
		t.Errorf("CSV import: rate\n%s\nwant the tab-separated file's\n%s", again, stdout)
	}
}

func TestCheckCommand(t *testing.T) {
	flat, err := os.ReadFile("../../flatfile/testdata/confirm.txt")
	if err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code := runVTR(t, string(flat), "check", "-")
	if code != 1 || !strings.Contains(stdout, "CARRIER_MISMATCH") || !strings.Contains(stderr, "14 lines: 4 ok, 3 rejected") {
		t.Errorf("check: exit %d\n%s\n%s", code, stdout, stderr)
	}
	stdout, _, _ = runVTR(t, string(flat), "check", "--json", "-")
	if n := strings.Count(stdout, "\n"); n != 14 {
		t.Errorf("check --json: %d lines, want 14", n)
	}
}

func TestPoliciesCommand(t *testing.T) {
	stdout, _, code := runVTR(t, "", "policies")
	for _, id := range []string{"amazon-us", "amazon-cn-us", "amazon-eu", "amazon-jp", "walmart-us", "ebay-us", "tiktok-us", "etsy"} {
		if !strings.Contains(stdout, id) {
			t.Errorf("policies lacks %s", id)
		}
	}
	if code != 0 {
		t.Errorf("exit %d", code)
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "p.json")
	os.WriteFile(file, []byte(`[{"id":"mall-eu","name":"Mall","marketplace":"mall.example","target":0.9,"at_risk_margin":0.01,"window_days":30,"group_by":"account","inclusion":"ship_date","scans":{"min_physical":1}}]`), 0o644)
	stdout, _, code = runVTR(t, "", "policies", "--policies", file, "--json")
	if code != 0 || !strings.Contains(stdout, `"id": "mall-eu"`) {
		t.Errorf("operator policy: exit %d %s", code, stdout)
	}
	os.WriteFile(file, []byte(`[{"id":"bad","target":1.5,"window_days":30,"group_by":"account","inclusion":"ship_date","scans":{"min_physical":1}}]`), 0o644)
	if _, stderr, code := runVTR(t, "", "policies", "--policies", file); code != 2 || !strings.Contains(stderr, "target") {
		t.Errorf("bad policy: exit %d %q", code, stderr)
	}
}

func TestUnclassified(t *testing.T) {
	db := filepath.Join(t.TempDir(), "vtr.db")
	in := `{"type":"event","carrier":"UPS","tracking_number":"1Z96F4R8D313969574","occurred_at":"2026-10-02T18:05:00Z","code":"ZZ9","description":"Mystery scan"}` + "\n"
	runVTR(t, in, "import", "--db", db, "-")
	stdout, _, code := runVTR(t, "", "unclassified", "--db", db)
	if code != 0 || !strings.Contains(stdout, "native UPS") || !strings.Contains(stdout, "ZZ9") || !strings.Contains(stdout, "Mystery scan") {
		t.Errorf("unclassified: exit %d\n%s", code, stdout)
	}
}

// Interrupting an import stops it at once, even while it waits for input
// on a pipe, and keeps the batches already committed.
func TestImportInterrupted(t *testing.T) {
	db := filepath.Join(t.TempDir(), "vtr.db")
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var errb bytes.Buffer
	done := make(chan int, 1)
	go func() {
		m := &Main{Stdin: r, Stdout: io.Discard, Stderr: &errb}
		done <- m.Run(ctx, []string{"import", "--db", db, "--batch", "2", "-"})
	}()
	if _, err := io.WriteString(w, sample); err != nil { // 6 records, then the pipe stays open
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		stdout, _, code := runVTR(t, "", "rate", "--db", db, "--seller", "S1", "--as-of", "2026-10-20", "--json")
		if code == 0 && strings.Contains(stdout, `"invalid":1`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the committed batches never showed: %s", stdout)
		}
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	select {
	case code := <-done:
		if code != 3 || !strings.Contains(errb.String(), "interrupted") || !strings.Contains(errb.String(), "imported 6 records") {
			t.Errorf("interrupted import: exit %d %q", code, errb.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the import did not stop within 10 s of the interruption")
	}
	if _, stderr, code := runVTR(t, "", "verify", "--db", db); code != 0 {
		t.Errorf("verify after the interruption: exit %d %q", code, stderr)
	}
}

// Two sellers with the same order ID: NDJSON shipments name their seller
// with seller_id; one that does not is rejected, naming the field.
func TestSameOrderIDNDJSON(t *testing.T) {
	db := filepath.Join(t.TempDir(), "vtr.db")
	in := `{"type":"seller","id":"A","policies":["walmart-us"]}
{"type":"seller","id":"B","policies":["walmart-us"]}
{"type":"order","id":"1001","seller_id":"A","policy":"walmart-us","purchased_at":"2026-10-01T10:00:00Z","category":"Books","value":"20.00","currency":"USD","ship_by":"2026-10-02T23:59:59Z","deliver_by":"2026-10-06T23:59:59Z"}
{"type":"order","id":"1001","seller_id":"B","policy":"walmart-us","purchased_at":"2026-10-01T10:00:00Z","category":"Books","value":"20.00","currency":"USD","ship_by":"2026-10-02T23:59:59Z","deliver_by":"2026-10-06T23:59:59Z"}
{"type":"shipment","seller_id":"A","order_id":"1001","carrier":"UPS","tracking_number":"1Z96F4R8D313969574","shipped_at":"2026-10-02T15:00:00Z"}
{"type":"shipment","seller_id":"B","order_id":"1001","carrier":"USPS","tracking_number":"1Z999AA10123456784","shipped_at":"2026-10-02T15:00:00Z"}
{"type":"shipment","order_id":"1001","carrier":"UPS","tracking_number":"1Z96F4R8D313969574","shipped_at":"2026-10-02T15:00:00Z"}
{"type":"cancellation","seller_id":"B","order_id":"1001","cancelled_at":"2026-10-01T12:00:00Z"}
`
	_, stderr, code := runVTR(t, in, "import", "--db", db, "-")
	if code != 1 || !strings.Contains(stderr, "line 7: seller_id: order 1001 exists for 2 sellers") || !strings.Contains(stderr, "1 lines rejected") {
		t.Fatalf("import: exit %d %q", code, stderr)
	}
	a, _, _ := runVTR(t, "", "rate", "--db", db, "--seller", "A", "--as-of", "2026-10-20", "--json")
	b, _, _ := runVTR(t, "", "rate", "--db", db, "--seller", "B", "--as-of", "2026-10-20", "--json")
	if !strings.Contains(a, `"overall":{"valid":0,"invalid":1`) || !strings.Contains(b, `"exempt":1`) {
		t.Errorf("A (label only, invalid): %s\nB (cancelled, exempt): %s", a, b)
	}
}

// A flat file of past confirmations: stamped with the import's time, a
// package delivered before it counts as uploaded after delivery;
// --uploaded-at ship-date takes each line's ship date instead.
func TestImportFlatFileUploadedAt(t *testing.T) {
	order := `{"type":"seller","id":"S1","policies":["amazon-us"]}
{"type":"order","id":"111-0000001-0000009","seller_id":"S1","policy":"amazon-us","purchased_at":"2026-10-01T10:00:00Z","category":"Electronics","value":"25.00","currency":"USD","ship_to":{"country":"US","postal_code":"10001"},"ship_by":"2026-10-02T23:59:59Z","deliver_by":"2026-10-06T23:59:59Z"}
{"type":"event","carrier":"UPS","tracking_number":"1Z96F4R8D313969574","occurred_at":"2026-10-02T18:05:00Z","code":"OR","type_code":"I","description":"Origin Scan","location":{"city":"Seattle","state":"WA","country":"US"}}
{"type":"event","carrier":"UPS","tracking_number":"1Z96F4R8D313969574","occurred_at":"2026-10-05T14:00:00Z","code":"KB","type_code":"D","description":"Delivered","location":{"city":"New York","state":"NY","country":"US"}}
`
	flat := "order-id\torder-item-id\tquantity\tship-date\tcarrier-code\tcarrier-name\ttracking-number\tship-method\n" +
		"111-0000001-0000009\t\t\t2026-10-02\tUPS\t\t1Z96F4R8D313969574\tGround\n"
	report := func(t *testing.T, uploadedAt ...string) string {
		db := filepath.Join(t.TempDir(), "vtr.db")
		runVTR(t, order, "import", "--db", db, "-")
		args := append([]string{"import", "--db", db}, uploadedAt...)
		if _, stderr, code := runVTR(t, flat, append(args, "-")...); code != 0 {
			t.Fatalf("import %v: exit %d %s", uploadedAt, code, stderr)
		}
		out, _, _ := runVTR(t, "", "report", "--db", db, "--seller", "S1", "--as-of", "2026-10-20")
		return out
	}
	if out := report(t); !strings.Contains(out, "UPLOADED_AFTER_DELIVERY") {
		t.Errorf("stamped now, after the delivery: %s", out)
	}
	if out := report(t, "--uploaded-at", "ship-date"); strings.Contains(out, "UPLOADED_AFTER_DELIVERY") {
		t.Errorf("uploaded on its ship date: %s", out)
	}
	if out := report(t, "--uploaded-at", "2026-10-03T09:00:00Z"); strings.Contains(out, "UPLOADED_AFTER_DELIVERY") {
		t.Errorf("uploaded on 2026-10-03: %s", out)
	}
	if out := report(t, "--uploaded-at", "2026-10-09"); !strings.Contains(out, "UPLOADED_AFTER_DELIVERY") {
		t.Errorf("uploaded on 2026-10-09, after the delivery: %s", out)
	}
	dir := t.TempDir()
	if _, stderr, code := runVTR(t, order, "import", "--db", filepath.Join(dir, "x.db"), "--uploaded-at", "ship-date", "-"); code != 2 || !strings.Contains(stderr, "native records give their own upload time") {
		t.Errorf("ship-date on native records: exit %d %s", code, stderr)
	}
	if _, stderr, code := runVTR(t, "[]", "import", "--db", filepath.Join(dir, "x.db"), "--format", "aftership", "--uploaded-at", "ship-date", "-"); code != 2 || !strings.Contains(stderr, "aftership") {
		t.Errorf("ship-date on carrier events: exit %d %s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "x.db")); !os.IsNotExist(err) {
		t.Errorf("a usage error created the database: %v", err)
	}
	if _, stderr, code := runVTR(t, flat, "import", "--db", filepath.Join(t.TempDir(), "x.db"), "--uploaded-at", "yesterday", "-"); code != 2 || !strings.Contains(stderr, "--uploaded-at") {
		t.Errorf("a bad --uploaded-at: exit %d %s", code, stderr)
	}
}
