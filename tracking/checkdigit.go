package tracking

// Check-digit algorithms, implemented from their documented definitions
// (see ../shared/reference/tracking-numbers.md section 3). Every function
// takes the serial part of a normalised number (upper-case ASCII letters
// and digits only) and returns the expected check character. None of them
// allocates.

// upsValue is the value of a character in the UPS letter table: a digit is
// itself, a letter is (ASCII code - 3) mod 10, so A=2 … H=9, I=0, J=1 … Z=7.
func upsValue(c byte) int {
	if c >= '0' && c <= '9' {
		return int(c - '0')
	}
	return int(c-3) % 10
}

// mod10 is the weighted modulus-10 rule used by UPS (1Z and waybill) and
// OnTrac: from the left, characters at even indexes are multiplied by even,
// at odd indexes by odd; the products are summed as they are (this is not
// Luhn: no digit sums). pre, when not empty, is a digit prepended to the
// serial before weighting (OnTrac's C → 4, D → 5).
func mod10(pre byte, seq []byte, even, odd int) byte {
	sum, i := 0, 0
	if pre != 0 {
		sum += upsValue(pre) * even
		i = 1
	}
	for _, c := range seq {
		if i%2 == 0 {
			sum += upsValue(c) * even
		} else {
			sum += upsValue(c) * odd
		}
		i++
	}
	return byte('0' + (10-sum%10)%10)
}

// gs1 is the GS1 modulus-10 check digit (USPS IMpb, FedEx Ground, Canada
// Post, SSCC): weights 3, 1, 3, 1 … starting at the rightmost data digit.
// pre is prepended to seq before weighting (USPS legacy numbers are checked
// as if they began with "91").
func gs1(pre string, seq []byte) byte {
	sum, w := 0, 3
	for i := len(seq) - 1; i >= 0; i-- {
		sum += int(seq[i]-'0') * w
		w = 4 - w
	}
	for i := len(pre) - 1; i >= 0; i-- {
		sum += int(pre[i]-'0') * w
		w = 4 - w
	}
	return byte('0' + (10-sum%10)%10)
}

// mod7 is DHL Express's rule: the serial read as an integer, modulo 7.
// Serials are at most 10 digits, far inside uint64.
func mod7(seq []byte) byte {
	var n uint64
	for _, c := range seq {
		n = n*10 + uint64(c-'0')
	}
	return byte('0' + n%7)
}

// s10Weights are the UPU S10 weights over the eight serial digits.
var s10Weights = [8]int{8, 6, 4, 2, 3, 5, 9, 7}

// s10 is the UPU S10 check digit: weighted sum modulo 11; 11 - r, with 10
// becoming 0 and 11 becoming 5.
func s10(seq []byte) byte {
	sum := 0
	for i, c := range seq[:8] {
		sum += int(c-'0') * s10Weights[i]
	}
	switch r := sum % 11; r {
	case 0:
		return '5'
	case 1:
		return '0'
	default:
		return byte('0' + 11 - r)
	}
}

// fedexWeights are the FedEx Express weights counted from the rightmost
// serial digit. FedEx Express 12 writes them 3,1,7,3,1,7… from the left over
// 11 digits; aligned to the right the same rule serves the 13-digit serials
// of the 34-digit barcodes and the 11 digits inside ASTRA 32.
var fedexWeights = [3]int{1, 3, 7}

// fedex computes (Σ digit × weight) mod 11 mod 10 with fedexWeights.
func fedex(seq []byte) byte {
	sum := 0
	for i := len(seq) - 1; i >= 0; i-- {
		sum += int(seq[i]-'0') * fedexWeights[(len(seq)-1-i)%3]
	}
	return byte('0' + sum%11%10)
}

// luhn is the Luhn check digit (Purolator, Old Dominion): starting with the
// rightmost serial digit, every other digit is doubled (minus 9 when over
// 9), and the check digit brings the total to a multiple of 10.
func luhn(seq []byte) byte {
	sum, double := 0, true
	for i := len(seq) - 1; i >= 0; i-- {
		d := int(seq[i] - '0')
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return byte('0' + (10-sum%10)%10)
}

// alnum36 is the alphabet of ISO 7064 MOD 37,36: 0-9 then A-Z.
const alnum36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

func alnumValue(c byte) int {
	if c >= '0' && c <= '9' {
		return int(c - '0')
	}
	return int(c-'A') + 10
}

// mod3736 is the ISO 7064 MOD 37,36 hybrid check character used by DPD.
func mod3736(seq []byte) byte {
	cd := 36
	for _, c := range seq {
		cd += alnumValue(c)
		if cd > 36 {
			cd -= 36
		}
		cd *= 2
		if cd > 36 {
			cd -= 37
		}
	}
	cd = 37 - cd
	if cd == 36 {
		cd = 0
	}
	return alnum36[cd]
}
