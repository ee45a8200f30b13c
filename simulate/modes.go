package simulate

import (
	"fmt"
	"strconv"
	"strings"
)

// Mode is a failure mode the simulator injects into a package: each one is
// a way real sellers lose valid tracking (DESIGN.md, marketplace-rules.md
// §4, §5, §8).
type Mode uint8

// The failure modes. A package gets at most one (they are drawn from one
// categorical distribution), so the ground truth is unambiguous.
const (
	// NoAcceptance: the carrier only ever has the label record (electronic).
	NoAcceptance Mode = iota
	// LateUpload: the tracking number was uploaded more than 24 h after the
	// handover, but before delivery.
	LateUpload
	// UploadAfterDelivery: the tracking number was uploaded after delivery.
	UploadAfterDelivery
	// WrongCarrier: a valid number of carrier A entered as carrier B.
	WrongCarrier
	// Typo: one character of the number changed, so the check digit fails.
	Typo
	// SpecialChars: the number entered with "#", "/", a trailing comma or
	// full-width digits.
	SpecialChars
	// OtherCarrier: an integrated carrier entered as "Other" with the
	// carrier's name as free text.
	OtherCarrier
	// UnsupportedCarrier: a carrier Amazon does not integrate for the
	// origin.
	UnsupportedCarrier
	// ReusedLabel: the tracking number of an earlier package, to another
	// destination, entered again; the carrier scans only the first one.
	ReusedLabel
	// ShipFromMismatch: the first physical scan is in another state or
	// province than the registered ship-from.
	ShipFromMismatch
	// Lost: an acceptance scan, then nothing.
	Lost
	// SingleScan: a China-origin package worth $5 or more with a single
	// physical scan (the 2-scan rule, marketplace-rules.md §5). Only such
	// packages are eligible.
	SingleScan
	// CancelAfterShip: the order is cancelled after its ship confirmation
	// (the label is voided; no physical scan). Single-package orders only.
	CancelAfterShip

	// NumModes is the number of modes.
	NumModes
)

var modeNames = [NumModes]string{
	"no_acceptance_scan", "late_upload", "upload_after_delivery", "wrong_carrier", "typo",
	"special_characters", "other_carrier", "unsupported_carrier", "reused_label",
	"ship_from_mismatch", "lost", "single_scan", "cancel_after_ship",
}

// String returns the mode's stable name, as written in the truth sidecar.
func (m Mode) String() string {
	if m < NumModes {
		return modeNames[m]
	}
	return "mode(" + strconv.Itoa(int(m)) + ")"
}

// ParseMode returns the mode with the given name.
func ParseMode(name string) (Mode, bool) {
	for i, n := range modeNames {
		if n == name {
			return Mode(i), true
		}
	}
	return 0, false
}

// Modes returns every mode, in order.
func Modes() []Mode {
	out := make([]Mode, NumModes)
	for i := range out {
		out[i] = Mode(i)
	}
	return out
}

// Rates is the probability of each failure mode per eligible package.
type Rates [NumModes]float64

// DefaultRates are small but non-zero, in the range a struggling seller
// population shows (a 95% VTR target leaves 5% for everything).
func DefaultRates() Rates {
	var r Rates
	r[NoAcceptance] = 0.02
	r[LateUpload] = 0.02
	r[UploadAfterDelivery] = 0.01
	r[WrongCarrier] = 0.01
	r[Typo] = 0.01
	r[SpecialChars] = 0.01
	r[OtherCarrier] = 0.01
	r[UnsupportedCarrier] = 0.01
	r[ReusedLabel] = 0.01
	r[ShipFromMismatch] = 0.01
	r[Lost] = 0.01
	r[SingleScan] = 0.03
	r[CancelAfterShip] = 0.01
	return r
}

// Uniform returns rates with every mode at p.
func Uniform(p float64) Rates {
	var r Rates
	for i := range r {
		r[i] = p
	}
	return r
}

// Sum returns the total rate: the share of packages with a failure mode.
func (r Rates) Sum() float64 {
	var t float64
	for _, p := range r {
		t += p
	}
	return t
}

// ParseRates applies "mode=rate,mode=rate" overrides to r.
func ParseRates(r Rates, s string) (Rates, error) {
	for _, kv := range strings.Split(s, ",") {
		kv = strings.TrimSpace(kv)
		if kv == "" {
			continue
		}
		name, val, ok := strings.Cut(kv, "=")
		if !ok {
			return r, fmt.Errorf("%q is not mode=rate", kv)
		}
		m, ok := ParseMode(strings.TrimSpace(name))
		if !ok {
			return r, fmt.Errorf("unknown failure mode %q (one of %s)", name, strings.Join(modeNames[:], ", "))
		}
		p, err := strconv.ParseFloat(strings.TrimSpace(val), 64)
		if err != nil || p < 0 || p > 1 {
			return r, fmt.Errorf("rate %q for %s is not a number between 0 and 1", val, name)
		}
		r[m] = p
	}
	return r, nil
}
