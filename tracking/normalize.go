package tracking

import "github.com/vtr-project/vtr"

// MaxLen is the longest normalised tracking number vtr accepts. The longest
// real formats are 42 characters (USPS IMpb with a ZIP+4 routing prefix)
// and 41 (DHL eCommerce); anything past 64 is not a tracking number.
const MaxLen = 64

// Normalize appends the normalised form of s to dst: surrounding white
// space trimmed, the spaces and dashes carriers print dropped, letters
// upper-cased. Anything else, such as punctuation, control characters or
// non-ASCII text, makes the number malformed: Amazon reports such a number
// as "<order-id>-InvalidId" (marketplace-rules.md §8). On failure it
// returns the reason and the byte offset in s of the offending character
// (-1 when the whole value is at fault).
func Normalize(dst []byte, s string) ([]byte, vtr.Reason, int) {
	lo, hi := 0, len(s)
	for lo < hi && isSpace(s[lo]) {
		lo++
	}
	for hi > lo && isSpace(s[hi-1]) {
		hi--
	}
	if lo == hi {
		return dst, vtr.TrackingMissing, -1
	}
	start := len(dst)
	for i := lo; i < hi; i++ {
		c := normTable[s[i]]
		switch {
		case c > normSkip:
		case c == normSkip:
			continue
		default:
			return dst[:start], vtr.TrackingMalformed, i
		}
		if len(dst)-start >= MaxLen {
			return dst[:start], vtr.TrackingMalformed, -1
		}
		dst = append(dst, c)
	}
	if len(dst) == start {
		return dst, vtr.TrackingMalformed, -1
	}
	return dst, "", 0
}

// normTable maps each byte to its normalised form: digits and upper-case
// letters to themselves, lower-case letters to upper case, space and dash
// to normSkip (dropped), everything else to 0 (malformed).
const normSkip = 1

var normTable = func() (t [256]byte) {
	for c := '0'; c <= '9'; c++ {
		t[c] = byte(c)
	}
	for c := 'A'; c <= 'Z'; c++ {
		t[c] = byte(c)
		t[c+'a'-'A'] = byte(c)
	}
	t[' '], t['-'] = normSkip, normSkip
	return t
}()

// isSpace is the white space trimmed from the ends of a number: ASCII
// space, tab, CR, LF, vertical tab and form feed. Other characters, such as
// a no-break space, are not trimmed and make the number malformed.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'
}
