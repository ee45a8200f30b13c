package native

import (
	"unicode/utf8"

	"github.com/vtr-project/vtr"
)

// scanPlain fills l from raw when the line has the plain shape vtr's own
// writers (and most feeds) produce: one object whose keys are field names
// spelt exactly, whose values are strings without escapes, except
// "location" and "ship_to", objects of the same kind. It reports false for
// anything else — escapes, numbers, booleans, null, arrays, a key spelt
// differently, an unknown key, trailing data, broken JSON — and the caller
// then decodes the line with encoding/json, which gives the answer and the
// error message for every such line. So this is only a shortcut: whenever
// it reports true, l holds what encoding/json would have put there
// (FuzzScanPlain holds the two together).
//
// The strings are cut from one copy of the line, one allocation instead of
// one per field; Value points into raw, which the caller reads before raw
// is reused.
func scanPlain(raw []byte, l *line) bool {
	s := scanner{raw: raw}
	if !s.skip('{') {
		return false
	}
	if s.skip('}') {
		return s.end()
	}
	for {
		key, ok := s.str()
		if !ok || !s.skip(':') {
			return false
		}
		switch k := string(key); k {
		case "location", "ship_to":
			p := &l.location
			if k == "ship_to" {
				p = &l.shipTo
			}
			if !s.location(p) {
				return false
			}
			if k == "ship_to" {
				l.ShipTo = p
			} else {
				l.Location = p
			}
		case "value":
			start := s.i
			if _, ok := s.str(); !ok {
				return false
			}
			l.Value = raw[start:s.i]
		default:
			f := l.stringField(k)
			if f == nil {
				return false
			}
			v, ok := s.value()
			if !ok {
				return false
			}
			*f = v
		}
		if s.skip('}') {
			return s.end()
		}
		if !s.skip(',') {
			return false
		}
	}
}

// stringField is the string field a key names exactly, or nil.
func (l *line) stringField(k string) *string {
	switch k {
	case "type":
		return &l.Type
	case "id":
		return &l.ID
	case "name":
		return &l.Name
	case "seller_id":
		return &l.SellerID
	case "policy":
		return &l.Policy
	case "purchased_at":
		return &l.PurchasedAt
	case "category":
		return &l.Category
	case "currency":
		return &l.Currency
	case "ship_by":
		return &l.ShipBy
	case "deliver_by":
		return &l.DeliverBy
	case "order_id":
		return &l.OrderID
	case "package_id":
		return &l.PackageID
	case "carrier":
		return &l.Carrier
	case "carrier_name":
		return &l.CarrierName
	case "tracking_number":
		return &l.TrackingNumber
	case "ship_method":
		return &l.ShipMethod
	case "ship_from_id":
		return &l.ShipFromID
	case "shipped_at":
		return &l.ShippedAt
	case "uploaded_at":
		return &l.UploadedAt
	case "cancelled_at":
		return &l.CancelledAt
	case "reported_by":
		return &l.ReportedBy
	case "occurred_at":
		return &l.OccurredAt
	case "code":
		return &l.Code
	case "type_code":
		return &l.TypeCode
	case "description":
		return &l.Description
	case "status":
		return &l.Status
	case "class":
		return &l.Class
	case "source":
		return &l.Source
	case "source_id":
		return &l.SourceID
	}
	return nil
}

type scanner struct {
	raw []byte
	i   int
	// line is raw as a string, made on the first value, so a line that
	// is not plain from its first key costs no copy
	line string
}

func (s *scanner) space() {
	for s.i < len(s.raw) {
		switch s.raw[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// skip consumes c (after white space) if it is next.
func (s *scanner) skip(c byte) bool {
	s.space()
	if s.i < len(s.raw) && s.raw[s.i] == c {
		s.i++
		return true
	}
	return false
}

// end reports whether nothing but white space is left.
func (s *scanner) end() bool {
	s.space()
	return s.i == len(s.raw)
}

// str consumes a string without escapes or control characters and with
// valid UTF-8 (which encoding/json keeps byte for byte), returning its
// contents.
func (s *scanner) str() ([]byte, bool) {
	if !s.skip('"') {
		return nil, false
	}
	start, ascii := s.i, true
	for s.i < len(s.raw) {
		c := s.raw[s.i]
		switch {
		case c == '"':
			v := s.raw[start:s.i]
			s.i++
			if !ascii && !utf8.Valid(v) {
				return nil, false
			}
			return v, true
		case c == '\\' || c < 0x20:
			return nil, false
		case c >= utf8.RuneSelf:
			ascii = false
		}
		s.i++
	}
	return nil, false
}

// value consumes a string value and returns it cut from the line's copy.
func (s *scanner) value() (string, bool) {
	v, ok := s.str()
	if !ok {
		return "", false
	}
	if s.line == "" {
		s.line = string(s.raw)
	}
	end := s.i - 1
	return s.line[end-len(v) : end], true
}

// location consumes an object of location fields into p; fields already
// in p stay unless given again, as encoding/json does with a key repeated.
func (s *scanner) location(p *vtr.Location) bool {
	if !s.skip('{') {
		return false
	}
	if s.skip('}') {
		return true
	}
	for {
		key, ok := s.str()
		if !ok || !s.skip(':') {
			return false
		}
		var f *string
		switch string(key) {
		case "city":
			f = &p.City
		case "state":
			f = &p.State
		case "postal_code":
			f = &p.PostalCode
		case "country":
			f = &p.Country
		default:
			return false
		}
		if *f, ok = s.value(); !ok {
			return false
		}
		if s.skip('}') {
			return true
		}
		if !s.skip(',') {
			return false
		}
	}
}
