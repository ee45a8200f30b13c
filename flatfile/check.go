package flatfile

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/engine"
)

// Finding is what the pre-flight says of one row.
type Finding struct {
	Line    int        `json:"line"`
	OrderID string     `json:"order_id"`
	Field   string     `json:"field,omitempty"`
	Reason  vtr.Reason `json:"reason,omitempty"`
	// Rejected: Amazon would refuse the line at upload (bad order ID,
	// date, carrier code). Otherwise a finding with a reason is accepted
	// but counts as a VTR defect.
	Rejected bool   `json:"rejected"`
	Message  string `json:"message"`
	// Likely is the carrier the seller most probably meant, when the row
	// has a defect and it differs from the carrier entered.
	Likely string `json:"likely_carrier,omitempty"`
}

// OK reports whether the row is clean.
func (f *Finding) OK() bool { return f.Reason == "" && !f.Rejected }

// CheckSummary totals a pre-flight.
type CheckSummary struct {
	Lines, OK, Rejected, Defects int
}

// Checker checks rows without a database, under one policy and origin:
// the carrier and number rules are engine.AcceptCarrier's, the same the
// engine judges by. It also remembers which order each tracking number
// was used on, to flag numbers reused across orders of the file.
type Checker struct {
	p      *vtr.Policy
	origin string
	amazon bool              // the policy is Amazon's: its order IDs are 3-7-7 digits
	seen   map[string]string // normalised number → first order ID
}

// NewChecker returns a checker for packages shipped from origin under
// policy p; origin "" is the policy's default (vtr.Policy.DefaultOrigin).
func NewChecker(p *vtr.Policy, origin string) *Checker {
	if origin == "" {
		origin = p.DefaultOrigin()
	}
	amazon := p.Marketplace == "" || strings.HasPrefix(strings.ToLower(p.Marketplace), "amazon.")
	return &Checker{p: p, origin: origin, amazon: amazon, seen: map[string]string{}}
}

// orderNumber names the order-id column's content for a message: Amazon's
// order ID, or for Walmart the purchase-order number the tracking number
// must not repeat (marketplace-rules.md §12.2).
func (c *Checker) orderNumber() string {
	switch {
	case c.amazon:
		return "order ID"
	case strings.HasPrefix(strings.ToLower(c.p.Marketplace), "walmart."):
		return "purchase-order number"
	}
	return "order number"
}

// columns maps engine.Acceptance fields onto the template's columns.
var columns = map[string]string{
	engine.FieldCarrier:        "carrier-code",
	engine.FieldCarrierName:    "carrier-name",
	engine.FieldTrackingNumber: "tracking-number",
}

// Check says what Amazon would reject or count as a defect in row, and why.
func (c *Checker) Check(r Row) Finding {
	f := Finding{Line: r.Line, OrderID: r.OrderID}
	reject := func(field, msg string) Finding {
		f.Field, f.Rejected, f.Message = field, true, msg
		return f
	}
	switch {
	case c.amazon && !ValidOrderID(r.OrderID):
		return reject("order-id", fmt.Sprintf("%q is not an Amazon order ID (3-7-7 digits).", r.OrderID))
	case r.OrderID == "":
		// Under another marketplace's policy the column holds its order
		// number (Walmart: the purchase-order number), in its own form.
		return reject("order-id", fmt.Sprintf("No %s was given.", c.orderNumber()))
	}
	if _, err := ParseShipDate(r.ShipDate); err != nil {
		return reject("ship-date", err.Error()+".")
	}
	if utf8.RuneCountInString(r.CarrierName) > 50 {
		return reject("carrier-name", "carrier-name is longer than 50 characters.")
	}
	a := engine.AcceptCarrier(c.p, c.origin, &vtr.Shipment{OrderID: r.OrderID, Carrier: r.CarrierCode, CarrierName: r.CarrierName, TrackingNumber: r.TrackingNumber})
	f.Reason, f.Field, f.Message, f.Likely = a.Reason(), columns[a.Field], a.Message, a.Likely
	// The engine counts a tracking number that repeats the order number as
	// malformed (Walmart: "the tracking number must not equal the PO or
	// sales-order number", marketplace-rules.md §12.2), behind whatever
	// else it finds in the number. The pre-flight says so first: it is the
	// mistake the seller made, the order number pasted into the
	// tracking-number column, and the other findings follow from it.
	// (The test of the order number is the engine's; the pre-flight only
	// words it.)
	var orderMsg string
	if a.IsOrderNumber {
		orderMsg = fmt.Sprintf("The tracking number is this line's %s (%s), not a carrier's tracking number: the %[1]s was probably pasted into the tracking-number column; enter the number on the carrier's label.",
			c.orderNumber(), strings.TrimSpace(r.TrackingNumber))
	}
	if f.Reason == vtr.CarrierUnknown && a.Field != engine.FieldTrackingNumber {
		// A carrier code is required (since 5 Apr 2021, marketplace-rules.md
		// §11.4) and must be on the list (error 5004: "The carrier-code
		// field contains an invalid value"); Other needs a carrier-name
		// (§11.3). Amazon refuses such a line at upload.
		f.Rejected = true
		switch {
		case strings.TrimSpace(r.CarrierCode) == "":
			f.Message += " carrier-code is required: Amazon rejects the line at upload."
		case a.Field == engine.FieldCarrier:
			f.Message += " Amazon rejects the line at upload (error 5004)."
		default:
			f.Message += " carrier-name is required with Other: Amazon rejects the line at upload."
		}
		if orderMsg != "" {
			f.Message += " " + orderMsg
		}
		return f
	}
	if orderMsg != "" {
		f.Reason, f.Field, f.Message, f.Likely = vtr.TrackingMalformed, "tracking-number", orderMsg, ""
	}
	if f.Reason != "" {
		if cell := engine.TrackingCell(r.OrderID, r.TrackingNumber, a.Reasons); c.amazon && cell != r.TrackingNumber {
			f.Message += " Amazon reports it as " + cell + "."
		}
		return f
	}
	if prev, ok := c.seen[a.Number]; ok && prev != r.OrderID {
		f.Field, f.Reason = "tracking-number", vtr.TrackingReused
		f.Message = fmt.Sprintf("The tracking ID %s is already used on order %s in this file; a label can be shared only by orders to the same address.", a.Number, prev)
		return f
	}
	c.seen[a.Number] = r.OrderID
	return f
}

// CheckAll runs the pre-flight over a whole file, calling emit for every
// row, and returns the totals.
func (c *Checker) CheckAll(r io.Reader, emit func(Finding) error) (CheckSummary, error) {
	fr, err := NewReader(r)
	if err != nil {
		return CheckSummary{}, err
	}
	return c.CheckReader(fr, func(_ Row, f Finding) error { return emit(f) })
}

// CheckReader runs the pre-flight over the rows of fr, calling emit with
// every row and its finding, and returns the totals. A line the reader
// cannot take comes with a row that has only its Line.
func (c *Checker) CheckReader(fr *Reader, emit func(Row, Finding) error) (CheckSummary, error) {
	var s CheckSummary
	for {
		row, err := fr.Next()
		if err == io.EOF {
			return s, nil
		}
		var le *vtr.LineError
		var f Finding
		switch {
		case errors.As(err, &le):
			// A line the reader cannot take (longer than MaxLine, a quote
			// not closed) is a line Amazon would reject too; the lines
			// after it are checked.
			row = Row{Line: le.Line}
			f = Finding{Line: le.Line, Field: le.Field, Rejected: true, Message: sentence(le.Msg)}
		case err != nil:
			return s, err
		default:
			f = c.Check(row)
		}
		s.Lines++
		switch {
		case f.Rejected:
			s.Rejected++
		case f.Reason != "":
			s.Defects++
		default:
			s.OK++
		}
		if err := emit(row, f); err != nil {
			return s, err
		}
	}
}

// sentence makes a lower-case error message a sentence.
func sentence(msg string) string {
	if msg == "" {
		return ""
	}
	r, n := utf8.DecodeRuneInString(msg)
	return string(unicode.ToUpper(r)) + msg[n:] + "."
}

// Columns of Finding.Text: "line N" for up to 9,999,999 lines, and the
// order ID, as wide as Amazon's (3-7-7 digits).
const (
	lineColumn  = len("line 9999999")
	orderColumn = len("111-1234567-1234567")
)

// Text formats a finding for people, in columns that line up from one
// finding to the next whatever the values: the line, the order ID (one
// longer than Amazon's is cut, and the message quotes it whole when it is
// the finding), the verdict, then the reason and message. No line ends in
// a space.
func (f *Finding) Text() string {
	id := f.OrderID
	if utf8.RuneCountInString(id) > orderColumn {
		id = string([]rune(id)[:orderColumn-1]) + "…"
	}
	verdict := "ok"
	switch {
	case f.Rejected:
		verdict = "REJECTED"
	case f.Reason != "":
		verdict = "DEFECT"
	}
	s := fmt.Sprintf("%-*s  %-*s  %-8s  %s", lineColumn, "line "+strconv.Itoa(f.Line), orderColumn, id, verdict, f.describe())
	return strings.TrimRight(s, " ")
}

// describe is the reason, the message and the likely carrier.
func (f *Finding) describe() string {
	var b strings.Builder
	if f.Reason != "" {
		b.WriteString(string(f.Reason) + ": ")
	}
	b.WriteString(f.Message)
	if f.Likely != "" && f.Reason != "" {
		b.WriteString(" (likely carrier: " + f.Likely + ")")
	}
	return b.String()
}

// Fix returns the row to upload in place of r, given its finding f, when
// the correction is certain: r itself when f is clean; r with the carrier
// code set to the carrier the engine is sure the seller meant
// (Finding.Likely: the number's own carrier, by its check digit or fixed
// prefix, or the carrier typed as Other or in Chinese) when the carrier
// entered is the finding, and only if the corrected row then checks clean
// under the same policy and origin. change says what changed ("" for a
// clean row). Any other finding needs the seller: the error says why the
// row is left out.
//
// Fix checks the corrected row with c, so that it counts in the reuse
// check of the rows after it: call it once per row, in file order, after
// Check.
func (c *Checker) Fix(r Row, f Finding) (fixed Row, change string, err error) {
	if f.OK() {
		return r, "", nil
	}
	switch f.Reason {
	case vtr.CarrierMismatch, vtr.CarrierUnsupported, vtr.CarrierUnknown:
	default:
		return r, "", errors.New(f.describe())
	}
	if f.Likely == "" {
		return r, "", fmt.Errorf("%s; vtr cannot tell the right carrier for certain", f.describe())
	}
	fixed, ok := r.Set("carrier-code", f.Likely)
	if !ok {
		return r, "", fmt.Errorf("%s; the file has no carrier-code column to enter %s in", f.describe(), f.Likely)
	}
	change = fmt.Sprintf("carrier-code %q → %q", r.CarrierCode, f.Likely)
	if fixed.CarrierName != "" {
		// carrier-name goes only with Other (marketplace-rules.md §11.3).
		fixed, _ = fixed.Set("carrier-name", "")
		change += fmt.Sprintf(", carrier-name %q removed", r.CarrierName)
	}
	if g := c.Check(fixed); !g.OK() {
		return r, "", fmt.Errorf("%s; with %s as the carrier: %s", f.describe(), f.Likely, g.describe())
	}
	return fixed, change, nil
}
