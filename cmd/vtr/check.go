package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"

	"github.com/vtr-project/vtr/flatfile"
)

const checkHelp = `Usage: vtr check [--json] FILE|-

Pre-flight of an Amazon shipping-confirmation flat file before upload, with
no database: for every line, what Amazon would reject (REJECTED) or count
against the Valid Tracking Rate (DEFECT), why, and the likely right carrier.
Exit status 1 when any line has a finding.
`

func (m *Main) check(ctx context.Context, args []string) error {
	fs := newFlags("check")
	asJSON := fs.Bool("json", false, "")
	if ok, err := parse(fs, args, checkHelp, m.Stdout); !ok {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("check: give one FILE, or - for standard input")
	}
	in, _, err := m.openInput(fs.Arg(0))
	if err != nil {
		return err
	}
	defer in.Close()
	w := bufio.NewWriter(m.Stdout)
	sum, err := flatfile.CheckAll(in, func(f flatfile.Finding) error {
		if *asJSON {
			b, _ := json.Marshal(f)
			w.Write(append(b, '\n'))
			return nil
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
