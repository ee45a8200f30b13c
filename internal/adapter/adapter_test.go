package adapter

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/vtr-project/vtr"
)

// JSONError's three forms, each prefixed with the adapter's name; the
// adapters' goldens pin the same messages on real payloads.
func TestJSONError(t *testing.T) {
	var v struct {
		Result struct {
			Details []struct {
				Code string `json:"code"`
			} `json:"details"`
		} `json:"result"`
	}
	tests := []struct{ prefix, body, want string }{
		{"", `{"result":{"details":[{"code":7}]}}`, "invalid: x: result.details.code: expected string, got JSON number"},
		{"result.", `{"result":[]}`, "invalid: x: result.result: expected object, got JSON array"},
		{"result.", `{"result":`, "invalid: x: body is not JSON: unexpected end of JSON input (byte 10)"},
		{"result.", `[]`, "invalid: x: result.body is not a JSON object: json: cannot unmarshal array into Go value of type struct"},
	}
	for _, tt := range tests {
		err := Errors("x").JSONError(tt.prefix, json.Unmarshal([]byte(tt.body), &v))
		if !strings.HasPrefix(err.Error(), tt.want) || vtr.ErrorCode(err) != vtr.EINVALID {
			t.Errorf("%s: got %v (code %q), want %q…", tt.body, err, vtr.ErrorCode(err), tt.want)
		}
	}
}

func TestSmallHelpers(t *testing.T) {
	if got := Errors("x").CheckSignature("sig", []byte("ab"), []byte("ab")); got != nil {
		t.Errorf("CheckSignature(equal): got %v, want nil", got)
	}
	if err := Errors("x").CheckSignature("sig", []byte("ab"), []byte("abc")); err == nil || err.Error() != "unauthorized: x: sig does not match the body" {
		t.Errorf("CheckSignature(different): got %v", err)
	}
	for in, want := range map[string]string{" us ": "US", "USA": "", "u1": "", "": ""} {
		if got := Alpha2(in); got != want {
			t.Errorf("Alpha2(%q): got %q, want %q", in, got, want)
		}
	}
	if got := FirstNonEmpty(" \t", "b"); got != "b" {
		t.Errorf("FirstNonEmpty(blank, b): got %q, want b", got)
	}
	if InRange(time.Date(1969, 12, 31, 23, 59, 59, 0, time.UTC)) || !InRange(time.Unix(0, 0)) || InRange(time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("InRange: want [1970-01-01, 2200-01-01)")
	}
	resolve := func(n string) (string, bool) { return strings.ToUpper(n), n != "unknown" }
	for _, tt := range []struct{ name, want string }{{" ", ""}, {" usps ", ""}, {"ups", "UPS"}, {" unknown ", "unknown"}} {
		if got := Reporter("USPS", tt.name, resolve); got != tt.want {
			t.Errorf("Reporter(USPS, %q): got %q, want %q", tt.name, got, tt.want)
		}
	}
}
