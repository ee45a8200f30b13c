package vtr

import (
	"context"
	"time"
)

// Record is one input item: exactly one of the pointers is set. Line is
// its line number in the input, for errors.
type Record struct {
	Line         int
	Type         string
	Seller       *Seller
	Order        *Order
	Shipment     *Shipment
	Cancellation *Cancellation
	Event        *Event
}

// Store is vtr's storage service: it applies records, judging every
// package they touch and keeping the rolling aggregates current, and
// answers from those aggregates with typed values. Package ingest
// implements it once over any storage engine (sqlite, postgres); every
// engine passes the same contract tests (package storetest).
type Store interface {
	// Import applies records from next until it returns io.EOF. A record
	// that cannot be applied (a *LineError from next, or a record the
	// rules refuse) is passed to reject and skipped. What Import reports
	// in its stats is committed; on an error or a cancelled context the
	// batch in progress is rolled back and the earlier ones are kept.
	// next is called from a goroutine of Import's own, one call at a
	// time, so that reading overlaps writing; reject is never called
	// concurrently with itself. When Import returns an error, a call to
	// next already in progress may still complete: the caller closes its
	// input to end it.
	Import(ctx context.Context, next func() (Record, error), reject func(error)) (ImportStats, error)
	// Rate answers a seller's rates as of a time, from the aggregates.
	// An empty policy means the seller's first; a policy the seller is
	// not judged by is a not-found error.
	Rate(ctx context.Context, sellerID, policy string, asOf time.Time, whatIfDays int) (*RateReport, error)
	// Defects streams the rows of the defect report to emit and returns
	// their count.
	Defects(ctx context.Context, f ReportFilter, emit func(*DefectRow) error) (int, error)
	// Sellers lists the sellers by ID; Seller returns one (not found is
	// an error).
	Sellers(ctx context.Context) ([]Seller, error)
	Seller(ctx context.Context, id string) (*Seller, error)
	// Unclassified lists the carrier codes no table classified, most
	// frequent first.
	Unclassified(ctx context.Context) ([]UnknownCode, error)
	// LastDay is the latest inclusion day of any package of a seller
	// ("": of any seller; zero when there is none): the natural "as
	// of" for data that is not live.
	LastDay(ctx context.Context, sellerID string) (time.Time, error)
	// Empty reports whether the store holds no data at all.
	Empty(ctx context.Context) (bool, error)
	// Verify recomputes everything from the raw data and returns every
	// difference from the live state.
	Verify(ctx context.Context) ([]Difference, error)
	Close() error
}

// ImportStats counts what an import did.
type ImportStats struct {
	Records, Sellers, Orders, Shipments, Cancellations int
	Events, DuplicateEvents, UnknownEvents             int
	Rejected                                           int
	Packages                                           int // verdicts recomputed
}

// Add adds o's counts to s.
func (s *ImportStats) Add(o ImportStats) {
	s.Records += o.Records
	s.Sellers += o.Sellers
	s.Orders += o.Orders
	s.Shipments += o.Shipments
	s.Cancellations += o.Cancellations
	s.Events += o.Events
	s.DuplicateEvents += o.DuplicateEvents
	s.UnknownEvents += o.UnknownEvents
	s.Rejected += o.Rejected
	s.Packages += o.Packages
}

// ReportFilter selects the rows of the defect report.
type ReportFilter struct {
	SellerID, Policy string
	AsOf             time.Time
	// Carrier is any spelling the carrier lookup accepts; Category is
	// matched without regard to case.
	Carrier  string
	Category string
	// Rows with no valid tracking are always included; ShippedLate and
	// DeliveredLate add the rows flagged late (the marketplace's
	// "Shipped late" and "Delivered late" checkboxes).
	ShippedLate, DeliveredLate bool
	// After starts the rows after this position of the report's order;
	// Before (with After nil) streams the rows before it, nearest first:
	// the dashboard's next and previous pages, at any depth, without
	// reading the rows before them.
	After, Before *DefectCursor
	// Limit stops the stream after that many rows (0: every row).
	Limit int
	// Scans adds what vtr received for each row's number (the
	// dashboard's rows; the marketplace's report has no such column).
	Scans bool
}

// DefectCursor is a position in the defect report's order: inclusion
// day, then order ID, then package ID.
type DefectCursor struct {
	Day                time.Time
	OrderID, PackageID string
}

// Cursor is the row's position in the report's order.
func (r *DefectRow) Cursor() DefectCursor {
	return DefectCursor{Day: r.IncludedOn, OrderID: r.OrderID, PackageID: r.PackageID}
}

// ScansSeen is what vtr received for a package's tracking number, by
// class: events in all, physical scans (the carrier had the package),
// unclassified codes, and the rest informational.
type ScansSeen struct {
	Events          int         `json:"events"`
	Physical        int         `json:"physical"`
	Unclassified    int         `json:"unclassified"`
	FirstPhysicalAt time.Time   `json:"first_physical_at,omitzero"`
	AttemptedAt     time.Time   `json:"attempted_at,omitzero"`
	DeliveredAt     time.Time   `json:"delivered_at,omitzero"`
	LastStatus      EventStatus `json:"last_status,omitempty"`
	LastAt          time.Time   `json:"last_at,omitzero"`
}

// Informational counts the events that are neither physical scans nor
// unclassified (label created, notices).
func (s *ScansSeen) Informational() int { return s.Events - s.Physical - s.Unclassified }

// DefectRow is one row of the defect report: the marketplace's columns
// (Amazon's Valid Tracking Rate report) and vtr's reasons.
type DefectRow struct {
	OrderID   string `json:"order_id"`
	PackageID string `json:"package_id"`
	// CarrierName is the carrier as entered (the free-text name with
	// "Other"); Carrier is its canonical code ("" when none resolves).
	CarrierName string `json:"carrier_name"`
	Carrier     string `json:"carrier"`
	// TrackingNumber is the number as entered; TrackingID is the report's
	// cell: the number, or "<order-id>-InvalidId".
	TrackingNumber  string    `json:"tracking_number"`
	TrackingID      string    `json:"tracking_id"`
	OriginCountry   string    `json:"origin_country"`
	PromisedBy      time.Time `json:"promised_delivery_date"`
	ShipMethod      string    `json:"ship_method"`
	NoValidTracking bool      `json:"no_valid_tracking"`
	ShippedLate     bool      `json:"shipped_late"`
	DeliveredLate   bool      `json:"delivered_late"`
	Value           Money     `json:"package_value"`
	Category        string    `json:"product_category"`
	Reasons         []Reason  `json:"reasons"`
	Detected        string    `json:"detected_carrier"`
	Explanation     string    `json:"explanation"`
	IncludedOn      time.Time `json:"included_on"`
	// Scans is set when the filter asks for them.
	Scans *ScansSeen `json:"scans,omitempty"`
}

// UnknownCode is a carrier event code no table classified, counted per
// feed and carrier, with an example description.
type UnknownCode struct {
	Source  string `json:"source"`
	Carrier string `json:"carrier"`
	Code    string `json:"code"`
	Example string `json:"example"`
	Count   int    `json:"count"`
}

// Difference is one place where the stored, incrementally maintained
// state differs from a recomputation from the raw data.
type Difference struct {
	What   string `json:"what"`
	Key    string `json:"key"`
	Stored string `json:"stored"`
	Want   string `json:"recomputed"`
}

// PackageVerdict is what is stored of one package of an order: its
// verdict so far and the reasons behind it.
type PackageVerdict struct {
	PackageID string `json:"package_id"`
	// Status is the verdict as of now: pending until the package counts
	// (its inclusion day, the promised delivery date, has come), then
	// its Outcome. "" before the package was first judged.
	Status string `json:"status"`
	// Outcome is what the package counts as on IncludedOn if nothing
	// changes (a scan, an edit), and Reasons why.
	Outcome     string    `json:"outcome,omitempty"`
	IncludedOn  time.Time `json:"included_on,omitzero"`
	Policy      string    `json:"policy,omitempty"`
	Category    string    `json:"category,omitempty"`
	Carrier     string    `json:"carrier,omitempty"`
	Detected    string    `json:"detected_carrier,omitempty"`
	Reasons     []Reason  `json:"reasons"`
	Warnings    []Reason  `json:"warnings"`
	Explanation string    `json:"explanation,omitempty"`
}
