// Package walmart reads Walmart Marketplace order data as vtr import
// records: the orders of GET /v3/orders (and of GET /v3/orders/{id}, and
// of the POST /v3/orders/{purchaseOrderId}/shipping response, which is
// the order with its shipped lines), and the ship-order request body of
// POST /v3/orders/{purchaseOrderId}/shipping
// (https://developer.walmart.com/us-marketplace/docs/ship-an-order;
// marketplace-rules.md §12.2; ecosystem.md §10). Everything here is pure:
// bytes in, records out.
package walmart

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/internal/adapter"
	"github.com/vtr-project/vtr/spapi"
)

// Policy is the built-in policy Walmart US orders are judged by.
const Policy = "walmart-us"

// Uncategorized is the category of an order whose SKUs no mapping knows
// (Walmart measures the whole account, so the category only groups).
const Uncategorized = "Uncategorized"

// Options are what the files do not say.
type Options struct {
	SellerID string
	// Policy defaults to Policy.
	Policy string
	// Categories maps an order line's item.sku to a category; nil makes
	// every order Uncategorized.
	Categories interface {
		Lookup(skuOrASIN string) (string, bool)
	}
	// PurchaseOrderID is the order of a ship-order body without a
	// purchaseOrderId beside its orderShipment (the API has it in the
	// request path, not the body).
	PurchaseOrderID string
	// Now stamps UploadedAt on shipments; nil leaves it zero (the
	// importer's time of receipt).
	Now func() time.Time
}

// Stats counts what a Reader read.
type Stats struct {
	Payloads      int `json:"payloads"`
	Orders        int `json:"orders"`
	Cancellations int `json:"cancellations"`
	Shipments     int `json:"shipments"`
	Uncategorized int `json:"uncategorized"`
	// NextCursor is the last list page's meta.nextCursor: non-empty means
	// the file stops before the last order.
	NextCursor string `json:"next_cursor,omitempty"`
}

// Reader reads payloads, pretty-printed or one a line (the
// internal/adapter framing), as records. A payload or order that cannot
// be read is one *vtr.LineError naming the line it starts on, and
// reading goes on.
type Reader struct {
	fr      *adapter.Framer
	opt     Options
	ship    bool
	pending []item
	stats   Stats
}

type item struct {
	rec vtr.Record
	err error
}

// NewOrdersReader reads order payloads: a list page {"list": {"meta":
// {...}, "elements": {"order": [...]}}}, one order {"order": {...}}, or a
// JSON array of orders. Each order yields an "order" record (ID =
// purchaseOrderId, PurchasedAt = orderDate, ShipBy =
// shippingInfo.estimatedShipDate, DeliverBy = estimatedDeliveryDate, all
// epoch milliseconds; ShipTo = shippingInfo.postalAddress; Value = the sum
// of the lines' charges, tax excluded; Policy "walmart-us"), a
// "cancellation" when every line is Cancelled, and a "shipment" for each
// package of its lines with a status carrying trackingInfo (see
// NewShipReader for packages), all on the line the order starts on.
func NewOrdersReader(r io.Reader, opt Options) *Reader {
	return newReader(r, opt, false)
}

// NewShipReader reads ship-order bodies, {"orderShipment": {"orderLines":
// {"orderLine": [...]}}}, as "shipment" records on the line the body
// starts on: one per package, the lines with the same tracking number
// being one package whose PackageID is the first such line's lineNumber
// (Walmart has no package ID; a line number is stable when tracking is
// corrected with processMode PARTIAL_UPDATE). Carrier =
// carrierName.carrier, or "Other" with CarrierName =
// carrierName.otherCarrier; ShipMethod = methodCode; ShippedAt =
// shipDateTime (epoch milliseconds, or an ISO 8601 string). The order is
// a purchaseOrderId member beside orderShipment (vtr's addition: the API
// has it in the path), or Options.PurchaseOrderID.
func NewShipReader(r io.Reader, opt Options) *Reader {
	return newReader(r, opt, true)
}

func newReader(r io.Reader, opt Options, ship bool) *Reader {
	if opt.Policy == "" {
		opt.Policy = Policy
	}
	return &Reader{fr: adapter.NewFramer(r), opt: opt, ship: ship}
}

// Stats returns the counts so far.
func (w *Reader) Stats() Stats { return w.stats }

// Next returns the next record; a *vtr.LineError is a payload or an order
// that cannot be read (call Next again); io.EOF ends the input.
func (w *Reader) Next() (vtr.Record, error) {
	for len(w.pending) == 0 {
		body, line, err := w.fr.Next()
		if err != nil {
			return vtr.Record{}, err
		}
		w.stats.Payloads++
		if w.ship {
			w.shipBody(body, line)
		} else {
			w.ordersPayload(body, line)
		}
	}
	it := w.pending[0]
	w.pending = w.pending[1:]
	return it.rec, it.err
}

func (w *Reader) fail(line int, field, format string, args ...any) {
	w.pending = append(w.pending, item{err: &vtr.LineError{Line: line, Field: field, Msg: fmt.Sprintf(format, args...)}})
}

// ordersPayload finds the orders of a payload, each with its line.
func (w *Reader) ordersPayload(body []byte, line int) {
	wk := adapter.NewWalker(body, line)
	var orders []adapter.Element
	var err error
	if bytes.HasPrefix(bytes.TrimLeft(body, " \t\r\n"), []byte("[")) {
		orders, err = wk.Array()
	} else {
		orders, err = w.findOrders(wk)
	}
	if err != nil {
		w.fail(line, "", "%v", err)
		return
	}
	for _, el := range orders {
		w.order(el)
	}
}

func (w *Reader) findOrders(wk *adapter.Walker) ([]adapter.Element, error) {
	var orders []adapter.Element
	found := false
	err := wk.Object(func(key string) error {
		switch key {
		case "list":
			found = true
			return wk.Object(func(key string) error {
				switch key {
				case "meta":
					var m struct {
						NextCursor *string `json:"nextCursor"`
					}
					if err := wk.Decode(&m); err != nil {
						return fmt.Errorf("list.meta: %v", err)
					}
					w.stats.NextCursor = ""
					if m.NextCursor != nil {
						w.stats.NextCursor = *m.NextCursor
					}
					return nil
				case "elements":
					return wk.Object(func(key string) error {
						if key != "order" {
							return wk.Skip()
						}
						var err error
						orders, err = wk.Array()
						return err
					})
				}
				return wk.Skip()
			})
		case "order":
			found = true
			el, err := wk.Value()
			orders = []adapter.Element{el}
			return err
		}
		return wk.Skip()
	})
	if err != nil {
		return nil, fmt.Errorf("broken JSON: %v", err)
	}
	if !found {
		return nil, errors.New("not a Walmart orders response: no list.elements.order and no order")
	}
	return orders, nil
}

// Wire shapes (Walmart Orders API, getAllOrders / shippingUpdates).
type orderIn struct {
	PurchaseOrderID string `json:"purchaseOrderId"`
	OrderDate       *epoch `json:"orderDate"`
	ShippingInfo    *struct {
		EstimatedDeliveryDate *epoch `json:"estimatedDeliveryDate"`
		EstimatedShipDate     *epoch `json:"estimatedShipDate"`
		PostalAddress         *struct {
			City       string `json:"city"`
			State      string `json:"state"`
			PostalCode string `json:"postalCode"`
			Country    string `json:"country"`
		} `json:"postalAddress"`
	} `json:"shippingInfo"`
	OrderLines *struct {
		OrderLine []lineIn `json:"orderLine"`
	} `json:"orderLines"`
}

type lineIn struct {
	LineNumber string `json:"lineNumber"`
	Item       *struct {
		SKU string `json:"sku"`
	} `json:"item"`
	Charges *struct {
		Charge []struct {
			ChargeAmount *struct {
				Currency string      `json:"currency"`
				Amount   json.Number `json:"amount"`
			} `json:"chargeAmount"`
		} `json:"charge"`
	} `json:"charges"`
	OrderLineStatuses *struct {
		OrderLineStatus []statusIn `json:"orderLineStatus"`
	} `json:"orderLineStatuses"`
}

type statusIn struct {
	Status       string `json:"status"`
	TrackingInfo *struct {
		ShipDateTime *epoch `json:"shipDateTime"`
		CarrierName  *struct {
			Carrier      *string `json:"carrier"`
			OtherCarrier *string `json:"otherCarrier"`
		} `json:"carrierName"`
		MethodCode     string `json:"methodCode"`
		TrackingNumber string `json:"trackingNumber"`
	} `json:"trackingInfo"`
}

// epoch is a time as Walmart sends it: epoch milliseconds, or (seen in
// clients) an ISO 8601 string.
type epoch struct{ t time.Time }

func (e *epoch) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		s = strings.TrimSpace(s)
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return e.set(float64(n), string(b))
		}
		for _, l := range []string{time.RFC3339Nano, "2006-01-02T15:04Z07:00"} {
			if t, err := time.Parse(l, s); err == nil && adapter.InRange(t) {
				e.t = t.UTC()
				return nil
			}
		}
		return fmt.Errorf("%s is not epoch milliseconds or an ISO 8601 time", b)
	}
	var f float64
	if err := json.Unmarshal(b, &f); err != nil {
		return fmt.Errorf("%s is not epoch milliseconds", b)
	}
	return e.set(f, string(b))
}

func (e *epoch) set(ms float64, orig string) error {
	t := time.UnixMilli(int64(ms)).UTC()
	if ms != math.Trunc(ms) || !adapter.InRange(t) || ms < 0 || ms > 7e12 {
		return fmt.Errorf("%s is not epoch milliseconds from 1970 to 2199", orig)
	}
	e.t = t
	return nil
}

func (e *epoch) time() time.Time {
	if e == nil {
		return time.Time{}
	}
	return e.t
}

// decode decodes an element, or fails it on its line naming the field.
func (w *Reader) decode(el adapter.Element, v any) bool {
	if len(el.Raw) == 0 || el.Raw[0] != '{' {
		w.fail(el.Line, "", "must be a JSON object")
		return false
	}
	if err := json.Unmarshal(el.Raw, v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			w.fail(el.Line, te.Field, "expected %s, got JSON %s", adapter.JSONKind(te.Type), te.Value)
		} else {
			w.fail(el.Line, "", "%v", strings.TrimPrefix(err.Error(), "json: "))
		}
		return false
	}
	return true
}

func (w *Reader) order(el adapter.Element) {
	var in orderIn
	if !w.decode(el, &in) {
		return
	}
	id := strings.TrimSpace(in.PurchaseOrderID)
	if id == "" {
		w.fail(el.Line, "purchaseOrderId", "required")
		return
	}
	ord := vtr.Order{ID: id, SellerID: w.opt.SellerID, Policy: w.opt.Policy, PurchasedAt: in.OrderDate.time()}
	if ord.PurchasedAt.IsZero() {
		w.fail(el.Line, "orderDate", "required (epoch milliseconds)")
		return
	}
	if si := in.ShippingInfo; si != nil {
		ord.ShipBy, ord.DeliverBy = si.EstimatedShipDate.time(), si.EstimatedDeliveryDate.time()
		if a := si.PostalAddress; a != nil {
			ord.ShipTo = vtr.Location{City: strings.TrimSpace(a.City), State: strings.TrimSpace(a.State),
				PostalCode: strings.TrimSpace(a.PostalCode), Country: country(a.Country)}
		}
	}
	var lines []lineIn
	if in.OrderLines != nil {
		lines = in.OrderLines.OrderLine
	}
	cancelled := len(lines) > 0
	var keys []string
	for i, l := range lines {
		if l.Item != nil {
			keys = append(keys, l.Item.SKU)
		}
		if l.Charges != nil {
			for j, c := range l.Charges.Charge {
				if c.ChargeAmount == nil {
					continue
				}
				m, err := spapi.Money(c.ChargeAmount.Amount.String(), c.ChargeAmount.Currency)
				if err == nil && ord.Value.Currency != "" && m.Currency != ord.Value.Currency {
					err = fmt.Errorf("currency %s after %s", m.Currency, ord.Value.Currency)
				}
				if err != nil {
					w.fail(el.Line, fmt.Sprintf("orderLines.orderLine[%d].charges.charge[%d].chargeAmount", i, j), "%v", err)
					return
				}
				ord.Value.Minor += m.Minor
				ord.Value.Currency = m.Currency
			}
		}
		all := l.OrderLineStatuses != nil && len(l.OrderLineStatuses.OrderLineStatus) > 0
		if l.OrderLineStatuses != nil {
			for _, s := range l.OrderLineStatuses.OrderLineStatus {
				all = all && strings.EqualFold(strings.TrimSpace(s.Status), "Cancelled")
			}
		}
		cancelled = cancelled && all
	}
	ord.Category = Uncategorized
	if w.opt.Categories != nil {
		for _, k := range keys {
			if c, ok := w.opt.Categories.Lookup(strings.TrimSpace(k)); ok && strings.TrimSpace(k) != "" {
				ord.Category = c
				break
			}
		}
	}
	shipments, err := w.shipments(id, lines, "orderLines.orderLine")
	if err != nil {
		w.fail(el.Line, err.field, "%s", err.msg)
		return
	}
	w.pending = append(w.pending, item{rec: vtr.Record{Line: el.Line, Type: "order", Order: &ord}})
	w.stats.Orders++
	if ord.Category == Uncategorized {
		w.stats.Uncategorized++
	}
	if cancelled {
		// The time of the cancellation is not in the order: the order
		// date is the earliest it can have been.
		w.pending = append(w.pending, item{rec: vtr.Record{Line: el.Line, Type: "cancellation",
			Cancellation: &vtr.Cancellation{SellerID: w.opt.SellerID, OrderID: id, CancelledAt: ord.PurchasedAt}}})
		w.stats.Cancellations++
	}
	w.emit(el.Line, shipments)
}

func (w *Reader) emit(line int, shipments []vtr.Shipment) {
	for i := range shipments {
		w.pending = append(w.pending, item{rec: vtr.Record{Line: line, Type: "shipment", Shipment: &shipments[i]}})
		w.stats.Shipments++
	}
}

type fieldErr struct{ field, msg string }

// shipments makes one shipment per tracking number of the lines'
// statuses that carry trackingInfo (Cancelled ones aside).
func (w *Reader) shipments(orderID string, lines []lineIn, path string) ([]vtr.Shipment, *fieldErr) {
	var out []vtr.Shipment
	seen := map[string]bool{}
	for i, l := range lines {
		if l.OrderLineStatuses == nil {
			continue
		}
		for j, s := range l.OrderLineStatuses.OrderLineStatus {
			ti := s.TrackingInfo
			if ti == nil || strings.EqualFold(strings.TrimSpace(s.Status), "Cancelled") {
				continue
			}
			field := fmt.Sprintf("%s[%d].orderLineStatuses.orderLineStatus[%d].trackingInfo", path, i, j)
			at := ti.ShipDateTime.time()
			if at.IsZero() {
				if strings.TrimSpace(ti.TrackingNumber) == "" {
					continue // tracking placeholders of an unshipped line
				}
				return nil, &fieldErr{field + ".shipDateTime", "required"}
			}
			num := ti.TrackingNumber
			if seen[strings.TrimSpace(num)] && strings.TrimSpace(num) != "" {
				continue
			}
			seen[strings.TrimSpace(num)] = true
			pkg := strings.TrimSpace(l.LineNumber)
			if pkg == "" {
				return nil, &fieldErr{fmt.Sprintf("%s[%d].lineNumber", path, i), "required"}
			}
			sh := vtr.Shipment{SellerID: w.opt.SellerID, OrderID: orderID, PackageID: pkg, TrackingNumber: num,
				ShipMethod: strings.TrimSpace(ti.MethodCode), ShippedAt: at}
			if cn := ti.CarrierName; cn != nil {
				if cn.Carrier != nil && strings.TrimSpace(*cn.Carrier) != "" {
					sh.Carrier = strings.TrimSpace(*cn.Carrier)
				} else if cn.OtherCarrier != nil && strings.TrimSpace(*cn.OtherCarrier) != "" {
					sh.Carrier, sh.CarrierName = "Other", strings.TrimSpace(*cn.OtherCarrier)
				}
			}
			if w.opt.Now != nil {
				sh.UploadedAt = w.opt.Now().UTC()
			}
			out = append(out, sh)
		}
	}
	return out, nil
}

type shipIn struct {
	PurchaseOrderID string `json:"purchaseOrderId"`
	OrderShipment   *struct {
		OrderLines *struct {
			OrderLine []lineIn `json:"orderLine"`
		} `json:"orderLines"`
	} `json:"orderShipment"`
}

func (w *Reader) shipBody(body []byte, line int) {
	var in shipIn
	if !w.decode(adapter.Element{Raw: body, Line: line}, &in) {
		return
	}
	if in.OrderShipment == nil || in.OrderShipment.OrderLines == nil {
		w.fail(line, "orderShipment.orderLines", "required (is this a ship-order body?)")
		return
	}
	id := strings.TrimSpace(in.PurchaseOrderID)
	if id == "" {
		id = strings.TrimSpace(w.opt.PurchaseOrderID)
	}
	if id == "" {
		w.fail(line, "purchaseOrderId", "unknown: the API has it in the path; give it, or add purchaseOrderId beside orderShipment")
		return
	}
	sh, err := w.shipments(id, in.OrderShipment.OrderLines.OrderLine, "orderShipment.orderLines.orderLine")
	if err != nil {
		w.fail(line, err.field, "%s", err.msg)
		return
	}
	w.emit(line, sh)
}

// country returns an ISO 3166-1 alpha-2 code for Walmart's country
// ("USA" in its samples, or alpha-2), "" when unknown.
func country(s string) string {
	s = strings.ToUpper(strings.TrimSpace(s))
	switch s {
	case "USA", "US":
		return "US"
	case "CAN":
		return "CA"
	case "MEX":
		return "MX"
	case "CHL":
		return "CL"
	}
	return adapter.Alpha2(s)
}
