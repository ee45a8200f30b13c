package vtr

import (
	"fmt"
	"time"
)

// Counts are package counts of one group over a window. Rate is
// valid ÷ (valid + invalid), nil when nothing counts.
type Counts struct {
	Valid   int      `json:"valid"`
	Invalid int      `json:"invalid"`
	Pending int      `json:"pending"`
	Exempt  int      `json:"exempt"`
	Rate    *float64 `json:"rate"`
}

// SetRate computes Rate from the counts.
func (c *Counts) SetRate() {
	c.Rate = nil
	if n := c.Valid + c.Invalid; n > 0 {
		r := float64(c.Valid) / float64(n)
		c.Rate = &r
	}
}

// CategoryRate is the rate of one product category with its status
// against the policy (Policy.RateStatus).
type CategoryRate struct {
	Category string `json:"category"`
	Counts
	Status string `json:"status"`
}

// KeyRate is a breakdown row: a carrier, a ship-from location or a day.
type KeyRate struct {
	Key string `json:"key"`
	Counts
}

// Ratio is a sibling metric: Hits ÷ Total over its window, nil when Total
// is 0, with whether it meets its target. A Target of 0 means the policy
// sets none: Meets is then true, whatever the rate.
type Ratio struct {
	WindowDays int      `json:"window_days"`
	Hits       int      `json:"hits"`
	Total      int      `json:"total"`
	Rate       *float64 `json:"rate"`
	Target     float64  `json:"target"`
	Meets      bool     `json:"meets_target"`
}

// WhatIf is a projection for one group, Days days ahead: the window moves
// on, its oldest days leave it and the packages due meanwhile join it.
type WhatIf struct {
	Category string `json:"category"`
	Days     int    `json:"days"`
	// MaxDefects is how many more defects the group can absorb and stay
	// at or above the target; never negative: 0 when it sits on the
	// target line or is projected below it.
	MaxDefects int `json:"max_defects"`
	// NeedValid is how many more validly tracked packages (and no new
	// defect) the group needs when MaxDefects is 0: to climb back to the
	// target when projected below it, or to make room for one defect when
	// it sits on the line. 0 when the group can absorb a defect already,
	// or when adding packages cannot help (a 100% target with a defect).
	NeedValid int `json:"need_valid"`
	// ProjectedRate and ProjectedStatus are the group's projected rate
	// (nil when nothing is projected) and its status against the policy.
	ProjectedRate   *float64 `json:"projected_rate"`
	ProjectedStatus string   `json:"projected_status"`
	Message         string   `json:"message"`
}

// RateReport is the answer of `vtr rate` (and of the HTTP API to come).
type RateReport struct {
	SellerID   string         `json:"seller_id"`
	Policy     string         `json:"policy"`
	AsOf       time.Time      `json:"as_of"`
	WindowDays int            `json:"window_days"`
	Target     float64        `json:"target"`
	GroupBy    string         `json:"group_by"`
	Overall    Counts         `json:"overall"`
	Status     string         `json:"status"`
	Categories []CategoryRate `json:"categories"`
	// Breakdowns.
	Carriers  []KeyRate `json:"carriers"`
	ShipFroms []KeyRate `json:"ship_froms"`
	Days      []KeyRate `json:"days"`
	// Siblings on the Shipping Performance page.
	LateShipment10 Ratio `json:"late_shipment_rate_10d"`
	LateShipment30 Ratio `json:"late_shipment_rate_30d"`
	OnTimeDelivery Ratio `json:"on_time_delivery_rate"`
	Cancel7        Ratio `json:"pre_fulfillment_cancel_rate_7d"`
	// Benefit: VTR ≥ 98% with OTDR ≥ 97% (Amazon) allows shorter promises.
	BenefitEligible bool     `json:"benefit_eligible"`
	WhatIf          []WhatIf `json:"what_if"`
}

// DailyCount is one row of the live VTR aggregates: the packages of one
// seller and policy included on Day (UTC), by category, carrier and
// ship-from, counted by outcome. Delivered and OnTime count validly
// tracked packages only (the On-Time Delivery Rate's denominator).
type DailyCount struct {
	Day                         time.Time
	Category, Carrier, ShipFrom string
	Valid, Invalid, Exempt      int
	Delivered, OnTime           int
}

// OrderDayCount is one row of the order-level aggregates behind the
// sibling metrics: Kind "ship" is keyed on the ship-by day (Late Shipment
// Rate: Hits are late), kind "order" on the purchase day (pre-fulfilment
// cancel rate: Hits are seller cancellations).
type OrderDayCount struct {
	Kind        string
	Day         time.Time
	Total, Hits int
}

// ParseAsOf reads an "as of" time: RFC 3339, or a date meaning the end of
// that UTC day (the marketplaces' reports are by day); empty means now.
func ParseAsOf(s string, now time.Time) (time.Time, error) {
	if s == "" {
		return now.UTC(), nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), nil
	}
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t.Add(24*time.Hour - time.Second), nil
	}
	return time.Time{}, Errorf(EINVALID, "%s", fmt.Sprintf("%q is not an RFC 3339 time or a date (2026-10-31)", s))
}
