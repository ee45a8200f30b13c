package flatfile

import (
	"errors"
	"fmt"
	"io"
	"strings"
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
	seen   map[string]string // normalised number → first order ID
}

// NewChecker returns a checker for packages shipped from origin under
// policy p; origin "" is the policy's default (vtr.Policy.DefaultOrigin).
func NewChecker(p *vtr.Policy, origin string) *Checker {
	if origin == "" {
		origin = p.DefaultOrigin()
	}
	return &Checker{p: p, origin: origin, seen: map[string]string{}}
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
	if !ValidOrderID(r.OrderID) {
		return reject("order-id", fmt.Sprintf("%q is not an Amazon order ID (3-7-7 digits).", r.OrderID))
	}
	if _, err := ParseShipDate(r.ShipDate); err != nil {
		return reject("ship-date", err.Error()+".")
	}
	if utf8.RuneCountInString(r.CarrierName) > 50 {
		return reject("carrier-name", "carrier-name is longer than 50 characters.")
	}
	a := engine.AcceptCarrier(c.p, c.origin, &vtr.Shipment{OrderID: r.OrderID, Carrier: r.CarrierCode, CarrierName: r.CarrierName, TrackingNumber: r.TrackingNumber})
	f.Reason, f.Field, f.Message, f.Likely = a.Reason(), columns[a.Field], a.Message, a.Likely
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
		return f
	}
	if f.Reason != "" {
		if cell := engine.TrackingCell(r.OrderID, r.TrackingNumber, a.Reasons); cell != r.TrackingNumber {
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
	var s CheckSummary
	fr, err := NewReader(r)
	if err != nil {
		return s, err
	}
	for {
		row, err := fr.Next()
		if err == io.EOF {
			return s, nil
		}
		var le *vtr.LineError
		var f Finding
		switch {
		case errors.As(err, &le):
			// A line the reader cannot take (longer than MaxLine) is a
			// line Amazon would reject too; the lines after it are checked.
			f = Finding{Line: le.Line, Field: le.Field, Rejected: true, Message: le.Msg + "."}
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
		if err := emit(f); err != nil {
			return s, err
		}
	}
}

// Text formats a finding for people.
func (f *Finding) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "line %d  %s  ", f.Line, f.OrderID)
	switch {
	case f.Rejected:
		b.WriteString("REJECTED  ")
	case f.Reason != "":
		b.WriteString("DEFECT    ")
	default:
		b.WriteString("ok        ")
	}
	if f.Reason != "" {
		b.WriteString(string(f.Reason) + ": ")
	}
	b.WriteString(f.Message)
	if f.Likely != "" && f.Reason != "" {
		b.WriteString(" (likely carrier: " + f.Likely + ")")
	}
	return b.String()
}
