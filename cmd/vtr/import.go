package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/ingest"
	"github.com/vtr-project/vtr/internal/formats"
	"github.com/vtr-project/vtr/native"
	"github.com/vtr-project/vtr/spapi"
)

const importHelp = `Usage: vtr import [--db FILE] [--policies FILE] [--format F] [--uploaded-at WHEN] FILE|-

Imports sellers, orders, shipments, cancellations and carrier events,
streaming: native NDJSON (one object per line with a "type"), or Amazon's
shipping-confirmation flat file (recognised by its header). Bad lines are
reported with their line number, field and reason; good lines are kept.
Every package touched is re-judged and the rates updated as it goes.

  --format F   native (default; the flat file is detected by its header),
               flatfile, aftership, easypost, 17track,
               spapi-orders   Amazon getOrders / searchOrders pages, with
                              getOrderItems responses for v0 orders'
                              categories, in any order
               spapi-confirm  Amazon confirmShipment request bodies, each
                              naming its order in an "orderId" member
                              beside the body's fields (or --order)
               catalog        the seller's SKU/ASIN → category mapping (a
                              CSV "sku_or_asin,category" or Catalog Items
                              API JSON), stored for its later order imports
               walmart-orders GET /v3/orders orders
               walmart-ship   ship-order bodies
  --seller ID  whose data a marketplace file holds (every format above
               but native, flatfile and the carriers')
  --order ID   the order of bodies that do not name it (spapi-confirm,
               walmart-ship): the APIs have it in the request path
  --policy P   the policy that judges them (default: by marketplace ID)
  --categories FILE
               product category by SKU or ASIN for this import: a CSV
               "sku_or_asin,category" or Catalog Items API JSON. The seller's
               stored mapping (--format catalog) applies too, this file's
               keys over it; without either, orders are Uncategorized.
               Orders keep the category they were imported with.
  --uploaded-at now|ship-date|TIME
               when the flat file's, spapi-confirm's and walmart-ship's
               confirmations were uploaded to the marketplace, which those
               files do not say: now (default: you upload the same file
               now), ship-date (a file of past confirmations: stamped now,
               every package already delivered would count as
               UPLOADED_AFTER_DELIVERY), or a date or RFC 3339 time
  --batch N    records per transaction at most (default 400000; a
               transaction also commits when the input stalls); each
               committed batch is kept if the import is interrupted
               (Ctrl-C, SIGTERM)
`

func (m *Main) importCmd(ctx context.Context, args []string) error {
	if len(args) > 0 && args[0] == "events" { // `vtr import events FILE` reads the same formats
		args = args[1:]
	}
	fs := newFlags("import")
	sf := addStoreFlags(fs)
	format := fs.String("format", "native", "")
	batch := fs.Int("batch", ingest.DefaultBatchSize, "")
	seller := fs.String("seller", "", "")
	policy := fs.String("policy", "", "")
	categories := fs.String("categories", "", "")
	order := fs.String("order", "", "")
	uploadedAt := fs.String("uploaded-at", "now", "")
	if ok, err := parse(fs, args, importHelp, m.Stdout); !ok {
		return err
	}
	if formats.NeedsSeller(*format) && *seller == "" {
		return usagef("import: --format %s needs --seller (whose orders they are)", *format)
	}
	opt := formats.Options{SellerID: *seller, Policy: *policy, OrderID: *order, Now: m.now}
	switch *uploadedAt {
	case "now":
	case "ship-date":
		opt.UploadedAtShipDate = true
	default:
		at, err := vtr.ParseAsOf(*uploadedAt, m.now())
		if err != nil {
			return usagef("import: --uploaded-at: %q is not now, ship-date, a date or an RFC 3339 time", *uploadedAt)
		}
		opt.Now = func() time.Time { return at }
	}
	var noticeMu sync.Mutex // told on the import's reading goroutine
	var notices []string
	opt.Notice = func(s string) {
		noticeMu.Lock()
		defer noticeMu.Unlock()
		notices = append(notices, s)
	}
	if *categories != "" {
		if *format == formats.Catalog {
			return usagef("import: --format catalog reads the mapping from FILE: --categories is for order imports")
		}
		c, err := m.readCategories(*categories)
		if err != nil {
			return err
		}
		opt.Categories = c
	}
	if fs.NArg() != 1 {
		return usagef("import: give one FILE, or - for standard input")
	}
	if *batch < 1 {
		return usagef("import: --batch must be at least 1")
	}
	if !slices.Contains(formats.Names, *format) {
		return usagef("import: unknown --format %q (%s)", *format, strings.Join(formats.Names, ", "))
	}
	in, size, err := m.openInput(fs.Arg(0))
	if err != nil {
		return err
	}
	defer in.Close()
	// An interruption closes the input, so a read blocked on a pipe
	// returns and the batch in progress is rolled back at once.
	defer context.AfterFunc(ctx, func() { in.Close() })()
	prog := newProgress(m.Stderr, size)
	br := bufio.NewReaderSize(prog.reader(in), 64<<10)
	if err := formats.CheckOptions(br, *format, opt); err != nil {
		return usagef("import: --uploaded-at: %s", vtr.ErrorMessage(err))
	}
	eng, store, err := sf.openBoth(ctx, forWrite)
	if err != nil {
		return err
	}
	defer store.Close()
	store.BatchSize = *batch
	if *format == formats.Catalog {
		return m.importCatalog(ctx, store, eng.Categories(), *seller, fs.Arg(0), in)
	}
	if *format == formats.SPAPIOrders || *format == formats.WalmartOrders {
		if opt.Categories, err = formats.WithStored(ctx, eng.Categories(), *seller, opt.Categories); err != nil {
			return err
		}
	}

	next, err := formats.RecordsWith(br, *format, opt)
	if err != nil {
		return err
	}
	// The import reads on a goroutine of its own while it writes: the
	// progress line and stderr are shared, so they are used under mu.
	var mu sync.Mutex
	var rejected int
	reject := func(err error) {
		mu.Lock()
		defer mu.Unlock()
		rejected++
		prog.clear()
		fmt.Fprintf(m.Stderr, "vtr: %v\n", err)
	}
	start := time.Now()
	st, err := store.Import(ctx, func() (native.Record, error) {
		rec, err := next()
		if err == nil {
			mu.Lock()
			prog.tick()
			mu.Unlock()
		}
		return rec, err
	}, reject)
	if err != nil && ctx.Err() != nil {
		// The interruption closed the input: whatever the read said, the
		// cause is the interruption.
		err = ctx.Err()
	}
	mu.Lock()
	prog.done()
	mu.Unlock()
	el := time.Since(start).Seconds()
	if err != nil {
		fmt.Fprintf(m.Stderr, "stopped: the batch in progress was rolled back; what is below was committed\n")
	}
	noticeMu.Lock()
	for _, n := range notices {
		fmt.Fprintf(m.Stderr, "note: %s\n", n)
	}
	noticeMu.Unlock()
	fmt.Fprintf(m.Stderr, "imported %d records in %.1fs: %d sellers, %d orders, %d shipments, %d cancellations, %d events (%d duplicate, %d unclassified); %d packages judged; %d lines rejected\n",
		st.Records, el, st.Sellers, st.Orders, st.Shipments, st.Cancellations, st.Events, st.DuplicateEvents, st.UnknownEvents, st.Packages, st.Rejected)
	if err != nil {
		return err
	}
	if rejected > 0 {
		return errFound
	}
	return nil
}

func (m *Main) openInput(name string) (io.ReadCloser, int64, error) {
	if name == "-" {
		if f, ok := m.Stdin.(*os.File); ok {
			return f, -1, nil
		}
		return io.NopCloser(m.Stdin), -1, nil
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, 0, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, err
	}
	return f, fi.Size(), nil
}

// importCatalog stores a seller's SKU/ASIN → category mapping read from
// in (formats.ReadCatalog), for the seller's later order imports. Bad
// lines are reported and skipped; the rest is stored in one transaction.
// Orders already imported keep their category: it is the product group
// at order time.
func (m *Main) importCatalog(ctx context.Context, store *ingest.Store, cs vtr.CategoryStore, seller, name string, in io.Reader) error {
	if _, err := store.Seller(ctx, seller); err != nil {
		if vtr.ErrorCode(err) == vtr.ENOTFOUND {
			return vtr.Errorf(vtr.ENOTFOUND, "import: no seller %s: import the seller first", seller)
		}
		return err
	}
	c := spapi.NewCategories()
	bad, err := formats.ReadCatalog(in, c)
	if err != nil {
		return vtr.Errorf(vtr.EINVALID, "import %s: %s", name, vtr.ErrorMessage(err))
	}
	for _, le := range bad {
		fmt.Fprintf(m.Stderr, "vtr: %v\n", le)
	}
	n, err := cs.PutCategories(ctx, seller, c.Mappings(), m.now())
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stderr, "stored %d category mappings for seller %s; %d lines rejected (orders already imported keep their category; later order imports use these)\n", n, seller, len(bad))
	if len(bad) > 0 {
		return errFound
	}
	return nil
}

// readCategories reads a SKU/ASIN → category mapping: Catalog Items API
// JSON (it starts with '{' or '['), else a CSV. Bad lines are reported
// and skipped.
func (m *Main) readCategories(path string) (*spapi.Categories, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, usagef("import: --categories: %v", err)
	}
	defer f.Close()
	c := spapi.NewCategories()
	bad, err := formats.ReadCatalog(f, c)
	if err != nil {
		return nil, vtr.Errorf(vtr.EINVALID, "--categories %s: %s", path, vtr.ErrorMessage(err))
	}
	for _, le := range bad {
		fmt.Fprintf(m.Stderr, "vtr: --categories %s: %v\n", path, le)
	}
	fmt.Fprintf(m.Stderr, "%d SKUs and ASINs mapped to categories\n", c.Len())
	return c, nil
}
