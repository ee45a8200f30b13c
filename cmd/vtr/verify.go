package main

import (
	"context"
	"fmt"
)

const verifyHelp = `Usage: vtr verify [--db FILE]

Recomputes every scan summary, verdict and aggregate from the raw data and
reports any difference from the live, incrementally maintained state.
Exit status 1 when there is a difference.
`

func (m *Main) verify(ctx context.Context, args []string) error {
	fs := newFlags("verify")
	sf := addStoreFlags(fs)
	if ok, err := parse(fs, args, verifyHelp, m.Stdout); !ok {
		return err
	}
	store, err := sf.open(ctx, forRead)
	if err != nil {
		return err
	}
	defer store.Close()
	diffs, err := store.Verify(ctx)
	if err != nil {
		return err
	}
	for _, d := range diffs {
		fmt.Fprintf(m.Stdout, "%s %s: stored %s, recomputed %s\n", d.What, d.Key, d.Stored, d.Want)
	}
	if len(diffs) > 0 {
		fmt.Fprintf(m.Stderr, "%d differences\n", len(diffs))
		return errFound
	}
	fmt.Fprintln(m.Stderr, "verified: the live aggregates equal a full recomputation")
	return nil
}
