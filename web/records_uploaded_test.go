package web_test

import (
	"strings"
	"testing"
)

// POST /v1/records?uploaded_at= says when a flat file's confirmations
// were uploaded to the marketplace: the ship date, a time, or (default)
// now; formats with their own upload times refuse it.
func TestRecordsUploadedAt(t *testing.T) {
	engines(t, func(t *testing.T, name string) {
		e := start(t, name, location(t, name), true)
		e.load()
		flat := "order-id\torder-item-id\tquantity\tship-date\tcarrier-code\tcarrier-name\ttracking-number\tship-method\n" +
			"111-0000001-0000002\t\t\t2026-10-03\tUPS\t\t1Z999AA10123456784\tGround\n"
		uploads := func() string {
			rows := e.query(`SELECT shipped_at, uploaded_at FROM shipments WHERE seller_id = 'S1' AND order_id = '111-0000001-0000002' ORDER BY seq DESC LIMIT 1`)
			if len(rows) != 1 {
				t.Fatalf("shipments: %v", rows)
			}
			return rows[0]
		}
		for _, c := range []struct{ query, want string }{
			{"uploaded_at=ship-date", "1790985600|1790985600"},
			{"uploaded_at=2026-10-04T08:00:00Z", "1790985600|1791100800"},
		} {
			code, _, body := e.do("POST", "/v1/records?format=flatfile&"+c.query, e.s1, flat)
			if code != 200 || !strings.Contains(body, `"accepted":1`) {
				t.Fatalf("%s: %d %s", c.query, code, body)
			}
			if got := uploads(); got != c.want {
				t.Errorf("%s: shipped|uploaded %s, want %s", c.query, got, c.want)
			}
		}
		for _, q := range []string{"uploaded_at=yesterday", "format=native&uploaded_at=ship-date", "format=aftership&uploaded_at=ship-date"} {
			code, _, body := e.do("POST", "/v1/records?"+q, e.op, sample)
			if code != 400 {
				t.Errorf("%s: %d %s", q, code, body)
				continue
			}
			if c, field := errorCode(t, body); c != "invalid" || field != "uploaded_at" {
				t.Errorf("%s: %s %s", q, c, field)
			}
		}
	})
}
