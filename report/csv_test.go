package report

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"math"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/vtr-project/vtr"
)

func TestAmount(t *testing.T) {
	tests := []struct {
		m    vtr.Money
		want string
	}{
		{vtr.Money{}, ""}, // unknown
		{vtr.Money{Minor: 2499, Currency: "USD"}, "24.99"},
		{vtr.Money{Minor: 0, Currency: "USD"}, "0.00"},
		{vtr.Money{Minor: 5, Currency: "EUR"}, "0.05"},
		{vtr.Money{Minor: 100, Currency: "GBP"}, "1.00"},
		{vtr.Money{Minor: 1500, Currency: "JPY"}, "1500"},
		{vtr.Money{Minor: 1250, Currency: "KWD"}, "1.250"},
		{vtr.Money{Minor: 7, Currency: "KWD"}, "0.007"},
		{vtr.Money{Minor: -5, Currency: "USD"}, "-0.05"},
		{vtr.Money{Minor: -12345, Currency: "USD"}, "-123.45"},
		{vtr.Money{Minor: 1999, Currency: ""}, "19.99"}, // an amount without its currency still reads
		// Minor units that a float64 cannot hold exactly.
		{vtr.Money{Minor: 9007199254740993, Currency: "USD"}, "90071992547409.93"},
		{vtr.Money{Minor: math.MaxInt64, Currency: "USD"}, "92233720368547758.07"},
		{vtr.Money{Minor: math.MinInt64, Currency: "USD"}, "-92233720368547758.08"},
	}
	for _, tt := range tests {
		if got := Amount(tt.m); got != tt.want {
			t.Errorf("Amount(%+v) = %q, want %q", tt.m, got, tt.want)
		}
	}
}

func TestRecord(t *testing.T) {
	row := &vtr.DefectRow{OrderID: "111-0000001-0000002", CarrierName: "UPS", Carrier: "UPS", TrackingNumber: "1Z96F4R8D313969575",
		TrackingID: "111-0000001-0000002-InvalidId", OriginCountry: "US", PromisedBy: time.Date(2026, 10, 7, 23, 0, 0, 0, time.FixedZone("PDT", -7*3600)),
		ShipMethod: "Ground", NoValidTracking: true, ShippedLate: true, Value: vtr.Money{Minor: 2499, Currency: "USD"}, Category: "Toys & Games",
		Reasons: []vtr.Reason{vtr.TrackingMalformed, vtr.NoPhysicalScan}, Detected: "UPS", Explanation: "A typo."}
	want := []string{"111-0000001-0000002", "UPS", "111-0000001-0000002-InvalidId", "US", "2026-10-08", "Ground", "X", "X", "",
		"24.99", "Toys & Games", "TRACKING_MALFORMED NO_PHYSICAL_SCAN", "UPS", "A typo.", "USD"}
	if got := Record(row); !slices.Equal(got, want) {
		t.Errorf("Record:\n got %q\nwant %q", got, want)
	}
	if len(want) != len(Header) || Header[9] != "Package Value" || Header[len(Header)-1] != "Currency" {
		t.Errorf("Header %q: want Package Value in Amazon's place and Currency last", Header)
	}
	// Unknown: both cells empty, nothing else moves.
	row.Value = vtr.Money{}
	if got := Record(row); got[9] != "" || got[14] != "" || got[13] != "A typo." {
		t.Errorf("unknown value: %q", got)
	}
}

// The encoder writes the header and every row, across its periodic
// flushes, and the output reads back as the same cells.
func TestCSV(t *testing.T) {
	var buf bytes.Buffer
	enc, err := NewCSV(&buf)
	if err != nil {
		t.Fatal(err)
	}
	const n = 2500 // more than two flush periods
	for i := range n {
		r := &vtr.DefectRow{OrderID: strconv.Itoa(i), Value: vtr.Money{Minor: int64(i), Currency: "USD"}, Explanation: "line one\nline \"two\""}
		if err := enc.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := enc.Flush(); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != n+1 || !slices.Equal(rows[0], Header) {
		t.Fatalf("%d rows, header %q; want %d and %q", len(rows), rows[0], n+1, Header)
	}
	for i, r := range rows[1:] {
		if r[0] != strconv.Itoa(i) || r[9] != fmt.Sprintf("%d.%02d", i/100, i%100) || r[13] != "line one\nline \"two\"" || r[14] != "USD" {
			t.Fatalf("row %d: %q", i, r)
		}
	}
}
