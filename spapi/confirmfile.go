package spapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/internal/adapter"
)

// ConfirmOptions are what a file of confirmShipment bodies does not say.
type ConfirmOptions struct {
	// SellerID is set on every shipment (Amazon's seller is its access
	// token's; the file's is the importer's to say).
	SellerID string
	// OrderID is the order of a body that names none: the API has it in
	// the request path, which a saved body loses.
	OrderID string
	// Now stamps UploadedAt, as the server stamps the time a request
	// arrives; nil leaves it zero (the importer's time of receipt).
	Now func() time.Time
}

// ConfirmStats counts what a ConfirmReader read so far.
type ConfirmStats struct {
	Bodies    int `json:"bodies"`
	Shipments int `json:"shipments"`
}

// ConfirmReader reads a file of Orders v0 confirmShipment request bodies
// (POST /orders/v0/orders/{orderId}/shipmentConfirmation) as import
// records: one JSON body a line, or pretty-printed bodies one after
// another (the internal/adapter framing). Each body is decoded by
// DecodeConfirmShipment, the codec of the server's SP-API compatible
// route, so a body yields the very shipment the route stores: SellerID
// from the options, UploadedAt from Now.
//
// The order is in the request path, not in the body, so a saved body
// names it in a member of its own beside the body's fields, "orderId"
// (or "amazonOrderId", as getOrders names it):
//
//	{"orderId": "902-1106328-1059050", "marketplaceId": "ATVPDKIKX0DER", "packageDetail": {...}}
//
// The confirmShipment model has no member of that name, and the route
// ignores members it does not know, so a wrapped body still posts as is.
// A body that names no order takes ConfirmOptions.OrderID (a file of one
// order's bodies, as `vtr import --order` gives it); a body naming none
// when no OrderID is given, or naming two different ones, is refused. A
// body the decoder refuses is one *vtr.LineError on the line it starts
// on, naming the field at fault, and reading goes on.
type ConfirmReader struct {
	fr    *adapter.Framer
	opt   ConfirmOptions
	stats ConfirmStats
}

// NewConfirmReader returns a reader of the confirmShipment bodies in r.
func NewConfirmReader(r io.Reader, opt ConfirmOptions) *ConfirmReader {
	return &ConfirmReader{fr: adapter.NewFramer(r), opt: opt}
}

// Stats returns the counts so far; complete once Next returned io.EOF.
func (c *ConfirmReader) Stats() ConfirmStats { return c.stats }

// Next returns the next shipment record. A *vtr.LineError is a body that
// cannot be read: skip it and call Next again. io.EOF ends the input; any
// other error is the reader's.
func (c *ConfirmReader) Next() (vtr.Record, error) {
	body, line, err := c.fr.Next()
	if err != nil {
		return vtr.Record{}, err
	}
	c.stats.Bodies++
	id, err := c.orderID(body, line)
	if err != nil {
		return vtr.Record{}, err
	}
	cs, err := DecodeConfirmShipment(id, body)
	if err != nil {
		return vtr.Record{}, lineError(line, err)
	}
	sh := cs.Shipment
	sh.SellerID = c.opt.SellerID
	if c.opt.Now != nil {
		sh.UploadedAt = c.opt.Now().UTC()
	}
	c.stats.Shipments++
	return vtr.Record{Line: line, Type: "shipment", Shipment: &sh}, nil
}

// orderID finds the order a body confirms: its orderId or amazonOrderId
// member, else the options' OrderID.
func (c *ConfirmReader) orderID(body []byte, line int) (string, error) {
	var in struct {
		OrderID       json.RawMessage `json:"orderId"`
		AmazonOrderID json.RawMessage `json:"amazonOrderId"`
	}
	if err := decodeObject(body, &in); err != nil {
		return "", lineError(line, err)
	}
	var named []string
	for _, m := range []struct {
		field string
		raw   json.RawMessage
	}{{"orderId", in.OrderID}, {"amazonOrderId", in.AmazonOrderID}} {
		if len(m.raw) == 0 || string(m.raw) == "null" {
			continue
		}
		var s string
		if err := json.Unmarshal(m.raw, &s); err != nil {
			return "", &vtr.LineError{Line: line, Field: m.field, Msg: "expected string, got JSON " + rawKind(m.raw)}
		}
		if s = strings.TrimSpace(s); s != "" {
			named = append(named, s)
		}
	}
	switch {
	case len(named) == 2 && named[0] != named[1]:
		return "", &vtr.LineError{Line: line, Field: "amazonOrderId", Msg: fmt.Sprintf("%q differs from orderId %q", named[1], named[0])}
	case len(named) > 0:
		return named[0], nil
	case strings.TrimSpace(c.opt.OrderID) != "":
		return strings.TrimSpace(c.opt.OrderID), nil
	}
	return "", &vtr.LineError{Line: line, Field: "orderId", Msg: "unknown: the API has it in the request path; give the order (--order), or add orderId beside the body's fields"}
}

// rawKind names the JSON type of a raw value, as encoding/json's type
// errors do.
func rawKind(raw json.RawMessage) string {
	switch raw[0] {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "bool"
	}
	return "number"
}

// lineError turns the decoder's *FieldError into the import's
// *vtr.LineError for the body starting on line.
func lineError(line int, err error) *vtr.LineError {
	le := &vtr.LineError{Line: line, Msg: vtr.ErrorMessage(err)}
	var fe *FieldError
	if errors.As(err, &fe) && fe.Field() != "" {
		le.Field = fe.Field()
		le.Msg = strings.TrimPrefix(le.Msg, le.Field+": ")
	}
	return le
}
