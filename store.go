package vtr

import (
	"context"
	"io"
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

// Store is vtr's storage: it applies records, judging every package they
// touch and keeping the rolling aggregates current, and answers from
// those aggregates. SQLite implements it (package sqlite); every
// implementation passes the same contract tests (package storetest).
type Store interface {
	// Import applies records from next until it returns io.EOF. A record
	// that cannot be applied is passed to reject (with its line) and
	// skipped; records already applied are kept and durable once Import
	// returns.
	Import(ctx context.Context, next func() (Record, error), reject func(error)) (ImportStats, error)
	// Rate answers a seller's rates as of a time, from the aggregates.
	Rate(ctx context.Context, sellerID, policy string, asOf time.Time, whatIfDays int) (*RateReport, error)
	// Report streams the defect report as CSV and returns its row count.
	Report(ctx context.Context, f ReportFilter, w io.Writer) (int, error)
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

// ReportFilter selects the rows of the defect report.
type ReportFilter struct {
	SellerID, Policy string
	AsOf             time.Time
	Carrier          string
	Category         string
	// Rows with no valid tracking are always included; ShippedLate and
	// DeliveredLate add the rows flagged late (the marketplace's
	// "Shipped late" and "Delivered late" checkboxes).
	ShippedLate, DeliveredLate bool
}

// Difference is one place where the stored, incrementally maintained
// state differs from a recomputation from the raw data.
type Difference struct {
	What   string `json:"what"`
	Key    string `json:"key"`
	Stored string `json:"stored"`
	Want   string `json:"recomputed"`
}
