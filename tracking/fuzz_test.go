package tracking

import (
	"encoding/json"
	"strings"
	"testing"
)

var seedNumbers = []string{
	"1Z96F4R8D313969574", "775817441109", "CP337500215CN", "9434611206217011894085", "D10011326755777",
	"420113859374869903508141282867", "92026124161170148800003176", "TBA115177973904", "UG336196744YP",
	"GM545115623000274746", "LX16641251", "1LS72301001401854622", "4PX3001794604846CN", "SF6043310798724",
	"", " ", "-", "N/A", "１Ｚ", "\xff", "1z96-f4r8 d313\t969574", strings.Repeat("9", 70), "JJD0099999999",
}

func FuzzNormalize(f *testing.F) {
	for _, s := range seedNumbers {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, reason, pos := Normalize(nil, s)
		if (reason == "") != (len(b) > 0) {
			t.Fatalf("Normalize(%q) = %q, %q: a reason iff nothing normalised", s, b, reason)
		}
		if len(b) > MaxLen {
			t.Fatalf("Normalize(%q) = %q: longer than MaxLen", s, b)
		}
		for _, c := range b {
			if !isDigit(c) && !isUpper(c) {
				t.Fatalf("Normalize(%q) = %q: holds %q", s, b, c)
			}
		}
		if pos >= len(s) {
			t.Fatalf("Normalize(%q): bad position %d", s, pos)
		}
		if reason == "" {
			again, r2, _ := Normalize(nil, string(b))
			if string(again) != string(b) || r2 != "" {
				t.Fatalf("Normalize is not idempotent on %q: %q then %q", s, b, again)
			}
		}
	})
}

func FuzzDetect(f *testing.F) {
	for _, s := range seedNumbers {
		f.Add(s, "")
		f.Add(s, "USPS")
		f.Add(s, "Other")
	}
	f.Fuzz(func(t *testing.T, s, claimed string) {
		var c *Carrier
		if m, ok := Lookup(claimed); ok {
			c = m.Carrier
		}
		var r Result
		r.Check(s, c)
		if r.Valid == (r.Reason != "") {
			t.Fatalf("Check(%q, %q): valid=%v with reason %q", s, claimed, r.Valid, r.Reason)
		}
		prev := 1 << 30
		norm := r.Normalized()
		for _, cand := range r.Candidates() {
			if cand.Score > prev {
				t.Fatalf("Check(%q): candidates out of order", s)
			}
			prev = cand.Score
			// Never accept a number that fails its own check digit: an
			// independent reference implementation must agree.
			if cand.Format.CheckDigit != "" && !refValid(cand.Format, norm) {
				t.Fatalf("Check(%q): %s %s accepted, but the reference check digit fails", s, cand.Carrier.Code, cand.Format.Service)
			}
		}
		var v map[string]any
		if err := json.Unmarshal(r.AppendJSON(nil), &v); err != nil {
			t.Fatalf("Check(%q): JSON: %v", s, err)
		}
		if r.Message() == "" {
			t.Fatalf("Check(%q): empty message", s)
		}
	})
}

// refValid re-checks a number against a checked format with the slow
// reference implementations of checkdigit_test.go, from the layout each
// format documents (tracking-numbers.md §4).
func refValid(f *Format, n string) bool {
	last := n[len(n)-1]
	switch f.Service {
	case "1Z":
		return refUPS(n[2:17], last)
	case "Waybill":
		return refUPS(n[1:10], last)
	case "C/D":
		pre := "4"
		if n[0] == 'D' {
			pre = "5"
		}
		if n[1] == pre[0] {
			pre = ""
		}
		return refUPS(pre+n[1:14], last)
	case "IMpb", "IMpb 92-612":
		for _, body := range routedBodies(n) {
			if len(body) >= 22 && body[0] == '9' && refGS1Valid(body) {
				return true
			}
		}
		return false
	case "Legacy 91":
		for _, body := range routedBodies(n) {
			if (len(body) == 22 && refGS1Valid(body)) || (len(body) == 20 && refGS1Valid("91"+body)) {
				return true
			}
		}
		return false
	case "USPS 20", "Ground 15", "16-digit":
		return refGS1Valid(n)
	case "Ground SSCC-18":
		return refGS1Valid(n[2:])
	case "Ground 96":
		return refGS1Valid(n[7:])
	case "Express 12":
		return refFedexValid(n[:11], last)
	case "Express 34", "Ground GSN 34":
		return refFedexValid(n[20:33], last)
	case "ASTRA 32":
		return refFedexValid(n[16:27], n[27])
	case "Express waybill":
		return refMod7(n[:len(n)-1]) == last
	case "S10", "S10 (YP/YN)":
		return refS10(n[2:10]) == n[10]
	case "12-digit", "PRO 11":
		return refLuhnValid(n)
	case "DPD 28", "DPD 14":
		return refMod3736Valid(n)
	}
	panic("refValid: no reference for " + f.Service)
}

func routedBodies(n string) []string {
	out := []string{n}
	if strings.HasPrefix(n, "420") {
		if len(n) > 8 {
			out = append(out, n[8:])
		}
		if len(n) > 12 {
			out = append(out, n[12:])
		}
	}
	return out
}

func refUPS(serial string, cd byte) bool {
	const letters = "23456789012345678901234567" // A..Z
	sum := 0
	for i := 0; i < len(serial); i++ {
		v := int(serial[i] - '0')
		if serial[i] >= 'A' {
			v = int(letters[serial[i]-'A'] - '0')
		}
		sum += v * (1 + i%2)
	}
	return (sum+int(cd-'0'))%10 == 0
}

// refMod3736Valid is ISO 7064 hybrid MOD 37,36 validation as the standard
// states it (see TestMod3736).
func refMod3736Valid(n string) bool {
	p := 36
	for i := 0; i < len(n)-1; i++ {
		s := (p + alnumValue(n[i])) % 36
		if s == 0 {
			s = 36
		}
		p = s * 2 % 37
	}
	return (p+alnumValue(n[len(n)-1]))%36 == 1
}
