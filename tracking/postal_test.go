package tracking

import "testing"

// The national operators on the marketplace carrier lists issue UPU S10
// numbers for their international services (tracking-numbers.md §4.2,
// §4.7, §4.8): such a number is valid, check digit verified, for the operator of
// its country code, and only for it. Serial 12345678 weighs 8,6,4,2,3,5,9,7
// to 204; 204 mod 11 = 6; the check digit is 11 − 6 = 5.
func TestS10NationalOperators(t *testing.T) {
	tests := []struct {
		number, carrier, other string
	}{
		{"RR123456785CN", "China Post", "USPS"},
		{"LP176445020CN", "China Post", "Canada Post"},
		{"EA123456785US", "USPS", "China Post"},
		{"CP123456785US", "United States Postal Service", "Canada Post"},
		{"RR123456785CA", "Canada Post", "USPS"},
		{"PG616083375CA", "Postes Canada", "China Post"},
	}
	for _, tt := range tests {
		r := check(t, tt.number, tt.carrier)
		if !r.Valid || !r.Verified || r.Service() != "S10" {
			t.Errorf("%s as %s: valid=%v verified=%v service=%q (%s); want a verified S10 number", tt.number, tt.carrier, r.Valid, r.Verified, r.Service(), r.Message())
		}
		if r = check(t, tt.number, tt.other); r.Valid {
			t.Errorf("%s as %s: valid, want a mismatch (the country code names another operator)", tt.number, tt.other)
		}
		// One digit off: the check digit no longer computes.
		typo := []byte(tt.number)
		typo[5] = '0' + (typo[5]-'0'+1)%10
		if r = check(t, string(typo), tt.carrier); r.Valid {
			t.Errorf("%s as %s: valid, want its check digit refused", typo, tt.carrier)
		}
	}
}

// A carrier owns S10 numbers exactly when it is marked Postal, so `vtr
// carriers` lists the S10 form for every operator that validation
// accepts it for.
func TestPostalOwnsS10(t *testing.T) {
	owners := map[*Carrier]bool{}
	for _, op := range upuOperators {
		c, ok := PostalOperator(op.Code)
		if !ok {
			continue // TestRegistryConsistency reports it
		}
		owners[c] = true
		if !c.Postal {
			t.Errorf("%s owns S10 numbers …%s but is not marked Postal", c.Code, op.Code)
		}
	}
	for _, c := range Carriers() {
		if c.Postal && !owners[c] {
			t.Errorf("%s is marked Postal but owns no S10 country code", c.Code)
		}
	}
	for _, code := range []string{"USPS", "China Post", "Canada Post"} {
		if c := ByCode(code); c == nil || !owners[c] {
			t.Errorf("%s owns no S10 country code", code)
		}
	}
}
