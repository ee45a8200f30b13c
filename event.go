package vtr

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// EventClass says whether a carrier event proves the carrier handled the
// parcel. Only EventPhysical ever counts toward valid tracking: Amazon
// counts a tracking number "valid only if [it has] at least one physical
// carrier scan recorded" (tracking-events.md §1).
type EventClass string

// Event classes (tracking-events.md §13.1).
const (
	// EventPhysical: the carrier or its sanctioned partner scanned or
	// handled the parcel (acceptance, hub, out for delivery, delivery).
	EventPhysical EventClass = "physical"
	// EventElectronic: a label, manifest or pre-advice record ("label
	// created", "shipment information received").
	EventElectronic EventClass = "electronic"
	// EventLogical: system-generated (estimated delivery updates, "in
	// transit to next facility", expiry, voids).
	EventLogical EventClass = "logical"
	// EventUnknown: not classified; never counts (fail closed).
	EventUnknown EventClass = "unknown"
)

// Valid reports whether c is one of the four classes.
func (c EventClass) Valid() bool {
	switch c {
	case EventPhysical, EventElectronic, EventLogical, EventUnknown:
		return true
	}
	return false
}

// EventStatus is the normalised status of an event, the union of the
// carriers' and aggregators' taxonomies (tracking-events.md §13.2).
type EventStatus string

// Event statuses.
const (
	StatusPreTransit         EventStatus = "pre_transit"
	StatusAccepted           EventStatus = "accepted"
	StatusInTransit          EventStatus = "in_transit"
	StatusOutForDelivery     EventStatus = "out_for_delivery"
	StatusDeliveryAttempt    EventStatus = "delivery_attempt"
	StatusDelivered          EventStatus = "delivered"
	StatusAvailableForPickup EventStatus = "available_for_pickup"
	StatusReturned           EventStatus = "returned"
	StatusException          EventStatus = "exception"
	StatusCancelled          EventStatus = "cancelled"
	StatusExpired            EventStatus = "expired"
	StatusNotFound           EventStatus = "not_found"
	StatusUnknown            EventStatus = "unknown"
)

// EventStatuses lists every status, in journey order.
var EventStatuses = []EventStatus{
	StatusPreTransit, StatusAccepted, StatusInTransit, StatusOutForDelivery, StatusDeliveryAttempt,
	StatusAvailableForPickup, StatusDelivered, StatusReturned, StatusException, StatusCancelled,
	StatusExpired, StatusNotFound, StatusUnknown,
}

// Valid reports whether s is a known status.
func (s EventStatus) Valid() bool {
	for _, x := range EventStatuses {
		if s == x {
			return true
		}
	}
	return false
}

// DefaultClass is the class a status implies when no raw carrier code
// classifies the event: pre-transit, cancelled, expired, not-found and
// unknown events are never physical; the movement statuses are.
func (s EventStatus) DefaultClass() EventClass {
	switch s {
	case StatusPreTransit, StatusNotFound:
		return EventElectronic
	case StatusCancelled, StatusExpired:
		return EventLogical
	case StatusUnknown:
		return EventUnknown
	case StatusException:
		// An exception may be a physical scan (damaged in a hub) or a
		// system notice; without a code it cannot be told: fail closed.
		return EventUnknown
	}
	if s.Valid() {
		return EventPhysical
	}
	return EventUnknown
}

// Location is where an event happened, each field possibly empty.
type Location struct {
	City       string `json:"city,omitempty"`
	State      string `json:"state,omitempty"`
	PostalCode string `json:"postal_code,omitempty"`
	Country    string `json:"country,omitempty"` // ISO 3166-1 alpha-2
}

// IsZero reports whether nothing is known of the location.
func (l Location) IsZero() bool { return l == Location{} }

// Event is one carrier tracking event, normalised from whatever feed
// delivered it.
type Event struct {
	// ID is the idempotency key (see EventID): the same event delivered
	// twice, by the same feed or another, has the same ID.
	ID string
	// Carrier is the canonical code of the carrier that owns the number.
	Carrier string
	// ReportedBy is the carrier (or partner) that emitted the event, when
	// the feed says so; "" means the owner.
	ReportedBy string
	// TrackingNumber is the normalised number.
	TrackingNumber string
	// OccurredAt is when the event happened, in UTC.
	OccurredAt time.Time
	// OffsetSeconds is the UTC offset the time was given with, kept so the
	// carrier's local time can be shown; OffsetKnown is false when the
	// feed gave no zone.
	OffsetSeconds int
	OffsetKnown   bool
	// Code and Description are the raw carrier code and text exactly as
	// received; TypeCode is a secondary raw code (UPS status type, FedEx
	// derived status, an aggregator's tag).
	Code        string
	TypeCode    string
	Description string
	// Status and Class are the normalised status and class; ClassRule
	// names the rule that decided the class (an audit trail).
	Status    EventStatus
	Class     EventClass
	ClassRule string
	Location  Location
	// Source is the feed ("native", "aftership", "easypost", "17track");
	// SourceID identifies the delivery within the feed (a webhook's event
	// id), kept for audit, not part of the identity.
	Source   string
	SourceID string
}

// EventID returns the idempotency key of an event: a hex SHA-256 over the
// owning carrier, the tracking number, the occurrence time (UTC, to the
// second), the raw code (or the status when there is none), the
// description (case and spacing folded) and the location. It excludes the
// feed and its delivery id, so a redelivered webhook is stored once. The
// description is part of the key because some feeds repeat one raw code on
// every checkpoint (AfterShip's raw_tag): two scans at the same minute and
// place must not collapse into one.
func EventID(e *Event) string {
	// One buffer on the stack, hashed at once: the same bytes as writing
	// each field to the hash in turn, without an allocation per field.
	var stack [512]byte
	b := stack[:0]
	b = appendKeyField(b, e.Carrier)
	b = appendKeyField(b, e.TrackingNumber)
	var unix [20]byte
	b = appendKeyField(b, string(strconv.AppendInt(unix[:0], e.OccurredAt.Unix(), 10)))
	if e.Code != "" {
		b = appendKeyField(b, e.Code)
	} else {
		b = appendKeyField(b, string(e.Status))
	}
	var words [256]byte
	b = appendKeyField(b, string(foldWords(words[:0], e.Description)))
	b = appendKeyField(b, e.Location.City)
	b = appendKeyField(b, e.Location.State)
	b = appendKeyField(b, e.Location.PostalCode)
	b = appendKeyField(b, e.Location.Country)
	sum := sha256.Sum256(b)
	var h [2 * sha256.Size]byte
	hex.Encode(h[:], sum[:])
	return string(h[:32])
}

// appendKeyField appends one field of an event's key: its length, a
// colon, and the field.
func appendKeyField(b []byte, s string) []byte {
	b = strconv.AppendInt(b, int64(len(s)), 10)
	b = append(b, ':')
	return append(b, s...)
}

// foldWords appends s lower-cased, its words separated by one space:
// strings.Join(strings.Fields(strings.ToLower(s)), " "), done in place for
// ASCII text (carriers' descriptions nearly always are).
func foldWords(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return append(b, strings.Join(strings.Fields(strings.ToLower(s)), " ")...)
		}
	}
	start, inWord := len(b), false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case ' ', '\t', '\n', '\v', '\f', '\r':
			inWord = false
			continue
		}
		if !inWord && len(b) > start {
			b = append(b, ' ')
		}
		inWord = true
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b = append(b, c)
	}
	return b
}
