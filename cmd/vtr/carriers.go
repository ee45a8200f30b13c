package main

import (
	"bufio"
	"fmt"
	"strings"

	"github.com/vtr-project/vtr/tracking"
)

const carriersHelp = `Usage: vtr carriers [--json]

Lists every carrier vtr knows: canonical code (Amazon's carrier-code
spelling), name, other accepted spellings, Walmart's name, the origins for
which Amazon lists it as integrated, and its tracking-number formats.
`

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
	for _, f := range tracking.Formats() {
		s := f.Service
		if f.CheckDigit != "" {
			s += " [" + f.CheckDigit + "]"
		}
		code := f.Carrier
		if code == "" {
			code = "(postal operators)"
		}
		formats[code] = append(formats[code], s)
		for _, p := range f.Partners {
			formats[p] = append(formats[p], s+" (shared with "+f.Carrier+")")
		}
	}
	w := bufio.NewWriter(m.Stdout)
	for _, c := range tracking.Carriers() {
		fm := formats[c.Code]
		if c.Postal && len(fm) == 0 {
			fm = []string{"S10 [S10 mod11]"}
		} else if c.Postal {
			fm = append(fm, "S10 [S10 mod11]")
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
		fmt.Fprintf(w, "%-22s %s\n", c.Code, c.Name)
		if len(c.Aliases)+len(c.Chinese) > 0 {
			fmt.Fprintf(w, "%-22s also: %s\n", "", strings.Join(append(append([]string{}, c.Aliases...), c.Chinese...), ", "))
		}
		if len(c.Origins) > 0 {
			fmt.Fprintf(w, "%-22s integrated for origins: %s\n", "", strings.Join(c.Origins, " "))
		}
		if len(fm) > 0 {
			fmt.Fprintf(w, "%-22s formats: %s\n", "", strings.Join(fm, "; "))
		} else {
			fmt.Fprintf(w, "%-22s formats: none published (numbers accepted unchecked)\n", "")
		}
	}
	return w.Flush()
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
