package main

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime/debug"
	"strings"
	"text/tabwriter"

	"github.com/vtr-project/vtr"
)

const sellersHelp = `Usage: vtr sellers [--json] [--db FILE]

The sellers stored, with the policies they are judged by (their own list,
then those of their orders) and their ship-from locations.
`

func (m *Main) sellers(ctx context.Context, args []string) error {
	fs := newFlags("sellers")
	sf := addStoreFlags(fs)
	asJSON := fs.Bool("json", false, "")
	if ok, err := parse(fs, args, sellersHelp, m.Stdout); !ok {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("sellers: unexpected argument %q", fs.Arg(0))
	}
	store, err := sf.open(ctx, forRead)
	if err != nil {
		return err
	}
	defer store.Close()
	sellers, err := store.Sellers(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		if sellers == nil {
			sellers = []vtr.Seller{}
		}
		return json.NewEncoder(m.Stdout).Encode(sellers)
	}
	tw := tabwriter.NewWriter(m.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SELLER\tNAME\tPOLICIES\tSHIP FROM")
	for _, s := range sellers {
		var from []string
		for _, f := range s.ShipFrom {
			from = append(from, f.ID+" ("+f.Country+")")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", s.ID, dash(s.Name), dash(strings.Join(s.Policies, ", ")), dash(strings.Join(from, ", ")))
	}
	return tw.Flush()
}

// version prints the module version and the commit it was built from.
func (m *Main) version() error {
	v, rev, dirty := "(devel)", "", ""
	if bi, ok := debug.ReadBuildInfo(); ok {
		if bi.Main.Version != "" {
			v = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch {
			case s.Key == "vcs.revision":
				rev = s.Value
			case s.Key == "vcs.modified" && s.Value == "true":
				dirty = "+dirty"
			}
		}
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if rev != "" {
		rev = " " + rev + dirty
	}
	_, err := fmt.Fprintf(m.Stdout, "vtr %s%s\n", v, rev)
	return err
}
