package walmart_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/spapi"
	"github.com/vtr-project/vtr/walmart"
)

var now = time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)

func options() walmart.Options {
	c := spapi.NewCategories()
	c.Set("SKU-TOY-1", "Toys & Games")
	return walmart.Options{SellerID: "W1", Categories: c, PurchaseOrderID: "PO-FROM-PATH", Now: func() time.Time { return now }}
}

func reader(file string, body []byte) *walmart.Reader {
	if strings.HasPrefix(filepath.Base(file), "ship_") {
		return walmart.NewShipReader(bytes.NewReader(body), options())
	}
	return walmart.NewOrdersReader(bytes.NewReader(body), options())
}

// render is the golden form: one JSON record or error a line, then the
// stats.
func render(t *testing.T, r *walmart.Reader) []byte {
	t.Helper()
	var buf bytes.Buffer
	for i := 0; ; i++ {
		if i > 10000 {
			t.Fatal("no io.EOF")
		}
		rec, err := r.Next()
		if err == io.EOF {
			break
		}
		var v any = rec
		if err != nil {
			var le *vtr.LineError
			if !errors.As(err, &le) {
				t.Fatalf("not a *vtr.LineError: %v", err)
			}
			v = map[string]string{"error": le.Error()}
		}
		b, _ := json.Marshal(v)
		buf.Write(b)
		buf.WriteByte('\n')
	}
	b, _ := json.Marshal(map[string]any{"stats": r.Stats()})
	buf.Write(b)
	buf.WriteByte('\n')
	return buf.Bytes()
}

func TestGolden(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.json")
	if len(files) == 0 {
		t.Fatal("no testdata")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			body, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			got := render(t, reader(f, body))
			path := strings.TrimSuffix(f, ".json") + ".golden"
			if os.Getenv("UPDATE_GOLDEN") != "" {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (UPDATE_GOLDEN=1 go test creates it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("%s differs (UPDATE_GOLDEN=1 after review):\n got:\n%s\nwant:\n%s", path, got, want)
			}
		})
	}
}

func TestTable(t *testing.T) {
	tests := []struct {
		file  string
		want  []string // "type order package line"
		bad   []string // "line field"
		stats walmart.Stats
	}{
		{"orders_getallorders_docs.json", []string{"order 1796277083022 - 2"}, nil, walmart.Stats{Payloads: 1, Orders: 1, Uncategorized: 1}},
		{"orders_getanorder_docs.json", []string{"order 1796277083022 - 2"}, nil, walmart.Stats{Payloads: 1, Orders: 1, Uncategorized: 1}},
		{"orders_list_apievangelist.json", []string{"order 1796277083968 - 10"}, nil, walmart.Stats{Payloads: 1, Orders: 1, Uncategorized: 1}},
		{"orders_shipped_variant.json",
			[]string{"order 108000000000001 - 2", "shipment 108000000000001 1 2", "shipment 108000000000001 3 2", "order 108000000000002 - 6", "cancellation 108000000000002 - 6"},
			[]string{"7 ", "8 orderLines.orderLine[0].charges.charge[0].chargeAmount", "10 "},
			walmart.Stats{Payloads: 2, Orders: 2, Cancellations: 1, Shipments: 2, Uncategorized: 1, NextCursor: "?limit=2&hasMoreElements=true"}},
		{"ship_docs_example.json", []string{"shipment PO-FROM-PATH 1 1"}, nil, walmart.Stats{Payloads: 1, Shipments: 1}},
		{"ship_other_variant.json", []string{"shipment 108000000000009 7 1"}, []string{"2 orderShipment.orderLines.orderLine[0].orderLineStatuses.orderLineStatus[0].trackingInfo.shipDateTime"}, walmart.Stats{Payloads: 2, Shipments: 1}},
	}
	for _, tt := range tests {
		body, err := os.ReadFile(filepath.Join("testdata", tt.file))
		if err != nil {
			t.Fatal(err)
		}
		r := reader(tt.file, body)
		var got, bad []string
		for i := 0; i < 1000; i++ {
			rec, err := r.Next()
			if err == io.EOF {
				break
			}
			var le *vtr.LineError
			if errors.As(err, &le) {
				bad = append(bad, fmt.Sprintf("%d %s", le.Line, le.Field))
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case rec.Order != nil:
				got = append(got, fmt.Sprintf("order %s - %d", rec.Order.ID, rec.Line))
			case rec.Shipment != nil:
				got = append(got, fmt.Sprintf("shipment %s %s %d", rec.Shipment.OrderID, rec.Shipment.PackageID, rec.Line))
			case rec.Cancellation != nil:
				got = append(got, fmt.Sprintf("cancellation %s - %d", rec.Cancellation.OrderID, rec.Line))
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(tt.want) || fmt.Sprint(bad) != fmt.Sprint(tt.bad) {
			t.Errorf("%s:\n got %q %q\nwant %q %q", tt.file, got, bad, tt.want, tt.bad)
		}
		if r.Stats() != tt.stats {
			t.Errorf("%s: stats %+v, want %+v", tt.file, r.Stats(), tt.stats)
		}
	}
}

func TestMapping(t *testing.T) {
	body, _ := os.ReadFile("testdata/orders_shipped_variant.json")
	r := walmart.NewOrdersReader(bytes.NewReader(body), options())
	var recs []vtr.Record
	for {
		rec, err := r.Next()
		if err == io.EOF {
			break
		}
		if err == nil {
			recs = append(recs, rec)
		}
	}
	o := recs[0].Order
	want := vtr.Order{ID: "108000000000001", SellerID: "W1", Policy: "walmart-us", Category: "Toys & Games",
		PurchasedAt: time.UnixMilli(1790000000000).UTC(), ShipBy: time.UnixMilli(1790200000000).UTC(), DeliverBy: time.UnixMilli(1790500000000).UTC(),
		Value:  vtr.Money{Minor: 3674, Currency: "USD"},
		ShipTo: vtr.Location{City: "Bentonville", State: "AR", PostalCode: "72712", Country: "US"}}
	if *o != want {
		t.Errorf("order:\n got %+v\nwant %+v", *o, want)
	}
	s := recs[2].Shipment
	if s.Carrier != "Other" || s.CarrierName != "Better Trucks Regional" || s.ShipMethod != "Value" ||
		!s.ShippedAt.Equal(time.Date(2026, 9, 22, 10, 0, 0, 0, time.UTC)) || !s.UploadedAt.Equal(now) {
		t.Errorf("other carrier shipment: got %+v", s)
	}
}

func FuzzReaders(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.json")
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, r := range []*walmart.Reader{
			walmart.NewOrdersReader(bytes.NewReader(body), walmart.Options{}),
			walmart.NewShipReader(bytes.NewReader(body), walmart.Options{PurchaseOrderID: "1"}),
		} {
			for i := 0; ; i++ {
				if i > len(body)+10 {
					t.Fatal("no io.EOF")
				}
				rec, err := r.Next()
				if err == io.EOF {
					break
				}
				if err != nil {
					var le *vtr.LineError
					var ve *vtr.Error
					if !errors.As(err, &le) && !errors.As(err, &ve) {
						t.Fatalf("error of type %T: %v", err, err)
					}
					continue
				}
				if rec.Line < 1 {
					t.Fatalf("record without a line: %+v", rec)
				}
				if o := rec.Order; o != nil && (o.ID == "" || o.PurchasedAt.IsZero()) {
					t.Fatalf("incomplete order %+v", o)
				}
				if s := rec.Shipment; s != nil && (s.OrderID == "" || s.PackageID == "" || s.ShippedAt.IsZero()) {
					t.Fatalf("incomplete shipment %+v", s)
				}
			}
		}
	})
}
