package tracking

// byLen indexes the formats by every normalised length they accept, so a
// number is tried only against formats of its length.
var byLen [MaxLen + 1][]*Format

// hasFormat marks the carriers that own or share at least one format;
// the others (SFC, JCEX, "Other" …) publish none and cannot be checked.
var hasFormat = map[*Carrier]bool{}

func init() {
	for _, f := range formats {
		if f.Carrier != "" {
			f.carrier = ByCode(f.Carrier)
			if f.carrier == nil {
				panic("tracking: format " + f.Service + " names unknown carrier " + f.Carrier)
			}
			hasFormat[f.carrier] = true
		}
		for _, p := range f.Partners {
			c := ByCode(p)
			if c == nil {
				panic("tracking: format " + f.Service + " names unknown partner " + p)
			}
			f.partners = append(f.partners, c)
			hasFormat[c] = true
		}
		for n := f.min; n <= f.max && n <= MaxLen; n++ {
			byLen[n] = append(byLen[n], f)
		}
	}
	for _, c := range postalByCountry {
		hasFormat[c] = true
	}
	// Codes and service names go into JSON and messages unescaped.
	for _, c := range carriers {
		if !safeJSON(c.Code) {
			panic("tracking: carrier code needs JSON escaping: " + c.Code)
		}
	}
	for _, f := range formats {
		if !safeJSON(f.Service) {
			panic("tracking: service name needs JSON escaping: " + f.Service)
		}
	}
}

// Formats returns the format table, for documentation and tests.
func Formats() []*Format { return formats }
