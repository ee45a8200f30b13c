package spapi_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/spapi"
)

// renderCategories is the golden form of a mapping read: the keys in
// order with their categories, then the bad lines, then err.
func renderCategories(t *testing.T, c *spapi.Categories, keys []string, bad []*vtr.LineError, err error) []byte {
	t.Helper()
	sort.Strings(keys)
	m := map[string]string{}
	for _, k := range keys {
		if v, ok := c.Lookup(k); ok {
			m[k] = v
		}
	}
	var msgs []string
	for _, b := range bad {
		msgs = append(msgs, b.Error())
	}
	out := map[string]any{"categories": m, "bad": msgs, "len": c.Len()}
	if err != nil {
		out["error"] = err.Error()
	}
	b, merr := json.MarshalIndent(out, "", "  ")
	if merr != nil {
		t.Fatal(merr)
	}
	return append(b, '\n')
}

var catalogKeys = []string{"B000TOY001", "B000KIT002", "b000kit002", "B000NOSUM3", "B000BOOK04", "SKU-TOY-1", "sku-toy-1", "SKU,QUOTED", "SKU-EMPTY"}

func TestCatalogGolden(t *testing.T) {
	c := spapi.NewCategories()
	f, err := os.Open("testdata/catalog_search_variant.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	bad, err := spapi.ReadCatalogItems(f, c)
	golden(t, "testdata/catalog_search_variant.golden", renderCategories(t, c, catalogKeys, bad, err))

	c = spapi.NewCategories()
	g, err := os.Open("testdata/catalog_mapping_variant.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	bad, err = spapi.ReadCategoryCSV(g, c)
	golden(t, "testdata/catalog_mapping_variant.golden", renderCategories(t, c, catalogKeys, bad, err))
}

func TestCatalogTable(t *testing.T) {
	tests := []struct {
		name, in string
		csv      bool
		want     map[string]string
		bad      []int // lines of the bad rows or items
		errLine  int   // line of the fatal *vtr.LineError, 0 for none
	}{
		{"csv ok", "sku_or_asin,category\nA,X\nB,Y\n", true, map[string]string{"A": "X", "B": "Y"}, nil, 0},
		{"csv extra columns", "asin,title,category\nB0001,t,Books\n", true, map[string]string{"B0001": "Books"}, nil, 0},
		{"csv no header", "A,X\n", true, nil, nil, 1},
		{"csv empty", "", true, nil, nil, 1},
		{"csv bad rows", "sku,category\n,X\nA,\nB,Y\n", true, map[string]string{"B": "Y"}, []int{2, 3}, 0},
		{"csv broken quote", "sku,category\nA,X\n\"B,Y\n", true, map[string]string{"A": "X"}, nil, 3},
		{"catalog one item", `{"asin":"B1","summaries":[{"websiteDisplayGroupName":"Toys & Games"}]}`, false, map[string]string{"B1": "Toys & Games"}, nil, 0},
		{"catalog later summary", `{"asin":"B1","summaries":[{"itemName":"x"},{"websiteDisplayGroupName":"Books"}]}`, false, map[string]string{"B1": "Books"}, nil, 0},
		{"catalog wrong type", "{\"items\":[\n {\"asin\":1},\n {\"asin\":\"B2\",\"summaries\":[{\"websiteDisplayGroupName\":\"Books\"}]}]}", false, map[string]string{"B2": "Books"}, []int{2}, 0},
		{"catalog garbage", "hello\n{\"asin\":\"B3\",\"summaries\":[{\"websiteDisplayGroupName\":\"Books\"}]}", false, map[string]string{"B3": "Books"}, []int{1}, 0},
	}
	for _, tt := range tests {
		c := spapi.NewCategories()
		var bad []*vtr.LineError
		var err error
		if tt.csv {
			bad, err = spapi.ReadCategoryCSV(strings.NewReader(tt.in), c)
		} else {
			bad, err = spapi.ReadCatalogItems(strings.NewReader(tt.in), c)
		}
		var le *vtr.LineError
		switch {
		case tt.errLine == 0 && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.errLine != 0 && (!errors.As(err, &le) || le.Line != tt.errLine):
			t.Errorf("%s: got error %v, want a *vtr.LineError on line %d", tt.name, err, tt.errLine)
		}
		var lines []int
		for _, b := range bad {
			lines = append(lines, b.Line)
		}
		if fmt.Sprint(lines) != fmt.Sprint(tt.bad) {
			t.Errorf("%s: bad lines %v (%v), want %v", tt.name, lines, bad, tt.bad)
		}
		if c.Len() != len(tt.want) {
			t.Errorf("%s: %d keys, want %d", tt.name, c.Len(), len(tt.want))
		}
		for k, v := range tt.want {
			if got, ok := c.Lookup(k); !ok || got != v {
				t.Errorf("%s: Lookup(%q) = %q, %v; want %q", tt.name, k, got, ok, v)
			}
		}
	}
}

func FuzzCategoryReaders(f *testing.F) {
	for _, file := range samples(f, "catalog_*") {
		if strings.HasSuffix(file, ".golden") {
			continue
		}
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		for _, read := range []func() ([]*vtr.LineError, error){
			func() ([]*vtr.LineError, error) {
				return spapi.ReadCategoryCSV(bytes.NewReader(in), spapi.NewCategories())
			},
			func() ([]*vtr.LineError, error) {
				return spapi.ReadCatalogItems(bytes.NewReader(in), spapi.NewCategories())
			},
		} {
			bad, err := read()
			for _, b := range bad {
				if b == nil || b.Line < 1 {
					t.Fatalf("bad line error %+v", b)
				}
			}
			if err != nil {
				var le *vtr.LineError
				var ve *vtr.Error
				if !errors.As(err, &le) && !errors.As(err, &ve) {
					t.Fatalf("error of type %T: %v", err, err)
				}
			}
		}
	})
}
