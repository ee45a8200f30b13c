package native

import (
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// plainLines are lines of the shape vtr's simulator and exporters write;
// the shortcut must take each of them, or it saves nothing.
var plainLines = []string{
	`{"type":"event","carrier":"FedEx","tracking_number":"330382288551","occurred_at":"2026-10-01T08:00:04-05:00","code":"OC","type_code":"IN","description":"Shipment information sent to FedEx","status":"pre_transit","location":{"city":"KANSAS CITY","state":"MO","postal_code":"64105","country":"US"}}`,
	`{"type":"shipment","order_id":"114-1284111-2298819","package_id":"1","carrier":"UPS","tracking_number":"1ZKUM36IYW66068944","ship_method":"UPS Ground","ship_from_id":"A2Q6N1RNWTPPXK-SF1","shipped_at":"2026-10-01T21:15:01Z","uploaded_at":"2026-10-01T13:05:50Z"}`,
	`{"type":"order","id":"111-9700419-4405416","seller_id":"A2Q6N1RNWTPPXK","policy":"amazon-us","purchased_at":"2026-10-01T00:00:01Z","category":"Electronics","value":"9.99","currency":"USD","ship_to":{"city":"Omaha","state":"NE","postal_code":"68102","country":"US"},"ship_by":"2026-10-03T00:00:01Z","deliver_by":"2026-10-07T00:00:01Z"}`,
	`{"type":"cancellation","order_id":"O1","cancelled_at":"2026-10-02T00:00:00Z","seller_id":"S1"}`,
	` { "type" : "event" , "carrier":"YunExpress","tracking_number":"YT2412345678901234","occurred_at":"2026-10-01T08:00:00+08:00","description":"已揽收","status":"accepted","location":{"city":"深圳","country":"CN"} } `,
	`{}`,
	`{"location":{},"location":{"city":"A"},"location":{"state":"B"}}`,
}

// notPlain are lines the shortcut must leave to encoding/json: each needs
// its folding of case, its escapes, its other value kinds, or its error.
var notPlain = []string{
	`{"Type":"event"}`,         // another spelling of a key
	`{"type":"ev\u0065nt"}`,    // an escape
	`{"type":"event","x":"y"}`, // unknown field
	`{"type":"order","value":9.99}`,
	`{"type":"order","digital":true}`,
	`{"type":"event","code":null}`,
	`{"type":"seller","policies":["amazon-us"]}`,
	`{"type":"event"} {"type":"event"}`,
	`{"type":"event",}`,
	`{"type":"event"`,
	"{\"type\":\"ev\x01ent\"}",
	"{\"city\":\"\xff\"}",
	`{"location":{"town":"A"}}`,
	`{"location":"Seattle"}`,
	`["type","event"]`,
	``,
}

func TestScanPlain(t *testing.T) {
	for _, s := range plainLines {
		var l line
		if !scanPlain([]byte(s), &l, nil) {
			t.Errorf("shortcut refused a plain line: %s", s)
		}
		samePlainAndJSON(t, s)
	}
	for _, s := range notPlain {
		var l line
		if scanPlain([]byte(s), &l, nil) {
			t.Errorf("shortcut took a line encoding/json must judge: %q", s)
		}
	}
}

// samePlainAndJSON fails if the shortcut takes s and encoding/json either
// refuses it or reads it otherwise.
func samePlainAndJSON(t *testing.T, s string) {
	t.Helper()
	var fast, slow line
	if !scanPlain([]byte(s), &fast, &interned{}) {
		return
	}
	if err := decodeJSON(1, []byte(s), &slow); err != nil {
		t.Fatalf("shortcut took %q, encoding/json refuses it: %v", s, err)
	}
	if f, j := comparable(fast), comparable(slow); !reflect.DeepEqual(f, j) {
		t.Fatalf("%q\nshortcut      %+v\nencoding/json %+v", s, f, j)
	}
}

// comparable is l with what only one decoder uses (the shortcut's
// location storage) set aside; the locations compare by value.
func comparable(l line) line {
	l.location, l.shipTo = vtr0, vtr0
	if len(l.Value) == 0 {
		l.Value = nil
	}
	return l
}

var vtr0 = line{}.location

func FuzzScanPlain(f *testing.F) {
	for _, s := range plainLines {
		f.Add(s)
	}
	for _, s := range notPlain {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		samePlainAndJSON(t, s)
	})
}

// The table of repeated values stops growing at its bound and still
// returns every value as given.
func TestInternedBounded(t *testing.T) {
	var tab interned
	for i := range maxInterned + 100 {
		v := strconv.Itoa(i)
		if got := tab.get([]byte(v)); got != v {
			t.Fatalf("get(%q) = %q", v, got)
		}
	}
	if len(tab.m) != maxInterned {
		t.Errorf("%d values held, bound %d", len(tab.m), maxInterned)
	}
	long := strings.Repeat("x", maxInternedLen+1)
	if tab.get([]byte(long)) != long || len(tab.m) != maxInterned {
		t.Error("a value over the length bound is wrong or held")
	}
}
