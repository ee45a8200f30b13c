// Package report encodes the defect report's typed rows in the
// marketplaces' layout: `vtr report`, the API's defects.csv and the
// dashboard's download all write it, byte for byte the same.
package report

import (
	"encoding/csv"
	"io"
	"strings"

	"github.com/vtr-project/vtr"
)

// Header is the defect report's columns: Amazon's Valid Tracking Rate
// report layout (marketplace-rules.md §8), then vtr's own, then the
// currency of Package Value. Package Value is a plain number, as in
// Amazon's download, so a spreadsheet sums it; the currency comes last so
// the marketplace's columns keep their places.
var Header = []string{"Order ID", "Carrier Name", "Tracking ID", "Origin Country", "Promised Delivery Date", "Ship Method",
	"No Valid Tracking", "Shipped Late", "Delivered Late", "Package Value", "Product Category", "Reasons", "Detected Carrier", "Explanation",
	"Currency"}

// Record is a row's CSV cells, in Header's order.
func Record(r *vtr.DefectRow) []string {
	reasons := make([]string, len(r.Reasons))
	for i, x := range r.Reasons {
		reasons[i] = string(x)
	}
	promised := ""
	if !r.PromisedBy.IsZero() {
		promised = r.PromisedBy.UTC().Format("2006-01-02")
	}
	return []string{r.OrderID, r.CarrierName, r.TrackingID, r.OriginCountry, promised, r.ShipMethod,
		x(r.NoValidTracking), x(r.ShippedLate), x(r.DeliveredLate), Amount(r.Value), r.Category,
		strings.Join(reasons, " "), r.Detected, r.Explanation, r.Value.Currency}
}

// Amount is the Package Value cell: the amount in the currency's major
// unit with as many decimals as its minor unit has (ISO 4217: "24.99"
// USD, "1500" JPY, "1.250" KWD), computed from the minor units, never
// through a float; "" when the value is unknown (no amount, no currency).
func Amount(m vtr.Money) string {
	if m == (vtr.Money{}) {
		return ""
	}
	return m.Decimal()
}

func x(b bool) string {
	if b {
		return "X"
	}
	return ""
}

// CSV writes rows as CSV, the header first, flushing as it goes so
// memory does not grow with the report.
type CSV struct {
	w *csv.Writer
	n int
}

// NewCSV writes the header and returns the encoder.
func NewCSV(w io.Writer) (*CSV, error) {
	c := &CSV{w: csv.NewWriter(w)}
	return c, c.w.Write(Header)
}

// Write writes one row.
func (c *CSV) Write(r *vtr.DefectRow) error {
	if err := c.w.Write(Record(r)); err != nil {
		return err
	}
	c.n++
	if c.n%1024 == 0 {
		c.w.Flush()
		return c.w.Error()
	}
	return nil
}

// Flush writes what is buffered and reports any write error.
func (c *CSV) Flush() error {
	c.w.Flush()
	return c.w.Error()
}
