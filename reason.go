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
	}
	return string(r)
}
