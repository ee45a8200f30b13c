package formats_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/internal/formats"
	"github.com/vtr-project/vtr/spapi"
)

// memCategories is a vtr.CategoryStore over a map, for the merge rules
// (the SQL stores pass the contract in storetest).
type memCategories map[string][]vtr.CategoryMapping

func (m memCategories) PutCategories(_ context.Context, seller string, ms []vtr.CategoryMapping, _ time.Time) (int, error) {
	m[seller] = append(m[seller], ms...)
	return len(ms), nil
}

func (m memCategories) EachCategory(_ context.Context, seller string, fn func(vtr.CategoryMapping) error) error {
	for _, e := range m[seller] {
		if err := fn(e); err != nil {
			return err
		}
	}
	return nil
}

func TestWithStored(t *testing.T) {
	store := memCategories{"S1": {{Key: "SKU-1", Category: "Toys"}, {Key: "SKU-2", Category: "Garden"}}, "S2": {{Key: "SKU-1", Category: "Kitchen"}}}
	explicit := spapi.NewCategories()
	explicit.Set("SKU-2", "Outdoors")
	explicit.Set("SKU-3", "Books")
	tests := []struct {
		seller   string
		explicit *spapi.Categories
		want     map[string]string // key → category, "" for not found
	}{
		{"S1", nil, map[string]string{"SKU-1": "Toys", "SKU-2": "Garden", "SKU-3": ""}},
		{"S1", explicit, map[string]string{"SKU-1": "Toys", "SKU-2": "Outdoors", "SKU-3": "Books"}},
		{"S2", nil, map[string]string{"SKU-1": "Kitchen", "SKU-2": ""}},
		{"S3", explicit, map[string]string{"SKU-1": "", "SKU-2": "Outdoors"}},
	}
	for _, tt := range tests {
		c, err := formats.WithStored(context.Background(), store, tt.seller, tt.explicit)
		if err != nil {
			t.Fatal(err)
		}
		for k, want := range tt.want {
			if got, _ := c.Lookup(k); got != want {
				t.Errorf("%s (explicit %v): %s → %q, want %q", tt.seller, tt.explicit != nil, k, got, want)
			}
		}
	}
	if c, _ := formats.WithStored(context.Background(), store, "S3", nil); c != nil {
		t.Errorf("no mapping anywhere: got %v, want nil (orders Uncategorized)", c.Mappings())
	}
	if explicit.Len() != 2 {
		t.Errorf("the explicit mapping was changed: %v", explicit.Mappings())
	}
}

func TestReadCatalog(t *testing.T) {
	tests := []struct {
		name, in string
		want     string // the mapping, "key=category" by key
		bad      int
		err      bool
	}{
		{"CSV", "sku_or_asin,category\nSKU-1,Toys\n,Garden\n", "SKU-1=Toys", 1, false},
		{"CSV with BOM", "\ufeffsku,category\r\nSKU-1,Toys\r\n", "SKU-1=Toys", 0, false},
		{"Catalog Items JSON after white space", "\n  {\"items\":[{\"asin\":\"b000toy001\",\"summaries\":[{\"websiteDisplayGroupName\":\"Toys & Games\"}]}]}\n", "B000TOY001=Toys & Games", 0, false},
		{"Catalog Items with BOM, one item", "\ufeff{\"asin\":\"B000TOY001\",\"summaries\":[{\"websiteDisplayGroup\":\"toy_display_on_website\"}]}", "B000TOY001=toy_display_on_website", 0, false},
		{"neither", "hello\n", "", 0, true},
		{"empty", "", "", 0, true},
	}
	for _, tt := range tests {
		c := spapi.NewCategories()
		bad, err := formats.ReadCatalog(strings.NewReader(tt.in), c)
		var got []string
		for _, m := range c.Mappings() {
			got = append(got, m.Key+"="+m.Category)
		}
		if strings.Join(got, " ") != tt.want || len(bad) != tt.bad || (err != nil) != tt.err {
			t.Errorf("%s: got %q, %d bad, error %v; want %q, %d bad, error %v", tt.name, got, len(bad), err, tt.want, tt.bad, tt.err)
		}
	}
}

func TestCatalogIsNotRecords(t *testing.T) {
	if !formats.NeedsSeller(formats.Catalog) || !formats.NeedsSeller(formats.SPAPIConfirm) {
		t.Error("catalog and spapi-confirm name no seller: NeedsSeller must say so")
	}
	_, err := formats.RecordsWith(nil, formats.Catalog, formats.Options{SellerID: "S1"})
	if vtr.ErrorCode(err) != vtr.EINVALID {
		t.Errorf("RecordsWith(catalog): %v, want invalid (a mapping is stored, not imported as records)", err)
	}
}
