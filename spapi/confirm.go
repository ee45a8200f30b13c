package spapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/internal/adapter"
)

// MaxBody is the largest confirmShipment body DecodeConfirmShipment reads,
// in bytes. A real one (one package, a few order items) is well under
// 4 KiB; the web server should cap the request body at the same size.
const MaxBody = 1 << 20

// CODDirectPayment is the one codCollectionMethod value Amazon's model
// allows (JP marketplace only).
const CODDirectPayment = "DirectPayment"

// ConfirmShipment is a decoded confirmShipment request
// (POST /orders/v0/orders/{orderId}/shipmentConfirmation): the marketplace
// it is for and the shipment it means, with its order items.
type ConfirmShipment struct {
	MarketplaceID string
	// CODCollectionMethod is "" or CODDirectPayment.
	CODCollectionMethod string
	// Shipment is the package confirmed: OrderID from the path, PackageID
	// = packageReferenceId, Carrier = carrierCode, CarrierName,
	// TrackingNumber, ShipMethod = shippingMethod, ShipFromID =
	// shipFromSupplySourceId, ShippedAt = shipDate in UTC. SellerID and
	// UploadedAt are left zero: the caller knows who is authenticated and
	// when the request arrived.
	Shipment vtr.Shipment
	// Items are packageDetail.orderItems; nil when the list is empty.
	Items []OrderItem
}

// OrderItem is one ConfirmShipmentOrderItem: an order item and how many of
// it the package holds.
type OrderItem struct {
	OrderItemID       string   `json:"orderItemId"`
	Quantity          int      `json:"quantity"`
	TransparencyCodes []string `json:"transparencyCodes,omitempty"`
}

// ConfirmShipmentPath returns the request path of confirmShipment for an
// order, its ID escaped.
func ConfirmShipmentPath(orderID string) string {
	return "/orders/v0/orders/" + url.PathEscape(orderID) + "/shipmentConfirmation"
}

// Wire shapes of ConfirmShipmentRequest. On the way in, orderItems stays
// raw so that an error in one item names its index; absent and null
// leave it nil, [] makes it empty and non-nil.
type requestIn struct {
	MarketplaceID       string     `json:"marketplaceId"`
	CODCollectionMethod string     `json:"codCollectionMethod"`
	PackageDetail       *packageIn `json:"packageDetail"`
}

type packageIn struct {
	PackageReferenceID     string            `json:"packageReferenceId"`
	CarrierCode            string            `json:"carrierCode"`
	CarrierName            string            `json:"carrierName"`
	ShippingMethod         string            `json:"shippingMethod"`
	TrackingNumber         string            `json:"trackingNumber"`
	ShipDate               string            `json:"shipDate"`
	ShipFromSupplySourceID string            `json:"shipFromSupplySourceId"`
	OrderItems             []json.RawMessage `json:"orderItems"`
}

type itemIn struct {
	OrderItemID       string   `json:"orderItemId"`
	Quantity          *int     `json:"quantity"`
	TransparencyCodes []string `json:"transparencyCodes"`
}

type requestOut struct {
	MarketplaceID       string     `json:"marketplaceId"`
	CODCollectionMethod string     `json:"codCollectionMethod,omitempty"`
	PackageDetail       packageOut `json:"packageDetail"`
}

type packageOut struct {
	PackageReferenceID     string      `json:"packageReferenceId"`
	CarrierCode            string      `json:"carrierCode"`
	CarrierName            string      `json:"carrierName,omitempty"`
	ShippingMethod         string      `json:"shippingMethod,omitempty"`
	TrackingNumber         string      `json:"trackingNumber"`
	ShipDate               string      `json:"shipDate"`
	ShipFromSupplySourceID string      `json:"shipFromSupplySourceId,omitempty"`
	OrderItems             []OrderItem `json:"orderItems"`
}

// DecodeConfirmShipment reads a confirmShipment request body for the
// order in the request path. It validates as Amazon's model
// (ordersV0.json) says: marketplaceId and packageDetail are required;
// packageReferenceId (a positive number sent as a string), carrierCode,
// trackingNumber, shipDate (an ISO 8601 date-time with a UTC offset) and
// orderItems are required in packageDetail; carrierName is required when
// carrierCode is Other (the XSD's spelling) or Others (the model's);
// codCollectionMethod, when given, is DirectPayment; each order item has
// an orderItemId and a quantity of at least 1 (the model gives no
// minimum, but no package holds none or fewer of an item). An empty
// orderItems list is accepted: the model sets no minimum length and vtr
// judges packages, not items.
//
// Fields the model does not know are ignored (Amazon's clients send
// extras); a known field of the wrong JSON type is refused. The body must
// be one JSON object of at most MaxBody bytes, with nothing after it but
// white space. Values are trimmed of surrounding white space, except the
// tracking number, kept as entered: a malformed number is a verdict, not
// a refused request.
//
// Every error is a *FieldError (code vtr.EINVALID) naming the field path.
func DecodeConfirmShipment(orderID string, body []byte) (*ConfirmShipment, error) {
	orderID = strings.TrimSpace(orderID)
	if orderID == "" {
		return nil, invalid("orderId", "required (the order in the request path)")
	}
	if len(body) > MaxBody {
		return nil, invalid("", "body is larger than %d bytes", MaxBody)
	}
	var in requestIn
	if err := decodeObject(body, &in); err != nil {
		return nil, err
	}
	c := &ConfirmShipment{
		MarketplaceID:       strings.TrimSpace(in.MarketplaceID),
		CODCollectionMethod: strings.TrimSpace(in.CODCollectionMethod),
	}
	if c.MarketplaceID == "" {
		return nil, invalid("marketplaceId", "required")
	}
	if c.CODCollectionMethod != "" && c.CODCollectionMethod != CODDirectPayment {
		return nil, invalid("codCollectionMethod", "%q is not a COD collection method (only %s, JP marketplace)", c.CODCollectionMethod, CODDirectPayment)
	}
	p := in.PackageDetail
	if p == nil {
		return nil, invalid("packageDetail", "required")
	}
	s := &c.Shipment
	s.OrderID = orderID
	s.PackageID = strings.TrimSpace(p.PackageReferenceID)
	s.Carrier = strings.TrimSpace(p.CarrierCode)
	s.CarrierName = strings.TrimSpace(p.CarrierName)
	s.ShipMethod = strings.TrimSpace(p.ShippingMethod)
	s.TrackingNumber = p.TrackingNumber
	s.ShipFromID = strings.TrimSpace(p.ShipFromSupplySourceID)
	switch {
	case s.PackageID == "":
		return nil, invalid("packageDetail.packageReferenceId", "required")
	case !positiveNumeric(s.PackageID):
		// Amazon's own message: "PackageReferenceId: is invalid, must be
		// a positive numeric value" (marketplace-rules.md §11.1).
		return nil, invalid("packageDetail.packageReferenceId", "%q is not a positive numeric value", s.PackageID)
	case s.Carrier == "":
		return nil, invalid("packageDetail.carrierCode", "required (Amazon's CarrierCode list, or Other with carrierName)")
	case isOther(s.Carrier) && s.CarrierName == "":
		return nil, invalid("packageDetail.carrierName", "required when carrierCode is %s", s.Carrier)
	case strings.TrimSpace(s.TrackingNumber) == "":
		return nil, invalid("packageDetail.trackingNumber", "required")
	}
	at, err := parseShipDate(p.ShipDate)
	if err != nil {
		return nil, invalid("packageDetail.shipDate", "%v", err)
	}
	s.ShippedAt = at
	if p.OrderItems == nil {
		return nil, invalid("packageDetail.orderItems", "required (a list of orderItemId and quantity)")
	}
	for i, raw := range p.OrderItems {
		it, err := decodeItem(i, raw)
		if err != nil {
			return nil, err
		}
		c.Items = append(c.Items, it)
	}
	return c, nil
}

func decodeItem(i int, raw json.RawMessage) (OrderItem, error) {
	field := "packageDetail.orderItems[" + strconv.Itoa(i) + "]"
	if len(raw) == 0 || raw[0] != '{' {
		return OrderItem{}, invalid(field, "must be a JSON object")
	}
	var in itemIn
	if err := json.Unmarshal(raw, &in); err != nil {
		return OrderItem{}, jsonError(field+".", err)
	}
	it := OrderItem{OrderItemID: strings.TrimSpace(in.OrderItemID)}
	switch {
	case it.OrderItemID == "":
		return OrderItem{}, invalid(field+".orderItemId", "required")
	case in.Quantity == nil:
		return OrderItem{}, invalid(field+".quantity", "required")
	case *in.Quantity < 1:
		return OrderItem{}, invalid(field+".quantity", "%d is not a quantity (at least 1)", *in.Quantity)
	}
	it.Quantity = *in.Quantity
	for j, code := range in.TransparencyCodes {
		code = strings.TrimSpace(code)
		if code == "" {
			return OrderItem{}, invalid(field+".transparencyCodes["+strconv.Itoa(j)+"]", "is empty")
		}
		it.TransparencyCodes = append(it.TransparencyCodes, code)
	}
	return it, nil
}

// EncodeConfirmShipment returns the confirmShipment body that confirms s
// in marketplaceID, with no order items (vtr's Shipment has none; use
// (*ConfirmShipment).Encode to send them). orderID is the order in the
// request path (ConfirmShipmentPath); s.OrderID is not consulted.
// DecodeConfirmShipment(orderID, body) gives s back (OrderID, PackageID,
// carrier, number, method, ship-from and ShippedAt in UTC), trimmed of
// white space as the decoder trims.
//
// Amazon itself may refuse an empty orderItems list for a real order:
// the model allows it, its service has not been seen to.
func EncodeConfirmShipment(orderID string, marketplaceID string, s vtr.Shipment) ([]byte, error) {
	s.OrderID = orderID
	c := ConfirmShipment{MarketplaceID: marketplaceID, Shipment: s}
	return c.Encode()
}

// Encode returns c as a confirmShipment body, the order in the path being
// c.Shipment.OrderID. It refuses, with the decoder's *FieldError, what
// DecodeConfirmShipment would refuse, so whatever it writes decodes.
func (c *ConfirmShipment) Encode() ([]byte, error) {
	s := &c.Shipment
	items := c.Items
	if items == nil {
		items = []OrderItem{} // required: [] rather than null
	}
	out := requestOut{
		MarketplaceID:       c.MarketplaceID,
		CODCollectionMethod: c.CODCollectionMethod,
		PackageDetail: packageOut{
			PackageReferenceID:     s.PackageID,
			CarrierCode:            s.Carrier,
			CarrierName:            s.CarrierName,
			ShippingMethod:         s.ShipMethod,
			TrackingNumber:         s.TrackingNumber,
			ShipFromSupplySourceID: s.ShipFromID,
			OrderItems:             items,
		},
	}
	if !s.ShippedAt.IsZero() {
		out.PackageDetail.ShipDate = s.ShippedAt.UTC().Format(time.RFC3339Nano)
	}
	body, err := json.Marshal(&out)
	if err != nil {
		return nil, vtr.Errorf(vtr.EINTERNAL, "spapi: encode confirmShipment: %v", err)
	}
	if _, err := DecodeConfirmShipment(s.OrderID, body); err != nil {
		return nil, err
	}
	return body, nil
}

// decodeObject decodes body, which must be exactly one JSON object, into
// v, translating errors into *FieldErrors.
func decodeObject(body []byte, v any) error {
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	switch {
	case len(trimmed) == 0:
		return invalid("", "body is empty (a JSON object is required)")
	case trimmed[0] != '{':
		return invalid("", "body is not a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(v); err != nil {
		return jsonError("", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return invalid("", "body has data after its JSON object (byte %d)", dec.InputOffset())
	}
	return nil
}

// jsonError names the field of an encoding/json error: prefix (ending in
// a dot, or "") is where the decoded value sits in the body.
func jsonError(prefix string, err error) *FieldError {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		field := strings.TrimSuffix(prefix, ".")
		if te.Field != "" {
			field = prefix + te.Field
		}
		return invalid(field, "expected %s, got JSON %s", adapter.JSONKind(te.Type), te.Value)
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return invalid("", "body is not JSON: %v (byte %d)", se, se.Offset)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return invalid("", "body is not JSON: it ends inside a value")
	}
	return invalid(strings.TrimSuffix(prefix, "."), "not valid: %v", err)
}

// positiveNumeric reports whether s is all ASCII digits with one that is
// not 0.
func positiveNumeric(s string) bool {
	nonzero := false
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
		nonzero = nonzero || s[i] != '0'
	}
	return nonzero
}

func isOther(code string) bool {
	return strings.EqualFold(code, "Other") || strings.EqualFold(code, "Others")
}

// shipDate layouts: RFC 3339 (what the model's format date-time means),
// the same without seconds, and the ISO 8601 basic offset (-0700).
var (
	zoned = []string{time.RFC3339Nano, "2006-01-02T15:04Z07:00", "2006-01-02T15:04:05.999999999-0700"}
	local = []string{"2006-01-02T15:04:05.999999999", "2006-01-02T15:04", "2006-01-02"}
)

// parseShipDate reads shipDate as an instant in UTC. A time without an
// offset is refused: it is some local time, and a ship date off by a
// day's offset moves a package between days of the window.
func parseShipDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, errors.New("required (ISO 8601 date-time, e.g. 2022-02-11T01:00:00.000Z)")
	}
	for _, l := range zoned {
		if t, err := time.Parse(l, s); err == nil {
			if !adapter.InRange(t) {
				return time.Time{}, errors.New(strconv.Quote(s) + " is out of range (1970 to 2199)")
			}
			return t.UTC(), nil
		}
	}
	for _, l := range local {
		if _, err := time.Parse(l, s); err == nil {
			return time.Time{}, errors.New(strconv.Quote(s) + " has no UTC offset (add Z or ±hh:mm)")
		}
	}
	return time.Time{}, errors.New(strconv.Quote(s) + " is not an ISO 8601 date-time (e.g. 2022-02-11T01:00:00.000Z)")
}
