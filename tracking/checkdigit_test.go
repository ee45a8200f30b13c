package tracking

import (
	"math/rand/v2"
	"testing"
)

// Worked examples from public sources outside the data set
// (tracking-numbers.md §3, each source named).
func TestCheckDigitWorkedExamples(t *testing.T) {
	tests := []struct {
		name, source string
		got          byte
		want         byte
	}{
		{"UPS 1Z", "AST Pro autodetector: 1Z96F4R8D313969574", mod10(0, []byte("96F4R8D31396957"), 1, 2), '4'},
		{"FedEx Express 12", "AST Pro autodetector: 775817441109", fedex([]byte("77581744110")), '9'},
		{"S10", "hdnpt/geartrack issue #49: CP337500215CN", s10([]byte("33750021")), '5'},
		{"GS1 (USPS IMpb)", "USPS/api-examples issue #34: 9434611206217011894085", gs1("", []byte("943461120621701189408")), '5'},
		{"OnTrac D", "tracking_number_data issue #17: D10011326755777", mod10('5', []byte("1001132675577"), 1, 2), '7'},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s (%s): check digit %c, want %c", tt.name, tt.source, tt.got, tt.want)
		}
	}
}

// Reference implementations, written from the definitions a second way:
// instead of computing the check digit, find the digit that makes the
// whole number satisfy the rule. They are slow and obviously right.

func refGS1Valid(num string) bool { // weights 1,3,1,3… from the right, check digit included
	sum := 0
	for i := len(num) - 1; i >= 0; i-- {
		w := 1
		if (len(num)-1-i)%2 == 1 {
			w = 3
		}
		sum += int(num[i]-'0') * w
	}
	return sum%10 == 0
}

func refLuhnValid(num string) bool { // classic Luhn over the whole number
	sum := 0
	for i := len(num) - 1; i >= 0; i-- {
		d := int(num[i] - '0')
		if (len(num)-1-i)%2 == 1 {
			d = d * 2 % 9
			if num[i] == '9' {
				d = 9
			}
		}
		sum += d
	}
	return sum%10 == 0
}

func refMod7(serial string) byte {
	r := 0
	for i := 0; i < len(serial); i++ { // long division, digit by digit
		r = (r*10 + int(serial[i]-'0')) % 7
	}
	return byte('0' + r)
}

func refS10(serial string) byte {
	w := []int{8, 6, 4, 2, 3, 5, 9, 7}
	sum := 0
	for i := range 8 {
		sum += int(serial[i]-'0') * w[i]
	}
	cd := 11 - sum%11
	if cd == 10 {
		cd = 0
	}
	if cd == 11 {
		cd = 5
	}
	return byte('0' + cd)
}

func refFedexValid(serial string, cd byte) bool { // 3,1,7 from the left, aligned on the right
	w := []int{7, 3, 1}
	sum := 0
	for i := 0; i < len(serial); i++ {
		sum += int(serial[i]-'0') * w[(i+3-len(serial)%3)%3]
	}
	return byte('0'+sum%11%10) == cd
}

func randDigits(r *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('0' + r.IntN(10))
	}
	return string(b)
}

func TestCheckDigitsAgainstReference(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		n := 1 + r.IntN(30)
		s := randDigits(r, n)
		if !refGS1Valid(s + string(gs1("", []byte(s)))) {
			t.Fatalf("gs1(%s) = %c fails the reference rule", s, gs1("", []byte(s)))
		}
		if !refLuhnValid(s + string(luhn([]byte(s)))) {
			t.Fatalf("luhn(%s) = %c fails the reference rule", s, luhn([]byte(s)))
		}
		if n <= 18 {
			if got, want := mod7([]byte(s)), refMod7(s); got != want {
				t.Fatalf("mod7(%s) = %c, want %c", s, got, want)
			}
		}
		if !refFedexValid(s, fedex([]byte(s))) {
			t.Fatalf("fedex(%s) = %c fails the reference rule", s, fedex([]byte(s)))
		}
		s8 := randDigits(r, 8)
		if got, want := s10([]byte(s8)), refS10(s8); got != want {
			t.Fatalf("s10(%s) = %c, want %c", s8, got, want)
		}
	}
	// gs1 with a prefix is gs1 of the concatenation.
	for range 1000 {
		s := randDigits(r, 1+r.IntN(25))
		if got, want := gs1("91", []byte(s)), gs1("", []byte("91"+s)); got != want {
			t.Fatalf("gs1(91, %s) = %c, want %c", s, got, want)
		}
	}
}

func TestUPSLetterValues(t *testing.T) {
	// The UPS letter table: A=2 … H=9, I=0, J=1 … R=9, S=0 … Z=7.
	want := "23456789012345678901234567"
	for i := range 26 {
		c := byte('A' + i)
		if got := byte('0' + upsValue(c)); got != want[i] {
			t.Errorf("upsValue(%c) = %c, want %c", c, got, want[i])
		}
	}
}

func TestMod3736(t *testing.T) {
	// ISO 7064 hybrid MOD 37,36 validation, written as the standard states
	// it: run the hybrid loop over the data, then the check character c is
	// right when (P + c) mod 36 == 1.
	valid := func(data []byte, c byte) bool {
		p := 36
		for _, ch := range data {
			s := (p + alnumValue(ch)) % 36
			if s == 0 {
				s = 36
			}
			p = s * 2 % 37
		}
		return (p+alnumValue(c))%36 == 1
	}
	r := rand.New(rand.NewPCG(3, 4))
	for range 5000 {
		b := make([]byte, 1+r.IntN(20))
		for i := range b {
			b[i] = alnum36[r.IntN(36)]
		}
		cd := mod3736(b)
		if !valid(b, cd) {
			t.Fatalf("mod3736(%s) = %c fails ISO 7064 validation", b, cd)
		}
		other := alnum36[(alnumValue(cd)+1+r.IntN(35))%36]
		if valid(b, other) {
			t.Fatalf("ISO 7064 validation accepts two check characters %c and %c for %s", cd, other, b)
		}
	}
}
