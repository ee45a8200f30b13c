package main

import (
	"context"
	"fmt"
	"text/tabwriter"
)

const unclassifiedHelp = `Usage: vtr unclassified [--db FILE]

Lists the carrier event codes no table classified (they never count as a
physical scan), per feed and carrier, most frequent first, with an example
description: what an operator should map next.
`

func (m *Main) unclassified(ctx context.Context, args []string) error {
	fs := newFlags("unclassified")
	sf := addStoreFlags(fs)
	if ok, err := parse(fs, args, unclassifiedHelp, m.Stdout); !ok {
		return err
	}
	store, err := sf.open(ctx, forRead)
	if err != nil {
		return err
	}
	defer store.Close()
	codes, err := store.Unclassified(ctx)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(m.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "feed and carrier\tcode\tevents\texample")
	for _, c := range codes {
		code := c.Code
		if code == "" {
			code = "(none)"
		}
		fmt.Fprintf(w, "%s %s\t%s\t%d\t%s\n", c.Source, c.Carrier, code, c.Count, c.Example)
	}
	return w.Flush()
}
