package vtr

import (
	"context"
	"time"
)

// Uncategorized is the category of an order whose product group is not
// known. Marketplace orders do not carry it (the VTR report's "Product
// Category" is the product group at order time, marketplace-rules.md
// §10.1): it comes from a seller's SKU/ASIN mapping, and an order no
// mapping knows is stored as Uncategorized. It is the one category a
// later copy of the order may replace (see the ingest package): that fills
// in a fact that was missing, it does not change the product group.
const Uncategorized = "Uncategorized"

// KnownCategory reports whether c names a product group: neither empty
// nor Uncategorized.
func KnownCategory(c string) bool { return c != "" && c != Uncategorized }

// CategoryMapping maps one of a seller's SKUs, or an ASIN, to the
// product category its orders count under.
type CategoryMapping struct {
	Key      string `json:"sku_or_asin"`
	Category string `json:"category"`
}

// CategoryStore keeps each seller's SKU/ASIN → category mapping (what
// `vtr import --format catalog` stores), so that later marketplace-order
// imports for the seller categorise orders without a mapping file. Every
// method takes the seller: one seller's mapping never answers for
// another's SKUs, which may be spelled alike.
type CategoryStore interface {
	// PutCategories stores mappings for a seller in one transaction: a
	// key already mapped takes the new category (a re-import updates
	// it), other keys are kept. It returns how many mappings it stored.
	// Orders already imported keep their category.
	PutCategories(ctx context.Context, sellerID string, m []CategoryMapping, at time.Time) (int, error)
	// EachCategory calls fn with each of a seller's mappings, by key; an
	// error from fn stops it and is returned. A seller with no mapping
	// has none (not an error).
	EachCategory(ctx context.Context, sellerID string, fn func(CategoryMapping) error) error
}
