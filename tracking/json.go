package tracking

import (
	"strconv"
	"unicode/utf8"
)

// AppendJSON appends the result as one JSON object, the stable wire form
// of `vtr validate --json` (and of the HTTP API to come):
//
//	{"input","normalized","valid","verified","carrier","service","detail",
//	 "candidates":[{"carrier","service","check_digit","partner"}],
//	 "reason","message"}
//
// normalized, carrier, service, detail and reason are null when absent.
func (r *Result) AppendJSON(dst []byte) []byte {
	dst = append(dst, `{"input":`...)
	dst = AppendJSONString(dst, r.Input)
	dst = append(dst, `,"normalized":`...)
	if r.n > 0 {
		dst = append(dst, '"')
		dst = append(dst, r.norm[:r.n]...) // [0-9A-Z] only: no escaping
		dst = append(dst, '"')
	} else {
		dst = append(dst, "null"...)
	}
	dst = append(dst, `,"valid":`...)
	dst = strconv.AppendBool(dst, r.Valid)
	dst = append(dst, `,"verified":`...)
	dst = strconv.AppendBool(dst, r.Verified)
	dst = append(dst, `,"carrier":`...)
	dst = appendJSONOrNull(dst, r.Carrier())
	dst = append(dst, `,"service":`...)
	dst = appendJSONOrNull(dst, r.Service())
	dst = append(dst, `,"detail":`...)
	dst = appendJSONOrNull(dst, r.ServiceDetail())
	dst = append(dst, `,"candidates":[`...)
	for i := range r.nc {
		c := &r.cands[i]
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `{"carrier":"`...)
		dst = append(dst, c.Carrier.Code...)
		dst = append(dst, `","service":"`...)
		dst = append(dst, c.Format.Service...)
		dst = append(dst, `","check_digit":`...)
		dst = strconv.AppendBool(dst, c.Checked)
		dst = append(dst, `,"partner":`...)
		dst = strconv.AppendBool(dst, c.Partner)
		dst = append(dst, '}')
	}
	dst = append(dst, `],"reason":`...)
	dst = appendJSONOrNull(dst, string(r.Reason))
	dst = append(dst, `,"message":"`...)
	// Messages are built from carrier codes, service names (checked at
	// init to need no escaping), normalised numbers ([0-9A-Z]) and single-
	// quoted ASCII, so they are written as they are.
	dst = r.AppendMessage(dst)
	return append(dst, `"}`...)
}

func appendJSONOrNull(dst []byte, s string) []byte {
	if s == "" {
		return append(dst, "null"...)
	}
	return AppendJSONString(dst, s)
}

// AppendJSONString appends s as a JSON string. Invalid UTF-8 becomes
// U+FFFD, control characters and U+2028/U+2029 are escaped, so hostile
// input can never break the line-per-object framing.
func AppendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	dst = appendEscaped(dst, s)
	return append(dst, '"')
}

// jsonSafe marks the bytes a JSON string can hold as they are: printable
// ASCII other than the quote and the backslash.
var jsonSafe = func() (t [256]bool) {
	for c := 0x20; c < 0x7f; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// safeJSON reports whether s can be written between quotes as it is.
func safeJSON(s string) bool {
	for i := 0; i < len(s); i++ {
		if !jsonSafe[s[i]] && s[i] < utf8.RuneSelf {
			return false
		}
	}
	return utf8.ValidString(s)
}

func appendEscaped(dst []byte, s string) []byte {
	// Fast path: most strings need no escaping and are copied whole.
	clean := 0
	for clean < len(s) && jsonSafe[s[clean]] {
		clean++
	}
	dst = append(dst, s[:clean]...)
	if clean == len(s) {
		return dst
	}
	const hex = "0123456789abcdef"
	for i := clean; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				dst = append(dst, '\\', c)
			case c == '\n':
				dst = append(dst, '\\', 'n')
			case c == '\r':
				dst = append(dst, '\\', 'r')
			case c == '\t':
				dst = append(dst, '\\', 't')
			case c < 0x20 || c == 0x7f:
				dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&15])
			default:
				dst = append(dst, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			dst = append(dst, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			dst = append(dst, `\u202`...)
			dst = append(dst, hex[r&15])
		default:
			dst = append(dst, s[i:i+size]...)
		}
		i += size
	}
	return dst
}
