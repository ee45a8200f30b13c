package main

import (
	"bufio"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/vtr-project/vtr/tracking"
)

const carriersHelp = `Usage: vtr carriers [--json]

Lists every carrier vtr knows: canonical code (Amazon's carrier-code
spelling), name (when it differs from the code), other accepted
spellings, Walmart's carrier name, the origins for which Amazon lists it
as integrated, and the tracking-number formats 'vtr validate' checks for
it, with their check digit. A postal operator's formats include the UPU
S10 form with its country code (USPS …US, China Post …CN, Canada Post
…CA). Text lines are at most 100 columns; --json prints one object per
carrier.
`

// Text layout of `vtr carriers`: the code in a column of codeWidth, the
// details after it, every line at most lineWidth columns. A code too wide
// for its column has a line of its own.
const (
	codeWidth = 24
	lineWidth = 100
)

func (m *Main) carriers(args []string) error {
	fs := newFlags("carriers")
	asJSON := fs.Bool("json", false, "")
	if ok, err := parse(fs, args, carriersHelp, m.Stdout); !ok {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("carriers takes no arguments")
	}
	formats := map[string][]string{}
	// Formats without a carrier (S10) belong to the postal operator of the
	// number's country code.
	var byCountry []*tracking.Format
	for _, f := range tracking.Formats() {
		if f.Carrier == "" {
			byCountry = append(byCountry, f)
			continue
		}
		s := formatName(f, f.Service)
		formats[f.Carrier] = append(formats[f.Carrier], s)
		for _, p := range f.Partners {
			formats[p] = append(formats[p], s+" (shared with "+f.Carrier+")")
		}
	}
	countries := postalCountries()
	w := bufio.NewWriter(m.Stdout)
	for _, c := range tracking.Carriers() {
		fm := formats[c.Code]
		if ccs := countries[c]; len(ccs) > 0 {
			for _, f := range byCountry {
				fm = append(fm, formatName(f, f.Service+" …"+strings.Join(ccs, "/…")))
			}
		}
		if *asJSON {
			b := []byte(`{"code":`)
			b = tracking.AppendJSONString(b, c.Code)
			b = append(b, `,"name":`...)
			b = tracking.AppendJSONString(b, c.Name)
			b = appendStrings(append(b, `,"aliases":`...), c.Aliases)
			b = appendStrings(append(b, `,"chinese":`...), c.Chinese)
			b = append(b, `,"walmart":`...)
			b = tracking.AppendJSONString(b, c.Walmart)
			b = appendStrings(append(b, `,"integrated_origins":`...), c.Origins)
			b = appendStrings(append(b, `,"formats":`...), fm)
			b = append(b, "}\n"...)
			w.Write(b)
			continue
		}
		writeCarrier(w, c, fm)
	}
	return w.Flush()
}

// formatName is a format as listed: its name and check digit.
func formatName(f *tracking.Format, name string) string {
	if f.CheckDigit != "" {
		return name + " [" + f.CheckDigit + "]"
	}
	return name
}

// postalCountries maps each postal operator to the UPU country codes that
// end its S10 numbers, in alphabetical order: the same table validation
// reads (tracking.PostalOperator).
func postalCountries() map[*tracking.Carrier][]string {
	out := map[*tracking.Carrier][]string{}
	for a := 'A'; a <= 'Z'; a++ {
		for b := 'A'; b <= 'Z'; b++ {
			cc := string([]rune{a, b})
			if c, ok := tracking.PostalOperator(cc); ok {
				out[c] = append(out[c], cc)
			}
		}
	}
	return out
}

// writeCarrier writes one carrier's block: the code, then a detail per
// line, long lists wrapped under their first item.
func writeCarrier(w *bufio.Writer, c *tracking.Carrier, formats []string) {
	type detail struct {
		label, sep string
		items      []string
	}
	var details []detail
	if c.Name != c.Code {
		details = append(details, detail{"", "", []string{c.Name}})
	}
	var also []string
	for _, a := range append(append([]string{}, c.Aliases...), c.Chinese...) {
		if a != c.Code && a != c.Name {
			also = append(also, a)
		}
	}
	if len(also) > 0 {
		details = append(details, detail{"also: ", ", ", also})
	}
	if c.Walmart != "" {
		details = append(details, detail{"Walmart name: ", "", []string{c.Walmart}})
	}
	if len(c.Origins) > 0 {
		details = append(details, detail{"integrated for origins: ", " ", c.Origins})
	}
	if len(formats) > 0 {
		details = append(details, detail{"formats: ", "; ", formats})
	} else {
		details = append(details, detail{"formats: ", "", []string{"none published (numbers accepted unchecked)"}})
	}
	first := c.Code
	if width(first) > codeWidth-2 {
		// Too wide for the column: the code alone on its line.
		w.WriteString(first + "\n")
		first = ""
	}
	for _, d := range details {
		writeWrapped(w, padRight(first, codeWidth), d.label, d.sep, d.items)
		first = ""
	}
}

// writeWrapped writes prefix+label and the items joined by sep, breaking
// between items so that no line passes lineWidth; continuation lines
// start under the first item. An item wider than the room left has a line
// of its own. No line ends in a space.
func writeWrapped(w *bufio.Writer, prefix, label, sep string, items []string) {
	indent := width(prefix) + width(label)
	line := prefix + label
	col := indent
	for i, it := range items {
		if i > 0 {
			s := strings.TrimRight(sep, " ")
			if col+width(sep)+width(it) > lineWidth {
				w.WriteString(line + s + "\n")
				line, col = strings.Repeat(" ", indent), indent
			} else {
				line += sep
				col += width(sep)
			}
		}
		line += it
		col += width(it)
	}
	w.WriteString(strings.TrimRight(line, " ") + "\n")
}

// padRight pads s with spaces to n columns.
func padRight(s string, n int) string {
	if d := n - width(s); d > 0 {
		return s + strings.Repeat(" ", d)
	}
	return s
}

// width is the number of terminal columns s takes: two for the wide
// characters of Chinese, Japanese and Korean (carrier names in Chinese),
// one for every other character.
func width(s string) int {
	n := 0
	for _, r := range s {
		if r >= utf8.RuneSelf && (unicode.In(r, unicode.Han, unicode.Hangul, unicode.Hiragana, unicode.Katakana) || r >= 0xFF01 && r <= 0xFF60) {
			n += 2
		} else {
			n++
		}
	}
	return n
}

func appendStrings(b []byte, ss []string) []byte {
	b = append(b, '[')
	for i, s := range ss {
		if i > 0 {
			b = append(b, ',')
		}
		b = tracking.AppendJSONString(b, s)
	}
	return append(b, ']')
}
