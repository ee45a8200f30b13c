// Command score grades the outputs of bench/validate against the labelled
// workload and prints the comparison of vtr with ts-tracking-number.
//
// Usage:
//
//	score -labels numbers.tsv -vtr vtr.out -ts ts.out [-vtr-ns N -ts-ns N -ts-version V]
//
// labels is gen's output (number, expected, carrier, format; tab separated).
// vtr.out holds one JSON object per number as written by
// 'vtr validate --json'; ts.out one {"valid":bool,"carrier":code,"service":name}
// per number as written by ts_validate.js.
//
// A tool agrees with a label when the label is invalid and the tool says
// invalid, or the label is valid, the tool says valid and the tool's carrier
// is the label's carrier. ts-tracking-number's couriers are mapped to vtr's
// carrier codes by tsRules.
//
// With the timings (wall clock, nanoseconds) it also prints the speed
// comparison and whether the targets are met. The exit status is 0 whether or
// not they are; it is 1 only when the inputs cannot be read or do not line up.
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
)

// speedTarget is how many times faster than ts-tracking-number vtr must be,
// end to end.
const speedTarget = 50

// tsRule maps a ts-tracking-number definition to the vtr carrier codes it
// agrees with. The first rule whose code (and service, when set) matches the
// output is used.
type tsRule struct {
	code     string   // courier_code in ts-tracking-number
	service  string   // tracking number definition name; "" matches any
	carriers []string // vtr carrier codes the match agrees with
	anyS10   bool     // agrees with every label of format S10, whatever the carrier
}

var tsRules = []tsRule{
	{code: "ups", carriers: []string{"UPS"}},
	{code: "usps", carriers: []string{"USPS"}},
	{code: "fedex", service: "FedEx SmartPost", carriers: []string{"FedEx SmartPost"}},
	{code: "fedex", carriers: []string{"FedEx"}},
	// ts-tracking-number lumps DHL Express and DHL eCommerce together.
	{code: "dhl", carriers: []string{"DHL", "DHL eCommerce"}},
	{code: "amazon", carriers: []string{"Amazon Shipping"}},
	{code: "ontrac", carriers: []string{"OnTrac"}},
	// An S10 match names no operator (China Post, USPS, Royal Mail, ...): it
	// is right for any postal operator's S10 number.
	{code: "s10", anyS10: true},
}

// tsAgrees reports whether a valid ts-tracking-number result of courier code
// and definition service names the label's carrier. known is false when no
// rule covers the code.
func tsAgrees(code, service string, l label) (agrees, known bool) {
	for _, r := range tsRules {
		if r.code != code || (r.service != "" && r.service != service) {
			continue
		}
		if r.anyS10 {
			return l.format == "S10", true
		}
		return slices.Contains(r.carriers, l.carrier), true
	}
	return false, false
}

type label struct {
	number  string
	valid   bool
	carrier string // vtr canonical code; "-" when invalid
	format  string
}

// result is the part of either tool's JSON line that is scored.
type result struct {
	Valid   bool    `json:"valid"`
	Carrier *string `json:"carrier"`
	Service *string `json:"service"`
}

func (r result) carrier() string {
	if r.Carrier == nil {
		return ""
	}
	return *r.Carrier
}

func (r result) service() string {
	if r.Service == nil {
		return ""
	}
	return *r.Service
}

type tally struct {
	count, vtr, ts int
	worse          []string // numbers vtr gets wrong and ts right
}

func main() {
	labels := flag.String("labels", "", "labelled workload (gen output)")
	vtrOut := flag.String("vtr", "", "output of vtr validate --json")
	tsOut := flag.String("ts", "", "output of ts_validate.js")
	vtrNS := flag.Int64("vtr-ns", 0, "vtr wall-clock time in nanoseconds")
	tsNS := flag.Int64("ts-ns", 0, "ts-tracking-number wall-clock time in nanoseconds")
	tsVersion := flag.String("ts-version", "", "ts-tracking-number version")
	examples := flag.Int("examples", 3, "example numbers to list per carrier where vtr is less accurate")
	flag.Parse()
	if *labels == "" || *vtrOut == "" || *tsOut == "" {
		fmt.Fprintln(os.Stderr, "usage: score -labels numbers.tsv -vtr vtr.out -ts ts.out [-vtr-ns N -ts-ns N -ts-version V]")
		os.Exit(2)
	}
	if err := run(os.Stdout, *labels, *vtrOut, *tsOut, *vtrNS, *tsNS, *tsVersion, *examples); err != nil {
		fmt.Fprintln(os.Stderr, "score:", err)
		os.Exit(1)
	}
}

func run(w io.Writer, labelsPath, vtrPath, tsPath string, vtrNS, tsNS int64, tsVersion string, examples int) error {
	lf, err := os.Open(labelsPath)
	if err != nil {
		return err
	}
	defer lf.Close()
	vf, err := os.Open(vtrPath)
	if err != nil {
		return err
	}
	defer vf.Close()
	tf, err := os.Open(tsPath)
	if err != nil {
		return err
	}
	defer tf.Close()

	ls, vs, ts := lines(lf), lines(vf), lines(tf)
	byCarrier := map[string]*tally{}
	var invalid, total tally
	unmapped := map[string]int{}
	n := 0
	for ls.Scan() {
		n++
		l, err := parseLabel(ls.Text())
		if err != nil {
			return fmt.Errorf("%s:%d: %w", labelsPath, n, err)
		}
		if !vs.Scan() {
			return fmt.Errorf("%s has %d lines, fewer than %s", vtrPath, n-1, labelsPath)
		}
		if !ts.Scan() {
			return fmt.Errorf("%s has %d lines, fewer than %s", tsPath, n-1, labelsPath)
		}
		var vr, tr result
		if err := json.Unmarshal(vs.Bytes(), &vr); err != nil {
			return fmt.Errorf("%s:%d: %w", vtrPath, n, err)
		}
		if err := json.Unmarshal(ts.Bytes(), &tr); err != nil {
			return fmt.Errorf("%s:%d: %w", tsPath, n, err)
		}

		vtrOK := vr.Valid == l.valid && (!l.valid || vr.carrier() == l.carrier)
		tsOK := tr.Valid == l.valid
		if l.valid && tr.Valid {
			var known bool
			tsOK, known = tsAgrees(tr.carrier(), tr.service(), l)
			if !known {
				unmapped[tr.carrier()]++
			}
		}

		t := &invalid
		if l.valid {
			t = byCarrier[l.carrier]
			if t == nil {
				t = &tally{}
				byCarrier[l.carrier] = t
			}
		}
		for _, t := range []*tally{t, &total} {
			t.count++
			if vtrOK {
				t.vtr++
			}
			if tsOK {
				t.ts++
			}
		}
		if tsOK && !vtrOK && len(t.worse) < examples {
			t.worse = append(t.worse, l.number)
		}
	}
	for _, s := range []*bufio.Scanner{ls, vs, ts} {
		if err := s.Err(); err != nil {
			return err
		}
	}
	if vs.Scan() {
		return fmt.Errorf("%s has more lines than %s (%d)", vtrPath, labelsPath, n)
	}
	if ts.Scan() {
		return fmt.Errorf("%s has more lines than %s (%d)", tsPath, labelsPath, n)
	}
	if n == 0 {
		return errors.New("no labelled numbers")
	}

	carriers := make([]string, 0, len(byCarrier))
	for c := range byCarrier {
		carriers = append(carriers, c)
	}
	slices.Sort(carriers)

	fmt.Fprintf(w, "Agreement with the labels (%% of numbers each tool gets right)\n\n")
	fmt.Fprintf(w, "%-18s %8s %8s %8s\n", "carrier", "count", "vtr %", "ts %")
	row := func(name string, t *tally) {
		mark := ""
		if t.vtr < t.ts {
			mark = "  <- vtr less accurate"
		}
		fmt.Fprintf(w, "%-18s %8d %8.2f %8.2f%s\n", name, t.count, pct(t.vtr, t.count), pct(t.ts, t.count), mark)
	}
	var worse []string
	for _, c := range carriers {
		row(c, byCarrier[c])
		if byCarrier[c].vtr < byCarrier[c].ts {
			worse = append(worse, c)
		}
	}
	if invalid.count > 0 {
		row("invalid", &invalid)
		if invalid.vtr < invalid.ts {
			worse = append(worse, "invalid")
		}
	}
	fmt.Fprintln(w, strings.Repeat("-", 44))
	row("total", &total)
	for code, c := range unmapped {
		fmt.Fprintf(w, "\nwarning: %d valid ts-tracking-number results of courier %q have no mapping and count as wrong\n", c, code)
	}

	tsName := "ts-tracking-number"
	if tsVersion != "" {
		tsName += " " + tsVersion
	}
	fmt.Fprintf(w, "\nSummary\n\n")
	fmt.Fprintf(w, "%-28s %d\n", "numbers:", n)
	speed := "not measured"
	if vtrNS > 0 && tsNS > 0 {
		fmt.Fprintf(w, "%-28s %9.1f ms %10.0f numbers/s\n", "vtr:", ms(vtrNS), rate(n, vtrNS))
		fmt.Fprintf(w, "%-28s %9.1f ms %10.0f numbers/s\n", tsName+":", ms(tsNS), rate(n, tsNS))
		ratio := float64(tsNS) / float64(vtrNS)
		if ratio >= 1 {
			fmt.Fprintf(w, "%-28s vtr is %.1fx faster\n", "speed (ts time / vtr time):", ratio)
		} else {
			fmt.Fprintf(w, "%-28s vtr is %.1fx slower\n", "speed (ts time / vtr time):", 1/ratio)
		}
		speed = fmt.Sprintf("%s (%.1fx)", met(ratio >= speedTarget), ratio)
	}
	fmt.Fprintf(w, "%-28s vtr %.2f%%, ts-tracking-number %.2f%%\n", "agreement:", pct(total.vtr, n), pct(total.ts, n))
	fmt.Fprintf(w, "\nTargets\n\n")
	fmt.Fprintf(w, "%-42s %s\n", fmt.Sprintf("vtr >= %dx faster end to end:", speedTarget), speed)
	detail := "every carrier"
	if len(worse) > 0 {
		detail = "less accurate on " + strings.Join(worse, ", ")
	}
	fmt.Fprintf(w, "%-42s %s (%s)\n", "vtr at least as accurate on every carrier:", met(len(worse) == 0), detail)

	if len(worse) > 0 && examples > 0 {
		fmt.Fprintf(w, "\nNumbers vtr gets wrong and ts-tracking-number right\n\n")
		for _, c := range worse {
			t := &invalid
			if c != "invalid" {
				t = byCarrier[c]
			}
			fmt.Fprintf(w, "%-18s", c+":")
			for _, num := range t.worse {
				fmt.Fprintf(w, " %q", num)
			}
			fmt.Fprintln(w)
		}
	}
	return nil
}

func lines(r io.Reader) *bufio.Scanner {
	s := bufio.NewScanner(r)
	s.Buffer(make([]byte, 64<<10), 1<<20)
	return s
}

func parseLabel(line string) (label, error) {
	f := strings.Split(line, "\t")
	if len(f) != 4 {
		return label{}, fmt.Errorf("want 4 tab-separated fields, have %d", len(f))
	}
	switch f[1] {
	case "valid":
		return label{number: f[0], valid: true, carrier: f[2], format: f[3]}, nil
	case "invalid":
		return label{number: f[0], carrier: f[2], format: f[3]}, nil
	}
	return label{}, fmt.Errorf("expected is %q, want valid or invalid", f[1])
}

func pct(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return 100 * float64(a) / float64(b)
}

func ms(ns int64) float64 { return float64(ns) / 1e6 }

func rate(n int, ns int64) float64 { return float64(n) / (float64(ns) / 1e9) }

func met(ok bool) string {
	if ok {
		return "MET"
	}
	return "NOT MET"
}
