package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/vtr-project/vtr/flatfile"
)

const checkHelp = `Usage: vtr check [--policy P] [--origin CC] [--policies FILE] [--json] FILE|-

Pre-flight of an Amazon shipping-confirmation flat file before upload, with
no database: for every line, what Amazon would reject (REJECTED) or count
against the Valid Tracking Rate (DEFECT), why, and the likely right carrier.
The carrier and tracking-number rules are the engine's own, for the policy
and ship-from country given, so a line check calls ok is one the engine
will not count as a carrier or number defect (it still needs its scans).

  --policy P     the policy to check against (default amazon-us)
  --origin CC    the ship-from country, ISO 3166-1 alpha-2 (default: the
                 policy's home country, e.g. US, or CN for amazon-cn-us)
  --policies F   operator policies (a JSON array) over the built-ins
                 (default $VTR_POLICIES)
  --json         one JSON object per line instead of text

Exit status 1 when any line has a finding.
`

func (m *Main) check(ctx context.Context, args []string) error {
	fs := newFlags("check")
	asJSON := fs.Bool("json", false, "")
	policyID := fs.String("policy", "amazon-us", "")
	origin := fs.String("origin", "", "")
	file := fs.String("policies", os.Getenv("VTR_POLICIES"), "")
	if ok, err := parse(fs, args, checkHelp, m.Stdout); !ok {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("check: give one FILE, or - for standard input")
	}
	set, err := policySet(*file)
	if err != nil {
		return err
	}
	p, err := set.Get(*policyID)
	if err != nil {
		return err
	}
	cc := strings.ToUpper(strings.TrimSpace(*origin))
	if cc == "" {
		cc = p.DefaultOrigin()
	}
	switch {
	case cc != "" && (len(cc) != 2 || strings.Trim(cc, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != ""):
		return usagef("check: --origin: %q is not a two-letter country code (US, CN …)", *origin)
	case cc != "" && len(p.Origins) > 0 && !slices.Contains(p.Origins, cc):
		// The engine would exempt every package (EXEMPT_ORIGIN): nothing
		// to check.
		return usagef("check: %s covers packages shipped from %s, not %s", p.ID, strings.Join(p.Origins, "/"), cc)
	}
	in, _, err := m.openInput(fs.Arg(0))
	if err != nil {
		return err
	}
	defer in.Close()
	w := bufio.NewWriter(m.Stdout)
	sum, err := flatfile.NewChecker(p, cc).CheckAll(in, func(f flatfile.Finding) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		if *asJSON {
			b, _ := json.Marshal(f)
			_, err := w.Write(append(b, '\n'))
			return err
		}
		_, err := fmt.Fprintln(w, f.Text())
		return err
	})
	if ferr := w.Flush(); err == nil {
		err = ferr
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stderr, "%d lines: %d ok, %d rejected by Amazon at upload, %d accepted but counted as VTR defects\n", sum.Lines, sum.OK, sum.Rejected, sum.Defects)
	if sum.Rejected+sum.Defects > 0 {
		return errFound
	}
	return nil
}
