package native

import (
	"bufio"
	"io"
	"time"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/tracking"
)

// Encoder writes records as native NDJSON, one object per line. It is
// built for speed (the simulator writes millions of lines): each record is
// appended into one reused buffer.
type Encoder struct {
	w   *bufio.Writer
	buf []byte
}

// NewEncoder returns an encoder writing to w. Call Flush when done.
func NewEncoder(w io.Writer) *Encoder { return &Encoder{w: bufio.NewWriterSize(w, 256<<10)} }

// Flush writes any buffered data.
func (e *Encoder) Flush() error { return e.w.Flush() }

func (e *Encoder) emit(b []byte) error {
	b = append(b, '\n')
	_, err := e.w.Write(b)
	e.buf = b[:0]
	return err
}

func str(b []byte, key, v string) []byte {
	b = append(b, ',', '"')
	b = append(b, key...)
	b = append(b, '"', ':')
	return tracking.AppendJSONString(b, v)
}

func optStr(b []byte, key, v string) []byte {
	if v == "" {
		return b
	}
	return str(b, key, v)
}

func tm(b []byte, key string, t time.Time) []byte {
	if t.IsZero() {
		return b
	}
	b = append(b, ',', '"')
	b = append(b, key...)
	b = append(b, `":"`...)
	b = t.AppendFormat(b, time.RFC3339)
	return append(b, '"')
}

func loc(b []byte, key string, l vtr.Location) []byte {
	if l.IsZero() {
		return b
	}
	b = append(b, ',', '"')
	b = append(b, key...)
	b = append(b, `":{`...)
	start := len(b)
	b = optStr(b, "city", l.City)
	b = optStr(b, "state", l.State)
	b = optStr(b, "postal_code", l.PostalCode)
	b = optStr(b, "country", l.Country)
	if len(b) > start {
		b = append(b[:start], b[start+1:]...) // drop the leading comma
	}
	return append(b, '}')
}

// WriteSeller writes a seller record.
func (e *Encoder) WriteSeller(s *vtr.Seller) error {
	b := append(e.buf[:0], `{"type":"seller"`...)
	b = str(b, "id", s.ID)
	b = optStr(b, "name", s.Name)
	b = append(b, `,"policies":[`...)
	for i, p := range s.Policies {
		if i > 0 {
			b = append(b, ',')
		}
		b = tracking.AppendJSONString(b, p)
	}
	b = append(b, `],"ship_from":[`...)
	for i, sf := range s.ShipFrom {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"id":`...)
		b = tracking.AppendJSONString(b, sf.ID)
		b = str(b, "country", sf.Country)
		b = optStr(b, "state", sf.State)
		b = optStr(b, "city", sf.City)
		b = optStr(b, "postal_code", sf.PostalCode)
		b = append(b, '}')
	}
	b = append(b, "]}"...)
	return e.emit(b)
}

// WriteOrder writes an order record.
func (e *Encoder) WriteOrder(o *vtr.Order) error {
	b := append(e.buf[:0], `{"type":"order"`...)
	b = str(b, "id", o.ID)
	b = str(b, "seller_id", o.SellerID)
	b = str(b, "policy", o.Policy)
	b = tm(b, "purchased_at", o.PurchasedAt)
	b = str(b, "category", o.Category)
	b = append(b, `,"value":"`...)
	b = append(b, o.Value.Decimal()...)
	b = append(b, '"')
	b = str(b, "currency", o.Value.Currency)
	b = loc(b, "ship_to", o.ShipTo)
	b = tm(b, "ship_by", o.ShipBy)
	b = tm(b, "deliver_by", o.DeliverBy)
	if o.Digital {
		b = append(b, `,"digital":true`...)
	}
	if o.Freight {
		b = append(b, `,"freight":true`...)
	}
	return e.emit(append(b, '}'))
}

// WriteShipment writes a shipment record.
func (e *Encoder) WriteShipment(s *vtr.Shipment) error {
	b := append(e.buf[:0], `{"type":"shipment"`...)
	b = optStr(b, "seller_id", s.SellerID)
	b = str(b, "order_id", s.OrderID)
	b = str(b, "package_id", s.PackageID)
	b = str(b, "carrier", s.Carrier)
	b = optStr(b, "carrier_name", s.CarrierName)
	b = str(b, "tracking_number", s.TrackingNumber)
	b = optStr(b, "ship_method", s.ShipMethod)
	b = optStr(b, "ship_from_id", s.ShipFromID)
	b = tm(b, "shipped_at", s.ShippedAt)
	b = tm(b, "uploaded_at", s.UploadedAt)
	return e.emit(append(b, '}'))
}

// WriteCancellation writes a cancellation record.
func (e *Encoder) WriteCancellation(c *vtr.Cancellation) error {
	b := append(e.buf[:0], `{"type":"cancellation"`...)
	b = optStr(b, "seller_id", c.SellerID)
	b = str(b, "order_id", c.OrderID)
	b = tm(b, "cancelled_at", c.CancelledAt)
	if !c.BySeller {
		b = append(b, `,"by_seller":false`...)
	}
	return e.emit(append(b, '}'))
}

// WriteEvent writes an event record. The time is written with the offset
// it was given with, when known.
func (e *Encoder) WriteEvent(ev *vtr.Event) error {
	b := append(e.buf[:0], `{"type":"event"`...)
	b = str(b, "carrier", ev.Carrier)
	b = optStr(b, "reported_by", ev.ReportedBy)
	b = str(b, "tracking_number", ev.TrackingNumber)
	t := ev.OccurredAt
	if ev.OffsetKnown {
		t = t.In(time.FixedZone("", ev.OffsetSeconds))
	}
	b = tm(b, "occurred_at", t)
	b = optStr(b, "code", ev.Code)
	b = optStr(b, "type_code", ev.TypeCode)
	b = optStr(b, "description", ev.Description)
	b = optStr(b, "status", string(ev.Status))
	b = optStr(b, "class", string(ev.Class))
	b = loc(b, "location", ev.Location)
	if ev.Source != "" && ev.Source != "native" {
		b = str(b, "source", ev.Source)
	}
	b = optStr(b, "source_id", ev.SourceID)
	return e.emit(append(b, '}'))
}
