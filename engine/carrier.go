package engine

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"unicode"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/tracking"
)

// Fields an Acceptance points at, named as in vtr.Shipment's JSON; each
// codec maps them onto its own column names.
const (
	FieldCarrier        = "carrier"
	FieldCarrierName    = "carrier_name"
	FieldTrackingNumber = "tracking_number"
)

// Acceptance is the decision on the carrier and tracking number a seller
// entered, under one policy, for packages from one origin.
type Acceptance struct {
	// Carrier is the resolved carrier: its canonical code ("UPS" for
	// "ups"), the code of a carrier named in Chinese, "Other" for free
	// text, or "" when nothing entered resolves to a carrier.
	Carrier string
	// Origin is the ship-from country the decision was made for: the one
	// given, else the policy's default (vtr.Policy.DefaultOrigin).
	Origin string
	// Reasons are the carrier and number defects, most important first;
	// empty when the entry is accepted.
	Reasons []vtr.Reason
	// Field is the entry field the first reason is about.
	Field string
	// Message is one sentence for the seller: the first reason's, or a
	// note on an accepted entry vtr could not fully verify ("" when there
	// is nothing to say).
	Message string
	// Likely is the carrier the seller most probably meant, when the entry
	// has a defect and it differs from Carrier.
	Likely string
	// Detected is the carrier the number itself belongs to, whatever the
	// carrier entered and whatever the defect: the format that decided the
	// number's verdict (the entered carrier's, or the one it really
	// matches), else the format whose shape it has with a check digit that
	// does not compute (the typo the message names), else the best format
	// it fits; "" when the number fits no carrier's format at all.
	Detected string
	// Number is the normalised tracking number, "" when it could not be
	// normalised (blank, special characters).
	Number string
	// Verified is true when the number's format, and its check digit
	// where it has one, were checked against the carrier.
	Verified bool
	// IsOrderNumber is true when the tracking number repeats the order's
	// number (one of the TRACKING_MALFORMED cases): the order number was
	// pasted into the tracking-number field.
	IsOrderNumber bool

	// sure is the carrier the number belongs to when that rests on a check
	// digit or a fixed prefix: the only evidence strong enough to name a
	// Likely carrier.
	sure string
}

// Reason returns the first reason, or "" when the entry is accepted.
func (a *Acceptance) Reason() vtr.Reason {
	if len(a.Reasons) == 0 {
		return ""
	}
	return a.Reasons[0]
}

func (a *Acceptance) defect(r vtr.Reason, field, format string, args ...any) {
	if slices.Contains(a.Reasons, r) {
		return
	}
	if len(a.Reasons) == 0 {
		a.Field, a.Message = field, fmt.Sprintf(format, args...)
	}
	a.Reasons = append(a.Reasons, r)
}

// results are the tracking.Results AcceptCarrier checks numbers into. A
// Result is 896 bytes of arrays and escapes through the formats' checks,
// so one was allocated for every package judged; an Acceptance
// keeps nothing of it (its strings are copies or carrier codes), so each
// goes back for the next.
var results = sync.Pool{New: func() any { return new(tracking.Result) }}

// AcceptCarrier decides whether the carrier and tracking number of a
// shipment (Carrier, CarrierName, TrackingNumber; OrderID for the
// order-number rule) are accepted under policy p for a package shipped
// from origin ("" for the policy's default origin). It is the one place
// these rules live: engine.Judge and the flat-file pre-flight both call
// it, so `vtr check` answers what the engine will.
//
// The rules, in order (marketplace-rules.md):
//   - a carrier must be entered (the carrier code is required, §11.4);
//     one vtr does not know is CARRIER_UNKNOWN (Amazon error 5004, §11.4);
//   - carrier names in Chinese are CARRIER_UNSUPPORTED ("Amazon currently
//     does not support carrier names in Chinese", §4.2), in the carrier
//     field or typed as Other;
//   - "Other" needs the carrier's name (§11.1, §11.3); typing a listed
//     carrier's name as Other is CARRIER_UNSUPPORTED ("the drop-down must
//     be used", §4.2; Walmart CA §12.3), and so is a number of a listed
//     carrier entered as Other;
//   - when the policy lists carriers for the origin (Amazon's CN-out list,
//     §5; Walmart's carrier names, §12.2) anything off the list, Other
//     included, is CARRIER_UNSUPPORTED; when it lists none every carrier
//     is measured (Amazon since 15 Jan 2025, §4.2, §14), free-text ones
//     too: Other with an unlisted carrier's name is accepted, unverified;
//   - the number must be present and printable (§4.2, §8), match the
//     carrier's format and check digit (CARRIER_MISMATCH is Amazon's
//     "unconfirmed", §4.2), and not be the order number (Walmart, §12.2).
//
// "Listed" means on the policy's carrier list for the origin when it has
// one, else on Amazon's integrated list for the origin
// (tracking.Carrier.Origins, §5 and §9).
func AcceptCarrier(p *vtr.Policy, origin string, s *vtr.Shipment) Acceptance {
	if origin == "" {
		origin = p.DefaultOrigin()
	}
	a := Acceptance{Origin: origin}
	list, hasList := supported(p, origin)
	entered := strings.TrimSpace(s.Carrier)
	name := strings.TrimSpace(s.CarrierName)

	res := results.Get().(*tracking.Result)
	defer results.Put(res)
	m, known := tracking.Lookup(entered)
	switch {
	case entered == "":
		a.defect(vtr.CarrierUnknown, FieldCarrier, "No carrier was entered; choose one from %s's carrier list.", p.Name)
	case !known:
		hint := ""
		if !hasList {
			hint = ", or Other with the carrier's name"
		}
		if hasHan(entered) {
			hint += "; carrier names in Chinese are not accepted"
		}
		a.defect(vtr.CarrierUnknown, FieldCarrier, "%q is not a carrier %s knows; choose one from its carrier list%s.", entered, p.Name, hint)
	case m.Chinese:
		a.Carrier = m.Carrier.Code
		if !m.Carrier.Other {
			a.Likely = m.Carrier.Code
		}
		a.defect(vtr.CarrierUnsupported, FieldCarrier, "%s does not accept carrier names in Chinese: enter %q instead of %q.", p.Name, m.Carrier.Code, entered)
	default:
		a.Carrier = m.Carrier.Code
	}
	if !known || m.Carrier.Other {
		if known {
			a.other(p, origin, list, hasList, name, s.TrackingNumber, res)
		} else {
			// Nothing to check the number against: only what makes it
			// unreadable for every carrier counts, and the number says
			// which carrier was meant.
			a.bareNumber(s.TrackingNumber, res)
			if len(a.Reasons) > 0 && a.Likely == "" && a.sure != "" {
				a.Likely = a.sure
			}
		}
	} else {
		c := m.Carrier
		if hasList && !slices.Contains(list, c.Code) {
			a.defect(vtr.CarrierUnsupported, FieldCarrier, "%s is not a carrier %s supports for packages %s.", c.Code, p.Name, shippedFrom(origin))
		}
		a.number(c, s.TrackingNumber, res)
		if a.Likely == "" && a.sure != "" && a.sure != c.Code && len(a.Reasons) > 0 && (!hasList || slices.Contains(list, a.sure)) {
			a.Likely = a.sure
		}
	}
	if len(a.Reasons) == 0 {
		a.Likely = ""
	}
	if a.Number != "" && tracking.Fold(a.Number) == tracking.Fold(s.OrderID) {
		// Walmart: "the tracking number must not equal the PO or
		// sales-order number" (marketplace-rules.md §12.2); no carrier
		// prints an order number.
		a.IsOrderNumber = true
		a.defect(vtr.TrackingMalformed, FieldTrackingNumber, "The tracking ID is the order number, not a carrier's tracking number.")
	}
	return a
}

// other decides a carrier entered as "Other" with the free-text name.
func (a *Acceptance) other(p *vtr.Policy, origin string, list []string, hasList bool, name, number string, res *tracking.Result) {
	a.Carrier = "Other"
	nm, named := tracking.Lookup(name)
	if named && nm.Carrier.Other {
		named = false // "Other" typed again as the name says nothing
	}
	switch {
	case len(a.Reasons) > 0:
		// Already a defect (Other typed in Chinese).
	case name == "":
		a.defect(vtr.CarrierUnknown, FieldCarrierName, "Other was chosen without a carrier name; give the carrier's name (1 to 50 characters) or choose the carrier from %s's list.", p.Name)
	case hasHan(name):
		if named {
			a.Likely = nm.Carrier.Code
			a.defect(vtr.CarrierUnsupported, FieldCarrierName, "%s does not accept carrier names in Chinese: %q was typed as Other; choose %q from the carrier list.", p.Name, name, nm.Carrier.Code)
		} else {
			a.defect(vtr.CarrierUnsupported, FieldCarrierName, "%s does not accept carrier names in Chinese: %q was typed as Other; enter the carrier's code or name in Latin letters.", p.Name, name)
		}
	case named && listed(list, hasList, nm.Carrier, origin):
		a.Likely = nm.Carrier.Code
		a.defect(vtr.CarrierUnsupported, FieldCarrierName, "%s was typed as Other (%q): choose %q from the carrier list; %s typed as Other counts as invalid tracking.",
			nm.Carrier.Code, name, nm.Carrier.Code, listedKind(hasList))
	case hasList:
		a.defect(vtr.CarrierUnsupported, FieldCarrier, "%s accepts only the carriers on its list for packages %s, not Other (%q).", p.Name, shippedFrom(origin), name)
	}
	a.bareNumber(number, res)
	if len(a.Reasons) > 0 {
		if a.Likely == "" && a.sure != "" && listedCode(list, hasList, a.sure, origin) {
			a.Likely = a.sure
		}
		return
	}
	// The number itself may give the carrier away: a number of a listed
	// carrier entered as Other (marketplace-rules.md §4.2, §12.3).
	for _, c := range res.Candidates() {
		if c.Carrier != nil && !c.Partner && (c.Checked || c.Format.Specific()) && listed(list, hasList, c.Carrier, origin) {
			a.Likely = c.Carrier.Code
			a.defect(vtr.CarrierUnsupported, FieldCarrier, "The tracking ID %s was entered as Other (%q) but is a %s %s number: choose %s from the carrier list; %s typed as Other counts as invalid tracking.",
				a.Number, name, c.Carrier.Code, c.Format.Service, c.Carrier.Code, listedKind(hasList))
			return
		}
	}
	a.Message = fmt.Sprintf("%q is a free-text carrier (Other): %s accepts it, having no carrier list for packages %s, but vtr cannot check the number's format; it counts as valid once the carrier records a physical scan.",
		name, p.Name, shippedFrom(origin))
}

// bareNumber looks at a number with no carrier to check it against: it
// records the carrier the number belongs to, and as defects only what
// makes a number unreadable for any carrier (blank, special characters).
func (a *Acceptance) bareNumber(number string, res *tracking.Result) {
	res.Detect(number)
	a.Number = res.Normalized()
	a.detected(res)
	if res.Reason == vtr.TrackingMissing || res.Reason == vtr.TrackingMalformed && a.Number == "" {
		a.defect(res.Reason, FieldTrackingNumber, "%s", res.Message())
	}
}

// number checks a number against the carrier entered.
func (a *Acceptance) number(c *tracking.Carrier, number string, res *tracking.Result) {
	res.Check(number, c)
	a.Number, a.Verified = res.Normalized(), res.Verified
	a.detected(res)
	switch {
	case !res.Valid:
		a.defect(res.Reason, FieldTrackingNumber, "%s", res.Message())
	case !res.Verified && len(a.Reasons) == 0:
		a.Message = res.Message()
	}
}

// detected records the carrier the number belongs to (see
// Acceptance.Detected) and, apart, the one it surely belongs to. A near
// miss is never sure: it fills the report's Detected Carrier column (the
// message names it) without becoming a Likely carrier.
func (a *Acceptance) detected(res *tracking.Result) {
	decided := res.Match()
	best := decided
	if cs := res.Candidates(); best == nil && len(cs) > 0 {
		best = &cs[0]
	}
	if best == nil || best.Carrier == nil {
		best, decided = nil, nil
	}
	if best != nil && (best.Checked || best.Format.Specific()) {
		a.sure = best.Carrier.Code
	}
	switch near, _, ok := res.NearMiss(); {
	case decided != nil:
		a.Detected = decided.Carrier.Code
	case ok && near != nil:
		a.Detected = near.Code
	case best != nil:
		a.Detected = best.Carrier.Code
	}
}

// supported returns the policy's carrier list for origin: its entry for
// the origin, else its "*" entry. ok is false when the policy lists no
// carriers there: every carrier is measured.
func supported(p *vtr.Policy, origin string) ([]string, bool) {
	if l, ok := p.Carriers[origin]; ok && origin != "" {
		return l, true
	}
	l, ok := p.Carriers["*"]
	return l, ok
}

// listed reports whether a carrier is one the marketplace lists for the
// origin: on the policy's list when it has one, else on Amazon's
// integrated list for the origin.
func listed(list []string, hasList bool, c *tracking.Carrier, origin string) bool {
	if hasList {
		return slices.Contains(list, c.Code)
	}
	return c.IntegratedFor(origin)
}

// listedKind names a listed carrier for a message: Amazon's word when the
// policy has no list of its own.
func listedKind(hasList bool) string {
	if hasList {
		return "a carrier on the list"
	}
	return "an integrated carrier"
}

func listedCode(list []string, hasList bool, code, origin string) bool {
	c := tracking.ByCode(code)
	return c != nil && listed(list, hasList, c, origin)
}

// hasHan reports whether s holds Chinese characters.
func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

// shippedFrom phrases an origin for a message: "shipped from CN", or
// "from an unknown origin".
func shippedFrom(origin string) string {
	if origin == "" {
		return "from an unknown origin"
	}
	return "shipped from " + origin
}

// TrackingCell is the Tracking ID column of the defect report: the number
// as entered, or "<order-id>-InvalidId" when the marketplace cannot
// process it, that is when it is blank or malformed ("When our system
// cannot process the tracking information you entered for an order,
// column E shows 'InvalidId'", marketplace-rules.md §8, §10.1).
func TrackingCell(orderID, trackingNumber string, reasons []vtr.Reason) string {
	for _, r := range reasons {
		if r == vtr.TrackingMissing || r == vtr.TrackingMalformed {
			return orderID + "-InvalidId"
		}
	}
	return trackingNumber
}

// AggregateCarrier is the carrier a package is counted under in the
// per-carrier breakdown: the verdict's canonical carrier, else the
// carrier as entered, trimmed (so " UPS " and "UPS" are one row, and an
// unknown carrier keeps the seller's own spelling).
func AggregateCarrier(v *vtr.Verdict, s *vtr.Shipment) string {
	if v.Carrier != "" {
		return v.Carrier
	}
	return strings.TrimSpace(s.Carrier)
}
