package native

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vtr-project/vtr"
)

var now = func() time.Time { return time.Date(2026, 10, 15, 12, 0, 0, 0, time.UTC) }

func decodeAll(t *testing.T, in string) ([]Record, []*LineError) {
	t.Helper()
	d := NewDecoder(strings.NewReader(in), now)
	var recs []Record
	var errs []*LineError
	for {
		r, err := d.Next()
		if err == io.EOF {
			return recs, errs
		}
		var le *LineError
		if errors.As(err, &le) {
			errs = append(errs, le)
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, r)
	}
}

func TestDecodeEvent(t *testing.T) {
	recs, errs := decodeAll(t, `{"type":"event","carrier":"ups","tracking_number":"1z96 f4r8 d313 969574","occurred_at":"2026-10-03T14:05:00-07:00","code":"OR","type_code":"I","description":"Origin Scan","location":{"city":"Seattle","state":"WA","country":"us"}}`)
	if len(errs) > 0 || len(recs) != 1 {
		t.Fatalf("errs %v", errs)
	}
	e := recs[0].Event
	if e.Carrier != "UPS" || e.TrackingNumber != "1Z96F4R8D313969574" || e.OccurredAt != time.Date(2026, 10, 3, 21, 5, 0, 0, time.UTC) ||
		e.OffsetSeconds != -7*3600 || !e.OffsetKnown || e.Location.Country != "US" || e.Class != vtr.EventPhysical || e.ID != vtr.EventID(e) {
		t.Errorf("event %+v", e)
	}
	// class absent and no code: it comes from the status.
	recs, _ = decodeAll(t, `{"type":"event","carrier":"USPS","tracking_number":"9400111201080805483016","occurred_at":"2026-10-03T14:05:00Z","status":"pre_transit"}`)
	if recs[0].Event.Class != vtr.EventElectronic {
		t.Errorf("pre_transit without a code: class %s, want electronic", recs[0].Event.Class)
	}
}

func TestDecodeOrderMoney(t *testing.T) {
	tests := []struct {
		value, currency string
		minor           int64
		ok              bool
	}{
		{`"25.00"`, "USD", 2500, true}, {`25`, "usd", 2500, true}, {`"4.99"`, "USD", 499, true}, {`"1000"`, "JPY", 1000, true},
		{`"10.5"`, "JPY", 0, false}, {`"-1.00"`, "USD", 0, false}, {`"1.234"`, "USD", 0, false}, {`"abc"`, "USD", 0, false}, {`null`, "USD", 0, false},
	}
	for _, tt := range tests {
		line := `{"type":"order","id":"O1","seller_id":"S1","policy":"amazon-us","purchased_at":"2026-10-01T10:00:00Z","category":"Books","value":` +
			tt.value + `,"currency":"` + tt.currency + `","deliver_by":"2026-10-06T23:59:59Z"}`
		recs, errs := decodeAll(t, line)
		if tt.ok && (len(errs) > 0 || recs[0].Order.Value.Minor != tt.minor) {
			t.Errorf("value %s %s: %v %v", tt.value, tt.currency, recs, errs)
		}
		if !tt.ok && (len(errs) != 1 || errs[0].Field != "value") {
			t.Errorf("value %s %s: want an error on field value, got %v", tt.value, tt.currency, errs)
		}
	}
}

// Bad lines say which line and field, and the good lines around them are
// all decoded.
func TestBadLines(t *testing.T) {
	in := strings.Join([]string{
		`{"type":"seller","id":"S1"}`,
		`{"type":"seller","id":"S1","nmae":"x"}`,
		`{"type":"event","carrier":"Pony Express","tracking_number":"1","occurred_at":"2026-10-03T14:05:00Z","status":"in_transit"}`,
		`{"type":"shipment","order_id":"O1","shipped_at":"2026-10-03"}`,
		`not json`,
		`{"type":"order","id":1}`,
		``,
		`{"type":"cancellation","order_id":"O1","cancelled_at":"2026-10-03T14:05:00Z"}`,
		`{"type":"event","carrier":"UPS","tracking_number":"1Z#","occurred_at":"2026-10-03T14:05:00Z","status":"in_transit"}`,
		`{"type":"event","carrier":"UPS","tracking_number":"1Z96F4R8D313969574","occurred_at":"2026-10-03T14:05:00Z","status":"teleported"}`,
		`{"type":"shipment","order_id":"O1","shipped_at":"2026-10-03T14:05:00Z"} {"type":"seller","id":"S2"}`,
		`{"type":"seller","id":"S3","ship_from":[{"id":"W","country":"USA"}]}`,
	}, "\n")
	recs, errs := decodeAll(t, in)
	if len(recs) != 2 || recs[0].Line != 1 || recs[1].Line != 8 {
		t.Errorf("good records %+v", recs)
	}
	want := []string{
		"line 2: nmae: unknown field",
		`line 3: carrier: unknown carrier "Pony Express"`,
		`line 4: shipped_at: "2026-10-03" is not an RFC 3339 time`,
		"line 5: broken JSON",
		"line 6: id: a JSON number where a string is expected",
		"line 9: tracking_number: the tracking number is not in any form a carrier prints",
		`line 10: status: unknown status "teleported"`,
		"line 11: more than one JSON value on the line",
		`line 12: ship_from[0].country: "USA" is not an ISO 3166 alpha-2 country code`,
	}
	if len(errs) != len(want) {
		t.Fatalf("%d errors, want %d: %v", len(errs), len(want), errs)
	}
	for i, w := range want {
		if !strings.HasPrefix(errs[i].Error(), w) {
			t.Errorf("error %d = %q, want prefix %q", i, errs[i], w)
		}
	}
}

func TestLongLine(t *testing.T) {
	in := `{"type":"seller","id":"S1"}` + "\n" + `{"type":"seller","id":"` + strings.Repeat("x", MaxLine+10) + `"}` + "\n" + `{"type":"seller","id":"S2"}` + "\n"
	recs, errs := decodeAll(t, in)
	if len(recs) != 2 || len(errs) != 1 || errs[0].Line != 2 || !strings.Contains(errs[0].Msg, "longer than") {
		t.Errorf("recs %d errs %v", len(recs), errs)
	}
}

// A byte-order mark at the start of the input is not part of the first
// line; anywhere else it is data (and the line is broken JSON).
func TestBOM(t *testing.T) {
	const s1, s2 = `{"type":"seller","id":"S1"}`, `{"type":"seller","id":"S2"}`
	tests := []struct {
		name, in string
		ids      []string
		errLines []int
	}{
		{"leading", "\ufeff" + s1 + "\n" + s2 + "\n", []string{"S1", "S2"}, nil},
		{"leading, CRLF", "\ufeff" + s1 + "\r\n" + s2 + "\r\n", []string{"S1", "S2"}, nil},
		{"alone on the first line", "\ufeff\n" + s1 + "\n", []string{"S1"}, nil},
		{"only a BOM", "\ufeff", nil, nil},
		{"on the second line", s1 + "\n\ufeff" + s2 + "\n", []string{"S1"}, []int{2}},
	}
	for _, tt := range tests {
		recs, errs := decodeAll(t, tt.in)
		var ids []string
		for _, r := range recs {
			ids = append(ids, r.Seller.ID)
		}
		var lines []int
		for _, e := range errs {
			lines = append(lines, e.Line)
		}
		if !slices.Equal(ids, tt.ids) || !slices.Equal(lines, tt.errLines) {
			t.Errorf("%s: got sellers %v, errors on lines %v; want %v, %v", tt.name, ids, lines, tt.ids, tt.errLines)
		}
	}
}

// LineError is the root vtr.LineError, so importers that look for
// *vtr.LineError see the decoder's bad lines.
func TestLineErrorIsVTR(t *testing.T) {
	_, err := NewDecoder(strings.NewReader("not json\n"), now).Next()
	var le *vtr.LineError
	if !errors.As(err, &le) || le.Line != 1 || le.Error() != "line 1: "+le.Msg {
		t.Errorf("got %T %v, want a *vtr.LineError for line 1", err, err)
	}
}

// Round trip: what the encoder writes, the decoder reads back equal.
func TestRoundTrip(t *testing.T) {
	e := &vtr.Event{Carrier: "UPS", TrackingNumber: "1Z96F4R8D313969574", OccurredAt: time.Date(2026, 10, 3, 21, 5, 0, 0, time.UTC),
		OffsetSeconds: -25200, OffsetKnown: true, Code: "OR", TypeCode: "I", Description: `Origin "Scan"`, Status: vtr.StatusAccepted,
		Class: vtr.EventPhysical, Location: vtr.Location{City: "Seattle", State: "WA", Country: "US"}, Source: "native"}
	o := &vtr.Order{ID: "111-1234567-1234567", SellerID: "S1", Policy: "amazon-us", PurchasedAt: now(), Category: "Books",
		Value: vtr.Money{Minor: 1000, Currency: "JPY"}, ShipTo: vtr.Location{Country: "JP"}, DeliverBy: now().Add(72 * time.Hour), Digital: true}
	var buf bytes.Buffer
	enc := NewEncoder(&buf)
	enc.WriteEvent(e)
	enc.WriteOrder(o)
	enc.WriteSeller(&vtr.Seller{ID: "S1", Policies: []string{"amazon-us"}, ShipFrom: []vtr.ShipFrom{{ID: "W", Country: "US"}}})
	sh := &vtr.Shipment{SellerID: "S1", OrderID: o.ID, PackageID: "1", Carrier: "UPS", TrackingNumber: e.TrackingNumber, ShippedAt: now(), UploadedAt: now()}
	enc.WriteShipment(sh)
	enc.WriteCancellation(&vtr.Cancellation{SellerID: "S1", OrderID: o.ID, CancelledAt: now(), BySeller: false})
	enc.Flush()
	recs, errs := decodeAll(t, buf.String())
	if len(errs) > 0 || len(recs) != 5 {
		t.Fatalf("%v\n%s", errs, buf.String())
	}
	got := recs[0].Event
	got.ClassRule = ""
	e.ID = vtr.EventID(e)
	if *got != *e {
		t.Errorf("event round trip:\n got %+v\nwant %+v", *got, *e)
	}
	if *recs[1].Order != *o {
		t.Errorf("order round trip:\n got %+v\nwant %+v", *recs[1].Order, *o)
	}
	if *recs[3].Shipment != *sh {
		t.Errorf("shipment round trip:\n got %+v\nwant %+v", *recs[3].Shipment, *sh)
	}
	if c := recs[4].Cancellation; c.BySeller || c.SellerID != "S1" {
		t.Errorf("cancellation round trip: %+v, want by_seller false and seller_id S1", *c)
	}
}

func FuzzDecode(f *testing.F) {
	f.Add(`{"type":"event","carrier":"UPS","tracking_number":"1Z96F4R8D313969574","occurred_at":"2026-10-03T14:05:00-07:00","code":"OR"}`)
	f.Add(`{"type":"order","id":"O","seller_id":"S","policy":"p","purchased_at":"2026-10-01T10:00:00Z","category":"c","value":"1.00","currency":"USD","deliver_by":"2026-10-06T23:59:59Z"}`)
	f.Add(`{"type":"shipment","order_id":"O","shipped_at":"2026-10-01T10:00:00Z","tracking_number":"\u0000"}`)
	f.Fuzz(func(t *testing.T, line string) {
		rec, err := Decode(1, []byte(line), now)
		if err != nil {
			var le *LineError
			if !errors.As(err, &le) || le.Line != 1 {
				t.Fatalf("error %v is not a LineError for line 1", err)
			}
			return
		}
		if e := rec.Event; e != nil {
			if e.TrackingNumber == "" || !e.Class.Valid() || !e.Status.Valid() || e.OccurredAt.IsZero() || e.ID != vtr.EventID(e) {
				t.Fatalf("invented an event from %q: %+v", line, e)
			}
		}
		n := 0
		for _, p := range []bool{rec.Seller != nil, rec.Order != nil, rec.Shipment != nil, rec.Cancellation != nil, rec.Event != nil} {
			if p {
				n++
			}
		}
		if n != 1 {
			t.Fatalf("%d record kinds set for %q", n, line)
		}
	})
}

// BenchmarkDecodeEvent measures decoding and classifying one native event
// line (JSON, carrier lookup, number normalisation, classification, ID).
func BenchmarkDecodeEvent(b *testing.B) {
	line := []byte(`{"type":"event","carrier":"UPS","tracking_number":"1Z96F4R8D313969574","occurred_at":"2026-10-03T14:05:00-07:00","code":"OR","type_code":"I","description":"Origin Scan","location":{"city":"Seattle","state":"WA","postal_code":"98109","country":"US"}}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decode(1, line, now); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecoderEvents measures a stream of event lines through a
// Decoder, as an import reads them: the line struct is reused and the
// values that repeat come from the decoder's table.
func BenchmarkDecoderEvents(b *testing.B) {
	var in bytes.Buffer
	const lines = 1000
	for i := range lines {
		fmt.Fprintf(&in, `{"type":"event","carrier":"FedEx","tracking_number":"%012d","occurred_at":"2026-10-01T08:%02d:04-05:00","code":"OC","type_code":"IN","description":"Shipment information sent to FedEx","status":"pre_transit","location":{"city":"KANSAS CITY","state":"MO","postal_code":"64105","country":"US"}}`+"\n", 330382288551+i, i%60)
	}
	data := in.Bytes()
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		d := NewDecoder(bytes.NewReader(data), now)
		for {
			if _, err := d.Next(); err == io.EOF {
				break
			} else if err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*lines), "ns/line")
}
