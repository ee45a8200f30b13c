package classify

import (
	"fmt"
	"strings"

	"github.com/vtr-project/vtr"
)

type tableID uint8

const (
	tNone tableID = iota
	tUPS
	tUSPS
	tFedEx
	tDHL
	tCanadaPost
	tUPU
	tAmazon
	tAfterShip
	tEasyPost
	t17Track
	tText
	nTables
)

var tableNames = [nTables]string{"", "UPS", "USPS", "FedEx", "DHL", "Canada Post", "UPU", "Amazon Shipping", "AfterShip", "EasyPost", "17TRACK", "text"}

type fieldID uint8

const (
	fCode fieldID = iota
	fType
	fTag
	fSubtag
	fLogical
	fDescription
	nFields
)

var fieldNames = [nFields]string{"Code", "TypeCode", "Tag", "Subtag", "Logical", "Description"}

// maxKey bounds the keys looked up; the longest table key is 41 bytes, so a
// longer value cannot match and is folded nowhere.
const maxKey = 64

// slot holds the entries of one exact key: one for any location, or one
// each for an event with and without a location (FedEx IT, IX).
type slot struct{ any, present, absent int32 }

// The index, built once by init from groups and read-only afterwards.
var (
	entries      []Entry
	folded       []string // entries[i].Key folded
	unrecognised []string // Rule for a physical tag whose sub-status the table does not know
	exact        [nTables][nFields]map[string]slot
	patterns     [nTables][nFields][]int32 // keys with '#' or '*', in table order
	textEntries  []int32
	textParts    [][]string // per text entry: the folded key split at '*'
	flagTrue     int
	flagFalse    int
	statusRules  map[vtr.EventStatus]string
)

func init() {
	if err := build(); err != nil {
		panic("classify: " + err.Error())
	}
}

// build indexes groups. A duplicate key, a key no lookup can reach or an
// invalid status or class is a bug in the tables, reported at start-up.
func build() error {
	flagTrue, flagFalse = -1, -1
	for _, g := range groups {
		for _, r := range g.rows {
			e := Entry{Table: tableNames[g.table], Field: fieldNames[g.field], Key: r.key, Location: g.location,
				Status: r.status, Class: r.class, Source: r.source, Note: r.note}
			switch {
			case g.fixed:
				e.Rule = g.rule
			case g.location == LocationPresent:
				e.Rule = g.rule + r.key + "@location"
			case g.location == LocationAbsent:
				e.Rule = g.rule + r.key + "@no-location"
			default:
				e.Rule = g.rule + r.key
			}
			if !e.Status.Valid() || !e.Class.Valid() || e.Source == "" {
				return fmt.Errorf("%s %s: invalid status %q, class %q or no source", e.Table, e.Key, e.Status, e.Class)
			}
			k := foldString(r.key)
			if k == "" || len(k) > maxKey {
				return fmt.Errorf("%s %q: key empty or longer than %d", e.Table, e.Key, maxKey)
			}
			i := int32(len(entries))
			entries = append(entries, e)
			folded = append(folded, k)
			unrecognised = append(unrecognised, e.Rule+" (sub-status not in the table)")
			switch {
			case g.field == fLogical:
				if r.key == "true" {
					flagTrue = int(i)
				} else {
					flagFalse = int(i)
				}
			case g.field == fDescription:
				textEntries = append(textEntries, i)
				textParts = append(textParts, strings.Split(k, "*"))
			case strings.ContainsAny(k, "#*"):
				for _, p := range patterns[g.table][g.field] {
					if folded[p] == k {
						return fmt.Errorf("%s %q: duplicate pattern", e.Table, e.Key)
					}
				}
				patterns[g.table][g.field] = append(patterns[g.table][g.field], i)
			default:
				m := exact[g.table][g.field]
				if m == nil {
					m = make(map[string]slot)
					exact[g.table][g.field] = m
				}
				s, ok := m[k]
				if !ok {
					s = slot{-1, -1, -1}
				}
				p := &s.any
				switch g.location {
				case LocationPresent:
					p = &s.present
				case LocationAbsent:
					p = &s.absent
				}
				if *p >= 0 {
					return fmt.Errorf("%s %s %q: duplicate key", e.Table, e.Field, e.Key)
				}
				*p = i
				m[k] = s
			}
		}
	}
	if flagTrue < 0 || flagFalse < 0 {
		return fmt.Errorf("logicalScan entries missing")
	}
	statusRules = make(map[vtr.EventStatus]string, len(vtr.EventStatuses))
	for _, s := range vtr.EventStatuses {
		statusRules[s] = "status:" + string(s)
	}
	return nil
}

// lookup finds the entry of table t whose key matches raw in field f,
// ignoring ASCII case and surrounding white space; exact keys first, then
// patterns in table order. It does not allocate.
func lookup(t tableID, f fieldID, raw string, hasLocation bool) (int, bool) {
	var buf [maxKey]byte
	k, ok := fold(&buf, raw)
	if !ok {
		return 0, false
	}
	if s, found := exact[t][f][string(k)]; found {
		i := s.any
		if hasLocation && s.present >= 0 {
			i = s.present
		} else if !hasLocation && s.absent >= 0 {
			i = s.absent
		}
		if i >= 0 {
			return int(i), true
		}
	}
	for _, p := range patterns[t][f] {
		if glob(folded[p], k) {
			return int(p), true
		}
	}
	return 0, false
}

// lookupText is rule 5: the first phrase found in the description.
func lookupText(desc string) (int, bool) {
	if desc == "" {
		return 0, false
	}
next:
	for j, parts := range textParts {
		rest := desc
		for _, part := range parts {
			n := indexFold(rest, part)
			if n < 0 {
				continue next
			}
			rest = rest[n+len(part):]
		}
		return int(textEntries[j]), true
	}
	return 0, false
}

// indexFold is strings.Index ignoring ASCII case; p is already folded.
func indexFold(s, p string) int {
	if len(p) == 0 {
		return 0
	}
	for i := 0; i+len(p) <= len(s); i++ {
		if lower(s[i]) != p[0] {
			continue
		}
		j := 1
		for j < len(p) && lower(s[i+j]) == p[j] {
			j++
		}
		if j == len(p) {
			return i
		}
	}
	return -1
}

// glob matches a folded key against a folded pattern: '#' is one ASCII
// digit, '*' any run of bytes.
func glob(p string, s []byte) bool {
	pi, si := 0, 0
	star, mark := -1, 0
	for si < len(s) {
		switch {
		case pi < len(p) && p[pi] == '*':
			star, mark = pi, si
			pi++
		case pi < len(p) && (p[pi] == s[si] || p[pi] == '#' && s[si] >= '0' && s[si] <= '9'):
			pi++
			si++
		case star >= 0:
			pi = star + 1
			mark++
			si = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

// fold writes raw, trimmed and with ASCII letters lower-cased, into buf.
// It reports false for an empty value or one too long for any key.
func fold(buf *[maxKey]byte, raw string) ([]byte, bool) {
	s := trim(raw)
	if len(s) == 0 || len(s) > maxKey {
		return nil, false
	}
	for i := 0; i < len(s); i++ {
		buf[i] = lower(s[i])
	}
	return buf[:len(s)], true
}

func foldString(s string) string {
	var buf [maxKey]byte
	k, ok := fold(&buf, s)
	if !ok {
		return ""
	}
	return string(k)
}

func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// trim drops surrounding ASCII white space.
func trim(s string) string {
	for len(s) > 0 && isSpace(s[0]) {
		s = s[1:]
	}
	for len(s) > 0 && isSpace(s[len(s)-1]) {
		s = s[:len(s)-1]
	}
	return s
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}
