package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/vtr-project/vtr/flatfile"
)

const checkHelp = `Usage: vtr check [--policy P] [--origin CC] [--policies FILE] [--json]
                 [--fix OUT] FILE|-

Pre-flight of an Amazon shipping-confirmation flat file before upload, with
no database: for every line, what Amazon would reject (REJECTED) or count
against the Valid Tracking Rate (DEFECT), why, and the likely right carrier.
The carrier and tracking-number rules are the engine's own, for the policy
and ship-from country given, so a line check calls ok is one the engine
will not count as a carrier or number defect (it still needs its scans).
A tracking number that repeats the line's order ID (for Walmart, the
purchase-order number) is named as such: TRACKING_MALFORMED.

Amazon's file is tab-separated. A file saved from a spreadsheet as CSV
(comma- or semicolon-separated) is read as well, with a note: save it as
tab-delimited text, or let --fix write it so, before uploading.

  --policy P     the policy to check against (default amazon-us); under a
                 policy of another marketplace the order-id column holds
                 its order number, in its own form
  --origin CC    the ship-from country, ISO 3166-1 alpha-2 (default: the
                 policy's home country, e.g. US, or CN for amazon-cn-us)
  --policies F   operator policies (a JSON array) over the built-ins
                 (default $VTR_POLICIES)
  --json         one JSON object per line instead of text
  --fix OUT      also write OUT, the corrected flat file: the input's
                 header and columns, tab-separated. A clean line is copied
                 as it is; a line whose fault is its carrier gets the
                 carrier its number surely belongs to (the likely carrier)
                 if that makes it clean; every other line is left out, and
                 listed on standard error with why. OUT must not be the
                 input.

Exit status 1 when any line of the input has a finding.
`

func (m *Main) check(ctx context.Context, args []string) error {
	fs := newFlags("check")
	asJSON := fs.Bool("json", false, "")
	policyID := fs.String("policy", "amazon-us", "")
	origin := fs.String("origin", "", "")
	file := fs.String("policies", os.Getenv("VTR_POLICIES"), "")
	fixPath := fs.String("fix", "", "")
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
	var fix *fixFile
	if *fixPath != "" {
		if fix, err = createFix(*fixPath, fs.Arg(0)); err != nil {
			return err
		}
		defer fix.abort()
	}
	fr, err := flatfile.NewReader(in)
	if err != nil {
		return err
	}
	if sep := fr.Separator(); sep != '\t' {
		fmt.Fprintf(m.Stderr, "vtr: note: this file is %s-separated; Amazon's flat file is tab-separated: it is read here, but save it as tab-delimited text (or upload the file --fix writes) before uploading\n",
			flatfile.SeparatorName(sep))
	}
	c := flatfile.NewChecker(p, cc)
	if fix != nil {
		if fix.w, err = flatfile.NewWriter(fix.f, fr.Header()); err != nil {
			return fmt.Errorf("--fix %s: %w", fix.path, err)
		}
	}
	w := bufio.NewWriter(m.Stdout)
	sum, err := c.CheckReader(fr, func(r flatfile.Row, f flatfile.Finding) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		if *asJSON {
			b, _ := json.Marshal(f)
			if _, err := w.Write(append(b, '\n')); err != nil {
				return err
			}
		} else if _, err := fmt.Fprintln(w, f.Text()); err != nil {
			return err
		}
		if fix != nil {
			if note := fix.row(c, r, f); note != "" {
				// Flushed first, so that on a terminal the note follows
				// the line's finding.
				if err := w.Flush(); err != nil {
					return err
				}
				fmt.Fprintf(m.Stderr, "vtr: fix: %s\n", note)
			}
		}
		return nil
	})
	if ferr := w.Flush(); err == nil {
		err = ferr
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stderr, "%d lines: %d ok, %d rejected by Amazon at upload, %d accepted but counted as VTR defects\n", sum.Lines, sum.OK, sum.Rejected, sum.Defects)
	if fix != nil {
		if err := fix.commit(); err != nil {
			return err
		}
		fmt.Fprintf(m.Stderr, "%s: %d lines written (%d corrected), %d left out\n", fix.path, fix.written, fix.corrected, fix.left)
	}
	if sum.Rejected+sum.Defects > 0 {
		return errFound
	}
	return nil
}

// fixFile is the corrected flat file of --fix, written to a temporary file
// beside it and renamed into place once the whole input is read, so that
// an interrupted run leaves no half-written file.
type fixFile struct {
	path                     string
	f                        *os.File
	w                        *flatfile.Writer
	written, corrected, left int
}

// createFix opens the corrected file's temporary file, refusing to write
// over the input.
func createFix(path, input string) (*fixFile, error) {
	if path == "-" {
		return nil, usagef("check: --fix needs a file name (standard output has the findings)")
	}
	if input != "-" {
		if filepath.Clean(path) == filepath.Clean(input) {
			return nil, usagef("check: --fix %s is the input file: give another name for the corrected file", path)
		}
		fi, err := os.Stat(input)
		if err != nil {
			return nil, err
		}
		if fo, err := os.Stat(path); err == nil && os.SameFile(fi, fo) {
			return nil, usagef("check: --fix %s is the input file: give another name for the corrected file", path)
		}
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return nil, fmt.Errorf("--fix: %w", err)
	}
	if err := f.Chmod(0o644); err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, fmt.Errorf("--fix: %w", err)
	}
	return &fixFile{path: path, f: f}, nil
}

// row writes a row to the corrected file when its fix is certain, and
// returns what to tell of it: what was corrected, or why it was left out
// ("" for a line copied as it is).
func (x *fixFile) row(c *flatfile.Checker, r flatfile.Row, f flatfile.Finding) string {
	fixed, change, err := c.Fix(r, f)
	if err == nil {
		err = x.w.Write(fixed)
	}
	if err != nil {
		x.left++
		return fmt.Sprintf("line %d left out: %v", f.Line, err)
	}
	x.written++
	if change == "" {
		return ""
	}
	x.corrected++
	return fmt.Sprintf("line %d corrected: %s", f.Line, change)
}

// commit writes the corrected file in place.
func (x *fixFile) commit() error {
	err := x.w.Flush()
	if cerr := x.f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(x.f.Name(), x.path)
	}
	if err != nil {
		os.Remove(x.f.Name())
		return fmt.Errorf("--fix %s: %w", x.path, err)
	}
	x.f = nil
	return nil
}

// abort removes the temporary file of a run that did not commit.
func (x *fixFile) abort() {
	if x.f != nil {
		x.f.Close()
		os.Remove(x.f.Name())
	}
}
