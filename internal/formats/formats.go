// Package formats is the one place that maps an input format's name to
// its codec: the record sources of `vtr import` and of the server's
// POST /v1/records, and the carrier-tracking webhooks with their
// signature checks. The codecs themselves live in their own packages.
package formats

import (
	"bufio"
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
var Names = []string{"native", "flatfile", aftership.Source, easypost.Source, track17.Source, SPAPIOrders, WalmartOrders, WalmartShip}

// Walmart's orders (GET /v3/orders) and ship-order bodies (POST
// /v3/orders/{purchaseOrderId}/shipping).
const (
	WalmartOrders = "walmart-orders"
	WalmartShip   = "walmart-ship"
)

// SPAPIOrders is Amazon's orders: pages of Orders v0 getOrders or Orders
// 2026-01-01 searchOrders (with their packages).
const SPAPIOrders = "spapi-orders"

// Options are what a marketplace's own files do not say.
type Options struct {
	// SellerID owns the orders of a marketplace file (required for them).
	SellerID string
	// Policy judges them; "" maps each order's marketplace ID to a policy.
	Policy string
	// Categories give orders their product category by SKU or ASIN; nil
	// leaves them Uncategorized.
	Categories *spapi.Categories
	// PurchaseOrderID is the Walmart order of ship-order bodies that do not
	// name it (the API has it in the request path).
	PurchaseOrderID string
	// Now stamps upload times the input does not give.
	Now func() time.Time
	// Notice, when set, is told once at the end of the input what the
	// user should know about it (orders left Uncategorized, Amazon-
	// fulfilled orders skipped).
	Notice func(string)
}

// NeedsSeller reports whether a format's records name no seller, so the
// import must be told whose they are.
func NeedsSeller(format string) bool {
	return format == SPAPIOrders || format == WalmartOrders || format == WalmartShip
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
			if st.Uncategorized > 0 {
				out = append(out, fmt.Sprintf("%d of %d orders have no known category and count as %s (the VTR report's category is the product group at order time: give --categories with a SKU/ASIN mapping or Catalog Items JSON)", st.Uncategorized, st.Orders, spapi.Uncategorized))
			}
			return out
		}), nil
	case "native":
		head, _ := br.Peek(64)
		if flatfile.LooksLike(head) {
			return flatRecords(br, now)
		}
		return native.NewDecoder(br, now).Next, nil
	case "flatfile":
		return flatRecords(br, now)
	case WalmartOrders, WalmartShip:
		o := walmart.Options{SellerID: opt.SellerID, Policy: opt.Policy, PurchaseOrderID: opt.PurchaseOrderID, Now: now}
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
				return []string{fmt.Sprintf("%d of %d orders have no known category and count as %s (give --categories with a SKU mapping)", st.Uncategorized, st.Orders, walmart.Uncategorized)}
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

func flatRecords(r io.Reader, now func() time.Time) (func() (vtr.Record, error), error) {
	fr, err := flatfile.NewReader(r)
	if err != nil {
		return nil, err
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
