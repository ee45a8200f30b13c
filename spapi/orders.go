package spapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/internal/adapter"
)

// Uncategorized is the category of an order whose product group is not
// known: orders do not carry it (marketplace-rules.md §10.1: the VTR
// report's "Product Category" is the product group at order time), so
// without a mapping (Categories) every package goes here.
const Uncategorized = "Uncategorized"

// CategoryLookup finds the product category of a SKU or an ASIN;
// *Categories implements it.
type CategoryLookup interface {
	Lookup(skuOrASIN string) (string, bool)
}

// OrdersOptions are what an orders file does not say: whose orders they
// are and by which policy they are judged.
type OrdersOptions struct {
	// SellerID is set on every order, shipment and cancellation.
	SellerID string
	// Policy, when set, is every order's policy; otherwise PolicyFor maps
	// the order's marketplace ID to one (MarketplacePolicy when nil). An
	// order whose marketplace maps to none is a *vtr.LineError.
	Policy    string
	PolicyFor func(marketplaceID string) (string, bool)
	// Categories gives an order its category from its items' SKUs or
	// ASINs (searchOrders carries items; getOrders does not: its orders
	// take theirs from getOrderItems responses in the same file). nil,
	// or no item known, makes it Uncategorized.
	Categories CategoryLookup
	// Now stamps UploadedAt on a package that has no createdTime; nil
	// leaves it zero (the importer's time of receipt).
	Now func() time.Time
}

// OrdersStats counts what an OrdersReader read so far.
type OrdersStats struct {
	Pages         int `json:"pages"`
	Orders        int `json:"orders"`
	Cancellations int `json:"cancellations"`
	Shipments     int `json:"shipments"`
	// AmazonFulfilled are the AFN (fulfilledBy AMAZON) orders skipped:
	// VTR measures seller-fulfilled packages only (marketplace-rules.md
	// §2).
	AmazonFulfilled int `json:"amazon_fulfilled_skipped"`
	// Uncategorized are the orders no category was found for.
	Uncategorized int `json:"uncategorized"`
	// OrderItems are the getOrderItems responses read; Recategorized the
	// orders sent again with the category their items gave, after being
	// sent Uncategorized; ItemsWithoutOrder the orders whose items were
	// read and mapped but that are not in the file (their category was
	// not applied).
	OrderItems        int `json:"order_items,omitempty"`
	Recategorized     int `json:"recategorized,omitempty"`
	ItemsWithoutOrder int `json:"items_without_order,omitempty"`
	// NextToken is the last page's paging token ("" on the last page):
	// non-empty means the file stops before the seller's last order.
	NextToken string `json:"next_token,omitempty"`
}

// OrdersReader reads Amazon order pages as import records:
//
//   - Orders v0 getOrders responses, {"payload": {"Orders": [...],
//     "NextToken": ...}}, and getOrder responses, {"payload": {order}}
//     (developer-docs.amazon.com/sp-api/docs/orders-api-v0-reference;
//     model models/orders-api-model/ordersV0.json);
//   - Orders 2026-01-01 searchOrders responses, {"orders": [...],
//     "pagination": {"nextToken": ...}}, and getOrder responses,
//     {"order": {...}}, with includedData=PACKAGES for the packages
//     (developer-docs.amazon.com/sp-api/docs/orders-api-migration-guide;
//     model models/orders-api-model/orders_2026-01-01.json);
//   - Orders v0 getOrderItems responses, {"payload": {"AmazonOrderId":
//     ..., "OrderItems": [{"SellerSKU": ..., "ASIN": ...}]}}, which give
//     a getOrders order, whose page carries no items, its category;
//   - an SP-API error response, {"errors": [...]}, is a rejected page.
//
// Pages may follow one another pretty-printed or one a line (the
// internal/adapter framing). Each order yields an "order" record, then a
// "cancellation" when it is cancelled, then a "shipment" for each package
// shipped (searchOrders only), all with Line set to the line the order's
// JSON object starts on. An order that cannot be read is one
// *vtr.LineError on that line, and reading goes on.
//
// Mapping: ID = AmazonOrderId / orderId; PurchasedAt = PurchaseDate /
// createdTime; Value = OrderTotal / proceeds.grandTotal in minor units
// (vtr.CurrencyDigits); ShipTo = ShippingAddress /
// recipient.deliveryAddress; ShipBy = LatestShipDate /
// fulfillment.shipByWindow.latestDateTime; DeliverBy = LatestDeliveryDate
// / fulfillment.deliverByWindow.latestDateTime. Only seller-fulfilled
// orders count (FulfillmentChannel MFN, or SellerFulfilled as the v0
// sandbox writes it; fulfilledBy MERCHANT): Amazon-fulfilled ones are
// skipped and counted in Stats. OrderStatus Canceled / fulfillmentStatus
// CANCELLED adds a cancellation at LastUpdateDate / lastUpdatedTime, by
// the seller only when an item's cancellationExecution.cancelledBy says
// MERCHANT (v0 never says, so never).
//
// Categories of v0 orders: getOrderItems responses may come before or
// after their order's page, in any order. The first item whose SellerSKU
// or ASIN the mapping knows gives the category (as for searchOrders
// items). Items read before their order give it its category at once;
// an order read before its items is sent Uncategorized, then sent again,
// as an "order" record on the items' line, with the category its items
// give (the store keeps the first known category of an order: a copy
// fills in an Uncategorized one and changes nothing else). To do so the
// reader keeps, while Categories is set, each order ID it has read and
// each order sent Uncategorized until its items come (a few hundred
// bytes an order): its memory grows with the orders of the file, not
// with their size.
type OrdersReader struct {
	fr      *adapter.Framer
	opt     OrdersOptions
	pending []item
	stats   OrdersStats

	known   map[string]string     // category of each order read ("" when skipped), while Categories is set
	waiting map[string]*vtr.Order // orders sent Uncategorized, until their items come
	early   map[string]string     // categories from items read before their order
}

// NewOrdersReader returns a reader of the order pages in r.
func NewOrdersReader(r io.Reader, opt OrdersOptions) *OrdersReader {
	if opt.PolicyFor == nil {
		opt.PolicyFor = MarketplacePolicy
	}
	o := &OrdersReader{fr: adapter.NewFramer(r), opt: opt}
	if opt.Categories != nil {
		o.known, o.waiting, o.early = map[string]string{}, map[string]*vtr.Order{}, map[string]string{}
	}
	return o
}

// Stats returns the counts so far; complete once Next returned io.EOF.
func (o *OrdersReader) Stats() OrdersStats {
	st := o.stats
	st.ItemsWithoutOrder = len(o.early)
	return st
}

// Next returns the next record. A *vtr.LineError is an order or page
// that cannot be read: skip it and call Next again. io.EOF ends the
// input; any other error is the reader's.
func (o *OrdersReader) Next() (vtr.Record, error) {
	for len(o.pending) == 0 {
		body, line, err := o.fr.Next()
		if err != nil {
			return vtr.Record{}, err
		}
		o.page(body, line)
	}
	it := o.pending[0]
	o.pending = o.pending[1:]
	return it.rec, it.err
}

// item is a record or the error standing for an order, in input order.
type item struct {
	rec vtr.Record
	err error
}

// page turns one page into records and errors, in line order.
func (o *OrdersReader) page(body []byte, line int) {
	pg, err := scanPage(body, line)
	if err != nil {
		o.pending = append(o.pending, item{err: err})
		return
	}
	if pg.kind == kindItems {
		o.orderItems(pg, line)
		return
	}
	o.stats.Pages++
	o.stats.NextToken = pg.next
	for _, el := range pg.orders {
		var recs []vtr.Record
		var err error
		if pg.kind == kindV0 {
			recs, err = o.orderV0(el)
		} else {
			recs, err = o.order2026(el)
		}
		if err != nil {
			o.pending = append(o.pending, item{err: err})
			continue
		}
		for _, r := range recs {
			o.pending = append(o.pending, item{rec: r})
		}
	}
}

const (
	kindV0    = "v0"
	kind2026  = "2026-01-01"
	kindItems = "v0 getOrderItems"
)

type page struct {
	kind   string
	orders []adapter.Element // or, for kindItems, the order items
	next   string
	order  string // kindItems: payload.AmazonOrderId
}

// member marks an error as one of an object member's, named by its key.
func member(key string, err error) error {
	if err == nil {
		return nil
	}
	return &memberError{key, err}
}

type memberError struct {
	key string
	err error
}

func (e *memberError) Error() string { return e.key + ": " + jsonMsg(e.err) }

// walkError words a walker's error: a member's names its key; any other
// is broken JSON.
func walkError(err error) string {
	var me *memberError
	if errors.As(err, &me) {
		return me.Error()
	}
	return "broken JSON: " + jsonMsg(err)
}

// scanPage finds the orders of a page and the line each starts on,
// without decoding them: one bad order costs only itself.
func scanPage(body []byte, line int) (page, error) {
	var pg page
	fail := func(format string, args ...any) (page, error) {
		return page{}, &vtr.LineError{Line: line, Msg: fmt.Sprintf(format, args...)}
	}
	if !bytes.HasPrefix(bytes.TrimLeft(body, " \t\r\n"), []byte("{")) {
		return fail("not an orders page: a JSON object is expected")
	}
	w := adapter.NewWalker(body, line)
	var errsRaw json.RawMessage
	err := w.Object(func(key string) error {
		var err error
		switch key {
		case "payload":
			pg.kind = kindV0
			return member("payload", scanV0Payload(w, &pg))
		case "orders":
			pg.kind = kind2026
			pg.orders, err = w.Array()
			return member("orders", err)
		case "order":
			pg.kind = kind2026
			el, err := w.Value()
			pg.orders = []adapter.Element{el}
			return member("order", err)
		case "pagination":
			var p struct {
				NextToken string `json:"nextToken"`
			}
			err = w.Decode(&p)
			pg.next = p.NextToken
			return member("pagination", err)
		case "errors":
			return member("errors", w.Decode(&errsRaw))
		}
		return w.Skip()
	})
	if err != nil {
		return fail("%s", walkError(err))
	}
	if pg.kind == "" {
		if errsRaw != nil {
			var list []struct{ Code, Message string }
			_ = json.Unmarshal(errsRaw, &list)
			var msgs []string
			for _, e := range list {
				msgs = append(msgs, strings.TrimSpace(e.Code+": "+e.Message))
			}
			return fail("an SP-API error response, not orders: %s", strings.Join(msgs, "; "))
		}
		return fail("not an orders page: no payload (Orders v0) or orders (Orders 2026-01-01)")
	}
	return pg, nil
}

// scanV0Payload reads the payload object of getOrders (Orders, NextToken),
// getOrder (the order itself) or getOrderItems (OrderItems of an
// AmazonOrderId).
func scanV0Payload(w *adapter.Walker, pg *page) error {
	start := w.Offset()
	single, items := false, false
	var itemsOf json.RawMessage
	err := w.Object(func(key string) error {
		var err error
		switch key {
		case "OrderItems":
			items = true
			pg.orders, err = w.Array()
			return member("OrderItems", err)
		case "Orders":
			pg.orders, err = w.Array()
			return member("Orders", err)
		case "NextToken":
			return member("NextToken", w.Decode(&pg.next))
		case "AmazonOrderId":
			single = true
			return w.Decode(&itemsOf)
		}
		return w.Skip()
	})
	if err != nil {
		return err
	}
	if items {
		// getOrderItems: its AmazonOrderId names the order the items are
		// of (orderItemsV0 is its own kind of payload, not an order).
		pg.kind = kindItems
		if len(itemsOf) > 0 && string(itemsOf) != "null" {
			if err := json.Unmarshal(itemsOf, &pg.order); err != nil {
				return fmt.Errorf("AmazonOrderId: expected string, got JSON %s", rawKind(itemsOf))
			}
		}
		return nil
	}
	if single {
		pg.orders = []adapter.Element{{Raw: w.Bytes(start, int(w.InputOffset())), Line: w.LineAt(start)}}
	}
	return nil
}

// jsonMsg words an encoding/json error for a user.
func jsonMsg(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		if te.Field != "" {
			return fmt.Sprintf("%s: expected %s, got JSON %s", te.Field, adapter.JSONKind(te.Type), te.Value)
		}
		return fmt.Sprintf("expected %s, got JSON %s", adapter.JSONKind(te.Type), te.Value)
	}
	return err.Error()
}

// decodeOrder decodes one order object into v, or a *vtr.LineError.
func decodeOrder(el adapter.Element, v any) error {
	if len(el.Raw) == 0 || el.Raw[0] != '{' {
		return &vtr.LineError{Line: el.Line, Msg: "an order must be a JSON object"}
	}
	if err := json.Unmarshal(el.Raw, v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return &vtr.LineError{Line: el.Line, Field: te.Field, Msg: fmt.Sprintf("expected %s, got JSON %s", adapter.JSONKind(te.Type), te.Value)}
		}
		return &vtr.LineError{Line: el.Line, Msg: jsonMsg(err)}
	}
	return nil
}

// Orders v0 (ordersV0.json, Order).
type orderV0 struct {
	AmazonOrderID      string    `json:"AmazonOrderId"`
	PurchaseDate       string    `json:"PurchaseDate"`
	LastUpdateDate     string    `json:"LastUpdateDate"`
	OrderStatus        string    `json:"OrderStatus"`
	FulfillmentChannel string    `json:"FulfillmentChannel"`
	OrderTotal         *moneyV0  `json:"OrderTotal"`
	MarketplaceID      string    `json:"MarketplaceId"`
	LatestShipDate     string    `json:"LatestShipDate"`
	LatestDeliveryDate string    `json:"LatestDeliveryDate"`
	ShippingAddress    *addressV `json:"ShippingAddress"`
}

type moneyV0 struct {
	CurrencyCode string `json:"CurrencyCode"`
	Amount       string `json:"Amount"`
}

// addressV is an address of either version: encoding/json matches the
// v0 names (City) and the 2026-01-01 ones (city) alike.
type addressV struct {
	City          string `json:"city"`
	StateOrRegion string `json:"stateOrRegion"`
	PostalCode    string `json:"postalCode"`
	CountryCode   string `json:"countryCode"`
}

func (a *addressV) location() vtr.Location {
	if a == nil {
		return vtr.Location{}
	}
	return vtr.Location{City: strings.TrimSpace(a.City), State: strings.TrimSpace(a.StateOrRegion),
		PostalCode: strings.TrimSpace(a.PostalCode), Country: adapter.Alpha2(a.CountryCode)}
}

func (o *OrdersReader) orderV0(el adapter.Element) ([]vtr.Record, error) {
	var in orderV0
	if err := decodeOrder(el, &in); err != nil {
		return nil, err
	}
	bad := func(field, format string, args ...any) error {
		return &vtr.LineError{Line: el.Line, Field: field, Msg: fmt.Sprintf(format, args...)}
	}
	id := strings.TrimSpace(in.AmazonOrderID)
	if id == "" {
		return nil, bad("AmazonOrderId", "required")
	}
	switch ch := strings.TrimSpace(in.FulfillmentChannel); {
	case strings.EqualFold(ch, "AFN"):
		o.stats.AmazonFulfilled++
		o.skipped(id)
		return nil, nil
	case ch == "" || strings.EqualFold(ch, "MFN") || strings.EqualFold(ch, "SellerFulfilled"):
	default:
		return nil, bad("FulfillmentChannel", "%q is neither MFN (seller-fulfilled) nor AFN (Amazon-fulfilled)", ch)
	}
	ord := vtr.Order{ID: id, SellerID: o.opt.SellerID, ShipTo: in.ShippingAddress.location()}
	var err error
	if ord.Policy, err = o.policy(in.MarketplaceID); err != nil {
		return nil, bad("MarketplaceId", "%v", err)
	}
	if ord.PurchasedAt, err = orderTime(in.PurchaseDate, true); err != nil {
		return nil, bad("PurchaseDate", "%v", err)
	}
	if ord.ShipBy, err = orderTime(in.LatestShipDate, false); err != nil {
		return nil, bad("LatestShipDate", "%v", err)
	}
	if ord.DeliverBy, err = orderTime(in.LatestDeliveryDate, false); err != nil {
		return nil, bad("LatestDeliveryDate", "%v", err)
	}
	if in.OrderTotal != nil {
		if ord.Value, err = Money(in.OrderTotal.Amount, in.OrderTotal.CurrencyCode); err != nil {
			return nil, bad("OrderTotal", "%v", err)
		}
	}
	ord.Category = o.category(nil)
	recs := []vtr.Record{{Line: el.Line, Type: "order", Order: &ord}}
	if strings.EqualFold(strings.TrimSpace(in.OrderStatus), "Canceled") || strings.EqualFold(strings.TrimSpace(in.OrderStatus), "Cancelled") {
		at, err := orderTime(in.LastUpdateDate, false)
		if err != nil {
			return nil, bad("LastUpdateDate", "%v", err)
		}
		if at.IsZero() {
			at = ord.PurchasedAt
		}
		recs = append(recs, vtr.Record{Line: el.Line, Type: "cancellation",
			Cancellation: &vtr.Cancellation{SellerID: o.opt.SellerID, OrderID: id, CancelledAt: at}})
	}
	o.settle(recs[0].Order)
	o.count(recs)
	return recs, nil
}

// Orders 2026-01-01 (orders_2026-01-01.json, Order and OrderPackage).
type order2026 struct {
	OrderID         string `json:"orderId"`
	CreatedTime     string `json:"createdTime"`
	LastUpdatedTime string `json:"lastUpdatedTime"`
	SalesChannel    *struct {
		MarketplaceID string `json:"marketplaceId"`
	} `json:"salesChannel"`
	Recipient *struct {
		DeliveryAddress *addressV `json:"deliveryAddress"`
	} `json:"recipient"`
	Proceeds *struct {
		GrandTotal *money2026 `json:"grandTotal"`
	} `json:"proceeds"`
	Fulfillment *struct {
		FulfillmentStatus string  `json:"fulfillmentStatus"`
		FulfilledBy       string  `json:"fulfilledBy"`
		ShipByWindow      *window `json:"shipByWindow"`
		DeliverByWindow   *window `json:"deliverByWindow"`
	} `json:"fulfillment"`
	OrderItems []struct {
		Product *struct {
			ASIN      string `json:"asin"`
			SellerSKU string `json:"sellerSku"`
		} `json:"product"`
		Cancellation *struct {
			CancellationExecution *struct {
				CancelledBy string `json:"cancelledBy"`
			} `json:"cancellationExecution"`
		} `json:"cancellation"`
	} `json:"orderItems"`
	Packages []package2026 `json:"packages"`
}

type money2026 struct {
	Amount       string `json:"amount"`
	CurrencyCode string `json:"currencyCode"`
}

type window struct {
	LatestDateTime string `json:"latestDateTime"`
}

type package2026 struct {
	PackageReferenceID string `json:"packageReferenceId"`
	CreatedTime        string `json:"createdTime"`
	PackageStatus      *struct {
		Status string `json:"status"`
	} `json:"packageStatus"`
	Carrier         string `json:"carrier"`
	ShipTime        string `json:"shipTime"`
	ShippingService string `json:"shippingService"`
	TrackingNumber  string `json:"trackingNumber"`
}

func (w *window) latest() string {
	if w == nil {
		return ""
	}
	return w.LatestDateTime
}

func (o *OrdersReader) order2026(el adapter.Element) ([]vtr.Record, error) {
	var in order2026
	if err := decodeOrder(el, &in); err != nil {
		return nil, err
	}
	bad := func(field, format string, args ...any) error {
		return &vtr.LineError{Line: el.Line, Field: field, Msg: fmt.Sprintf(format, args...)}
	}
	id := strings.TrimSpace(in.OrderID)
	if id == "" {
		return nil, bad("orderId", "required")
	}
	var status, by, shipBy, deliverBy string
	if f := in.Fulfillment; f != nil {
		status, by = strings.ToUpper(strings.TrimSpace(f.FulfillmentStatus)), strings.ToUpper(strings.TrimSpace(f.FulfilledBy))
		shipBy, deliverBy = f.ShipByWindow.latest(), f.DeliverByWindow.latest()
	}
	switch by {
	case "AMAZON":
		o.stats.AmazonFulfilled++
		o.skipped(id)
		return nil, nil
	case "", "MERCHANT":
	default:
		return nil, bad("fulfillment.fulfilledBy", "%q is neither MERCHANT nor AMAZON", by)
	}
	var marketplace string
	if in.SalesChannel != nil {
		marketplace = in.SalesChannel.MarketplaceID
	}
	ord := vtr.Order{ID: id, SellerID: o.opt.SellerID}
	if in.Recipient != nil {
		ord.ShipTo = in.Recipient.DeliveryAddress.location()
	}
	var err error
	if ord.Policy, err = o.policy(marketplace); err != nil {
		return nil, bad("salesChannel.marketplaceId", "%v", err)
	}
	if ord.PurchasedAt, err = orderTime(in.CreatedTime, true); err != nil {
		return nil, bad("createdTime", "%v", err)
	}
	if ord.ShipBy, err = orderTime(shipBy, false); err != nil {
		return nil, bad("fulfillment.shipByWindow.latestDateTime", "%v", err)
	}
	if ord.DeliverBy, err = orderTime(deliverBy, false); err != nil {
		return nil, bad("fulfillment.deliverByWindow.latestDateTime", "%v", err)
	}
	if in.Proceeds != nil && in.Proceeds.GrandTotal != nil {
		if ord.Value, err = Money(in.Proceeds.GrandTotal.Amount, in.Proceeds.GrandTotal.CurrencyCode); err != nil {
			return nil, bad("proceeds.grandTotal", "%v", err)
		}
	}
	var keys []string
	bySeller := false
	for _, it := range in.OrderItems {
		if it.Product != nil {
			keys = append(keys, it.Product.SellerSKU, it.Product.ASIN)
		}
		if c := it.Cancellation; c != nil && c.CancellationExecution != nil {
			bySeller = bySeller || strings.EqualFold(strings.TrimSpace(c.CancellationExecution.CancelledBy), "MERCHANT")
		}
	}
	ord.Category = o.category(keys)
	recs := []vtr.Record{{Line: el.Line, Type: "order", Order: &ord}}
	if status == "CANCELLED" {
		at, err := orderTime(in.LastUpdatedTime, false)
		if err != nil {
			return nil, bad("lastUpdatedTime", "%v", err)
		}
		if at.IsZero() {
			at = ord.PurchasedAt
		}
		recs = append(recs, vtr.Record{Line: el.Line, Type: "cancellation",
			Cancellation: &vtr.Cancellation{SellerID: o.opt.SellerID, OrderID: id, CancelledAt: at, BySeller: bySeller}})
	}
	for i, p := range in.Packages {
		field := "packages[" + strconv.Itoa(i) + "]"
		if p.PackageStatus != nil && strings.EqualFold(strings.TrimSpace(p.PackageStatus.Status), "CANCELLED") {
			continue
		}
		shipped, err := orderTime(p.ShipTime, false)
		if err != nil {
			return nil, bad(field+".shipTime", "%v", err)
		}
		if shipped.IsZero() {
			continue // not shipped yet: nothing confirmed
		}
		s := vtr.Shipment{SellerID: o.opt.SellerID, OrderID: id, PackageID: strings.TrimSpace(p.PackageReferenceID),
			Carrier: strings.TrimSpace(p.Carrier), TrackingNumber: p.TrackingNumber,
			ShipMethod: strings.TrimSpace(p.ShippingService), ShippedAt: shipped}
		if s.PackageID == "" {
			return nil, bad(field+".packageReferenceId", "required")
		}
		if s.UploadedAt, err = orderTime(p.CreatedTime, false); err != nil {
			return nil, bad(field+".createdTime", "%v", err)
		}
		if s.UploadedAt.IsZero() && o.opt.Now != nil {
			s.UploadedAt = o.opt.Now().UTC()
		}
		recs = append(recs, vtr.Record{Line: el.Line, Type: "shipment", Shipment: &s})
	}
	o.settle(recs[0].Order)
	o.count(recs)
	return recs, nil
}

// settle gives an Uncategorized order the category its items gave when
// they came first, or else keeps it until they come (OrdersReader).
func (o *OrdersReader) settle(ord *vtr.Order) {
	if o.known == nil {
		return
	}
	if ord.Category == Uncategorized {
		if c, ok := o.early[ord.ID]; ok {
			ord.Category = c
			delete(o.early, ord.ID)
		} else if c := o.known[ord.ID]; c != "" && c != Uncategorized {
			ord.Category = c // read again (pages overlap): it keeps its category
		}
	}
	o.known[ord.ID] = ord.Category
	if ord.Category != Uncategorized {
		delete(o.waiting, ord.ID)
		return
	}
	w := *ord
	o.waiting[ord.ID] = &w
}

// skipped notes an order that is not imported (Amazon-fulfilled), so
// that its items are not taken for those of an order missing from the
// file.
func (o *OrdersReader) skipped(id string) {
	if o.known != nil {
		o.known[id] = ""
		delete(o.early, id)
	}
}

// orderItems reads a getOrderItems response: the category its items give
// goes to its order, sent again when it was sent Uncategorized already.
func (o *OrdersReader) orderItems(pg page, line int) {
	o.stats.OrderItems++
	id := strings.TrimSpace(pg.order)
	if id == "" {
		o.pending = append(o.pending, item{err: &vtr.LineError{Line: line, Field: "payload.AmazonOrderId", Msg: "required: the order these items are of"}})
		return
	}
	var keys []string
	for _, el := range pg.orders {
		var in struct {
			ASIN      string `json:"ASIN"`
			SellerSKU string `json:"SellerSKU"`
		}
		if len(el.Raw) == 0 || el.Raw[0] != '{' {
			o.pending = append(o.pending, item{err: &vtr.LineError{Line: el.Line, Msg: "an order item must be a JSON object"}})
			continue
		}
		if err := decodeOrder(el, &in); err != nil {
			o.pending = append(o.pending, item{err: err})
			continue
		}
		keys = append(keys, in.SellerSKU, in.ASIN)
	}
	if o.known == nil {
		return
	}
	c := o.category(keys)
	if c == Uncategorized {
		return
	}
	if w, ok := o.waiting[id]; ok {
		delete(o.waiting, id)
		w.Category = c
		o.known[id] = c
		o.stats.Uncategorized--
		o.stats.Recategorized++
		o.pending = append(o.pending, item{rec: vtr.Record{Line: line, Type: "order", Order: w}})
		return
	}
	if _, ok := o.known[id]; ok {
		return // its order is read already, with a category or skipped
	}
	if _, ok := o.early[id]; !ok {
		o.early[id] = c
	}
}

// count adds an order's records to the stats.
func (o *OrdersReader) count(recs []vtr.Record) {
	o.stats.Orders++
	if recs[0].Order.Category == Uncategorized {
		o.stats.Uncategorized++
	}
	for _, r := range recs[1:] {
		if r.Cancellation != nil {
			o.stats.Cancellations++
		} else {
			o.stats.Shipments++
		}
	}
}

func (o *OrdersReader) policy(marketplaceID string) (string, error) {
	if o.opt.Policy != "" {
		return o.opt.Policy, nil
	}
	marketplaceID = strings.TrimSpace(marketplaceID)
	if p, ok := o.opt.PolicyFor(marketplaceID); ok {
		return p, nil
	}
	if marketplaceID == "" {
		return "", errors.New("missing, and no policy was given")
	}
	return "", fmt.Errorf("no policy for marketplace %s: give one", marketplaceID)
}

func (o *OrdersReader) category(keys []string) string {
	if o.opt.Categories != nil {
		for _, k := range keys {
			if k = strings.TrimSpace(k); k == "" {
				continue
			}
			if c, ok := o.opt.Categories.Lookup(k); ok {
				return c
			}
		}
	}
	return Uncategorized
}

// marketplacePolicies maps SP-API marketplace IDs
// (developer-docs.amazon.com/sp-api/docs/marketplace-ids) to vtr's
// built-in policies; marketplaces vtr has no profile for are absent.
var marketplacePolicies = map[string]string{
	"ATVPDKIKX0DER":  "amazon-us", // amazon.com
	"A1F83G8C2ARO7P": "amazon-eu", // amazon.co.uk
	"A1PA6795UKMFR9": "amazon-eu", // amazon.de
	"A13V1IB3VIYZZH": "amazon-eu", // amazon.fr
	"APJ6JRA9NG5V4":  "amazon-eu", // amazon.it
	"A1RKKUPIHCS9HS": "amazon-eu", // amazon.es
	"A1805IZSGTT6HS": "amazon-eu", // amazon.nl
	"A2NODRKZP88ZB9": "amazon-eu", // amazon.se
	"A1C3SOZRARQ6R3": "amazon-eu", // amazon.pl
	"AMEN7PMS3EDWL":  "amazon-eu", // amazon.com.be
	"A1VC38T7YXB528": "amazon-jp", // amazon.co.jp
}

// MarketplacePolicy returns the built-in policy of an SP-API marketplace
// ID, and false for a marketplace vtr has no profile for (Canada, Mexico,
// Brazil, Australia, India, …: give the policy explicitly).
func MarketplacePolicy(marketplaceID string) (string, bool) {
	p, ok := marketplacePolicies[strings.TrimSpace(marketplaceID)]
	return p, ok
}

// orderTime reads an ISO 8601 date-time with an offset (RFC 3339, with
// or without seconds), in UTC; "" is the zero time unless required.
func orderTime(s string, required bool) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		if required {
			return time.Time{}, errors.New("required (ISO 8601 date-time)")
		}
		return time.Time{}, nil
	}
	for _, l := range zoned {
		if t, err := time.Parse(l, s); err == nil {
			if !adapter.InRange(t) {
				return time.Time{}, fmt.Errorf("%q is out of range (1970 to 2199)", s)
			}
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not an ISO 8601 date-time with an offset", s)
}

// Money reads a decimal amount ("11.01", "19940") in a currency (ISO
// 4217) as minor units, exactly: more decimals than the currency has
// (vtr.CurrencyDigits) must be zeros. The SP-API sends amounts as
// strings (Money.Amount is a "decimal string" in both order models).
func Money(amount, currency string) (vtr.Money, error) {
	currency = strings.ToUpper(strings.TrimSpace(currency))
	amount = strings.TrimSpace(amount)
	if len(currency) != 3 {
		return vtr.Money{}, fmt.Errorf("currency %q is not an ISO 4217 code", currency)
	}
	minor, err := MinorUnits(amount, vtr.CurrencyDigits(currency))
	if err != nil {
		return vtr.Money{}, err
	}
	return vtr.Money{Minor: minor, Currency: currency}, nil
}

// MinorUnits converts a decimal string to an integer number of
// 10^-digits units, refusing rounding, exponents, signs other than a
// leading minus, and amounts beyond int64.
func MinorUnits(amount string, digits int) (int64, error) {
	r, ok := new(big.Rat).SetString(amount)
	if !ok || amount == "" || strings.ContainsAny(amount, "eE/+xXpP_") {
		return 0, fmt.Errorf("amount %q is not a decimal number", amount)
	}
	r.Mul(r, new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(digits)), nil)))
	if !r.IsInt() {
		return 0, fmt.Errorf("amount %q has more than %d decimals", amount, digits)
	}
	n := r.Num()
	if !n.IsInt64() {
		return 0, fmt.Errorf("amount %q is too large", amount)
	}
	return n.Int64(), nil
}
