package engine

import (
	"time"

	"github.com/vtr-project/vtr"
)

// ShippedLate reports whether an order was shipped late: first confirmed
// on a day after its expected ship date. The Late Shipment Rate counts
// "orders ship-confirmed after the expected ship date"
// (marketplace-rules.md §10.4), and the expected ship date is a date: a
// confirmation later on the ship-by day is on time. Days are UTC days. An
// order with no ship-by date or not shipped yet is not late.
func ShippedLate(o *vtr.Order, firstShippedAt time.Time) bool {
	if o.ShipBy.IsZero() || firstShippedAt.IsZero() {
		return false
	}
	return Day(firstShippedAt).After(Day(o.ShipBy))
}

// DeliveredOnTime reports whether a package was delivered on time: its
// first delivery scan falls, in the local time of the scan, on or before
// the promised delivery date ("tracked packages delivered on/before the
// promised date", the On-Time Delivery Rate, marketplace-rules.md §10.4).
// Promises are dates, so a delivery at 20:00 in New York on the promised
// day is on time even though it is the next day in UTC. A package not
// delivered yet is not on time.
func DeliveredOnTime(o *vtr.Order, s *vtr.ScanSummary) bool {
	if s.DeliveredAt.IsZero() {
		return false
	}
	local := s.DeliveredAt.Add(time.Duration(s.DeliveredOffset) * time.Second)
	return !Day(local).After(Day(o.DeliverBy))
}
