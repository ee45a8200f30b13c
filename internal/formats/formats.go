// Package formats is the one place that maps an input format's name to
// its codec: the record sources of `vtr import` and of the server's
// POST /v1/records, and the carrier-tracking webhooks with their
// signature checks. The codecs themselves live in their own packages.
package formats

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/aftership"
	"github.com/vtr-project/vtr/easypost"
	"github.com/vtr-project/vtr/flatfile"
	"github.com/vtr-project/vtr/internal/adapter"
	"github.com/vtr-project/vtr/native"
	"github.com/vtr-project/vtr/spapi"
	"github.com/vtr-project/vtr/track17"
	"github.com/vtr-project/vtr/walmart"
)

// Webhook is a tracking platform's webhook: its payload parser and its
// signature check, and the environment variable holding its secret.
type Webhook struct {
	Name      string
	Parse     func([]byte) ([]vtr.Event, error)
	Verify    func(body []byte, header http.Header, secret string, now time.Time) error
	SecretEnv string
}

// Webhooks lists the tracking platforms vtr receives, by format name.
var Webhooks = map[string]Webhook{
	aftership.Source: {Name: "AfterShip", Parse: aftership.Parse, Verify: aftership.Verify, SecretEnv: "VTR_AFTERSHIP_SECRET"},
	easypost.Source:  {Name: "EasyPost", Parse: easypost.Parse, Verify: easypost.Verify, SecretEnv: "VTR_EASYPOST_SECRET"},
	track17.Source:   {Name: "17TRACK", Parse: track17.Parse, Verify: track17.Verify, SecretEnv: "VTR_17TRACK_KEY"},
}

// Names are the formats Records reads.
var Names = []string{"native", "flatfile", aftership.Source, easypost.Source, track17.Source, SPAPIOrders, SPAPIConfirm, Catalog, WalmartOrders, WalmartShip}

// Walmart's orders (GET /v3/orders) and ship-order bodies (POST
// /v3/orders/{purchaseOrderId}/shipping).
const (
	WalmartOrders = "walmart-orders"
	WalmartShip   = "walmart-ship"
)

// Amazon's formats: SPAPIOrders is pages of Orders v0 getOrders (with
// getOrderItems responses for their categories) or Orders 2026-01-01
// searchOrders (with their packages); SPAPIConfirm is Orders v0
// confirmShipment request bodies.
const (
	SPAPIOrders  = "spapi-orders"
	SPAPIConfirm = "spapi-confirm"
)

// Catalog is a seller's SKU/ASIN → category mapping (a CSV
// "sku_or_asin,category" or Catalog Items API JSON, ReadCatalog) stored
// for later order imports: not records, so Records refuses it and the
// importers store it with a vtr.CategoryStore.
const Catalog = "catalog"

// Options are what a marketplace's own files do not say.
type Options struct {
	// SellerID owns the orders of a marketplace file (required for them).
	SellerID string
	// Policy judges them; "" maps each order's marketplace ID to a policy.
	Policy string
	// Categories give orders their product category by SKU or ASIN; nil
	// leaves them Uncategorized. WithStored adds the seller's stored
	// mapping.
	Categories *spapi.Categories
	// OrderID is the order of bodies that do not name it (the APIs have it
	// in the request path): a Walmart ship-order body's purchase order, an
	// Amazon confirmShipment body's order.
	OrderID string
	// Now stamps upload times the input does not give.
	Now func() time.Time
	// UploadedAtShipDate takes a confirmation's ship time as its upload
	// time, for the formats that carry no upload time (the flat file,
	// confirmShipment and ship-order bodies): a file of past
	// confirmations stamped with the import's time would count every
	// package already delivered as uploaded after delivery.
	UploadedAtShipDate bool
	// Notice, when set, is told once at the end of the input what the
	// user should know about it (orders left Uncategorized, Amazon-
	// fulfilled orders skipped).
	Notice func(string)
}

// NeedsSeller reports whether a format's records name no seller, so the
// import must be told whose they are.
func NeedsSeller(format string) bool {
	switch format {
	case SPAPIOrders, SPAPIConfirm, Catalog, WalmartOrders, WalmartShip:
		return true
	}
	return false
}

// Unknown is the error for a format name Records does not know.
func Unknown(format string) error {
	return vtr.Errorf(vtr.EINVALID, "unknown format %q (%s)", format, strings.Join(Names, ", "))
}

// Records returns the record reader for a format. "native" also
// recognises the Amazon flat file by its header. now stamps upload times
// that the input does not give. Every bad line or payload is a
// *vtr.LineError and reading goes on after it.
func Records(br *bufio.Reader, format string, now func() time.Time) (func() (vtr.Record, error), error) {
	return RecordsWith(br, format, Options{Now: now})
}

// RecordsWith is Records with the options a marketplace file needs.
func RecordsWith(br *bufio.Reader, format string, opt Options) (func() (vtr.Record, error), error) {
	if !opt.UploadedAtShipDate {
		return records(br, format, opt)
	}
	if err := CheckOptions(br, format, opt); err != nil {
		return nil, err
	}
	next, err := records(br, format, opt)
	if err != nil {
		return nil, err
	}
	return func() (vtr.Record, error) {
		rec, err := next()
		if err == nil && rec.Type == "shipment" && rec.Shipment != nil {
			rec.Shipment.UploadedAt = rec.Shipment.ShippedAt
		}
		return rec, err
	}, nil
}

// CheckOptions refuses options the input's format cannot take, before
// anything is opened or read (it peeks at the input's first line).
func CheckOptions(br *bufio.Reader, format string, opt Options) error {
	if !opt.UploadedAtShipDate {
		return nil
	}
	switch format {
	case "native":
		if head, _ := br.Peek(64); !flatfile.LooksLike(head) {
			return vtr.FieldErrorf(vtr.EINVALID, "uploaded_at", "native records give their own upload time (uploaded_at): the ship date as upload time is for the flat file, spapi-confirm and walmart-ship")
		}
	case "flatfile", SPAPIConfirm, WalmartShip:
	default:
		return vtr.FieldErrorf(vtr.EINVALID, "uploaded_at", "the %s format carries no confirmation without its upload time: the ship date as upload time is for the flat file, spapi-confirm and walmart-ship", format)
	}
	return nil
}

// records is RecordsWith without the upload-time option.
func records(br *bufio.Reader, format string, opt Options) (func() (vtr.Record, error), error) {
	now := opt.Now
	if NeedsSeller(format) && opt.SellerID == "" {
		return nil, vtr.FieldErrorf(vtr.EINVALID, "seller", "the %s format names no seller: say whose orders they are", format)
	}
	switch format {
	case SPAPIOrders:
		o := spapi.OrdersOptions{SellerID: opt.SellerID, Policy: opt.Policy, Now: now}
		if opt.Categories != nil {
			o.Categories = opt.Categories
		}
		rd := spapi.NewOrdersReader(br, o)
		return atEnd(rd.Next, opt.Notice, func() []string {
			var out []string
			st := rd.Stats()
			if st.AmazonFulfilled > 0 {
				out = append(out, fmt.Sprintf("%d Amazon-fulfilled (AFN) orders skipped: the Valid Tracking Rate measures seller-fulfilled packages only", st.AmazonFulfilled))
			}
			if st.Recategorized > 0 {
				out = append(out, fmt.Sprintf("%d orders sent again with the category their getOrderItems items give (they were read before their items)", st.Recategorized))
			}
			if st.ItemsWithoutOrder > 0 {
				out = append(out, fmt.Sprintf("%d orders' getOrderItems items name a category but the orders are not in this input: their category was not applied (import items with their orders)", st.ItemsWithoutOrder))
			}
			if st.Uncategorized > 0 {
				out = append(out, fmt.Sprintf("%d of %d orders have no known category and count as %s (the VTR report's category is the product group at order time: store the seller's SKU/ASIN mapping with the catalog format, give one with --categories, or add getOrderItems responses)", st.Uncategorized, st.Orders, spapi.Uncategorized))
			}
			return out
		}), nil
	case SPAPIConfirm:
		return spapi.NewConfirmReader(br, spapi.ConfirmOptions{SellerID: opt.SellerID, OrderID: opt.OrderID, Now: now}).Next, nil
	case Catalog:
		return nil, vtr.FieldErrorf(vtr.EINVALID, "format", "the catalog format is a category mapping, not records: it is stored for the seller's later order imports")
	case "native":
		head, _ := br.Peek(64)
		if flatfile.LooksLike(head) {
			return flatRecords(br, now, opt.Notice)
		}
		return native.NewDecoder(br, now).Next, nil
	case "flatfile":
		return flatRecords(br, now, opt.Notice)
	case WalmartOrders, WalmartShip:
		o := walmart.Options{SellerID: opt.SellerID, Policy: opt.Policy, PurchaseOrderID: opt.OrderID, Now: now}
		if opt.Categories != nil {
			o.Categories = opt.Categories
		}
		var rd *walmart.Reader
		if format == WalmartOrders {
			rd = walmart.NewOrdersReader(br, o)
		} else {
			rd = walmart.NewShipReader(br, o)
		}
		return atEnd(rd.Next, opt.Notice, func() []string {
			if st := rd.Stats(); st.Uncategorized > 0 {
				return []string{fmt.Sprintf("%d of %d orders have no known category and count as %s (store the seller's SKU mapping with the catalog format, or give one with --categories)", st.Uncategorized, st.Orders, walmart.Uncategorized)}
			}
			return nil
		}), nil
	}
	if wh, ok := Webhooks[format]; ok {
		// A file of saved payloads: one JSON document a line, or
		// pretty-printed documents one after another. A bad payload is
		// one rejected line, named by the line it starts on.
		return adapter.NewStream(br, wh.Parse).Next, nil
	}
	return nil, Unknown(format)
}

func flatRecords(r io.Reader, now func() time.Time, notice func(string)) (func() (vtr.Record, error), error) {
	fr, err := flatfile.NewReader(r)
	if err != nil {
		return nil, err
	}
	if sep := fr.Separator(); sep != '\t' && notice != nil {
		notice("the flat file is " + flatfile.SeparatorName(sep) + "-separated: it was read, but Amazon takes only the tab-separated file (save it as tab-delimited text before uploading it)")
	}
	return func() (vtr.Record, error) {
		row, err := fr.Next()
		if err != nil {
			return vtr.Record{}, err
		}
		s, err := row.Shipment(now())
		if err != nil {
			field, msg, _ := strings.Cut(err.Error(), ": ")
			return vtr.Record{}, &vtr.LineError{Line: row.Line, Field: field, Msg: msg}
		}
		return vtr.Record{Line: row.Line, Type: "shipment", Shipment: s}, nil
	}, nil
}

// atEnd wraps a record reader so that, once, at the end of the input,
// notice is told what notes says (nothing when notice is nil).
func atEnd(next func() (vtr.Record, error), notice func(string), notes func() []string) func() (vtr.Record, error) {
	told := notice == nil
	return func() (vtr.Record, error) {
		rec, err := next()
		if errors.Is(err, io.EOF) && !told {
			told = true
			for _, n := range notes() {
				notice(n)
			}
		}
		return rec, err
	}
}

// ReadCatalog reads a SKU/ASIN → category mapping into c: Catalog Items
// API JSON when its first character (after a byte-order mark and white
// space) is { or [, else a CSV "sku_or_asin,category"
// (spapi.ReadCatalogItems, spapi.ReadCategoryCSV). Bad lines are in bad
// and skipped; err is a file that cannot be read as a mapping at all.
func ReadCatalog(r io.Reader, c *spapi.Categories) (bad []*vtr.LineError, err error) {
	br := bufio.NewReaderSize(r, 64<<10)
	head, err := br.Peek(64 << 10) // what there is of it: a short file is whole here
	if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
		return nil, err
	}
	read := spapi.ReadCategoryCSV
	if t := bytes.TrimLeft(bytes.TrimPrefix(head, []byte("\xef\xbb\xbf")), " \t\r\n"); len(t) > 0 && (t[0] == '{' || t[0] == '[') {
		read = spapi.ReadCatalogItems
	}
	return read(br, c)
}

// WithStored returns the category mapping of a seller's marketplace-order
// import: the seller's stored mapping (what the catalog format stored),
// with explicit's keys over it (a file given with the import wins for the
// keys it maps; the stored mapping answers for the others). It returns
// explicit unchanged when the seller has none stored, and nil when
// neither has a key.
func WithStored(ctx context.Context, store vtr.CategoryStore, sellerID string, explicit *spapi.Categories) (*spapi.Categories, error) {
	c := spapi.NewCategories()
	if err := store.EachCategory(ctx, sellerID, func(m vtr.CategoryMapping) error {
		c.Set(m.Key, m.Category)
		return nil
	}); err != nil {
		return nil, fmt.Errorf("the seller's stored categories: %w", err)
	}
	if c.Len() == 0 {
		return explicit, nil
	}
	if explicit != nil {
		for _, m := range explicit.Mappings() {
			c.Set(m.Key, m.Category)
		}
	}
	return c, nil
}
