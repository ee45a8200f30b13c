package ingest

import (
	"context"
	"time"

	"github.com/vtr-project/vtr"
)

// Engine is a storage engine: SQL and driver concerns only. It opens
// write transactions for the import algorithm and answers the typed
// reads; it holds no rule and no state between calls.
type Engine interface {
	// Begin starts a write transaction. Writers are serialised by the
	// engine (SQLite: BEGIN IMMEDIATE; PostgreSQL: a transaction-scoped
	// advisory lock), so everything a transaction reads stays true until
	// it commits; it waits for another writer and, if it must give up,
	// returns an ECONFLICT error saying so.
	Begin(ctx context.Context) (Tx, error)
	// BeginRead starts a read-only transaction over one consistent
	// snapshot (Verify).
	BeginRead(ctx context.Context) (Tx, error)

	// SellerPolicies returns the policies a seller is judged by: the
	// seller's own list, then those of its orders. Unknown seller and no
	// orders: an ENOTFOUND error.
	SellerPolicies(ctx context.Context, sellerID string) ([]string, error)
	Seller(ctx context.Context, id string) (*vtr.Seller, error)
	Sellers(ctx context.Context) ([]vtr.Seller, error)
	// Daily returns a seller's aggregate rows under a policy from the day
	// from on (later days included: they are pending).
	Daily(ctx context.Context, sellerID, policy string, from time.Time) ([]vtr.DailyCount, error)
	// OrderDaily returns a seller's order-level rows with from <= day <= to.
	OrderDaily(ctx context.Context, sellerID, policy string, from, to time.Time) ([]vtr.OrderDayCount, error)
	// Defects streams the packages of q.
	Defects(ctx context.Context, q DefectQuery, emit func(*DefectSource) error) error
	// ReasonDaily sums the defects-by-reason counts of a seller under a
	// policy from day from to day to (inclusive).
	ReasonDaily(ctx context.Context, sellerID, policy string, from, to time.Time) (map[vtr.Reason]int, error)
	Unclassified(ctx context.Context) ([]vtr.UnknownCode, error)
	LastDay(ctx context.Context, sellerID string) (time.Time, error)
	Empty(ctx context.Context) (bool, error)
	Close() error
}

// Tx is one transaction: the narrow set of reads and writes the import
// algorithm and Verify need. Implementations run SQL and nothing else.
// Methods returning (value, bool, error) report absence with false.
type Tx interface {
	Seller(ctx context.Context, id string) (vtr.Seller, bool, error)
	PutSeller(ctx context.Context, s *vtr.Seller) error
	// SellerPackages lists the keys of a seller's packages.
	SellerPackages(ctx context.Context, sellerID string) ([]PackageKey, error)

	// Orders returns those of the orders named that exist.
	Orders(ctx context.Context, refs []OrderRef) ([]OrderState, error)
	// OrderSellers lists, for each order ID that some seller has, the
	// sellers with an order of that ID, sorted.
	OrderSellers(ctx context.Context, orderIDs []string) (map[string][]string, error)
	// PutOrders writes whole order rows, cancellation and first ship
	// time included.
	PutOrders(ctx context.Context, os []*OrderState) error
	// OrderPackages returns the packages of the orders named, with their
	// stored state and verdict (Current left empty: it is the history's
	// row CurSeq).
	OrderPackages(ctx context.Context, refs []OrderRef) ([]Package, error)
	// Histories returns every confirmation of the packages of the orders
	// named, by package and sequence.
	Histories(ctx context.Context, refs []OrderRef) ([]ShipmentRow, error)
	// AddShipments stores new confirmations (keyed by their seller, order
	// and package IDs).
	AddShipments(ctx context.Context, rows []ShipmentRow) error
	// PutPackages writes whole package rows: derived state and verdict
	// (Counted, empty before the first judgement). It takes the values
	// before it returns: the caller may reuse ps.
	PutPackages(ctx context.Context, ps []*Package) error
	// PutVerdicts replaces the verdicts stored with packages, leaving
	// their state as stored; the caller may reuse vs once it returns.
	PutVerdicts(ctx context.Context, vs []Verdict) error

	// Orphans returns the records parked for these order IDs, whatever
	// their seller, by seller, order and sequence. Park keeps a record
	// whose order has not arrived; a group of them (one seller, or ""
	// for none named, and one order ID) is taken whole.
	Orphans(ctx context.Context, orderIDs []string) ([]Orphan, error)
	// DeleteOrphans removes every record parked in these groups
	// (Seller "" for records that named no seller).
	DeleteOrphans(ctx context.Context, groups []OrderRef) error
	// AddOrphans parks records, each with its sequence in its group.
	AddOrphans(ctx context.Context, os []Orphan) error

	// Read makes the reads of q in one call: a batch asks for what it
	// will need together. An engine whose every call is a round trip
	// sends them together; another may call ReadOneByOne.
	Read(ctx context.Context, q Reads) (ReadResults, error)

	// PackagesByNumber lists, for each number, the packages whose current
	// number it is.
	PackagesByNumber(ctx context.Context, nums []string) (map[string][]PackageKey, error)
	// NumberOrders lists, for each number and each order with a package
	// currently carrying it, the earliest ship time of those packages
	// and the order's destination.
	NumberOrders(ctx context.Context, nums []string) (map[string][]NumberOrder, error)

	// AddEvents stores the events not stored yet (same number and ID).
	// An engine may send the work and return before it is done, so that
	// the caller goes on meanwhile; the returned function waits for it.
	// Methods called in between see the events stored. The caller keeps
	// evs unchanged and calls the function before Commit.
	AddEvents(ctx context.Context, evs []*vtr.Event) EventsDone
	// MergeSummaries merges each delta into its number's stored scan
	// summary (vtr.ScanSummary.Merge; a number without one gets the
	// delta) and returns the merged summaries.
	MergeSummaries(ctx context.Context, deltas []NumberSummary) (map[string]vtr.ScanSummary, error)
	// Summaries returns the stored scan summaries of those numbers that
	// have one.
	Summaries(ctx context.Context, nums []string) (map[string]vtr.ScanSummary, error)
	// AddDaily and AddOrderDaily add deltas to the aggregates, removing
	// rows that fall to zero; AddUnknown counts unclassified codes.
	AddDaily(ctx context.Context, d []DailyDelta) error
	AddOrderDaily(ctx context.Context, d []OrderDelta) error
	// AddReasonDaily adds deltas to the defects-by-reason counts,
	// removing rows that fall to zero.
	AddReasonDaily(ctx context.Context, d []ReasonDelta) error
	AddUnknown(ctx context.Context, u []vtr.UnknownCode) error

	// Wants reports whether any active webhook subscription asks for an
	// event type (a batch builds no event nobody asked for); Announce
	// queues outgoing webhook events in this transaction, so they exist
	// exactly when the change they announce does.
	Wants(ctx context.Context, eventType string) (bool, error)
	Announce(ctx context.Context, evs []vtr.OutboxEvent) error

	// Reads for Verify: whole tables, streamed.
	EachEvent(ctx context.Context, fn func(*vtr.Event) error) error
	EachSummary(ctx context.Context, fn func(num string, s *vtr.ScanSummary) error) error
	EachPackage(ctx context.Context, fn func(PackageKey) error) error
	EachOrder(ctx context.Context, fn func(*OrderState) error) error
	EachDaily(ctx context.Context, fn func(*DailyDelta) error) error
	EachOrderDaily(ctx context.Context, fn func(*OrderDelta) error) error
	EachReasonDaily(ctx context.Context, fn func(*ReasonDelta) error) error
	EachOrphan(ctx context.Context, fn func(*Orphan) error) error

	Commit() error
	Rollback() error
}

// Reads names what Read reads, each part as the method named: the
// sellers of the order IDs OrderSellers (OrderSellers), the orders and
// packages of Orders (Orders, OrderPackages), the confirmations of the
// orders History (Histories), the records parked for the order IDs
// OrphansOf (Orphans), the seller rows of Sellers (Seller), whether a
// subscription wants the event type Wants (Wants), the packages of the
// numbers Numbers (PackagesByNumber) and the scan summaries of Summaries
// (Summaries). An empty part reads nothing.
type Reads struct {
	OrderSellers []string
	Orders       []OrderRef
	History      []OrderRef
	OrphansOf    []string
	Sellers      []string
	Wants        string
	Numbers      []string
	Summaries    []string
}

func (q *Reads) empty() bool {
	return len(q.OrderSellers)+len(q.Orders)+len(q.History)+len(q.OrphansOf)+len(q.Sellers)+len(q.Numbers)+len(q.Summaries) == 0 && q.Wants == ""
}

// ReadResults is what Read read, each part as its method returns it
// (Sellers: the sellers found).
type ReadResults struct {
	OrderSellers map[string][]string
	Orders       []OrderState
	Packages     []Package
	History      []ShipmentRow
	Orphans      []Orphan
	Sellers      map[string]vtr.Seller
	Wanted       bool
	Numbers      map[string][]PackageKey
	Summaries    map[string]vtr.ScanSummary
}

// EventsDone waits for an AddEvents and gives the events it stored
// (each once).
type EventsDone func() (stored []*vtr.Event, err error)

// ReadOneByOne makes the reads of q with one method call each: Read for
// an engine where a call costs no round trip.
func ReadOneByOne(ctx context.Context, tx Tx, q Reads) (ReadResults, error) {
	var f ReadResults
	var err error
	if len(q.OrderSellers) > 0 {
		if f.OrderSellers, err = tx.OrderSellers(ctx, q.OrderSellers); err != nil {
			return f, err
		}
	}
	if len(q.Orders) > 0 {
		if f.Orders, err = tx.Orders(ctx, q.Orders); err != nil {
			return f, err
		}
		if f.Packages, err = tx.OrderPackages(ctx, q.Orders); err != nil {
			return f, err
		}
	}
	if len(q.History) > 0 {
		if f.History, err = tx.Histories(ctx, q.History); err != nil {
			return f, err
		}
	}
	if len(q.OrphansOf) > 0 {
		if f.Orphans, err = tx.Orphans(ctx, q.OrphansOf); err != nil {
			return f, err
		}
	}
	if len(q.Sellers) > 0 {
		f.Sellers = map[string]vtr.Seller{}
		for _, id := range q.Sellers {
			s, ok, err := tx.Seller(ctx, id)
			if err != nil {
				return f, err
			}
			if ok {
				f.Sellers[id] = s
			}
		}
	}
	if q.Wants != "" {
		if f.Wanted, err = tx.Wants(ctx, q.Wants); err != nil {
			return f, err
		}
	}
	if len(q.Numbers) > 0 {
		if f.Numbers, err = tx.PackagesByNumber(ctx, q.Numbers); err != nil {
			return f, err
		}
	}
	if len(q.Summaries) > 0 {
		if f.Summaries, err = tx.Summaries(ctx, q.Summaries); err != nil {
			return f, err
		}
	}
	return f, nil
}

// PackageKey names a package: seller first (tenancy is in the key).
type PackageKey struct{ Seller, Order, Package string }

// OrderRef names an order: seller first.
type OrderRef struct{ Seller, Order string }

// Verdict is a package's new stored verdict; Old is what was stored,
// so an engine may skip columns that did not change.
type Verdict struct {
	Key          PackageKey
	Old, Counted Counted
}

// NumberSummary is the scan summary of a tracking number.
type NumberSummary struct {
	Num     string
	Summary *vtr.ScanSummary
}

// OrderState is an order with what happened to it since.
type OrderState struct {
	Order          vtr.Order
	Cancellation   *vtr.Cancellation
	FirstShippedAt time.Time
}

// Orphan is a shipment or cancellation that arrived before its order.
// SellerID is "" when the record named no seller.
type Orphan struct {
	SellerID, OrderID string
	Seq               int64  // its place in the group (1 first); 0 from EachOrphan
	Kind              string // "shipment" or "cancellation"
	Body              []byte // the record as JSON
}

// ShipmentRow is one stored confirmation of a package.
type ShipmentRow struct {
	Seq      int64
	Shipment vtr.Shipment
}

// Package is a package's stored state: derived from its confirmations
// (Current, FirstUploadedAt, Edits) and the verdict it counts as.
type Package struct {
	Key             PackageKey
	Tracking        string // normalised current number, "" when unreadable
	CurSeq          int64
	Current         vtr.Shipment
	FirstUploadedAt time.Time
	Edits           int
	Counted         Counted
}

// Counted is a package's stored verdict: its contribution to the daily
// aggregates and the text of its reasons. Policy is "" before the first
// judgement.
type Counted struct {
	Policy, Outcome, Category, Carrier, ShipFrom string
	Day                                          int64 // Unix day of inclusion
	Delivered, OnTime                            bool
	Reasons, Warnings, Detected, Explanation     string
}

// NumberOrder is an order carrying a tracking number (for label reuse).
type NumberOrder struct {
	Seller, Order string
	ShippedAt     time.Time
	ShipTo        vtr.Location
}

// DailyKey is the key of an aggregate row.
type DailyKey struct {
	Seller, Policy string
	Day            int64
	Category       string
	Carrier        string
	ShipFrom       string
}

// Tally is what an aggregate row counts.
type Tally struct{ Valid, Invalid, Exempt, Delivered, OnTime int }

// DailyDelta is a change to (or, from EachDaily, the content of) an
// aggregate row.
type DailyDelta struct {
	Key DailyKey
	Tally
}

// ReasonKey is the key of a defects-by-reason row: a seller's packages
// with no valid tracking under a policy, included on a day, that carry
// a reason.
type ReasonKey struct {
	Seller, Policy string
	Day            int64
	Reason         vtr.Reason
}

// ReasonDelta is a change to (or the content of) a defects-by-reason row.
type ReasonDelta struct {
	Key     ReasonKey
	Invalid int
}

// OrderKey is the key of an order-level aggregate row.
type OrderKey struct {
	Seller, Policy, Kind string
	Day                  int64
}

// OrderDelta is a change to (or the content of) an order-level row.
type OrderDelta struct {
	Key         OrderKey
	Total, Hits int
}

// DefectSource is what an engine reads for one row of the defect report;
// the report's rules turn it into a vtr.DefectRow.
// DefectQuery is the packages Engine.Defects streams: a seller's under a
// policy included from day From to day To (inclusive), exempt ones left
// out (and, with InvalidOnly, all but the invalid ones), ordered by
// inclusion day, order and package; after the position After, or before
// Before in the reverse order; at most Limit (0: all).
type DefectQuery struct {
	SellerID, Policy string
	From, To         time.Time
	InvalidOnly      bool
	// Without InvalidOnly, MaybeShippedLate and MaybeDeliveredLate keep
	// only the packages with no valid tracking and those that may carry
	// a late flag asked for: a necessary condition (the order's first
	// shipment after its ship-by time; delivered and not on time), so that
	// an engine need not send the packages that cannot be rows. The
	// engine's rules decide on what comes back. Neither set: every
	// non-exempt package.
	MaybeShippedLate, MaybeDeliveredLate bool
	// Carrier, when set, keeps only the packages of this carrier code.
	Carrier       string
	After, Before *vtr.DefectCursor
	Limit         int
	// Scans reads each package's scan summary with it.
	Scans bool
}

type DefectSource struct {
	Key                                 PackageKey
	Outcome, Reasons, Carrier, Detected string
	Explanation, Category               string
	Delivered, OnTime                   bool
	Day                                 int64
	Shipment                            vtr.Shipment
	DeliverBy, ShipBy, FirstShippedAt   time.Time
	Value                               vtr.Money
	ShipFrom                            []vtr.ShipFrom // the seller's registered locations
	Scans                               *vtr.ScansSeen // when the query asks
}

// Day converts a Unix day number to its UTC midnight.
func Day(n int64) time.Time { return time.Unix(n*86400, 0).UTC() }

// DayNum converts a time to its UTC Unix day number (0 for the zero time).
func DayNum(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix() / 86400
}
