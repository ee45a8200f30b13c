package vtr

// Reason is a stable code saying why a tracking number or a package is not
// valid (or why it is exempt). Codes never change meaning once published:
// reports, webhooks and sellers' own tooling key on them.
type Reason string

// Tracking-number reasons. Amazon reports the first two as
// "<order-id>-InvalidId" in column E of its Valid Tracking report
// (marketplace-rules.md §8; engine.TrackingCell). engine.AcceptCarrier
// decides all five.
const (
	// TrackingMissing: no tracking number at all (blank, or only spaces).
	TrackingMissing Reason = "TRACKING_MISSING"
	// TrackingMalformed: characters no carrier prints (punctuation, control
	// characters, non-ASCII), a length no format has, or a check digit that
	// does not compute.
	TrackingMalformed Reason = "TRACKING_MALFORMED"
	// CarrierUnknown: the number matches no known carrier's format, or no
	// carrier was entered, or the carrier named is not one vtr knows, or
	// "Other" was chosen without the carrier's name.
	CarrierUnknown Reason = "CARRIER_UNKNOWN"
	// CarrierUnsupported: the carrier is not supported for this origin by the
	// marketplace, including an integrated carrier typed as "Other" (by
	// name, or a number of such a carrier), "Other" where the marketplace
	// accepts only its listed carriers, and carrier names typed in Chinese.
	CarrierUnsupported Reason = "CARRIER_UNSUPPORTED"
	// CarrierMismatch: the number is well formed but belongs to another
	// carrier than the one named (Amazon: "unconfirmed").
	CarrierMismatch Reason = "CARRIER_MISMATCH"
)

// Describe returns a one-line explanation of a reason code for people who
// have not memorised the codes. Unknown codes describe themselves.
func (r Reason) Describe() string {
	switch r {
	case TrackingMissing:
		return "no tracking number was given"
	case TrackingMalformed:
		return "the tracking number is not in any form a carrier prints"
	case CarrierUnknown:
		return "no known carrier matches the tracking number or carrier name"
	case CarrierUnsupported:
		return "the carrier is not supported by the marketplace for this shipment"
	case CarrierMismatch:
		return "the tracking number belongs to a different carrier than the one named"
	case NoPhysicalScan:
		return "the carrier never scanned the package before the promised delivery date"
	case InsufficientScans:
		return "the carrier scanned the package fewer times than the marketplace requires"
	case UploadedAfterDelivery:
		return "the tracking number was entered or changed after the package was delivered"
	case UploadedLate:
		return "the tracking number was entered after the marketplace's deadline"
	case ShipFromMismatch:
		return "the first carrier scan is far from the registered ship-from address"
	case TrackingReused:
		return "the tracking number was already used on another shipment to another address"
	case EventBeforeOrder:
		return "the carrier's first event predates the order: a recycled label"
	case ExemptLowValue:
		return "exempt: the package is below the value the metric counts"
	case ExemptShipMethod:
		return "exempt: the shipping method is outside the metric"
	case ExemptFreight:
		return "exempt: freight shipments are outside the metric"
	case ExemptDigital:
		return "exempt: digital orders are outside the metric"
	case ExemptCarrier:
		return "exempt: the carrier is outside the metric for this origin"
	case ExemptCancelled:
		return "exempt: the order was cancelled"
	case ExemptOrigin:
		return "exempt: the origin is outside the policy"
	}
	return string(r)
}
