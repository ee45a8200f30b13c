package spapi_test

import (
	"bytes"
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
)

var confirmNow = time.Date(2026, 10, 7, 9, 0, 0, 0, time.UTC)

func confirmOptions(order string) spapi.ConfirmOptions {
	return spapi.ConfirmOptions{SellerID: "S1", OrderID: order, Now: func() time.Time { return confirmNow }}
}

// TestConfirmFileGolden reads files of confirmShipment bodies: Amazon's
// sandbox bodies with the order from the options (as --order gives it),
// and the hand-made file whose bodies name their orders.
func TestConfirmFileGolden(t *testing.T) {
	tests := []struct{ file, order, golden string }{
		{"confirm_sandbox_204.json", sandboxOrder, "shipconfirm_sandbox_204.golden"},
		{"confirm_sandbox_400.json", sandboxOrder, "shipconfirm_sandbox_400.golden"},
		{"shipconfirm_file_variant.json", "", "shipconfirm_file_variant.golden"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			body, err := os.ReadFile(filepath.Join("testdata", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			r := spapi.NewConfirmReader(bytes.NewReader(body), confirmOptions(tt.order))
			golden(t, filepath.Join("testdata", tt.golden), renderRecords(t, r.Next, func() any { return r.Stats() }))
		})
	}
}

// TestConfirmFileTable pins what the goldens were reviewed for: which
// body becomes which shipment, which is refused and why, and that each
// shipment is the one the server's route stores for the same body (the
// decoder's shipment, the seller and the time of receipt).
func TestConfirmFileTable(t *testing.T) {
	tests := []struct {
		name  string
		order string
		want  []string // "order package line" of each shipment
		bad   []string // "line field" of each error
	}{
		{"bodies name their orders", "",
			[]string{"902-1106328-1059050 1 1", "113-0000011-0000011 2 2"},
			[]string{"19 orderId", "20 amazonOrderId", "21 packageDetail.shipDate", "22 ", "23 orderId", "24 "}},
		{"--order for the body that names none", "111-0000001-0000009",
			[]string{"902-1106328-1059050 1 1", "113-0000011-0000011 2 2", "111-0000001-0000009 1 19"},
			[]string{"20 amazonOrderId", "21 packageDetail.shipDate", "22 ", "23 orderId", "24 "}},
	}
	body, err := os.ReadFile("testdata/shipconfirm_file_variant.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := spapi.NewConfirmReader(bytes.NewReader(body), confirmOptions(tt.order))
			recs, errs := readAll(t, r.Next, 100)
			var got, bad []string
			for _, rec := range recs {
				s := rec.Shipment
				got = append(got, fmt.Sprintf("%s %s %d", s.OrderID, s.PackageID, rec.Line))
				// The route's shipment for the same body and order.
				one := oneDocument(t, body, rec.Line)
				cs, err := spapi.DecodeConfirmShipment(s.OrderID, one)
				if err != nil {
					t.Fatalf("line %d: the route refuses what the file accepts: %v", rec.Line, err)
				}
				want := cs.Shipment
				want.SellerID, want.UploadedAt = "S1", confirmNow
				if *s != want || rec.Type != "shipment" {
					t.Errorf("line %d: got %+v, want the route's %+v", rec.Line, *s, want)
				}
			}
			for _, e := range errs {
				bad = append(bad, fmt.Sprintf("%d %s", e.Line, e.Field))
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("shipments:\n got %q\nwant %q", got, tt.want)
			}
			if fmt.Sprint(bad) != fmt.Sprint(tt.bad) {
				t.Errorf("errors:\n got %q (%v)\nwant %q", bad, errs, tt.bad)
			}
			if st := r.Stats(); st.Bodies != 7 || st.Shipments != len(tt.want) {
				t.Errorf("stats %+v, want 7 bodies (the broken one is the framing's) and %d shipments", st, len(tt.want))
			}
		})
	}
}

// oneDocument returns the JSON document of the file that starts on line.
func oneDocument(t *testing.T, file []byte, line int) []byte {
	t.Helper()
	lines := strings.Split(string(file), "\n")
	var doc strings.Builder
	for i := line - 1; i < len(lines); i++ {
		if i > line-1 && (strings.HasPrefix(lines[i], "{") || strings.HasPrefix(lines[i], "[")) {
			break
		}
		doc.WriteString(lines[i] + "\n")
	}
	return []byte(doc.String())
}

func FuzzConfirmReader(f *testing.F) {
	for _, pat := range []string{"confirm_*.json", "shipconfirm_*.json"} {
		for _, file := range samples(f, pat) {
			b, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b, "")
			f.Add(b, sandboxOrder)
		}
	}
	f.Add([]byte(`{"orderId":"1","marketplaceId":"M"}`+"\n"+validBody), "2")
	f.Fuzz(func(t *testing.T, body []byte, order string) {
		r := spapi.NewConfirmReader(bytes.NewReader(body), spapi.ConfirmOptions{SellerID: "S1", OrderID: order})
		for i := 0; ; i++ {
			if i > len(body)+10 {
				t.Fatalf("no io.EOF after %d calls", i)
			}
			rec, err := r.Next()
			if err == io.EOF {
				return
			}
			if err != nil {
				var le *vtr.LineError
				if !errors.As(err, &le) || le.Line < 1 {
					t.Fatalf("error of type %T: %v", err, err)
				}
				continue
			}
			s := rec.Shipment
			if rec.Line < 1 || rec.Type != "shipment" || s == nil || s.SellerID != "S1" || strings.TrimSpace(s.OrderID) == "" ||
				s.PackageID == "" || s.ShippedAt.IsZero() {
				t.Fatalf("bad record %+v %+v", rec, s)
			}
		}
	})
}
