// Package adapter holds what the webhook adapters (aftership, easypost,
// track17) share: the wording of their errors, the reading of JSON decode
// errors, the bounds of a plausible event time, and the parts of signature
// checking that are the same in each. Every adapter keeps its own payload
// model and its own signature scheme; only logic that is the same, to the
// letter, in two or more of them lives here, so a bad body or a bad
// signature is reported alike whichever vendor sent it.
package adapter

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/tracking"
)

// Errors makes the errors of one adapter. Its value is the adapter's name
// (its vtr.Event Source: "aftership", "easypost", "17track"), which starts
// every message, "aftership: …", so a user can tell which webhook failed.
type Errors string

// Invalid returns a vtr.EINVALID error with a formatted message: the
// payload is at fault, not the request's signature.
func (e Errors) Invalid(format string, args ...any) error {
	return vtr.Errorf(vtr.EINVALID, "%s: %s", string(e), fmt.Sprintf(format, args...))
}

// JSONError turns an error from decoding a payload with encoding/json into
// a vtr.EINVALID error that names the field at fault:
//
//	<prefix><field>: expected <kind>, got JSON <value>
//	body is not JSON: <syntax error> (byte <offset>)
//	<prefix>body is not a JSON object: <error>
//
// prefix is where the decoded value sits in the payload, ending in a dot
// ("result." when only the result member was decoded), or "" for the
// whole body; a syntax error is always in the body as a whole.
func (e Errors) JSONError(prefix string, err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		return e.Invalid("%s%s: expected %s, got JSON %s", prefix, te.Field, JSONKind(te.Type), te.Value)
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return e.Invalid("body is not JSON: %v (byte %d)", se, se.Offset)
	}
	return e.Invalid("%sbody is not a JSON object: %v", prefix, err)
}

// MissingHeader returns the vtr.EUNAUTHORIZED error for a request that
// lacks the named signature (or timestamp, or path) header.
func (e Errors) MissingHeader(name string) error {
	return vtr.Errorf(vtr.EUNAUTHORIZED, "%s: missing %s header", string(e), name)
}

// CheckSignature compares the signature a request carried in the named
// header with the one computed from its body, in constant time so the
// comparison leaks nothing about how much of it matched, and returns a
// vtr.EUNAUTHORIZED error when they differ.
func (e Errors) CheckSignature(header string, got, want []byte) error {
	if !hmac.Equal(got, want) {
		return vtr.Errorf(vtr.EUNAUTHORIZED, "%s: %s does not match the body", string(e), header)
	}
	return nil
}

// HMACSHA256 returns HMAC-SHA256(secret, the concatenation of parts), the
// MAC AfterShip and EasyPost sign webhooks with.
func HMACSHA256(secret string, parts ...[]byte) []byte {
	mac := hmac.New(sha256.New, []byte(secret))
	for _, p := range parts {
		mac.Write(p)
	}
	return mac.Sum(nil)
}

// CarrierCode maps a vendor's carrier name to vtr's canonical carrier
// code: by the vendor's table when it has the name, else by
// tracking.Lookup when that resolves it to a carrier vtr knows (not
// Other). The caller normalises name as its vendor needs (trimmed;
// lower-cased for AfterShip slugs).
func CarrierCode(table map[string]string, name string) (string, bool) {
	if c, ok := table[name]; ok {
		return c, true
	}
	if m, ok := tracking.Lookup(name); ok && !m.Carrier.Other {
		return m.Carrier.Code, true
	}
	return "", false
}

// Reporter is the ReportedBy of a scan a vendor credits to the named
// carrier (a first- or last-mile partner): "" when the name is blank or
// resolve maps it to owner, the canonical code when resolve knows it, and
// the name as sent (trimmed) otherwise, so an unknown partner is still
// recorded.
func Reporter(owner, name string, resolve func(name string) (code string, ok bool)) string {
	name = strings.TrimSpace(name)
	if name == "" {
		return ""
	}
	code, ok := resolve(name)
	if !ok {
		return name
	}
	if code == owner {
		return ""
	}
	return code
}

// JSONKind names the JSON type a Go type decodes from: "object", "array",
// "boolean", "string" or "number".
func JSONKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Struct, reflect.Map, reflect.Pointer:
		return "object"
	case reflect.Slice, reflect.Array:
		return "array"
	case reflect.Bool:
		return "boolean"
	case reflect.String:
		return "string"
	}
	return "number"
}

// FirstNonEmpty returns a unless it is empty or only white space, and b
// otherwise: a field a vendor may leave blank, then its fallback.
func FirstNonEmpty(a, b string) string {
	if strings.TrimSpace(a) != "" {
		return a
	}
	return b
}

// Event times outside [1970-01-01, 2200-01-01) UTC are data errors, not
// scans: a carrier's zero date or a mistyped year.
var (
	minTime = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)
	maxTime = time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)
)

// InRange reports whether t is a plausible event time, from 1970-01-01
// (inclusive) to 2200-01-01 (exclusive) UTC.
func InRange(t time.Time) bool {
	return !t.Before(minTime) && t.Before(maxTime)
}

// Alpha2 returns s upper-cased when it is an ISO 3166-1 alpha-2 shaped code
// (two ASCII letters, around white space), and "" otherwise: a location is
// never given a guessed country.
func Alpha2(s string) string {
	s = strings.ToUpper(strings.TrimSpace(s))
	if len(s) != 2 || s[0] < 'A' || s[0] > 'Z' || s[1] < 'A' || s[1] > 'Z' {
		return ""
	}
	return s
}
