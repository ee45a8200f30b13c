package flatfile

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/tracking"
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
	// Likely is the carrier the number really belongs to, when detected.
	Likely string `json:"likely_carrier,omitempty"`
}

// OK reports whether the row is clean.
func (f *Finding) OK() bool { return f.Reason == "" && !f.Rejected }

// CheckSummary totals a pre-flight.
type CheckSummary struct {
	Lines, OK, Rejected, Defects int
}

// Checker checks rows without a database. It remembers which order each
// tracking number was used on, to flag numbers reused across orders.
type Checker struct {
	seen map[string]string // normalised number → first order ID
	res  tracking.Result
}

// NewChecker returns a checker.
func NewChecker() *Checker { return &Checker{seen: map[string]string{}} }

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
	if r.CarrierCode == "" {
		// Required through feeds since 5 Apr 2021 (marketplace-rules.md §11.4).
		return reject("carrier-code", "carrier-code is required; choose a value from Amazon's carrier list.")
	}
	m, ok := tracking.Lookup(r.CarrierCode)
	if !ok {
		// Amazon error 5004: "The carrier-code field contains an invalid value."
		f.Reason = vtr.CarrierUnknown
		return reject("carrier-code", fmt.Sprintf("%q is not on Amazon's carrier-code list (error 5004); use a listed code or Other with a carrier-name.", r.CarrierCode))
	}
	carrier := m.Carrier
	if m.Chinese {
		f.Field, f.Reason = "carrier-code", vtr.CarrierUnsupported
		f.Message = fmt.Sprintf("Amazon does not support carrier names in Chinese: enter %q instead of %q.", carrier.Code, r.CarrierCode)
		return f
	}
	if carrier.Other {
		if r.CarrierName == "" {
			return reject("carrier-name", "carrier-name is required when carrier-code is Other (1 to 50 characters).")
		}
		if utf8.RuneCountInString(r.CarrierName) > 50 {
			return reject("carrier-name", "carrier-name is longer than 50 characters.")
		}
		if nm, ok := tracking.Lookup(r.CarrierName); ok && !nm.Carrier.Other {
			f.Field, f.Reason, f.Likely = "carrier-name", vtr.CarrierUnsupported, nm.Carrier.Code
			f.Message = fmt.Sprintf("%s was typed as Other (%q): choose %q as carrier-code; an integrated carrier typed as Other counts as invalid tracking.",
				nm.Carrier.Code, r.CarrierName, nm.Carrier.Code)
			return f
		}
	}
	c.res.Check(r.TrackingNumber, carrier)
	if m := c.res.Match(); m != nil {
		f.Likely = m.Carrier.Code
	} else if cs := c.res.Candidates(); len(cs) > 0 {
		f.Likely = cs[0].Carrier.Code
	}
	if !c.res.Valid {
		f.Field, f.Reason, f.Message = "tracking-number", c.res.Reason, c.res.Message()
		if f.Reason == vtr.TrackingMissing || f.Reason == vtr.TrackingMalformed {
			f.Message += " Amazon reports it as " + r.OrderID + "-InvalidId."
		}
		return f
	}
	num := c.res.Normalized()
	if prev, ok := c.seen[num]; ok && prev != r.OrderID {
		f.Field, f.Reason = "tracking-number", vtr.TrackingReused
		f.Message = fmt.Sprintf("The tracking ID %s is already used on order %s in this file; a label can be shared only by orders to the same address.", num, prev)
		return f
	}
	c.seen[num] = r.OrderID
	if !c.res.Verified {
		f.Message = c.res.Message()
	}
	return f
}

// CheckAll runs the pre-flight over a whole file, calling emit for every
// row, and returns the totals.
func CheckAll(r io.Reader, emit func(Finding) error) (CheckSummary, error) {
	var s CheckSummary
	fr, err := NewReader(r)
	if err != nil {
		return s, err
	}
	c := NewChecker()
	for {
		row, err := fr.Next()
		if err == io.EOF {
			return s, nil
		}
		if err != nil {
			return s, err
		}
		f := c.Check(row)
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
