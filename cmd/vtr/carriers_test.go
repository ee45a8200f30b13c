package main

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/vtr-project/vtr/tracking"
)

// carrierBlocks splits the text of `vtr carriers` into each carrier's
// lines, keyed by its code: a block starts with a line that does not start
// with a space.
func carrierBlocks(t *testing.T, out string) map[string][]string {
	t.Helper()
	blocks := map[string][]string{}
	var code string
	for _, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if !strings.HasPrefix(l, " ") {
			code = strings.TrimSpace(l)
			if r := []rune(l); len(r) > codeWidth && string(r[codeWidth-2:codeWidth]) == "  " {
				code = strings.TrimSpace(string(r[:codeWidth]))
			}
		}
		blocks[code] = append(blocks[code], l)
	}
	return blocks
}

// The text fits a 100-column terminal: no line is wider (Chinese names
// count two columns), none ends in a space, the details of every carrier
// start in the same column, and wrapped lists continue under their first
// item.
func TestCarriersLayout(t *testing.T) {
	out, stderr, code := runVTR(t, "", "carriers")
	if code != 0 || stderr != "" {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) < 300 {
		t.Fatalf("%d lines, want every carrier", len(lines))
	}
	wrapped := 0
	for i, l := range lines {
		if w := width(l); w > lineWidth || utf8.RuneCountInString(l) > lineWidth {
			t.Errorf("line %d is %d columns wide, want at most %d: %q", i+1, w, lineWidth, l)
		}
		if strings.TrimRight(l, " ") != l {
			t.Errorf("line %d ends in a space: %q", i+1, l)
		}
		if l == "" {
			t.Errorf("line %d is empty", i+1)
		}
		if strings.HasPrefix(l, " ") {
			// A detail, or the continuation of a list: after the code
			// column, and a continuation under its list's first item.
			indent := len(l) - len(strings.TrimLeft(l, " "))
			switch {
			case indent == codeWidth:
			case indent == codeWidth+len("also: "), indent == codeWidth+len("formats: "), indent == codeWidth+len("integrated for origins: "):
				wrapped++
			default:
				t.Errorf("line %d starts in column %d: %q", i+1, indent, l)
			}
		} else if r := []rune(l); len(r) > codeWidth && string(r[codeWidth-2:codeWidth]) != "  " && strings.Contains(l, "  ") {
			t.Errorf("line %d: a code that overflows its column shares its line: %q", i+1, l)
		}
	}
	if wrapped == 0 {
		t.Errorf("no wrapped list: FedEx's formats and China Post's spellings do not fit one line")
	}
	blocks := carrierBlocks(t, out)
	// A long code has its own line; the details follow in their column.
	an := blocks["AN Post - regulatory and International affairs Unit"]
	if len(an) != 2 || an[1] != strings.Repeat(" ", codeWidth)+"formats: S10 …IE [S10 mod11]" {
		t.Errorf("An Post: %q", an)
	}
	// A name equal to the code is not repeated.
	for code, b := range blocks {
		if strings.TrimSpace(strings.TrimPrefix(b[0], code)) == code {
			t.Errorf("%s: the name repeats the code: %q", code, b[0])
		}
	}
	if b := blocks["UPS"]; len(b) == 0 || b[0] != "UPS"+strings.Repeat(" ", codeWidth-3)+"United Parcel Service" {
		t.Errorf("UPS: %q", b)
	}
}

// The formats listed are the ones `vtr validate` checks: the three
// national operators on Amazon's and Walmart's lists list their UPU S10
// form with their country code, and a number of that form validates for
// them.
func TestCarriersS10(t *testing.T) {
	out, _, _ := runVTR(t, "", "carriers")
	blocks := carrierBlocks(t, out)
	for _, tt := range []struct{ code, s10, number string }{
		{"USPS", "S10 …US [S10 mod11]", "EA123456785US"},
		{"China Post", "S10 …CN [S10 mod11]", "RR123456785CN"},
		{"Canada Post", "S10 …CA [S10 mod11]", "RR123456785CA"},
		{"Royal Mail", "S10 …GB [S10 mod11]", "RR123456785GB"},
		{"Ministry of Posts and Telecommunications", "S10 …KH/…LR [S10 mod11]", "RR123456785LR"},
	} {
		text := strings.Join(blocks[tt.code], "\n")
		if !strings.Contains(text, tt.s10) {
			t.Errorf("%s lists no %q:\n%s", tt.code, tt.s10, text)
		}
		if strings.Contains(text, "none published") {
			t.Errorf("%s says it has no format:\n%s", tt.code, text)
		}
		if _, _, code := runVTR(t, "", "validate", "--carrier", tt.code, tt.number); code != 0 {
			t.Errorf("vtr validate --carrier %q %s: exit %d, want valid", tt.code, tt.number, code)
		}
	}
	// A carrier with no format of its own and no S10 says so.
	if text := strings.Join(blocks["SFC"], "\n"); !strings.Contains(text, "formats: none published") {
		t.Errorf("SFC:\n%s", text)
	}
}

// Walmart's carrier name is in the text as in the JSON, for every carrier
// Walmart lists.
func TestCarriersWalmart(t *testing.T) {
	out, _, _ := runVTR(t, "", "carriers")
	blocks := carrierBlocks(t, out)
	n := 0
	for _, c := range tracking.Carriers() {
		has := slices.ContainsFunc(blocks[c.Code], func(l string) bool { return strings.HasSuffix(l, "Walmart name: "+c.Walmart) })
		if c.Walmart != "" {
			n++
			if !has {
				t.Errorf("%s: no line %q:\n%s", c.Code, "Walmart name: "+c.Walmart, strings.Join(blocks[c.Code], "\n"))
			}
		} else if strings.Contains(strings.Join(blocks[c.Code], "\n"), "Walmart name:") {
			t.Errorf("%s: a Walmart name Walmart does not list", c.Code)
		}
	}
	if n < 20 {
		t.Errorf("%d carriers with a Walmart name, want Walmart's list", n)
	}
	for _, want := range []string{"Walmart name: UPSMI", "Walmart name: FEDEXSP", "Walmart name: DHL Ecommerce-US", "Walmart name: LS"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q", want)
		}
	}
}

// --json is still one valid object per carrier, with the same formats as
// the text.
func TestCarriersJSON(t *testing.T) {
	out, _, code := runVTR(t, "", "carriers", "--json")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != len(tracking.Carriers()) {
		t.Errorf("%d lines, want one per carrier (%d)", len(lines), len(tracking.Carriers()))
	}
	byCode := map[string][]string{}
	for _, l := range lines {
		var v struct {
			Code    string   `json:"code"`
			Walmart string   `json:"walmart"`
			Formats []string `json:"formats"`
		}
		if err := json.Unmarshal([]byte(l), &v); err != nil {
			t.Fatalf("%v: %s", err, l)
		}
		byCode[v.Code] = v.Formats
		if c := tracking.ByCode(v.Code); c == nil || c.Walmart != v.Walmart {
			t.Errorf("%s: walmart %q", v.Code, v.Walmart)
		}
	}
	for code, want := range map[string]string{"USPS": "S10 …US [S10 mod11]", "China Post": "S10 …CN [S10 mod11]", "Canada Post": "S10 …CA [S10 mod11]"} {
		if !slices.Contains(byCode[code], want) {
			t.Errorf("%s formats %q, want %q among them", code, byCode[code], want)
		}
	}
}

// `vtr help carriers` says what the command prints.
func TestCarriersHelp(t *testing.T) {
	out, _, code := runVTR(t, "", "help", "carriers")
	if code != 0 || out != carriersHelp {
		t.Fatalf("exit %d: %q", code, out)
	}
	for _, want := range []string{"Walmart's carrier", "S10", "100 columns", "--json"} {
		if !strings.Contains(out, want) {
			t.Errorf("help has no %q", want)
		}
	}
}
