package storetest

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/vtr-project/vtr"
)

// detectedFeed is a UPS 1Z number with a mistyped check digit, entered
// as USPS: the verdict names UPS, the carrier the explanation names.
const detectedFeed = `{"type":"seller","id":"S1","name":"Acme","policies":["amazon-us"],"ship_from":[{"id":"WH1","country":"US","state":"WA","city":"Seattle","postal_code":"98109"}]}
{"type":"order","id":"111-0000009-0000001","seller_id":"S1","policy":"amazon-us","purchased_at":"2026-10-01T10:00:00Z","category":"Electronics","value":"24.99","currency":"USD","ship_to":{"country":"US","postal_code":"10001"},"ship_by":"2026-10-02T23:59:59Z","deliver_by":"2026-10-06T23:59:59Z"}
{"type":"shipment","order_id":"111-0000009-0000001","carrier":"USPS","tracking_number":"1Z96F4R8D313969575","ship_from_id":"WH1","shipped_at":"2026-10-02T15:00:00Z","uploaded_at":"2026-10-02T15:05:00Z"}
`

// RunDetected checks the defect report's Detected Carrier on a number
// with a mistyped check digit (issue 11): the stored verdict names the
// carrier, and a verdict stored before it did (db's packages.detected
// blank, as in a database written by an earlier vtr) still reads with
// it, from the engine's own carrier rule.
func RunDetected(t *testing.T, s vtr.Store, db *sql.DB) {
	feed(t, s, detectedFeed)
	read := func() *vtr.DefectRow {
		t.Helper()
		var rows []*vtr.DefectRow
		if _, err := s.Defects(context.Background(), vtr.ReportFilter{SellerID: "S1", AsOf: time.Date(2026, 10, 20, 0, 0, 0, 0, time.UTC)},
			func(r *vtr.DefectRow) error { rows = append(rows, r); return nil }); err != nil {
			t.Fatal(err)
		}
		if len(rows) != 1 {
			t.Fatalf("%d rows, want 1", len(rows))
		}
		return rows[0]
	}
	if r := read(); r.Detected != "UPS" || r.Value != (vtr.Money{Minor: 2499, Currency: "USD"}) {
		t.Errorf("detected %q value %+v, want UPS and 24.99 USD (%s)", r.Detected, r.Value, r.Explanation)
	}
	var stored string
	if err := db.QueryRow(`SELECT detected FROM packages WHERE order_id = '111-0000009-0000001'`).Scan(&stored); err != nil || stored != "UPS" {
		t.Errorf("stored detected %q (%v), want UPS", stored, err)
	}
	if _, err := db.Exec(`UPDATE packages SET detected = '' WHERE order_id = '111-0000009-0000001'`); err != nil {
		t.Fatal(err)
	}
	if r := read(); r.Detected != "UPS" {
		t.Errorf("a verdict stored without a detected carrier reads %q, want UPS", r.Detected)
	}
}
