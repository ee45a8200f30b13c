package engine

import (
	"testing"
	"time"

	"github.com/vtr-project/vtr"
)

// The Late Shipment Rate counts "orders ship-confirmed after the expected
// ship date" (marketplace-rules.md §10.4): a date, compared in UTC days.
func TestShippedLate(t *testing.T) {
	shipBy := time.Date(2026, 10, 2, 18, 0, 0, 0, time.UTC)
	tests := []struct {
		name    string
		shipBy  time.Time
		shipped time.Time
		want    bool
	}{
		{"before the ship-by time", shipBy, shipBy.Add(-time.Hour), false},
		{"later on the ship-by day is on time", shipBy, shipBy.Add(5 * time.Hour), false},
		{"the next day is late", shipBy, shipBy.Add(7 * time.Hour), true},
		{"days later", shipBy, shipBy.Add(72 * time.Hour), true},
		{"not shipped yet is not late", shipBy, time.Time{}, false},
		{"no ship-by date is never late", time.Time{}, shipBy, false},
		{"offsets do not move the day: 23:30 UTC-4 is the next UTC day", shipBy,
			time.Date(2026, 10, 2, 23, 30, 0, 0, time.FixedZone("EDT", -4*3600)), true},
	}
	for _, tt := range tests {
		if got := ShippedLate(&vtr.Order{ShipBy: tt.shipBy}, tt.shipped); got != tt.want {
			t.Errorf("%s: ShippedLate = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// On-Time Delivery Rate: delivered on or before the promised delivery
// date (marketplace-rules.md §10.4), the local date of the delivery scan.
func TestDeliveredOnTime(t *testing.T) {
	promise := time.Date(2026, 10, 6, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name      string
		delivered time.Time
		offset    int
		want      bool
	}{
		{"before the promise", promise.Add(-30 * time.Hour), 0, true},
		{"on the promised day", promise.Add(15 * time.Hour), 0, true},
		{"the day after", promise.Add(25 * time.Hour), 0, false},
		{"20:00 in New York on the promised day (00:00 UTC the next day)", promise.Add(24 * time.Hour), -4 * 3600, true},
		{"01:00 in Tokyo the day after (16:00 UTC on the promised day)", promise.Add(16 * time.Hour), 9 * 3600, false},
		{"not delivered", time.Time{}, 0, false},
	}
	for _, tt := range tests {
		got := DeliveredOnTime(&vtr.Order{DeliverBy: promise}, &vtr.ScanSummary{DeliveredAt: tt.delivered, DeliveredOffset: tt.offset})
		if got != tt.want {
			t.Errorf("%s: DeliveredOnTime = %v, want %v", tt.name, got, tt.want)
		}
	}
}
