// Package engine judges packages against marketplace policies and keeps
// the rolling metrics. It is the pure core of vtr: verdicts and rates are
// functions of their inputs and an explicit time; nothing here reads a
// clock, a file or a socket.
package engine

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/tracking"
)

// Day truncates t to its UTC day: windows are counted in whole days of the
// inclusion date (Amazon keys inclusion on the promised delivery date).
func Day(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// IncludedOn returns the day that puts a package in a policy's window.
func IncludedOn(p *vtr.Policy, f *vtr.PackageFacts) time.Time {
	if p.Inclusion == "ship_date" {
		return Day(f.Shipment.ShippedAt)
	}
	return Day(f.Order.DeliverBy)
}

// shipFrom returns the registered ship-from of the shipment: the one it
// names, else the seller's only one; ok is false when unknown.
func shipFrom(f *vtr.PackageFacts) (vtr.ShipFrom, bool) {
	for _, sf := range f.Seller.ShipFrom {
		if sf.ID == f.Shipment.ShipFromID {
			return sf, true
		}
	}
	if f.Shipment.ShipFromID == "" && len(f.Seller.ShipFrom) == 1 {
		return f.Seller.ShipFrom[0], true
	}
	return vtr.ShipFrom{}, false
}

// Origin returns the ship-from country of a package ("" when unknown).
func Origin(f *vtr.PackageFacts) string {
	if sf, ok := shipFrom(f); ok {
		return sf.Country
	}
	return ""
}

// judgement accumulates reasons while the rules run.
type judgement struct {
	v        vtr.Verdict
	sentence string // the explanation of the first reason
	label    string // the carrier as messages name it ("" when unknown)
}

func (j *judgement) defect(r vtr.Reason, format string, args ...any) {
	if len(j.v.Reasons) == 0 {
		j.sentence = fmt.Sprintf(format, args...)
	}
	j.v.Reasons = append(j.v.Reasons, r)
}

// Judge returns the verdict on one package under one policy as of asOf.
func Judge(p *vtr.Policy, f *vtr.PackageFacts, asOf time.Time) vtr.Verdict {
	j := judgement{v: vtr.Verdict{Policy: p.ID, IncludedOn: IncludedOn(p, f)}}
	j.rules(p, f)
	v := j.v
	switch {
	case v.Outcome == vtr.VerdictExempt:
	case len(v.Reasons) > 0:
		v.Outcome = vtr.VerdictInvalid
	default:
		v.Outcome = vtr.VerdictValid
		j.sentence = fmt.Sprintf("Valid: %s recorded a physical scan on %s.",
			orElse(j.label, "the carrier"), f.Scans.FirstPhysicalAt.UTC().Format("2006-01-02 15:04 MST"))
	}
	v.Delivered = !f.Scans.DeliveredAt.IsZero()
	v.OnTime = DeliveredOnTime(&f.Order, &f.Scans)
	v.Status = v.Outcome
	if v.IncludedOn.After(Day(asOf)) {
		v.Status = vtr.VerdictPending
	}
	v.Explanation = j.sentence
	return v
}

// orElse returns s, or fallback when s is empty: messages name the
// carrier or the origin when known and still read right when not.
func orElse(s, fallback string) string {
	if s == "" {
		return fallback
	}
	return s
}

func (j *judgement) exempt(r vtr.Reason, why string) {
	j.v.Outcome = vtr.VerdictExempt
	j.v.Reasons = []vtr.Reason{r}
	j.sentence = "Exempt: " + why + "."
}

func foldIn(list []string, s string) bool {
	fs := tracking.Fold(s)
	for _, x := range list {
		if tracking.Fold(x) == fs {
			return true
		}
	}
	return false
}

// exemption returns the first exemption of the policy that applies.
func exemption(p *vtr.Policy, f *vtr.PackageFacts, origin string) (vtr.Exemption, bool) {
	for _, e := range p.Exemptions {
		if len(e.Origins) > 0 && !slices.Contains(e.Origins, origin) {
			continue
		}
		if e.Domestic != "" {
			if origin == "" || f.Order.ShipTo.Country == "" {
				continue
			}
			domestic := origin == f.Order.ShipTo.Country
			if domestic != (e.Domestic == "domestic") {
				continue
			}
		}
		if e.Below != nil && (f.Order.Value.Currency != e.Below.Currency || f.Order.Value.Minor >= e.Below.Minor) {
			continue
		}
		if len(e.ShipMethods) > 0 && !foldIn(e.ShipMethods, f.Shipment.ShipMethod) {
			continue
		}
		if len(e.Carriers) > 0 && !foldIn(e.Carriers, f.Shipment.Carrier) && !foldIn(e.Carriers, f.Shipment.CarrierName) {
			continue
		}
		if e.Freight && !f.Order.Freight || e.Digital && !f.Order.Digital {
			continue
		}
		return e, true
	}
	return vtr.Exemption{}, false
}

func (j *judgement) rules(p *vtr.Policy, f *vtr.PackageFacts) {
	origin := Origin(f)
	// Scope and exemptions (marketplace-rules.md §7).
	if len(p.Origins) > 0 && origin != "" && !slices.Contains(p.Origins, origin) {
		j.exempt(vtr.ExemptOrigin, fmt.Sprintf("%s covers packages shipped from %s; this one ships from %s", p.Name, strings.Join(p.Origins, "/"), origin))
		return
	}
	if f.Cancellation != nil {
		j.exempt(vtr.ExemptCancelled, "the order was cancelled on "+f.Cancellation.CancelledAt.Format("2006-01-02"))
		return
	}
	if e, ok := exemption(p, f, origin); ok {
		j.exempt(e.Code, exemptionWhy(e, f))
		return
	}

	// The carrier and the number (§4.2, §8, §12.2): one decision, shared
	// with the flat-file pre-flight.
	sh := f.Shipment
	if f.Order.ID != "" {
		sh.OrderID = f.Order.ID // the order the number must not repeat
	}
	a := AcceptCarrier(p, origin, &sh)
	j.v.Carrier, j.v.Detected = a.Carrier, a.Detected
	j.label = carrierLabel(&a, &f.Shipment)
	for i, r := range a.Reasons {
		if i == 0 {
			j.defect(r, "%s", a.Message)
		} else {
			j.defect(r, "")
		}
	}

	// Scans (§4.1, §5).
	s := &f.Scans
	need, needDelivery := p.Scans.MinPhysical, false
	for _, h := range p.Scans.HighValue {
		if slices.Contains(h.Origins, origin) && f.Order.Value.Currency == h.AtLeast.Currency && f.Order.Value.Minor >= h.AtLeast.Minor {
			need, needDelivery = max(need, h.MinPhysical), h.RequireDeliveryOrAttempt
			break
		}
	}
	number := orElse(strings.TrimSpace(f.Shipment.TrackingNumber), "the blank tracking ID")
	switch {
	case s.Physical == 0 && s.Events == 0:
		j.defect(vtr.NoPhysicalScan, "%s has recorded no event at all for %s.", orElse(j.label, "The carrier"), number)
	case s.Physical == 0:
		j.defect(vtr.NoPhysicalScan, "%s has recorded %d event(s) for %s but no physical scan: a label-created or shipment-information record does not count.",
			orElse(j.label, "The carrier"), s.Events, number)
	case s.Physical < need || needDelivery && s.DeliveredAt.IsZero() && s.AttemptedAt.IsZero():
		extra := ""
		if needDelivery {
			extra = " including a delivery or delivery-attempt scan"
		}
		j.defect(vtr.InsufficientScans, "Shipped %s at %s, the package needs %d physical scans%s; %s recorded %d.",
			shippedFrom(origin), f.Order.Value, need, extra, orElse(j.label, "the carrier"), s.Physical)
	}

	// Upload timing (§4.3, §8).
	if p.UploadBeforeDelivery && !s.DeliveredAt.IsZero() && f.Shipment.UploadedAt.After(s.DeliveredAt) {
		what := "entered"
		if f.Edits > 0 {
			what = "last edited"
		}
		j.defect(vtr.UploadedAfterDelivery, "Tracking was %s on %s, after delivery on %s; changes after delivery count as a defect.",
			what, f.Shipment.UploadedAt.Format(time.RFC3339), s.DeliveredAt.Format(time.RFC3339))
	}
	if p.Upload.From != "" {
		var deadline time.Time
		switch p.Upload.From {
		case "handover":
			// The handover is the earlier of the declared ship time and
			// the carrier's first physical scan.
			handover := s.FirstPhysicalAt
			if !f.Shipment.ShippedAt.IsZero() && (handover.IsZero() || f.Shipment.ShippedAt.Before(handover)) {
				handover = f.Shipment.ShippedAt
			}
			if !handover.IsZero() {
				deadline = handover.Add(time.Duration(p.Upload.Hours) * time.Hour)
			}
		case "ship_by":
			if !f.Order.ShipBy.IsZero() {
				deadline = f.Order.ShipBy.Add(time.Duration(p.Upload.Hours) * time.Hour)
			}
		}
		if !deadline.IsZero() && f.FirstUploadedAt.After(deadline) {
			if p.Upload.Defect {
				j.defect(vtr.UploadedLate, "Tracking was entered on %s, after the deadline of %s.", f.FirstUploadedAt.Format(time.RFC3339), deadline.Format(time.RFC3339))
			} else {
				j.v.Warnings = append(j.v.Warnings, vtr.UploadedLate)
			}
		}
	}

	// Origin (DESIGN.md; tracking-events.md §10).
	if p.ShipFromCheck && s.Physical > 0 {
		if sf, ok := shipFrom(f); ok && originMismatch(sf, s.FirstPhysicalLocation) {
			j.defect(vtr.ShipFromMismatch, "The first physical scan was in %s, far from the registered ship-from %s (%s).",
				describe(s.FirstPhysicalLocation), sf.ID, describeShipFrom(sf))
		}
	}
	// Reused labels (DESIGN.md; Groupon's same-address rule, §12.7). A
	// label first used by another seller is reported without naming that
	// seller's order: what a seller sees of another seller is never more
	// than "this label was used elsewhere" (ARCHITECTURE.md).
	switch {
	case !p.ReuseCheck:
	case f.ReusedElsewhere:
		j.defect(vtr.TrackingReused, "The tracking ID is already used on another seller's shipment to another address; a label can be used for one shipment only.")
	case f.ReusedFrom != "":
		j.defect(vtr.TrackingReused, "The tracking ID is already used on order %s, shipped to another address.", f.ReusedFrom)
	}
	// Events before the order existed (TikTok Shop's timestamp flag, §12.5).
	if p.EventBeforeOrderHours > 0 && !s.FirstEventAt.IsZero() &&
		s.FirstEventAt.Before(f.Order.PurchasedAt.Add(-time.Duration(p.EventBeforeOrderHours)*time.Hour)) {
		j.defect(vtr.EventBeforeOrder, "The carrier's first event (%s) is more than %d hours before the order was placed (%s): the label belongs to another shipment.",
			s.FirstEventAt.Format(time.RFC3339), p.EventBeforeOrderHours, f.Order.PurchasedAt.Format(time.RFC3339))
	}
}

// carrierLabel is how messages name the carrier of a package: the
// resolved code, the free-text name of an Other carrier, else what was
// entered; "" when nothing was.
func carrierLabel(a *Acceptance, s *vtr.Shipment) string {
	name := strings.TrimSpace(s.CarrierName)
	switch {
	case a.Carrier == "Other" && name != "":
		return name
	case a.Carrier != "":
		return a.Carrier
	}
	return strings.TrimSpace(s.Carrier)
}

func exemptionWhy(e vtr.Exemption, f *vtr.PackageFacts) string {
	switch e.Code {
	case vtr.ExemptDigital:
		return "digital products are not measured"
	case vtr.ExemptFreight:
		return "heavy or bulky freight is not measured"
	case vtr.ExemptCarrier:
		return fmt.Sprintf("%s is a carrier exempt from enforcement", f.Shipment.Carrier)
	case vtr.ExemptShipMethod:
		return fmt.Sprintf("%s shipped %q is an untracked method the marketplace exempts", f.Order.Value, f.Shipment.ShipMethod)
	case vtr.ExemptLowValue:
		return fmt.Sprintf("orders below %s are not measured", e.Below)
	}
	return string(e.Code)
}

// originMismatch reports whether a first physical scan is far from the
// ship-from: another country, or another state or province that does not
// border it. Missing location data is "origin unverifiable", never a
// mismatch (tracking-events.md §10).
func originMismatch(sf vtr.ShipFrom, l vtr.Location) bool {
	if l.Country == "" || sf.Country == "" {
		return false
	}
	if !strings.EqualFold(l.Country, sf.Country) {
		return true
	}
	a, b := strings.ToUpper(sf.State), strings.ToUpper(l.State)
	if a == "" || b == "" || a == b {
		return false
	}
	if sf.Country == "US" {
		return !usNeighbours(a, b)
	}
	return true
}

func describe(l vtr.Location) string {
	parts := []string{}
	for _, s := range []string{l.City, l.State, l.PostalCode, l.Country} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, ", ")
}

func describeShipFrom(sf vtr.ShipFrom) string {
	return describe(vtr.Location{City: sf.City, State: sf.State, PostalCode: sf.PostalCode, Country: sf.Country})
}
