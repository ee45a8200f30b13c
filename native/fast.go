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
// Values of fields that repeat from line to line (the type, the carrier,
// the code, the description, the place...) come from tab, one string
// shared by every line that holds them, so the records a transaction
// holds do not each carry their own copies; tab may be nil. Value points
// into raw, which the caller reads before raw is reused.
func scanPlain(raw []byte, l *line, tab *interned) bool {
	s := scanner{raw: raw, tab: tab}
	return s.object(func(key []byte) bool {
		switch k := string(key); k {
		case "location":
			l.Location = &l.location
			return s.location(l.Location)
		case "ship_to":
			l.ShipTo = &l.shipTo
			return s.location(l.ShipTo)
		case "value":
			start := s.i
			_, ok := s.str()
			l.Value = raw[start:s.i]
			return ok
		default:
			f, repeats := l.stringField(k)
			if f == nil {
				return false
			}
			v, ok := s.value(repeats)
			*f = v
			return ok
		}
	}) && s.end()
}

// stringField is the string field a key names exactly, or nil, and
// whether its values repeat from line to line (not ids, numbers, times).
func (l *line) stringField(k string) (*string, bool) {
	switch k {
	case "type":
		return &l.Type, true
	case "id":
		return &l.ID, false
	case "name":
		return &l.Name, true
	case "seller_id":
		return &l.SellerID, true
	case "policy":
		return &l.Policy, true
	case "purchased_at":
		return &l.PurchasedAt, false
	case "category":
		return &l.Category, true
	case "currency":
		return &l.Currency, true
	case "ship_by":
		return &l.ShipBy, false
	case "deliver_by":
		return &l.DeliverBy, false
	case "order_id":
		return &l.OrderID, false
	case "package_id":
		return &l.PackageID, true
	case "carrier":
		return &l.Carrier, true
	case "carrier_name":
		return &l.CarrierName, true
	case "tracking_number":
		return &l.TrackingNumber, false
	case "ship_method":
		return &l.ShipMethod, true
	case "ship_from_id":
		return &l.ShipFromID, true
	case "shipped_at":
		return &l.ShippedAt, false
	case "uploaded_at":
		return &l.UploadedAt, false
	case "cancelled_at":
		return &l.CancelledAt, false
	case "reported_by":
		return &l.ReportedBy, true
	case "occurred_at":
		return &l.OccurredAt, false
	case "code":
		return &l.Code, true
	case "type_code":
		return &l.TypeCode, true
	case "description":
		return &l.Description, true
	case "status":
		return &l.Status, true
	case "class":
		return &l.Class, true
	case "source":
		return &l.Source, true
	case "source_id":
		return &l.SourceID, false
	}
	return nil, false
}

type scanner struct {
	raw []byte
	i   int
	tab *interned
}

// interned holds one copy of each value seen of the fields that repeat,
// up to a bound: a feed's carriers, codes, descriptions and places are a
// few thousand strings, its numbers and ids are not kept here.
type interned struct {
	m map[string]string
}

const (
	maxInterned    = 1 << 14
	maxInternedLen = 128
)

// get returns b as a string, the interned copy when there is one.
func (t *interned) get(b []byte) string {
	if t == nil || len(b) > maxInternedLen {
		return string(b)
	}
	if v, ok := t.m[string(b)]; ok {
		return v
	}
	v := string(b)
	if t.m == nil {
		t.m = make(map[string]string)
	}
	if len(t.m) < maxInterned {
		t.m[v] = v
	}
	return v
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

// value consumes a string value; one that repeats comes from the table.
func (s *scanner) value(repeats bool) (string, bool) {
	v, ok := s.str()
	if !ok {
		return "", false
	}
	if repeats {
		return s.tab.get(v), true
	}
	return string(v), true
}

// location consumes an object of location fields into p; fields already
// in p stay unless given again, as encoding/json does with a key repeated.
func (s *scanner) location(p *vtr.Location) bool {
	return s.object(func(key []byte) bool {
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
		v, ok := s.value(true)
		*f = v
		return ok
	})
}

// object consumes an object, calling member for each key once its colon
// is consumed; member consumes the value, or reports false.
func (s *scanner) object(member func(key []byte) bool) bool {
	if !s.skip('{') {
		return false
	}
	if s.skip('}') {
		return true
	}
	for {
		key, ok := s.str()
		if !ok || !s.skip(':') || !member(key) {
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
