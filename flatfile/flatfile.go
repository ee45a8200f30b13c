// Package flatfile reads Amazon's shipping-confirmation flat file
// (POST_FLAT_FILE_FULFILLMENT_DATA, the "Shipping Confirmation" template):
// tab-delimited, a header row naming the columns order-id, order-item-id,
// quantity, ship-date, carrier-code, carrier-name, tracking-number,
// ship-method (marketplace-rules.md §11.3). Columns are found by name, so
// newer templates with more columns are read too.
package flatfile

import (
	"bufio"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/vtr-project/vtr"
)

// Row is one confirmation line.
type Row struct {
	Line           int
	OrderID        string
	OrderItemID    string
	Quantity       string
	ShipDate       string
	CarrierCode    string
	CarrierName    string
	TrackingNumber string
	ShipMethod     string
}

// Columns are the template's column names, in its order.
var Columns = []string{"order-id", "order-item-id", "quantity", "ship-date", "carrier-code", "carrier-name", "tracking-number", "ship-method"}

// LooksLike reports whether the first line of an input is this format's
// header.
func LooksLike(firstLine []byte) bool {
	return strings.HasPrefix(strings.TrimPrefix(strings.ToLower(string(firstLine)), "\ufeff"), "order-id\t")
}

// Reader reads rows, streaming.
type Reader struct {
	sc   *bufio.Scanner
	line int
	col  map[string]int
}

// NewReader reads the header and returns a reader for the rows. A missing
// required column is an error naming it.
func NewReader(r io.Reader) (*Reader, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	fr := &Reader{sc: sc, col: map[string]int{}}
	for sc.Scan() {
		fr.line++
		h := strings.TrimPrefix(sc.Text(), "\ufeff")
		if strings.TrimSpace(h) == "" {
			continue
		}
		for i, name := range strings.Split(h, "\t") {
			fr.col[strings.ToLower(strings.TrimSpace(name))] = i
		}
		for _, req := range []string{"order-id", "ship-date", "tracking-number"} {
			if _, ok := fr.col[req]; !ok {
				return nil, vtr.Errorf(vtr.EINVALID, "line %d: the header has no %q column (a shipping-confirmation file starts with: %s)",
					fr.line, req, strings.Join(Columns, " "))
			}
		}
		return fr, nil
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return nil, vtr.Errorf(vtr.EINVALID, "the file is empty: a shipping-confirmation file starts with the header %s", strings.Join(Columns, " "))
}

// Next returns the next row, or io.EOF. Blank lines are skipped.
func (fr *Reader) Next() (Row, error) {
	for fr.sc.Scan() {
		fr.line++
		text := strings.TrimRight(fr.sc.Text(), "\r")
		if strings.TrimSpace(text) == "" {
			continue
		}
		cells := strings.Split(text, "\t")
		get := func(name string) string {
			if i, ok := fr.col[name]; ok && i < len(cells) {
				return cells[i]
			}
			return ""
		}
		return Row{Line: fr.line, OrderID: strings.TrimSpace(get("order-id")), OrderItemID: strings.TrimSpace(get("order-item-id")),
			Quantity: strings.TrimSpace(get("quantity")), ShipDate: strings.TrimSpace(get("ship-date")),
			CarrierCode: strings.TrimSpace(get("carrier-code")), CarrierName: strings.TrimSpace(get("carrier-name")),
			TrackingNumber: get("tracking-number"), ShipMethod: strings.TrimSpace(get("ship-method"))}, nil
	}
	if err := fr.sc.Err(); err != nil {
		return Row{}, fmt.Errorf("line %d: %w", fr.line+1, err)
	}
	return Row{}, io.EOF
}

var orderIDPattern = regexp.MustCompile(`^\d{3}-\d{7}-\d{7}$`)

// ValidOrderID reports whether id has Amazon's 3-7-7 digit form.
func ValidOrderID(id string) bool { return orderIDPattern.MatchString(id) }

// ParseShipDate reads ship-date: yyyy-mm-dd, or a full RFC 3339 time.
func ParseShipDate(s string) (time.Time, error) {
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), nil
	}
	return time.Time{}, fmt.Errorf("%q is not a date (yyyy-mm-dd)", s)
}

// Shipment converts a row into a shipment, uploaded at now. The package is
// the order item when one is named, else "1".
func (r Row) Shipment(now time.Time) (*vtr.Shipment, error) {
	if !ValidOrderID(r.OrderID) {
		return nil, fmt.Errorf("order-id: %q is not an Amazon order ID (3-7-7 digits)", r.OrderID)
	}
	d, err := ParseShipDate(r.ShipDate)
	if err != nil {
		return nil, fmt.Errorf("ship-date: %v", err)
	}
	if utf8.RuneCountInString(r.CarrierName) > 50 {
		return nil, fmt.Errorf("carrier-name: longer than 50 characters")
	}
	pkg := r.OrderItemID
	if pkg == "" {
		pkg = "1"
	}
	return &vtr.Shipment{OrderID: r.OrderID, PackageID: pkg, Carrier: r.CarrierCode, CarrierName: r.CarrierName,
		TrackingNumber: r.TrackingNumber, ShipMethod: r.ShipMethod, ShippedAt: d, UploadedAt: now.UTC()}, nil
}
