package spapi

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/internal/adapter"
)

// Categories maps SKUs and ASINs to the product category the VTR report
// groups by (its "Product Category" column, the product group at order
// time: marketplace-rules.md §10.1). Orders do not carry it, so it comes
// from a mapping file (ReadCategoryCSV) or the Catalog Items API
// (ReadCatalogItems). The zero value is not usable: use NewCategories.
type Categories struct {
	m map[string]string
}

// NewCategories returns an empty mapping.
func NewCategories() *Categories { return &Categories{m: map[string]string{}} }

// Set maps a SKU or an ASIN (trimmed) to a category; a later Set wins.
// A key shaped like an ASIN (10 letters and digits) is kept upper-case,
// as Amazon writes ASINs.
func (c *Categories) Set(skuOrASIN, category string) {
	c.m[key(skuOrASIN)] = strings.TrimSpace(category)
}

// Lookup returns the category of a SKU or an ASIN. SKUs are the
// seller's own and compared exactly (but for the case of an ASIN-shaped
// SKU); an ASIN is found in any case.
func (c *Categories) Lookup(skuOrASIN string) (string, bool) {
	if c == nil {
		return "", false
	}
	v, ok := c.m[key(skuOrASIN)]
	return v, ok
}

// key normalises a SKU or ASIN: trimmed, and upper-cased when it has an
// ASIN's shape.
func key(s string) string {
	s = strings.TrimSpace(s)
	if len(s) != 10 {
		return s
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return s
		}
	}
	return strings.ToUpper(s)
}

// Len is the number of keys mapped.
func (c *Categories) Len() int { return len(c.m) }

// Mappings returns the mapping by key, as stored (vtr.CategoryStore).
func (c *Categories) Mappings() []vtr.CategoryMapping {
	out := make([]vtr.CategoryMapping, 0, len(c.m))
	for k, v := range c.m {
		out = append(out, vtr.CategoryMapping{Key: k, Category: v})
	}
	slices.SortFunc(out, func(a, b vtr.CategoryMapping) int { return strings.Compare(a.Key, b.Key) })
	return out
}

// ReadCategoryCSV reads a mapping file into c: a header row
// "sku_or_asin,category" (names in any case; a leading UTF-8 byte-order
// mark is skipped; more columns are ignored), then one key and its
// category a row. A row without both is a *vtr.LineError in bad and
// reading goes on; a missing header is a *vtr.LineError returned as err,
// as is a file that is not CSV from some row on (the rows before it are
// kept).
func ReadCategoryCSV(r io.Reader, c *Categories) (bad []*vtr.LineError, err error) {
	br := bufio.NewReader(r)
	if b, _ := br.Peek(3); bytes.Equal(b, []byte("\xef\xbb\xbf")) {
		br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	head, err := cr.Read()
	if err == io.EOF {
		return nil, &vtr.LineError{Line: 1, Msg: "empty file: a header sku_or_asin,category is required"}
	}
	if err != nil {
		return nil, csvError(err)
	}
	key, cat := -1, -1
	for i, h := range head {
		switch strings.ToLower(strings.TrimSpace(h)) {
		case "sku_or_asin", "sku", "asin":
			if key < 0 {
				key = i
			}
		case "category", "product_category", "product category":
			cat = i
		}
	}
	if key < 0 || cat < 0 {
		return nil, &vtr.LineError{Line: 1, Msg: fmt.Sprintf("header %q: want the columns sku_or_asin and category", strings.Join(head, ","))}
	}
	for {
		row, err := cr.Read()
		if err == io.EOF {
			return bad, nil
		}
		if err != nil {
			return bad, csvError(err)
		}
		line, _ := cr.FieldPos(0)
		if len(row) == 1 && strings.TrimSpace(row[0]) == "" {
			continue
		}
		var k, v string
		if key < len(row) {
			k = strings.TrimSpace(row[key])
		}
		if cat < len(row) {
			v = strings.TrimSpace(row[cat])
		}
		switch {
		case k == "":
			bad = append(bad, &vtr.LineError{Line: line, Field: "sku_or_asin", Msg: "empty"})
		case v == "":
			bad = append(bad, &vtr.LineError{Line: line, Field: "category", Msg: "empty"})
		default:
			c.Set(k, v)
		}
	}
}

func csvError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &vtr.LineError{Line: pe.StartLine, Msg: "not CSV: " + pe.Err.Error()}
	}
	return fmt.Errorf("read category mapping: %w", err)
}

// ReadCatalogItems reads Catalog Items API 2022-04-01 responses into c
// (developer-docs.amazon.com/sp-api/docs/catalog-items-api-v2022-04-01-reference;
// model models/catalog-items-api-model/catalogItems_2022-04-01.json):
// searchCatalogItems pages, {"items": [...]}, and getCatalogItem
// responses, one item {"asin": ..., "summaries": [...]}, requested with
// includedData=summaries, pretty-printed or one a line. Each item's ASIN
// maps to the first non-empty summaries[].websiteDisplayGroupName (the
// product group's name, "Toys & Games"), or else to
// summaries[].websiteDisplayGroup ("toy_display_on_website"). An item
// with neither, or without an asin, is a *vtr.LineError in bad naming
// the line it starts on, as is a payload that is not such a response; err
// is the reader's.
func ReadCatalogItems(r io.Reader, c *Categories) (bad []*vtr.LineError, err error) {
	fr := adapter.NewFramer(r)
	for {
		body, line, err := fr.Next()
		if err == io.EOF {
			return bad, nil
		}
		var le *vtr.LineError
		if errors.As(err, &le) {
			bad = append(bad, le)
			continue
		}
		if err != nil {
			return bad, err
		}
		items, err := scanCatalog(body, line)
		if err != nil {
			bad = append(bad, err.(*vtr.LineError))
			continue
		}
		for _, el := range items {
			if err := catalogItem(el, c); err != nil {
				bad = append(bad, err)
			}
		}
	}
}

// scanCatalog returns the items of a payload: its items array, or the
// payload itself when it is one item.
func scanCatalog(body []byte, line int) ([]adapter.Element, error) {
	fail := func(msg string) ([]adapter.Element, error) { return nil, &vtr.LineError{Line: line, Msg: msg} }
	if !bytes.HasPrefix(bytes.TrimLeft(body, " \t\r\n"), []byte("{")) {
		return fail("not a Catalog Items response: a JSON object is expected")
	}
	w := adapter.NewWalker(body, line)
	var items []adapter.Element
	single, found := false, false
	err := w.Object(func(key string) error {
		switch key {
		case "items":
			found = true
			var err error
			items, err = w.Array()
			return member("items", err)
		case "asin":
			single = true
		}
		return w.Skip()
	})
	if err != nil {
		return fail(walkError(err))
	}
	switch {
	case found:
		return items, nil
	case single:
		return []adapter.Element{{Raw: body, Line: line}}, nil
	}
	return fail("not a Catalog Items response: no items and no asin")
}

type catalogItemIn struct {
	ASIN      string `json:"asin"`
	Summaries []struct {
		WebsiteDisplayGroup     string `json:"websiteDisplayGroup"`
		WebsiteDisplayGroupName string `json:"websiteDisplayGroupName"`
	} `json:"summaries"`
}

func catalogItem(el adapter.Element, c *Categories) *vtr.LineError {
	var in catalogItemIn
	if err := decodeOrder(el, &in); err != nil {
		le := err.(*vtr.LineError)
		if le.Msg == "an order must be a JSON object" {
			le.Msg = "an item must be a JSON object"
		}
		return le
	}
	asin := strings.TrimSpace(in.ASIN)
	if asin == "" {
		return &vtr.LineError{Line: el.Line, Field: "asin", Msg: "required"}
	}
	var name, group string
	for _, s := range in.Summaries {
		if name == "" {
			name = strings.TrimSpace(s.WebsiteDisplayGroupName)
		}
		if group == "" {
			group = strings.TrimSpace(s.WebsiteDisplayGroup)
		}
	}
	switch {
	case name != "":
		c.Set(asin, name)
	case group != "":
		c.Set(asin, group)
	default:
		return &vtr.LineError{Line: el.Line, Field: "summaries", Msg: fmt.Sprintf("item %s has no websiteDisplayGroupName (request includedData=summaries)", asin)}
	}
	return nil
}
