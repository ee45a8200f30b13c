// Command gen writes the labelled workload of bench/validate: tracking
// numbers across every carrier format vtr knows, with the label a correct
// validator must give each one.
//
// Output is tab separated, one number a line:
//
//	number  expected(valid|invalid)  carrier  format
//
// Valid numbers come from every format with a fixed prefix or suffix (a
// bare 12- or 14-digit number is honestly ambiguous, so no validator can be
// right or wrong about its carrier). Invalid numbers are numbers of formats
// whose shape no other format shares, with the check digit changed, plus
// hostile input: punctuation, non-ASCII, blanks, overlong strings.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"

	"github.com/vtr-project/vtr/tracking"
)

func main() {
	n := flag.Int("n", 100000, "numbers to write")
	seed := flag.Uint64("seed", 1, "random seed")
	invalidShare := flag.Float64("invalid", 0.2, "share of invalid numbers")
	flag.Parse()
	if err := run(*n, *seed, *invalidShare); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

// corruptible lists the formats whose shape is theirs alone, so a wrong
// check digit makes the number invalid for every carrier.
var corruptible = map[string]bool{"1Z": true, "S10": true, "C/D": true, "Express waybill": true}

var hostile = []string{
	"", "   ", "N/A", "1Z999AA1#0123456784", "１Ｚ９９９ＡＡ１０１２３４５６７８４", "TBA\u00a0115177973904",
	"<script>", "'; DROP TABLE packages; --", "tracking", "0", "-----",
}

func run(n int, seed uint64, invalidShare float64) error {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	var valid, broken []*tracking.Format
	for _, f := range tracking.Formats() {
		if !f.Specific() {
			// Bare-digit formats (FedEx Express 12 and Purolator, DHL
			// Express and DHL eCommerce 14 …) share their shapes: the
			// carrier of such a number is honestly ambiguous.
			continue
		}
		valid = append(valid, f)
		if corruptible[f.Service] {
			broken = append(broken, f)
		}
	}
	w := bufio.NewWriterSize(os.Stdout, 1<<16)
	var buf []byte
	for i := range n {
		buf = buf[:0]
		if r.Float64() >= invalidShare {
			f := valid[i%len(valid)]
			buf = f.AppendGenerate(r, buf)
			owner := f.Owner(string(buf))
			fmt.Fprintf(w, "%s\tvalid\t%s\t%s\n", buf, owner.Code, f.Service)
			continue
		}
		if r.IntN(10) == 0 {
			fmt.Fprintf(w, "%s\tinvalid\t-\thostile\n", hostile[r.IntN(len(hostile))])
			continue
		}
		f := broken[r.IntN(len(broken))]
		buf = f.AppendGenerate(r, buf)
		pos := len(buf) - 1
		if f.Service == "S10" {
			pos = 10
		}
		buf[pos] = byte('0' + (int(buf[pos]-'0')+1+r.IntN(9))%10)
		fmt.Fprintf(w, "%s\tinvalid\t-\t%s (check digit changed)\n", buf, f.Service)
	}
	return w.Flush()
}
