package main

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// runVTR runs the real CLI in process and returns stdout, stderr and the
// exit status.
func runVTR(t *testing.T, stdin string, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	m := &Main{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb}
	code := m.Run(context.Background(), args)
	return out.String(), errb.String(), code
}

func TestValidateExitCodes(t *testing.T) {
	tests := []struct {
		name  string
		stdin string
		args  []string
		code  int
	}{
		{"all valid", "", []string{"validate", "1Z96F4R8D313969574", "CP337500215CN"}, 0},
		{"one invalid", "", []string{"validate", "1Z96F4R8D313969574", "1Z96F4R8D313969575"}, 1},
		{"mismatch", "", []string{"validate", "--carrier", "USPS", "1Z96F4R8D313969574"}, 1},
		{"claimed ok", "", []string{"validate", "--carrier", "ups", "1Z96F4R8D313969574"}, 0},
		{"unknown carrier", "", []string{"validate", "--carrier", "Fedx", "1"}, 2},
		{"unknown flag", "", []string{"validate", "--nope"}, 2},
		{"unknown command", "", []string{"nope"}, 2},
		{"no command", "", nil, 2},
		{"stdin valid", "1Z96F4R8D313969574\n775817441109\n", []string{"validate"}, 0},
		{"stdin invalid", "1Z96F4R8D313969574\nnope\n", []string{"validate"}, 1},
		{"help", "", []string{"validate", "-h"}, 0},
	}
	for _, tt := range tests {
		_, stderr, code := runVTR(t, tt.stdin, tt.args...)
		if code != tt.code {
			t.Errorf("%s: exit %d, want %d (stderr %q)", tt.name, code, tt.code, stderr)
		}
	}
}

// With --json there is exactly one JSON object per input line, whatever
// the line holds: blanks, CRLF, hostile bytes, a line far too long.
func TestValidateJSONOnePerLine(t *testing.T) {
	lines := []string{
		"1Z96F4R8D313969574", "", "1Z96F4R8D313969574\r", "N/A", "\xff\xfe", "\"quoted\"",
		strings.Repeat("9", 200000), "9434 6112 0621 7011 8940 85", "TBA115177973904",
	}
	stdout, _, code := runVTR(t, strings.Join(lines, "\n"), "validate", "--json")
	if code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	got := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
	if len(got) != len(lines) {
		t.Fatalf("%d output lines for %d input lines", len(got), len(lines))
	}
	wantValid := []bool{true, false, true, false, false, false, false, true, true}
	for i, l := range got {
		var v struct {
			Input      string  `json:"input"`
			Normalized *string `json:"normalized"`
			Valid      bool    `json:"valid"`
			Carrier    *string `json:"carrier"`
			Service    *string `json:"service"`
			Candidates []struct {
				Carrier string `json:"carrier"`
				Service string `json:"service"`
			} `json:"candidates"`
			Reason  *string `json:"reason"`
			Message string  `json:"message"`
		}
		if err := json.Unmarshal([]byte(l), &v); err != nil {
			t.Fatalf("line %d: %v: %s", i+1, err, l)
		}
		if v.Valid != wantValid[i] {
			t.Errorf("line %d (%.30q): valid %v, want %v: %s", i+1, lines[i], v.Valid, wantValid[i], v.Message)
		}
		if v.Valid && (v.Carrier == nil || v.Service == nil || len(v.Candidates) == 0 || v.Reason != nil) {
			t.Errorf("line %d: valid but incomplete: %s", i+1, l)
		}
		if !v.Valid && (v.Reason == nil || v.Message == "") {
			t.Errorf("line %d: invalid without a reason: %s", i+1, l)
		}
	}
	if !strings.Contains(got[0], `"carrier":"UPS","service":"1Z"`) {
		t.Errorf("line 1 = %s, want carrier UPS service 1Z", got[0])
	}
	if !strings.Contains(got[1], `"reason":"TRACKING_MISSING"`) {
		t.Errorf("line 2 = %s, want TRACKING_MISSING", got[1])
	}
}

func TestValidateText(t *testing.T) {
	stdout, stderr, _ := runVTR(t, "", "validate", "--carrier", "USPS", "1Z96F4R8D313969574")
	want := "INVALID  1Z96F4R8D313969574  CARRIER_MISMATCH: The tracking ID 1Z96F4R8D313969574 for USPS does not match the expected format for the carrier; it matches UPS 1Z.\n"
	if stdout != want {
		t.Errorf("stdout = %q, want %q", stdout, want)
	}
	if stderr != "1 checked: 0 valid, 1 invalid\n" {
		t.Errorf("stderr = %q", stderr)
	}
	_, stderr, code := runVTR(t, "", "validate", "--carrier", "顺丰", "SF6043310798724")
	if code != 0 || !strings.Contains(stderr, "Amazon rejects carrier names typed in Chinese") {
		t.Errorf("Chinese carrier name: exit %d, stderr %q", code, stderr)
	}
}

func TestCarriers(t *testing.T) {
	stdout, _, code := runVTR(t, "", "carriers", "--json")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	n := 0
	for _, l := range strings.Split(strings.TrimSpace(stdout), "\n") {
		var v struct {
			Code    string   `json:"code"`
			Formats []string `json:"formats"`
		}
		if err := json.Unmarshal([]byte(l), &v); err != nil {
			t.Fatalf("%v: %s", err, l)
		}
		if v.Code == "UPS" && len(v.Formats) < 2 {
			t.Errorf("UPS formats = %v", v.Formats)
		}
		n++
	}
	if n < 50 {
		t.Errorf("%d carriers listed, want at least 50", n)
	}
}

// Seen when tried as a new user would: help for one command, an unknown
// one refused, a version, flags after the arguments.
func TestNewcomerCLI(t *testing.T) {
	if out, _, code := runVTR(t, "", "help", "rate"); code != 0 || !strings.HasPrefix(out, "Usage: vtr rate") {
		t.Errorf("help rate: exit %d %q", code, out)
	}
	if _, stderr, code := runVTR(t, "", "help", "nope"); code != exitUsage || !strings.Contains(stderr, `"nope"`) {
		t.Errorf("help nope: exit %d %q", code, stderr)
	}
	if out, _, code := runVTR(t, "", "version"); code != 0 || !strings.HasPrefix(out, "vtr ") {
		t.Errorf("version: exit %d %q", code, out)
	}
	out, _, code := runVTR(t, "", "validate", "1Z96F4R8D313969574", "--json")
	if code != 0 || !strings.HasPrefix(out, `{"input":"1Z96F4R8D313969574"`) || strings.Count(out, "\n") != 1 {
		t.Errorf("a flag after the argument: exit %d %q", code, out)
	}
	out, _, code = runVTR(t, "", "validate", "--carrier", "UPS", "1Z96F4R8D313969574", "--json", "--", "--json")
	if code != 1 || strings.Count(out, "\n") != 2 || !strings.Contains(out, `"input":"--json"`) {
		t.Errorf("-- ends the flags: exit %d %q", code, out)
	}
	db := filepath.Join(t.TempDir(), "vtr.db")
	runVTR(t, sample, "import", "--db", db, "-")
	if out, _, code := runVTR(t, "", "sellers", "--db", db); code != 0 || !strings.Contains(out, "S1      Acme  amazon-us  WH1 (US)") {
		t.Errorf("sellers: exit %d\n%s", code, out)
	}
}
