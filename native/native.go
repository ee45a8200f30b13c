// Package native reads and writes vtr's native NDJSON: one JSON object per
// line, each with a "type" (seller, order, shipment, cancellation, event).
// The HTTP API (vtr serve) takes the same objects.
//
// The decoder streams: memory does not grow with the input. A bad line is
// reported with its number, the field at fault and why, and decoding goes
// on with the next line, so nothing already accepted is lost.
package native

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/classify"
	"github.com/vtr-project/vtr/tracking"
)

// MaxLine is the longest line accepted; a longer one is reported and
// skipped without being held in memory.
const MaxLine = 1 << 20

// Record is one decoded line (vtr.Record).
type Record = vtr.Record

// LineError is a line that could not be accepted (vtr.LineError); Field
// is the JSON field at fault.
type LineError = vtr.LineError

// bom is the UTF-8 byte-order mark some editors and spreadsheet exports
// put at the start of a file; it is not part of the first line.
var bom = []byte("\xef\xbb\xbf")

// Decoder reads records from NDJSON.
type Decoder struct {
	r    *bufio.Reader
	line int
	l    line     // reused from line to line
	tab  interned // the values that repeat from line to line
	// Now stamps shipments without uploaded_at ("the time vtr received
	// it"); the caller injects the clock.
	Now func() time.Time
}

// NewDecoder returns a decoder reading from r.
func NewDecoder(r io.Reader, now func() time.Time) *Decoder {
	return &Decoder{r: bufio.NewReaderSize(r, 64<<10), Now: now}
}

// Next returns the next record. A *LineError means that line was bad and
// decoding can go on; io.EOF ends the stream; any other error is fatal.
// Blank lines, and a byte-order mark at the start of the input, are
// skipped.
func (d *Decoder) Next() (Record, error) {
	for {
		d.line++
		raw, err := d.readLine()
		if err != nil {
			return Record{}, err
		}
		if d.line == 1 {
			raw = bytes.TrimPrefix(raw, bom)
		}
		raw = bytes.TrimSpace(raw)
		if len(raw) == 0 {
			continue
		}
		return decode(d.line, raw, d.Now, &d.l, &d.tab)
	}
}

func (d *Decoder) readLine() ([]byte, error) {
	var long []byte
	for {
		chunk, err := d.r.ReadSlice('\n')
		switch {
		case err == bufio.ErrBufferFull:
			if len(long)+len(chunk) > MaxLine {
				for err == bufio.ErrBufferFull {
					_, err = d.r.ReadSlice('\n')
				}
				if err != nil && err != io.EOF {
					return nil, err
				}
				return nil, &LineError{Line: d.line, Msg: fmt.Sprintf("longer than %d bytes", MaxLine)}
			}
			long = append(long, chunk...)
			continue
		case err == io.EOF:
			if len(chunk) == 0 && len(long) == 0 {
				return nil, io.EOF
			}
		case err != nil:
			return nil, fmt.Errorf("read line %d: %w", d.line, err)
		}
		if long != nil {
			if len(long)+len(chunk) > MaxLine {
				return nil, &LineError{Line: d.line, Msg: fmt.Sprintf("longer than %d bytes", MaxLine)}
			}
			return append(long, chunk...), nil
		}
		return chunk, nil
	}
}

// line is the union of every record type's fields; decoding into it with
// unknown fields disallowed catches misspelt field names.
type line struct {
	Type string `json:"type"`
	// seller
	ID       string         `json:"id"`
	Name     string         `json:"name"`
	Policies []string       `json:"policies"`
	ShipFrom []vtr.ShipFrom `json:"ship_from"`
	// order
	SellerID    string          `json:"seller_id"`
	Policy      string          `json:"policy"`
	PurchasedAt string          `json:"purchased_at"`
	Category    string          `json:"category"`
	Value       json.RawMessage `json:"value"`
	Currency    string          `json:"currency"`
	ShipTo      *vtr.Location   `json:"ship_to"`
	ShipBy      string          `json:"ship_by"`
	DeliverBy   string          `json:"deliver_by"`
	Digital     bool            `json:"digital"`
	Freight     bool            `json:"freight"`
	// shipment
	OrderID        string `json:"order_id"`
	PackageID      string `json:"package_id"`
	Carrier        string `json:"carrier"`
	CarrierName    string `json:"carrier_name"`
	TrackingNumber string `json:"tracking_number"`
	ShipMethod     string `json:"ship_method"`
	ShipFromID     string `json:"ship_from_id"`
	ShippedAt      string `json:"shipped_at"`
	UploadedAt     string `json:"uploaded_at"`
	// cancellation
	CancelledAt string `json:"cancelled_at"`
	BySeller    *bool  `json:"by_seller"`
	// event
	ReportedBy  string        `json:"reported_by"`
	OccurredAt  string        `json:"occurred_at"`
	Code        string        `json:"code"`
	TypeCode    string        `json:"type_code"`
	Description string        `json:"description"`
	Status      string        `json:"status"`
	Class       string        `json:"class"`
	Location    *vtr.Location `json:"location"`
	Source      string        `json:"source"`
	SourceID    string        `json:"source_id"`

	// where scanPlain puts "location" and "ship_to" (Location and ShipTo
	// then point here): no allocation per line
	location, shipTo vtr.Location
}

// Decode decodes one line (number n, for errors).
func Decode(n int, raw []byte, now func() time.Time) (Record, error) {
	return decode(n, raw, now, new(line), nil)
}

// decode decodes one line into l, which the Decoder reuses from line to
// line: nothing of l outlives the call but the strings it hands on.
func decode(n int, raw []byte, now func() time.Time, l *line, tab *interned) (Record, error) {
	*l = line{}
	if !scanPlain(raw, l, tab) {
		*l = line{}
		if err := decodeJSON(n, raw, l); err != nil {
			return Record{}, err
		}
	}
	rec := Record{Line: n, Type: l.Type}
	var err error
	switch l.Type {
	case "seller":
		rec.Seller, err = l.seller(n)
	case "order":
		rec.Order, err = l.order(n)
	case "shipment":
		rec.Shipment, err = l.shipment(n, now)
	case "cancellation":
		rec.Cancellation, err = l.cancellation(n)
	case "event":
		rec.Event, err = l.event(n)
	case "":
		err = &LineError{Line: n, Field: "type", Msg: "missing (seller, order, shipment, cancellation or event)"}
	default:
		err = &LineError{Line: n, Field: "type", Msg: fmt.Sprintf("unknown type %q (seller, order, shipment, cancellation or event)", l.Type)}
	}
	return rec, err
}

// decodeJSON decodes a line with encoding/json, unknown fields refused.
func decodeJSON(n int, raw []byte, l *line) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(l); err != nil {
		return jsonError(n, err)
	}
	if dec.More() {
		return &LineError{Line: n, Msg: "more than one JSON value on the line"}
	}
	return nil
}

// jsonError turns an encoding/json error into a LineError naming the field.
func jsonError(n int, err error) error {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te):
		return &LineError{Line: n, Field: te.Field, Msg: fmt.Sprintf("a JSON %s where %s is expected", te.Value, goTypeName(te.Type.String()))}
	case errors.As(err, &se):
		return &LineError{Line: n, Msg: fmt.Sprintf("broken JSON at byte %d: %v", se.Offset, se)}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		f := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return &LineError{Line: n, Field: f, Msg: "unknown field"}
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		return &LineError{Line: n, Msg: "broken JSON: the object is not closed"}
	}
	return &LineError{Line: n, Msg: "broken JSON: " + err.Error()}
}

func goTypeName(t string) string {
	switch {
	case t == "string":
		return "a string"
	case t == "bool" || t == "*bool":
		return "true or false"
	case strings.HasPrefix(t, "[]"):
		return "an array"
	case strings.HasPrefix(t, "vtr.") || strings.HasPrefix(t, "*vtr."):
		return "an object"
	}
	return t
}

func required(n int, field, v string) error {
	if strings.TrimSpace(v) == "" {
		return &LineError{Line: n, Field: field, Msg: "required"}
	}
	return nil
}

// parseTime parses an RFC 3339 time, returning it in UTC and the offset
// it was given with.
func parseTime(n int, field, v string) (time.Time, int, error) {
	if v == "" {
		return time.Time{}, 0, &LineError{Line: n, Field: field, Msg: "required (RFC 3339 time, e.g. 2026-10-03T14:05:00-07:00)"}
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}, 0, &LineError{Line: n, Field: field, Msg: fmt.Sprintf("%q is not an RFC 3339 time (e.g. 2026-10-03T14:05:00-07:00)", v)}
	}
	_, off := t.Zone()
	return t.UTC(), off, nil
}

func optionalTime(n int, field, v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	t, _, err := parseTime(n, field, v)
	return t, err
}

func (l *line) seller(n int) (*vtr.Seller, error) {
	if err := required(n, "id", l.ID); err != nil {
		return nil, err
	}
	for i, sf := range l.ShipFrom {
		if sf.ID == "" {
			return nil, &LineError{Line: n, Field: fmt.Sprintf("ship_from[%d].id", i), Msg: "required"}
		}
		if len(sf.Country) != 2 {
			return nil, &LineError{Line: n, Field: fmt.Sprintf("ship_from[%d].country", i), Msg: fmt.Sprintf("%q is not an ISO 3166 alpha-2 country code", sf.Country)}
		}
		l.ShipFrom[i].Country = strings.ToUpper(sf.Country)
	}
	return &vtr.Seller{ID: l.ID, Name: l.Name, Policies: l.Policies, ShipFrom: l.ShipFrom}, nil
}

func (l *line) order(n int) (*vtr.Order, error) {
	for _, f := range [][2]string{{"id", l.ID}, {"seller_id", l.SellerID}, {"policy", l.Policy}, {"category", l.Category}, {"currency", l.Currency}} {
		if err := required(n, f[0], f[1]); err != nil {
			return nil, err
		}
	}
	o := &vtr.Order{ID: l.ID, SellerID: l.SellerID, Policy: l.Policy, Category: l.Category, Digital: l.Digital, Freight: l.Freight}
	var err error
	if o.PurchasedAt, _, err = parseTime(n, "purchased_at", l.PurchasedAt); err != nil {
		return nil, err
	}
	if o.DeliverBy, _, err = parseTime(n, "deliver_by", l.DeliverBy); err != nil {
		return nil, err
	}
	if o.ShipBy, err = optionalTime(n, "ship_by", l.ShipBy); err != nil {
		return nil, err
	}
	cur := strings.ToUpper(l.Currency)
	if len(cur) != 3 {
		return nil, &LineError{Line: n, Field: "currency", Msg: fmt.Sprintf("%q is not an ISO 4217 currency code", l.Currency)}
	}
	if o.Value, err = parseMoney(n, l.Value, cur); err != nil {
		return nil, err
	}
	if l.ShipTo != nil {
		o.ShipTo = *l.ShipTo
		o.ShipTo.Country = strings.ToUpper(o.ShipTo.Country)
	}
	return o, nil
}

// parseMoney reads a decimal amount, given as a JSON string ("25.00") or
// number (25), into minor units without floating point.
func parseMoney(n int, raw json.RawMessage, cur string) (vtr.Money, error) {
	bad := func(msg string) (vtr.Money, error) {
		return vtr.Money{}, &LineError{Line: n, Field: "value", Msg: msg}
	}
	s := strings.TrimSpace(string(raw))
	if s == "" || s == "null" {
		return bad("required (a decimal amount such as \"25.00\")")
	}
	if s[0] == '"' {
		if err := json.Unmarshal(raw, &s); err != nil {
			return bad("not a string")
		}
	}
	digits := vtr.CurrencyDigits(cur)
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" || len(frac) > digits || strings.HasPrefix(whole, "-") || strings.HasPrefix(whole, "+") {
		return bad(fmt.Sprintf("%q is not a non-negative amount with at most %d decimals", s, digits))
	}
	for len(frac) < digits {
		frac += "0"
	}
	v, err := strconv.ParseInt(whole+frac, 10, 64)
	if err != nil || v < 0 {
		return bad(fmt.Sprintf("%q is not a decimal amount", s))
	}
	return vtr.Money{Minor: v, Currency: cur}, nil
}

func (l *line) shipment(n int, now func() time.Time) (*vtr.Shipment, error) {
	if err := required(n, "order_id", l.OrderID); err != nil {
		return nil, err
	}
	s := &vtr.Shipment{SellerID: l.SellerID, OrderID: l.OrderID, PackageID: l.PackageID, Carrier: l.Carrier, CarrierName: l.CarrierName,
		TrackingNumber: l.TrackingNumber, ShipMethod: l.ShipMethod, ShipFromID: l.ShipFromID}
	if s.PackageID == "" {
		s.PackageID = "1"
	}
	var err error
	if s.ShippedAt, _, err = parseTime(n, "shipped_at", l.ShippedAt); err != nil {
		return nil, err
	}
	if s.UploadedAt, err = optionalTime(n, "uploaded_at", l.UploadedAt); err != nil {
		return nil, err
	}
	if s.UploadedAt.IsZero() && now != nil {
		s.UploadedAt = now().UTC()
	}
	// The carrier and the number are kept as entered: a wrong carrier or
	// a malformed number is a verdict (a defect with a reason), not a bad
	// line.
	return s, nil
}

func (l *line) cancellation(n int) (*vtr.Cancellation, error) {
	if err := required(n, "order_id", l.OrderID); err != nil {
		return nil, err
	}
	t, _, err := parseTime(n, "cancelled_at", l.CancelledAt)
	if err != nil {
		return nil, err
	}
	c := &vtr.Cancellation{SellerID: l.SellerID, OrderID: l.OrderID, CancelledAt: t, BySeller: true}
	if l.BySeller != nil {
		c.BySeller = *l.BySeller
	}
	return c, nil
}

func (l *line) event(n int) (*vtr.Event, error) {
	if err := required(n, "carrier", l.Carrier); err != nil {
		return nil, err
	}
	m, ok := tracking.Lookup(l.Carrier)
	if !ok {
		return nil, &LineError{Line: n, Field: "carrier", Msg: fmt.Sprintf("unknown carrier %q", l.Carrier)}
	}
	var buf [tracking.MaxLen]byte
	num, reason, _ := tracking.Normalize(buf[:0], l.TrackingNumber)
	if reason != "" {
		return nil, &LineError{Line: n, Field: "tracking_number", Msg: reason.Describe()}
	}
	tn := l.TrackingNumber // already normal, as most are: no copy
	if string(num) != tn {
		tn = string(num)
	}
	e := &vtr.Event{Carrier: m.Carrier.Code, ReportedBy: l.ReportedBy, TrackingNumber: tn, Code: l.Code,
		TypeCode: l.TypeCode, Description: l.Description, Source: "native", SourceID: l.SourceID}
	if l.Source != "" {
		e.Source = l.Source
	}
	if l.ReportedBy != "" {
		if rm, ok := tracking.Lookup(l.ReportedBy); ok {
			e.ReportedBy = rm.Carrier.Code
		}
	}
	var err error
	if e.OccurredAt, e.OffsetSeconds, err = parseTime(n, "occurred_at", l.OccurredAt); err != nil {
		return nil, err
	}
	e.OffsetKnown = true
	if l.Location != nil {
		e.Location = *l.Location
		e.Location.Country = strings.ToUpper(e.Location.Country)
	}
	status := vtr.EventStatus(l.Status)
	if l.Status != "" && !status.Valid() {
		return nil, &LineError{Line: n, Field: "status", Msg: fmt.Sprintf("unknown status %q", l.Status)}
	}
	if l.Status == "" && l.Code == "" {
		return nil, &LineError{Line: n, Field: "status", Msg: "required when there is no code"}
	}
	res := classify.Classify(classify.Input{Carrier: e.Carrier, Reporter: e.ReportedBy, Source: "native",
		Code: l.Code, TypeCode: l.TypeCode, Description: l.Description, Status: status, HasLocation: !e.Location.IsZero()})
	e.Status, e.Class, e.ClassRule = res.Status, res.Class, res.Rule
	if status != "" {
		e.Status = status
	}
	if l.Class != "" {
		c := vtr.EventClass(l.Class)
		if !c.Valid() {
			return nil, &LineError{Line: n, Field: "class", Msg: fmt.Sprintf("unknown class %q (physical, electronic, logical or unknown)", l.Class)}
		}
		e.Class, e.ClassRule = c, "given"
	}
	e.ID = vtr.EventID(e)
	return e, nil
}
