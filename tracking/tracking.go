// Package tracking validates tracking numbers: it normalises them, checks
// their format and check digit per carrier and service, detects the
// carriers that could own a bare number, and flags a number entered with
// the wrong carrier, naming the likely right one.
//
// The engine is pure (no I/O, no clock) and allocation-free: a Result is
// filled in place and can be reused for every number of a stream.
package tracking

import (
	"strconv"

	"github.com/vtr-project/vtr"
)

const (
	maxCandidates = 16
	maxNear       = 4
)

// Candidate is a carrier and format that could own a number.
type Candidate struct {
	Carrier *Carrier
	Format  *Format
	// Checked is true when the format has a check digit and it computes.
	Checked bool
	// Partner is true when Carrier hands out numbers of Format, which
	// belongs to another carrier (FedEx SmartPost on USPS IMpb). Partners
	// appear only as the claimed carrier.
	Partner bool
	// Score orders candidates: a verified check digit outranks a bare
	// pattern, and longer fixed prefixes outrank shorter ones.
	Score int
}

// Detail returns what the number itself says about the service (the UPS
// service type, the S10 service indicator), or "".
func (c *Candidate) detail(b []byte) string {
	if c.Format.detail == nil {
		return ""
	}
	return c.Format.detail(b)
}

// nearMiss is a format whose shape matched but whose check digit did not.
type nearMiss struct {
	f         *Format
	carrier   *Carrier
	got, want byte
	pos       int
}

// Result is the verdict on one tracking number. The zero value is ready to
// use; Check and Detect overwrite it entirely, so one Result can serve a
// whole stream without allocating. A Result must not be copied while its
// candidates are in use.
type Result struct {
	// Input is the number exactly as given.
	Input string
	// Claimed is the carrier the number was entered with, or nil.
	Claimed *Carrier
	// Valid reports whether the number is well formed and, when a carrier
	// was claimed, belongs to that carrier (or a partner of it).
	Valid bool
	// Verified is false for a valid number whose claimed carrier publishes
	// no format ("Other", SFC …): vtr accepted it without proof.
	Verified bool
	// Reason is "" when Valid, else the stable reason code.
	Reason vtr.Reason

	match  int // index of the deciding candidate, or -1
	norm   [MaxLen]byte
	n      int
	badPos int // offset in Input of the character that made it malformed
	cands  [maxCandidates]Candidate
	nc     int
	near   [maxNear]nearMiss
	nn     int
	claimN int // index into near of the claimed carrier's near miss, or -1
}

// Detect fills r with the candidates for a bare number, best first. The
// number is valid when at least one carrier's format accepts it.
func (r *Result) Detect(input string) { r.Check(input, nil) }

// Check fills r with the verdict on input entered with carrier claimed
// (nil for none).
func (r *Result) Check(input string, claimed *Carrier) {
	r.Input, r.Claimed = input, claimed
	r.Valid, r.Verified, r.Reason = false, false, ""
	r.match, r.n, r.badPos, r.nc, r.nn, r.claimN = -1, 0, -1, 0, 0, -1

	b, reason, pos := Normalize(r.norm[:0], input)
	if reason != "" {
		r.Reason, r.badPos = reason, pos
		return
	}
	r.n = len(b)
	r.detect(b)
	r.decide()
}

// Normalized returns the normalised number ("" when it could not be
// normalised). It allocates; AppendNormalized does not.
func (r *Result) Normalized() string { return string(r.norm[:r.n]) }

// AppendNormalized appends the normalised number to dst.
func (r *Result) AppendNormalized(dst []byte) []byte { return append(dst, r.norm[:r.n]...) }

// Candidates returns the carriers that could own the number, best first.
func (r *Result) Candidates() []Candidate { return r.cands[:r.nc] }

// Match returns the candidate that decided the verdict: the claimed
// carrier's format when valid, the carrier really matched on a mismatch,
// the best candidate when no carrier was claimed; nil when there is none.
func (r *Result) Match() *Candidate {
	if r.match < 0 {
		return nil
	}
	return &r.cands[r.match]
}

// NearMiss returns the carrier and format whose shape the number has but
// whose check digit does not compute: the claimed carrier's when there is
// one, else the first found, which is the one Message names ("has the form
// of a UPS 1Z number but its check digit is …"). ok is false when there is
// none. The carrier is nil for an S10 number of a country with no postal
// operator in the registry.
func (r *Result) NearMiss() (c *Carrier, f *Format, ok bool) {
	if r.nn == 0 {
		return nil, nil, false
	}
	nm := r.near[0]
	if r.claimN >= 0 {
		nm = r.near[r.claimN]
	}
	return nm.carrier, nm.f, true
}

// Carrier returns the code the verdict is about: the claimed carrier, or
// the best detected one, or "".
func (r *Result) Carrier() string {
	switch {
	case r.Claimed != nil:
		return r.Claimed.Code
	case r.nc > 0:
		return r.cands[0].Carrier.Code
	}
	return ""
}

// Service returns the service of the deciding candidate, or "".
func (r *Result) Service() string {
	if m := r.Match(); m != nil && (r.Valid || r.Claimed == nil) {
		return m.Format.Service
	}
	return ""
}

// ServiceDetail returns what the number says about the service (for
// example "Ground" for a UPS 1Z number), or "".
func (r *Result) ServiceDetail() string {
	if m := r.Match(); m != nil && (r.Valid || r.Claimed == nil) {
		return m.detail(r.norm[:r.n])
	}
	return ""
}

func (r *Result) detect(b []byte) {
	if len(b) >= len(byLen) {
		return
	}
	for _, f := range byLen[len(b)] {
		m := f.match(b)
		if !m.ok {
			continue
		}
		owner := f.carrier
		if owner == nil { // S10: the postal operator of the country code
			owner = postalByCountry[string(b[11:13])]
		}
		if m.got != m.want {
			if r.nn < maxNear {
				r.near[r.nn] = nearMiss{f: f, carrier: owner, got: m.got, want: m.want, pos: m.pos}
				r.nn++
			}
			continue
		}
		score := f.strength(true)*1000 + f.literal*20 + len(b)
		r.add(Candidate{Carrier: owner, Format: f, Checked: f.CheckDigit != "", Score: score})
		// A partner is a compatible declaration, not another owner
		// (tracking-numbers.md §6.3 rule 4): it is listed only when it is
		// the carrier claimed.
		for _, p := range f.partners {
			if p == r.Claimed {
				r.add(Candidate{Carrier: p, Format: f, Checked: f.CheckDigit != "", Partner: true, Score: score - 100})
			}
		}
	}
	// Insertion sort by score, stable: the table order breaks ties.
	for i := 1; i < r.nc; i++ {
		for j := i; j > 0 && r.cands[j].Score > r.cands[j-1].Score; j-- {
			r.cands[j], r.cands[j-1] = r.cands[j-1], r.cands[j]
		}
	}
}

// add keeps one candidate per carrier, the best scoring.
func (r *Result) add(c Candidate) {
	for i := range r.nc {
		if r.cands[i].Carrier == c.Carrier {
			if c.Score > r.cands[i].Score {
				r.cands[i] = c
			}
			return
		}
	}
	if r.nc < maxCandidates {
		r.cands[r.nc] = c
		r.nc++
	}
}

// strong reports whether a candidate is evidence enough to call a number
// another carrier's: a computed check digit or a fixed prefix.
func (c *Candidate) strong() bool { return c.Checked || c.Format.literal >= 2 }

func (r *Result) decide() {
	c := r.Claimed
	for i := range r.nn {
		if c != nil && r.near[i].carrier == c {
			r.claimN = i
			break
		}
	}
	if c == nil {
		switch {
		case r.nc > 0:
			r.Valid, r.Verified, r.match = true, true, 0
		case r.nn > 0:
			r.Reason = vtr.TrackingMalformed
		default:
			r.Reason = vtr.CarrierUnknown
		}
		return
	}
	for i := range r.nc {
		if r.cands[i].Carrier == c {
			r.Valid, r.Verified, r.match = true, true, i
			return
		}
	}
	other := -1
	for i := range r.nc {
		if r.cands[i].strong() {
			other = i
			break
		}
	}
	switch {
	case c.Other || !hasFormat[c]:
		// A carrier with no public format, or free text under "Other",
		// cannot be checked; say so, and what the number looks like.
		// Whether a marketplace accepts an integrated carrier's number
		// typed as Other depends on its policy and the origin: that rule
		// is engine.AcceptCarrier's, not a fact about the number.
		r.Valid = true
		if other >= 0 {
			r.match = other
		}
	case r.claimN >= 0 && (other < 0 || !r.cands[other].Checked):
		r.Reason = vtr.TrackingMalformed
	case other >= 0:
		r.Reason, r.match = vtr.CarrierMismatch, other
	default:
		r.Reason = vtr.TrackingMalformed
		if r.nc > 0 {
			r.match = 0
		}
	}
}

// AppendMessage appends the sentence a seller needs to dst: what is wrong
// and what to do, or which carrier and service the number belongs to.
func (r *Result) AppendMessage(dst []byte) []byte {
	b := r.norm[:r.n]
	switch r.Reason {
	case vtr.TrackingMissing:
		return append(dst, "No tracking number was given."...)
	case vtr.TrackingMalformed:
		if r.n == 0 { // normalisation failed
			if r.badPos >= 0 {
				dst = append(dst, "The tracking ID contains "...)
				dst = appendCharName(dst, r.Input, r.badPos)
				dst = append(dst, " at position "...)
				dst = strconv.AppendInt(dst, int64(r.badPos+1), 10)
				return append(dst, "; carriers print only letters and digits (spaces and dashes are ignored)."...)
			}
			if len(r.Input) > MaxLen {
				dst = append(dst, "The tracking ID is longer than any carrier's ("...)
				dst = strconv.AppendInt(dst, MaxLen, 10)
				return append(dst, " characters at most)."...)
			}
			return append(dst, "The tracking ID holds no letters or digits."...)
		}
		if r.nn > 0 {
			nm := r.near[0]
			if r.claimN >= 0 {
				nm = r.near[r.claimN]
			}
			dst = append(dst, "The tracking ID "...)
			dst = append(dst, b...)
			dst = append(dst, " has the form of a "...)
			dst = appendCarrierService(dst, nm.carrier, nm.f)
			dst = append(dst, " number but its check digit is "...)
			dst = append(dst, nm.got)
			dst = append(dst, " where the carrier's formula gives "...)
			dst = append(dst, nm.want)
			return append(dst, ": check it for a typo."...)
		}
		dst = append(dst, "The tracking ID "...)
		dst = append(dst, b...)
		dst = append(dst, " for "...)
		dst = append(dst, r.Claimed.Code...)
		dst = append(dst, " does not match the expected format for the carrier"...)
		if m := r.Match(); m != nil {
			dst = append(dst, " (its shape fits "...)
			dst = appendCarrierService(dst, m.Carrier, m.Format)
			dst = append(dst, ", a format without a check digit)"...)
		}
		return append(dst, '.')
	case vtr.CarrierUnknown:
		dst = append(dst, "The tracking ID "...)
		dst = append(dst, b...)
		return append(dst, " matches no known carrier's format."...)
	case vtr.CarrierMismatch:
		m := r.Match()
		dst = append(dst, "The tracking ID "...)
		dst = append(dst, b...)
		dst = append(dst, " for "...)
		dst = append(dst, r.Claimed.Code...)
		dst = append(dst, " does not match the expected format for the carrier; it matches "...)
		dst = appendCarrierService(dst, m.Carrier, m.Format)
		return append(dst, '.')
	}
	// Valid.
	if !r.Verified {
		dst = append(dst, r.Claimed.Code...)
		if r.Claimed.Other {
			dst = append(dst, ": a free-text carrier; vtr cannot check the number's format"...)
		} else {
			dst = append(dst, " publishes no tracking-number format; the number was accepted unchecked"...)
		}
		if m := r.Match(); m != nil {
			dst = append(dst, " (it has the form of "...)
			dst = appendCarrierService(dst, m.Carrier, m.Format)
			dst = append(dst, ')')
		}
		return append(dst, '.')
	}
	m := r.Match()
	dst = append(dst, "Valid "...)
	dst = appendCarrierService(dst, m.Carrier, m.Format)
	dst = append(dst, " number"...)
	if d := m.detail(b); d != "" {
		dst = append(dst, " ("...)
		dst = append(dst, d...)
		dst = append(dst, ')')
	}
	switch {
	case m.Partner:
		dst = append(dst, ", a "...)
		dst = append(dst, m.Format.Carrier...)
		dst = append(dst, " format that "...)
		dst = append(dst, m.Carrier.Code...)
		dst = append(dst, " also prints"...)
	case m.Checked:
		dst = append(dst, "; check digit verified"...)
	default:
		dst = append(dst, "; this format has no published check digit"...)
	}
	if r.Claimed == nil && r.nc > 1 {
		dst = append(dst, "; it also fits "...)
		dst = strconv.AppendInt(dst, int64(r.nc-1), 10)
		dst = append(dst, " other carrier format(s)"...)
	}
	return append(dst, '.')
}

// Message returns AppendMessage as a string.
func (r *Result) Message() string { return string(r.AppendMessage(nil)) }

func appendCarrierService(dst []byte, c *Carrier, f *Format) []byte {
	if c != nil {
		dst = append(dst, c.Code...)
	} else {
		dst = append(dst, "postal"...)
	}
	dst = append(dst, ' ')
	return append(dst, f.Service...)
}

// appendCharName names the character at s[i] for a message, quoting
// printable ASCII and giving the code point otherwise. The result never
// needs JSON escaping (AppendJSON relies on it).
func appendCharName(dst []byte, s string, i int) []byte {
	c := s[i]
	switch c {
	case '"':
		return append(dst, "a double quote"...)
	case '\\':
		return append(dst, "a backslash"...)
	}
	if c >= 0x21 && c < 0x7f {
		return append(dst, '\'', c, '\'')
	}
	if c < 0x80 {
		dst = append(dst, "control character U+00"...)
		const hex = "0123456789ABCDEF"
		return append(dst, hex[c>>4], hex[c&15])
	}
	dst = append(dst, "a non-ASCII character"...)
	return dst
}
