package engine

import (
	"time"

	"github.com/vtr-project/vtr"
)

// OrderFacts is what the order-level sibling metrics depend on.
type OrderFacts struct {
	Order          vtr.Order
	FirstShippedAt time.Time // earliest ship confirmation's shipped_at; zero if none
	Cancellation   *vtr.Cancellation
}

// OrderCount is one order's contribution to an order-level aggregate.
type OrderCount struct {
	Kind  string // "ship" (Late Shipment Rate) or "order" (cancel rate)
	Day   time.Time
	Total int
	Hits  int
}

// OrderCounts returns an order's contributions:
//   - "ship", keyed on the ship-by day: a shipped order, late as
//     ShippedLate says (Late Shipment Rate, marketplace-rules.md §10.4);
//   - "order", keyed on the purchase day: cancelled by the seller before
//     any shipment (pre-fulfilment cancel rate, §10.4).
func OrderCounts(f *OrderFacts) []OrderCount {
	var out []OrderCount
	if !f.Order.ShipBy.IsZero() && !f.FirstShippedAt.IsZero() {
		late := 0
		if ShippedLate(&f.Order, f.FirstShippedAt) {
			late = 1
		}
		out = append(out, OrderCount{Kind: "ship", Day: Day(f.Order.ShipBy), Total: 1, Hits: late})
	}
	cancelled := 0
	if c := f.Cancellation; c != nil && c.BySeller && (f.FirstShippedAt.IsZero() || c.CancelledAt.Before(f.FirstShippedAt)) {
		cancelled = 1
	}
	out = append(out, OrderCount{Kind: "order", Day: Day(f.Order.PurchasedAt), Total: 1, Hits: cancelled})
	return out
}
