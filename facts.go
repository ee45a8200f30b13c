package vtr

import "time"

// ScanSummary is what a package's carrier events say, reduced to what the
// rules need. It is a function of the *set* of events: Add is commutative
// and the store adds each event once (by ID), so duplicate and
// out-of-order feeds give the same summary as a clean, ordered one.
type ScanSummary struct {
	Events   int // distinct events
	Physical int // distinct physical scans
	Unknown  int // events no table could classify
	// FirstEventAt is the earliest event of any class.
	FirstEventAt time.Time
	// FirstPhysical is the earliest physical scan (ties broken by ID):
	// the handover, and the origin compared with the ship-from address.
	FirstPhysicalAt       time.Time
	FirstPhysicalID       string
	FirstPhysicalLocation Location
	// DeliveredAt and AttemptedAt are the earliest physical delivery and
	// delivery-attempt scans.
	DeliveredAt time.Time
	AttemptedAt time.Time
	// DeliveredOffset is the UTC offset (seconds) of the delivery scan,
	// so on-time delivery compares the local delivery date with the
	// promised date.
	DeliveredOffset int
	// LastStatus is the status of the latest event (ties broken by ID).
	LastStatus EventStatus
	LastAt     time.Time
	LastID     string
}

func earlier(t time.Time, id string, ct time.Time, cid string) bool {
	return ct.IsZero() || t.Before(ct) || t.Equal(ct) && id < cid
}

// Judged is the part of a summary the verdict rules read, with the
// physical-scan count capped at maxScans (the largest number any policy
// requires): an in-transit scan beyond it leaves Judged unchanged, so the
// packages need not be judged again. The event count matters only while
// there is no physical scan (it is in the explanation).
func (s *ScanSummary) Judged(maxScans int) ScanSummary {
	j := *s
	j.Physical = min(j.Physical, maxScans)
	if j.Physical > 0 {
		j.Events = 0
	}
	j.Unknown, j.LastStatus, j.LastAt, j.LastID = 0, "", time.Time{}, ""
	return j
}

// Add folds one event (not seen before) into the summary.
func (s *ScanSummary) Add(e *Event) {
	o := eventSummary(e)
	s.Merge(&o)
}

// eventSummary is the summary of one event. Times are kept to the
// second, as they are stored: a summary merged in storage and one folded
// here agree.
func eventSummary(e *Event) ScanSummary {
	at := e.OccurredAt.Truncate(time.Second)
	o := ScanSummary{Events: 1, FirstEventAt: at, LastAt: at, LastID: e.ID, LastStatus: e.Status}
	switch e.Class {
	case EventUnknown:
		o.Unknown = 1
		return o
	case EventPhysical:
	default:
		return o
	}
	o.Physical = 1
	o.FirstPhysicalAt, o.FirstPhysicalID, o.FirstPhysicalLocation = at, e.ID, e.Location
	switch e.Status {
	case StatusDelivered:
		o.DeliveredAt = at
		if e.OffsetKnown {
			o.DeliveredOffset = e.OffsetSeconds
		}
	case StatusDeliveryAttempt:
		o.AttemptedAt = at
	}
	return o
}

// Merge folds into s the summary o of other events, none of them among
// s's: the result is the summary of both sets, however the events are
// split between them. Counts add; the earliest first event, first
// physical scan (ties broken by ID), delivery (ties broken by the lower
// UTC offset) and attempt win, as does the latest event (ties broken by
// ID). IDs compare byte by byte. Each engine merges summaries in storage
// (an upsert) by this rule, and a contract test holds them together.
func (s *ScanSummary) Merge(o *ScanSummary) {
	s.Events += o.Events
	s.Physical += o.Physical
	s.Unknown += o.Unknown
	if !o.FirstEventAt.IsZero() && (s.FirstEventAt.IsZero() || o.FirstEventAt.Before(s.FirstEventAt)) {
		s.FirstEventAt = o.FirstEventAt
	}
	if !o.LastAt.IsZero() && (s.LastAt.IsZero() || o.LastAt.After(s.LastAt) || o.LastAt.Equal(s.LastAt) && o.LastID > s.LastID) {
		s.LastAt, s.LastID, s.LastStatus = o.LastAt, o.LastID, o.LastStatus
	}
	if !o.FirstPhysicalAt.IsZero() && earlier(o.FirstPhysicalAt, o.FirstPhysicalID, s.FirstPhysicalAt, s.FirstPhysicalID) {
		s.FirstPhysicalAt, s.FirstPhysicalID, s.FirstPhysicalLocation = o.FirstPhysicalAt, o.FirstPhysicalID, o.FirstPhysicalLocation
	}
	if !o.DeliveredAt.IsZero() && (s.DeliveredAt.IsZero() || o.DeliveredAt.Before(s.DeliveredAt) ||
		o.DeliveredAt.Equal(s.DeliveredAt) && o.DeliveredOffset < s.DeliveredOffset) {
		s.DeliveredAt, s.DeliveredOffset = o.DeliveredAt, o.DeliveredOffset
	}
	if !o.AttemptedAt.IsZero() && (s.AttemptedAt.IsZero() || o.AttemptedAt.Before(s.AttemptedAt)) {
		s.AttemptedAt = o.AttemptedAt
	}
}

// JudgedChangedBy reports whether merging delta into a summary, which
// gave s, may have changed the summary's Judged part, knowing s and delta
// only (a summary merged in storage returns no earlier version): it is
// true whenever Judged changed, and also when delta only tied a value
// the summary held already, which costs a needless judgement and nothing
// else.
func (s *ScanSummary) JudgedChangedBy(delta *ScanSummary, maxScans int) bool {
	switch {
	case delta.Physical > 0 && s.Physical-delta.Physical < maxScans: // the capped count grew
		return true
	case min(s.Physical, maxScans) == 0 && delta.Events > 0: // the event count is still judged
		return true
	case !delta.FirstEventAt.IsZero() && delta.FirstEventAt.Equal(s.FirstEventAt):
		return true
	case !delta.FirstPhysicalAt.IsZero() && delta.FirstPhysicalAt.Equal(s.FirstPhysicalAt) && delta.FirstPhysicalID == s.FirstPhysicalID:
		return true
	case !delta.DeliveredAt.IsZero() && delta.DeliveredAt.Equal(s.DeliveredAt) && delta.DeliveredOffset == s.DeliveredOffset:
		return true
	case !delta.AttemptedAt.IsZero() && delta.AttemptedAt.Equal(s.AttemptedAt):
		return true
	}
	return false
}

// Summarize folds a set of events; duplicates (same ID) count once.
func Summarize(events []Event) ScanSummary {
	var s ScanSummary
	seen := make(map[string]bool, len(events))
	for i := range events {
		if seen[events[i].ID] {
			continue
		}
		seen[events[i].ID] = true
		s.Add(&events[i])
	}
	return s
}

// PackageFacts is everything a package's verdict depends on. Verdicts are
// pure functions of these facts (and, for pending, of the time asked).
type PackageFacts struct {
	Order  Order
	Seller Seller
	// Shipment is the package's current confirmation (the latest edit);
	// FirstUploadedAt is when tracking was first confirmed; Edits counts
	// the confirmations after the first.
	Shipment        Shipment
	FirstUploadedAt time.Time
	Edits           int
	// Cancellation is set when the order was cancelled.
	Cancellation *Cancellation
	// Scans summarises the events of the package's tracking number.
	Scans ScanSummary
	// ReusedFrom is the ID of an earlier order of the same seller, to
	// another destination, that carries the same tracking number ("" when
	// none). ReusedElsewhere says the earlier order is another seller's:
	// still a reused label, but that seller's order is never named.
	ReusedFrom      string
	ReusedElsewhere bool
}

// Verdict is the judgement of one package under one policy.
type Verdict struct {
	Policy string `json:"policy"`
	// Outcome is what the package counts as once it is in the window:
	// valid, invalid or exempt. It does not depend on the time asked.
	Outcome VerdictStatus `json:"outcome"`
	// Status is Outcome, or pending while the inclusion date is ahead.
	Status VerdictStatus `json:"status"`
	// Reasons are the defects (invalid) or exemptions (exempt), most
	// important first; Warnings are findings that do not count.
	Reasons  []Reason `json:"reasons"`
	Warnings []Reason `json:"warnings,omitempty"`
	// Carrier is the canonical code of the carrier entered ("" if none
	// resolves); Detected is the carrier the number really belongs to.
	Carrier  string `json:"carrier"`
	Detected string `json:"detected_carrier"`
	// Explanation is one sentence a seller can act on.
	Explanation string `json:"explanation"`
	// Delivered and OnTime feed the On-Time Delivery Rate (over validly
	// tracked packages).
	Delivered bool `json:"delivered"`
	OnTime    bool `json:"on_time"`
	// IncludedOn is the inclusion date (UTC day) that puts the package in
	// a window.
	IncludedOn time.Time `json:"included_on"`
}
