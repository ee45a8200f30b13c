// Package report encodes the defect report's typed rows in the
// marketplaces' layout, for the CLI and (next) the HTTP API.
package report

import (
	"encoding/csv"
	"io"
	"strings"

	"github.com/vtr-project/vtr"
)

// Header is the defect report's columns: Amazon's Valid Tracking Rate
// report layout (marketplace-rules.md §8), then vtr's own.
var Header = []string{"Order ID", "Carrier Name", "Tracking ID", "Origin Country", "Promised Delivery Date", "Ship Method",
	"No Valid Tracking", "Shipped Late", "Delivered Late", "Package Value", "Product Category", "Reasons", "Detected Carrier", "Explanation"}

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
		x(r.NoValidTracking), x(r.ShippedLate), x(r.DeliveredLate), r.Value.String(), r.Category,
		strings.Join(reasons, " "), r.Detected, r.Explanation}
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
