// Package flatfile reads Amazon's shipping-confirmation flat file
// (POST_FLAT_FILE_FULFILLMENT_DATA, the "Shipping Confirmation" template):
// tab-delimited, a header row naming the columns order-id, order-item-id,
// quantity, ship-date, carrier-code, carrier-name, tracking-number,
// ship-method (marketplace-rules.md §11.3). Columns are found by name, so
// newer templates with more columns are read too.
//
// A file saved from a spreadsheet as CSV (comma- or semicolon-separated,
// cells optionally in double quotes) is read too, and says so
// (Reader.Separator): Amazon takes only the tab-separated file, so such a
// file must be saved as tab-delimited text, or rewritten by Writer, before
// it is uploaded.
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
	// Cells are the line's cells as read, in the header's order (unquoted
	// when the file is comma-separated): what Writer writes back.
	Cells []string

	col map[string]int // the reader's column of each header name
}

// Set returns a copy of the row with the cell of the named column set to
// value (its field too, for the template's columns), and false when the
// file has no such column.
func (r Row) Set(name, value string) (Row, bool) {
	i, ok := r.col[name]
	if !ok {
		return r, false
	}
	cells := make([]string, max(len(r.Cells), i+1))
	copy(cells, r.Cells)
	cells[i] = value
	r.Cells = cells
	v := strings.TrimSpace(value)
	switch name {
	case "order-id":
		r.OrderID = v
	case "order-item-id":
		r.OrderItemID = v
	case "quantity":
		r.Quantity = v
	case "ship-date":
		r.ShipDate = v
	case "carrier-code":
		r.CarrierCode = v
	case "carrier-name":
		r.CarrierName = v
	case "tracking-number":
		r.TrackingNumber = value
	case "ship-method":
		r.ShipMethod = v
	}
	return r, true
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
// bytes) is this format's header, past a byte-order mark: order-id then a
// tab, or, in a file saved as CSV, a comma or semicolon (the name maybe
// quoted).
func LooksLike(firstLine []byte) bool {
	const h = "order-id"
	b := bytes.TrimPrefix(firstLine, bom)
	quoted := len(b) > 0 && b[0] == '"'
	if quoted {
		b = b[1:]
	}
	if len(b) <= len(h) || !strings.EqualFold(string(b[:len(h)]), h) {
		return false
	}
	b = b[len(h):]
	if quoted {
		if b[0] != '"' || len(b) < 2 {
			return false
		}
		b = b[1:]
	}
	return b[0] == '\t' || b[0] == ',' || b[0] == ';'
}

// Reader reads rows, streaming: memory does not grow with the file, nor
// with the length of a line.
type Reader struct {
	r      *bufio.Reader
	line   int
	sep    byte // '\t', or ',' / ';' for a file saved as CSV
	header []string
	col    map[string]int
	long   []byte // readLine's buffer for lines longer than r's
}

// Separator returns the byte between the file's cells: a tab for Amazon's
// template, a comma or a semicolon for a file a spreadsheet saved as CSV
// (told apart by the header: a header without a tab, with a comma or a
// semicolon).
func (fr *Reader) Separator() byte { return fr.sep }

// Header returns the header's column names as the file spells them.
func (fr *Reader) Header() []string { return append([]string(nil), fr.header...) }

// SeparatorName names a separator for people: "tab", "comma", "semicolon".
func SeparatorName(sep byte) string {
	switch sep {
	case '\t':
		return "tab"
	case ',':
		return "comma"
	case ';':
		return "semicolon"
	}
	return fmt.Sprintf("%q", sep)
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
		fr.sep = '\t'
		if !strings.Contains(h, "\t") {
			if i := strings.IndexAny(h, ",;"); i >= 0 {
				fr.sep = h[i]
			}
		}
		var ok bool
		if fr.header, ok = fr.split(h); !ok {
			return nil, vtr.Errorf(vtr.EINVALID, "line %d: the header has a quoted name that is not closed (a shipping-confirmation file starts with: %s)",
				fr.line, strings.Join(Columns, " "))
		}
		for i, name := range fr.header {
			fr.col[strings.ToLower(strings.TrimSpace(name))] = i
		}
		for _, req := range []string{"order-id", "ship-date", "tracking-number"} {
			if _, ok := fr.col[req]; !ok {
				read := ""
				if fr.sep != '\t' {
					read = fmt.Sprintf(" read as %s-separated", SeparatorName(fr.sep))
				}
				return nil, vtr.Errorf(vtr.EINVALID, "line %d: the header%s has no %q column (a shipping-confirmation file is tab-separated and starts with: %s)",
					fr.line, read, req, strings.Join(Columns, " "))
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
		cells, ok := fr.split(text)
		if !ok {
			return Row{}, &vtr.LineError{Line: fr.line, Msg: "a quoted cell is not closed on its line (a cell cannot span lines)"}
		}
		get := func(name string) string {
			if i, ok := fr.col[name]; ok && i < len(cells) {
				return cells[i]
			}
			return ""
		}
		return Row{Line: fr.line, OrderID: strings.TrimSpace(get("order-id")), OrderItemID: strings.TrimSpace(get("order-item-id")),
			Quantity: strings.TrimSpace(get("quantity")), ShipDate: strings.TrimSpace(get("ship-date")),
			CarrierCode: strings.TrimSpace(get("carrier-code")), CarrierName: strings.TrimSpace(get("carrier-name")),
			TrackingNumber: get("tracking-number"), ShipMethod: strings.TrimSpace(get("ship-method")),
			Cells: cells, col: fr.col}, nil
	}
}

// split splits a line into its cells. Amazon's tab-separated template
// has no quoting; in a comma- or semicolon-separated file a cell may be in
// double quotes (RFC 4180: to hold the separator, with "" for a quote).
// ok is false when a quote is not closed.
func (fr *Reader) split(line string) (cells []string, ok bool) {
	if fr.sep == '\t' {
		return strings.Split(line, "\t"), true
	}
	for {
		if !strings.HasPrefix(strings.TrimLeft(line, " "), `"`) {
			cell, rest, more := strings.Cut(line, string(fr.sep))
			cells = append(cells, cell)
			if !more {
				return cells, true
			}
			line = rest
			continue
		}
		line = strings.TrimLeft(line, " ")[1:]
		var b strings.Builder
		for {
			i := strings.IndexByte(line, '"')
			if i < 0 {
				return cells, false
			}
			b.WriteString(line[:i])
			line = line[i+1:]
			if strings.HasPrefix(line, `"`) {
				b.WriteByte('"')
				line = line[1:]
				continue
			}
			break
		}
		// Anything between the closing quote and the separator is kept,
		// as spreadsheets do.
		tail, rest, more := strings.Cut(line, string(fr.sep))
		cells = append(cells, b.String()+tail)
		if !more {
			return cells, true
		}
		line = rest
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

// Writer writes a shipping-confirmation flat file as Amazon takes it:
// tab-separated, one line (LF) per row, the header first, streaming.
type Writer struct {
	w *bufio.Writer
}

// NewWriter writes the header (Reader.Header of the file being rewritten,
// so the columns stay the input's) and returns a writer for the rows.
func NewWriter(w io.Writer, header []string) (*Writer, error) {
	fw := &Writer{w: bufio.NewWriter(w)}
	if err := fw.write(header); err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	return fw, nil
}

// ErrTabInCell is Writer's error for a cell holding a tab or a line break,
// which a tab-separated line cannot hold (a cell of a comma-separated file
// can).
var ErrTabInCell = errors.New("a cell holds a tab or a line break, which a tab-separated file cannot")

// Write writes a row's cells, as read or as Row.Set changed them. A row
// with a cell holding a tab or a line break is not written: the error is
// ErrTabInCell, and the writer can go on with the next row.
func (fw *Writer) Write(r Row) error { return fw.write(r.Cells) }

func (fw *Writer) write(cells []string) error {
	for _, c := range cells {
		if strings.ContainsAny(c, "\t\r\n") {
			return ErrTabInCell
		}
	}
	for i, c := range cells {
		if i > 0 {
			fw.w.WriteByte('\t')
		}
		fw.w.WriteString(c)
	}
	return fw.w.WriteByte('\n')
}

// Flush writes what is buffered to the underlying writer.
func (fw *Writer) Flush() error { return fw.w.Flush() }

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
