// Package flatfile reads Amazon's shipping-confirmation flat file
// (POST_FLAT_FILE_FULFILLMENT_DATA, the "Shipping Confirmation" template):
// tab-delimited, a header row naming the columns order-id, order-item-id,
// quantity, ship-date, carrier-code, carrier-name, tracking-number,
// ship-method (marketplace-rules.md §11.3). Columns are found by name, so
// newer templates with more columns are read too.
package flatfile

import (
	"bufio"
	"bytes"
	"errors"
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

// MaxLine is the longest line accepted; a longer one is a rejected line,
// skipped without being held in memory.
const MaxLine = 1 << 20

// bom is the UTF-8 byte-order mark spreadsheet exports put at the start
// of a file; it is not part of the header.
var bom = []byte("\xef\xbb\xbf")

// LooksLike reports whether the first line of an input (or its first
// bytes) is this format's header, past a byte-order mark.
func LooksLike(firstLine []byte) bool {
	const h = "order-id\t"
	b := bytes.TrimPrefix(firstLine, bom)
	return len(b) >= len(h) && strings.EqualFold(string(b[:len(h)]), h)
}

// Reader reads rows, streaming: memory does not grow with the file, nor
// with the length of a line.
type Reader struct {
	r    *bufio.Reader
	line int
	col  map[string]int
	long []byte // readLine's buffer for lines longer than r's
}

// NewReader reads the header and returns a reader for the rows. A missing
// required column is an error naming it.
func NewReader(r io.Reader) (*Reader, error) {
	fr := &Reader{r: bufio.NewReaderSize(r, 64<<10), col: map[string]int{}}
	for {
		raw, err := fr.readLine()
		if err == io.EOF {
			return nil, vtr.Errorf(vtr.EINVALID, "the file is empty: a shipping-confirmation file starts with the header %s", strings.Join(Columns, " "))
		}
		var le *vtr.LineError
		if errors.As(err, &le) {
			return nil, vtr.Errorf(vtr.EINVALID, "%s: the header cannot be that long (a shipping-confirmation file starts with: %s)",
				le.Error(), strings.Join(Columns, " "))
		}
		if err != nil {
			return nil, err
		}
		h := string(raw)
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
}

// Next returns the next row, or io.EOF. Blank lines are skipped. A line
// longer than MaxLine is a *vtr.LineError naming it, and the next call
// reads on from the line after it; any other error is the reader's.
func (fr *Reader) Next() (Row, error) {
	for {
		raw, err := fr.readLine()
		if err != nil {
			return Row{}, err
		}
		text := string(raw)
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
}

// readLine returns the next line without its line ending (and, on the
// first line, without a byte-order mark), valid until the next call. A
// line longer than MaxLine is read through to its end, a chunk at a time,
// and reported as a *vtr.LineError.
func (fr *Reader) readLine() ([]byte, error) {
	fr.line++
	// A line longer than the buffer is gathered in fr.long, kept from one
	// line to the next, up to MaxLine.
	long := fr.long[:0]
	defer func() { fr.long = long[:0] }()
	for {
		chunk, err := fr.r.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			if len(long)+len(chunk) > MaxLine {
				for err == bufio.ErrBufferFull {
					_, err = fr.r.ReadSlice('\n')
				}
				if err != nil && err != io.EOF {
					return nil, fmt.Errorf("read line %d: %w", fr.line, err)
				}
				return nil, &vtr.LineError{Line: fr.line, Msg: fmt.Sprintf("longer than %d bytes", MaxLine)}
			}
			long = appendLong(long, chunk)
			continue
		}
		if err != nil && err != io.EOF {
			return nil, fmt.Errorf("read line %d: %w", fr.line, err)
		}
		if err == io.EOF && len(chunk) == 0 && len(long) == 0 {
			return nil, io.EOF
		}
		chunk = bytes.TrimSuffix(chunk, []byte("\n"))
		if len(long) > 0 {
			if len(long)+len(chunk) > MaxLine {
				return nil, &vtr.LineError{Line: fr.line, Msg: fmt.Sprintf("longer than %d bytes", MaxLine)}
			}
			long = appendLong(long, chunk)
			chunk = long
		}
		chunk = bytes.TrimSuffix(chunk, []byte("\r"))
		if fr.line == 1 {
			chunk = bytes.TrimPrefix(chunk, bom)
		}
		return chunk, nil
	}
}

// appendLong appends chunk to a long line of at most MaxLine bytes,
// doubling its capacity up to MaxLine, so that gathering one costs at most
// 2×MaxLine bytes of allocation.
func appendLong(long, chunk []byte) []byte {
	if n := len(long) + len(chunk); n > cap(long) {
		grown := make([]byte, len(long), min(max(2*n, 64<<10), MaxLine))
		copy(grown, long)
		long = grown
	}
	return append(long, chunk...)
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
