package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
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

// A flat file saved as CSV by a spreadsheet is read as such, with the
// same findings as the tab-separated file, and a note that Amazon takes
// only the tab-separated one; the tab-separated file has no note.
func TestCheckCSV(t *testing.T) {
	tsv, tsvErr, code := runVTR(t, "", "check", "../../flatfile/testdata/confirm.txt")
	if code != 1 || strings.Contains(tsvErr, "separated") {
		t.Errorf("confirm.txt: exit %d, stderr %q", code, tsvErr)
	}
	csv, csvErr, code := runVTR(t, "", "check", "../../flatfile/testdata/confirm.csv")
	if code != 1 || csv != tsv {
		t.Errorf("confirm.csv: exit %d, findings\n%s\nwant those of confirm.txt\n%s", code, csv, tsv)
	}
	note := "vtr: note: this file is comma-separated; Amazon's flat file is tab-separated"
	if !strings.HasPrefix(csvErr, note) || !strings.HasSuffix(csvErr, tsvErr) {
		t.Errorf("confirm.csv: stderr %q, want %q first, then the summary", csvErr, note)
	}
	// Semicolons, as spreadsheets in many European locales save CSV.
	file := "order-id;ship-date;carrier-code;carrier-name;tracking-number\n" +
		"111-1234567-1234567;2026-10-02;Other;\"Bob; Local Courier\";BLC0012345\n"
	stdout, stderr, code := runVTR(t, file, "check", "--json", "-")
	var f flatfile.Finding
	if err := json.Unmarshal([]byte(stdout), &f); err != nil || code != 0 || !f.OK() || !strings.Contains(f.Message, `"Bob; Local Courier"`) ||
		!strings.Contains(stderr, "this file is semicolon-separated") {
		t.Errorf("semicolons: exit %d, %s, stderr %q", code, stdout, stderr)
	}
}

// The text output keeps its columns whatever the values: line numbers of
// different lengths, order IDs shorter and longer than Amazon's, long
// tracking numbers in the messages; no line ends in a space.
func TestCheckColumns(t *testing.T) {
	var b strings.Builder
	b.WriteString("order-id\tship-date\tcarrier-code\tcarrier-name\ttracking-number\n")
	for i := range 120 {
		id := fmt.Sprintf("111-1234567-%07d", 1000000+i)
		number := "1Z96F4R8D313969574"
		switch i % 6 {
		case 1:
			id = "1"
		case 2:
			id = "111-1234567-1234567-and-a-lot-more-than-an-order-id"
		case 3:
			number = strings.Repeat("9", 60)
		case 4:
			number = ""
		}
		if i > 0 {
			number += fmt.Sprint(i) // no label reuse
		}
		fmt.Fprintf(&b, "%s\t2026-10-02\tUPS\t\t%s\n", id, number)
	}
	stdout, _, code := runVTR(t, b.String(), "check", "-")
	if code != 1 {
		t.Errorf("exit %d", code)
	}
	lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
	if len(lines) != 120 {
		t.Fatalf("%d lines, want 120", len(lines))
	}
	const idAt, verdictAt = len("line 9999999  "), len("line 9999999  111-1234567-1234567  ")
	for _, l := range lines {
		r := []rune(l)
		if strings.TrimRight(l, " ") != l {
			t.Errorf("%q ends in a space", l)
		}
		if len(r) < verdictAt+2 || r[idAt-1] != ' ' || r[idAt-2] != ' ' || r[idAt] == ' ' || r[verdictAt-1] != ' ' || r[verdictAt-2] != ' ' ||
			!slices.Contains([]string{"ok", "DEFECT", "REJECTED"}, strings.Fields(string(r[verdictAt:]))[0]) {
			t.Errorf("columns off: %q", l)
		}
	}
}

// A tracking number that is the line's order ID says so in plain words;
// under Walmart's policy the order-id column holds the purchase-order
// number, and the finding names it.
func TestCheckOrderIDAsTracking(t *testing.T) {
	file := "order-id\tship-date\tcarrier-code\tcarrier-name\ttracking-number\n" +
		"111-1234567-1234567\t2026-10-02\tUPS\t\t111-1234567-1234567\n"
	stdout, _, code := runVTR(t, file, "check", "-")
	want := "line 2        111-1234567-1234567  DEFECT    TRACKING_MALFORMED: The tracking number is this line's order ID (111-1234567-1234567), not a carrier's tracking number: the order ID was probably pasted into the tracking-number column; enter the number on the carrier's label. Amazon reports it as 111-1234567-1234567-InvalidId.\n"
	if code != 1 || stdout != want {
		t.Errorf("exit %d\n got %q\nwant %q", code, stdout, want)
	}
	file = "order-id\tship-date\tcarrier-code\tcarrier-name\ttracking-number\n" +
		"1796277083022\t2026-10-02\tFedEx\t\t1796277083022\n" +
		"1796277083023\t2026-10-02\tFedEx\t\t775817441109\n"
	stdout, _, code = runVTR(t, file, "check", "--policy", "walmart-us", "-")
	lines := strings.Split(stdout, "\n")
	if code != 1 || !strings.Contains(lines[0], "DEFECT    TRACKING_MALFORMED: The tracking number is this line's purchase-order number (1796277083022)") ||
		!strings.HasSuffix(lines[0], "enter the number on the carrier's label.") || lines[1] != "line 3        1796277083023        ok" {
		t.Errorf("walmart-us: exit %d\n%s", code, stdout)
	}
}

// --fix writes the corrected flat file: the input's header and columns,
// tab-separated, clean lines as they are, the carrier corrected where the
// engine is sure of it, the other lines left out and listed with why.
func TestCheckFix(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "fixed.txt")
	stdout, stderr, code := runVTR(t, "", "check", "../../flatfile/testdata/fix.txt", "--fix", out)
	if code != 1 || len(strings.Split(stdout, "\n")) != 16 {
		t.Errorf("exit %d, findings\n%s", code, stdout)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("../../flatfile/testdata/fix.golden")
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Errorf("fixed file\n%s\nwant\n%s", got, want)
	}
	for _, l := range []string{
		`vtr: fix: line 3 corrected: carrier-code "USPS" → "UPS"`,
		`vtr: fix: line 4 corrected: carrier-code "Other" → "FedEx", carrier-name "FedEx" removed`,
		`vtr: fix: line 7 left out: TRACKING_MALFORMED: The tracking ID 1Z96F4R8D313969575 has the form of a UPS 1Z number but its check digit is 5`,
		`vtr: fix: line 9 left out: TRACKING_MALFORMED: The tracking number is this line's order ID`,
		`vtr: fix: line 16 left out: "10/02/2026" is not a date (yyyy-mm-dd).`,
		"15 lines: 5 ok, 2 rejected by Amazon at upload, 8 accepted but counted as VTR defects\n" + out + ": 10 lines written (5 corrected), 5 left out\n",
	} {
		if !strings.Contains(stderr, l) {
			t.Errorf("stderr has no %q:\n%s", l, stderr)
		}
	}
	if n := strings.Count(stderr, "vtr: fix: line "); n != 10 {
		t.Errorf("%d lines listed, want the 5 corrected and the 5 left out:\n%s", n, stderr)
	}
	// From the CSV a spreadsheet saved, the same corrected file as from
	// the tab-separated one, tab-separated.
	fromCSV, fromTSV := filepath.Join(dir, "csv.txt"), filepath.Join(dir, "tsv.txt")
	runVTR(t, "", "check", "--fix", fromCSV, "../../flatfile/testdata/confirm.csv")
	runVTR(t, "", "check", "--fix", fromTSV, "../../flatfile/testdata/confirm.txt")
	a, err1 := os.ReadFile(fromCSV)
	b, err2 := os.ReadFile(fromTSV)
	if err1 != nil || err2 != nil || string(a) != string(b) || !strings.HasPrefix(string(a), strings.Join(flatfile.Columns, "\t")+"\n") {
		t.Errorf("fixed from CSV (%v)\n%s\nfrom the tab-separated file (%v)\n%s", err1, a, err2, b)
	}
	// --json keeps standard output JSON; the listing is on standard error.
	stdout, _, _ = runVTR(t, "", "check", "--json", "--fix", filepath.Join(dir, "j.txt"), "../../flatfile/testdata/fix.txt")
	for _, l := range strings.Split(strings.TrimSpace(stdout), "\n") {
		if !json.Valid([]byte(l)) {
			t.Errorf("not JSON: %q", l)
		}
	}
}

// --fix never writes over the input, by any name, nor to standard output;
// a run that fails leaves no file behind.
func TestCheckFixRefuses(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.txt")
	orig := "order-id\tship-date\tcarrier-code\ttracking-number\n111-1234567-1234567\t2026-10-02\tUSPS\t1Z96F4R8D313969574\n"
	if err := os.WriteFile(in, []byte(orig), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.txt")
	if err := os.Symlink(in, link); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"check", "--fix", in, in},
		{"check", "--fix", filepath.Join(dir, ".", "in.txt"), in},
		{"check", "--fix", link, in},
		{"check", "--fix", in, link},
		{"check", "--fix", "-", in},
	} {
		_, stderr, code := runVTR(t, "", args...)
		if code != 2 || !strings.Contains(stderr, "--fix") {
			t.Errorf("%v: exit %d, stderr %q; want a usage error", args, code, stderr)
		}
	}
	if b, _ := os.ReadFile(in); string(b) != orig {
		t.Errorf("the input was changed: %q", b)
	}
	// The input is not a flat file: no corrected file, no temporary one.
	out := filepath.Join(dir, "out.txt")
	if _, _, code := runVTR(t, "not a flat file\n", "check", "--fix", out, "-"); code != 2 {
		t.Errorf("bad input: exit %d, want 2", code)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("files left in %s: %v", dir, entries)
	}
	// From standard input it works.
	if _, _, code := runVTR(t, orig, "check", "--fix", out, "-"); code != 1 {
		t.Errorf("from standard input: exit %d", code)
	}
	if b, _ := os.ReadFile(out); !strings.Contains(string(b), "\tUPS\t1Z96F4R8D313969574\n") {
		t.Errorf("fixed from standard input: %q", b)
	}
}

// `vtr help check` describes --fix, the CSV reading and the order-ID
// finding.
func TestCheckHelp(t *testing.T) {
	out, _, code := runVTR(t, "", "help", "check")
	if code != 0 || out != checkHelp {
		t.Fatalf("exit %d: %q", code, out)
	}
	for _, want := range []string{"--fix OUT", "comma- or semicolon-separated", "purchase-order number", "OUT must not be the"} {
		if !strings.Contains(out, want) {
			t.Errorf("help has no %q", want)
		}
	}
	for i, l := range strings.Split(out, "\n") {
		if strings.TrimRight(l, " ") != l || len([]rune(l)) > 80 {
			t.Errorf("help line %d: %q", i+1, l)
		}
	}
}
