package tracking

import (
	"strconv"
	"unicode/utf8"
)

// AppendJSON appends the result as one JSON object, the stable wire form
// shared by `vtr validate --json` and the HTTP API:
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
		dst = append(dst, `{"carrier":`...)
		dst = AppendJSONString(dst, c.Carrier.Code)
		dst = append(dst, `,"service":`...)
		dst = AppendJSONString(dst, c.Format.Service)
		dst = append(dst, `,"check_digit":`...)
		dst = strconv.AppendBool(dst, c.Checked)
		dst = append(dst, `,"partner":`...)
		dst = strconv.AppendBool(dst, c.Partner)
		dst = append(dst, '}')
	}
	dst = append(dst, `],"reason":`...)
	dst = appendJSONOrNull(dst, string(r.Reason))
	dst = append(dst, `,"message":`...)
	dst = append(dst, '"')
	start := len(dst)
	dst = r.AppendMessage(dst)
	// Messages are built from codes, names and normalised numbers, and
	// quote characters with single quotes, so they need no escaping; the
	// check is a guard that costs nothing on the common path.
	if needsEscape(dst[start:]) {
		msg := string(dst[start:])
		dst = appendEscaped(dst[:start], msg)
	}
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

func needsEscape(b []byte) bool {
	for _, c := range b {
		if c < 0x20 || c == '"' || c == '\\' {
			return true
		}
	}
	return false
}

func appendEscaped(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	for i := 0; i < len(s); {
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
