package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/vtr-project/vtr/flatfile"
)

// TestCheckAgreementTable runs the carrier/number table that flatfile
// checks against engine.Judge through the command itself, with --policy
// and --origin: `vtr check` answers what the engine will.
func TestCheckAgreementTable(t *testing.T) {
	b, err := os.ReadFile("../../flatfile/testdata/agree.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []struct{ Policy, Origin, Code, Name, Number, Want, Rule string }
	if err := json.Unmarshal(b, &cases); err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		file := "order-id\tship-date\tcarrier-code\tcarrier-name\ttracking-number\n" +
			fmt.Sprintf("111-1234567-1234567\t2026-10-02\t%s\t%s\t%s\n", c.Code, c.Name, c.Number)
		stdout, stderr, code := runVTR(t, file, "check", "--json", "--policy", c.Policy, "--origin", strings.ToLower(c.Origin), "-")
		var f flatfile.Finding
		if err := json.Unmarshal([]byte(stdout), &f); err != nil {
			t.Fatalf("%+v: %v\n%s%s", c, err, stdout, stderr)
		}
		wantCode := 0
		if c.Want != "" {
			wantCode = 1
		}
		if string(f.Reason) != c.Want || code != wantCode {
			t.Errorf("%s from %s, %q/%q %q (%s): reason %q exit %d, want %q exit %d", c.Policy, c.Origin, c.Code, c.Name, c.Number, c.Rule, f.Reason, code, c.Want, wantCode)
		}
	}
}

// The Other + "Bob Local Courier" line: ok for Amazon US from the US
// (every carrier is measured since 2025), a defect from China (CN-out
// list) and for Walmart (its carrier list).
func TestCheckPolicyAndOrigin(t *testing.T) {
	file := "order-id\tship-date\tcarrier-code\tcarrier-name\ttracking-number\n" +
		"111-1234567-1234567\t2026-10-02\tOther\tBob Local Courier\tBLC0012345\n"
	tests := []struct {
		args   []string
		code   int
		stdout string
	}{
		{nil, 0, "ok"},
		{[]string{"--origin", "CN"}, 1, "CARRIER_UNSUPPORTED"},
		{[]string{"--policy", "amazon-cn-us"}, 1, "shipped from CN"}, // its home origin
		{[]string{"--policy", "walmart-us"}, 1, "Walmart US accepts only"},
		{[]string{"--policy", "etsy"}, 0, "ok"},
	}
	for _, tt := range tests {
		args := append(append([]string{"check"}, tt.args...), "-")
		stdout, stderr, code := runVTR(t, file, args...)
		if code != tt.code || !strings.Contains(stdout, tt.stdout) {
			t.Errorf("%v: exit %d, want %d; stdout %q should contain %q (stderr %q)", args, code, tt.code, stdout, tt.stdout, stderr)
		}
	}
}

func TestCheckFlagErrors(t *testing.T) {
	tests := []struct {
		args   []string
		code   int
		stderr string
	}{
		{[]string{"check", "--policy", "nope", "-"}, 4, `unknown policy "nope"`},
		{[]string{"check", "--origin", "USA", "-"}, 2, "not a two-letter country code"},
		{[]string{"check", "--policy", "amazon-cn-us", "--origin", "US", "-"}, 2, "covers packages shipped from CN/HK, not US"},
		{[]string{"check", "--policy", "tiktok-us", "--origin", "CN", "-"}, 2, "covers packages shipped from US, not CN"},
		{[]string{"check"}, 2, "give one FILE"},
	}
	for _, tt := range tests {
		_, stderr, code := runVTR(t, "", tt.args...)
		if code != tt.code || !strings.Contains(stderr, tt.stderr) {
			t.Errorf("%v: exit %d %q, want %d and %q", tt.args, code, stderr, tt.code, tt.stderr)
		}
	}
	stdout, _, code := runVTR(t, "", "check", "-h")
	if code != 0 || !strings.Contains(stdout, "--origin CC") {
		t.Errorf("check -h: exit %d %q", code, stdout)
	}
}
